"""FastAPI dependencies: internal token, staff bearer token, either; capability checks."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, HTTPException, status
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from workflows.auth import service
from workflows.auth.actor import Caller
from workflows.auth.capabilities import REFUSALS, Capability, can
from workflows.auth.models import StaffUser
from workflows.auth.security import token_fits, username_from_token
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
    if not token_fits(
        settings, credentials.credentials, password_hash=user.password_hash, now=clock.now()
    ):
        raise _UNAUTHENTICATED  # issued before the password was changed or reset
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


def _refused(capability: Capability) -> HTTPException:
    return HTTPException(status_code=status.HTTP_403_FORBIDDEN, detail=REFUSALS[capability])


def caller_with(capability: Capability) -> Callable[..., Caller]:
    """A dependency: the internal caller or a staff member, refused (403) without the capability."""

    def dependency(caller: AnyCaller) -> Caller:
        if not can(caller, capability):
            raise _refused(capability)
        return caller

    return dependency


def staff_with(capability: Capability) -> Callable[..., Caller]:
    """A dependency: a logged-in staff member, refused (403) without the capability."""

    def dependency(staff: CurrentStaff) -> Caller:
        caller = Caller(staff=staff)
        if not can(caller, capability):
            raise _refused(capability)
        return caller

    return dependency


CaseReader = Annotated[Caller, Depends(caller_with(Capability.CASE_DATA))]
CaseStaff = Annotated[Caller, Depends(staff_with(Capability.CASE_DATA))]
HandoffStaff = Annotated[Caller, Depends(staff_with(Capability.HANDLE_HANDOFFS))]
VisitStaff = Annotated[Caller, Depends(staff_with(Capability.VISITS))]
TimebankCaller = Annotated[Caller, Depends(caller_with(Capability.TIMEBANK))]
