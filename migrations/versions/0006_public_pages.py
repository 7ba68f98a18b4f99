"""public pages: an adopted plan version published with its figures and files (issue 24)

Revision ID: 0006_public_pages
Revises: 0005_jobs
Create Date: 2026-12-07 21:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_public_pages"
down_revision = "0005_jobs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "publications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("jurisdiction_id", sa.Integer(), nullable=False),
        sa.Column("plan_version", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("adopted_on", sa.Date(), nullable=True),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_by_id", sa.Integer(), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("page", sa.Text(), nullable=False),
        sa.Column("fund_svg", sa.Text(), nullable=False),
        sa.Column("plan_json", sa.Text(), nullable=False),
        sa.Column("projection_json", sa.Text(), nullable=False),
        sa.Column("compliance_json", sa.Text(), nullable=False),
        sa.Column("reports_json", sa.Text(), nullable=False),
        sa.Column("pdf_key", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["plans.id"],
            name="fk_publications_plan_id_plans",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_id"],
            ["jurisdictions.id"],
            name="fk_publications_jurisdiction_id_jurisdictions",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["published_by_id"],
            ["users.id"],
            name="fk_publications_published_by_id_users",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_publications"),
        sa.UniqueConstraint("plan_id", "plan_version", name="uq_publications_version"),
    )
    op.create_index("ix_publications_plan_id", "publications", ["plan_id"])
    op.create_index("ix_publications_jurisdiction_id", "publications", ["jurisdiction_id"])


def downgrade() -> None:
    op.drop_index("ix_publications_jurisdiction_id", table_name="publications")
    op.drop_index("ix_publications_plan_id", table_name="publications")
    op.drop_table("publications")
