"""handoffs: the Rasa conversation id, so that a release can resume the conversation

Revision ID: 0005_handoff_conversation_id
Revises: 0004_drop_township_indexes
Create Date: 2026-11-28 22:05:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_handoff_conversation_id"
down_revision = "0004_drop_township_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("handoffs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("conversation_id", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("handoffs", schema=None) as batch_op:
        batch_op.drop_column("conversation_id")
