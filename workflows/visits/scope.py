"""Which roster rows a staff member sees: township staff their township, the supervisor the
district, a grid worker the villages assigned to them (and targets assigned to them by name)."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, false, or_, select, true
from sqlalchemy.orm import Session

from workflows.auth.actor import Caller
from workflows.auth.enums import Role
from workflows.errors import ServiceError
from workflows.visits.models import VisitTarget, WorkerArea


class TargetNotFoundError(ServiceError):
    status_code = 404

    def __init__(self) -> None:
        super().__init__("探访对象不存在")


def areas_of(session: Session, *, username: str) -> list[tuple[str, str]]:
    rows = session.execute(
        select(WorkerArea.township_code, WorkerArea.village).where(WorkerArea.username == username)
    ).all()
    return [(r[0], r[1]) for r in rows]


def visible(session: Session, caller: Caller) -> ColumnElement[bool]:
    """A WHERE clause on VisitTarget for what ``caller`` may see."""
    staff = caller.staff
    if staff is None:
        return true()
    if staff.role == Role.GRID_WORKER.value:
        areas = areas_of(session, username=staff.username)
        clauses = [and_(VisitTarget.township_code == t, VisitTarget.village == v) for t, v in areas]
        clauses.append(VisitTarget.worker_username == staff.username)
        return or_(*clauses) if clauses else false()
    if staff.township_code is None:
        return true()
    return VisitTarget.township_code == staff.township_code


def get_visible(session: Session, caller: Caller, target_id: int) -> VisitTarget:
    """The target, or TargetNotFoundError (404) when it does not exist or lies outside scope."""
    target = session.scalars(
        select(VisitTarget).where(VisitTarget.id == target_id, visible(session, caller))
    ).first()
    if target is None:
        raise TargetNotFoundError()
    return target


def township_scope(caller: Caller) -> str | None:
    """Grid workers and township staff: their township; district staff and internal: None."""
    return caller.township_scope
