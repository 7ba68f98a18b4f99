"""revocable sessions, kept deleted plans, administrator actions, long history text,
rate-limit counters

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 09:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("session_epoch", sa.Integer(), nullable=False,
                                      server_default="0"))
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.add_column(sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True))
    # An action names a line id (64 characters) or an uploaded file's name: no fixed width.
    with op.batch_alter_table("plan_changes", schema=None) as batch_op:
        batch_op.alter_column("action", existing_type=sa.String(length=40), type_=sa.Text(),
                              existing_nullable=False)
        batch_op.alter_column("path", existing_type=sa.String(length=300), type_=sa.Text(),
                              existing_nullable=False)
    op.create_table(
        "admin_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_email", sa.String(length=254), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=True),
        sa.Column("target_email", sa.String(length=254), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"],
                                name=op.f("fk_admin_actions_actor_id_users"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["target_id"], ["users.id"],
                                name=op.f("fk_admin_actions_target_id_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admin_actions")),
    )
    with op.batch_alter_table("admin_actions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_admin_actions_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_admin_actions_target_id"), ["target_id"],
                              unique=False)
    op.create_table(
        "rate_limits",
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_rate_limits")),
    )
    with op.batch_alter_table("rate_limits", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rate_limits_expires_at"), ["expires_at"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("rate_limits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rate_limits_expires_at"))
    op.drop_table("rate_limits")
    with op.batch_alter_table("admin_actions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_admin_actions_target_id"))
        batch_op.drop_index(batch_op.f("ix_admin_actions_at"))
    op.drop_table("admin_actions")
    with op.batch_alter_table("plan_changes", schema=None) as batch_op:
        batch_op.alter_column("path", existing_type=sa.Text(), type_=sa.String(length=300),
                              existing_nullable=False)
        batch_op.alter_column("action", existing_type=sa.Text(), type_=sa.String(length=40),
                              existing_nullable=False)
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.drop_column("deleted_at")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("session_epoch")
