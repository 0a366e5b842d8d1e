"""Fixtures for the workflow API tests: staff accounts, tokens, application bodies."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from huimin.idcard import make_number
from workflows.auth import service as auth_service
from workflows.auth.enums import Role

FUCHUN = "330111001000"  # 富春街道
CHUNJIANG = "330111002000"  # 春江街道
LUSHAN = "330111004000"  # 鹿山街道
PASSWORD = "test-password-1"

STAFF = {
    "rev_fuchun": (Role.REVIEWER, FUCHUN),
    "counter_fuchun": (Role.COUNTER, FUCHUN),
    "rev_chunjiang": (Role.REVIEWER, CHUNJIANG),
    "rev_lushan": (Role.REVIEWER, LUSHAN),
    "super": (Role.SUPERVISOR, None),
    "adviser": (Role.ADVISER, None),
}


def id_number(year: int = 1970, seq: int = 123, region: str = "330111") -> str:
    return make_number(region, dt.date(year, 3, 14), seq)


@pytest.fixture
def internal(app: FastAPI) -> dict[str, str]:
    return {"X-Internal-Token": app.state.settings.internal_token.get_secret_value()}


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
def login(client: TestClient, staff_users: None) -> Callable[[str], dict[str, str]]:
    tokens: dict[str, dict[str, str]] = {}

    def headers(username: str) -> dict[str, str]:
        if username not in tokens:
            answer = client.post(
                "/api/auth/token", data={"username": username, "password": PASSWORD}
            )
            assert answer.status_code == 200, answer.text
            tokens[username] = {"Authorization": f"Bearer {answer.json()['access_token']}"}
        return tokens[username]

    return headers


@pytest.fixture
def body() -> Callable[..., dict[str, Any]]:
    """A valid application body (a two-person household in 富春街道); override any key."""

    def make(**overrides: Any) -> dict[str, Any]:
        applicant_id = id_number()
        data: dict[str, Any] = {
            "channel": "telegram",
            "channel_user_id": "10001",
            "entered_by_staff": None,
            "consent_verification": True,
            "consent_at": "2026-11-02T09:58:00+08:00",
            "applicant": {"name": "张三", "id_number": applicant_id, "phone": "13800000000"},
            "hukou_township_code": FUCHUN,
            "hukou_region_text": None,
            "residence_township_code": FUCHUN,
            "has_residence_permit": False,
            "programs": ["dibao", "medical"],
            "members": [
                {
                    "relation": "本人",
                    "name": "张三",
                    "id_number": applicant_id,
                    "disability_category": None,
                    "disability_grade": None,
                    "incomes": [{"kind": "wage", "monthly_amount": 1200.0}],
                },
                {
                    "relation": "配偶",
                    "name": "李四",
                    "id_number": id_number(1972, 124),
                    "disability_category": "肢体",
                    "disability_grade": 2,
                    "serious_illness": True,
                    "incomes": [{"kind": "fuxu", "monthly_amount": 300.0}],
                },
            ],
            "property": [{"kind": "deposit", "value": 5000, "note": ""}],
            "expenditures": [{"kind": "medical", "annual_amount": 20000}],
            "documents_later": True,
        }
        data.update(overrides)
        return data

    return make


@pytest.fixture
def submit(
    client: TestClient, internal: dict[str, str], body: Callable[..., dict[str, Any]]
) -> Callable[..., dict[str, Any]]:
    """Submit a body (internal caller) and return the created application JSON."""

    def go(**overrides: Any) -> dict[str, Any]:
        answer = client.post("/api/applications", json=body(**overrides), headers=internal)
        assert answer.status_code == 201, answer.text
        result: dict[str, Any] = answer.json()
        return result

    return go
