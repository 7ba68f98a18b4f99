"""a jurisdiction's actuals per closed FY (cost model §11) and their history

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 12:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "fund_actuals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("jurisdiction_id", sa.Integer(), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("entry", sa.Text(), nullable=False),
        sa.Column("outcomes", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["jurisdiction_id"], ["jurisdictions.id"],
                                name=op.f("fk_fund_actuals_jurisdiction_id_jurisdictions"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fund_actuals")),
        sa.UniqueConstraint("jurisdiction_id", "fiscal_year",
                            name=op.f("uq_fund_actuals_jurisdiction_id")),
    )
    with op.batch_alter_table("fund_actuals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fund_actuals_jurisdiction_id"),
                              ["jurisdiction_id"], unique=False)
    op.create_table(
        "fund_actual_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("jurisdiction_id", sa.Integer(), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("user_email", sa.String(length=254), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("old_value", sa.Text(), nullable=True),
        sa.Column("new_value", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["jurisdiction_id"], ["jurisdictions.id"],
                                name=op.f("fk_fund_actual_changes_jurisdiction_id_jurisdictions"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_fund_actual_changes_user_id_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fund_actual_changes")),
    )
    with op.batch_alter_table("fund_actual_changes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fund_actual_changes_jurisdiction_id"),
                              ["jurisdiction_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("fund_actual_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fund_actual_changes_jurisdiction_id"))
    op.drop_table("fund_actual_changes")
    with op.batch_alter_table("fund_actuals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fund_actuals_jurisdiction_id"))
    op.drop_table("fund_actuals")
