"""转临时救助申请: a visit lead becomes a 临时救助 (急难型) application in one step.

The application is entered by the staff member on the visited person's behalf from the roster
(name, ID number, township, village, phone), channel ``counter`` like the counter intake, so its
case lands in the township's queue as a normal case and the process profile offers 先行救助.
One application per lead (``lead_conversions.lead_id`` is unique); a repeat answers the first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from huimin import idcard
from huimin.programs import Program
from workflows.applications import service as applications
from workflows.applications.enums import Channel
from workflows.applications.models import Application
from workflows.applications.schemas import ApplicantIn, ApplicationIn
from workflows.audit import service as audit
from workflows.auth.actor import Caller
from workflows.cases.env import CaseEnv
from workflows.errors import ServiceError
from workflows.followups.models import LeadConversion
from workflows.leads.models import Lead
from workflows.visits.models import Visit, VisitTarget

INTAKE_URL = "/staff/intake"
CONVERTED_STATUS = "case"  # leads.status once a case was opened for it
HUKOU_UNKNOWN = "户籍地待核实(由探访线索转入)"


class LeadNotFoundError(ServiceError):
    status_code = 404

    def __init__(self) -> None:
        super().__init__("线索不存在或不在您的辖区")


class NotAVisitLeadError(ServiceError):
    status_code = 409

    def __init__(self) -> None:
        super().__init__("该线索不是探访发现的,没有探访对象的登记信息,请通过窗口接待为其办理申请")

    def content(self) -> dict[str, Any]:
        return {"detail": self.message, "intake_url": INTAKE_URL}


class MissingDataError(ServiceError):
    """The roster lacks what an application needs: say what, and point to the counter intake."""

    status_code = 422

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        labels = "、".join(msg for _, msg in problems)
        super().__init__(f"无法直接转为临时救助申请:{labels}。请通过窗口接待办理({INTAKE_URL})")
        self.problems = problems

    def content(self) -> dict[str, Any]:
        return {
            "detail": [{"loc": ["body", field], "msg": msg} for field, msg in self.problems],
            "message": self.message,
            "intake_url": INTAKE_URL,
        }


class _RacedError(Exception):
    """Another request converted the same lead a moment ago."""


@dataclass(frozen=True)
class Conversion:
    application: Application
    created: bool


def _visible_lead(session: Session, *, lead_id: int, caller: Caller) -> Lead:
    lead = session.get(Lead, lead_id)
    scope = caller.township_scope
    if lead is None or (scope is not None and lead.township_code != scope):
        raise LeadNotFoundError
    return lead


def _existing(session: Session, lead_id: int) -> Application | None:
    conversion = session.scalar(select(LeadConversion).where(LeadConversion.lead_id == lead_id))
    if conversion is None:
        return None
    return applications.get_visible(
        session, application_id=conversion.application_id, caller=Caller(staff=None)
    )


def _problems(target: VisitTarget, consent: bool) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    if not target.name.strip():
        problems.append(("name", "探访对象缺少姓名"))
    if not target.id_number.strip():
        problems.append(("id_number", "探访对象缺少身份证号码"))
    else:
        try:
            idcard.parse(target.id_number, today=None)
        except ValueError:
            problems.append(("id_number", "探访对象的身份证号码无效"))
    if not target.township_code:
        problems.append(("township_code", "探访对象缺少乡镇(街道)"))
    if not target.village.strip():
        problems.append(("village", "探访对象尚未分配村(社区)"))
    if not consent:
        problems.append(
            ("consent_verification", "须取得本人或家属同意核对家庭经济状况后才能代为申请")
        )
    return problems


def _applicant(target: VisitTarget) -> ApplicantIn:
    """The roster's person; a phone the application form would refuse is left out."""
    try:
        return ApplicantIn(name=target.name, id_number=target.id_number, phone=target.phone)
    except ValidationError:
        return ApplicantIn(name=target.name, id_number=target.id_number, phone=None)


def convert(
    session: Session, *, lead_id: int, caller: Caller, consent_verification: bool, env: CaseEnv
) -> Conversion:
    """Open the 临时救助 case for a visit lead, or answer the one opened before."""
    assert caller.staff is not None
    lead = _visible_lead(session, lead_id=lead_id, caller=caller)
    # Take the lead's row lock first (a no-op UPDATE; on SQLite the write lock): concurrent
    # conversions of one lead wait here, and the check below sees the first one's case.
    session.execute(
        update(Lead)
        .where(Lead.id == lead.id)
        .values(status=Lead.status)
        .execution_options(synchronize_session=False)
    )
    existing = _existing(session, lead.id)
    if existing is not None:
        return Conversion(existing, created=False)
    visit = session.scalar(select(Visit).where(Visit.lead_id == lead.id))
    if visit is None:
        raise NotAVisitLeadError
    target = session.get(VisitTarget, visit.target_id)
    assert target is not None
    problems = _problems(target, consent_verification)
    if problems:
        raise MissingDataError(problems)
    body = ApplicationIn.model_validate(
        {
            "channel": Channel.COUNTER,
            "entered_by_staff": caller.staff.username,
            "consent_verification": True,
            "applicant": _applicant(target),
            "hukou_region_text": HUKOU_UNKNOWN,
            "residence_township_code": target.township_code,
            "programs": [Program.TEMPORARY],
            "documents_later": True,
        }
    )
    reason = f"急难型临时救助(探访线索 {lead.number}):{lead.description}"
    with session.begin_nested():
        application, _ = applications.submit(
            session, body=body, caller=caller, idempotency_key=None, env=env
        )
        session.add(
            LeadConversion(
                lead_id=lead.id,
                application_id=application.id,
                reason=reason,
                converted_by=caller.staff.username,
                converted_at=env.now,
            )
        )
        try:
            session.flush()
        except IntegrityError:
            raise _RacedError from None
    session.execute(update(Lead).where(Lead.id == lead.id).values(status=CONVERTED_STATUS))
    audit.record(
        session,
        actor=caller.audit_name,
        action="lead.converted",
        entity_type="lead",
        entity_id=lead.id,
        data={
            "number": lead.number,
            "application_number": application.number,
            "program": Program.TEMPORARY.value,
            "kind": "急难型",
            "visit_id": visit.id,
            "target_id": target.id,
            "applicant_id_number": idcard.mask(target.id_number),
        },
        at=env.now,
    )
    return Conversion(application, created=True)


def convert_once(
    session: Session, *, lead_id: int, caller: Caller, consent_verification: bool, env: CaseEnv
) -> Conversion:
    """``convert`` and commit; a concurrent conversion of the same lead answers that one."""
    try:
        result = convert(
            session,
            lead_id=lead_id,
            caller=caller,
            consent_verification=consent_verification,
            env=env,
        )
        session.commit()
        return result
    except (_RacedError, IntegrityError):
        session.rollback()
    existing = _existing(session, lead_id)
    if existing is None:
        raise LeadNotFoundError
    return Conversion(existing, created=False)


def conversions_for(session: Session, lead_ids: list[int]) -> dict[int, Application]:
    """lead id → its 临时救助 application, for the lists that offer the action."""
    if not lead_ids:
        return {}
    rows = session.execute(
        select(LeadConversion.lead_id, Application)
        .join(Application, Application.id == LeadConversion.application_id)
        .where(LeadConversion.lead_id.in_(lead_ids))
    ).all()
    return {row.lead_id: row.Application for row in rows}
