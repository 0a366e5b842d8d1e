"""What case logic needs from the running service, and the small lookups every case module uses."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from huimin import townships
from huimin.programs import Program
from huimin.settings import Settings
from workflows.cases import machine
from workflows.cases.models import ProgramCase
from workflows.clock import LOCAL_TZ
from workflows.deadlines.calendar import WorkingDays
from workflows.deadlines.clock import due_date
from workflows.deadlines.policy import DeadlinePolicy, county_decides, policy_for


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
    return policy_for(Program(program), dibao_review_delegated=settings.dibao_review_delegated)


def guard_context(case: ProgramCase, env: CaseEnv) -> machine.GuardContext:
    policy = policy_of(case.program, env.settings)
    return machine.GuardContext(
        today=env.today,
        extendable=policy.extended_working_days is not None,
        extended=case.extended,
        public_notice_ends_on=case.public_notice_ends_on,
        county_decides=county_decides(
            Program(case.program), dibao_review_delegated=env.settings.dibao_review_delegated
        ),
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
