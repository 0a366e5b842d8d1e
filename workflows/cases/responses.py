"""Answer shapes of a case (workflows/cases/schemas.py) built from the stored rows."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from huimin import idcard
from huimin.programs import Program
from workflows.applications.models import Application, HouseholdMember
from workflows.audit import service as audit
from workflows.auth.actor import Caller
from workflows.auth.capabilities import sees_full_id_numbers
from workflows.auth.enums import Role
from workflows.cases import machine
from workflows.cases.enums import DECIDED, Action, CaseStatus
from workflows.cases.env import (
    CaseEnv,
    direct_grant_source,
    guard_context,
    policy_of,
    township_name,
)
from workflows.cases.models import ProgramCase
from workflows.cases.profiles import SAMPLE_LABEL, load_profiles, profile_of
from workflows.cases.schemas import (
    FULL_ID_NUMBERS,
    AllowedActionOut,
    CaseDetailOut,
    CaseListItemOut,
    CaseSummaryOut,
    ExpenditureOut,
    ForwardOut,
    HistoryOut,
    MemberOut,
    ProcessOut,
    PropertyOut,
)
from workflows.deadlines.clock import ClockReading, read_clock
from workflows.read_audit import is_read


def clock_reading(case: ProgramCase, env: CaseEnv) -> ClockReading:
    return read_clock(
        env.calendar,
        today=env.today,
        started_on=case.started_on,
        due_on=case.due_date,
        allowed_working_days=case.allowed_working_days,
        paused_working_days=case.paused_working_days,
        paused_since=case.paused_since,
        finished=CaseStatus(case.status) in DECIDED,
    )


def allowed_actions(
    session: Session, case: ProgramCase, env: CaseEnv, *, role: Role | None
) -> list[Action]:
    return machine.allowed_actions(
        CaseStatus(case.status), guard_context(session, case, env), role=role
    )


def awaits_district(case: ProgramCase, env: CaseEnv, *, role: Role | None) -> bool:
    """The township's part is done: the decision is the district supervisor's (not this role's)."""
    return (
        role is not Role.SUPERVISOR
        and CaseStatus(case.status) in machine.COUNTY_DECISION_STAGE
        and profile_of(case.program).county_decides(delegated=env.settings.dibao_review_delegated)
    )


def paperwork_overdue(case: ProgramCase, today: dt.date) -> bool:
    """先行救助 given and the case still open after its paperwork date."""
    return (
        case.paperwork_due_date is not None
        and CaseStatus(case.status) not in DECIDED
        and today > case.paperwork_due_date
    )


def process(program: str, env: CaseEnv) -> ProcessOut:
    table = load_profiles()
    profile = profile_of(program)
    delegated = env.settings.dibao_review_delegated
    deadline = profile.deadline(env.settings.case_jurisdiction, delegated=delegated)
    urgent = direct = referral = None
    if profile.urgent_grant is not None:
        u = profile.urgent_grant
        days = f"{u.paperwork_working_days}个工作日内补办手续"
        urgent = f"可先行救助,{days}" + (f"({SAMPLE_LABEL})" if u.paperwork_sample else "")
        urgent += f";依据:{table.citation(u.cite)}"
    if profile.direct_grant is not None:
        labels = "、".join(p.label for p in profile.direct_grant.certified_programs)
        direct = f"{labels}对象凭证直接给予;依据:{table.citation(profile.direct_grant.cite)}"
    if profile.referral is not None:
        r = profile.referral
        sample = f"({SAMPLE_LABEL})" if r.answer_sample else ""
        referral = (
            f"转{r.department}办理,{r.answer_working_days}个工作日内跟踪答复{sample};"
            f"依据:{table.citation(r.cite)}"
        )
    return ProcessOut(
        stages=[stage.label for stage in profile.stages],
        decision="区民政部门审核确认"
        if profile.county_decides(delegated=delegated)
        else "乡镇(街道)审批",
        decision_source=table.citation(profile.decision_cite) or SAMPLE_LABEL,
        deadline=table.deadline_text(deadline),
        payment=profile.payment,
        payment_source=table.citation(profile.payment_cite) or SAMPLE_LABEL,
        urgent_grant=urgent,
        direct_grant=direct,
        referral=referral,
    )


def full_id_numbers_for(caller: Caller, case: ProgramCase) -> bool:
    """The caller sees this case's ID numbers unmasked (workflows/auth/capabilities.py)."""
    return sees_full_id_numbers(caller, (case.handling_township_code, case.submitted_township_code))


def needs_from_resident(case: ProgramCase) -> str | None:
    if case.status == CaseStatus.MATERIALS_NEEDED.value and case.missing_materials:
        return "请补充以下材料:" + "、".join(case.missing_materials)
    return None


def _summary_fields(case: ProgramCase, reading: ClockReading, env: CaseEnv) -> dict[str, object]:
    sample = policy_of(case.program, env.settings).sample
    return {
        "id": case.id,
        "program": case.program,
        "program_label": Program(case.program).label,
        "status": case.status,
        "status_label": CaseStatus(case.status).label,
        "submitted_township_code": case.submitted_township_code,
        "handling_township_code": case.handling_township_code,
        "handling_township_name": township_name(case.handling_township_code),
        "routing_reason": case.routing_reason,
        "due_date": case.due_date,
        "due_date_provisional": case.due_date_provisional,
        "due_date_sample": sample,
        "due_date_note": f"办理时限为{SAMPLE_LABEL}" if sample else None,
        "deadline_state": reading.state.value,
        "deadline_label": reading.label,
        "needs_from_resident": needs_from_resident(case),
    }


def _applicant_fields(application: Application) -> dict[str, object]:
    """The application's identity as lists and case pages show it (ID number masked)."""
    return {
        "application_id": application.id,
        "application_number": application.number,
        "applicant_name": application.applicant_name,
        "applicant_id_number_masked": idcard.mask(application.applicant_id_number),
    }


def summary(case: ProgramCase, env: CaseEnv) -> CaseSummaryOut:
    return CaseSummaryOut.model_validate(_summary_fields(case, clock_reading(case, env), env))


def list_item(case: ProgramCase, env: CaseEnv) -> CaseListItemOut:
    return CaseListItemOut.model_validate(
        {
            **_summary_fields(case, clock_reading(case, env), env),
            **_applicant_fields(case.application),
            "created_at": case.created_at,
        }
    )


def detail(
    session: Session,
    *,
    case: ProgramCase,
    env: CaseEnv,
    role: Role | None,
    full_id_numbers: bool,
) -> CaseDetailOut:
    """The case as a reviewer reads it; ID numbers masked unless ``full_id_numbers``."""
    application = session.scalar(
        select(Application)
        .where(Application.id == case.application_id)
        .options(
            selectinload(Application.members).selectinload(HouseholdMember.incomes),
            selectinload(Application.property_items),
            selectinload(Application.expenditures),
        )
    )
    assert application is not None
    reading = clock_reading(case, env)
    history = [
        h
        for h in audit.history(session, entity_type="case", entity_id=case.id)
        if not is_read(h.action)
    ]
    policy = policy_of(case.program, env.settings)
    id_context = {FULL_ID_NUMBERS: full_id_numbers}
    return CaseDetailOut(
        **_summary_fields(case, reading, env),
        **_applicant_fields(application),
        applicant_id_number=application.applicant_id_number if full_id_numbers else None,
        id_numbers_masked=not full_id_numbers,
        channel=application.channel,
        used_working_days=reading.used_working_days,
        allowed_working_days=case.allowed_working_days,
        deadline_source=policy.source,
        deadline_is_sample=policy.sample,
        extended=case.extended,
        paused_since=case.paused_since,
        missing_materials=case.missing_materials,
        forward_due_date=case.forward_due_date,
        public_notice_started_on=case.public_notice_started_on,
        public_notice_ends_on=case.public_notice_ends_on,
        decision_reason=case.decision_reason,
        process=process(case.program, env),
        urgent_granted_on=case.urgent_granted_on,
        urgent_amount=float(case.urgent_amount) if case.urgent_amount is not None else None,
        urgent_reason=case.urgent_reason,
        paperwork_due_date=case.paperwork_due_date,
        paperwork_overdue=paperwork_overdue(case, env.today),
        certificate_ref=case.certificate_ref,
        direct_grant_source=direct_grant_source(session, case, env),
        referred_to=case.referred_to,
        referral_due_date=case.referral_due_date,
        allowed_actions=[
            AllowedActionOut(
                action=a.value, label=a.label, requires=list(machine.transition_for(a).requires)
            )
            for a in allowed_actions(session, case, env, role=role)
        ],
        forwards=[ForwardOut.model_validate(f) for f in case.forwards],
        members=[MemberOut.model_validate(m, context=id_context) for m in application.members],
        property=[PropertyOut.model_validate(p) for p in application.property_items],
        expenditures=[ExpenditureOut.model_validate(e) for e in application.expenditures],
        history=[HistoryOut.model_validate(h) for h in history],
    )
