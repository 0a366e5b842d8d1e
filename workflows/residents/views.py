"""A resident's applications by channel identity; status lookup by number + ID number."""

from __future__ import annotations

import math
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request

from workflows.applications import service as applications
from workflows.applications.schemas import ApplicationOut
from workflows.auth.deps import InternalCaller, InternalHeaderDep, internal_token_ok
from workflows.cases.views import EnvDep
from workflows.deps import ClockDep, SessionDep, SettingsDep, kept_on_app
from workflows.ratelimit import SlidingWindowLimiter
from workflows.residents.schemas import StatusLookupIn

router = APIRouter(tags=["residents"])


@router.get("/api/residents/applications", response_model=list[ApplicationOut])
def my_applications(
    _: InternalCaller,
    session: SessionDep,
    env: EnvDep,
    channel: Annotated[str, Query(min_length=1, max_length=20)],
    channel_user_id: Annotated[str, Query(min_length=1, max_length=100)],
) -> list[ApplicationOut]:
    found = applications.for_identity(session, channel=channel, channel_user_id=channel_user_id)
    return [applications.describe(a, env) for a in found]


def _lookup_limiter(request: Request, settings: SettingsDep) -> SlidingWindowLimiter:
    return kept_on_app(
        request,
        "lookup_limiter",
        lambda: SlidingWindowLimiter(
            limit=settings.status_lookup_limit,
            window_seconds=settings.status_lookup_window_seconds,
        ),
    )


def _check_rate(
    request: Request, settings: SettingsDep, clock: ClockDep, token: InternalHeaderDep
) -> None:
    """Anonymous lookups are limited per client address (guessing number + ID pairs); the
    dialogue's action server (internal token) speaks for many residents and is not.

    Behind a reverse proxy run uvicorn with --proxy-headers and --forwarded-allow-ips so the
    client address is the resident's, not the proxy's.
    """
    if internal_token_ok(settings, token):
        return
    address = request.client.host if request.client else "unknown"
    wait = _lookup_limiter(request, settings).hit(address, clock.now().timestamp())
    if wait is not None:
        seconds = max(1, math.ceil(wait))
        raise HTTPException(
            status_code=429,
            detail=f"查询过于频繁,请 {seconds} 秒后再试",
            headers={"Retry-After": str(seconds)},
        )


@router.post(
    "/api/status-lookup", response_model=ApplicationOut, dependencies=[Depends(_check_rate)]
)
def status_lookup(body: StatusLookupIn, session: SessionDep, env: EnvDep) -> ApplicationOut:
    application = applications.by_number_and_id(
        session, number=body.number, id_number=body.id_number
    )
    if application is None:
        raise HTTPException(
            status_code=404, detail="未找到匹配的申请,请核对申请编号和申请人身份证号码"
        )
    return applications.describe(application, env)
