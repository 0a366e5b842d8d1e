"""Per-program rule for where an application is handled ([DB] art. 5 and related texts)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from huimin.programs import Program


class ResidenceRule(StrEnum):
    HUKOU = "hukou"  # only the 户籍 township handles it
    PERMIT = "permit"  # 户籍 by default; a 居住证 holder may apply where they live
    RESIDENCE = "residence"  # handled where the person lives, whatever the 户籍


@dataclass(frozen=True)
class RoutingRule:
    rule: ResidenceRule
    source: str
    sample: bool = False


_PERMIT_SAMPLE = RoutingRule(
    ResidenceRule.PERMIT, "示例配置:参照《最低生活保障审核确认办法》第五条", sample=True
)

RULES: dict[Program, RoutingRule] = {
    Program.DIBAO: RoutingRule(
        ResidenceRule.PERMIT, "《最低生活保障审核确认办法》第五条;《浙江省社会救助条例》第六十二条"
    ),
    Program.DIBAO_EDGE: RoutingRule(
        ResidenceRule.PERMIT, "民政部等〔2022〕兜底通知 §四(三):低保边缘参照低保异地申请"
    ),
    Program.TEKUN: RoutingRule(ResidenceRule.HUKOU, "《特困人员认定办法》:向户籍所在地申请"),
    Program.TEMPORARY: RoutingRule(
        ResidenceRule.RESIDENCE, "低收入人口动态监测意见 §四(三):急难救助不受户籍和居住地限制"
    ),
}


def rule_for(program: Program) -> RoutingRule:
    return RULES.get(program, _PERMIT_SAMPLE)
