"""program_cases: drop the single-column township indexes (prefixes of the queue indexes)

Revision ID: 0004_drop_township_indexes
Revises: 0003_case_queue_indexes
Create Date: 2026-11-28 21:50:00
"""

from __future__ import annotations

from alembic import op

revision = "0004_drop_township_indexes"
down_revision = "0003_case_queue_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("program_cases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_program_cases_handling_township_code"))
        batch_op.drop_index(batch_op.f("ix_program_cases_submitted_township_code"))


def downgrade() -> None:
    with op.batch_alter_table("program_cases", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_program_cases_submitted_township_code"),
            ["submitted_township_code"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_program_cases_handling_township_code"),
            ["handling_township_code"],
            unique=False,
        )
