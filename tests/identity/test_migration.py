"""Migration 0008: the identity tables have the models' columns and indexes, and go down and
up again (read from the revision file, so this holds when the revisions are re-chained)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Table, create_engine, inspect

from huimin.settings import Settings
from workflows.identity.models import IdentityVerification, OidcLogin, OtpChallenge
from workflows.migrate import alembic_config, upgrade_to_head

REVISION_FILE = (
    Path(__file__).resolve().parents[2]
    / "workflows/migrations/versions/0008_identity_verification.py"
)
TABLES = [IdentityVerification, OtpChallenge, OidcLogin]


def _down_revision() -> str:
    spec = importlib.util.spec_from_file_location("rev0008", REVISION_FILE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return str(module.down_revision)


@pytest.mark.parametrize("model", TABLES, ids=lambda m: m.__tablename__)
def test_identity_tables_match_the_models(db_url: str, model: type) -> None:
    table: Table = model.__table__
    engine = create_engine(db_url)
    try:
        inspector = inspect(engine)
        columns = {c["name"]: c for c in inspector.get_columns(table.name)}
        indexes = {str(i["name"]) for i in inspector.get_indexes(table.name)}
    finally:
        engine.dispose()
    assert set(columns) == {c.name for c in table.columns}
    for column in table.columns:
        assert columns[column.name]["nullable"] == column.nullable, column.name
    assert {str(i.name) for i in table.indexes} <= indexes


def test_0008_down_and_up(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'i.db'}"
    settings = Settings(_env_file=None, database_url=url, var_dir=tmp_path)  # type: ignore[call-arg]
    upgrade_to_head(settings)
    engine = create_engine(url)
    try:
        assert "identity_verifications" in inspect(engine).get_table_names()
        command.downgrade(alembic_config(settings), _down_revision())
        names = set(inspect(engine).get_table_names())
        assert not names & {t.__tablename__ for t in TABLES}
        upgrade_to_head(settings)
        assert {t.__tablename__ for t in TABLES} <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
