"""Pydantic models of the pre-screening input (a household) and output (verdicts).

The household is the one household vocabulary of :mod:`workflows.household.models` (the
application body's members, incomes, property and expenditures, with the same kinds, ``Decimal``
money, bounds and validators), so an application can be pre-screened as is; the pre-screening
adds what a resident may know before applying (birth date or age instead of an ID number, needs
assessment level, members not counted) and ignores the fields it does not use. Every validation
message is Chinese (:class:`workflows.validation.ChineseMessages`). Dates "in the future" are
judged against the validation day (the app clock's today, or ``validation_context(today)``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from huimin.programs import Judged, Program
from workflows.household.bounds import MAX_AGE, MAX_MEMBERS, MAX_NAME_LENGTH, MIN_BIRTH_YEAR
from workflows.household.enums import NEEDS_LEVEL_LABELS, ExcludedReason
from workflows.household.models import HouseholdBase, MemberBase
from workflows.household.validators import OptionalIdNumber
from workflows.validation import today_of

VerdictValue = Literal["likely", "possible", "unlikely"]
Outcome = Literal["met", "unknown", "not_met", "info"]


def _birth_from_id(number: str) -> dt.date:
    """Birth date of an ID number already validated by ``idcard.parse`` (digits 7–14)."""
    return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


class MemberIn(MemberBase):
    """A member as a resident describes them: ID number, birth date or age, all optional."""

    name: str | None = Field(default=None, max_length=MAX_NAME_LENGTH, repr=False)
    id_number: OptionalIdNumber = Field(default=None, repr=False)
    birth_date: dt.date | None = None
    age: int | None = None
    needs_assessment_level: int | None = Field(
        default=None, description="GB/T 42195-2022:0 能力完好 … 4 完全失能;也可填中文名称"
    )
    excluded_reason: ExcludedReason | None = Field(
        default=None, description="不计入共同生活家庭成员的原因([DB]第七条)"
    )
    # elder care (幸福颐养): inputs of the elder-care rules; unknown stays None
    dementia: bool | None = Field(default=None, description="是否有失智(认知障碍)情况")
    lives_alone: bool | None = Field(default=None, description="是否独居或空巢(无子女同住)")

    @field_validator("birth_date")
    @classmethod
    def _birth_not_future(cls, value: dt.date | None, info: ValidationInfo) -> dt.date | None:
        if value is not None and value.year < MIN_BIRTH_YEAR:
            raise PydanticCustomError("value_error", "出生年份不合理,请核对")
        if value is not None and value > today_of(info):
            raise PydanticCustomError("value_error", "出生日期晚于今天,请核对")
        return value

    @field_validator("age")
    @classmethod
    def _age_range(cls, value: int | None) -> int | None:
        if value is not None and not 0 <= value <= MAX_AGE:
            raise PydanticCustomError("value_error", f"年龄应在0到{MAX_AGE}岁之间")
        return value

    @field_validator("needs_assessment_level", mode="before")
    @classmethod
    def _level_from_label(cls, value: Any) -> Any:
        if isinstance(value, str) and value.strip() in NEEDS_LEVEL_LABELS:
            return NEEDS_LEVEL_LABELS.index(value.strip())
        if value is not None and not (isinstance(value, int) and 0 <= value <= 4):
            raise PydanticCustomError(
                "value_error",
                "老年人能力评估等级应为0–4或“能力完好/轻度失能/中度失能/重度失能/完全失能”",
            )
        return value

    @model_validator(mode="after")
    def _consistent(self) -> MemberIn:
        if self.id_number and self.birth_date:
            born = _birth_from_id(self.id_number)
            if born != self.birth_date:
                raise PydanticCustomError("value_error", "出生日期与身份证号码不一致,请核对")
        return self

    def birth_or_none(self) -> dt.date | None:
        if self.id_number:
            return _birth_from_id(self.id_number)
        return self.birth_date

    def age_on(self, day: dt.date) -> int | None:
        """Age in whole years on `day` (None where neither ID, birth date nor age is given)."""
        born = self.birth_or_none()
        if born is not None:
            years = day.year - born.year - ((day.month, day.day) < (born.month, born.day))
            return max(years, 0)
        return self.age


class HouseholdIn(HouseholdBase):
    """A household in the application body's shape (docs/API.md); other fields are ignored."""

    members: list[MemberIn] = Field(min_length=1, max_length=MAX_MEMBERS)
    has_supporter_able: bool | None = Field(
        default=None, description="是否有有能力履行赡养/抚养/扶养义务的人(特困认定用;不清楚留空)"
    )
    emergency: bool = Field(default=False, description="是否正遭遇急难情况(急难型临时救助)")
    programs: list[Program] | None = Field(default=None, description="只预审这些项目(留空则全部)")
    confirmed_programs: list[Program] = Field(
        default_factory=list,
        max_length=5,
        description="已经认定(持证)的救助身份,如 tekun、dibao、dibao_edge(养老兜底规则用)",
    )


class Reason(BaseModel):
    text: str
    citation: str
    outcome: Outcome


SAMPLE_VERDICT_LABEL = "示例标准,以民政部门公布为准"


class Verdict(BaseModel):
    program: Judged
    program_label: str
    verdict: VerdictValue
    verdict_label: str
    reasons: list[Reason]
    materials: list[str]
    # One sentence residents read: why (暂不符合: the unmet conditions; 需进一步核实: what must
    # be checked), labelled when the standards it used are sample values
    explanation: str = ""
    sample: bool = False  # computed with sample standards (示例标准,以民政部门公布为准)


class FigureOut(BaseModel):
    """One standard with its provenance: where and when it applies, and whether it is a sample."""

    name: str
    value: Any
    region: str
    effective_from: dt.date
    effective_to: dt.date | None
    sample: bool
    note: str
    source: str


class StandardsUsed(BaseModel):
    model_config = ConfigDict(frozen=True)  # shared between results for the same region and day

    on: dt.date
    region: str
    region_name: str
    dibao_standard_monthly: float
    edge_multiplier: float
    edge_line_monthly: float
    disposable_income_annual: float
    rigid_expenditure_share: float
    property_monetary_months_per_capita: float
    temporary_caps_months: dict[str, int]
    sample: bool
    notes: list[str]
    figures: list[FigureOut] = Field(default_factory=list)


class HouseholdSummary(BaseModel):
    members_total: int
    members_counted: int
    monthly_income_counted: float
    monthly_deductions: float
    per_capita_monthly_income: float
    annual_rigid_expenditure: float


class PrescreenResult(BaseModel):
    verdicts: list[Verdict]
    standards_used: StandardsUsed
    household: HouseholdSummary
    disclaimer: str = "预审结果仅供参考,是否符合条件以乡镇(街道)和区民政部门的审核确认为准。"


VERDICT_LABELS: dict[str, str] = {
    "likely": "可能符合",
    "possible": "需进一步核实",
    "unlikely": "暂不符合",
}
