"""/staff/handoffs: the live hand-off console (人工服务).

- The queue: hand-offs of the staff member's township (the district queue: district staff),
  waiting or being answered, with waiting time, channel and the recent conversation (ID numbers
  masked; one audit event per view lists what was shown). 接待 claims one.
- The conversation (/staff/handoffs/{id}, audited): the transcript before the hand-off, the
  messages since (kept live by server-sent events, ``handoff_stream.py``), a reply box with
  quick replies and "insert a cited knowledge-base answer", transfer, and close (结束并恢复机器人)
  with a one-line summary to the resident. Same services as the API (``workflows/handoffs``).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from huimin import townships
from huimin.masking import mask_id_text, mask_text
from workflows.audit import service as audit
from workflows.auth.capabilities import Capability
from workflows.auth.models import StaffUser
from workflows.deps import ClockDep, IdPath, SessionDep, SettingsDep
from workflows.errors import ServiceError
from workflows.handoffs import flows, service
from workflows.handoffs.conversation import ConversationResumer, get_resumer
from workflows.handoffs.enums import HandoffStatus
from workflows.handoffs.live import LiveHub, get_hub
from workflows.handoffs.models import Handoff
from workflows.read_audit import record_read
from workflows.staff_pages.access import refusal
from workflows.staff_pages.rendering import error_page, render
from workflows.staff_pages.session import CSRF_REFUSED, PageStaff, caller_of, csrf_ok

router = APIRouter(include_in_schema=False)
NOT_FOUND = "人工服务请求不存在或不在您的辖区"
READ_VIEW = "staff_page.handoff"
QUEUE_VIEW = "staff_page.handoff_queue"
RECENT_LINES = 3
CHANNEL_LABELS = {"telegram": "Telegram", "web": "网页", "wechat": "微信", "counter": "窗口"}
REASON_LABELS = {
    "resident_request": "群众要求转人工",
    "repeated_misunderstanding": "连续多次未能理解",
}
STATUS_LABELS = {"waiting": "等待接待", "active": "接待中", "closed": "已结束"}
SENDER_LABELS = {"resident": "群众", "staff": "工作人员", "system": "系统提示"}
QUICK_REPLIES = (
    "您好,我是工作人员,请问有什么可以帮您?",
    "请稍等,我帮您查询一下。",
    "请问您住在哪个镇街(乡镇/街道)?",
    "您可以携带身份证、户口簿到所在镇街便民服务中心社会救助窗口办理。",
    "还有其他问题吗?如没有,我将结束本次人工服务。",
)
ResumerDep = Annotated[ConversationResumer, Depends(get_resumer)]
HubDep = Annotated[LiveHub, Depends(get_hub)]


def mask_user_id(value: str) -> str:
    """Enough of a channel user id to tell rows apart, not to contact the person."""
    if mask_id_text(value) != value:
        return mask_id_text(value)
    if len(value) <= 4:
        return "*" * len(value)
    keep = 2 if len(value) < 10 else 3
    return value[:keep] + "*" * (len(value) - 2 * keep) + value[-keep:]


def waiting_text(seconds: int | None) -> str:
    if seconds is None:
        return ""
    minutes, rest = divmod(seconds, 60)
    if minutes >= 60:
        return f"{minutes // 60}小时{minutes % 60}分"
    return f"{minutes}分{rest}秒" if minutes else f"{rest}秒"


def _transcript(handoff: Handoff) -> list[dict[str, str]]:
    lines = [line for line in handoff.transcript or [] if isinstance(line, dict)]
    return [
        {
            "role": "群众" if line.get("role") in ("resident", "user") else "小助手",
            "text": mask_text(str(line.get("text") or "")),
        }
        for line in lines
    ]


def _row(session: SessionDep, handoff: Handoff, now: dt.datetime) -> dict[str, Any]:
    recent = [
        {"role": SENDER_LABELS.get(m.sender, m.sender), "text": mask_text(m.text)}
        for m in flows.messages(session, handoff_id=handoff.id)
        if m.sender != "system"
    ]
    before = _transcript(handoff)
    return {
        "id": handoff.id,
        "status": handoff.status,
        "status_label": STATUS_LABELS.get(handoff.status, handoff.status),
        "staff_display_name": handoff.staff_display_name,
        "claimed_by": handoff.claimed_by,
        "channel": CHANNEL_LABELS.get(handoff.channel, handoff.channel),
        "user": mask_user_id(handoff.channel_user_id),
        "reason": REASON_LABELS.get(handoff.reason, mask_text(handoff.reason)),
        "township": service.township_label(handoff.township_code),
        "township_code": handoff.township_code,
        "created_at": handoff.created_at,
        "waiting": waiting_text(service.waiting_seconds(handoff, now)),
        "recent": (before + recent)[-RECENT_LINES:],
        "can_resume": bool(handoff.conversation_id),
        "released": handoff.status == service.RELEASED,
    }


def _page(
    request: Request,
    session: SessionDep,
    staff: StaffUser,
    now: dt.datetime,
    *,
    done: str | None = None,
    error: str | None = None,
    retry_id: int | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    handoffs = service.list_open(session, caller=caller_of(staff))
    rows = [_row(session, h, now) for h in handoffs]
    if handoffs:  # the queue shows the recent conversation: one read event for the view
        audit.record(
            session,
            actor=f"staff:{staff.username}",
            action="handoff.read",
            entity_type="handoff_queue",
            entity_id=staff.township_code or "district",
            data={"view": QUEUE_VIEW, "handoff_ids": [h.id for h in handoffs]},
            at=now,
        )
        session.commit()
    context = {
        "staff": staff,
        "rows": rows,
        "waiting": sum(1 for r in rows if r["status"] == HandoffStatus.WAITING.value),
        "done": done,
        "error": error,
        "retry_id": retry_id,
    }
    return render(request, "handoffs.html", context, status_code=status_code)


def _sweep(session: SessionDep, settings: SettingsDep, hub: LiveHub, now: dt.datetime) -> None:
    for late in flows.sweep_unclaimed(session, now=now, settings=settings):
        session.commit()
        flows.wake(hub, late)


@router.get("/staff/handoffs", response_class=HTMLResponse)
def handoffs_page(
    request: Request,
    staff: PageStaff,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    hub: HubDep,
    done: str | None = None,
) -> HTMLResponse:
    refused = refusal(request, staff, Capability.HANDLE_HANDOFFS)
    if refused is not None:
        return refused
    now = clock.now()
    _sweep(session, settings, hub, now)
    return _page(request, session, staff, now, done=(done or "")[:100] or None)


def _refused(
    request: Request,
    session: SessionDep,
    staff: StaffUser,
    handoff: Handoff,
    now: dt.datetime,
    exc: ServiceError,
) -> HTMLResponse:
    """A step the hand-off's flow refused: nothing of it is kept; the conversation with why."""
    session.rollback()
    return _conversation(
        request, session, staff, handoff, now, error=exc.message, status_code=exc.status_code
    )


