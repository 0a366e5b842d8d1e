"""Vocabularies of the application body (docs/API.md)."""

from __future__ import annotations

from enum import StrEnum


class Channel(StrEnum):
    TELEGRAM = "telegram"
    WEB = "web"
    COUNTER = "counter"


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
    PENSION_ALLOWANCE_EXEMPT = "pension_allowance_exempt"
    RELIEF = "relief"  # 政府救助金
    FUXU = "fuxu"  # 抚恤金

    @property
    def exempt(self) -> bool:
        """Not counted as family income ([DB] art. 13)."""
        return self in EXEMPT_INCOME_KINDS


EXEMPT_INCOME_KINDS = frozenset(
    {
        IncomeKind.PENSION_BASIC,
        IncomeKind.PENSION_ALLOWANCE_EXEMPT,
        IncomeKind.RELIEF,
        IncomeKind.FUXU,
    }
)


class PropertyKind(StrEnum):
    DEPOSIT = "deposit"
    HOUSE = "house"
    VEHICLE = "vehicle"
    OTHER = "other"


class ExpenditureKind(StrEnum):
    MEDICAL = "medical"
    EDUCATION = "education"
    DISABILITY = "disability"
    BASIC_LIVING = "basic_living"


class BundleStatus(StrEnum):
    """The application's status, derived from its program cases."""

    SUBMITTED = "submitted"
    IN_PROGRESS = "in_progress"
    MATERIALS_NEEDED = "materials_needed"
    COMPLETED = "completed"

    @property
    def label(self) -> str:
        return BUNDLE_LABELS[self]


BUNDLE_LABELS = {
    BundleStatus.SUBMITTED: "已提交,等待受理",
    BundleStatus.IN_PROGRESS: "办理中",
    BundleStatus.MATERIALS_NEEDED: "需要补充材料",
    BundleStatus.COMPLETED: "已办结",
}
