"""Releasing a hand-off resumes the resident's Rasa conversation (a real HTTP server on
127.0.0.1 stands in for Rasa), and the release stands when Rasa is unreachable."""

from __future__ import annotations

import json
import logging
import socket
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from huimin.settings import Settings
from workflows.audit.models import AuditEvent
from workflows.handoffs.conversation import RasaConversationResumer

Login = Callable[[str], dict[str, str]]
SENDER = "telegram:42"
FUCHUN = "330111001000"  # the township the resident named (rev_fuchun's)


class RasaStub:
    """Records every POST (path, JSON body); answers 200 with a tracker-like body."""

    def __init__(self) -> None:
        self.posts: list[tuple[str, Any]] = []
        self.status = 200
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                stub.posts.append((self.path, json.loads(self.rfile.read(length) or b"null")))
                data = json.dumps({"sender_id": "x"}).encode()
                self.send_response(stub.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)


@pytest.fixture
def rasa() -> Iterator[RasaStub]:
    stub = RasaStub()
    stub.thread.start()
    try:
        yield stub
    finally:
        stub.server.shutdown()
        stub.server.server_close()


def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"  # nothing listens there any more


@pytest.fixture
def api_settings(db_url: str, tmp_path: Path, rasa: RasaStub) -> Settings:
    """The shared settings, with Rasa at the stand-in (the resumer is built from settings)."""
    return Settings(
        environment="test",
        database_url=db_url,
        var_dir=tmp_path / "var",
        password_hash_rounds=4,
        secret_key="test-secret-key-that-is-long-enough-for-hs256",
        rasa_url=rasa.url,
        _env_file=None,  # type: ignore[call-arg]
    )


def _open(client: TestClient, internal: dict[str, str], **extra: Any) -> dict[str, Any]:
    body = {
        "channel": "telegram",
        "channel_user_id": "42",
        "reason": "resident_request",
        "transcript": [{"role": "resident", "text": "我要人工"}],
        "township_code": FUCHUN,
        **extra,
    }
    answer = client.post("/api/handoffs", json=body, headers=internal)
    assert answer.status_code == 201, answer.text
    result: dict[str, Any] = answer.json()
    return result


def test_release_resumes_the_conversation_in_rasa(
    client: TestClient, internal: dict[str, str], login: Login, rasa: RasaStub, app: FastAPI
) -> None:
    opened = _open(client, internal, conversation_id=SENDER)
    assert opened["conversation_id"] == SENDER
    assert rasa.posts == []

    released = client.post(f"/api/handoffs/{opened['id']}/release", headers=login("rev_fuchun"))

    assert released.status_code == 200, released.text
    assert released.json()["status"] == "closed"
    assert released.json()["conversation_resumed"] is True
    # Rasa's HTTP API is behind --auth-token: the resume carries the configured token
    assert rasa.posts == [
        ("/conversations/telegram:42/tracker/events?token=dev-only-rasa-token", {"event": "resume"})
    ]
    with app.state.session_factory() as session:
        actions = [e.action for e in session.query(AuditEvent).order_by(AuditEvent.id)]
    assert actions[-2:] == ["handoff.opened", "handoff.released"]


def test_conversation_id_is_url_encoded(rasa: RasaStub) -> None:
    resumer = RasaConversationResumer(rasa.url + "/", timeout=5)
    assert resumer.resume("counter:rev/1:a b?c#d") is True
    assert rasa.posts == [
        ("/conversations/counter:rev%2F1:a%20b%3Fc%23d/tracker/events", {"event": "resume"})
    ]


def test_rasa_error_answer_is_not_resumed(rasa: RasaStub) -> None:
    rasa.status = 500
    assert RasaConversationResumer(rasa.url).resume(SENDER) is False


def test_release_stands_when_rasa_is_unreachable(
    client: TestClient,
    internal: dict[str, str],
    login: Login,
    app: FastAPI,
    caplog: pytest.LogCaptureFixture,
) -> None:
    app.state.conversation_resumer = RasaConversationResumer(closed_port_url(), timeout=2)
    opened = _open(client, internal, conversation_id=SENDER)

    with caplog.at_level(logging.WARNING, logger="workflows.handoffs.conversation"):
        released = client.post(f"/api/handoffs/{opened['id']}/release", headers=login("rev_fuchun"))

    assert released.status_code == 200, released.text
    assert released.json()["status"] == "closed"
    assert released.json()["conversation_resumed"] is False
    query = {"channel": "telegram", "channel_user_id": "42"}
    assert client.get("/api/handoffs/active", params=query, headers=internal).json() == {
        "active": False,
        "handoff": None,
    }
    messages = [r.getMessage() for r in caplog.records]
    assert any("not resumed" in m for m in messages)
    assert not any("42" in m for m in messages)  # no conversation / user id in the log


def test_release_without_conversation_id_does_not_call_rasa(
    client: TestClient, internal: dict[str, str], login: Login, rasa: RasaStub
) -> None:
    opened = _open(client, internal)
    assert opened["conversation_id"] is None
    released = client.post(f"/api/handoffs/{opened['id']}/release", headers=login("super"))
    assert released.json()["status"] == "closed"
    assert released.json()["conversation_resumed"] is False
    assert rasa.posts == []


def test_releasing_again_retries_the_resume(
    client: TestClient, internal: dict[str, str], login: Login, rasa: RasaStub
) -> None:
    opened = _open(client, internal, conversation_id=SENDER)
    rasa.status = 503
    first = client.post(f"/api/handoffs/{opened['id']}/release", headers=login("rev_fuchun"))
    assert first.json()["conversation_resumed"] is False
    rasa.status = 200
    again = client.post(f"/api/handoffs/{opened['id']}/release", headers=login("rev_fuchun"))
    assert again.json()["conversation_resumed"] is True
    assert again.json()["released_by"] == "rev_fuchun"
    assert len(rasa.posts) == 2


def test_open_handoff_keeps_conversation_id_of_the_open_one(
    client: TestClient, internal: dict[str, str]
) -> None:
    first = _open(client, internal)
    again = _open(client, internal, conversation_id=SENDER)
    assert again["id"] == first["id"]
    assert again["conversation_id"] == SENDER
    too_long = client.post(
        "/api/handoffs",
        json={"channel": "web", "channel_user_id": "1", "conversation_id": "x" * 201},
        headers=internal,
    )
    assert too_long.status_code == 422
