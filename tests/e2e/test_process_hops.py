"""What `make run` starts, as real processes (tests/live_system.py starts them from the
launcher's own argument lists, endpoints file and environment): every listening socket of every
process is on loopback; the action server refuses Rasa's hop without the shared secret; Rasa's
HTTP API refuses callers without the token; conversations are stored in the SQL tracker store
with ID numbers masked."""

from __future__ import annotations

import json

import httpx
import pytest
from sqlalchemy import create_engine, text

from huimin.settings import ACTION_SECRET_HEADER
from tests.huimin.listening import is_loopback, listening_addresses
from tests.live_system import RunningSystem

pytestmark = pytest.mark.e2e
ID_NUMBER = "330183197803120116"


def test_every_process_listens_on_loopback_only(running_system: RunningSystem) -> None:
    assert set(running_system.pids) == {"api", "actions", "rasa"}
    for name, pid in running_system.pids.items():
        addresses = listening_addresses(pid)
        assert addresses, f"{name} listens on no TCP socket"
        outside = [address for address, _port in addresses if not is_loopback(address)]
        assert outside == [], f"{name} listens beyond loopback: {sorted(addresses)}"
    ports = {
        name: {port for _address, port in listening_addresses(pid)}
        for name, pid in running_system.pids.items()
    }
    assert int(running_system.api_url.rsplit(":", 1)[1]) in ports["api"]
    assert int(running_system.rasa_url.rsplit(":", 1)[1]) in ports["rasa"]
    assert int(running_system.action_url.rsplit(":", 1)[1]) in ports["actions"]


def test_action_server_needs_the_secret(running_system: RunningSystem) -> None:
    call = {
        "next_action": "action_decline_offer",
        "sender_id": "telegram:1",
        "tracker": {"sender_id": "telegram:1", "slots": {}, "events": []},
        "domain": {},
    }
    refused = httpx.post(f"{running_system.action_url}/webhook", json=call, timeout=30)
    assert refused.status_code == 401
    accepted = httpx.post(
        f"{running_system.action_url}/webhook",
        json=call,
        headers={ACTION_SECRET_HEADER: running_system.action_secret},
        timeout=30,
    )
    assert accepted.status_code == 200
    assert accepted.json()["events"][0]["name"] == "offer"


def test_rasa_api_needs_the_token(running_system: RunningSystem) -> None:
    path = f"{running_system.rasa_url}/conversations/telegram:e2e-token/tracker"
    # Rasa answers 401 NotAuthenticated to a missing and to a wrong token alike (no JWT set up)
    assert httpx.get(path, timeout=30).status_code == 401
    assert httpx.get(path, params={"token": "wrong"}, timeout=30).status_code == 401
    answer = httpx.get(path, params={"token": running_system.rasa_token}, timeout=30)
    assert answer.status_code == 200
    assert answer.json()["sender_id"] == "telegram:e2e-token"
    parse = httpx.post(f"{running_system.rasa_url}/model/parse", json={"text": "你好"}, timeout=30)
    assert parse.status_code == 401
    # no CORS: Rasa does not invite browsers on other origins
    preflight = httpx.options(
        f"{running_system.rasa_url}/webhooks/rest/webhook",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
        timeout=30,
    )
    assert "access-control-allow-origin" not in preflight.headers


def test_conversations_are_stored_with_id_numbers_masked(running_system: RunningSystem) -> None:
    sender = "telegram:e2e-store"
    replies = running_system.say(sender, f"我的身份证号是{ID_NUMBER}")
    assert isinstance(replies, list)
    engine = create_engine(running_system.tracker_store_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT type_name, data FROM events WHERE sender_id = :s ORDER BY id"),
                {"s": sender},
            ).all()
    finally:
        engine.dispose()
    assert rows, "Rasa stored nothing in the SQL tracker store"
    texts = [json.loads(data).get("text") for kind, data in rows if kind == "user"]
    assert texts == ["我的身份证号是330183********0116"]
    assert all(ID_NUMBER not in data for kind, data in rows if kind in ("user", "bot"))
