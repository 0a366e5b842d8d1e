"""Answer shapes for cases, and the transition request."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from huimin import idcard
from workflows.cases.enums import Action
from workflows.household.validators import Money

FULL_ID_NUMBERS = "full_id_numbers"
"""Validation context key: ``{FULL_ID_NUMBERS: True}`` keeps members' ID numbers unmasked."""


class CaseSummaryOut(BaseModel):
    id: int
    program: str
    program_label: str
    status: str
    status_label: str
    submitted_township_code: str
    handling_township_code: str
    handling_township_name: str
    routing_reason: str
    due_date: dt.date
    due_date_provisional: bool
    # the time limit behind the due date is a sample (no regulation found): say so to residents
    due_date_sample: bool = False
    due_date_note: str | None = None
    deadline_state: str
    deadline_label: str
    needs_from_resident: str | None


class ProcessOut(BaseModel):
    """The program's process profile as staff read it (workflows/cases/data/profiles.yaml)."""

    stages: list[str]
    decision: str
    decision_source: str
    deadline: str
    payment: str
    payment_source: str
    urgent_grant: str | None = None
    direct_grant: str | None = None
    referral: str | None = None


class AllowedActionOut(BaseModel):
    action: str
    label: str
    requires: list[str]


class ForwardOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    from_township_code: str
    to_township_code: str
    reason: str
    by: str = Field(validation_alias="by_username")
    at: dt.datetime
    due_date: dt.date


class HistoryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    seq: int
    at: dt.datetime
    actor: str
    action: str
    data: dict[str, Any]


class IncomeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    kind: str
    monthly_amount: float
    exempt: bool
    note: str = ""


class PropertyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    kind: str
    value: float
    note: str
    only_home: bool = False  # 唯一自住房: shown as such, not as a value


class ExpenditureOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    kind: str
    annual_amount: float


class MemberOut(BaseModel):
    """Read from a HouseholdMember; the ID number is masked unless the validation context says
    ``{FULL_ID_NUMBERS: True}``."""

    model_config = ConfigDict(from_attributes=True)

    relation: str
    name: str
    id_number: str  # masked (330111********123X) unless the caller may see it in full
    birth_date: dt.date
    sex: str
    disability_category: str | None
    disability_grade: int | None
    serious_illness: bool
    in_school: bool
    incomes: list[IncomeOut]
    own_income_monthly: float | None = None  # 本人月收入 given for 特困 (None: not asked)

    @field_validator("id_number")
    @classmethod
    def _masked(cls, value: str, info: ValidationInfo) -> str:
        context = info.context if isinstance(info.context, dict) else {}
        return value if context.get(FULL_ID_NUMBERS) is True else idcard.mask(value)


class CaseDetailOut(CaseSummaryOut):
    application_id: int
    application_number: str
    applicant_name: str
    applicant_id_number_masked: str
    applicant_id_number: str | None  # only for the roles that check it (else null)
    id_numbers_masked: bool  # True: every ID number in this answer is masked
    channel: str
    used_working_days: int
    allowed_working_days: int
    deadline_source: str  # the regulation the time limit comes from
    deadline_is_sample: bool  # True: no regulation found, a labelled sample value
    extended: bool
    paused_since: dt.date | None
    missing_materials: list[str] | None
    forward_due_date: dt.date | None
    public_notice_started_on: dt.date | None
    public_notice_ends_on: dt.date | None
    decision_reason: str | None
    process: ProcessOut
    urgent_granted_on: dt.date | None = None
    urgent_amount: float | None = None
    urgent_reason: str | None = None
    paperwork_due_date: dt.date | None = None
    paperwork_overdue: bool = False  # 先行救助 given, the case still open past its paperwork date
    certificate_ref: str | None = None
    direct_grant_source: str | None = None  # where the household's certificate was found
    referred_to: str | None = None
    referral_due_date: dt.date | None = None
    allowed_actions: list[AllowedActionOut]
    forwards: list[ForwardOut]
    members: list[MemberOut]
    property: list[PropertyOut]
    expenditures: list[ExpenditureOut]
    history: list[HistoryOut]


class CaseListItemOut(CaseSummaryOut):
    application_id: int
    application_number: str
    applicant_name: str
    applicant_id_number_masked: str
    created_at: dt.datetime


class CasePageOut(BaseModel):
    items: list[CaseListItemOut]
    total: int
    total_capped: bool = False
    """True: there are more than `total` (the count stops at a cap; show "1000+")."""
    page: int
    page_size: int


class TransitionIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    action: Action
    reason: str | None = Field(default=None, max_length=2000)
    note: str | None = Field(default=None, max_length=2000)
    missing_materials: list[str] | None = Field(default=None, max_length=50)
    to_township_code: str | None = None
    amount: Money | None = None  # grant_urgent: yuan given today (先行救助)
    certificate_ref: str | None = Field(default=None, max_length=100)  # grant_direct: 证号
