"""What case logic needs from the running service, and the small lookups every case module uses."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from huimin import townships
from huimin.settings import Settings
from workflows.cases import machine
from workflows.cases.certificates import certification
from workflows.cases.enums import CaseStatus
from workflows.cases.models import ProgramCase
from workflows.cases.profiles import Profile, load_profiles, profile_of
from workflows.clock import LOCAL_TZ
from workflows.deadlines.calendar import WorkingDays
from workflows.deadlines.clock import due_date
from workflows.deadlines.policy import DeadlinePolicy


@dataclass(frozen=True)
class CaseEnv:
    """What case logic needs from the running service."""

    calendar: WorkingDays
    settings: Settings
    now: dt.datetime

    @property
    def today(self) -> dt.date:
        return self.now.astimezone(LOCAL_TZ).date()


township_name = townships.township_name  # the one helper; re-exported for the case modules


def policy_of(program: str, settings: Settings) -> DeadlinePolicy:
    """The time limit of the program's profile for this district's jurisdiction."""
    table = load_profiles()
    deadline = table.profile(program).deadline(
        settings.case_jurisdiction, delegated=settings.dibao_review_delegated
    )
    return DeadlinePolicy(
        working_days=deadline.working_days,
        extended_working_days=deadline.extended_to,
        source=table.deadline_text(deadline),
        sample=deadline.sample,
    )


def direct_grant_source(session: Session, case: ProgramCase, env: CaseEnv) -> str | None:
    """Where the certificate that grants this case directly was found (None: not certified).

    Asked only where the profile has a direct grant and the case waits for it (已受理)."""
    profile = profile_of(case.program)
    if profile.direct_grant is None or case.status != CaseStatus.ACCEPTED.value:
        return None
    return certification(
        session,
        case=case,
        programs=profile.direct_grant.certified_programs,
        settings=env.settings,
    )


def guard_context(session: Session, case: ProgramCase, env: CaseEnv) -> machine.GuardContext:
    profile: Profile = profile_of(case.program)
    policy = policy_of(case.program, env.settings)
    return machine.GuardContext(
        today=env.today,
        extendable=policy.extended_working_days is not None,
        extended=case.extended,
        public_notice_ends_on=case.public_notice_ends_on,
        county_decides=profile.county_decides(delegated=env.settings.dibao_review_delegated),
        stages=frozenset(profile.stages),
        urgent_grant=profile.urgent_grant is not None,
        urgent_granted=case.urgent_granted_on is not None,
        direct_grant=direct_grant_source(session, case, env) is not None,
        referral=profile.referral is not None,
    )


def set_due(case: ProgramCase, calendar: WorkingDays) -> None:
    """The case's due date from its start, allowed and paused working days."""
    due = due_date(
        calendar,
        started_on=case.started_on,
        working_days=case.allowed_working_days,
        paused_working_days=case.paused_working_days,
    )
    case.due_date = due.date
    case.due_date_provisional = due.provisional
