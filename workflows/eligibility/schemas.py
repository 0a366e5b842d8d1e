"""Pydantic models of the pre-screening input (a household) and output (verdicts).

The household shape is the one of the application body in docs/API.md, so an application can be
pre-screened as is (fields the pre-screening does not use are ignored). Every validation message
is Simplified Chinese on its own: the models translate pydantic's built-in messages (see
:mod:`workflows.eligibility.messages`), so no app-wide handler is needed.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidatorFunctionWrapHandler,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from huimin import idcard, townships
from huimin.programs import Program
from workflows.eligibility.messages import translate_errors

MAX_AMOUNT = Decimal("10000000")  # anything above is a typo, not a household's money
MAX_MEMBERS = 30
MAX_AGE = 130
BEIJING = ZoneInfo("Asia/Shanghai")


def beijing_today() -> dt.date:
    """Today in the district (birth dates "in the future" are judged on Beijing time)."""
    return dt.datetime.now(BEIJING).date()


Relation = Literal["本人", "配偶", "子女", "父母", "其他"]
DisabilityCategory = Literal["肢体", "视力", "听力", "言语", "智力", "精神", "多重"]
IncomeKind = Literal[
    "wage",
    "business",
    "property",
    "transfer",
    "pension_basic",
    "pension",
    "pension_allowance_exempt",
    "relief",
    "fuxu",
]
PropertyKind = Literal["deposit", "house", "vehicle", "other"]
ExpenditureKind = Literal["medical", "education", "disability", "basic_living"]
ExcludedReason = Literal["clergy", "prison", "missing", "other"]
VerdictValue = Literal["likely", "possible", "unlikely"]
Outcome = Literal["met", "unknown", "not_met", "info"]

KIND_LABELS: dict[str, dict[str, str]] = {
    "income": {
        "wage": "工资性收入",
        "business": "经营净收入",
        "property": "财产净收入(租金、利息等)",
        "transfer": "转移净收入(赡养费等)",
        "pension": "养老金(职工养老保险等)",
        "pension_basic": "城乡居民基础养老金",
        "pension_allowance_exempt": "高龄津贴等老年津贴",
        "relief": "政府救助金、补助金",
        "fuxu": "抚恤金",
    },
    "property": {"deposit": "存款", "house": "房产", "vehicle": "机动车", "other": "其他财产"},
    "expenditure": {
        "medical": "医疗费用(医保报销后自付)",
        "education": "教育支出",
        "disability": "残疾康复支出",
        "basic_living": "基本生活支出",
    },
}

EXCLUDED_REASON_LABELS: dict[str, str] = {
    "clergy": "在宗教场所居住三年以上的宗教教职人员",
    "prison": "在监狱服刑或强制隔离戒毒",
    "missing": "宣告失踪",
    "other": "省级规定的其他不计入情形",
}
NEEDS_LEVEL_LABELS: tuple[str, ...] = ("能力完好", "轻度失能", "中度失能", "重度失能", "完全失能")


def _birth_from_id(number: str) -> dt.date:
    """Birth date of an ID number already validated by ``idcard.parse`` (digits 7–14)."""
    return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def _check_amount(value: Decimal) -> Decimal:
    if not value.is_finite():
        raise PydanticCustomError("value_error", "金额应为有效数字")
    if value < 0:
        raise PydanticCustomError("value_error", "金额不能为负数")
    if value > MAX_AMOUNT:
        raise PydanticCustomError("value_error", "金额超过10,000,000元,明显不合理,请核对")
    return value


class _Translated(BaseModel):
    """Base: ignore unknown fields, translate every validation message to Chinese."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    @model_validator(mode="wrap")
    @classmethod
    def _chinese_messages(cls, data: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        try:
            return handler(data)
        except ValidationError as exc:
            raise ValidationError.from_exception_data(exc.title, translate_errors(exc)) from None


def _kind_checker(group: str) -> Any:
    labels = KIND_LABELS[group]
    names = {"income": "收入类型", "property": "财产类型", "expenditure": "支出类型"}

    def check(value: Any) -> Any:
        if isinstance(value, str) and value not in labels:
            choices = "、".join(f"{code}({label})" for code, label in labels.items())
            raise PydanticCustomError(
                "value_error",
                "未知的{name}“{value}”,可选:{choices}",
                {"name": names[group], "value": value[:20], "choices": choices},
            )
        return value

    return check


class IncomeIn(_Translated):
    kind: IncomeKind
    monthly_amount: Decimal = Field(description="月收入(元)")

    _kind = field_validator("kind", mode="before")(_kind_checker("income"))

    _amount = field_validator("monthly_amount")(_check_amount)


class PropertyIn(_Translated):
    kind: PropertyKind
    value: Decimal = Field(description="价值(元)")
    note: str = ""

    _kind = field_validator("kind", mode="before")(_kind_checker("property"))

    _amount = field_validator("value")(_check_amount)


class ExpenditureIn(_Translated):
    kind: ExpenditureKind
    annual_amount: Decimal = Field(description="近12个月支出(元)")

    _kind = field_validator("kind", mode="before")(_kind_checker("expenditure"))

    _amount = field_validator("annual_amount")(_check_amount)


class MemberIn(_Translated):
    relation: Relation
    name: str | None = Field(default=None, max_length=50, repr=False)
    id_number: str | None = Field(default=None, repr=False)
    birth_date: dt.date | None = None
    age: int | None = None
    disability_category: DisabilityCategory | None = None
    disability_grade: int | None = None
    serious_illness: bool = False
    in_school: bool = False
    needs_assessment_level: int | None = Field(
        default=None, description="GB/T 42195-2022:0 能力完好 … 4 完全失能;也可填中文名称"
    )
    excluded_reason: ExcludedReason | None = Field(
        default=None, description="不计入共同生活家庭成员的原因([DB]第七条)"
    )
    incomes: list[IncomeIn] = Field(default_factory=list, max_length=20, repr=False)

    @field_validator("id_number")
    @classmethod
    def _valid_id(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        try:
            return idcard.parse(value, today=beijing_today()).number
        except idcard.InvalidIdNumber as exc:
            raise PydanticCustomError("value_error", str(exc)) from None

    @field_validator("birth_date")
    @classmethod
    def _birth_not_future(cls, value: dt.date | None) -> dt.date | None:
        if value is not None and value > beijing_today():
            raise PydanticCustomError("value_error", "出生日期晚于今天,请核对")
        if value is not None and value.year < 1890:
            raise PydanticCustomError("value_error", "出生年份不合理,请核对")
        return value

    @field_validator("age")
    @classmethod
    def _age_range(cls, value: int | None) -> int | None:
        if value is not None and not 0 <= value <= MAX_AGE:
            raise PydanticCustomError("value_error", "年龄应在0到130岁之间")
        return value

    @field_validator("disability_grade")
    @classmethod
    def _grade_range(cls, value: int | None) -> int | None:
        if value is not None and value not in (1, 2, 3, 4):
            raise PydanticCustomError("value_error", "残疾等级应为1、2、3或4级")
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


def _township_code(value: str | None, *, field: str) -> str | None:
    if value in (None, ""):
        return None
    if townships.by_code(value) is None:
        raise PydanticCustomError(
            "value_error",
            "{field}不是富阳区的乡镇(街道)代码(应为12位统计代码,如330111001000)",
            {"field": field},
        )
    return value


class HouseholdIn(_Translated):
    """A household in the application body's shape (docs/API.md); other fields are ignored."""

    members: list[MemberIn] = Field(min_length=1, max_length=MAX_MEMBERS)
    property: list[PropertyIn] = Field(default_factory=list, max_length=50, repr=False)
    expenditures: list[ExpenditureIn] = Field(default_factory=list, max_length=50, repr=False)
    hukou_township_code: str | None = None
    residence_township_code: str | None = None
    has_residence_permit: bool = False
    has_supporter_able: bool | None = Field(
        default=None, description="是否有有能力履行赡养/抚养/扶养义务的人(特困认定用;不清楚留空)"
    )
    emergency: bool = Field(default=False, description="是否正遭遇急难情况(急难型临时救助)")
    programs: list[Program] | None = Field(default=None, description="只预审这些项目(留空则全部)")

    @field_validator("hukou_township_code")
    @classmethod
    def _hukou(cls, value: str | None) -> str | None:
        return _township_code(value, field="户籍所在乡镇(街道)")

    @field_validator("residence_township_code")
    @classmethod
    def _residence(cls, value: str | None) -> str | None:
        return _township_code(value, field="居住地乡镇(街道)")


class Reason(BaseModel):
    text: str
    citation: str
    outcome: Outcome


class Verdict(BaseModel):
    program: Program
    program_label: str
    verdict: VerdictValue
    verdict_label: str
    reasons: list[Reason]
    materials: list[str]


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
