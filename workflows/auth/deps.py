"""FastAPI dependencies: internal token, staff bearer token, either."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, HTTPException, status
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from workflows.auth import service
from workflows.auth.actor import Caller
from workflows.auth.models import StaffUser
from workflows.auth.security import username_from_token
from workflows.deps import ClockDep, SessionDep, SettingsDep

_bearer = HTTPBearer(auto_error=False, description="工作人员令牌(POST /api/auth/token)")
_internal = APIKeyHeader(name="X-Internal-Token", auto_error=False, description="内部服务令牌")

BearerDep = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
InternalHeaderDep = Annotated[str | None, Depends(_internal)]

_UNAUTHENTICATED = HTTPException(
    status_code=status.HTTP_401_UNAUTHORIZED,
    detail="请先登录(令牌缺失、无效或已过期)",
    headers={"WWW-Authenticate": "Bearer"},
)


def internal_token_ok(settings: SettingsDep, token: str | None) -> bool:
    """The request carries the internal token (the action server, the bridge)."""
    return _internal_ok(settings, token)


def _internal_ok(settings: SettingsDep, token: str | None) -> bool:
    expected = settings.internal_token.get_secret_value()
    return token is not None and hmac.compare_digest(token.encode(), expected.encode())


def _staff_from_bearer(
    credentials: HTTPAuthorizationCredentials | None,
    settings: SettingsDep,
    session: SessionDep,
    clock: ClockDep,
) -> StaffUser | None:
    if credentials is None:
        return None
    username = username_from_token(settings, credentials.credentials, now=clock.now())
    if username is None:
        raise _UNAUTHENTICATED
    user = service.get_by_username(session, username=username)
    if user is None or not user.active:
        raise _UNAUTHENTICATED
    return user


def current_staff(
    credentials: BearerDep, settings: SettingsDep, session: SessionDep, clock: ClockDep
) -> StaffUser:
    user = _staff_from_bearer(credentials, settings, session, clock)
    if user is None:
        raise _UNAUTHENTICATED
    return user


def internal_caller(settings: SettingsDep, token: InternalHeaderDep) -> Caller:
    if not _internal_ok(settings, token):
        raise HTTPException(status_code=status.HTTP_401_UNAUTHORIZED, detail="需要内部服务令牌")
    return Caller(staff=None)


def internal_or_staff(
    settings: SettingsDep,
    token: InternalHeaderDep,
    credentials: BearerDep,
    session: SessionDep,
    clock: ClockDep,
) -> Caller:
    if _internal_ok(settings, token):
        return Caller(staff=None)
    user = _staff_from_bearer(credentials, settings, session, clock)
    if user is None:
        raise _UNAUTHENTICATED
    return Caller(staff=user)


CurrentStaff = Annotated[StaffUser, Depends(current_staff)]
InternalCaller = Annotated[Caller, Depends(internal_caller)]
AnyCaller = Annotated[Caller, Depends(internal_or_staff)]
