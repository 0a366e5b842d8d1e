"""Visit follow-ups on the staff pages: 转临时救助申请 from a visit lead (form on the visit
dashboard), and the township's 待处理提醒 (urgent visit alerts: list, acknowledge, poll)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from workflows.auth.capabilities import Capability, can
from workflows.cases.views import EnvDep
from workflows.deps import ClockDep, IdPath, SessionDep, SettingsDep
from workflows.errors import ServiceError
from workflows.followups import alerts, convert
from workflows.handoffs.live import get_hub
from workflows.staff_pages.access import refusal
from workflows.staff_pages.rendering import error_page, render
from workflows.staff_pages.session import CSRF_REFUSED, PageStaff, caller_of, csrf_ok

router = APIRouter(include_in_schema=False)


@router.post("/staff/leads/{lead_id}/temporary-application", response_model=None)
def to_temporary_application(
    request: Request,
    lead_id: IdPath,
    staff: PageStaff,
    session: SessionDep,
    settings: SettingsDep,
    env: EnvDep,
    consent_verification: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    refused = refusal(request, staff, Capability.CASE_DATA)
    if refused is not None:
        return refused
    if not csrf_ok(request, settings, csrf):
        return error_page(request, 403, CSRF_REFUSED)
    try:
        result = convert.convert_once(
            session,
            lead_id=lead_id,
            caller=caller_of(staff),
            consent_verification=consent_verification == "yes",
            env=env,
        )
    except ServiceError as exc:
        session.rollback()
        if exc.status_code == 404:
            return error_page(request, 404, exc.message)
        problems = [msg for _, msg in getattr(exc, "problems", [])] or [exc.message]
        context = {"staff": staff, "problems": problems, "intake_url": convert.INTAKE_URL}
        return render(request, "followup_refused.html", context, status_code=exc.status_code)
    case_id = result.application.cases[0].id
    return RedirectResponse(f"/staff/cases/{case_id}", status_code=303)


def _alert_rows(found: Any) -> list[dict[str, Any]]:
    return [{"id": a.id, "text": a.text, "shown_at": a.shown_at} for a in found]


@router.get("/staff/alerts", response_class=HTMLResponse)
def alert_list(
    request: Request, staff: PageStaff, session: SessionDep, clock: ClockDep
) -> HTMLResponse:
    refused = refusal(request, staff, Capability.CASE_DATA)
    if refused is not None:
        return refused
    found = alerts.pending_for(session, caller=caller_of(staff), now=clock.now())
    session.commit()
    return render(request, "alerts.html", {"staff": staff, "alerts": _alert_rows(found)})


def _poll_once(session: Any, staff: Any, clock: Any) -> dict[str, Any]:
    found = alerts.pending_for(session, caller=caller_of(staff), now=clock.now())
    session.commit()
    return {"count": len(found), "alerts": [{"id": a.id, "text": a.text} for a in found]}


@router.get("/staff/alerts/api")
async def alert_poll(
    request: Request,
    staff: PageStaff,
    session: SessionDep,
    clock: ClockDep,
    wait: Annotated[int, Query(ge=0, le=alerts.LONG_POLL_MAX_SECONDS)] = 0,
    known: Annotated[str, Query(max_length=2000, pattern=r"^[0-9,]*$")] = "",
) -> dict[str, Any]:
    """The nav badge and banner ask this (delivering what waits for the township). With
    ``wait``, the answer waits up to that many seconds until the open alerts differ from
    ``known`` (comma-separated ids): an urgent visit or an acknowledgement wakes it at once."""
    if not can(caller_of(staff), Capability.CASE_DATA) or staff.township_code is None:
        return {"count": 0, "alerts": []}
    answer = await run_in_threadpool(_poll_once, session, staff, clock)
    seen = {int(part) for part in known.split(",") if part}
    if wait and {a["id"] for a in answer["alerts"]} == seen:
        await get_hub(request).wait(alerts.township_key(staff.township_code), float(wait))
        answer = await run_in_threadpool(_poll_once, session, staff, clock)
    return answer


@router.post("/staff/alerts/{alert_id}/ack", response_model=None)
def acknowledge(
    request: Request,
    alert_id: IdPath,
    staff: PageStaff,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    csrf: Annotated[str, Form()] = "",
    back: Annotated[str, Form()] = "/staff/alerts",
) -> Response:
    refused = refusal(request, staff, Capability.CASE_DATA)
    if refused is not None:
        return refused
    if not csrf_ok(request, settings, csrf):
        return error_page(request, 403, CSRF_REFUSED)
    try:
        alert = alerts.acknowledge(
            session, alert_id=alert_id, caller=caller_of(staff), now=clock.now()
        )
        session.commit()
        get_hub(request).notify(alerts.township_key(alert.township_code))
    except ServiceError as exc:
        session.rollback()
        return error_page(request, exc.status_code, exc.message)
    target = back if back.startswith("/staff/") and "//" not in back else "/staff/alerts"
    return RedirectResponse(target, status_code=303)
