"""What each action of the machine does, declared beside its table (workflows/cases/machine.py).

``EFFECTS`` has one entry per action: the change it makes to the case (a data function that
returns what it adds to the audit record) and the resident's notice (a template from
workflows/cases/notices.py, or ``NO_NOTICE``: the resident is not told). ``on_status_change``
is the one place that reacts to a (previous, current) status pair. workflows/cases/commands.py
looks both up; nothing here commits or writes to the outbox.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Protocol

from sqlalchemy.orm import Session

from workflows.auth.models import StaffUser
from workflows.cases import notices
from workflows.cases.enums import Action, CaseStatus
from workflows.cases.env import CaseEnv, direct_grant_source, policy_of, township_name
from workflows.cases.models import CaseForward, ProgramCase
from workflows.cases.notices import Notice
from workflows.cases.profiles import profile_of
from workflows.cases.schemas import TransitionIn
from workflows.deadlines.clock import paused_days
from workflows.deadlines.policy import FORWARD_WORKING_DAYS, PUBLIC_NOTICE_DAYS
from workflows.reviews import service as reviews
from workflows.visits import roster

AuditData = dict[str, object]


class Change(Protocol):
    """What an action changes on the case; returns the fields it adds to the audit record."""

    def __call__(
        self,
        session: Session,
        *,
        case: ProgramCase,
        body: TransitionIn,
        staff: StaffUser,
        env: CaseEnv,
    ) -> AuditData: ...


@dataclass(frozen=True)
class Effect:
    change: Change
    notice: Notice | None  # None (NO_NOTICE): declared silent, not forgotten


NO_NOTICE: Notice | None = None


# Changes -------------------------------------------------------------------------------------
def no_change(
    session: Session, *, case: ProgramCase, body: TransitionIn, staff: StaffUser, env: CaseEnv
) -> AuditData:
    """The status change is the whole effect."""
    return {}


def _accept(
    session: Session, *, case: ProgramCase, body: TransitionIn, staff: StaffUser, env: CaseEnv
) -> AuditData:
    case.forward_due_date = None  # a forwarded case is taken up: its forward deadline is met
    return {}


def _request_materials(
    session: Session, *, case: ProgramCase, body: TransitionIn, staff: StaffUser, env: CaseEnv
) -> AuditData:
    case.missing_materials = [m.strip() for m in body.missing_materials or [] if m.strip()]
    case.paused_since = env.today
    return {"missing_materials": case.missing_materials}


def _supply_materials(
    session: Session, *, case: ProgramCase, body: TransitionIn, staff: StaffUser, env: CaseEnv
) -> AuditData:
    case.missing_materials = None
    return {}


def _start_public_notice(
    session: Session, *, case: ProgramCase, body: TransitionIn, staff: StaffUser, env: CaseEnv
) -> AuditData:
    case.public_notice_started_on = env.today
    case.public_notice_ends_on = env.today + dt.timedelta(days=PUBLIC_NOTICE_DAYS - 1)
    return {"public_notice_ends_on": case.public_notice_ends_on.isoformat()}


def _record_objection(
    session: Session, *, case: ProgramCase, body: TransitionIn, staff: StaffUser, env: CaseEnv
) -> AuditData:
    case.public_notice_started_on = None
    case.public_notice_ends_on = None
    return {}


def _approve(
    session: Session, *, case: ProgramCase, body: TransitionIn, staff: StaffUser, env: CaseEnv
) -> AuditData:
    """The decision; then the approved household goes on the 探访 roster (低保/低边/特困) and the
    case gets its first 复核 date by rule (workflows/visits/roster.py, workflows/reviews/)."""
    case.decision_reason = body.note
    case.decided_at = env.now
    case.approved_on = env.today
    data: AuditData = {}
    session.flush()
    application = case.application
    target = roster.add_from_case(
        session,
        program=case.program,
        case_id=case.id,
        name=application.applicant_name,
        id_number=application.applicant_id_number,
        township_code=case.handling_township_code,
        phone=application.applicant_phone,
        today=env.today,
        now=env.now,
        actor=f"staff:{staff.username}",
    )
    if target is not None:
        data["visit_target_id"] = target.id
    review = reviews.schedule(
        session,
        case=case,
        decided_on=env.today,
        settings=env.settings,
        calendar=env.calendar,
        now=env.now,
    )
    if review is not None:
        data["review_due_on"] = review.due_on.isoformat()
    return data


def _grant_urgent(
    session: Session, *, case: ProgramCase, body: TransitionIn, staff: StaffUser, env: CaseEnv
) -> AuditData:
    """先行救助: given today; the paperwork (the full 临时救助 procedure) follows by a deadline."""
    urgent = profile_of(case.program).urgent_grant
    assert urgent is not None
    assert body.amount is not None
    case.urgent_granted_on = env.today
    case.urgent_amount = body.amount
    case.urgent_reason = body.reason
    due = env.calendar.add_working_days(env.today, urgent.paperwork_working_days)
    case.paperwork_due_date = due.date
    case.forward_due_date = None
    return {
        "amount": str(body.amount),
        "paperwork_due_date": due.date.isoformat(),
        "paperwork_deadline_sample": urgent.paperwork_sample,
    }


def _grant_direct(
    session: Session, *, case: ProgramCase, body: TransitionIn, staff: StaffUser, env: CaseEnv
) -> AuditData:
    """Granted on the household's certificate: no investigation, no 公示."""
    source = direct_grant_source(session, case, env)
    assert source is not None
    assert body.certificate_ref
    case.certificate_ref = body.certificate_ref
    case.decision_reason = f"凭证直接给予:{body.certificate_ref}(核实来源:{source})"
    case.decided_at = env.now
    case.approved_on = env.today
    return {"certificate_ref": body.certificate_ref, "certificate_source": source}


