"""POST /api/knowledge/ask: questions per minute per address, or per conversation when the
action server names one; 429 in Chinese with Retry-After."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr

from huimin.settings import CONVERSATION_HEADER
from knowledge.http import install
from knowledge.service import KnowledgeService

QUESTION = {"question": "低保怎么申请"}


def _client(service: KnowledgeService, per_minute: int) -> tuple[FastAPI, TestClient]:
    settings = service.settings.model_copy(
        update={
            "knowledge_questions_per_minute": per_minute,
            "internal_token": SecretStr("kb-internal"),
        }
    )
    app = FastAPI()
    install(app, settings, service=service, warm_up=False)
    return app, TestClient(app)


def test_questions_are_limited_per_address(fake_service: KnowledgeService) -> None:
    app, client = _client(fake_service, 3)
    for _ in range(3):
        assert client.post("/api/knowledge/ask", json=QUESTION).status_code == 200
    refused = client.post("/api/knowledge/ask", json=QUESTION)
    assert refused.status_code == 429
    seconds = int(refused.headers["Retry-After"])
    assert 40 <= seconds <= 60
    assert refused.json()["detail"] == f"提问过于频繁,请 {seconds} 秒后再试"
    # a conversation header without the internal token changes nothing
    spoofed = client.post(
        "/api/knowledge/ask", json=QUESTION, headers={CONVERSATION_HEADER: "web:x"}
    )
    assert spoofed.status_code == 429
    other = TestClient(app, client=("203.0.113.20", 1234))
    assert other.post("/api/knowledge/ask", json=QUESTION).status_code == 200


def test_the_action_server_is_counted_per_conversation(fake_service: KnowledgeService) -> None:
    _, client = _client(fake_service, 2)
    resident = {"X-Internal-Token": "kb-internal", CONVERSATION_HEADER: "telegram:1"}
    for _ in range(2):
        assert client.post("/api/knowledge/ask", json=QUESTION, headers=resident).status_code == 200
    assert client.post("/api/knowledge/ask", json=QUESTION, headers=resident).status_code == 429
    neighbour = {**resident, CONVERSATION_HEADER: "telegram:2"}
    assert client.post("/api/knowledge/ask", json=QUESTION, headers=neighbour).status_code == 200
    # without a conversation the action server speaks for every resident: not counted here
    internal = {"X-Internal-Token": "kb-internal"}
    for _ in range(4):
        assert client.post("/api/knowledge/ask", json=QUESTION, headers=internal).status_code == 200
