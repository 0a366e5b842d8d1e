"""Fixtures of the analytics tests: Rasa's events as a real Rasa run published them
(``fixtures/rasa_events.json``, recorded by ``scripts/faults/rabbitmq_down.py --record``),
replayed under new sender ids and times; staff accounts for the API."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from workflows.auth import service as auth_service
from workflows.auth.enums import Role

FIXTURE = Path(__file__).parent / "fixtures" / "rasa_events.json"
PASSWORD = "analytics-pass-1"
FUCHUN = "330111001000"
STAFF = {
    "super": (Role.SUPERVISOR, None),
    "district_adviser": (Role.ADVISER, None),
    "rev_fuchun": (Role.REVIEWER, FUCHUN),
    "adviser_fuchun": (Role.ADVISER, FUCHUN),
}


def load_fixture() -> dict[str, Any]:
    return dict(json.loads(FIXTURE.read_text("utf-8")))


@pytest.fixture(scope="session")
def recorded() -> dict[str, Any]:
    return load_fixture()


def conversation(events: list[dict[str, Any]], prefix: str) -> list[dict[str, Any]]:
    """The recorded events of the one sender whose id starts with ``prefix``."""
    senders = {e["sender_id"] for e in events if str(e["sender_id"]).startswith(prefix)}
    assert len(senders) == 1, (prefix, senders)
    return [e for e in events if e["sender_id"] in senders]


def replay(events: list[dict[str, Any]], sender: str, shift: float = 0.0) -> list[dict[str, Any]]:
    """The same events under another sender id, ``shift`` seconds later."""
    out = []
    for event in events:
        copied = copy.deepcopy(event)
        copied["sender_id"] = sender
        copied["timestamp"] = float(event["timestamp"]) + shift
        out.append(copied)
    return out


@pytest.fixture
def staff_users(app: FastAPI) -> None:
    with app.state.session_factory() as session:
        for username, (role, township) in STAFF.items():
            auth_service.create_user(
                session,
                username=username,
                password=PASSWORD,
                role=role,
                township_code=township,
                rounds=4,
                now=app.state.clock.now(),
            )
        session.commit()


@pytest.fixture
def bearer(client: TestClient, staff_users: None) -> Callable[[str], dict[str, str]]:
    def headers(username: str) -> dict[str, str]:
        answer = client.post("/api/auth/token", data={"username": username, "password": PASSWORD})
        assert answer.status_code == 200, answer.text
        return {"Authorization": f"Bearer {answer.json()['access_token']}"}

    return headers
