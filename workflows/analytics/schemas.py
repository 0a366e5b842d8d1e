"""Answer shapes of ``GET /api/analytics/funnel``."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field


class StepOut(BaseModel):
    step: str
    label: str
    count: int
    conditional: bool = Field(
        default=False, description="只在部分家庭中询问的问题(不参与流失环节的判断)"
    )


class DropOffOut(BaseModel):
    from_step: str
    from_label: str
    to_step: str
    to_label: str
    lost: int
    rate: float


class WeekOut(BaseModel):
    week: str
    week_start: dt.date
    started: int
    application_begun: int
    submitted: int
    handed_off: int


class FunnelOut(BaseModel):
    weeks: int
    first_week_start: dt.date
    channel: str | None
    steps: list[StepOut]
    outcomes: list[StepOut]
    drop_off: DropOffOut | None = Field(description="相邻必问环节之间人数减少最多的一处")
    by_week: list[WeekOut]
    by_channel: dict[str, int]
    scope: str = Field(description="统计范围说明")
