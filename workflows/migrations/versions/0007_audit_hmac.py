"""audit: hash_version per row (1 = plain SHA-256 before this revision, 2 = HMAC-SHA256 with
the key kept outside the database) and, on PostgreSQL, a statement-level BEFORE TRUNCATE
trigger (row triggers do not fire on TRUNCATE)

Existing rows keep version 1: migrations never see the HMAC key, so they cannot re-seal.
``python -m workflows reseal-audit`` checks the old chain and re-seals it with the key;
verify-audit reports version-1 rows until then.

Revision ID: 0007_audit_hmac
Revises: 0006_handoff_township
Create Date: 2026-12-01 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_audit_hmac"
down_revision = "0006_handoff_township"
branch_labels = None
depends_on = None

# The function of migration 0002 raises for any trigger; a statement-level trigger may use it.
_PG_TRUNCATE_TRIGGER = """
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()
"""


def upgrade() -> None:
    # A plain ADD COLUMN (no batch copy): on SQLite a table copy would lose the triggers.
    op.add_column(
        "audit_events",
        sa.Column("hash_version", sa.SmallInteger(), nullable=False, server_default="1"),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_TRUNCATE_TRIGGER)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events")
    op.drop_column("audit_events", "hash_version")
