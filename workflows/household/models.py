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

from pydantic import ConfigDict, Field, ValidationInfo, field_validator, model_validator
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
    note: str = Field(
        default="", max_length=MAX_NOTE_LENGTH, description="说明(如“全家收入,未说明是谁的”)"
    )

    _kind = field_validator("kind", mode="before")(_known_kind("收入类型", INCOME_LABELS))


class PropertyIn(HouseholdModel):
    """One item; the only self-occupied home (``only_home``) needs no value (0 when left out),
    and a value given with it is kept: the rules do not count that home ([DB] art. 14)."""

    kind: PropertyKind
    value: Money = Field(description="价值(元);唯一自住房可不填")
    note: str = Field(default="", max_length=MAX_NOTE_LENGTH)
    only_home: bool = Field(default=False, description="家庭唯一的自住房")

    _kind = field_validator("kind", mode="before")(_known_kind("财产类型", PROPERTY_LABELS))

    @model_validator(mode="before")
    @classmethod
    def _only_home_needs_no_value(cls, data: Any) -> Any:
        if (
            isinstance(data, dict)
            and data.get("only_home") is True
            and data.get("value")
            in (
                None,
                "",
            )
        ):
            return {**data, "value": 0}
        return data

    @field_validator("only_home")
    @classmethod
    def _only_a_house(cls, value: bool, info: ValidationInfo) -> bool:
        if value and info.data.get("kind") not in (None, PropertyKind.HOUSE):
            raise PydanticCustomError("value_error", "只有房产可以标为唯一自住房")
        return value


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
    own_income_monthly: Money | None = Field(
        default=None,
        description="本人月收入(元,特困认定用,不含基础养老金、高龄津贴等);未问过为空",
        repr=False,
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
