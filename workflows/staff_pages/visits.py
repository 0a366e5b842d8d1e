"""/staff/visits: the worker's list for the month (phone width) and the visit form;
/staff/visits/dashboard: the visit rate against 100%, trend, worst villages, overdue, leads."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError

from huimin import townships
from workflows.auth.capabilities import Capability
from workflows.clock import LOCAL_TZ
from workflows.deps import ClockDep, IdPath, SessionDep, SettingsDep
from workflows.errors import ServiceError
from workflows.followups import alerts, convert
from workflows.handoffs.live import get_hub
from workflows.leads.models import Lead
from workflows.staff_pages.access import refusal
from workflows.staff_pages.rendering import error_page, render
from workflows.staff_pages.session import CSRF_REFUSED, PageStaff, caller_of, csrf_ok
from workflows.visits import charts, figures, log, rate, scope, service
from workflows.visits.enums import CATEGORY_LABELS, RISK_LABELS, RiskFlag, TargetCategory, VisitWay
from workflows.visits.models import Visit
from workflows.visits.schemas import VisitIn

router = APIRouter(include_in_schema=False)
WAYS = [(w.value, w.label) for w in VisitWay]
FLAGS = [(f.value, RISK_LABELS[f]) for f in RiskFlag]


def _labels(codes: list[str]) -> str:
    return "、".join(CATEGORY_LABELS[TargetCategory(c)] for c in codes)


def _today(clock: ClockDep) -> dt.date:
    return clock.now().astimezone(LOCAL_TZ).date()


@router.get("/staff/visits", response_class=HTMLResponse)
def visit_list(
    request: Request, staff: PageStaff, session: SessionDep, clock: ClockDep, done: str = ""
) -> HTMLResponse:
    refused = refusal(request, staff, Capability.VISITS)
    if refused is not None:
        return refused
    today = _today(clock)
    month = rate.Month.of(today)
    rows = service.worker_list(session, scope=scope.visible(session, caller_of(staff)), month=month)
    items = [
        {
            "id": r.target.id,
            "name": r.target.name,
            "village": r.target.village or "未分配村社",
            "categories": _labels(r.target.category_codes),
            "visited": r.visited_this_month,
            "last": r.last_visit_on,
        }
        for r in rows
    ]
    pending = sum(1 for i in items if not i["visited"])
    context = {
        "staff": staff,
        "items": items,
        "month": str(month),
        "pending": pending,
        "today": today,
        "done": done,
    }
    return render(request, "visits.html", context)


def _form_page(
    request: Request,
    staff: Any,
    session: SessionDep,
    target_id: int,
    today: dt.date,
    *,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    try:
        target = scope.get_visible(session, caller_of(staff), target_id)
    except ServiceError as exc:
        return error_page(request, exc.status_code, exc.message)
    visits = service.visits_of(session, target_id=target.id, limit=6)
    context = {
        "staff": staff,
        "target": target,
        "categories": _labels(target.category_codes),
        "visits": [
            {
                "day": v.visited_on,
                "way": VisitWay(v.way).label,
                "seen": v.seen,
                "flags": "、".join(RISK_LABELS[RiskFlag(f)] for f in v.risk_flags),
            }
            for v in visits
        ],
        "ways": WAYS,
        "flags": FLAGS,
        "today": today,
        "error": error,
    }
    return render(request, "visit_form.html", context, status_code=status_code)


@router.get("/staff/visits/dashboard", response_class=HTMLResponse)
def visit_dashboard(
    request: Request,
    staff: PageStaff,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    month: str = "",
) -> HTMLResponse:
    refused = refusal(request, staff, Capability.VISITS)
    if refused is not None:
        return refused
    today = _today(clock)
    try:
        chosen = rate.Month.parse(month) if month else rate.Month.of(today)
    except ValueError as exc:
        return error_page(request, 404, str(exc))
    caller = caller_of(staff)
    clause = scope.visible(session, caller)
    grace = settings.visit_new_target_grace_days
    now = clock.now()
    found = figures.figures(
        session,
        caller=caller,
        scope=clause,
        township=staff.township_code,
        month=chosen,
        grace_days=grace,
        today=today,
        now=now,
    )
    total = found.total
    trend = figures.trend(
        session,
        caller=caller,
        scope=clause,
        township=staff.township_code,
        last=chosen,
        months=12,
        grace_days=grace,
        today=today,
        now=now,
        current=total,
    )
    session.commit()  # closed months summarised on first read
    areas = found.by_area
    by_township: list[tuple[str, rate.Rate]] = []
    if staff.township_code is None:
        per: dict[str, list[int]] = {}
        for code, _village, r in areas:
            pair = per.setdefault(code, [0, 0])
            pair[0] += r.targets
            pair[1] += r.visited
        by_township = sorted(
            ((code, rate.Rate(v[0], v[1])) for code, v in per.items()),
            key=lambda item: (item[1].rate, item[0]),
        )
    categories = found.by_category
    overdue = rate.overdue(
        session,
        month=chosen,
        grace_days=grace,
        scope=clause,
        latest=rate.is_latest(chosen, today),
        limit=100,
    )
    leads: list[Lead] = []
    if can_see_leads(staff):
        from sqlalchemy import select

        query = (
            select(Lead)
            .join(Visit, Visit.lead_id == Lead.id)
            .order_by(Lead.urgent.desc(), Lead.id.desc())
            .limit(50)
        )
        if staff.township_code is not None:
            query = query.where(Lead.township_code == staff.township_code)
        leads = list(session.scalars(query))
    context = {
        "staff": staff,
        "month": str(chosen),
        "previous": str(chosen.previous()),
        "next": str(rate.Month(chosen.year + chosen.month // 12, chosen.month % 12 + 1)),
        "total": total,
        "trend_svg": charts.trend([(str(m), r.rate, r.targets) for m, r in trend]),
        "areas_svg": charts.bars(
            [
                (f"{townships.township_name(t)} {v or '未分配'}", r.rate, r.visited, r.targets)
                for t, v, r in areas[:10]
            ]
        ),
        "by_township": [(townships.township_name(t), r) for t, r in by_township],
        "categories": [(CATEGORY_LABELS[TargetCategory(c)], r) for c, r in categories.items()],
        "overdue": [
            {
                "id": t.id,
                "name": t.name,
                "area": f"{townships.township_name(t.township_code)} {t.village or '未分配'}",
                "categories": _labels(t.category_codes),
                "last": last,
            }
            for t, last in overdue
        ],
        "leads": leads,
        # lead id → its 临时救助 case id, for the 转临时救助申请 column (workflows/followups)
        "converted": {
            lead_id: application.cases[0].id
            for lead_id, application in convert.conversions_for(
                session, [lead.id for lead in leads]
            ).items()
        },
        "grace": grace,
    }
    return render(request, "visit_dashboard.html", context)


def can_see_leads(staff: Any) -> bool:
    from workflows.auth.capabilities import can

    return can(caller_of(staff), Capability.CASE_DATA)


@router.get("/staff/visits/{target_id}", response_class=HTMLResponse)
def visit_form(
    request: Request, target_id: IdPath, staff: PageStaff, session: SessionDep, clock: ClockDep
) -> HTMLResponse:
    refused = refusal(request, staff, Capability.VISITS)
    if refused is not None:
        return refused
    return _form_page(request, staff, session, target_id, _today(clock))


@router.post("/staff/visits/{target_id}", response_class=HTMLResponse, response_model=None)
def record_visit(
    request: Request,
    target_id: IdPath,
    staff: PageStaff,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    visited_on: Annotated[str, Form()] = "",
    way: Annotated[str, Form()] = "",
    seen: Annotated[str, Form()] = "",
    findings: Annotated[str, Form()] = "",
    risk_flags: Annotated[list[str] | None, Form()] = None,
    csrf: Annotated[str, Form()] = "",
) -> HTMLResponse | RedirectResponse:
    hub = get_hub(request)
    refused = refusal(request, staff, Capability.VISITS)
    if refused is not None:
        return refused
    if not csrf_ok(request, settings, csrf):
        return error_page(request, 403, CSRF_REFUSED)
    today = _today(clock)
    try:
        body = VisitIn.model_validate(
            {
                "target_id": target_id,
                "visited_on": visited_on,
                "way": way,
                "seen": seen,
                "findings": findings,
                "risk_flags": risk_flags or [],
            }
        )
    except ValidationError as exc:
        message = ";".join(str(e["msg"]) for e in exc.errors())
        return _form_page(request, staff, session, target_id, today, error=message, status_code=422)
    try:
        target = scope.get_visible(session, caller_of(staff), target_id)
        visit = log.record(
            session,
            target=target,
            visited_on=body.visited_on,
            way=VisitWay(body.way),
            seen=body.seen,
            findings=body.findings,
            flags=list(body.risk_flags),
            worker=staff.username,
            today=today,
            now=clock.now(),
        )
        session.commit()
    except ServiceError as exc:
        session.rollback()
        if exc.status_code == 404:
            return error_page(request, 404, exc.message)
        return _form_page(
            request, staff, session, target_id, today, error=exc.message, status_code=422
        )
    done = "saved"
    if visit.lead_id is not None:
        lead = session.get(Lead, visit.lead_id)
        done = lead.number if lead is not None else done
        if lead is not None and lead.urgent:  # wake the township's open pages
            hub.notify(alerts.township_key(lead.township_code))
    return RedirectResponse(f"/staff/visits?done={done}", status_code=303)
