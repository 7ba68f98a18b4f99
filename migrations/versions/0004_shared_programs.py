"""programs shared between governments (cost model §17)

Revision ID: 0004_shared_programs
Revises: 0003
Create Date: 2026-12-07 18:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_shared_programs"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "shared_programs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lead_plan_id", sa.Integer(), nullable=False),
        sa.Column("partner_jurisdiction_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.String(length=64), nullable=False),
        sa.Column("program", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("partner_plan_id", sa.Integer(), nullable=True),
        sa.Column("line_id", sa.String(length=64), nullable=True),
        sa.Column("invited_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["lead_plan_id"],
            ["plans.id"],
            name=op.f("fk_shared_programs_lead_plan_id_plans"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["partner_jurisdiction_id"],
            ["jurisdictions.id"],
            name=op.f("fk_shared_programs_partner_jurisdiction_id_jurisdictions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["partner_plan_id"],
            ["plans.id"],
            name=op.f("fk_shared_programs_partner_plan_id_plans"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["invited_by_id"],
            ["users.id"],
            name=op.f("fk_shared_programs_invited_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shared_programs")),
        sa.UniqueConstraint(
            "lead_plan_id",
            "partner_jurisdiction_id",
            name=op.f("uq_shared_programs_lead_plan_id"),
        ),
    )
    with op.batch_alter_table("shared_programs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_shared_programs_lead_plan_id"), ["lead_plan_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_shared_programs_partner_jurisdiction_id"),
            ["partner_jurisdiction_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_shared_programs_partner_plan_id"), ["partner_plan_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("shared_programs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shared_programs_partner_plan_id"))
        batch_op.drop_index(batch_op.f("ix_shared_programs_partner_jurisdiction_id"))
        batch_op.drop_index(batch_op.f("ix_shared_programs_lead_plan_id"))
    op.drop_table("shared_programs")
