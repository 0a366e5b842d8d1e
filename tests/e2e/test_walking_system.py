"""The walking system: real Rasa, real action server, real API, over real HTTP."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]


def _response_texts(name: str) -> set[str]:
    texts: set[str] = set()
    for path in (ROOT / "bot" / "domain").glob("*.yml"):
        domain = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for variant in (domain.get("responses") or {}).get(name, []):
            texts.add(variant["text"].strip())
    return texts


def test_api_reports_database_and_knowledge_index(running_system: Any) -> None:
    health = httpx.get(f"{running_system.api_url}/api/health", timeout=10).json()
    assert health["database"]["ok"] is True
    assert health["knowledge"]["chunks"] > 0
    openapi = httpx.get(f"{running_system.api_url}/openapi.json", timeout=10).json()
    assert "/api/health" in openapi["paths"]


def test_greeting_gets_the_assistants_greeting(running_system: Any) -> None:
    replies = running_system.say("web:e2e-greet", "你好")
    greetings = _response_texts("utter_greet")
    assert greetings, "the domain must define utter_greet"
    assert any(reply.get("text", "").strip() in greetings for reply in replies), replies


def test_policy_question_is_answered_from_the_knowledge_base_with_citations(
    running_system: Any,
) -> None:
    replies = running_system.say("web:e2e-policy", "低保怎么申请?")
    text = "\n".join(reply.get("text", "") for reply in replies)
    assert "[1]" in text, replies
    direct = httpx.post(
        f"{running_system.api_url}/api/knowledge/ask",
        json={"question": "低保怎么申请?", "audience": "resident"},
        timeout=60,
    ).json()
    assert direct["citations"], direct
    assert direct["citations"][0]["title"] in text
