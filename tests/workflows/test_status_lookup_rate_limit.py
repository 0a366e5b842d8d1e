"""POST /api/status-lookup is limited per client address (sliding window, 429 in Chinese);
the action server, which carries the internal token, speaks for many residents and is not."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from workflows.ratelimit import SlidingWindowLimiter

Submit = Callable[..., dict[str, Any]]


def _limit(app: FastAPI, limit: int, window: int) -> None:
    app.state.settings = app.state.settings.model_copy(
        update={"status_lookup_limit": limit, "status_lookup_window_seconds": window}
    )


def test_lookups_over_the_limit_are_429_until_the_window_slides(
    app: FastAPI,
    client: TestClient,
    submit: Submit,
    body: Callable[..., dict[str, Any]],
    clock: Any,
    internal: dict[str, str],
) -> None:
    _limit(app, 3, 60)
    created = submit()
    right = {"number": created["number"], "id_number": body()["applicant"]["id_number"]}
    wrong = {"number": created["number"], "id_number": "330111197003141230"}
    assert client.post("/api/status-lookup", json=wrong).status_code == 404
    clock.advance(seconds=20)
    assert client.post("/api/status-lookup", json=wrong).status_code == 404
    assert client.post("/api/status-lookup", json=right).status_code == 200
    clock.advance(seconds=10)
    refused = client.post("/api/status-lookup", json=right)
    assert refused.status_code == 429
    assert refused.json()["detail"] == "查询过于频繁,请 30 秒后再试"
    assert refused.headers["Retry-After"] == "30"
    # another address has its own window
    other = TestClient(app, client=("203.0.113.7", 50000))
    assert other.post("/api/status-lookup", json=right).status_code == 200
    # the internal caller is not counted against anyone
    for _ in range(5):
        assert client.post("/api/status-lookup", json=right, headers=internal).status_code == 200
    # the first hit leaves the window after 60 s: one more is allowed, then refused again
    clock.advance(seconds=30)
    assert client.post("/api/status-lookup", json=right).status_code == 200
    again = client.post("/api/status-lookup", json=right)
    assert again.status_code == 429
    assert again.headers["Retry-After"] == "20"


def test_limiter_window_and_key_cap() -> None:
    limiter = SlidingWindowLimiter(limit=2, window_seconds=10, max_keys=2)
    assert limiter.hit("a", 0.0) is None
    assert limiter.hit("a", 1.0) is None
    assert limiter.hit("a", 2.0) == 8.0
    assert limiter.hit("a", 10.0) is None  # the hit at 0 has left the window
    assert limiter.hit("b", 10.0) is None
    assert limiter.hit("c", 10.0) is None  # "a" is the longest idle: dropped
    assert limiter.hit("a", 10.5) is None
