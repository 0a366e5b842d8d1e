"""Staff login and logout (/staff/login, /staff/logout)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from workflows.auth import login_attempts
from workflows.auth.enums import Role
from workflows.deps import ClockDep, SessionDep, SettingsDep
from workflows.staff_pages.rendering import render
from workflows.staff_pages.session import end_session, start_session

router = APIRouter(include_in_schema=False)

HOME_BY_ROLE = {
    Role.REVIEWER: "/staff/cases",
    Role.SUPERVISOR: "/staff/dashboard",
    Role.COUNTER: "/staff/intake",
    Role.ADVISER: "/staff/adviser",
    Role.GRID_WORKER: "/staff/visits",
}


def _safe_next(raw: str | None) -> str | None:
    """Only paths of this site (no //host, no scheme) are followed after login."""
    if raw and raw.startswith("/") and not raw.startswith("//") and "\\" not in raw:
        return raw
    return None


@router.get("/staff/login", response_class=HTMLResponse)
def login_form(request: Request, next: str | None = None) -> HTMLResponse:
    return render(request, "login.html", {"next": _safe_next(next) or "", "error": None})


@router.post("/staff/login", response_model=None)
async def login(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    user = None
    if username and password:
        outcome = await login_attempts.attempt(
            request, session, settings, username=username.strip(), password=password
        )
        if outcome.locked_seconds is not None:
            context = {
                "next": _safe_next(next) or "",
                "error": outcome.lockout_message,
                "username": username,
            }
            page = render(request, "login.html", context, status_code=429)
            page.headers["Retry-After"] = str(outcome.locked_seconds)
            return page
        user = outcome.user
    if user is None:
        context = {
            "next": _safe_next(next) or "",
            "error": "用户名或密码错误",
            "username": username,
        }
        return render(request, "login.html", context, status_code=401)
    target = _safe_next(next) or HOME_BY_ROLE.get(Role(user.role), "/staff/cases")
    response = RedirectResponse(target, status_code=303)
    start_session(response, request, settings, clock, user)
    return response


@router.post("/staff/logout")
def logout() -> RedirectResponse:
    response = RedirectResponse("/staff/login", status_code=303)
    end_session(response)
    return response
