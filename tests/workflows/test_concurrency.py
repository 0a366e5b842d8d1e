"""Concurrent requests: unique numbers, one application per idempotency key, an intact chain."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from workflows.audit.verify import verify_chain


def test_parallel_submissions(
    client: TestClient, app: FastAPI, internal: dict[str, str], body: Callable[..., dict[str, Any]]
) -> None:
    def send(i: int) -> Any:
        headers = {**internal, "Idempotency-Key": f"key-{i % 4}"}
        return client.post(
            "/api/applications", json=body(channel_user_id=f"u{i % 4}"), headers=headers
        )

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(send, range(16)))
    assert sorted({a.status_code for a in answers}) in ([200, 201], [201])
    by_key: dict[str, set[int]] = {}
    for i, answer in enumerate(answers):
        by_key.setdefault(f"key-{i % 4}", set()).add(answer.json()["id"])
    assert all(len(ids) == 1 for ids in by_key.values())
    numbers = {a.json()["number"] for a in answers}
    assert len(numbers) == 4
    assert sum(a.status_code == 201 for a in answers) == 4
    with app.state.session_factory() as session:
        report = verify_chain(session)
    assert report.ok, report
    assert report.checked == 4 * 3  # each: application.submitted + two case.opened


def test_parallel_claims_never_share_a_message(
    client: TestClient, app: FastAPI, internal: dict[str, str], clock: Any
) -> None:
    from workflows.outbox import service

    with app.state.session_factory() as session:
        enqueued = [
            service.enqueue(
                session, channel="telegram", channel_user_id=f"u{i}", text="通知", now=clock.now()
            ).id
            for i in range(30)
        ]
        session.commit()

    def claim(_: int) -> list[int]:
        answer = client.post(
            "/api/outbox/claim", json={"channel": "telegram", "limit": 5}, headers=internal
        )
        assert answer.status_code == 200, answer.text
        return [m["id"] for m in answer.json()]

    claimed: list[int] = []
    for _round in range(10):  # a worker that loses a race gets fewer messages, never a shared one
        with ThreadPoolExecutor(max_workers=6) as pool:
            claimed += [message_id for batch in pool.map(claim, range(6)) for message_id in batch]
        if len(set(claimed)) == len(enqueued):
            break
    assert len(claimed) == len(set(claimed))
    assert sorted(claimed) == sorted(enqueued)
