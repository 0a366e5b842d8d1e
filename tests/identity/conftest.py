"""Fixtures for identity verification: staff, the internal header, a counting registry, a real
local SMS gateway (HTTP server on 127.0.0.1) and helpers to read the identity tables."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy import select

from workflows.audit.models import AuditEvent
from workflows.auth import service as auth_service
from workflows.auth.enums import Role
from workflows.registry import LocalRegistry, RegistryHousehold

# Fictitious people of workflows/registry/data/households.yaml
WANG = "330183197803120116"  # 王某甲, H01 head, mobile 13900000001
LIN = "330183198107050227"  # 林某乙, H01 spouse, mobile 13900000002
CHEN = "330123194111200422"  # 陈某甲, H02, no mobile on record
WANG_MOBILE = "13900000001"

STAFF = {
    "counter_fuchun": (Role.COUNTER, "330111001000", True),
    "rev_fuchun": (Role.REVIEWER, "330111001000", True),
    "adviser": (Role.ADVISER, None, True),
    "gone": (Role.COUNTER, "330111001000", False),
}


class CountingRegistry:
    """The real local registry, counting the lookups that reach it."""

    def __init__(self) -> None:
        self.inner = LocalRegistry()
        self.calls: list[str] = []

    def lookup(self, id_number: str) -> RegistryHousehold | None:
        self.calls.append(id_number)
        return self.inner.lookup(id_number)


@pytest.fixture
def registry(app: FastAPI) -> CountingRegistry:
    counting = CountingRegistry()
    app.state.registry = counting
    return counting


@pytest.fixture
def internal(app: FastAPI) -> dict[str, str]:
    return {"X-Internal-Token": app.state.settings.internal_token.get_secret_value()}


@pytest.fixture
def staff(app: FastAPI) -> None:
    with app.state.session_factory() as session:
        for username, (role, township, active) in STAFF.items():
            user = auth_service.create_user(
                session,
                username=username,
                password="test-password-1",
                role=role,
                township_code=township,
                rounds=4,
                now=app.state.clock.now(),
            )
            user.active = active
        session.commit()


@dataclass
class Gateway:
    url: str
    status: int = 200
    received: list[dict[str, Any]] = field(default_factory=list)

    def last_code(self) -> str:
        import re

        match = re.search(r"核验码为(\d{6})", self.received[-1]["text"])
        assert match, self.received[-1]
        return match.group(1)


@pytest.fixture
def gateway(app: FastAPI) -> Iterator[Gateway]:
    """A real SMS gateway on a free loopback port, configured as the app's gateway."""
    state = Gateway(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            state.received.append(json.loads(self.rfile.read(length)))
            self.send_response(state.status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/send"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.state.settings = app.state.settings.model_copy(
        update={"sms_gateway_url": state.url, "sms_gateway_token": SecretStr("sms-secret")}
    )
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def audit_events(app: FastAPI) -> Callable[[str], list[AuditEvent]]:
    def read(action_prefix: str) -> list[AuditEvent]:
        with app.state.session_factory() as session:
            return [
                event
                for event in session.scalars(select(AuditEvent).order_by(AuditEvent.seq))
                if event.action.startswith(action_prefix)
            ]

    return read
