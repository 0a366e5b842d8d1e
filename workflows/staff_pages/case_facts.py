"""What the case page shows beside the case itself: the applicant's identity, documents, the
economic verification (一键核对) of the household, and the eligibility explanation for the case's
program. The economic verification runs only once the applicant's identity is verified: the
consent to it may otherwise come from a stranger."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from huimin import idcard
from huimin.settings import Settings
from workflows.applications import identity
from workflows.applications.models import Application
from workflows.auth.models import StaffUser
from workflows.cases.schemas import CaseDetailOut
from workflows.documents.models import Document
from workflows.eligibility.engine import prescreen
from workflows.eligibility.from_application import household_from_application
from workflows.eligibility.rules import RulesError, load_rules
from workflows.eligibility.standards import StandardsError, load_standards
from workflows.staff_pages.session import caller_of

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class VerificationRow:
    member: str
    id_masked: str
    source: str
    kind: str
    amount: str
    note: str


@dataclass(frozen=True)
class Verification:
    rows: list[VerificationRow]
    checked_at: Any = None
    error: str | None = None
    blocked: str | None = None  # why it did not run (the applicant's identity is unverified)


@dataclass(frozen=True)
class ApplicantIdentity:
    application_id: int | None
    verified: bool
    label: str  # 申请人身份:已核验(…) / 申请人身份:未核验 —— 受理时请核验身份证原件
    verified_at: Any = None
    may_check: bool = False  # this staff member may record the ID card check


IDENTITY_BLOCKS_VERIFICATION = (
    "申请人身份尚未核验,暂不进行经济状况核对(一键核对):核对授权须由申请人本人作出。"
    "请先查验申请人居民身份证原件并登记核验。"
)


@dataclass(frozen=True)
class Eligibility:
    verdict_label: str | None = None
    verdict: str | None = None
    reasons: Sequence[Any] = ()
    materials: Sequence[str] = ()
    disclaimer: str = ""
    error: str | None = None
    explanation: str = ""  # why, labelled when computed from sample standards


def documents(session: Session, application_id: int) -> Sequence[Document]:
    return session.scalars(
        select(Document).where(Document.application_id == application_id).order_by(Document.id)
    ).all()


def applicant_identity(application: Application | None, staff: StaffUser) -> ApplicantIdentity:
    if application is None:
        return ApplicantIdentity(
            application_id=None, verified=False, label=identity.UNVERIFIED_LABEL
        )
    return ApplicantIdentity(
        application_id=application.id,
        verified=identity.is_verified(application),
        label=identity.label(application),
        verified_at=application.identity_verified_at,
        may_check=identity.may_check(caller_of(staff), application),
    )


def verification(
    settings: Settings, detail: CaseDetailOut, application: Application | None
) -> Verification:
    """The 一键核对 of the household; not run while the applicant's identity is unverified."""
    from workflows.registry.base import RegistryUnavailableError
    from workflows.registry.factory import make_verifier
    from workflows.registry.models import KIND_LABELS

    if application is None or not identity.is_verified(application):
        return Verification(rows=[], blocked=IDENTITY_BLOCKS_VERIFICATION)
    names = {m.id_number: m.name for m in detail.members}
    try:
        report = make_verifier(settings).verify(list(names))
    except RegistryUnavailableError as exc:
        return Verification(rows=[], error=exc.message_zh)
    rows = []
    for item in report.items:
        if item.monthly_amount is not None:
            amount = f"每月 {item.monthly_amount:,.2f} 元"
        elif item.value is not None:
            amount = f"{item.value:,.2f} 元"
        else:
            amount = ""
        rows.append(
            VerificationRow(
                member=names.get(item.id_number, ""),
                id_masked=idcard.mask(item.id_number),
                source=item.source,
                kind=KIND_LABELS.get(item.kind, item.kind),
                amount=amount,
                note=item.note,
            )
        )
    return Verification(rows=rows, checked_at=report.checked_at)


def eligibility(
    settings: Settings, detail: CaseDetailOut, application: Application | None, today: dt.date
) -> Eligibility:
    """The pre-screening verdict of the case's program for the household as it was stored."""
    if application is None:
        return Eligibility(error="找不到该案件的申请")
    try:
        household = household_from_application(application, today=today, programs=[detail.program])
        result = prescreen(
            household, on=today, standards=load_standards(settings), rules=load_rules(settings)
        )
    except ValidationError as exc:  # stored before today's bounds, or edited by hand
        return Eligibility(
            error="申请数据无法用于预审:" + ";".join(str(e.get("msg")) for e in exc.errors()[:3])
        )
    except (StandardsError, RulesError) as exc:
        log.warning("prescreen failed on the case page: %s", type(exc).__name__)
        return Eligibility(error="资格预审暂时无法计算:" + str(exc))
    verdict = next((v for v in result.verdicts if str(v.program) == detail.program), None)
    if verdict is None:
        return Eligibility(error="该项目暂无预审规则")
    return Eligibility(
        verdict=verdict.verdict,
        verdict_label=verdict.verdict_label,
        reasons=verdict.reasons,
        materials=verdict.materials,
        disclaimer=result.disclaimer,
        explanation=verdict.explanation,
    )
