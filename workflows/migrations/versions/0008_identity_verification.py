"""identity verification: verifications, SMS one-time codes, OpenID Connect logins

Revision ID: 0008_identity_verification
Revises: 0007_audit_hmac
Create Date: 2026-11-30 03:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_identity_verification"
down_revision = "0007_audit_hmac"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "identity_verifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=120), nullable=False),
        sa.Column("id_number_hash", sa.String(length=64), nullable=False),
        sa.Column("id_number_masked", sa.String(length=18), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("staff_username", sa.String(length=64), nullable=True),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_verifications")),
    )
    op.create_index(
        "ix_identity_verifications_subject_id",
        "identity_verifications",
        ["subject", "id_number_hash"],
        unique=False,
    )
    op.create_table(
        "identity_otp_challenges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=120), nullable=False),
        sa.Column("id_number_hash", sa.String(length=64), nullable=False),
        sa.Column("phone_masked", sa.String(length=20), nullable=False),
        sa.Column("salt", sa.String(length=32), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_otp_challenges")),
    )
    op.create_index(
        "ix_identity_otp_challenges_subject_created",
        "identity_otp_challenges",
        ["subject", "created_at"],
        unique=False,
    )
    op.create_index(
        "ix_identity_otp_challenges_id_created",
        "identity_otp_challenges",
        ["id_number_hash", "created_at"],
        unique=False,
    )
    op.create_table(
        "identity_oidc_logins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=128), nullable=False),
        sa.Column("nonce", sa.String(length=128), nullable=False),
        sa.Column("subject", sa.String(length=120), nullable=False),
        sa.Column("id_number_hash", sa.String(length=64), nullable=False),
        sa.Column("id_number_masked", sa.String(length=18), nullable=False),
        sa.Column("id_number_audit_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_oidc_logins")),
        sa.UniqueConstraint("state", name=op.f("uq_identity_oidc_logins_state")),
        sa.UniqueConstraint("ticket_id", name=op.f("uq_identity_oidc_logins_ticket_id")),
    )


def downgrade() -> None:
    op.drop_table("identity_oidc_logins")
    op.drop_index("ix_identity_otp_challenges_id_created", table_name="identity_otp_challenges")
    op.drop_index(
        "ix_identity_otp_challenges_subject_created", table_name="identity_otp_challenges"
    )
    op.drop_table("identity_otp_challenges")
    op.drop_index("ix_identity_verifications_subject_id", table_name="identity_verifications")
    op.drop_table("identity_verifications")
