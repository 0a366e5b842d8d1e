"""GET /api/reviews/due (case staff, own township); the resident's side for the dialogue
(internal caller): their next reviews and reporting a change; completing a review."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from huimin.programs import Program
from workflows.auth.deps import CaseStaff, InternalCaller
from workflows.cases.views import EnvDep
from workflows.deps import IdPath, SessionDep
from workflows.reviews import rules, service
from workflows.reviews.models import ReviewSchedule
from workflows.validation import ChineseMessages

router = APIRouter(tags=["reviews"])


class ReviewOut(BaseModel):
    id: int
    case_id: int
    program: str
    program_label: str
    township_code: str
    income_pattern: str
    interval_months: int
    interval_sample: bool  # True: a configured sample (示例), not the interval [DB] art. 31 gives
    due_on: dt.date
    remind_on: dt.date
    reminded: bool
    status: str
    overdue: bool
    change_note: str | None


class ChangeIn(ChineseMessages):
    model_config = ConfigDict(str_strip_whitespace=True)

    channel: str = Field(min_length=1, max_length=20)
    channel_user_id: str = Field(min_length=1, max_length=100)
    note: str = Field(min_length=1, max_length=2000)


def _out(row: ReviewSchedule, today: dt.date) -> ReviewOut:
    return ReviewOut(
        id=row.id,
        case_id=row.case_id,
        program=row.program,
        program_label=Program(row.program).label,
        township_code=row.township_code,
        income_pattern=row.income_pattern,
        interval_months=row.interval_months,
        interval_sample=rules.interval_is_sample(
            row.program, row.income_pattern, row.interval_months
        ),
        due_on=row.due_on,
        remind_on=row.remind_on,
        reminded=row.reminded_at is not None,
        status=row.status,
        overdue=row.due_on < today,
        change_note=row.change_note,
    )


@router.get("/api/reviews/due", response_model=list[ReviewOut])
def due_reviews(
    staff: CaseStaff,
    session: SessionDep,
    env: EnvDep,
    within_days: Annotated[int, Query(ge=0, le=366, description="今后多少天内到期")] = 30,
) -> list[ReviewOut]:
    until = env.today + dt.timedelta(days=within_days)
    rows = service.due(session, township_scope=staff.township_scope, until=until)
    return [_out(r, env.today) for r in rows]


@router.get("/api/reviews/mine", response_model=list[ReviewOut])
def my_reviews(
    _: InternalCaller,
    session: SessionDep,
    env: EnvDep,
    channel: Annotated[str, Query(min_length=1, max_length=20)],
    channel_user_id: Annotated[str, Query(min_length=1, max_length=100)],
) -> list[ReviewOut]:
    rows = service.of_identity(session, channel=channel, channel_user_id=channel_user_id)
    return [_out(r, env.today) for r in rows]


@router.post("/api/reviews/report-change", response_model=list[ReviewOut])
def report_change(
    body: ChangeIn, _: InternalCaller, session: SessionDep, env: EnvDep
) -> list[ReviewOut]:
    rows = service.report_change(
        session,
        channel=body.channel,
        channel_user_id=body.channel_user_id,
        note=body.note,
        now=env.now,
    )
    session.commit()
    return [_out(r, env.today) for r in rows]


@router.post("/api/reviews/{review_id}/complete", response_model=ReviewOut)
def complete_review(
    review_id: IdPath, staff: CaseStaff, session: SessionDep, env: EnvDep
) -> ReviewOut:
    row = session.get(ReviewSchedule, review_id)
    scope = staff.township_scope
    if row is None or (scope is not None and scope != row.township_code):
        raise service.ReviewNotFoundError()
    service.complete(
        session,
        row=row,
        done_on=env.today,
        settings=env.settings,
        calendar=env.calendar,
        actor=staff.audit_name,
        now=env.now,
    )
    session.commit()
    return _out(row, env.today)
