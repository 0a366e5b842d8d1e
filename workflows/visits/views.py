"""The visit API: record a visit, the monthly rate, the roster (import, remove), worker areas."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, File, Query, UploadFile
from sqlalchemy import select
from sqlalchemy.orm import Session

from huimin import townships
from huimin.settings import Settings
from workflows.audit import service as audit
from workflows.auth.actor import Caller
from workflows.auth.deps import VisitStaff
from workflows.auth.enums import Role
from workflows.clock import LOCAL_TZ
from workflows.deps import ClockDep, IdPath, SessionDep, SettingsDep
from workflows.errors import ServiceError
from workflows.followups import alerts
from workflows.handoffs.live import LiveHub, get_hub
from workflows.validation import field_errors
from workflows.visits import figures, log, rate, roster, scope, service
from workflows.visits.enums import CATEGORY_LABELS, TargetCategory, VisitWay
from workflows.visits.models import VisitTarget, WorkerArea
from workflows.visits.schemas import (
    AreaIn,
    CategoryRateOut,
    ImportOut,
    RateOut,
    RemoveIn,
    TargetOut,
    VisitIn,
    VisitOut,
)

HubDep = Annotated[LiveHub, Depends(get_hub)]
router = APIRouter(tags=["visits"])


class RosterImportError(ServiceError):
    status_code = 422

    def __init__(self, message: str, rows: list[dict[str, object]]) -> None:
        super().__init__(message)
        self.rows = rows

    def content(self) -> dict[str, object]:
        return {"detail": self.message, "rows": self.rows}


class AreaExistsError(ServiceError):
    status_code = 409

    def __init__(self) -> None:
        super().__init__("该网格员已负责这个村(社区)")


class NotTownshipStaffError(ServiceError):
    status_code = 403

    def __init__(self, message: str) -> None:
        super().__init__(message)


def _month_param(raw: str | None, today_month: rate.Month) -> rate.Month:
    if raw is None:
        return today_month
    try:
        return rate.Month.parse(raw)
    except ValueError as exc:
        raise field_errors([(("month",), str(exc))], where="query") from None


def _township_clause(session: Session, caller: Caller, township: str | None):  # type: ignore[no-untyped-def]
    """The caller's scope narrowed to ``township``; another township than the caller's is 404."""
    clause = scope.visible(session, caller)
    if township is None:
        return clause
    if townships.by_code(township) is None:
        raise field_errors([(("township",), f"乡镇(街道)代码不存在:{township}")], where="query")
    own = caller.township_scope
    if own is not None and own != township:
        raise scope.TargetNotFoundError()
    return clause & (VisitTarget.township_code == township)


def rate_answer(
    session: Session,
    *,
    caller: Caller,
    settings: Settings,
    month: rate.Month,
    township: str | None,
    now: dt.datetime,
) -> RateOut:
    clause = _township_clause(session, caller, township)
    found = figures.figures(
        session,
        caller=caller,
        scope=clause,
        township=township or caller.township_scope,
        month=month,
        grace_days=settings.visit_new_target_grace_days,
        today=now.astimezone(LOCAL_TZ).date(),
        now=now,
    )
    session.commit()  # a closed month summarised on first read
    return RateOut(
        month=str(month),
        township=township,
        targets=found.total.targets,
        visited=found.total.visited,
        rate=found.total.rate,
        by_category=[
            CategoryRateOut(
                category=code,
                label=CATEGORY_LABELS[TargetCategory(code)],
                targets=r.targets,
                visited=r.visited,
                rate=r.rate,
            )
            for code, r in found.by_category.items()
        ],
    )


@router.post("/api/visits", response_model=VisitOut, status_code=201)
def record_visit(
    body: VisitIn, caller: VisitStaff, session: SessionDep, clock: ClockDep, hub: HubDep
) -> VisitOut:
    assert caller.staff is not None
    target = scope.get_visible(session, caller, body.target_id)
    now = clock.now()
    visit = log.record(
        session,
        target=target,
        visited_on=body.visited_on,
        way=VisitWay(body.way),
        seen=body.seen,
        findings=body.findings,
        flags=list(body.risk_flags),
        worker=caller.staff.username,
        today=now.astimezone(LOCAL_TZ).date(),
        now=now,
    )
    session.commit()
    lead_number = None
    urgent = False
    if visit.lead_id is not None:
        from workflows.leads.models import Lead

        lead = session.get(Lead, visit.lead_id)
        assert lead is not None
        lead_number, urgent = lead.number, lead.urgent
    if urgent:  # the township's open staff pages show it now (workflows/followups/alerts.py)
        hub.notify(alerts.township_key(target.township_code))
    return VisitOut(
        id=visit.id,
        target_id=target.id,
        visited_on=visit.visited_on,
        way=visit.way,
        lead_id=visit.lead_id,
        lead_number=lead_number,
        urgent=urgent,
    )


@router.get("/api/visits/rate", response_model=RateOut)
def visit_rate(
    caller: VisitStaff,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    month: Annotated[str | None, Query(description="YYYY-MM;默认本月")] = None,
    township: Annotated[str | None, Query(description="12位乡镇(街道)代码")] = None,
) -> RateOut:
    now = clock.now()
    chosen = _month_param(month, rate.Month.of(now.astimezone(LOCAL_TZ).date()))
    return rate_answer(
        session, caller=caller, settings=settings, month=chosen, township=township, now=now
    )


def _target_out(row: service.TargetRow) -> TargetOut:
    t = row.target
    return TargetOut(
        id=t.id,
        name=t.name,
        id_number=row.masked_id,
        township_code=t.township_code,
        village=t.village,
        categories=t.category_codes,
        worker_username=t.worker_username,
        added_on=t.added_on,
        removed_on=t.removed_on,
        visited_this_month=row.visited_this_month,
        last_visit_on=row.last_visit_on,
    )


@router.get("/api/visits/targets", response_model=list[TargetOut])
def list_targets(
    caller: VisitStaff,
    session: SessionDep,
    clock: ClockDep,
    month: Annotated[str | None, Query(description="YYYY-MM;默认本月")] = None,
) -> list[TargetOut]:
    """The worker's list for a month (unvisited first); ID numbers masked."""
    chosen = _month_param(month, rate.Month.of(clock.now().astimezone(LOCAL_TZ).date()))
    rows = service.worker_list(session, scope=scope.visible(session, caller), month=chosen)
    return [_target_out(r) for r in rows]


