"""The migrated schema has exactly the models' indexes on program_cases (migration 0004 dropped
the single-column township indexes), and 0004 goes down and up again."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import create_engine, inspect

from huimin.settings import Settings
from workflows.cases.models import ProgramCase
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


def test_0004_down_and_up(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    settings = Settings(_env_file=None, database_url=url, var_dir=tmp_path)  # type: ignore[call-arg]
    upgrade_to_head(settings)
    assert not DROPPED & _index_names(url)
    command.downgrade(alembic_config(settings), "0003_case_queue_indexes")
    assert _index_names(url) >= DROPPED
    upgrade_to_head(settings)
    assert not DROPPED & _index_names(url)
