"""Schedule the next 复核 of an approved case, remind residents ahead of it, record a reported
change (which puts the review at the top of the township's list), complete a review."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import case as sql_case
from sqlalchemy import select
from sqlalchemy.orm import Session

from huimin.programs import Program
from huimin.settings import Settings
from workflows.applications.models import Application
from workflows.audit import service as audit
from workflows.cases.flows import recipient
from workflows.cases.models import ProgramCase
from workflows.deadlines.calendar import WorkingDays
from workflows.errors import ServiceError
from workflows.outbox import service as outbox
from workflows.reviews import rules
from workflows.reviews.models import ReviewSchedule

SCHEDULED = "scheduled"
CHANGE_REPORTED = "change_reported"


class ReviewNotFoundError(ServiceError):
    status_code = 404

    def __init__(self, message: str = "复核记录不存在") -> None:
        super().__init__(message)


def schedule(
    session: Session,
    *,
    case: ProgramCase,
    decided_on: dt.date,
    settings: Settings,
    calendar: WorkingDays,
    now: dt.datetime,
) -> ReviewSchedule | None:
    """The case-approval effect: the first review date by rule (None: no review configured)."""
    pattern = rules.income_pattern(case.application)
    months = rules.interval_months(case.program, pattern, settings)
    if months is None:
        return None
    due = rules.add_months(decided_on, months)
    row = ReviewSchedule(
        case_id=case.id,
        application_id=case.application_id,
        program=case.program,
        township_code=case.handling_township_code,
        income_pattern=pattern,
        interval_months=months,
        due_on=due,
        remind_on=rules.remind_on(
            due, working_days=settings.review_reminder_working_days, calendar=calendar
        ),
        status=SCHEDULED,
        created_at=now,
    )
    session.add(row)
    return row


def _reminder_text(row: ReviewSchedule, application: Application) -> str:
    return (
        f"您的{Program(row.program).label}(申请编号 {application.number})将于 "
        f"{row.due_on.isoformat()} 前进行定期复核。家庭人口、收入或财产有变化的,"
        "请在对话中回复“报告家庭变化”或到乡镇(街道)窗口说明;没有变化的无需操作。"
    )


def send_reminders(
    session: Session, *, today: dt.date, now: dt.datetime, calendar: WorkingDays
) -> int:
    """Queue the reminders due by ``today`` (run daily; sends nothing on a non-working day, so a
    reminder lands on its working day, or the first working day after a missed run). Once each."""
    if not calendar.is_working_day(today):
        return 0
    rows = session.scalars(
        select(ReviewSchedule)
        .where(
            ReviewSchedule.reminded_at.is_(None),
            ReviewSchedule.remind_on <= today,
            ReviewSchedule.status == SCHEDULED,
        )
        .order_by(ReviewSchedule.id)
        .with_for_update(skip_locked=True)
    ).all()
    for row in rows:
        application = session.get(Application, row.application_id)
        assert application is not None
        channel, user_id = recipient(application)
        outbox.enqueue(
            session,
            channel=channel,
            channel_user_id=user_id,
            text=_reminder_text(row, application),
            now=now,
            application_id=application.id,
            application_number=application.number,
            case_id=row.case_id,
        )
        row.reminded_at = now
        audit.record(
            session,
            actor="system:reviews",
            action="review.reminded",
            entity_type="case",
            entity_id=row.case_id,
            data={"due_on": row.due_on.isoformat()},
            at=now,
        )
    return len(rows)


def of_identity(
    session: Session, *, channel: str, channel_user_id: str
) -> Sequence[ReviewSchedule]:
    return session.scalars(
        select(ReviewSchedule)
        .join(Application, Application.id == ReviewSchedule.application_id)
        .where(Application.channel == channel, Application.channel_user_id == channel_user_id)
        .order_by(ReviewSchedule.due_on, ReviewSchedule.id)
    ).all()


def report_change(
    session: Session, *, channel: str, channel_user_id: str, note: str, now: dt.datetime
) -> list[ReviewSchedule]:
    """The resident reports a change: every review of their approved cases is flagged for the
    township (top of its list), audited. ReviewNotFoundError when they have none."""
    rows = list(of_identity(session, channel=channel, channel_user_id=channel_user_id))
    if not rows:
        raise ReviewNotFoundError("没有找到您已批准的救助项目,无需报告复核变化")
    for row in rows:
        row.status = CHANGE_REPORTED
        row.change_note = note
        row.change_reported_at = now
        audit.record(
            session,
            actor=f"internal:{channel}",
            action="review.change_reported",
            entity_type="case",
            entity_id=row.case_id,
            data={"note_length": len(note)},
            at=now,
        )
    return rows


def due(
    session: Session, *, township_scope: str | None, until: dt.date, limit: int = 200
) -> Sequence[ReviewSchedule]:
    """Reviews due by ``until`` (overdue included) and reported changes, changes first."""
    query = (
        select(ReviewSchedule)
        .where((ReviewSchedule.due_on <= until) | (ReviewSchedule.status == CHANGE_REPORTED))
        .order_by(
            sql_case((ReviewSchedule.status == CHANGE_REPORTED, 0), else_=1),
            ReviewSchedule.due_on,
            ReviewSchedule.id,
        )
        .limit(limit)
    )
    if township_scope is not None:
        query = query.where(ReviewSchedule.township_code == township_scope)
    return session.scalars(query).all()


def complete(
    session: Session,
    *,
    row: ReviewSchedule,
    done_on: dt.date,
    settings: Settings,
    calendar: WorkingDays,
    actor: str,
    now: dt.datetime,
) -> ReviewSchedule:
    """The review is done: the next one follows by the same interval from today."""
    row.due_on = rules.add_months(done_on, row.interval_months)
    row.remind_on = rules.remind_on(
        row.due_on, working_days=settings.review_reminder_working_days, calendar=calendar
    )
    row.reminded_at = None
    row.status = SCHEDULED
    row.change_note = None
    audit.record(
        session,
        actor=actor,
        action="review.completed",
        entity_type="case",
        entity_id=row.case_id,
        data={"next_due_on": row.due_on.isoformat()},
        at=now,
    )
    return row
