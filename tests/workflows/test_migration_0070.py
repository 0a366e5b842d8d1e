"""Migration 0070 (the only home as a fact, a member's own income, a note on an income) adds
exactly the models' columns (alembic's comparison finds nothing to change for them), marks the
existing only homes from their notes, and goes down and up again; on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, create_engine, inspect, text

from huimin.settings import Settings
from tests.conftest import _postgres_url
from workflows.db import Base
from workflows.migrate import alembic_config, upgrade_to_head
from workflows.models_registry import import_all_models

PREVIOUS = "0060_conversation_funnel"
COLUMNS = {
    ("property_items", "only_home"),
    ("household_members", "own_income_monthly"),
    ("income_items", "note"),
}


def _touches_mine(diff: object) -> bool:
    for item in diff if isinstance(diff, list) else [diff]:
        if not isinstance(item, tuple):
            continue
        parts = [str(part) for part in item[1:] if isinstance(part, str)]
        if any((table, column) in COLUMNS for table in parts for column in parts):
            return True
        column = next((p for p in item[1:] if getattr(p, "table", None) is not None), None)
        if column is not None and (column.table.name, column.name) in COLUMNS:
            return True
    return False


def test_the_migrated_schema_matches_the_models(db_url: str) -> None:
    import_all_models()
    engine = create_engine(db_url)
    try:
        with engine.connect() as connection:
            columns = {
                table: {c["name"] for c in inspect(connection).get_columns(table)}
                for table, _ in COLUMNS
            }
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            diffs = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()
    assert all(column in columns[table] for table, column in COLUMNS)
    assert [d for d in diffs if _touches_mine(d)] == []


def _rows(engine: Engine) -> None:
    """An application with property rows as they were stored before 0070."""
    now = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO applications (id, number, request_hash, channel, consent_verification,"
                " consent_at, applicant_name, applicant_id_number, has_residence_permit,"
                " submitted_township_code, documents_later, created_at) VALUES (1, 'FY1', 'h',"
                " 'web', true, :now, '张三', '330111197003140012', false, '330111001000', true,"
                " :now)"
            ),
            {"now": now},
        )
        for item_id, kind, value, note in [
            (1, "house", 0, "只有一套自住房"),
            (2, "house", 0, "就一套房子自己住"),
            (3, "house", 800000, "还有一套房出租,值80万"),
            (4, "deposit", 0, "只有存款一点点"),
            (5, "house", 0, "有套房"),
        ]:
            connection.execute(
                text(
                    "INSERT INTO property_items (id, application_id, kind, value, note)"
                    " VALUES (:id, 1, :kind, :value, :note)"
                ),
                {"id": item_id, "kind": kind, "value": value, "note": note},
            )


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of this test's own: a SQLite file, or a PostgreSQL schema ``d_…``."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'g.db'}"
        return
    schema = f"d_mig0070_{uuid.uuid4().hex[:8]}"
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


def test_0070_marks_the_only_homes_and_goes_down_and_up(fresh_url: str, tmp_path: Path) -> None:
    settings = Settings(_env_file=None, database_url=fresh_url, var_dir=tmp_path)  # type: ignore[call-arg]
    upgrade_to_head(settings)
    command.downgrade(alembic_config(settings), PREVIOUS)
    engine = create_engine(fresh_url)
    try:
        columns = {c["name"] for c in inspect(engine).get_columns("property_items")}
        assert "only_home" not in columns
        _rows(engine)  # a database that already holds applications
        upgrade_to_head(settings)
        with engine.connect() as connection:
            marked = dict(
                connection.execute(text("SELECT id, only_home FROM property_items")).all()
            )
        assert {k: bool(v) for k, v in marked.items()} == {
            1: True,  # 只有一套自住房
            2: True,  # 自己住
            3: False,  # a house with a value is not the only home
            4: False,  # not a house
            5: False,  # a house the note does not call the only or own home
        }
        command.downgrade(alembic_config(settings), PREVIOUS)
        for table, column in COLUMNS:
            assert column not in {c["name"] for c in inspect(engine).get_columns(table)}
        upgrade_to_head(settings)
        for table, column in COLUMNS:
            assert column in {c["name"] for c in inspect(engine).get_columns(table)}
    finally:
        engine.dispose()
