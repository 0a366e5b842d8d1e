"""HTTP API of the knowledge base, mounted by the API service: ``POST /api/knowledge/ask``.

The service is built lazily; at app startup a background thread warms it up (jieba, model,
index), so the API starts at once and only the first questions may wait.
"""

from __future__ import annotations

import threading
from typing import Any, Literal

from fastapi import APIRouter, FastAPI, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from huimin.settings import Settings
from knowledge.service import KnowledgeService

router = APIRouter(tags=["knowledge"])
MAX_BODY_CHARS = 100_000  # beyond this the request is refused (422); up to it, truncated


class AskRequest(BaseModel):
    question: str = Field(
        ..., max_length=MAX_BODY_CHARS, description="问题（超过200字的部分截断后回答）"
    )
    audience: Literal["resident", "adviser", "staff"] = "resident"


class CitationOut(BaseModel):
    n: int
    title: str
    source: str
    section: str
    issuer: str
    effective_date: str
    text: str
    score: float


class AskResponse(BaseModel):
    question: str
    answer: str
    confident: bool
    citations: list[CitationOut]


def _service(request: Request) -> KnowledgeService:
    service: KnowledgeService = request.app.state.knowledge_service
    return service


@router.post("/api/knowledge/ask", response_model=AskResponse, summary="政策问答（带出处）")
async def ask(body: AskRequest, request: Request) -> dict[str, Any]:
    service = _service(request)
    answer = await run_in_threadpool(service.ask, body.question, body.audience)
    return answer.api_dict()


def install(
    app: FastAPI, settings: Settings, service: KnowledgeService | None = None, warm_up: bool = True
) -> None:
    """Attach the knowledge service (lazily loaded) and its status for /api/health."""
    knowledge = service or KnowledgeService(settings)
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
