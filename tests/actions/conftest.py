"""Fixtures for action tests: a fake API behind httpx.MockTransport and recorded trackers."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import api_client

DOMAIN_DIR = Path(__file__).resolve().parents[2] / "bot" / "domain"
FAKE_API = "http://fake-api.test"


@dataclass
class FakeApi:
    """Routes ``(method, path)`` to canned answers and records every request it gets."""

    routes: dict[tuple[str, str], Callable[[httpx.Request], httpx.Response]] = field(
        default_factory=dict
    )
    requests: list[httpx.Request] = field(default_factory=list)
    down: bool = False

    def on(self, method: str, path: str, status: int = 200, body: Any = None) -> None:
        self.routes[(method, path)] = lambda request: httpx.Response(status, json=body)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.down:
            raise httpx.ConnectError("connection refused", request=request)
        handler = self.routes.get((request.method, request.url.path))
        if handler is None:
            return httpx.Response(404, json={"detail": "未找到"})
        return handler(request)

    def calls(self, method: str, path: str) -> list[httpx.Request]:
        return [r for r in self.requests if r.method == method and r.url.path == path]

    def json_of(self, method: str, path: str, index: int = -1) -> Any:
        return json.loads(self.calls(method, path)[index].content)


def real_parse(request: httpx.Request) -> httpx.Response:
    """``POST /api/household/parse`` answered by the API's own parser (no database needed)."""
    from workflows.household.schemas import ParseIn
    from workflows.household.views import parse

    answer = parse(ParseIn.model_validate(json.loads(request.content)))
    return httpx.Response(200, json=answer.model_dump(mode="json"))


@pytest.fixture
def fake_api() -> Iterator[FakeApi]:
    api = FakeApi()
    api.routes[("POST", "/api/household/parse")] = real_parse
    api_client.use_transport(httpx.MockTransport(api.handle), FAKE_API)
    yield api
    api_client.use_transport(None, None)


@pytest.fixture(scope="session")
def domain() -> dict[str, Any]:
    """The bot's domain files merged into one dict (as the action server receives it)."""
    merged: dict[str, Any] = {"slots": {}, "forms": {}, "responses": {}, "actions": []}
    for path in sorted(DOMAIN_DIR.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for key in ("slots", "forms", "responses"):
            merged[key].update(data.get(key) or {})
        merged["actions"] += data.get("actions") or []
    return merged


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()


def user_event(text: str, intent: str, entities: list[dict[str, Any]] | None = None) -> dict:
    parse = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.9},
        "entities": entities or [],
    }
    return {"event": "user", "text": text, "parse_data": parse}


def make_tracker(
    domain: dict[str, Any],
    text: str,
    intent: str,
    *,
    entities: list[dict[str, Any]] | None = None,
    slots: dict[str, Any] | None = None,
    extracted: dict[str, Any] | None = None,
    history: list[dict[str, Any]] | None = None,
    active_loop: str | None = None,
    sender_id: str = "telegram:12345",
) -> Tracker:
    """A tracker as Rasa sends it after ``text``: ``extracted`` slots were just set."""
    values = {name: spec.get("initial_value") for name, spec in domain["slots"].items()}
    values.update(slots or {})
    values.update(extracted or {})
    latest = user_event(text, intent, entities)
    events = [*(history or []), latest]
    events += [{"event": "slot", "name": k, "value": v} for k, v in (extracted or {}).items()]
    return Tracker(
        sender_id=sender_id,
        slots=values,
        latest_message=latest["parse_data"],
        events=events,
        paused=False,
        followup_action=None,
        active_loop={"name": active_loop} if active_loop else {},
        latest_action_name="action_listen",
    )


def responses(dispatcher: CollectingDispatcher) -> list[str]:
    return [message["response"] for message in dispatcher.messages if message.get("response")]


def slot_events(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


class Kit:
    """Tracker building and event reading for tests (pytest runs with --import-mode=importlib,
    so helpers come as a fixture rather than an importable module)."""

    def __init__(self, domain: dict[str, Any]) -> None:
        self.domain = domain
        self.user = staticmethod(user_event)
        self.responses = staticmethod(responses)
        self.slots = staticmethod(slot_events)

    def tracker(self, text: str, intent: str, **kwargs: Any) -> Tracker:
        return make_tracker(self.domain, text, intent, **kwargs)


@pytest.fixture
def kit(domain: dict[str, Any]) -> Kit:
    return Kit(domain)