def _require_township_staff(caller: Caller) -> None:
    if caller.role not in (Role.REVIEWER, Role.COUNTER, Role.SUPERVISOR):
        raise NotTownshipStaffError("只有乡镇(街道)工作人员或区级督导可以维护探访名单")


@router.post("/api/visits/targets/import", response_model=ImportOut)
async def import_targets(
    caller: VisitStaff,
    session: SessionDep,
    clock: ClockDep,
    file: Annotated[
        UploadFile, File(description="CSV:姓名,身份证号码,乡镇街道,村社区,类别,负责人,地址,电话")
    ],
) -> ImportOut:
    _require_township_staff(caller)
    content = await file.read(5_000_001)
    if len(content) > 5_000_000:
        raise RosterImportError("文件超过5MB,请分批导入", [])
    rows, problem = roster.read_csv(content)
    if problem:
        raise RosterImportError(problem, [])
    if not rows:
        raise RosterImportError("文件中没有数据行", [])
    now = clock.now()
    result = roster.import_rows(
        session,
        rows=rows,
        today=now.astimezone(LOCAL_TZ).date(),
        now=now,
        actor=caller.audit_name,
        allowed_township=caller.township_scope,
    )
    if result.errors:
        session.rollback()
        raise RosterImportError(
            f"有{len(result.errors)}行不能导入,全部未保存,请改正后重新上传", result.errors
        )
    session.commit()
    return ImportOut(created=result.created, updated=result.updated)


@router.post("/api/visits/targets/{target_id}/remove", response_model=TargetOut)
def remove_target(
    target_id: IdPath, body: RemoveIn, caller: VisitStaff, session: SessionDep, clock: ClockDep
) -> TargetOut:
    _require_township_staff(caller)
    target = scope.get_visible(session, caller, target_id)
    now = clock.now()
    roster.remove(
        session,
        target=target,
        today=now.astimezone(LOCAL_TZ).date(),
        now=now,
        actor=caller.audit_name,
        reason=body.reason,
    )
    session.commit()
    return _target_out(service.TargetRow(target, False, None))


@router.post("/api/visits/areas", status_code=201)
def assign_area(
    body: AreaIn, caller: VisitStaff, session: SessionDep, clock: ClockDep
) -> dict[str, object]:
    """Give a grid worker a village/community (township staff of that township, or district)."""
    _require_township_staff(caller)
    own = caller.township_scope
    if own is not None and own != body.township_code:
        raise scope.TargetNotFoundError()
    from workflows.auth import service as auth_service

    user = auth_service.get_by_username(session, username=body.username)
    if user is None or user.role != Role.GRID_WORKER.value:
        raise field_errors([(("username",), "该账号不存在或不是村社/网格员")])
    exists = session.scalar(
        select(WorkerArea.id).where(
            WorkerArea.username == body.username,
            WorkerArea.township_code == body.township_code,
            WorkerArea.village == body.village,
        )
    )
    if exists is not None:
        raise AreaExistsError()
    area = WorkerArea(
        username=body.username, township_code=body.township_code, village=body.village
    )
    session.add(area)
    session.flush()
    audit.record(
        session,
        actor=caller.audit_name,
        action="visit_area.assigned",
        entity_type="visit_area",
        entity_id=area.id,
        data={
            "username": body.username,
            "township_code": body.township_code,
            "village": body.village,
        },
        at=clock.now(),
    )
    session.commit()
    return {"id": area.id, "username": area.username, "village": area.village}
