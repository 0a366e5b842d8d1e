"""workflow core: applications, cases, audit, outbox, staff

Revision ID: 0001_workflow_core
Revises: (none)
Create Date: 2026-11-28 20:43:01.903919
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_workflow_core"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "applications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=True),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("channel_user_id", sa.String(length=100), nullable=True),
        sa.Column("entered_by_staff", sa.String(length=64), nullable=True),
        sa.Column("consent_verification", sa.Boolean(), nullable=False),
        sa.Column("consent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("applicant_name", sa.String(length=60), nullable=False),
        sa.Column("applicant_id_number", sa.String(length=18), nullable=False),
        sa.Column("applicant_phone", sa.String(length=20), nullable=True),
        sa.Column("hukou_township_code", sa.String(length=12), nullable=True),
        sa.Column("hukou_region_text", sa.String(length=200), nullable=True),
        sa.Column("residence_township_code", sa.String(length=12), nullable=True),
        sa.Column("has_residence_permit", sa.Boolean(), nullable=False),
        sa.Column("submitted_township_code", sa.String(length=12), nullable=False),
        sa.Column("documents_later", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_applications")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_applications_idempotency_key")),
        sa.UniqueConstraint("number", name=op.f("uq_applications_number")),
    )
    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_applications_applicant_id_number"), ["applicant_id_number"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_applications_channel_user_id"), ["channel_user_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_applications_submitted_township_code"),
            ["submitted_township_code"],
            unique=False,
        )

    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("entity_type", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.String(length=40), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
        sa.UniqueConstraint("seq", name=op.f("uq_audit_events_seq")),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_events_entity_id"), ["entity_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_audit_events_entity_type"), ["entity_type"], unique=False
        )

    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )
    op.create_table(
        "handoffs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("channel_user_id", sa.String(length=100), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("transcript", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("released_by", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handoffs")),
    )
    with op.batch_alter_table("handoffs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_handoffs_channel_user_id"), ["channel_user_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_handoffs_status"), ["status"], unique=False)

    op.create_table(
        "leads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("channel_user_id", sa.String(length=100), nullable=False),
        sa.Column("township_code", sa.String(length=12), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("contact_phone", sa.String(length=20), nullable=True),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_leads")),
        sa.UniqueConstraint("number", name=op.f("uq_leads_number")),
    )
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_leads_township_code"), ["township_code"], unique=False)

    op.create_table(
        "number_counters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("prefix", sa.String(length=8), nullable=False),
        sa.Column("day", sa.String(length=8), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_number_counters")),
        sa.UniqueConstraint("prefix", "day", name="uq_number_counters_prefix_day"),
    )
    op.create_table(
        "staff_users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("password_hash", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("township_code", sa.String(length=12), nullable=True),
        sa.Column("display_name", sa.String(length=60), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_users")),
        sa.UniqueConstraint("username", name=op.f("uq_staff_users_username")),
    )
    op.create_table(
        "expenditures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column(
            "annual_amount", sa.Numeric(precision=14, scale=2, asdecimal=False), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_expenditures_application_id_applications"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_expenditures")),
    )
    with op.batch_alter_table("expenditures", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_expenditures_application_id"), ["application_id"], unique=False
        )

    op.create_table(
        "household_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("relation", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("id_number", sa.String(length=18), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("sex", sa.String(length=2), nullable=False),
        sa.Column("disability_category", sa.String(length=10), nullable=True),
        sa.Column("disability_grade", sa.Integer(), nullable=True),
        sa.Column("serious_illness", sa.Boolean(), nullable=False),
        sa.Column("in_school", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_household_members_application_id_applications"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_household_members")),
    )
    with op.batch_alter_table("household_members", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_household_members_application_id"), ["application_id"], unique=False
        )

    op.create_table(
        "program_cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("program", sa.String(length=30), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("submitted_township_code", sa.String(length=12), nullable=False),
        sa.Column("handling_township_code", sa.String(length=12), nullable=False),
        sa.Column("routing_reason", sa.Text(), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("allowed_working_days", sa.Integer(), nullable=False),
        sa.Column("extended", sa.Boolean(), nullable=False),
        sa.Column("paused_working_days", sa.Integer(), nullable=False),
        sa.Column("paused_since", sa.Date(), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("due_date_provisional", sa.Boolean(), nullable=False),
        sa.Column("missing_materials", sa.JSON(), nullable=True),
        sa.Column("forward_due_date", sa.Date(), nullable=True),
        sa.Column("public_notice_started_on", sa.Date(), nullable=True),
        sa.Column("public_notice_ends_on", sa.Date(), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_program_cases_application_id_applications"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_program_cases")),
    )
    with op.batch_alter_table("program_cases", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_program_cases_application_id"), ["application_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_program_cases_due_date"), ["due_date"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_program_cases_handling_township_code"),
            ["handling_township_code"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_program_cases_program"), ["program"], unique=False)
        batch_op.create_index(batch_op.f("ix_program_cases_status"), ["status"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_program_cases_submitted_township_code"),
            ["submitted_township_code"],
            unique=False,
        )

    op.create_table(
        "property_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("value", sa.Numeric(precision=14, scale=2, asdecimal=False), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_property_items_application_id_applications"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_property_items")),
    )
    with op.batch_alter_table("property_items", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_property_items_application_id"), ["application_id"], unique=False
        )

    op.create_table(
        "case_forwards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("from_township_code", sa.String(length=12), nullable=False),
        sa.Column("to_township_code", sa.String(length=12), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("by_username", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["program_cases.id"], name=op.f("fk_case_forwards_case_id_program_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_forwards")),
    )
    with op.batch_alter_table("case_forwards", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_forwards_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_case_forwards_from_township_code"), ["from_township_code"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_case_forwards_to_township_code"), ["to_township_code"], unique=False
        )

    op.create_table(
        "documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("storage_key", sa.String(length=255), nullable=False),
        sa.Column("uploaded_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_documents_application_id_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["program_cases.id"], name=op.f("fk_documents_case_id_program_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
    )
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_documents_application_id"), ["application_id"], unique=False
        )

    op.create_table(
        "income_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column(
            "monthly_amount", sa.Numeric(precision=14, scale=2, asdecimal=False), nullable=False
        ),
        sa.Column("exempt", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["household_members.id"],
            name=op.f("fk_income_items_member_id_household_members"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_income_items")),
    )
    with op.batch_alter_table("income_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_income_items_member_id"), ["member_id"], unique=False)

    op.create_table(
        "outbox_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("channel_user_id", sa.String(length=100), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=True),
        sa.Column("application_number", sa.String(length=20), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_outbox_messages_application_id_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["program_cases.id"], name=op.f("fk_outbox_messages_case_id_program_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_messages")),
    )
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_outbox_messages_application_id"), ["application_id"], unique=False
        )
        batch_op.create_index(
            "ix_outbox_messages_claim", ["channel", "status", "next_attempt_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_messages_claim")
        batch_op.drop_index(batch_op.f("ix_outbox_messages_application_id"))

    op.drop_table("outbox_messages")
    with op.batch_alter_table("income_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_income_items_member_id"))

    op.drop_table("income_items")
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_documents_application_id"))

    op.drop_table("documents")
    with op.batch_alter_table("case_forwards", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_forwards_to_township_code"))
        batch_op.drop_index(batch_op.f("ix_case_forwards_from_township_code"))
        batch_op.drop_index(batch_op.f("ix_case_forwards_case_id"))

    op.drop_table("case_forwards")
    with op.batch_alter_table("property_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_property_items_application_id"))

    op.drop_table("property_items")
    with op.batch_alter_table("program_cases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_program_cases_submitted_township_code"))
        batch_op.drop_index(batch_op.f("ix_program_cases_status"))
        batch_op.drop_index(batch_op.f("ix_program_cases_program"))
        batch_op.drop_index(batch_op.f("ix_program_cases_handling_township_code"))
        batch_op.drop_index(batch_op.f("ix_program_cases_due_date"))
        batch_op.drop_index(batch_op.f("ix_program_cases_application_id"))

    op.drop_table("program_cases")
    with op.batch_alter_table("household_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_household_members_application_id"))

    op.drop_table("household_members")
    with op.batch_alter_table("expenditures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_expenditures_application_id"))

    op.drop_table("expenditures")
    op.drop_table("staff_users")
    op.drop_table("number_counters")
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_leads_township_code"))

    op.drop_table("leads")
    with op.batch_alter_table("handoffs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_handoffs_status"))
        batch_op.drop_index(batch_op.f("ix_handoffs_channel_user_id"))

    op.drop_table("handoffs")
    op.drop_table("audit_head")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_events_entity_type"))
        batch_op.drop_index(batch_op.f("ix_audit_events_entity_id"))

    op.drop_table("audit_events")
    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_applications_submitted_township_code"))
        batch_op.drop_index(batch_op.f("ix_applications_channel_user_id"))
        batch_op.drop_index(batch_op.f("ix_applications_applicant_id_number"))

    op.drop_table("applications")
