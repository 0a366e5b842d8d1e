"""program_cases: 先行救助, direct grant on a certificate, referral to another department

Revision ID: 0030_process_profiles
Revises: 0009_application_identity
Create Date: 2026-11-30 07:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0030_process_profiles"
down_revision = "0010_live_handoff"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("program_cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("approved_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("urgent_granted_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("urgent_amount", sa.Numeric(14, 2), nullable=True))
        batch_op.add_column(sa.Column("urgent_reason", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("paperwork_due_date", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("certificate_ref", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("referred_to", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("referral_due_date", sa.Date(), nullable=True))
    # cases approved before this revision granted their program on the day they were decided
    day = (
        "date(decided_at)" if op.get_bind().dialect.name == "sqlite" else "CAST(decided_at AS DATE)"
    )
    op.execute(f"UPDATE program_cases SET approved_on = {day} WHERE status = 'approved'")


def downgrade() -> None:
    with op.batch_alter_table("program_cases", schema=None) as batch_op:
        for column in (
            "referral_due_date",
            "referred_to",
            "certificate_ref",
            "paperwork_due_date",
            "urgent_reason",
            "urgent_amount",
            "urgent_granted_on",
            "approved_on",
        ):
            batch_op.drop_column(column)
