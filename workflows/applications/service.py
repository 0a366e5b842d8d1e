"""Submit an application (idempotently), find it, and describe it."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from sqlalchemy import ColumnElement, Select, or_, select
from sqlalchemy.orm import Session, selectinload

from huimin import idcard
from workflows.applications import identity
from workflows.applications.enums import BundleStatus, Channel
from workflows.applications.models import (
    Application,
    Expenditure,
    HouseholdMember,
    IncomeItem,
    PropertyItem,
)
from workflows.applications.schemas import ApplicantOut, ApplicationIn, ApplicationOut
from workflows.audit import service as audit
from workflows.auth import service as auth_service
from workflows.auth.actor import Caller
from workflows.auth.capabilities import sees_full_id_numbers
from workflows.cases import commands as case_commands
from workflows.cases import queries as case_queries
from workflows.cases import responses as case_responses
from workflows.cases.enums import DECIDED, CaseStatus
from workflows.cases.env import CaseEnv, township_name
from workflows.cases.models import ProgramCase
from workflows.numbering.service import next_number
from workflows.routing.service import NotRoutableError, Routing, route
from workflows.validation import field_errors

NUMBER_PREFIX = "FY"

Problems = list[tuple[tuple[str | int, ...], str]]


class IdempotencyConflictError(Exception):
    """The key was used before for a different application body."""


def request_hash(body: ApplicationIn) -> str:
    return hashlib.sha256(body.model_dump_json().encode("utf-8")).hexdigest()


def get_by_key(session: Session, *, key: str) -> Application | None:
    return session.scalar(select(Application).where(Application.idempotency_key == key))


def _entered_by(
    session: Session, body: ApplicationIn, caller: Caller, problems: Problems
) -> str | None:
    if caller.staff is not None:
        return caller.staff.username
    if body.entered_by_staff:
        if auth_service.get_by_username(session, username=body.entered_by_staff) is None:
            problems.append((("entered_by_staff",), f"工作人员账号不存在:{body.entered_by_staff}"))
        return body.entered_by_staff
    if body.channel is Channel.COUNTER:
        problems.append((("entered_by_staff",), "窗口代办须填写经办工作人员账号"))
    return None


def _submitted_township(
    session: Session, body: ApplicationIn, entered_by: str | None, problems: Problems
) -> str:
    if entered_by:
        staff = auth_service.get_by_username(session, username=entered_by)
        if staff is not None and staff.township_code:
            return staff.township_code
    code = body.residence_township_code or body.hukou_township_code
    if code is None:
        problems.append(
            (("residence_township_code",), "户籍在区外的,请填写在本区的经常居住地乡镇(街道)")
        )
        return ""
    return code


def _routes(body: ApplicationIn, problems: Problems) -> list[Routing]:
    routes = []
    for index, program in enumerate(body.programs):
        try:
            routes.append(
                route(
                    program,
                    hukou_township_code=body.hukou_township_code,
                    residence_township_code=body.residence_township_code,
                    has_residence_permit=body.has_residence_permit,
                )
            )
        except NotRoutableError as exc:
            problems.append((("programs", index), str(exc)))
    return routes


def submit(
    session: Session,
    *,
    body: ApplicationIn,
    caller: Caller,
    idempotency_key: str | None,
    env: CaseEnv,
) -> tuple[Application, bool]:
    """Create the application and one case per program; (application, created)."""
    digest = request_hash(body)
    if idempotency_key:
        existing = get_by_key(session, key=idempotency_key)
        if existing is not None:
            if existing.request_hash != digest:
                raise IdempotencyConflictError
            return existing, False
    problems: Problems = list(body.cross_field_problems())
    entered_by = _entered_by(session, body, caller, problems)
    submitted = _submitted_township(session, body, entered_by, problems)
    routes = _routes(body, problems)
    if problems:
        raise field_errors(problems)

    application = Application(
        number=next_number(session, prefix=NUMBER_PREFIX, day=env.today),
        idempotency_key=idempotency_key,
        request_hash=digest,
        channel=body.channel.value,
        channel_user_id=body.channel_user_id,
        entered_by_staff=entered_by,
        consent_verification=body.consent_verification,
        consent_at=body.consent_at or env.now,
        applicant_name=body.applicant.name,
        applicant_id_number=body.applicant.id_number,
        applicant_phone=body.applicant.phone,
        hukou_township_code=body.hukou_township_code,
        hukou_region_text=body.hukou_region_text,
        residence_township_code=body.residence_township_code,
        has_residence_permit=body.has_residence_permit,
        submitted_township_code=submitted,
        documents_later=body.documents_later,
        created_at=env.now,
    )
    for position, member in enumerate(body.household()):
        info = idcard.parse(member.id_number, today=env.today)
        application.members.append(
            HouseholdMember(
                position=position,
                relation=member.relation.value,
                name=member.name,
                id_number=info.number,
                birth_date=info.birth_date,
                sex=info.sex,
                disability_category=(
                    member.disability_category.value if member.disability_category else None
                ),
                disability_grade=member.disability_grade,
                serious_illness=member.serious_illness,
                in_school=member.in_school,
                own_income_monthly=member.own_income_monthly,
                incomes=[
                    IncomeItem(
                        kind=i.kind.value,
                        monthly_amount=i.monthly_amount,
                        exempt=i.kind.exempt,
                        note=i.note,
                    )
                    for i in member.incomes
                ],
            )
        )
    application.property_items = [
        PropertyItem(kind=p.kind.value, value=p.value, note=p.note, only_home=p.only_home)
        for p in body.property
    ]
    application.expenditures = [
        Expenditure(kind=e.kind.value, annual_amount=e.annual_amount) for e in body.expenditures
    ]
    identity.record_at_submission(session, env.settings, application, now=env.now)
    session.add(application)
    opened = [
        case_commands.open_case(
            session, application=application, program=program, routing=routing, env=env
        )
        for program, routing in zip(body.programs, routes, strict=True)
    ]
    session.flush()
    actor = caller.audit_name if caller.staff else f"internal:{body.channel.value}"
    audit.record(
        session,
        actor=actor,
        action="application.submitted",
        entity_type="application",
        entity_id=application.id,
        data={
            "number": application.number,
            "channel": application.channel,
            "entered_by_staff": entered_by,
            "applicant_id_number": idcard.mask(application.applicant_id_number),
            "members": len(application.members),
            "programs": [p.value for p in body.programs],
            "submitted_township_code": submitted,
            "consent_at": application.consent_at.isoformat(),
            "identity_verified_method": application.identity_verified_method,
        },
        at=env.now,
    )
    for case in opened:
        audit.record(
            session,
            actor=actor,
            action="case.opened",
            entity_type="case",
            entity_id=case.id,
            data={
                "application_number": application.number,
                "program": case.program,
                "to": case.status,
                "handling_township_code": case.handling_township_code,
                "routing_reason": case.routing_reason,
                "due_date": case.due_date.isoformat(),
            },
            at=env.now,
        )
    return application, True


def _with_cases(query: Select[Application]) -> Select[Application]:
    return query.options(selectinload(Application.cases).selectinload(ProgramCase.forwards))


def application_visible_to(township_code: str) -> ColumnElement[bool]:
    cases_there = select(ProgramCase.application_id).where(case_queries.visible_to(township_code))
    return or_(
        Application.submitted_township_code == township_code, Application.id.in_(cases_there)
    )


def get_visible(session: Session, *, application_id: int, caller: Caller) -> Application | None:
    query = _with_cases(select(Application).where(Application.id == application_id))
    if caller.township_scope is not None:
        query = query.where(application_visible_to(caller.township_scope))
    return session.scalar(query)


def for_identity(session: Session, *, channel: str, channel_user_id: str) -> Sequence[Application]:
    return session.scalars(
        _with_cases(
            select(Application)
            .where(Application.channel == channel, Application.channel_user_id == channel_user_id)
            .order_by(Application.created_at.desc(), Application.id.desc())
        )
    ).all()


def by_number_and_id(session: Session, *, number: str, id_number: str) -> Application | None:
    return session.scalar(
        _with_cases(
            select(Application).where(
                Application.number == number.strip().upper(),
                Application.applicant_id_number == idcard.normalise(id_number),
            )
        )
    )


def bundle_status(statuses: Sequence[str]) -> BundleStatus:
    values = [CaseStatus(s) for s in statuses]
    if values and all(s in DECIDED for s in values):
        return BundleStatus.COMPLETED
    if CaseStatus.MATERIALS_NEEDED in values:
        return BundleStatus.MATERIALS_NEEDED
    if all(s is CaseStatus.SUBMITTED for s in values):
        return BundleStatus.SUBMITTED
    return BundleStatus.IN_PROGRESS


def full_id_numbers_for(caller: Caller, application: Application) -> bool:
    """The caller sees the applicant's ID number unmasked (workflows/auth/capabilities.py)."""
    places = [application.submitted_township_code]
    places += [c.handling_township_code for c in application.cases]
    return sees_full_id_numbers(caller, places)


