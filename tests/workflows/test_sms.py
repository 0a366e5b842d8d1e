"""Counter applicants hear from us by SMS: routed to channel "sms" keyed by their phone and
delivered by `deliver-sms` through a real HTTP gateway (a tiny server on 127.0.0.1)."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import select

from workflows.__main__ import main as cli_main
from workflows.cli.sms import deliver_sms
from workflows.notifications.sms import mask_phone
from workflows.outbox.models import OutboxMessage

PHONE = "13912345678"
Login = Callable[[str], dict[str, str]]
Body = Callable[..., dict[str, Any]]


@dataclass
class Gateway:
    url: str
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    received: list[tuple[dict[str, Any], str | None]] = field(default_factory=list)


@pytest.fixture
def gateway() -> Iterator[Gateway]:
    state = Gateway(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            payload = json.loads(self.rfile.read(length))
            state.received.append((payload, self.headers.get("Authorization")))
            self.send_response(state.status)
            for name, value in state.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/send"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


def _counter_case(client: TestClient, login: Login, body: Body, phone: str | None) -> int:
    answer = client.post(
        "/api/applications",
        json=body(
            channel="counter",
            channel_user_id=None,
            programs=["temporary"],
            applicant={
                "name": "张三",
                "id_number": body()["applicant"]["id_number"],
                "phone": phone,
            },
        ),
        headers=login("counter_fuchun"),
    )
    assert answer.status_code == 201, answer.text
    case_id: int = answer.json()["cases"][0]["id"]
    asked = client.post(
        f"/api/cases/{case_id}/transitions",
        json={"action": "request_materials", "missing_materials": ["户口簿复印件"]},
        headers=login("rev_fuchun"),
    )
    assert asked.status_code == 200, asked.text
    return case_id


def _messages(app: FastAPI) -> list[OutboxMessage]:
    with app.state.session_factory() as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def _settings(app: FastAPI, gateway: Gateway) -> Any:
    return app.state.settings.model_copy(
        update={"sms_gateway_url": gateway.url, "sms_gateway_token": SecretStr("sms-secret")}
    )


def test_counter_notification_is_an_sms_delivered_through_the_gateway(
    client: TestClient,
    app: FastAPI,
    login: Login,
    body: Body,
    gateway: Gateway,
    caplog: pytest.LogCaptureFixture,
) -> None:
    _counter_case(client, login, body, PHONE)
    [message] = _messages(app)
    assert (message.channel, message.channel_user_id) == ("sms", PHONE)
    assert "户口簿复印件" in message.text
    with caplog.at_level(logging.INFO):
        assert deliver_sms(_settings(app, gateway), once=True) == 0
    assert gateway.received == [({"phone": PHONE, "text": message.text}, "Bearer sms-secret")]
    [delivered] = _messages(app)
    assert delivered.status == "delivered"
    assert delivered.delivered_at is not None
    assert PHONE not in caplog.text
    assert mask_phone(PHONE) == "139****5678"
    assert "139****5678" in caplog.text
    # nothing left: a second run sends nothing
    assert deliver_sms(_settings(app, gateway), once=True) == 0
    assert len(gateway.received) == 1


def test_gateway_errors_retry_later_or_give_up(
    client: TestClient, app: FastAPI, login: Login, body: Body, gateway: Gateway
) -> None:
    _counter_case(client, login, body, PHONE)
    gateway.status, gateway.headers = 503, {"Retry-After": "600"}
    assert deliver_sms(_settings(app, gateway), once=True) == 1
    [message] = _messages(app)
    assert (message.status, message.attempts) == ("pending", 1)
    assert "503" in (message.last_error or "")
    assert message.lease_until is None
    waited = (message.next_attempt_at - message.created_at).total_seconds()
    assert waited >= 600
    # not due yet: a run now claims nothing
    assert deliver_sms(_settings(app, gateway), once=True) == 0
    assert len(gateway.received) == 1

    _counter_case(client, login, body, "13800001111")
    gateway.status, gateway.headers = 400, {}
    assert deliver_sms(_settings(app, gateway), once=True) == 1
    refused = _messages(app)[-1]
    assert (refused.status, refused.channel_user_id) == ("dead", "13800001111")


def test_unreachable_gateway_keeps_the_message(
    client: TestClient, app: FastAPI, login: Login, body: Body
) -> None:
    _counter_case(client, login, body, PHONE)
    closed = app.state.settings.model_copy(update={"sms_gateway_url": "http://127.0.0.1:9/send"})
    assert deliver_sms(closed, once=True) == 1
    [message] = _messages(app)
    assert message.status == "pending"
    assert "unreachable" in (message.last_error or "")


def test_counter_without_mobile_and_chat_channels_are_not_sms(
    client: TestClient, app: FastAPI, login: Login, body: Body, submit: Callable[..., Any]
) -> None:
    _counter_case(client, login, body, None)
    case_id = submit(programs=["temporary"])["cases"][0]["id"]  # a Telegram applicant
    asked = client.post(
        f"/api/cases/{case_id}/transitions",
        json={"action": "request_materials", "missing_materials": ["身份证"]},
        headers=login("rev_fuchun"),
    )
    assert asked.status_code == 200, asked.text
    assert [(m.channel, m.channel_user_id) for m in _messages(app)] == [
        ("counter", None),
        ("telegram", "10001"),
    ]


def test_deliver_sms_is_off_without_a_gateway(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["deliver-sms", "--once"]) == 2
    assert "HUIMIN_SMS_GATEWAY_URL" in capsys.readouterr().err
