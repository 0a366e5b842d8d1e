"""Shared fixtures: the API on a real database, once on SQLite and once on PostgreSQL.

- ``db_url`` (session): a migrated database. SQLite is a file in a temporary folder; PostgreSQL
  is a schema of its own in ``HUIMIN_TEST_POSTGRES_URL`` (default
  postgresql+psycopg://postgres@127.0.0.1:5432/test), dropped at the end, so parallel runs do
  not collide. Unreachable PostgreSQL skips those tests, except with CI=true, where it fails.
- ``app`` / ``client`` (per test): the real application with a controllable clock; every table
  is emptied after each test.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, create_engine, text

from huimin.settings import Settings
from workflows.app import create_app
from workflows.db import Base
from workflows.migrate import upgrade_to_head
from workflows.models_registry import import_all_models

# `running_system` (every process, for e2e tests) and `browser` (one headless Chromium)
pytest_plugins = ["tests.live_system", "tests.browser"]

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
START = dt.datetime(2026, 11, 2, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))  # a Monday


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, start: dt.datetime = START) -> None:
        self.current = start

    def now(self) -> dt.datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += dt.timedelta(**delta)

    def set(self, moment: dt.datetime) -> None:
        self.current = moment


def _postgres_url(schema: str) -> tuple[str, str]:
    base = os.environ.get("HUIMIN_TEST_POSTGRES_URL", DEFAULT_PG_URL)
    joiner = "&" if "?" in base else "?"
    return base, f"{base}{joiner}options=-csearch_path%3D{schema}"


def _prepare_postgres() -> Iterator[str]:
    schema = f"wf_test_{uuid.uuid4().hex[:10]}"
    base, url = _postgres_url(schema)
    try:
        admin = create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"PostgreSQL is required in CI but unreachable: {exc}")
        pytest.skip(f"PostgreSQL unreachable at {base}: {type(exc).__name__}")
    try:
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(
    scope="session",
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
)
def db_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    import_all_models()
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
        upgrade_to_head(Settings(database_url=url, var_dir=tmp_path_factory.mktemp("var")))
        yield url
        return
    generator = _prepare_postgres()
    url = next(generator)
    upgrade_to_head(Settings(database_url=url))
    yield url
    generator.close()


@contextmanager
def audit_protection_lifted(engine: Engine) -> Iterator[Connection]:
    """A connection on which audit_events may be changed (its append-only triggers lifted)."""
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
            yield connection
            connection.execute(text("ALTER TABLE audit_events ENABLE TRIGGER USER"))
            return
        triggers = connection.execute(
            text(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                "AND tbl_name = 'audit_events'"
            )
        ).all()
        for name, _sql in triggers:
            connection.execute(text(f'DROP TRIGGER "{name}"'))
        yield connection
        for _name, sql in triggers:
            connection.execute(text(sql))


def _empty_all_tables(app: FastAPI) -> None:
    engine = app.state.engine
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    if engine.dialect.name == "postgresql":
        # DELETE is far quicker than TRUNCATE on small tables; the replica role skips the
        # append-only trigger for this transaction only.
        with engine.begin() as connection:
            connection.execute(text("SET LOCAL session_replication_role = replica"))
            for name in tables:
                connection.execute(text(f'DELETE FROM "{name}"'))
        return
    with audit_protection_lifted(engine) as connection:
        for name in tables:
            connection.execute(text(f'DELETE FROM "{name}"'))


@pytest.fixture
def lift_audit_protection() -> Callable[[Engine], AbstractContextManager[Connection]]:
    return audit_protection_lifted


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def api_settings(db_url: str, tmp_path: Path) -> Settings:
    return Settings(
        environment="test",
        database_url=db_url,
        var_dir=tmp_path / "var",
        password_hash_rounds=4,
        secret_key="test-secret-key-that-is-long-enough-for-hs256",
        token_ttl_minutes=60 * 24 * 90,  # tests move the clock by weeks
        _env_file=None,  # type: ignore[call-arg]
    )


@pytest.fixture
def app(api_settings: Settings, clock: FakeClock) -> Iterator[FastAPI]:
    application = create_app(api_settings, clock=clock)
    try:
        yield application
    finally:
        _empty_all_tables(application)
        application.state.engine.dispose()


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client
