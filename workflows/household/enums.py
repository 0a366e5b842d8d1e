"""Vocabularies of a household: relations, disability, income, property, expenditure kinds.

Standard library only. The values are the wire values of docs/API.md (the application body and
the pre-screening body share them); each kind has its Chinese label.
"""

from __future__ import annotations

from enum import StrEnum


class Relation(StrEnum):
    SELF = "本人"
    SPOUSE = "配偶"
    CHILD = "子女"
    PARENT = "父母"
    OTHER = "其他"


class DisabilityCategory(StrEnum):
    PHYSICAL = "肢体"
    VISUAL = "视力"
    HEARING = "听力"
    SPEECH = "言语"
    INTELLECTUAL = "智力"
    MENTAL = "精神"
    MULTIPLE = "多重"


class IncomeKind(StrEnum):
    WAGE = "wage"
    BUSINESS = "business"
    PROPERTY = "property"
    TRANSFER = "transfer"
    PENSION_BASIC = "pension_basic"  # 城乡居民基础养老金
    PENSION = "pension"
    PENSION_ALLOWANCE_EXEMPT = "pension_allowance_exempt"  # 高龄津贴等
    RELIEF = "relief"  # 政府救助金
    FUXU = "fuxu"  # 抚恤金

    @property
    def exempt(self) -> bool:
        """Not counted as family income ([DB] art. 13; [TK] art. 6)."""
        return self in EXEMPT_INCOME_KINDS

    @property
    def label(self) -> str:
        return INCOME_LABELS[self]


EXEMPT_INCOME_KINDS = frozenset(
    {
        IncomeKind.PENSION_BASIC,
        IncomeKind.PENSION_ALLOWANCE_EXEMPT,
        IncomeKind.RELIEF,
        IncomeKind.FUXU,
    }
)
WORK_INCOME_KINDS = frozenset({IncomeKind.WAGE, IncomeKind.BUSINESS})


class PropertyKind(StrEnum):
    DEPOSIT = "deposit"
    HOUSE = "house"
    VEHICLE = "vehicle"
    OTHER = "other"

    @property
    def label(self) -> str:
        return PROPERTY_LABELS[self]


MONETARY_PROPERTY_KINDS = frozenset({PropertyKind.DEPOSIT, PropertyKind.OTHER})


class ExpenditureKind(StrEnum):
    MEDICAL = "medical"
    EDUCATION = "education"
    DISABILITY = "disability"
    BASIC_LIVING = "basic_living"

    @property
    def label(self) -> str:
        return EXPENDITURE_LABELS[self]


class ExcludedReason(StrEnum):
    """Why a member is not counted in the household ([DB] art. 7)."""

    CLERGY = "clergy"
    PRISON = "prison"
    MISSING = "missing"
    OTHER = "other"

    @property
    def label(self) -> str:
        return EXCLUDED_REASON_LABELS[self]


INCOME_LABELS: dict[IncomeKind, str] = {
    IncomeKind.WAGE: "工资性收入",
    IncomeKind.BUSINESS: "经营净收入",
    IncomeKind.PROPERTY: "财产净收入(租金、利息等)",
    IncomeKind.TRANSFER: "转移净收入(赡养费等)",
    IncomeKind.PENSION: "养老金(职工养老保险等)",
    IncomeKind.PENSION_BASIC: "城乡居民基础养老金",
    IncomeKind.PENSION_ALLOWANCE_EXEMPT: "高龄津贴等老年津贴",
    IncomeKind.RELIEF: "政府救助金、补助金",
    IncomeKind.FUXU: "抚恤金",
}
PROPERTY_LABELS: dict[PropertyKind, str] = {
    PropertyKind.DEPOSIT: "存款",
    PropertyKind.HOUSE: "房产",
    PropertyKind.VEHICLE: "机动车",
    PropertyKind.OTHER: "其他财产",
}
EXPENDITURE_LABELS: dict[ExpenditureKind, str] = {
    ExpenditureKind.MEDICAL: "医疗费用(医保报销后自付)",
    ExpenditureKind.EDUCATION: "教育支出",
    ExpenditureKind.DISABILITY: "残疾康复支出",
    ExpenditureKind.BASIC_LIVING: "基本生活支出",
}
EXCLUDED_REASON_LABELS: dict[ExcludedReason, str] = {
    ExcludedReason.CLERGY: "在宗教场所居住三年以上的宗教教职人员",
    ExcludedReason.PRISON: "在监狱服刑或强制隔离戒毒",
    ExcludedReason.MISSING: "宣告失踪",
    ExcludedReason.OTHER: "省级规定的其他不计入情形",
}
# GB/T 42195-2022 老年人能力评估: level 0 … 4
NEEDS_LEVEL_LABELS: tuple[str, ...] = ("能力完好", "轻度失能", "中度失能", "重度失能", "完全失能")
