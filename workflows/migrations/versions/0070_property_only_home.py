"""The only self-occupied home as a fact, a member's own income for 特困, a note on an income
(issue #12 leftovers)

- ``property_items.only_home``: the household's only self-occupied home (唯一自住房), recorded
  as such instead of a value of 0 with a note. Existing rows are marked when they are a house
  worth 0 whose note says it is the only or the self-occupied home (the words the parser reads
  as the only home: 只有 / 唯一 / 自住 / 自己住).
- ``household_members.own_income_monthly``: the person's own monthly income as the resident
  gave it for 特困 (not counting 基础养老金, 高龄津贴 …); null when not asked.
- ``income_items.note``: e.g. an income the household gave as one figure without saying whose
  it is (kept on the applicant, marked).

Revision ID: 0070_property_only_home
Revises: 0060_conversation_funnel
Create Date: 2026-11-30 09:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0070_property_only_home"
down_revision = "0060_conversation_funnel"
branch_labels = None
depends_on = None

ONLY_HOME_WORDS = ("只有", "唯一", "自住", "自己住")


def upgrade() -> None:
    with op.batch_alter_table("property_items", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("only_home", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("household_members", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("own_income_monthly", sa.Numeric(precision=14, scale=2), nullable=True)
        )
    with op.batch_alter_table("income_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("note", sa.Text(), nullable=False, server_default=""))

    items = sa.table(
        "property_items",
        sa.column("kind", sa.String()),
        sa.column("value", sa.Numeric()),
        sa.column("note", sa.Text()),
        sa.column("only_home", sa.Boolean()),
    )
    op.execute(
        items.update()
        .where(
            items.c.kind == "house",
            items.c.value == 0,
            sa.or_(*(items.c.note.contains(word) for word in ONLY_HOME_WORDS)),
        )
        .values(only_home=True)
    )


def downgrade() -> None:
    with op.batch_alter_table("income_items", schema=None) as batch_op:
        batch_op.drop_column("note")
    with op.batch_alter_table("household_members", schema=None) as batch_op:
        batch_op.drop_column("own_income_monthly")
    with op.batch_alter_table("property_items", schema=None) as batch_op:
        batch_op.drop_column("only_home")
