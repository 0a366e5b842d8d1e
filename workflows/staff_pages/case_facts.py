"""What the case page shows beside the case itself: documents, the economic verification
(一键核对) of the household, and the eligibility explanation for the case's program."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from huimin import idcard
from huimin.settings import Settings
from workflows.cases.schemas import CaseDetailOut
from workflows.documents.models import Document

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


@dataclass(frozen=True)
class Eligibility:
    verdict_label: str | None = None
    verdict: str | None = None
    reasons: Sequence[Any] = ()
    materials: Sequence[str] = ()
    disclaimer: str = ""
    error: str | None = None


def documents(session: Session, application_id: int) -> Sequence[Document]:
    return session.scalars(
        select(Document).where(Document.application_id == application_id).order_by(Document.id)
    ).all()


def verification(settings: Settings, detail: CaseDetailOut) -> Verification:
    from workflows.registry.base import RegistryUnavailableError
    from workflows.registry.factory import make_verifier
    from workflows.registry.models import KIND_LABELS

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


def household_of(detail: CaseDetailOut, application: Any) -> dict[str, Any]:
    """The eligibility engine's household shape, from the application as stored."""
    return {
        "members": [
            {
                "relation": m.relation,
                "name": m.name,
                "id_number": m.id_number,
                "disability_category": m.disability_category,
                "disability_grade": m.disability_grade,
                "serious_illness": m.serious_illness,
                "in_school": m.in_school,
                "incomes": [
                    {"kind": i["kind"], "monthly_amount": i["monthly_amount"]} for i in m.incomes
                ],
            }
            for m in detail.members
        ],
        "property": [{"kind": p["kind"], "value": p["value"]} for p in detail.property],
        "expenditures": [
            {"kind": e["kind"], "annual_amount": e["annual_amount"]} for e in detail.expenditures
        ],
        "hukou_township_code": application.hukou_township_code,
        "residence_township_code": application.residence_township_code,
        "has_residence_permit": application.has_residence_permit,
        "programs": [detail.program],
    }


def eligibility(
    settings: Settings, detail: CaseDetailOut, application: Any, today: Any
) -> Eligibility:
    try:
        from workflows.eligibility.engine import prescreen
        from workflows.eligibility.rules import load_rules
        from workflows.eligibility.schemas import HouseholdIn
        from workflows.eligibility.standards import load_standards
    except ImportError:  # the engine is optional for the page
        return Eligibility(error="资格预审引擎不可用")
    try:
        household = HouseholdIn.model_validate(household_of(detail, application))
        result = prescreen(
            household, on=today, standards=load_standards(settings), rules=load_rules(settings)
        )
    except ValidationError as exc:
        return Eligibility(
            error="申请数据无法用于预审:" + ";".join(str(e.get("msg")) for e in exc.errors()[:3])
        )
    except Exception as exc:  # the page must still show the case
        log.warning("prescreen failed on the case page: %s", type(exc).__name__)
        return Eligibility(error="资格预审暂时无法计算")
    verdict = next((v for v in result.verdicts if str(v.program) == detail.program), None)
    if verdict is None:
        return Eligibility(error="该项目暂无预审规则")
    return Eligibility(
        verdict=verdict.verdict,
        verdict_label=verdict.verdict_label,
        reasons=verdict.reasons,
        materials=verdict.materials,
        disclaimer=result.disclaimer,
    )
