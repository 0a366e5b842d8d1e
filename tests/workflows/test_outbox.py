"""Outbox: claim with leases, delivered exactly once, retries with backoff, dead after N."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from workflows.outbox import service
from workflows.outbox.enums import MAX_ATTEMPTS


def _enqueue(app: FastAPI, clock: Any, n: int = 1, channel: str = "telegram") -> list[int]:
    with app.state.session_factory() as session:
        ids = [
            service.enqueue(
                session, channel=channel, channel_user_id=f"u{i}", text=f"消息{i}", now=clock.now()
            ).id
            for i in range(n)
        ]
        session.commit()
    return ids


def _claim(client: TestClient, internal: dict[str, str], **body: Any) -> list[dict[str, Any]]:
    answer = client.post(
        "/api/outbox/claim", json={"channel": "telegram", **body}, headers=internal
    )
    assert answer.status_code == 200, answer.text
    result: list[dict[str, Any]] = answer.json()
    return result


def test_claim_lease_and_delivery_once(
    client: TestClient, app: FastAPI, internal: dict[str, str], clock: Any
) -> None:
    ids = _enqueue(app, clock, 3)
    _enqueue(app, clock, 1, channel="web")
    first = _claim(client, internal, limit=2, lease_seconds=60)
    assert [m["id"] for m in first] == ids[:2]
    assert first[0]["attempts"] == 1
    assert first[0]["text"] == "消息0"
    assert [m["id"] for m in _claim(client, internal)] == [ids[2]]  # leased ones not offered
    assert _claim(client, internal) == []
    done = client.post(f"/api/outbox/{ids[0]}/delivered", headers=internal)
    assert done.json() == {"id": ids[0], "status": "delivered"}
    again = client.post(f"/api/outbox/{ids[0]}/delivered", headers=internal)
    assert again.json() == {"id": ids[0], "status": "delivered"}
    clock.advance(seconds=61)  # the other leases expire: offered again, never the delivered one
    reoffered = _claim(client, internal)
    assert [m["id"] for m in reoffered] == ids[1:]
    assert reoffered[0]["attempts"] == 2


def test_failure_backoff_and_dead_letter(
    client: TestClient, app: FastAPI, internal: dict[str, str], clock: Any
) -> None:
    (message_id,) = _enqueue(app, clock)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        claimed = _claim(client, internal)
        assert [m["attempts"] for m in claimed] == [attempt]
        answer = client.post(
            f"/api/outbox/{message_id}/failed",
            json={"error": "Telegram 429", "retry_after_seconds": 5},
            headers=internal,
        )
        assert answer.status_code == 200
        result = answer.json()
        if attempt < MAX_ATTEMPTS:
            assert result["status"] == "pending"
            assert _claim(client, internal) == []  # backing off
            clock.advance(seconds=service.backoff_seconds(attempt) + 1)
        else:
            assert result == {"id": message_id, "status": "dead", "next_attempt_at": None}
    clock.advance(days=1)
    assert _claim(client, internal) == []


def test_outbox_needs_internal_token_and_known_ids(
    client: TestClient, internal: dict[str, str], login: Callable[[str], dict[str, str]]
) -> None:
    assert client.post("/api/outbox/claim", json={"channel": "telegram"}).status_code == 401
    staff = client.post("/api/outbox/claim", json={"channel": "x"}, headers=login("super"))
    assert staff.status_code == 401
    assert client.post("/api/outbox/999/delivered", headers=internal).status_code == 404
    bad = client.post("/api/outbox/claim", json={"channel": "t", "limit": 0}, headers=internal)
    assert bad.status_code == 422
