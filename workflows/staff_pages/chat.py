"""The resident web chat: /chat (page) and /chat/api/message (proxy to Rasa as web:<cookie>)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from huimin.settings import Settings
from workflows.deps import SettingsDep
from workflows.ratelimit import Limit, client_address, rate_limits, too_many, wait_text
from workflows.staff_pages import handoff_inbox, rasa_proxy
from workflows.staff_pages.rendering import elder_context, render
from workflows.staff_pages.session import cookie_secure

router = APIRouter(include_in_schema=False)
WEB_COOKIE = "huimin_web_id"
ONE_YEAR = 365 * 24 * 3600


class ChatIn(BaseModel):
    text: str | None = Field(default=None, max_length=4000)
    start: str | None = Field(default=None, max_length=64)
    payload: str | None = Field(default=None, max_length=2000)
    signature: str | None = Field(default=None, max_length=64)


def _web_id(request: Request) -> str | None:
    raw = request.cookies.get(WEB_COOKIE, "")
    try:
        return str(uuid.UUID(raw))
    except ValueError:
        return None


@router.get("/chat", response_class=HTMLResponse)
def chat_page(
    request: Request, settings: SettingsDep, start: str | None = None, elder: bool = False
) -> HTMLResponse:
    """``?elder=1``: the 长辈版 (large type, high contrast, big buttons, 读给我听, a phone line)."""
    context = {"start": (start or "")[:64], "elder": elder, **elder_context(settings)}
    response = render(request, "chat.html", context)
    if _web_id(request) is None:
        response.set_cookie(
            WEB_COOKIE,
            str(uuid.uuid4()),
            max_age=ONE_YEAR,
            httponly=True,
            samesite="lax",
            secure=cookie_secure(request, settings),
        )
    return response


def _count_message(request: Request, settings: Settings, web_id: str) -> None:
    """Per browser (cookie) and per address, a minute each; 429 with a Chinese reply."""
    limits = rate_limits(request)
    for namespace, key, limit in (
        ("chat-cookie", web_id, Limit(settings.chat_messages_per_minute, 60)),
        (
            "chat-address",
            client_address(request),
            Limit(settings.chat_messages_per_address_per_minute, 60),
        ),
    ):
        wait = limits.hit(namespace, key, limit)
        if wait is not None:
            raise too_many(wait, f"消息发送太频繁了,请 {wait_text(wait)}后再试。")


@router.post("/chat/api/message")
async def chat_message(body: ChatIn, request: Request, settings: SettingsDep) -> dict[str, Any]:
    web_id = _web_id(request)
    if web_id is None:
        raise HTTPException(status_code=400, detail="会话已失效,请刷新页面后再试")
    sender = f"web:{web_id}"
    _count_message(request, settings, web_id)
    if body.text is not None and body.text.strip():
        # During a hand-off the assistant is paused: the message goes to the staff member.
        taken = await run_in_threadpool(handoff_inbox.take, request, web_id, body.text.strip())
        if taken is not None:
            return {"replies": [], "handoff": taken}
    message = rasa_proxy.choose_message(
        settings,
        sender,
        text=body.text,
        start=body.start,
        payload=body.payload,
        signature=body.signature,
    )
    return {"replies": await rasa_proxy.send(settings, sender, message)}


@router.post("/chat/api/end")
def end_chat(request: Request, settings: SettingsDep) -> JSONResponse:
    """结束会话: forget this browser's conversation id (a shared device, a kiosk). The page
    clears its messages and reloads; the next visit gets a new id, so a new conversation."""
    response = JSONResponse({"ended": True})
    response.delete_cookie(
        WEB_COOKIE, httponly=True, samesite="lax", secure=cookie_secure(request, settings)
    )
    return response


@router.get("/chat/api/updates")
async def chat_updates(
    request: Request,
    after: Annotated[int | None, Query(ge=0, le=2_147_483_647)] = None,
    wait: Annotated[float, Query(ge=0, le=25)] = 0,
) -> dict[str, Any]:
    """Staff and system messages for this browser since ``after`` (a long poll with ``wait``):
    ``{"messages": [{"id", "from": "staff"|"system", "text", "at"}], "cursor"}``."""
    web_id = _web_id(request)
    if web_id is None:
        raise HTTPException(status_code=400, detail="会话已失效,请刷新页面后再试")
    return await handoff_inbox.updates(request, web_id, after, wait)
