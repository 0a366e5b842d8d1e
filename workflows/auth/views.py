"""POST /api/auth/token: form or JSON username + password → bearer token."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, status
from pydantic import ValidationError

from huimin import townships
from workflows.auth import login_attempts
from workflows.auth.deps import CurrentStaff
from workflows.auth.enums import Role
from workflows.auth.models import StaffUser
from workflows.auth.schemas import StaffOut, TokenIn, TokenOut
from workflows.auth.security import issue_token
from workflows.deps import ClockDep, SessionDep, SettingsDep
from workflows.ratelimit import too_many
from workflows.validation import field_errors

router = APIRouter(tags=["auth"])


def staff_out(user: StaffUser) -> StaffOut:
    township = townships.by_code(user.township_code) if user.township_code else None
    return StaffOut(
        username=user.username,
        display_name=user.display_name,
        role=user.role,
        role_label=Role(user.role).label,
        township_code=user.township_code,
        township_name=township.name if township else townships.DISTRICT_NAME,
    )


async def _credentials(request: Request) -> TokenIn:
    content_type = request.headers.get("content-type", "")
    raw: dict[str, object]
    if content_type.startswith("application/json"):
        try:
            body = await request.json()
        except ValueError:
            raise field_errors([((), "请求内容不是有效的 JSON")]) from None
        raw = body if isinstance(body, dict) else {}
    else:
        form = await request.form()
        raw = {key: value for key, value in form.items() if isinstance(value, str)}
    try:
        return TokenIn.model_validate(raw)
    except ValidationError as exc:
        raise field_errors(
            [((*map(str, e["loc"]),), "请填写用户名和密码") for e in exc.errors()]
        ) from None


@router.post(
    "/api/auth/token",
    response_model=TokenOut,
    responses={401: {"description": "用户名或密码错误"}, 429: {"description": "登录失败次数过多"}},
)
async def token(
    request: Request, session: SessionDep, settings: SettingsDep, clock: ClockDep
) -> TokenOut:
    credentials = await _credentials(request)
    outcome = await login_attempts.attempt(
        request, session, settings, username=credentials.username, password=credentials.password
    )
    if outcome.locked_seconds is not None:
        raise too_many(outcome.locked_seconds, outcome.lockout_message)
    user = outcome.user
    if user is None:
        raise HTTPException(status_code=status.HTTP_401_UNAUTHORIZED, detail="用户名或密码错误")
    access_token, ttl = issue_token(
        settings, username=user.username, password_hash=user.password_hash, now=clock.now()
    )
    return TokenOut(access_token=access_token, expires_in=ttl, user=staff_out(user))


@router.get("/api/auth/me", response_model=StaffOut)
def me(user: CurrentStaff) -> StaffOut:
    return staff_out(user)
