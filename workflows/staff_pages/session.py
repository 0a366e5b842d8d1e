"""Staff sessions for the pages: the bearer token of ``workflows.auth`` kept in the
``huimin_session`` cookie, and a CSRF token bound to it for every form and page API call."""

from __future__ import annotations

import hashlib
import hmac
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, HTTPException, Request
from fastapi.responses import Response

from workflows.auth import service as auth_service
from workflows.auth.actor import Caller
from workflows.auth.enums import Role
from workflows.auth.models import StaffUser
from workflows.auth.security import issue_token, token_fits, username_from_token
from workflows.deps import ClockDep, SessionDep, SettingsDep

COOKIE = "huimin_session"
CSRF_HEADER = "X-CSRF-Token"


def csrf_token(secret: str, session_token: str) -> str:
    return hmac.new(
        secret.encode(), f"csrf\x00{session_token}".encode(), hashlib.sha256
    ).hexdigest()


def cookie_secure(request: Request, settings: SettingsDep) -> bool:
    """Secure cookies when the public address is https, or the request came in over https
    (directly, or via a proxy in forwarded_allow_ips whose X-Forwarded-Proto uvicorn applied)."""
    return settings.public_base_url.startswith("https://") or request.url.scheme == "https"


def start_session(
    response: Response, request: Request, settings: SettingsDep, clock: ClockDep, user: StaffUser
) -> None:
    token, ttl = issue_token(
        settings, username=user.username, password_hash=user.password_hash, now=clock.now()
    )
    response.set_cookie(
        COOKIE,
        token,
        max_age=ttl,
        httponly=True,
        samesite="lax",
        secure=cookie_secure(request, settings),
        path="/",
    )


def end_session(response: Response) -> None:
    response.delete_cookie(COOKIE, path="/")


def page_staff(
    request: Request, settings: SettingsDep, session: SessionDep, clock: ClockDep
) -> StaffUser:
    token = request.cookies.get(COOKIE)
    username = username_from_token(settings, token, now=clock.now()) if token else None
    user = auth_service.get_by_username(session, username=username) if username else None
    if user is None or not user.active or not token:
        raise _login_required(request)
    if not token_fits(settings, token, password_hash=user.password_hash, now=clock.now()):
        raise _login_required(request)  # the password was changed or reset since
    request.state.csrf = csrf_token(settings.secret_key.get_secret_value(), token or "")
    request.state.staff = user
    return user


PageStaff = Annotated[StaffUser, Depends(page_staff)]


CSRF_REFUSED = "页面已过期,请刷新后重试"


def csrf_ok(request: Request, settings: SettingsDep, supplied: str | None) -> bool:
    token = request.cookies.get(COOKIE, "")
    expected = csrf_token(settings.secret_key.get_secret_value(), token)
    return bool(supplied) and hmac.compare_digest(expected, supplied or "")


def check_csrf(request: Request, settings: SettingsDep, supplied: str | None) -> None:
    """For the pages' JSON calls; forms render ``error_page`` instead."""
    if not csrf_ok(request, settings, supplied):
        raise HTTPException(status_code=403, detail=CSRF_REFUSED)


ROLE_REFUSED = "您的角色不能使用此页面"


def has_role(user: StaffUser, *roles: Role) -> bool:
    return Role(user.role) in roles


def require_roles(user: StaffUser, *roles: Role) -> None:
    """For the pages' JSON calls; pages render ``error_page`` instead."""
    if not has_role(user, *roles):
        raise HTTPException(status_code=403, detail=ROLE_REFUSED)


def caller_of(user: StaffUser) -> Caller:
    return Caller(staff=user)


def _login_required(request: Request) -> HTTPException:
    """Page requests are sent to the login page (303); the pages' JSON calls get 401."""
    if "/api/" in request.url.path:
        return HTTPException(status_code=401, detail="请先登录")
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return HTTPException(
        status_code=303, detail="请先登录", headers={"Location": f"/staff/login?next={quote(path)}"}
    )