def _refer(
    session: Session, *, case: ProgramCase, body: TransitionIn, staff: StaffUser, env: CaseEnv
) -> AuditData:
    referral = profile_of(case.program).referral
    assert referral is not None  # the guard checked
    due = env.calendar.add_working_days(env.today, referral.answer_working_days)
    case.referred_to = referral.department
    case.referral_due_date = due.date
    return {"referred_to": referral.department, "referral_due_date": due.date.isoformat()}


def _reject(
    session: Session, *, case: ProgramCase, body: TransitionIn, staff: StaffUser, env: CaseEnv
) -> AuditData:
    case.decision_reason = body.reason
    case.decided_at = env.now
    return {}


def _forward(
    session: Session, *, case: ProgramCase, body: TransitionIn, staff: StaffUser, env: CaseEnv
) -> AuditData:
    to_code, reason = body.to_township_code, body.reason
    assert to_code is not None  # the row's `requires` checked them
    assert reason is not None
    due = env.calendar.add_working_days(env.today, FORWARD_WORKING_DAYS)
    forward = CaseForward(
        case_id=case.id,
        from_township_code=case.handling_township_code,
        to_township_code=to_code,
        reason=reason,
        by_username=staff.username,
        at=env.now,
        due_date=due.date,
    )
    session.add(forward)
    case.forwards.append(forward)
    case.routing_reason = (
        f"由{township_name(case.handling_township_code)}转交{township_name(to_code)}:{reason}"
    )
    case.handling_township_code = to_code
    case.forward_due_date = due.date
    case.missing_materials = None
    return {
        "from_township_code": forward.from_township_code,
        "to_township_code": to_code,
        "forward_due_date": due.date,
    }


def _extend(
    session: Session, *, case: ProgramCase, body: TransitionIn, staff: StaffUser, env: CaseEnv
) -> AuditData:
    extended = policy_of(case.program, env.settings).extended_working_days
    assert extended is not None  # the machine's guard checked it
    case.extended = True
    case.allowed_working_days = extended
    return {}


# The registry: one entry per action of the machine's table -----------------------------------
A = Action
EFFECTS: Mapping[Action, Effect] = MappingProxyType(
    {
        A.ACCEPT: Effect(_accept, NO_NOTICE),
        A.REQUEST_MATERIALS: Effect(_request_materials, notices.materials_needed),
        A.SUPPLY_MATERIALS: Effect(_supply_materials, NO_NOTICE),
        A.START_INVESTIGATION: Effect(no_change, NO_NOTICE),
        A.SUBMIT_OPINION: Effect(no_change, NO_NOTICE),
        A.START_PUBLIC_NOTICE: Effect(_start_public_notice, notices.public_notice_started),
        A.RECORD_OBJECTION: Effect(_record_objection, NO_NOTICE),
        A.APPROVE: Effect(_approve, notices.approved),
        A.REJECT: Effect(_reject, notices.rejected),
        A.CLOSE: Effect(no_change, NO_NOTICE),
        A.FORWARD: Effect(_forward, notices.forwarded),
        A.EXTEND: Effect(_extend, NO_NOTICE),
        A.GRANT_URGENT: Effect(_grant_urgent, notices.urgent_granted),
        A.GRANT_DIRECT: Effect(_grant_direct, notices.approved),
        A.REFER: Effect(_refer, notices.referred),
    }
)


def effect_of(action: Action) -> Effect:
    return EFFECTS[action]


# Status changes ------------------------------------------------------------------------------
def on_status_change(
    case: ProgramCase, *, previous: CaseStatus, current: CaseStatus, env: CaseEnv
) -> None:
    """What a move from ``previous`` to ``current`` means, whichever action made it."""
    if previous is CaseStatus.MATERIALS_NEEDED and current is not previous:
        # the clock paused while the resident gathered materials runs again
        today = env.today
        case.paused_working_days += paused_days(
            env.calendar, since=case.paused_since or today, until=today
        )
        case.paused_since = None
