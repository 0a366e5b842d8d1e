"""Run Alembic migrations programmatically."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from huimin.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


def alembic_config(settings: Settings) -> Config:
    """Migrations connect as the schema owner (``database_owner_url``; empty: the same URL as
    the API). On PostgreSQL the API's own role has no DDL rights (docs/SECURITY.md)."""
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "workflows" / "migrations"))
    config.attributes["database_url"] = settings.effective_database_owner_url
    return config


def upgrade_to_head(settings: Settings) -> None:
    if settings.effective_database_owner_url.startswith("sqlite"):
        settings.var_dir.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(settings), "head")
