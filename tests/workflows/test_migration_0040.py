"""Migration 0040 (幸福颐养 part 2) creates exactly the models' tables, columns, indexes and
constraints (alembic's own comparison finds nothing to change), and goes down and up again."""

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

TABLES = {
    "visit_targets",
    "visit_target_categories",
    "visits",
    "visit_worker_areas",
    "review_schedules",
    "timebank_accounts",
    "timebank_offers",
    "timebank_transfers",
    "timebank_movements",
    "discovery_findings",
    "visit_rate_snapshots",
}


def test_the_migrated_schema_matches_the_models(db_url: str) -> None:
    import_all_models()
    engine = create_engine(db_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            diffs = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()

    def touches_mine(diff: object) -> bool:
        items = diff if isinstance(diff, list) else [diff]
        for item in items:
            for part in item[1:] if isinstance(item, tuple) else ():
                if isinstance(part, Table):
                    name: object = part.name
                elif getattr(part, "table", None) is not None:
                    name = part.table.name
                else:
                    name = part
                if name in TABLES:
                    return True
        return False

    mine = [d for d in diffs if touches_mine(d)]
    assert mine == []


def test_0040_down_and_up(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'e.db'}"
    settings = Settings(_env_file=None, database_url=url, var_dir=tmp_path)  # type: ignore[call-arg]
    upgrade_to_head(settings)

    def tables() -> set[str]:
        engine = create_engine(url)
        try:
            return set(inspect(engine).get_table_names())
        finally:
            engine.dispose()

    assert tables() >= TABLES
    command.downgrade(alembic_config(settings), "0009_application_identity")
    assert not tables() & TABLES
    upgrade_to_head(settings)
    assert tables() >= TABLES
