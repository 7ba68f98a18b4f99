"""the job queue's results: one row per piece of long work, keyed by its content (issue 20)

Revision ID: 0005_jobs
Revises: 0004_shared_programs
Create Date: 2026-12-07 18:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_jobs"
down_revision = "0004_shared_programs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=True),
        sa.Column("jurisdiction_id", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column("spec", sa.Text(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_index("ix_jobs_plan_id", "jobs", ["plan_id"])
    op.create_index("ix_jobs_jurisdiction_id", "jobs", ["jurisdiction_id"])


def downgrade() -> None:
    op.drop_index("ix_jobs_jurisdiction_id", table_name="jobs")
    op.drop_index("ix_jobs_plan_id", table_name="jobs")
    op.drop_table("jobs")
