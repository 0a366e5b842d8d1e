"""The runtime role of docs/SECURITY.md ("PostgreSQL roles") on the test PostgreSQL: granted
exactly by the documented block, it runs the application's writes (an application with its
cases and audit events) but cannot TRUNCATE, UPDATE or DELETE audit rows, nor drop or disable
a trigger."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.exc import DBAPIError

from huimin.settings import PROJECT_ROOT, Settings
from workflows.app import create_app
from workflows.audit.verify import verify_chain

SECURITY_DOC = PROJECT_ROOT / "docs" / "SECURITY.md"
MARKER = "<!-- runtime-grants"


def documented_grants() -> list[str]:
    """The SQL statements of the block after the runtime-grants marker."""
    doc = SECURITY_DOC.read_text(encoding="utf-8")
    after = doc[doc.index(MARKER) :]
    block = re.search(r"```sql\n(.*?)```", after, re.S)
    assert block is not None
    lines = [line for line in block.group(1).splitlines() if not line.startswith("--")]
    return [s.strip() for s in " ".join(lines).split(";") if s.strip()]


def _schema_of(url: str) -> str:
    found = re.search(r"search_path%3D(\w+)", url)
    assert found is not None
    return found.group(1)


@pytest.fixture
def runtime_url(db_url: str, app: FastAPI) -> Iterator[str]:
    if not db_url.startswith("postgresql"):
        pytest.skip("PostgreSQL roles")
    role = f"huimin_app_{uuid.uuid4().hex[:8]}"
    schema = _schema_of(db_url)
    admin = create_engine(db_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE ROLE "{role}" LOGIN'))
        for statement in documented_grants():
            statement = statement.replace("huimin_app", f'"{role}"')
            connection.execute(text(statement.replace("public", f'"{schema}"')))
    try:
        yield make_url(db_url).set(username=role).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP OWNED BY "{role}"'))
            connection.execute(text(f'DROP ROLE "{role}"'))
        admin.dispose()


def test_the_documented_block_is_what_the_test_grants() -> None:
    statements = documented_grants()
    assert any("REVOKE UPDATE, DELETE, TRUNCATE ON public.audit_events" in s for s in statements)
    assert all(s.split()[0] in ("GRANT", "REVOKE") for s in statements)


@pytest.mark.postgres
def test_runtime_role_writes_but_cannot_touch_the_audit_log(
    runtime_url: str,
    api_settings: Settings,
    body: Callable[..., dict[str, Any]],
    tmp_path: Path,
    clock: Any,
) -> None:
    settings = api_settings.model_copy(update={"database_url": runtime_url})
    runtime_app = create_app(settings, clock=clock)
    engine = runtime_app.state.engine
    try:
        with engine.connect() as connection:
            assert connection.scalar(text("SELECT current_user")) == make_url(runtime_url).username
        token = settings.internal_token.get_secret_value()
        with TestClient(runtime_app) as client:
            answer = client.post(
                "/api/applications", json=body(), headers={"X-Internal-Token": token}
            )
        assert answer.status_code == 201, answer.text
        with runtime_app.state.session_factory() as session:
            report = verify_chain(session)
        assert report.ok
        assert report.checked == 3  # application.submitted + two case.opened

        refused = {
            "TRUNCATE audit_events": "permission denied",
            "UPDATE audit_events SET actor = 'x'": "permission denied",
            "DELETE FROM audit_events": "permission denied",
            "DROP TRIGGER audit_events_append_only ON audit_events": "must be owner",
            "ALTER TABLE audit_events DISABLE TRIGGER USER": "must be owner",
            "DROP TABLE audit_events": "must be owner",
            "SET session_replication_role = replica": "permission denied",
            "UPDATE alembic_version SET version_num = 'x'": "permission denied",
        }
        for statement, reason in refused.items():
            with pytest.raises(DBAPIError, match=reason), engine.begin() as connection:
                connection.execute(text(statement))
        with runtime_app.state.session_factory() as session:
            assert verify_chain(session).checked == 3
    finally:
        engine.dispose()
