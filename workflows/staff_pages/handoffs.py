"""/staff/handoffs: residents waiting for a person (人工服务), those of the staff member's
township (the district queue: the supervisor). The list shows no conversation text; opening one
(/staff/handoffs/{id}) shows its transcript, masked, and is audited. Releasing resumes the
assistant in that conversation (same service as ``POST /api/handoffs/{id}/release``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse

from huimin.masking import mask_id_text, mask_text
from workflows.auth.capabilities import Capability
from workflows.deps import ClockDep, IdPath, SessionDep, SettingsDep
from workflows.handoffs import service
from workflows.handoffs.conversation import ConversationResumer, get_resumer
from workflows.handoffs.models import Handoff
from workflows.read_audit import record_read
from workflows.staff_pages.access import refusal
from workflows.staff_pages.rendering import error_page, render
from workflows.staff_pages.session import CSRF_REFUSED, PageStaff, caller_of, csrf_ok

router = APIRouter(include_in_schema=False)
NOT_FOUND = "人工服务请求不存在或不在您的辖区"
READ_VIEW = "staff_page.handoff"
CHANNEL_LABELS = {"telegram": "Telegram", "web": "网页", "wechat": "微信", "counter": "窗口"}
REASON_LABELS = {
    "resident_request": "群众要求转人工",
    "repeated_misunderstanding": "连续多次未能理解",
}


def mask_user_id(value: str) -> str:
    """Enough of a channel user id to tell rows apart, not to contact the person."""
    if mask_id_text(value) != value:
        return mask_id_text(value)
    if len(value) <= 4:
        return "*" * len(value)
    keep = 2 if len(value) < 10 else 3
    return value[:keep] + "*" * (len(value) - 2 * keep) + value[-keep:]


def _row(handoff: Handoff) -> dict[str, Any]:
    return {
        "id": handoff.id,
        "channel": CHANNEL_LABELS.get(handoff.channel, handoff.channel),
        "user": mask_user_id(handoff.channel_user_id),
        "reason": REASON_LABELS.get(handoff.reason, mask_text(handoff.reason)),
        "township": service.township_label(handoff.township_code),
        "created_at": handoff.created_at,
        "can_resume": bool(handoff.conversation_id),
        "released": handoff.status == service.RELEASED,
    }


def _transcript(handoff: Handoff) -> list[dict[str, str]]:
    lines = [line for line in handoff.transcript or [] if isinstance(line, dict)]
    return [
        {
            "role": "群众" if line.get("role") in ("resident", "user") else "小助手",
            "text": mask_text(str(line.get("text") or "")),
        }
        for line in lines
    ]


def _page(
    request: Request,
    session: SessionDep,
    staff: Any,
    *,
    done: str | None = None,
    error: str | None = None,
    retry_id: int | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    rows = [_row(h) for h in service.list_open(session, caller=caller_of(staff))]
    context = {"staff": staff, "rows": rows, "done": done, "error": error, "retry_id": retry_id}
    return render(request, "handoffs.html", context, status_code=status_code)


@router.get("/staff/handoffs", response_class=HTMLResponse)
def handoffs_page(request: Request, staff: PageStaff, session: SessionDep) -> HTMLResponse:
    refused = refusal(request, staff, Capability.HANDLE_HANDOFFS)
    if refused is not None:
        return refused
    return _page(request, session, staff)


@router.get("/staff/handoffs/{handoff_id}", response_class=HTMLResponse)
def handoff_page(
    request: Request, handoff_id: IdPath, staff: PageStaff, session: SessionDep, clock: ClockDep
) -> HTMLResponse:
    """One hand-off's conversation (ID numbers masked); the read is audited."""
    refused = refusal(request, staff, Capability.HANDLE_HANDOFFS)
    if refused is not None:
        return refused
    caller = caller_of(staff)
    handoff = service.get_visible(session, handoff_id=handoff_id, caller=caller)
    if handoff is None:
        return error_page(request, 404, NOT_FOUND)
    context = {"staff": staff, "row": _row(handoff), "lines": _transcript(handoff)}
    record_read(
        session,
        caller=caller,
        entity_type="handoff",
        entity_id=handoff.id,
        view=READ_VIEW,
        at=clock.now(),
    )
    session.commit()
    return render(request, "handoff.html", context)


@router.post("/staff/handoffs/{handoff_id}/release", response_class=HTMLResponse)
def release_handoff(
    request: Request,
    handoff_id: IdPath,
    staff: PageStaff,
    settings: SettingsDep,
    session: SessionDep,
    clock: ClockDep,
    resumer: Annotated[ConversationResumer, Depends(get_resumer)],
    csrf: Annotated[str, Form()] = "",
) -> HTMLResponse:
    if not csrf_ok(request, settings, csrf):
        return error_page(request, 403, CSRF_REFUSED)
    refused = refusal(request, staff, Capability.HANDLE_HANDOFFS)
    if refused is not None:
        return refused
    handoff = service.get_visible(session, handoff_id=handoff_id, caller=caller_of(staff))
    if handoff is None:
        return error_page(request, 404, NOT_FOUND)
    result = service.release_and_resume(
        session, handoff=handoff, username=staff.username, now=clock.now(), resumer=resumer
    )
    if result.conversation_resumed:
        return _page(request, session, staff, done=f"第 {handoff_id} 号已释放,机器人已恢复服务。")
    if not handoff.conversation_id:
        why = "该请求没有对话编号,无法自动恢复机器人,请人工联系群众。"
        return _page(request, session, staff, error=f"第 {handoff_id} 号已释放,但{why}")
    why = "对话服务暂时不可用,未能恢复机器人,请稍后重试。"
    return _page(
        request, session, staff, error=f"第 {handoff_id} 号已释放,但{why}", retry_id=handoff_id
    )
