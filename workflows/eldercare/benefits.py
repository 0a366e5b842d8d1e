"""What an elder can get: the elder-care verdicts of the combined rule table, in a fixed order."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel

from huimin.settings import Settings
from workflows.eligibility.elder_rules import ELDER_RESULTS, load_eldercare_rules
from workflows.eligibility.engine import prescreen
from workflows.eligibility.schemas import HouseholdIn, StandardsUsed, Verdict
from workflows.eligibility.standards import load_standards

DISCLAIMER = (
    "结果仅供参考:是否符合以乡镇(街道)和区民政部门的审核为准。标有“示例值”的金额不是官方标准;"
    "本区尚未公布细则的项目显示为“需进一步核实”。"
)


class ElderBenefitsResult(BaseModel):
    verdicts: list[Verdict]
    standards_used: StandardsUsed
    sample: bool
    disclaimer: str = DISCLAIMER


def elder_benefits(
    household: HouseholdIn, *, on: dt.date, settings: Settings
) -> ElderBenefitsResult:
    """The elder-care benefits for this household on day `on` (all members are considered)."""
    result = prescreen(
        household.model_copy(update={"programs": None}),
        on=on,
        standards=load_standards(settings),
        rules=load_eldercare_rules(settings),
    )
    by_program = {v.program: v for v in result.verdicts}
    verdicts = [by_program[p] for p in ELDER_RESULTS if p in by_program]
    return ElderBenefitsResult(
        verdicts=verdicts,
        standards_used=result.standards_used,
        sample=result.standards_used.sample,
    )