def describe(
    application: Application,
    env: CaseEnv,
    *,
    full_id_numbers: bool = False,
    staff_names: bool = False,
) -> ApplicationOut:
    """The application and its cases; the applicant's ID number masked unless full_id_numbers.

    Staff usernames (who entered it, who checked the ID card) only with ``staff_names`` (the
    /api/applications endpoints); the residents' answers leave them out."""
    status = bundle_status([c.status for c in application.cases])
    phone = application.applicant_phone
    return ApplicationOut(
        id=application.id,
        number=application.number,
        status=status.value,
        status_label=status.label,
        channel=application.channel,
        entered_by_staff=application.entered_by_staff if staff_names else None,
        identity_verified_method=application.identity_verified_method,
        identity_verified_at=application.identity_verified_at,
        identity_verified_by=application.identity_verified_by if staff_names else None,
        identity_label=identity.label(application, staff_names=staff_names),
        submitted_township_code=application.submitted_township_code,
        submitted_township_name=township_name(application.submitted_township_code),
        created_at=application.created_at,
        applicant=ApplicantOut(
            name=application.applicant_name,
            id_number_masked=idcard.mask(application.applicant_id_number),
            id_number=application.applicant_id_number if full_id_numbers else None,
            phone_masked=(phone[:3] + "****" + phone[-4:]) if phone else None,
        ),
        programs=[c.program for c in application.cases],
        cases=[case_responses.summary(case, env) for case in application.cases],
    )
