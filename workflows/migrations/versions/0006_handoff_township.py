"""handoffs: the township the resident named (null: the district queue), scoping who sees it

Revision ID: 0006_handoff_township
Revises: 0005_handoff_conversation_id
Create Date: 2026-11-29 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_handoff_township"
down_revision = "0005_handoff_conversation_id"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("handoffs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("township_code", sa.String(length=12), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_handoffs_township_code"), ["township_code"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("handoffs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_handoffs_township_code"))
        batch_op.drop_column("township_code")
