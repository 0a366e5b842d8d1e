"""Request and answer shapes of /api/applications (docs/API.md).

The household part of the body (members, incomes, property, expenditures, townships) is the one
household vocabulary of :mod:`workflows.household.models`, shared with the pre-screening.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field, field_validator

from huimin.programs import Program
from workflows.applications.enums import Channel
from workflows.cases.schemas import CaseSummaryOut
from workflows.fields import PhoneNumber
from workflows.household.bounds import MAX_MEMBERS, MAX_NAME_LENGTH
from workflows.household.enums import Relation
from workflows.household.models import HouseholdBase, HouseholdModel, MemberBase
from workflows.household.validators import IdNumber


class ApplicationMemberIn(MemberBase):
    """A member as applied for: name and ID number are required."""

    name: str = Field(min_length=1, max_length=MAX_NAME_LENGTH, repr=False)
    id_number: IdNumber = Field(repr=False)


class ApplicantIn(HouseholdModel):
    name: str = Field(min_length=1, max_length=MAX_NAME_LENGTH)
    id_number: IdNumber
    phone: PhoneNumber = None


class ApplicationIn(HouseholdBase):
    channel: Channel
    channel_user_id: str | None = Field(default=None, max_length=100)
    entered_by_staff: str | None = Field(default=None, max_length=64)
    consent_verification: bool
    consent_at: dt.datetime | None = None
    applicant: ApplicantIn
    hukou_region_text: str | None = Field(default=None, max_length=200)
    programs: list[Program] = Field(min_length=1, max_length=len(Program))
    members: list[ApplicationMemberIn] = Field(default_factory=list, max_length=MAX_MEMBERS)
    documents_later: bool = True

    @field_validator("consent_at")
    @classmethod
    def _aware(cls, value: dt.datetime | None) -> dt.datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("请写明时区,例如 2026-11-28T10:00:00+08:00")
        return value

    @field_validator("programs")
    @classmethod
    def _unique_programs(cls, value: list[Program]) -> list[Program]:
        return list(dict.fromkeys(value))

    def cross_field_problems(self) -> list[tuple[tuple[str | int, ...], str]]:
        """Checks that span fields, each with the location the resident must correct."""
        problems: list[tuple[tuple[str | int, ...], str]] = []
        if not self.consent_verification:
            problems.append(
                (("consent_verification",), "须同意家庭经济状况信息核对授权后才能提交申请")
            )
        online = (Channel.TELEGRAM, Channel.WECHAT, Channel.WEB)
        if self.channel in online and not self.channel_user_id:
            problems.append((("channel_user_id",), "线上申请须提供渠道用户标识"))
        if not self.hukou_township_code and not self.hukou_region_text:
            problems.append(
                (("hukou_township_code",), "请填写户籍所在乡镇(街道);户籍在区外的请填写户籍地")
            )
        seen: dict[str, int] = {}
        for index, member in enumerate(self.members):
            if member.id_number in seen:
                problems.append(
                    (
                        ("members", index, "id_number"),
                        f"与第{seen[member.id_number] + 1}位家庭成员的身份证号码重复",
                    )
                )
            seen.setdefault(member.id_number, index)
            if member.disability_grade is not None and member.disability_category is None:
                problems.append(
                    (("members", index, "disability_category"), "填写残疾等级时须同时填写残疾类别")
                )
        selves = [m for m in self.members if m.relation is Relation.SELF]
        for index, member in enumerate(self.members):
            if member.relation is Relation.SELF and member is not selves[0]:
                problems.append((("members", index, "relation"), "只能有一位家庭成员是“本人”"))
        if self.members and not selves:
            problems.append((("members",), "家庭成员中须有一位关系为“本人”的申请人"))
        if selves and selves[0].id_number != self.applicant.id_number:
            problems.append(
                (("applicant", "id_number"), "申请人身份证号码与家庭成员中“本人”的不一致")
            )
        return problems

    def household(self) -> list[ApplicationMemberIn]:
        """The members; when none were given, the applicant alone."""
        if self.members:
            return self.members
        # the applicant's fields are validated already
        return [
            ApplicationMemberIn.model_construct(
                relation=Relation.SELF,
                name=self.applicant.name,
                id_number=self.applicant.id_number,
            )
        ]


class ApplicantOut(BaseModel):
    name: str
    id_number_masked: str
    id_number: str | None = None  # only for the roles that check it (else null)
    phone_masked: str | None


class ApplicationOut(BaseModel):
    id: int
    number: str
    status: str
    status_label: str
    channel: str
    entered_by_staff: str | None  # the staff member who entered it at the counter
    # Looked up by the API at submission (never taken from the body), or a staff ID card check
    identity_verified_method: str | None  # sms | counter | oidc; null: not verified
    identity_verified_at: dt.datetime | None
    identity_verified_by: str | None  # counter: the staff username who checked the ID card
    identity_label: str  # 申请人身份:已核验(…) / 申请人身份:未核验 —— 受理时请核验身份证原件
    submitted_township_code: str
    submitted_township_name: str
    created_at: dt.datetime
    applicant: ApplicantOut
    programs: list[str]
    cases: list[CaseSummaryOut]
