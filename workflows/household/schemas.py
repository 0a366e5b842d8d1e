"""Request and answer shapes of ``POST /api/household/parse`` (docs/API.md)."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, Field, PlainSerializer

from workflows.household.bounds import MAX_MEMBERS, MAX_NAME_LENGTH
from workflows.household.enums import Relation
from workflows.household.models import HouseholdModel

MAX_PARSE_TEXT = 1000
# Yuan to the fen; a JSON number (not a string), as the application body takes it.
Yuan = Annotated[Decimal, PlainSerializer(float, return_type=float, when_used="json")]


class ParseField(StrEnum):
    INCOME = "income"
    PROPERTY = "property"
    MEMBERS = "members"
    EXPENSES = "expenses"
    ILLNESS = "illness"
    WHO = "who"


class KnownMemberIn(HouseholdModel):
    """A member the household already has: incomes are attributed by name or relation."""

    relation: Relation
    name: str | None = Field(default=None, max_length=MAX_NAME_LENGTH)


class ParseIn(HouseholdModel):
    field: ParseField = Field(description="income | property | members | expenses | illness | who")
    text: str = Field(min_length=1, max_length=MAX_PARSE_TEXT, description="居民的原话")
    members: list[KnownMemberIn] = Field(default_factory=list, max_length=MAX_MEMBERS)


class ParsedIncomeOut(BaseModel):
    kind: str
    kind_label: str
    monthly_amount: Yuan
    text: str
    household: bool = Field(default=False, description="全家收入,没有说明是哪位成员的")
    exempt: bool = Field(default=False, description="不计入收入的种类(基础养老金、高龄津贴等)")


class ParsedMemberOut(BaseModel):
    relation: str | None
    name: str | None = None
    id_number: str | None = None
    age: int | None = None
    disability_category: str | None = None
    disability_grade: int | None = None
    serious_illness: bool = False
    in_school: bool = False
    incomes: list[ParsedIncomeOut] = Field(default_factory=list)
    added: bool = Field(default=False, description="不在请求的 members 中(新出现的成员)")
    named: bool = Field(default=False, description="who:回答中说到的成员")


class ParsedPropertyOut(BaseModel):
    kind: str
    value: Yuan
    note: str = ""
    only_home: bool = False


class ParsedExpenditureOut(BaseModel):
    kind: str
    annual_amount: Yuan


class ParseOut(BaseModel):
    field: ParseField
    understood: bool
    nothing: bool = Field(description="居民说“没有”(没有收入/财产/支出)")
    members: list[ParsedMemberOut] = Field(default_factory=list)
    property: list[ParsedPropertyOut] = Field(default_factory=list)
    expenditures: list[ParsedExpenditureOut] = Field(default_factory=list)
    not_understood: list[str] = Field(default_factory=list, description="没能看懂的部分(中文)")
