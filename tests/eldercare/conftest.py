"""Fixtures for the elder-care API tests: staff tokens and the shipped sample directory."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from workflows.auth import service as auth_service
from workflows.auth.enums import Role
from workflows.eldercare import importer
from workflows.eldercare.communities import SAMPLE_FACILITIES_FILE

PASSWORD = "test-password-1"
STAFF = {
    "rev_fuchun": (Role.REVIEWER, "330111001000"),
    "rev_chunjiang": (Role.REVIEWER, "330111002000"),
    "super": (Role.SUPERVISOR, None),
    "adviser": (Role.ADVISER, None),
}


@pytest.fixture
def internal(app: FastAPI) -> dict[str, str]:
    return {"X-Internal-Token": app.state.settings.internal_token.get_secret_value()}


@pytest.fixture
def login(client: TestClient, app: FastAPI) -> Callable[[str], dict[str, str]]:
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

    def headers(username: str) -> dict[str, str]:
        answer = client.post("/api/auth/token", data={"username": username, "password": PASSWORD})
        assert answer.status_code == 200, answer.text
        return {"Authorization": f"Bearer {answer.json()['access_token']}"}

    return headers


@pytest.fixture
def sample_directory(app: FastAPI) -> None:
    with app.state.session_factory() as session:
        report = importer.import_csv(
            session,
            SAMPLE_FACILITIES_FILE.read_bytes(),
            mode="all",
            actor="test",
            now=app.state.clock.now(),
        )
        assert report.written
        session.commit()
