"""Conversation analytics: Rasa sessions (HMAC keys, channel, week) and the funnel steps each
reached, one row per (conversation, step) (issue #18)

Revision ID: 0060_conversation_funnel
Revises: 0050_visit_followups
Create Date: 2026-11-30 09:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0060_conversation_funnel"
down_revision = "0050_visit_followups"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "analytics_conversations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_key", sa.String(length=64), nullable=False),
        sa.Column("sender_key", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("week_start", sa.Date(), nullable=False),
        sa.Column("iso_week", sa.String(length=8), nullable=False),
        sa.Column("active_form", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analytics_conversations")),
        sa.UniqueConstraint(
            "conversation_key", name=op.f("uq_analytics_conversations_conversation_key")
        ),
    )
    with op.batch_alter_table("analytics_conversations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_analytics_conversations_sender_key"), ["sender_key"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_analytics_conversations_week_start"), ["week_start"], unique=False
        )
    op.create_table(
        "analytics_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(length=64), nullable=False),
        sa.Column("reached_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["analytics_conversations.id"],
            name=op.f("fk_analytics_steps_conversation_id_analytics_conversations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analytics_steps")),
        sa.UniqueConstraint("conversation_id", "step", name="uq_analytics_steps_conversation_step"),
    )
    with op.batch_alter_table("analytics_steps", schema=None) as batch_op:
        batch_op.create_index("ix_analytics_steps_step", ["step"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("analytics_steps", schema=None) as batch_op:
        batch_op.drop_index("ix_analytics_steps_step")
    op.drop_table("analytics_steps")
    with op.batch_alter_table("analytics_conversations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_analytics_conversations_week_start"))
        batch_op.drop_index(batch_op.f("ix_analytics_conversations_sender_key"))
    op.drop_table("analytics_conversations")
