"""FastAPI dependencies shared by the feature packages."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated, TypeVar

from fastapi import Depends, Path, Request
from sqlalchemy.orm import Session

from huimin.settings import Settings
from workflows.clock import Clock
from workflows.db import session_scope
from workflows.deadlines.calendar import WorkingDays

T = TypeVar("T")


def kept_on_app(request: Request, name: str, make: Callable[[], T]) -> T:
    """``request.app.state.<name>``; made with ``make()`` and kept there on first use."""
    value: T | None = getattr(request.app.state, name, None)
    if value is None:
        value = make()
        setattr(request.app.state, name, value)
    return value


def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_db(request: Request) -> Iterator[Session]:
    yield from session_scope(request.app.state.session_factory)


def get_clock(request: Request) -> Clock:
    clock: Clock = request.app.state.clock
    return clock


def get_calendar(request: Request) -> WorkingDays:
    """The working-day calendar: app.state.calendar if set (tests), else from settings."""
    override: WorkingDays | None = getattr(request.app.state, "calendar", None)
    if override is not None:
        return override
    from workflows.calendar import make_calendar  # cached per holiday-file version

    return make_calendar(request.app.state.settings)


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
SessionDep = Annotated[Session, Depends(get_db)]
ClockDep = Annotated[Clock, Depends(get_clock)]
CalendarDep = Annotated[WorkingDays, Depends(get_calendar)]

# Row ids in paths: bounded so an absurd number is a 422, not a database overflow.
IdPath = Annotated[int, Path(ge=1, le=2_147_483_647, description="记录编号")]
