"""live hand-off: statuses waiting/active/closed, claim, messages both ways, outbox link

Revision ID: 0010_live_handoff
Revises: 0009_application_identity
Create Date: 2026-11-30 06:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_live_handoff"
down_revision = "0009_application_identity"
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("handoffs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("waiting_since", _TS, nullable=True))
        batch_op.add_column(sa.Column("claimed_by", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("claimed_at", _TS, nullable=True))
        batch_op.add_column(sa.Column("staff_display_name", sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column("first_response_at", _TS, nullable=True))
        batch_op.add_column(sa.Column("timeout_notified_at", _TS, nullable=True))
    op.execute("UPDATE handoffs SET status = 'waiting' WHERE status = 'open'")
    op.execute("UPDATE handoffs SET status = 'closed' WHERE status = 'released'")
    op.execute("UPDATE handoffs SET waiting_since = created_at WHERE waiting_since IS NULL")
    op.create_table(
        "handoff_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("handoff_id", sa.Integer(), nullable=False),
        sa.Column("sender", sa.String(length=10), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("staff_username", sa.String(length=64), nullable=True),
        sa.Column("created_at", _TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["handoff_id"], ["handoffs.id"], name=op.f("fk_handoff_messages_handoff_id_handoffs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handoff_messages")),
    )
    op.create_index(
        op.f("ix_handoff_messages_handoff_id"), "handoff_messages", ["handoff_id"], unique=False
    )
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("handoff_message_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_outbox_messages_handoff_message_id_handoff_messages"),
            "handoff_messages",
            ["handoff_message_id"],
            ["id"],
        )
        # The web chat reads its own messages by (channel, user): /chat/api/updates.
        batch_op.create_index(
            "ix_outbox_messages_recipient", ["channel", "channel_user_id", "id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_messages_recipient")
        batch_op.drop_constraint(
            batch_op.f("fk_outbox_messages_handoff_message_id_handoff_messages"),
            type_="foreignkey",
        )
        batch_op.drop_column("handoff_message_id")
    op.drop_index(op.f("ix_handoff_messages_handoff_id"), table_name="handoff_messages")
    op.drop_table("handoff_messages")
    op.execute("UPDATE handoffs SET status = 'open' WHERE status IN ('waiting', 'active')")
    op.execute("UPDATE handoffs SET status = 'released' WHERE status = 'closed'")
    with op.batch_alter_table("handoffs", schema=None) as batch_op:
        for column in (
            "timeout_notified_at",
            "first_response_at",
            "staff_display_name",
            "claimed_at",
            "claimed_by",
            "waiting_since",
        ):
            batch_op.drop_column(column)
