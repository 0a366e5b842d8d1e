"""Visit follow-ups: a visit lead turned into a 临时救助 application (one per lead), and the
township alerts shown to staff (issue #15 follow-ups)

Revision ID: 0050_visit_followups
Revises: 0040_eldercare_visits_timebank
Create Date: 2026-11-30 07:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0050_visit_followups"
down_revision = "0040_eldercare_visits_timebank"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lead_conversions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("converted_by", sa.String(length=64), nullable=False),
        sa.Column("converted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_lead_conversions_application_id_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["lead_id"], ["leads.id"], name=op.f("fk_lead_conversions_lead_id_leads")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lead_conversions")),
        sa.UniqueConstraint("lead_id", name=op.f("uq_lead_conversions_lead_id")),
    )
    op.create_table(
        "township_alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("outbox_message_id", sa.Integer(), nullable=False),
        sa.Column("township_code", sa.String(length=12), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("shown_to", sa.String(length=64), nullable=False),
        sa.Column("shown_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_by", sa.String(length=64), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["outbox_message_id"],
            ["outbox_messages.id"],
            name=op.f("fk_township_alerts_outbox_message_id_outbox_messages"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_township_alerts")),
        sa.UniqueConstraint("outbox_message_id", name=op.f("uq_township_alerts_outbox_message_id")),
    )
    with op.batch_alter_table("township_alerts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_township_alerts_township_code"), ["township_code"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("township_alerts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_township_alerts_township_code"))
    op.drop_table("township_alerts")
    op.drop_table("lead_conversions")
