"""The live side of the hand-off console.

- ``GET /staff/handoffs/{id}/events``: server-sent events for the conversation page:
  ``message`` (``{"id", "from", "who", "text", "at"}``, ID numbers masked) for each new message
  and ``status`` (``{"status", "staff_display_name"}``) when it changes. ``Last-Event-ID`` or
  ``?after=`` resumes after a message. The stream opens a short database session per look, never
  one for its whole life; opening the conversation page is the audited read, the stream belongs
  to it.
- ``POST /staff/handoffs/{id}/knowledge``: a cited answer of the knowledge base (audience
  ``staff``) as text for the reply box.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Form, Header, HTTPException, Query, Request
from fastapi.responses import JSONResponse, StreamingResponse
from starlette.concurrency import run_in_threadpool

from huimin.masking import mask_text
from workflows.auth.capabilities import Capability, can
from workflows.auth.models import StaffUser
from workflows.deps import IdPath
from workflows.handoffs import flows, service
from workflows.handoffs.live import FALLBACK_POLL_SECONDS, handoff_key
from workflows.staff_pages.handoffs import SENDER_LABELS
from workflows.staff_pages.session import caller_of, check_csrf, page_staff

router = APIRouter(include_in_schema=False)
HEARTBEAT_SECONDS = 15.0
MAX_QUESTION = 200
NOT_FOUND = HTTPException(status_code=404, detail="人工服务请求不存在或不在您的辖区")


def _staff(request: Request) -> StaffUser:
    """The page's logged-in staff member, from a session closed at once."""
    state = request.app.state
    with state.session_factory() as session:
        staff = page_staff(request, state.settings, session, state.clock)
        if not can(caller_of(staff), Capability.HANDLE_HANDOFFS):
            raise NOT_FOUND
        session.expunge(staff)
        return staff


def _look(request: Request, staff: StaffUser, handoff_id: int, after: int) -> dict[str, Any]:
    state = request.app.state
    with state.session_factory() as session:
        handoff = service.get_visible(session, handoff_id=handoff_id, caller=caller_of(staff))
        if handoff is None:
            return {"gone": True}
        found = flows.messages(session, handoff_id=handoff.id, after=after)
        names = flows.staff_names(session, found)
        return {
            "gone": False,
            "status": {"status": handoff.status, "staff_display_name": handoff.staff_display_name},
            "messages": [
                {
                    "id": m.id,
                    "from": m.sender,
                    "who": names.get(m.staff_username or "", "")
                    if m.sender == "staff"
                    else SENDER_LABELS.get(m.sender, m.sender),
                    "text": mask_text(m.text),
                    "at": m.created_at.isoformat(),
                }
                for m in found
            ],
        }


def _event(name: str, data: dict[str, Any], event_id: int | None = None) -> str:
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


async def _events(
    request: Request, staff: StaffUser, handoff_id: int, after: int
) -> AsyncIterator[str]:
    hub = request.app.state.live_hub
    status: dict[str, Any] | None = None
    beat = time.monotonic()
    yield "retry: 2000\n\n"
    while True:
        look = await run_in_threadpool(_look, request, staff, handoff_id, after)
        if look["gone"]:  # transferred away or no longer visible
            yield _event("gone", {"detail": "该对话已不在您的辖区"})
            return
        for message in look["messages"]:
            after = message["id"]
            yield _event("message", message, after)
        if look["status"] != status:
            status = look["status"]
            yield _event("status", status)
        if time.monotonic() - beat > HEARTBEAT_SECONDS:
            beat = time.monotonic()
            yield ": keep-alive\n\n"
        if await request.is_disconnected():
            return
        await hub.wait(handoff_key(handoff_id), FALLBACK_POLL_SECONDS)
        await asyncio.sleep(0)


@router.get("/staff/handoffs/{handoff_id}/events")
async def handoff_events(
    request: Request,
    handoff_id: IdPath,
    after: Annotated[int, Query(ge=0, le=2_147_483_647)] = 0,
    last_event_id: Annotated[str | None, Header()] = None,
) -> StreamingResponse:
    staff = await run_in_threadpool(_staff, request)
    first = await run_in_threadpool(_look, request, staff, handoff_id, 0)
    if first["gone"]:
        raise NOT_FOUND
    if last_event_id and last_event_id.isdigit():
        after = max(after, int(last_event_id))
    return StreamingResponse(
        _events(request, staff, handoff_id, after),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


def _citations(answer: dict[str, Any]) -> str:
    lines = []
    for citation in answer.get("citations") or []:
        where = " ".join(part for part in (citation.get("title"), citation.get("section")) if part)
        lines.append(f"[{citation.get('n')}] {where}")
    return "\n".join(lines)


@router.post("/staff/handoffs/{handoff_id}/knowledge")
async def knowledge_answer(
    request: Request,
    handoff_id: IdPath,
    question: Annotated[str, Form(max_length=500)] = "",
    x_csrf_token: Annotated[str | None, Header()] = None,
) -> JSONResponse:
    """``{"text"}``: the staff audience's cited answer, to insert into the reply box."""
    check_csrf(request, request.app.state.settings, x_csrf_token)
    staff = await run_in_threadpool(_staff, request)
    first = await run_in_threadpool(_look, request, staff, handoff_id, 2_147_483_647)
    if first["gone"]:
        raise NOT_FOUND
    asked = question.strip()[:MAX_QUESTION]
    if not asked:
        raise HTTPException(status_code=422, detail="请输入要查询的问题")
    try:
        result = await run_in_threadpool(request.app.state.knowledge_service.ask, asked, "staff")
    except Exception:  # the page says so instead of failing
        raise HTTPException(status_code=503, detail="知识库暂时不可用,请稍后再试") from None
    answer = result.api_dict()
    sources = _citations(answer)
    text = str(answer.get("answer") or "")
    return JSONResponse({"text": f"{text}\n出处:\n{sources}" if sources else text})
