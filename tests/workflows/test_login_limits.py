"""Login hardening on both doors (POST /api/auth/token and the /staff/login page): failure
limits per username and per address with a Chinese lockout and Retry-After; unknown usernames
cost a bcrypt check like known ones; bcrypt runs off the event loop."""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Callable
from typing import Any

import bcrypt
import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from workflows.auth import service as auth_service

PASSWORD = "test-password-1"
LOCKOUT = "登录失败次数过多,请 15 分钟后再试"


def _api(client: TestClient, username: str, password: str) -> Any:
    return client.post("/api/auth/token", json={"username": username, "password": password})


def _page(client: TestClient, username: str, password: str) -> Any:
    return client.post(
        "/staff/login",
        data={"username": username, "password": password, "next": ""},
        follow_redirects=False,
    )


Door = Callable[[TestClient, str, str], Any]
DOORS = pytest.mark.parametrize("door", [_api, _page], ids=["api", "page"])


def _assert_locked(answer: Any, door: Door) -> None:
    assert answer.status_code == 429
    assert 850 <= int(answer.headers["Retry-After"]) <= 900
    if door is _api:
        assert answer.json()["detail"] == LOCKOUT
    else:
        assert LOCKOUT in answer.text
        assert "huimin_session" not in answer.headers.get("set-cookie", "")


def _succeeded(answer: Any, door: Door) -> bool:
    """The API answers a token (200); the login page redirects to the staff pages (303)."""
    return answer.status_code == (200 if door is _api else 303)


@DOORS
def test_five_failures_lock_the_username(client: TestClient, staff_users: None, door: Door) -> None:
    for _ in range(5):
        assert door(client, "rev_fuchun", "wrong-password").status_code == 401
    # locked: even the right password is refused, without being checked
    _assert_locked(door(client, "rev_fuchun", PASSWORD), door)
    # the same name typed differently is the same account
    _assert_locked(door(client, " REV_Fuchun ", PASSWORD), door)
    # another account from the same address may still log in
    assert _succeeded(door(client, "super", PASSWORD), door)


@DOORS
def test_twenty_failures_lock_the_address(
    app: FastAPI, client: TestClient, staff_users: None, door: Door
) -> None:
    for n in range(20):
        assert door(client, f"nobody-{n}", "wrong-password").status_code == 401
    _assert_locked(door(client, "super", PASSWORD), door)
    # another address is not locked
    elsewhere = TestClient(app, client=("198.51.100.4", 40000))
    assert _succeeded(door(elsewhere, "super", PASSWORD), door)


def test_success_clears_the_username_but_not_the_address(
    app: FastAPI, client: TestClient, staff_users: None
) -> None:
    app.state.settings = app.state.settings.model_copy(
        update={"login_failures_per_username": 3, "login_failures_per_address": 5}
    )
    for _ in range(2):
        assert _api(client, "super", "wrong").status_code == 401
    assert _api(client, "super", PASSWORD).status_code == 200
    # the username starts again: two more failures do not lock it ...
    for _ in range(2):
        assert _api(client, "super", "wrong").status_code == 401
    # ... but the address has now failed 4 times; one more and it is locked for everyone
    assert _api(client, "adviser", "wrong").status_code == 401
    assert _api(client, "adviser", PASSWORD).status_code == 429


@pytest.fixture
def checkpw_calls(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    calls: list[bytes] = []
    real = bcrypt.checkpw

    def counting(password: bytes, hashed: bytes) -> bool:
        calls.append(hashed)
        return real(password, hashed)

    monkeypatch.setattr(bcrypt, "checkpw", counting)
    return calls


def test_unknown_and_disabled_users_cost_a_bcrypt_check_too(
    app: FastAPI, client: TestClient, staff_users: None, checkpw_calls: list[bytes]
) -> None:
    with app.state.session_factory() as session:
        user = auth_service.get_by_username(session, username="adviser")
        assert user is not None
        user.active = False
        session.commit()
    known = _api(client, "super", "wrong")
    unknown = _api(client, "no-such-user", "wrong")
    disabled = _api(client, "adviser", PASSWORD)
    assert [a.status_code for a in (known, unknown, disabled)] == [401, 401, 401]
    assert {a.json()["detail"] for a in (known, unknown, disabled)} == {"用户名或密码错误"}
    assert len(checkpw_calls) == 3
    # the dummy hash has the configured cost, like the real ones
    rounds = app.state.settings.password_hash_rounds
    assert all(h.startswith(f"$2b${rounds:02d}$".encode()) for h in checkpw_calls)
    # a locked-out attempt checks no password at all
    for _ in range(5):
        _api(client, "ghost", "wrong")
    checked = len(checkpw_calls)
    assert _api(client, "ghost", "wrong").status_code == 429
    assert len(checkpw_calls) == checked


def test_the_event_loop_serves_others_while_bcrypt_runs(
    app: FastAPI, staff_users: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The password check waits until /api/health has answered: only possible when the check
    runs outside the event loop (on the loop it would wait in vain and report False)."""
    real = bcrypt.checkpw
    entered, health_answered = threading.Event(), threading.Event()
    released: list[bool] = []

    def waiting_checkpw(password: bytes, hashed: bytes) -> bool:
        entered.set()
        released.append(health_answered.wait(timeout=20))
        return real(password, hashed)

    monkeypatch.setattr(bcrypt, "checkpw", waiting_checkpw)

    async def scenario() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://api") as http:
            login = asyncio.create_task(
                http.post("/api/auth/token", json={"username": "super", "password": "wrong"})
            )
            while not entered.is_set():
                await asyncio.sleep(0.01)
            health = await http.get("/api/health")
            assert health.status_code == 200
            health_answered.set()
            assert (await login).status_code == 401

    # a thread of its own: the session's browser may already run an event loop in this one
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, scenario()).result(timeout=60)
    assert released == [True]
