"""A resident's applications by channel identity; status lookup by number + ID number."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, Query, Request

from huimin.settings import CONVERSATION_HEADER, Settings
from workflows.applications import service as applications
from workflows.applications.schemas import ApplicationOut
from workflows.auth.deps import InternalCaller, InternalHeaderDep, internal_token_ok
from workflows.cases.views import EnvDep
from workflows.deps import SessionDep, SettingsDep
from workflows.ratelimit import Limit, client_address, rate_limits, too_many, wait_text
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


ConversationHeader = Annotated[
    str | None,
    Header(
        alias=CONVERSATION_HEADER,
        max_length=200,
        description="对话编号(Rasa sender id),仅与内部服务令牌一起有效",
    ),
]


def _lookup_limits(settings: Settings) -> tuple[Limit, Limit]:
    per_caller = Limit(settings.status_lookup_limit, settings.status_lookup_window_seconds)
    per_number = Limit(
        settings.status_lookup_failures_per_number, settings.status_lookup_number_window_seconds
    )
    return per_caller, per_number


def _caller_key(
    request: Request, settings: Settings, token: str | None, conversation: str | None
) -> tuple[str, str]:
    """Whose lookups are counted: the conversation the action server speaks for, else the
    client address (anonymous callers; the header alone is not trusted)."""
    if conversation and internal_token_ok(settings, token):
        return "lookup-conversation", conversation
    return "lookup-address", client_address(request)


@router.post(
    "/api/status-lookup",
    response_model=ApplicationOut,
    responses={404: {"description": "编号与身份证号不匹配"}, 429: {"description": "查询过于频繁"}},
)
def status_lookup(
    body: StatusLookupIn,
    request: Request,
    session: SessionDep,
    env: EnvDep,
    settings: SettingsDep,
    token: InternalHeaderDep,
    conversation: ConversationHeader = None,
) -> ApplicationOut:
    """Both the application number and the applicant's ID number are required.

    Limited per caller (address, or conversation for the dialogue) and, for failed lookups,
    per application number, so one number cannot be guessed at over many conversations.
    """
    limits = rate_limits(request)
    per_caller, per_number = _lookup_limits(settings)
    wait = limits.hit(*_caller_key(request, settings, token, conversation), per_caller)
    if wait is not None:
        raise too_many(wait, f"查询过于频繁,请 {wait_text(wait)}后再试")
    number = body.number.strip().upper()
    wait = limits.blocked("lookup-number", number, per_number)
    if wait is not None:
        raise too_many(wait, f"这个申请编号查询失败次数过多,请 {wait_text(wait)}后再试")
    application = applications.by_number_and_id(
        session, number=body.number, id_number=body.id_number
    )
    if application is None:
        limits.hit("lookup-number", number, per_number)
        raise HTTPException(
            status_code=404, detail="未找到匹配的申请,请核对申请编号和申请人身份证号码"
        )
    return applications.describe(application, env)
