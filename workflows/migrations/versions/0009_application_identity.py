"""applications: whether the applicant's identity was verified (method, when, by which staff)

Revision ID: 0009_application_identity
Revises: 0008_identity_verification
Create Date: 2026-12-01 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_application_identity"
down_revision = "0008_identity_verification"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("identity_verified_method", sa.String(length=16), nullable=True)
        )
        batch_op.add_column(
            sa.Column("identity_verified_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("identity_verified_by", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.drop_column("identity_verified_by")
        batch_op.drop_column("identity_verified_at")
        batch_op.drop_column("identity_verified_method")
