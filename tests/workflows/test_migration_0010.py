"""Migration 0010 (live hand-off): open hand-offs become ``waiting`` (since they were opened),
released ones ``closed``; it goes down and up again."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import create_engine, inspect, text

from huimin.settings import Settings
from workflows.migrate import alembic_config, upgrade_to_head

INSERT = (
    "INSERT INTO handoffs (channel, channel_user_id, reason, transcript, status, created_at) "
    "VALUES ('telegram', :user, 'resident_request', '[]', :status, '2026-11-02 02:00:00+00:00')"
)


def test_0010_converts_statuses_and_goes_down_and_up(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    settings = Settings(_env_file=None, database_url=url, var_dir=tmp_path)  # type: ignore[call-arg]
    config = alembic_config(settings)
    command.upgrade(config, "0009_application_identity")
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(text(INSERT), {"user": "1", "status": "open"})
            connection.execute(text(INSERT), {"user": "2", "status": "released"})
        upgrade_to_head(settings)
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT channel_user_id, status, waiting_since FROM handoffs ORDER BY id")
            ).all()
        assert [(r[0], r[1]) for r in rows] == [("1", "waiting"), ("2", "closed")]
        assert rows[0][2] is not None
        assert "handoff_messages" in inspect(engine).get_table_names()
        command.downgrade(config, "0009_application_identity")
        with engine.connect() as connection:
            statuses = connection.execute(text("SELECT status FROM handoffs ORDER BY id")).all()
        assert [s[0] for s in statuses] == ["open", "released"]
        assert "handoff_messages" not in inspect(engine).get_table_names()
        upgrade_to_head(settings)
    finally:
        engine.dispose()
