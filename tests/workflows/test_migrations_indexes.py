"""The migrated schema has exactly the models' indexes on program_cases (migration 0004 dropped
the single-column township indexes) and the models' columns on handoffs (0005 added
conversation_id, 0006 township_code), and 0004, 0005 and 0006 go down and up again."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import create_engine, inspect

from huimin.settings import Settings
from workflows.cases.models import ProgramCase
from workflows.handoffs.models import Handoff
from workflows.migrate import alembic_config, upgrade_to_head

DROPPED = {"ix_program_cases_handling_township_code", "ix_program_cases_submitted_township_code"}


def _index_names(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return {str(i["name"]) for i in inspect(engine).get_indexes("program_cases")}
    finally:
        engine.dispose()


def test_program_case_indexes_match_the_models(db_url: str) -> None:
    expected = {str(index.name) for index in ProgramCase.__table__.indexes}
    assert _index_names(db_url) == expected
    assert not DROPPED & expected


def _columns(url: str, table: str) -> dict[str, dict[str, object]]:
    engine = create_engine(url)
    try:
        return {str(c["name"]): dict(c) for c in inspect(engine).get_columns(table)}
    finally:
        engine.dispose()


def test_handoff_columns_match_the_model(db_url: str) -> None:
    columns = _columns(db_url, "handoffs")
    assert set(columns) == {c.name for c in Handoff.__table__.columns}
    assert columns["conversation_id"]["nullable"] is True
    assert getattr(columns["conversation_id"]["type"], "length", None) == 200


def test_0005_down_and_up(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'h.db'}"
    settings = Settings(_env_file=None, database_url=url, var_dir=tmp_path)  # type: ignore[call-arg]
    upgrade_to_head(settings)
    assert "conversation_id" in _columns(url, "handoffs")
    command.downgrade(alembic_config(settings), "0004_drop_township_indexes")
    assert "conversation_id" not in _columns(url, "handoffs")
    upgrade_to_head(settings)
    assert "conversation_id" in _columns(url, "handoffs")


def test_0004_down_and_up(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    settings = Settings(_env_file=None, database_url=url, var_dir=tmp_path)  # type: ignore[call-arg]
    upgrade_to_head(settings)
    assert not DROPPED & _index_names(url)
    command.downgrade(alembic_config(settings), "0003_case_queue_indexes")
    assert _index_names(url) >= DROPPED
    upgrade_to_head(settings)
    assert not DROPPED & _index_names(url)


def _handoff_indexes(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return {str(i["name"]) for i in inspect(engine).get_indexes("handoffs")}
    finally:
        engine.dispose()


def test_handoff_indexes_match_the_model(db_url: str) -> None:
    expected = {str(index.name) for index in Handoff.__table__.indexes}
    assert _handoff_indexes(db_url) == expected
    assert "ix_handoffs_township_code" in expected


def test_0006_down_and_up(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 't.db'}"
    settings = Settings(_env_file=None, database_url=url, var_dir=tmp_path)  # type: ignore[call-arg]
    upgrade_to_head(settings)
    columns = _columns(url, "handoffs")
    assert columns["township_code"]["nullable"] is True
    assert "ix_handoffs_township_code" in _handoff_indexes(url)
    command.downgrade(alembic_config(settings), "0005_handoff_conversation_id")
    assert "township_code" not in _columns(url, "handoffs")
    assert "ix_handoffs_township_code" not in _handoff_indexes(url)
    upgrade_to_head(settings)
    assert "township_code" in _columns(url, "handoffs")
