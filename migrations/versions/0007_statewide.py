"""the statewide view (issue 24): analysts, each plan's stored figures, each government's

Revision ID: 0007_statewide
Revises: 0006_public_pages
Create Date: 2026-12-07 21:30:00

The figures are filled when a plan is saved and by `planner statewide refresh` for plans
saved before this revision (the engine is not run inside a migration).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_statewide"
down_revision = "0006_public_pages"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("is_analyst", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.create_table(
        "plan_summaries",
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("jurisdiction_id", sa.Integer(), nullable=False),
        sa.Column("plan_version", sa.Integer(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("computed_on", sa.Date(), nullable=False),
        sa.Column("first_fy", sa.Integer(), nullable=False),
        sa.Column("last_fy", sa.Integer(), nullable=False),
        sa.Column("receipts", sa.BigInteger(), nullable=False),
        sa.Column("opening_balance", sa.BigInteger(), nullable=False),
        sa.Column("spending", sa.BigInteger(), nullable=False),
        sa.Column("closing_balance", sa.BigInteger(), nullable=False),
        sa.Column("first_deficit_fy", sa.Integer(), nullable=True),
        sa.Column("runway_years", sa.Integer(), nullable=False),
        sa.Column("participants", sa.Numeric(20, 2), nullable=False),
        sa.Column("cost_per_participant", sa.BigInteger(), nullable=True),
        sa.Column("lead_cost", sa.BigInteger(), nullable=False),
        sa.Column("fidelity_passing", sa.Integer(), nullable=False),
        sa.Column("fidelity_rules", sa.Integer(), nullable=False),
        sa.Column("by_strategy", sa.Text(), nullable=False),
        sa.Column("unauthorized_fys", sa.Text(), nullable=False),
        sa.Column("reports", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["plan_id"], ["plans.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["jurisdiction_id"], ["jurisdictions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("plan_id"),
    )
    op.create_index("ix_plan_summaries_jurisdiction_id", "plan_summaries", ["jurisdiction_id"])
    op.create_table(
        "government_figures",
        sa.Column("jurisdiction_id", sa.Integer(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("start_fy", sa.Integer(), nullable=False),
        sa.Column("estimated", sa.Boolean(), nullable=False),
        sa.Column("receipts", sa.BigInteger(), nullable=True),
        sa.Column("smallest_yearly", sa.BigInteger(), nullable=False),
        sa.Column("sustains", sa.Boolean(), nullable=True),
        sa.Column("gap_per_year", sa.BigInteger(), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(["jurisdiction_id"], ["jurisdictions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("jurisdiction_id"),
    )


def downgrade() -> None:
    op.drop_table("government_figures")
    op.drop_index("ix_plan_summaries_jurisdiction_id", table_name="plan_summaries")
    op.drop_table("plan_summaries")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("is_analyst")
