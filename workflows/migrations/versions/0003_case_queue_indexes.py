"""program_cases: queue indexes

Revision ID: 0003_case_queue_indexes
Revises: 0002_audit_append_only
Create Date: 2026-11-28 21:12:38.574663
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_case_queue_indexes"
down_revision = "0002_audit_append_only"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("program_cases", schema=None) as batch_op:
        batch_op.create_index(
            "ix_program_cases_handling_due",
            ["handling_township_code", "due_date", "id"],
            unique=False,
            postgresql_include=["status", "program", "paused_since"],
        )
        batch_op.create_index(
            "ix_program_cases_handling_status_due",
            ["handling_township_code", "status", "due_date", "id"],
            unique=False,
            postgresql_include=["program", "paused_since"],
        )
        batch_op.create_index(
            "ix_program_cases_open_handling_due",
            ["handling_township_code", "due_date", "id"],
            unique=False,
            postgresql_include=["status", "program", "paused_since"],
            postgresql_where=sa.text("status NOT IN ('approved', 'rejected', 'closed')"),
            sqlite_where=sa.text("status NOT IN ('approved', 'rejected', 'closed')"),
        )
        batch_op.create_index(
            "ix_program_cases_open_submitted_due",
            ["submitted_township_code", "due_date", "id"],
            unique=False,
            postgresql_include=["handling_township_code", "status", "program", "paused_since"],
            postgresql_where=sa.text("status NOT IN ('approved', 'rejected', 'closed')"),
            sqlite_where=sa.text("status NOT IN ('approved', 'rejected', 'closed')"),
        )
        batch_op.create_index(
            "ix_program_cases_submitted_due",
            ["submitted_township_code", "due_date", "id"],
            unique=False,
            postgresql_include=["handling_township_code", "status", "program", "paused_since"],
        )
        batch_op.create_index(
            "ix_program_cases_submitted_status_due",
            ["submitted_township_code", "status", "due_date", "id"],
            unique=False,
            postgresql_include=["handling_township_code", "program", "paused_since"],
        )


def downgrade() -> None:
    with op.batch_alter_table("program_cases", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_program_cases_submitted_status_due",
            postgresql_include=["handling_township_code", "program", "paused_since"],
        )
        batch_op.drop_index(
            "ix_program_cases_submitted_due",
            postgresql_include=["handling_township_code", "status", "program", "paused_since"],
        )
        batch_op.drop_index(
            "ix_program_cases_open_submitted_due",
            postgresql_include=["handling_township_code", "status", "program", "paused_since"],
            postgresql_where=sa.text("status NOT IN ('approved', 'rejected', 'closed')"),
            sqlite_where=sa.text("status NOT IN ('approved', 'rejected', 'closed')"),
        )
        batch_op.drop_index(
            "ix_program_cases_open_handling_due",
            postgresql_include=["status", "program", "paused_since"],
            postgresql_where=sa.text("status NOT IN ('approved', 'rejected', 'closed')"),
            sqlite_where=sa.text("status NOT IN ('approved', 'rejected', 'closed')"),
        )
        batch_op.drop_index(
            "ix_program_cases_handling_status_due", postgresql_include=["program", "paused_since"]
        )
        batch_op.drop_index(
            "ix_program_cases_handling_due",
            postgresql_include=["status", "program", "paused_since"],
        )
