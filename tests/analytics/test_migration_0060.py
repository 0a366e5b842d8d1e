"""Migration 0060 (conversation funnel) creates exactly the models' tables (alembic's comparison
finds nothing to change for them), and goes down and up again."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Table, create_engine, inspect

from huimin.settings import Settings
from workflows.db import Base
from workflows.migrate import alembic_config, upgrade_to_head
from workflows.models_registry import import_all_models

TABLES = {"analytics_conversations", "analytics_steps"}


def _names(diff: object) -> set[str]:
    found: set[str] = set()
    for item in diff if isinstance(diff, list) else [diff]:
        for part in item[1:] if isinstance(item, tuple) else ():
            if isinstance(part, Table):
                found.add(part.name)
            elif getattr(part, "table", None) is not None:
                found.add(part.table.name)
            elif isinstance(part, str):
                found.add(part)
    return found


def test_the_migrated_schema_matches_the_models(db_url: str) -> None:
    import_all_models()
    engine = create_engine(db_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            diffs = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()
    assert [d for d in diffs if _names(d) & TABLES] == []


def test_0060_down_and_up(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'f.db'}"
    settings = Settings(_env_file=None, database_url=url, var_dir=tmp_path)  # type: ignore[call-arg]
    upgrade_to_head(settings)

    def tables() -> set[str]:
        engine = create_engine(url)
        try:
            return set(inspect(engine).get_table_names())
        finally:
            engine.dispose()

    assert tables() >= TABLES
    command.downgrade(alembic_config(settings), "0050_visit_followups")
    assert not tables() & TABLES
    upgrade_to_head(settings)
    assert tables() >= TABLES
