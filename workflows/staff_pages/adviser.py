"""/staff/adviser: the elder-care adviser asks the knowledge base (audience "adviser") and sees
the answer with its citations; when no answer is certain, the closest passages to pick from."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from knowledge.service import UnknownPassageError
from workflows.auth.capabilities import Capability
from workflows.deps import SettingsDep
from workflows.staff_pages.access import refusal
from workflows.staff_pages.rendering import error_page, render
from workflows.staff_pages.session import CSRF_REFUSED, PageStaff, csrf_ok

router = APIRouter(include_in_schema=False)
MAX_QUESTION = 500


@router.get("/staff/adviser", response_class=HTMLResponse)
def adviser_page(request: Request, staff: PageStaff) -> HTMLResponse:
    refused = refusal(request, staff, Capability.ASK_KNOWLEDGE)
    if refused is not None:
        return refused
    return render(request, "adviser.html", {"staff": staff, "question": "", "answer": None})


@router.post("/staff/adviser", response_class=HTMLResponse)
async def adviser_ask(
    request: Request,
    staff: PageStaff,
    settings: SettingsDep,
    question: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
    passage: Annotated[str, Form(max_length=100)] = "",
) -> HTMLResponse:
    if not csrf_ok(request, settings, csrf):
        return error_page(request, 403, CSRF_REFUSED)
    refused = refusal(request, staff, Capability.ASK_KNOWLEDGE)
    if refused is not None:
        return refused
    question = question.strip()[:MAX_QUESTION]
    answer: dict[str, Any] | None = None
    error = None
    if not question:
        error = "请输入问题"
    else:
        service = request.app.state.knowledge_service
        try:
            if passage:  # a suggested passage the adviser picked: answer from it alone
                result = await run_in_threadpool(service.ask, question, "adviser", passage=passage)
            else:
                result = await run_in_threadpool(service.ask, question, "adviser")
            answer = result.api_dict()
        except UnknownPassageError:
            error = "这条资料已经更新或不存在,请重新提问"
        except Exception:  # the page says so instead of failing
            error = "知识库暂时不可用,请稍后再试"
    return render(
        request,
        "adviser.html",
        {"staff": staff, "question": question, "answer": answer, "error": error},
    )
