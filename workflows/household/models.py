"""Base models of a household, extended by the application body and the pre-screening body.

Both features take the same members, incomes, property and expenditures with the same kinds,
``Decimal`` money, bounds and validators, so an application the API accepts can be pre-screened
as it was stored (``workflows.eligibility.from_application.household_from_application``).
Unknown fields are ignored; every message is Chinese
(:class:`workflows.validation.ChineseMessages`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from workflows.household.bounds import (
    MAX_EXPENDITURES,
    MAX_INCOMES_PER_MEMBER,
    MAX_NOTE_LENGTH,
    MAX_PROPERTY_ITEMS,
)
from workflows.household.enums import (
    EXPENDITURE_LABELS,
    INCOME_LABELS,
    PROPERTY_LABELS,
    DisabilityCategory,
    ExpenditureKind,
    IncomeKind,
    PropertyKind,
    Relation,
)
from workflows.household.validators import DisabilityGrade, Money, OptionalTownshipCode
from workflows.validation import ChineseMessages


class HouseholdModel(ChineseMessages):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


def _known_kind(name: str, labels: dict[Any, str]) -> Callable[[Any], Any]:
    """A before-validator: an unknown kind is refused with the choices and their labels."""
    choices = "、".join(f"{kind.value}({label})" for kind, label in labels.items())
    accepted = {kind.value for kind in labels}

    def check(value: Any) -> Any:
        if isinstance(value, str) and value not in accepted:
            raise PydanticCustomError(
                "value_error",
                "未知的{name}“{value}”,可选:{choices}",
                {"name": name, "value": value[:20], "choices": choices},
            )
        return value

    return check


class IncomeIn(HouseholdModel):
    kind: IncomeKind
    monthly_amount: Money = Field(description="月收入(元)")

    _kind = field_validator("kind", mode="before")(_known_kind("收入类型", INCOME_LABELS))


class PropertyIn(HouseholdModel):
    kind: PropertyKind
    value: Money = Field(description="价值(元)")
    note: str = Field(default="", max_length=MAX_NOTE_LENGTH)

    _kind = field_validator("kind", mode="before")(_known_kind("财产类型", PROPERTY_LABELS))


class ExpenditureIn(HouseholdModel):
    kind: ExpenditureKind
    annual_amount: Money = Field(description="近12个月支出(元)")

    _kind = field_validator("kind", mode="before")(_known_kind("支出类型", EXPENDITURE_LABELS))


class MemberBase(HouseholdModel):
    """What both bodies say about a member (name and ID number differ: required to apply)."""

    relation: Relation
    disability_category: DisabilityCategory | None = None
    disability_grade: DisabilityGrade | None = None
    serious_illness: bool = False
    in_school: bool = False
    incomes: list[IncomeIn] = Field(
        default_factory=list, max_length=MAX_INCOMES_PER_MEMBER, repr=False
    )


class HouseholdBase(HouseholdModel):
    """Where the household lives and what it owns and spends (members are in the subclasses)."""

    hukou_township_code: OptionalTownshipCode = None
    residence_township_code: OptionalTownshipCode = None
    has_residence_permit: bool = False
    property: list[PropertyIn] = Field(
        default_factory=list, max_length=MAX_PROPERTY_ITEMS, repr=False
    )
    expenditures: list[ExpenditureIn] = Field(
        default_factory=list, max_length=MAX_EXPENDITURES, repr=False
    )
