"""HTTP API of the knowledge base, mounted by the API service: ``POST /api/knowledge/ask``.

The service is built lazily; at app startup a background thread warms it up (jieba, model,
index), so the API starts at once and only the first questions may wait.
"""

from __future__ import annotations

import threading
from typing import Any, Literal

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from huimin.settings import CONVERSATION_HEADER, Settings
from knowledge.service import KnowledgeService, UnknownPassageError

router = APIRouter(tags=["knowledge"])
MAX_BODY_CHARS = 100_000  # beyond this the request is refused (422); up to it, truncated


class AskRequest(BaseModel):
    question: str = Field(
        ..., max_length=MAX_BODY_CHARS, description="问题（超过200字的部分截断后回答）"
    )
    audience: Literal["resident", "adviser", "staff"] = "resident"
    passage: str | None = Field(
        None,
        max_length=100,
        pattern=r"^[0-9A-Za-z_-]+$",
        description="所选建议条目的编号（suggestions[].passage）：按这一条资料回答",
    )


class SuggestionOut(BaseModel):
    passage: str
    label: str
    title: str
    section: str


class CitationOut(BaseModel):
    n: int
    title: str
    source: str
    section: str
    issuer: str
    effective_date: str
    text: str
    score: float
    doc_number: str = ""  # 文号 where known
    date_label: str = ""  # 施行 only for a real effective date
    dated: str = ""  # the date as residents read it (e.g. 2021-07-01起施行)


class AskResponse(BaseModel):
    question: str
    answer: str
    confident: bool
    citations: list[CitationOut]
    suggestions: list[SuggestionOut] = []  # not confident: the closest passages to pick from


def _service(request: Request) -> KnowledgeService:
    service: KnowledgeService = request.app.state.knowledge_service
    return service


def _count_question(request: Request, settings: Settings) -> None:
    """Questions per minute: per conversation when the action server names one (internal token
    + X-Huimin-Conversation), else per client address. The action server without a
    conversation is not counted here: the resident's messages are limited where they enter
    (web chat proxy); counting its address would throttle every resident at once."""
    from workflows.auth.deps import internal_token_ok
    from workflows.ratelimit import Limit, client_address, rate_limits, too_many, wait_text

    internal = internal_token_ok(settings, request.headers.get("X-Internal-Token"))
    conversation = request.headers.get(CONVERSATION_HEADER, "")[:200]
    if internal and not conversation:
        return
    namespace, key = (
        ("knowledge-conversation", conversation)
        if internal
        else ("knowledge-address", client_address(request))
    )
    wait = rate_limits(request).hit(
        namespace, key, Limit(settings.knowledge_questions_per_minute, 60)
    )
    if wait is not None:
        raise too_many(wait, f"提问过于频繁,请 {wait_text(wait)}后再试")


@router.post(
    "/api/knowledge/ask",
    response_model=AskResponse,
    summary="政策问答（带出处）",
    responses={
        422: {"description": "参数有误，或所选资料已更新"},
        429: {"description": "提问过于频繁"},
    },
)
async def ask(body: AskRequest, request: Request) -> dict[str, Any]:
    _count_question(request, request.app.state.settings)
    service = _service(request)
    try:
        answer = await run_in_threadpool(
            service.ask, body.question, body.audience, passage=body.passage
        )
    except UnknownPassageError:
        raise RequestValidationError(
            [
                {
                    "loc": ("body", "passage"),
                    "msg": "这条资料已经更新或不存在，请重新提问",
                    "type": "value_error",
                }
            ]
        ) from None
    return answer.api_dict()


def install(
    app: FastAPI, settings: Settings, service: KnowledgeService | None = None, warm_up: bool = True
) -> None:
    """Attach the knowledge service (lazily loaded) and its status for /api/health."""
    knowledge = service or KnowledgeService(settings)
    if getattr(app.state, "settings", None) is None:
        app.state.settings = settings  # the rate limits read it (the API app sets it first)
    app.state.knowledge_service = knowledge

    def status() -> dict[str, Any]:
        return knowledge.status()

    app.state.knowledge_status = status

    # No warm-up under test settings: many test apps would each load the model.
    if warm_up and settings.environment != "test":

        def _start_warm_up() -> None:
            threading.Thread(
                target=knowledge.warm_up, name="knowledge-warm-up", daemon=True
            ).start()

        app.router.on_startup.append(_start_warm_up)  # default lifespan runs these
    app.include_router(router)
