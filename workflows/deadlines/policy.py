"""How many working days each program's case may take, with the source of each figure.

Figures the regulations give are cited; where none was found the value is a clearly labelled
sample (``sample=True``) that the district should replace.
"""

from __future__ import annotations

from dataclasses import dataclass

from huimin.programs import Program

PUBLIC_NOTICE_DAYS = 7  # 公示 7 days ([DB] art. 19; [TK] art. 15; [ZJ] art. 11)
FORWARD_WORKING_DAYS = (
    3  # sample: the receiving township 受理s a forwarded case within 3 working days
)
WARN_FRACTION = 0.75  # a case warns when 75% of its working days are used


@dataclass(frozen=True)
class DeadlinePolicy:
    working_days: int
    extended_working_days: int | None  # None: the deadline cannot be extended
    source: str
    sample: bool = False


_DIBAO = DeadlinePolicy(
    30, 45, "《最低生活保障审核确认办法》第二十二条:30个工作日,可延长至45个工作日"
)
_DIBAO_DELEGATED = DeadlinePolicy(
    20, None, "民政部等〔2022〕兜底通知 §四(一):审核确认权限下放至乡镇(街道)的,20个工作日"
)
_SAMPLE = DeadlinePolicy(20, 30, "示例配置:未找到法规时限,请按本区规定修改", sample=True)

POLICIES: dict[Program, DeadlinePolicy] = {
    Program.TEKUN: DeadlinePolicy(
        30, None, "《特困人员认定办法》第十三、十六条:乡镇调查15个工作日 + 县级认定15个工作日"
    ),
    Program.RIGID_EXPENDITURE: DeadlinePolicy(
        30, 45, "《刚性支出困难家庭认定办法》:30个工作日,可延长至45个工作日"
    ),
    Program.TEMPORARY: DeadlinePolicy(
        15, 20, "示例配置:临时救助时限未找到统一规定,请按本区规定修改", sample=True
    ),
}


def policy_for(program: Program, *, dibao_review_delegated: bool) -> DeadlinePolicy:
    if program in (Program.DIBAO, Program.DIBAO_EDGE):
        return _DIBAO_DELEGATED if dibao_review_delegated else _DIBAO
    return POLICIES.get(program, _SAMPLE)


# Programs whose 审核确认 the county (district) decides: 低保 [DB] art. 20, 特困 [TK] art. 16,
# 低保边缘 by the same 审核确认 procedure. The township may decide 低保/低保边缘 only where
# HUIMIN_DIBAO_REVIEW_DELEGATED is on ([DB] art. 2; [22-83] §四(一)).
_COUNTY_DECIDES = frozenset({Program.DIBAO, Program.DIBAO_EDGE, Program.TEKUN})
_DELEGABLE = frozenset({Program.DIBAO, Program.DIBAO_EDGE})


def county_decides(program: Program, *, dibao_review_delegated: bool) -> bool:
    """True: approve/reject after the township's opinion is the district supervisor's."""
    if program not in _COUNTY_DECIDES:
        return False
    return not (dibao_review_delegated and program in _DELEGABLE)
