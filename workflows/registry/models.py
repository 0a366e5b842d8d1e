"""What the registry and the verification return (the shapes in docs/API.md)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

Relation = Literal["本人", "配偶", "子女", "父母", "其他"]
DisabilityCategory = Literal["肢体", "视力", "听力", "言语", "智力", "精神", "多重"]
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
VerificationKind = Literal["wage", "pension", "deposit", "vehicle", "other"]

KIND_LABELS: dict[str, str] = {
    "wage": "工资收入",
    "pension": "养老金",
    "deposit": "存款",
    "vehicle": "机动车",
    "other": "其他",
}


class RegistryMember(BaseModel):
    relation: Relation  # relative to the head of household (本人)
    name: str
    id_number: str
    disability_category: DisabilityCategory | None = None
    disability_grade: int | None = Field(default=None, ge=1, le=4)
    # The mobile number on record (for identity verification by SMS only): never returned to
    # the dialogue; /api/identity/status shows it masked.
    mobile: str | None = None

    @field_validator("mobile", mode="before")
    @classmethod
    def _mobile_or_none(cls, value: object) -> object:
        """An 11-digit mainland mobile (spaces, dashes and +86 dropped); anything else: None."""
        if not isinstance(value, str):
            return None
        digits = re.sub(r"[\s-]", "", value).removeprefix("+86")
        return digits if _MOBILE.match(digits) else None


class RegistryHousehold(BaseModel):
    hukou_township_code: str  # 12-digit statistical code (huimin.townships)
    address: str  # 户籍地址
    members: list[RegistryMember]

    def member(self, id_number: str) -> RegistryMember | None:
        """The member with this (canonical) ID number, if any."""
        return next((m for m in self.members if m.id_number == id_number), None)

    def public_dump(self) -> dict[str, Any]:
        """JSON for the dialogue and staff: everything except the members' mobile numbers."""
        return self.model_dump(mode="json", exclude={"members": {"__all__": {"mobile"}}})


class VerificationItem(BaseModel):
    id_number: str
    source: str  # the department the record comes from, e.g. 人力社保(养老金发放)
    kind: VerificationKind
    monthly_amount: float | None = None  # yuan per month (wage, pension)
    value: float | None = None  # yuan (deposit balance, vehicle value)
    note: str = ""


class VerificationReport(BaseModel):
    checked_at: dt.datetime
    items: list[VerificationItem]

    def items_for(self, id_number: str) -> list[VerificationItem]:
        return [item for item in self.items if item.id_number == id_number]


CertificateProgram = Literal["dibao", "tekun", "dibao_edge"]


class Certificate(BaseModel):
    """A 低保/特困/低保边缘 certificate on record (医疗救助 is granted on showing one)."""

    id_number: str
    program: CertificateProgram
    number: str  # the certificate's number (证号)
    issued_by: str = ""  # the issuing authority, e.g. 富阳区民政局