def _conversation(
    request: Request,
    session: SessionDep,
    staff: StaffUser,
    handoff: Handoff,
    now: dt.datetime,
    *,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    messages = flows.messages(session, handoff_id=handoff.id)
    names = flows.staff_names(session, messages)
    context = {
        "staff": staff,
        "row": _row(session, handoff, now),
        "lines": _transcript(handoff),
        "messages": [
            {
                "id": m.id,
                "from": m.sender,
                "who": names.get(m.staff_username or "", "")
                if m.sender == "staff"
                else SENDER_LABELS.get(m.sender, m.sender),
                "text": mask_text(m.text),
                "at": m.created_at,
            }
            for m in messages
        ],
        "last_id": messages[-1].id if messages else 0,
        "mine": handoff.claimed_by == staff.username,
        "quick_replies": QUICK_REPLIES,
        "townships": [(t.code, t.name) for t in townships.all_townships()],
        "error": error,
    }
    record_read(
        session,
        caller=caller_of(staff),
        entity_type="handoff",
        entity_id=handoff.id,
        view=READ_VIEW,
        at=now,
    )
    session.commit()
    return render(request, "handoff.html", context, status_code=status_code)


@router.get("/staff/handoffs/{handoff_id}", response_class=HTMLResponse)
def handoff_page(
    request: Request, handoff_id: IdPath, staff: PageStaff, session: SessionDep, clock: ClockDep
) -> HTMLResponse:
    """One hand-off's conversation (ID numbers masked); the read is audited."""
    refused = refusal(request, staff, Capability.HANDLE_HANDOFFS)
    if refused is not None:
        return refused
    handoff = service.get_visible(session, handoff_id=handoff_id, caller=caller_of(staff))
    if handoff is None:
        return error_page(request, 404, NOT_FOUND)
    return _conversation(request, session, staff, handoff, clock.now())


def _checked(
    request: Request,
    settings: SettingsDep,
    session: SessionDep,
    staff: StaffUser,
    handoff_id: int,
    csrf: str,
) -> Handoff | HTMLResponse:
    if not csrf_ok(request, settings, csrf):
        return error_page(request, 403, CSRF_REFUSED)
    refused = refusal(request, staff, Capability.HANDLE_HANDOFFS)
    if refused is not None:
        return refused
    handoff = service.get_visible(session, handoff_id=handoff_id, caller=caller_of(staff))
    if handoff is None:
        return error_page(request, 404, NOT_FOUND)
    return handoff


def _back(handoff_id: int) -> RedirectResponse:
    return RedirectResponse(f"/staff/handoffs/{handoff_id}", status_code=303)


@router.post("/staff/handoffs/{handoff_id}/claim")
def claim_handoff(
    request: Request,
    handoff_id: IdPath,
    staff: PageStaff,
    settings: SettingsDep,
    session: SessionDep,
    clock: ClockDep,
    hub: HubDep,
    csrf: Annotated[str, Form()] = "",
) -> Response:
    handoff = _checked(request, settings, session, staff, handoff_id, csrf)
    if isinstance(handoff, HTMLResponse):
        return handoff
    try:
        flows.claim(session, handoff=handoff, staff=staff, now=clock.now())
    except ServiceError as exc:
        session.rollback()
        return _page(
            request, session, staff, clock.now(), error=exc.message, status_code=exc.status_code
        )
    session.commit()
    flows.wake(hub, handoff)
    return _back(handoff_id)


@router.post("/staff/handoffs/{handoff_id}/reply")
def reply_handoff(
    request: Request,
    handoff_id: IdPath,
    staff: PageStaff,
    settings: SettingsDep,
    session: SessionDep,
    clock: ClockDep,
    hub: HubDep,
    text: Annotated[str, Form(max_length=1000)] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """A reply; the page's script posts it with ``Accept: application/json`` (204), a plain form
    is sent back to the conversation."""
    handoff = _checked(request, settings, session, staff, handoff_id, csrf)
    if isinstance(handoff, HTMLResponse):
        return handoff
    try:
        flows.staff_reply(session, handoff=handoff, staff=staff, text=text, now=clock.now())
    except ServiceError as exc:
        return _refused(request, session, staff, handoff, clock.now(), exc)
    session.commit()
    flows.wake(hub, handoff)
    if "application/json" in request.headers.get("accept", ""):
        return Response(status_code=204)
    return _back(handoff_id)


@router.post("/staff/handoffs/{handoff_id}/transfer")
def transfer_handoff(
    request: Request,
    handoff_id: IdPath,
    staff: PageStaff,
    settings: SettingsDep,
    session: SessionDep,
    clock: ClockDep,
    hub: HubDep,
    township_code: Annotated[str, Form(max_length=12)] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    handoff = _checked(request, settings, session, staff, handoff_id, csrf)
    if isinstance(handoff, HTMLResponse):
        return handoff
    target = township_code.strip() or None
    if target is not None and townships.by_code(target) is None:
        return _conversation(
            request,
            session,
            staff,
            handoff,
            clock.now(),
            error="请选择要转交的镇街",
            status_code=422,
        )
    try:
        flows.transfer(session, handoff=handoff, staff=staff, township_code=target, now=clock.now())
    except ServiceError as exc:
        return _refused(request, session, staff, handoff, clock.now(), exc)
    session.commit()
    flows.wake(hub, handoff)
    place = service.township_label(target) if target else "区级队列"
    return RedirectResponse(
        f"/staff/handoffs?done=第 {handoff_id} 号已转交{place}。", status_code=303
    )


@router.post("/staff/handoffs/{handoff_id}/release", response_class=HTMLResponse)
def release_handoff(
    request: Request,
    handoff_id: IdPath,
    staff: PageStaff,
    settings: SettingsDep,
    session: SessionDep,
    clock: ClockDep,
    resumer: ResumerDep,
    hub: HubDep,
    summary: Annotated[str, Form(max_length=200)] = "",
    csrf: Annotated[str, Form()] = "",
) -> HTMLResponse:
    """结束并恢复机器人: close with the one-line summary, then resume the assistant."""
    handoff = _checked(request, settings, session, staff, handoff_id, csrf)
    if isinstance(handoff, HTMLResponse):
        return handoff
    result = flows.close_and_resume(
        session,
        handoff=handoff,
        staff=staff,
        summary=summary,
        now=clock.now(),
        resumer=resumer,
        hub=hub,
    )
    now = clock.now()
    if result.conversation_resumed:
        return _page(
            request, session, staff, now, done=f"第 {handoff_id} 号已释放,机器人已恢复服务。"
        )
    if not handoff.conversation_id:
        why = "该请求没有对话编号,无法自动恢复机器人,请人工联系群众。"
        return _page(request, session, staff, now, error=f"第 {handoff_id} 号已释放,但{why}")
    why = "对话服务暂时不可用,未能恢复机器人,请稍后重试。"
    return _page(
        request, session, staff, now, error=f"第 {handoff_id} 号已释放,但{why}", retry_id=handoff_id
    )
