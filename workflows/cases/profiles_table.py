"""The process profiles as a Markdown table (docs/PROCESS-PROFILES.md), generated from the data.

``python scripts/profiles_table.py`` writes the file; a test checks the committed file matches.
"""

from __future__ import annotations

from huimin.programs import Program
from workflows.cases.profiles import SAMPLE_LABEL, Deadline, Profile, ProfileTable
from workflows.deadlines.policy import PUBLIC_NOTICE_DAYS

HEADER = """# 各救助项目的办理流程(由数据生成)

本文件由 `python scripts/profiles_table.py` 根据 `workflows/cases/data/profiles.yaml` 生成,
请勿手工修改。案件的可执行操作、办结期限和超期提醒都按此配置;本区默认按浙江省时限(`HUIMIN_CASE_JURISDICTION=zhejiang`)。
标“{sample}”的数字未查到法规依据,是示例配置,须由区民政部门按本区规定替换。
公示期 {days} 天(依据:{notice_cite})。
"""


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _deadline(table: ProfileTable, deadline: Deadline | None) -> str:
    return table.deadline_text(deadline) if deadline is not None else "—(沿用全国时限)"


def _special(table: ProfileTable, profile: Profile) -> str:
    parts: list[str] = []
    if profile.urgent_grant is not None:
        u = profile.urgent_grant
        sample = f"({SAMPLE_LABEL})" if u.paperwork_sample else ""
        parts.append(
            f"先行救助:当日给予,{u.paperwork_working_days}个工作日内补办手续{sample};"
            f"依据 {table.citation(u.cite)}"
        )
    if profile.direct_grant is not None:
        labels = "、".join(p.label for p in profile.direct_grant.certified_programs)
        parts.append(f"{labels}对象凭证直接给予;依据 {table.citation(profile.direct_grant.cite)}")
    if profile.referral is not None:
        r = profile.referral
        sample = f"({SAMPLE_LABEL})" if r.answer_sample else ""
        parts.append(
            f"转{r.department}办理,{r.answer_working_days}个工作日内跟踪答复{sample};"
            f"依据 {table.citation(r.cite)}"
        )
    return "<br>".join(parts) or "—"


def _row(table: ProfileTable, name: str, profile: Profile) -> str:
    stages = " → ".join(["受理", *(s.label for s in profile.stages), "决定"])
    decision = "区民政部门审核确认" if profile.decision == "county" else "乡镇(街道)"
    if profile.delegable:
        decision += "(可下放乡镇(街道))"
    decision_source = table.citation(profile.decision_cite) or SAMPLE_LABEL
    d = profile.deadlines
    payment = profile.payment
    if profile.payment_cite is not None:
        payment += f"(依据 {table.citation(profile.payment_cite)})"
    cells = [
        name,
        stages,
        f"{decision};依据 {decision_source}",
        _deadline(table, d.national),
        _deadline(table, d.zhejiang),
        _deadline(table, d.delegated) if d.delegated is not None else "—",
        _special(table, profile),
        payment,
    ]
    return "| " + " | ".join(_cell(c) for c in cells) + " |"


def render(table: ProfileTable) -> str:
    codes = {p.value: p for p in Program}
    lines = [
        HEADER.format(
            sample=SAMPLE_LABEL,
            days=PUBLIC_NOTICE_DAYS,
            notice_cite=table.citation(table.public_notice_cite),
        ),
        "| 项目 | 办理环节 | 决定 | 全国时限 | 浙江时限 | 审核确认下放时 | 特别程序 | 批准后 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for key, profile in table.programs.items():
        name = f"{codes[key].label}(`{key}`)" if key in codes else f"`{key}`(待启用的项目代码)"
        lines.append(_row(table, name, profile))
    lines.append(_row(table, "其他项目(默认)", table.default))
    lines.append("")
    lines.append("## 依据")
    lines.append("")
    for key, source in table.sources.items():
        number = f",{source.number}" if source.number else ",本库资料未载明文号"
        effective = f",{source.effective}" if source.effective else ""
        lines.append(f"- `{key}`:{source.title}{number}{effective}")
    return "\n".join(lines) + "\n"
