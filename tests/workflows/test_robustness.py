"""Bad input never gives a 500 or a half-written record; ID numbers never reach the logs."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from huimin.log_privacy import MaskIdNumbers
from workflows.applications.models import Application

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
FIELDS = [
    "channel",
    "applicant",
    "programs",
    "members",
    "consent_verification",
    "hukou_township_code",
    "residence_township_code",
    "property",
    "consent_at",
]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(field=st.sampled_from(FIELDS), value=json_values)
def test_any_wrong_field_value_is_422_or_201_never_500(
    client: TestClient,
    app: FastAPI,
    internal: dict[str, str],
    body: Callable[..., dict[str, Any]],
    db_url: str,
    field: str,
    value: Any,
) -> None:
    if not db_url.startswith("sqlite"):
        pytest.skip("property test runs on SQLite only (same code path, keeps the suite fast)")
    with app.state.session_factory() as session:
        before = session.scalar(select(func.count()).select_from(Application))
    answer = client.post("/api/applications", json=body(**{field: value}), headers=internal)
    assert answer.status_code in (201, 422), answer.text
    with app.state.session_factory() as session:
        after = session.scalar(select(func.count()).select_from(Application))
    if answer.status_code == 422:
        assert after == before
        for error in answer.json()["detail"]:
            assert not error["msg"].isascii(), error
    else:
        assert after == (before or 0) + 1


@pytest.mark.parametrize("path", ["/api/cases/99999999999999999999", "/api/applications/0"])
def test_absurd_ids_are_422(client: TestClient, internal: dict[str, str], path: str) -> None:
    assert client.get(path, headers=internal).status_code == 422


def test_id_numbers_are_masked_in_logs(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("test.privacy")
    logger.addFilter(MaskIdNumbers())
    with caplog.at_level(logging.INFO, logger="test.privacy"):
        logger.info('"GET /api/registry/households/%s HTTP/1.1" 200', "330183197803120116")
    assert "330183197803120116" not in caplog.text
    assert "330183********0116" in caplog.text
