"""POST /api/status-lookup is limited on every path: per client address for anonymous callers,
per conversation for the dialogue (internal token + X-Huimin-Conversation; the token is no
exemption), and failed lookups per application number across all callers. 429 in Chinese with
Retry-After. The limits use the wall clock (the `limits` library), not the test clock."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from huimin.settings import CONVERSATION_HEADER

Submit = Callable[..., dict[str, Any]]
WRONG_ID = "330111197003141230"


def _limit(app: FastAPI, **update: int) -> None:
    app.state.settings = app.state.settings.model_copy(update=update)


@pytest.fixture
def pair(
    submit: Submit, body: Callable[..., dict[str, Any]]
) -> tuple[dict[str, str], dict[str, str]]:
    """(right, wrong) lookup bodies for one submitted application."""
    created = submit()
    right = {"number": created["number"], "id_number": body()["applicant"]["id_number"]}
    return right, {"number": created["number"], "id_number": WRONG_ID}


def _wait(answer: Any) -> int:
    """The Retry-After of a 429, checked against the seconds named in the Chinese detail."""
    assert answer.status_code == 429, answer.text
    seconds = int(answer.headers["Retry-After"])
    assert re.fullmatch(r"查询过于频繁,请 (\d+) 秒后再试", answer.json()["detail"])
    assert answer.json()["detail"] == f"查询过于频繁,请 {seconds} 秒后再试"
    return seconds


def test_anonymous_lookups_are_limited_per_address(
    app: FastAPI, client: TestClient, pair: tuple[dict[str, str], dict[str, str]]
) -> None:
    _limit(app, status_lookup_limit=3, status_lookup_window_seconds=60)
    right, wrong = pair
    assert client.post("/api/status-lookup", json=wrong).status_code == 404
    assert client.post("/api/status-lookup", json=right).status_code == 200
    assert client.post("/api/status-lookup", json=right).status_code == 200
    assert 40 <= _wait(client.post("/api/status-lookup", json=right)) <= 60
    # another address has its own window
    other = TestClient(app, client=("203.0.113.7", 50000))
    assert other.post("/api/status-lookup", json=right).status_code == 200
    # a conversation header without the internal token is not believed: still this address
    spoofed = client.post(
        "/api/status-lookup", json=right, headers={CONVERSATION_HEADER: "web:someone-else"}
    )
    assert spoofed.status_code == 429


def test_the_window_moves(
    app: FastAPI, client: TestClient, pair: tuple[dict[str, str], dict[str, str]]
) -> None:
    _limit(app, status_lookup_limit=2, status_lookup_window_seconds=3)
    right, _ = pair
    assert client.post("/api/status-lookup", json=right).status_code == 200
    assert client.post("/api/status-lookup", json=right).status_code == 200
    assert 1 <= _wait(client.post("/api/status-lookup", json=right)) <= 3
    time.sleep(3.1)
    assert client.post("/api/status-lookup", json=right).status_code == 200


def test_the_internal_token_is_limited_per_conversation(
    app: FastAPI,
    client: TestClient,
    internal: dict[str, str],
    pair: tuple[dict[str, str], dict[str, str]],
) -> None:
    _limit(app, status_lookup_limit=3, status_lookup_window_seconds=60)
    right, _ = pair
    resident = {**internal, CONVERSATION_HEADER: "telegram:777"}
    for _ in range(3):
        assert client.post("/api/status-lookup", json=right, headers=resident).status_code == 200
    _wait(client.post("/api/status-lookup", json=right, headers=resident))
    # another resident's conversation through the same action server is not affected
    neighbour = {**internal, CONVERSATION_HEADER: "web:5b0c1f9e"}
    assert client.post("/api/status-lookup", json=right, headers=neighbour).status_code == 200
    # the internal token without a conversation is counted per address like anyone
    for _ in range(3):
        assert client.post("/api/status-lookup", json=right, headers=internal).status_code == 200
    _wait(client.post("/api/status-lookup", json=right, headers=internal))


def test_one_number_cannot_be_guessed_over_many_conversations(
    app: FastAPI,
    client: TestClient,
    internal: dict[str, str],
    submit: Submit,
    pair: tuple[dict[str, str], dict[str, str]],
) -> None:
    _limit(app, status_lookup_failures_per_number=3, status_lookup_number_window_seconds=3600)
    right, wrong = pair
    # successful lookups do not count against the number
    for n in range(4):
        headers = {**internal, CONVERSATION_HEADER: f"web:ok-{n}"}
        assert client.post("/api/status-lookup", json=right, headers=headers).status_code == 200
    for n in range(3):
        headers = {**internal, CONVERSATION_HEADER: f"web:guess-{n}"}
        assert client.post("/api/status-lookup", json=wrong, headers=headers).status_code == 404
    # now even the right pair, from a fresh conversation or address, is refused for an hour
    fresh = {**internal, CONVERSATION_HEADER: "web:fresh"}
    locked = client.post("/api/status-lookup", json=right, headers=fresh)
    assert locked.status_code == 429
    assert locked.json()["detail"] == "这个申请编号查询失败次数过多,请 60 分钟后再试"
    assert 3500 <= int(locked.headers["Retry-After"]) <= 3600
    other = TestClient(app, client=("203.0.113.9", 50000))
    assert other.post("/api/status-lookup", json=right).status_code == 429
    # the same number written differently is the same number
    lowered = {**right, "number": f" {right['number'].lower()} "}
    assert other.post("/api/status-lookup", json=lowered).status_code == 429
    # another application's number is not affected
    second = submit(channel_user_id="10002")
    assert second["number"] != right["number"]
    other_pair = {"number": second["number"], "id_number": right["id_number"]}
    assert other.post("/api/status-lookup", json=other_pair).status_code == 200


@pytest.mark.parametrize(
    "payload",
    [
        {"number": "FY-20261102-0001"},
        {"id_number": "330111197003141230"},
        {"number": "FY-20261102-0001", "id_number": ""},
        {"number": "", "id_number": "330111197003141230"},
    ],
)
def test_a_lookup_needs_both_number_and_id_number(
    client: TestClient, internal: dict[str, str], payload: dict[str, str]
) -> None:
    headers = {**internal, CONVERSATION_HEADER: "web:x"}
    assert client.post("/api/status-lookup", json=payload, headers=headers).status_code == 422
