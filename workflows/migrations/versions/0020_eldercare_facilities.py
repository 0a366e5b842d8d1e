"""eldercare_facilities: the elder-care service directory (幸福颐养)

Revision ID: 0020_eldercare_facilities
Revises: 0009_application_identity
Create Date: 2026-11-30 07:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020_eldercare_facilities"
down_revision = "0030_process_profiles"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "eldercare_facilities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("township_code", sa.String(length=12), nullable=False),
        sa.Column("community", sa.String(length=60), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("hours", sa.String(length=100), nullable=False),
        sa.Column("services", sa.String(length=200), nullable=False),
        sa.Column("price_note", sa.Text(), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=False),
        sa.Column("operator", sa.String(length=100), nullable=False),
        sa.Column("checked_on", sa.Date(), nullable=False),
        sa.Column("sample", sa.Boolean(), nullable=False),
        sa.Column("total_beds", sa.Integer(), nullable=True),
        sa.Column("nursing_beds", sa.Integer(), nullable=True),
        sa.Column("dementia_zone", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_eldercare_facilities")),
        sa.UniqueConstraint("code", name=op.f("uq_eldercare_facilities_code")),
    )
    op.create_index(
        op.f("ix_eldercare_facilities_kind"), "eldercare_facilities", ["kind"], unique=False
    )
    op.create_index(
        op.f("ix_eldercare_facilities_township_code"),
        "eldercare_facilities",
        ["township_code"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_eldercare_facilities_township_code"), table_name="eldercare_facilities")
    op.drop_index(op.f("ix_eldercare_facilities_kind"), table_name="eldercare_facilities")
    op.drop_table("eldercare_facilities")
