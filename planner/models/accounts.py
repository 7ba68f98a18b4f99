"""Accounts and their memberships in jurisdictions."""

from __future__ import annotations

import datetime as dt

from flask_login import UserMixin
from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.extensions import Base
from planner.models.base import utcnow

ROLES = ("editor", "viewer")


class User(UserMixin, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    # A state-level analyst reads every government and changes nothing (issue 24).
    is_analyst: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Every session cookie carries the epoch it was signed in at; moving it on (sign-out,
    # password change or reset, deactivation, reactivation) ends every session at once.
    session_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    @property
    def is_active(self) -> bool:  # flask-login: a deactivated account cannot sign in
        return self.active

    def get_id(self) -> str:
        """What flask-login keeps in the session cookie: the id and the session epoch, so a
        cookie from before the epoch moved on no longer signs anyone in."""
        return f"{self.id}:{self.session_epoch or 0}"

    def end_sessions(self) -> None:
        """End every session of this account (the caller signs the current one in again
        when it should stay)."""
        self.session_epoch = (self.session_epoch or 0) + 1


class Membership(Base):
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "jurisdiction_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(16))

    user: Mapped[User] = relationship(back_populates="memberships")
    jurisdiction: Mapped[Jurisdiction] = relationship()  # noqa: F821


class AdminAction(Base):
    """One administrator action on an account: who did what to whom, and when. Never edited
    or deleted; kept when either account is removed."""

    __tablename__ = "admin_actions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor_email: Mapped[str | None] = mapped_column(String(254))  # None: the command line
    action: Mapped[str] = mapped_column(String(40))
    target_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    target_email: Mapped[str] = mapped_column(String(254))
    detail: Mapped[str] = mapped_column(Text, default="")


from planner.models.jurisdictions import Jurisdiction  # noqa: E402
