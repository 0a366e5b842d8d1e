"""Counter intake (/staff/intake): a staff member runs the resident dialogue as
``counter:<username>:<uuid>``, sees the form fill in from the Rasa tracker, corrects fields
(slot events), and prints a one-page summary for the resident to sign."""

from __future__ import annotations

import logging
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Header, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from workflows.auth.enums import Role
from workflows.auth.models import StaffUser
from workflows.cases.views import EnvDep
from workflows.deps import SettingsDep
from workflows.staff_pages import intake_form, rasa_proxy
from workflows.staff_pages.rendering import error_page, render
from workflows.staff_pages.session import (
    CSRF_HEADER,
    ROLE_REFUSED,
    PageStaff,
    check_csrf,
    has_role,
    require_roles,
)

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)
INTAKE_ROLES = (Role.COUNTER, Role.REVIEWER, Role.SUPERVISOR)
SessionId = Annotated[str, Query(alias="s", min_length=32, max_length=36)]


def _sender(staff: StaffUser, session_id: str) -> str:
    try:
        value = uuid.UUID(session_id)
    except ValueError:
        raise HTTPException(status_code=422, detail="接待编号无效,请重新开始接待") from None
    return f"counter:{staff.username}:{value}"


class IntakeMessageIn(BaseModel):
    session: str = Field(min_length=32, max_length=36)
    text: str | None = Field(default=None, max_length=4000)
    start: str | None = Field(default=None, max_length=64)
    payload: str | None = Field(default=None, max_length=2000)
    signature: str | None = Field(default=None, max_length=64)


class CorrectionIn(BaseModel):
    session: str = Field(min_length=32, max_length=36)
    slot: str = Field(max_length=40)
    value: str = Field(max_length=1000)


@router.get("/staff/intake", response_model=None)
def intake_page(request: Request, staff: PageStaff, s: str | None = None) -> Response:
    if not has_role(staff, *INTAKE_ROLES):
        return error_page(request, 403, ROLE_REFUSED)
    if s is None:
        return RedirectResponse(f"/staff/intake?s={uuid.uuid4()}", status_code=303)
    sender = _sender(staff, s)
    return render(
        request,
        "intake.html",
        {"staff": staff, "session_id": s, "sender": sender, "rows": intake_form.form_rows({})},
    )


@router.post("/staff/intake/api/message")
async def intake_message(
    body: IntakeMessageIn,
    request: Request,
    staff: PageStaff,
    settings: SettingsDep,
    csrf: Annotated[str | None, Header(alias=CSRF_HEADER)] = None,
) -> dict[str, Any]:
    require_roles(staff, *INTAKE_ROLES)
    check_csrf(request, settings, csrf)
    sender = _sender(staff, body.session)
    message = rasa_proxy.choose_message(
        settings,
        sender,
        text=body.text,
        start=body.start,
        payload=body.payload,
        signature=body.signature,
        trusted=True,
    )
    return {"replies": await rasa_proxy.send(settings, sender, message)}


async def _slots(settings: Any, sender: str) -> dict[str, Any]:
    tracker = await rasa_proxy.tracker(settings, sender)
    slots = tracker.get("slots")
    return slots if isinstance(slots, dict) else {}


@router.get("/staff/intake/api/form")
async def intake_form_state(
    staff: PageStaff, settings: SettingsDep, s: SessionId
) -> dict[str, Any]:
    require_roles(staff, *INTAKE_ROLES)
    slots = await _slots(settings, _sender(staff, s))
    return {"fields": intake_form.form_rows(slots)}


@router.post("/staff/intake/api/form")
async def intake_correct(
    body: CorrectionIn,
    request: Request,
    staff: PageStaff,
    settings: SettingsDep,
    csrf: Annotated[str | None, Header(alias=CSRF_HEADER)] = None,
) -> dict[str, Any]:
    require_roles(staff, *INTAKE_ROLES)
    check_csrf(request, settings, csrf)
    sender = _sender(staff, body.session)
    try:
        value = intake_form.corrected_value(body.slot, body.value)
    except intake_form.CorrectionError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from None
    await rasa_proxy.set_slot(settings, sender, body.slot, value)
    log.info("intake correction of slot %s by %s", body.slot, staff.username)
    slots = await _slots(settings, sender)
    return {"fields": intake_form.form_rows(slots)}


@router.get("/staff/intake/summary", response_class=HTMLResponse)
async def intake_summary(
    request: Request, staff: PageStaff, settings: SettingsDep, env: EnvDep, s: SessionId
) -> HTMLResponse:
    if not has_role(staff, *INTAKE_ROLES):
        return error_page(request, 403, ROLE_REFUSED)
    slots = await _slots(settings, _sender(staff, s))
    return render(
        request,
        "intake_summary.html",
        {
            "staff": staff,
            "rows": intake_form.form_rows(slots),
            "today": env.today,
            "session_id": s,
        },
    )
