"""Plans, stored as their `lead-plan/1` document, and their history."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.extensions import Base
from planner.models.base import utcnow

STATUSES = ("draft", "proposed", "adopted")


class PlanRecord(Base):
    """One plan. `document` is the plan file itself (JSON text), so what the engine reads,
    what the editor changes and what an export writes are the same thing."""

    __tablename__ = "plans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    jurisdiction_id: Mapped[int] = mapped_column(
        ForeignKey("jurisdictions.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default="draft")
    adopted_on: Mapped[dt.date | None] = mapped_column(Date)
    document: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # A deleted plan is kept, with its last document and its history, for the record: it
    # is gone from every list and page; administrators read it under /admin/deleted-plans.
    deleted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    jurisdiction: Mapped[Jurisdiction] = relationship()  # noqa: F821
    changes: Mapped[list[PlanChange]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="PlanChange.id"
    )

    __mapper_args__ = {"version_id_col": version}


class PlanChange(Base):
    """One recorded change to a plan: who, when, where, old and new value. Never edited."""

    __tablename__ = "plan_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    user_email: Mapped[str | None] = mapped_column(String(254))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Text: actions name line ids (64 characters) and uploaded file names.
    action: Mapped[str] = mapped_column(Text)
    path: Mapped[str] = mapped_column(Text, default="")
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)

    plan: Mapped[PlanRecord] = relationship(back_populates="changes")


class HistoryIsReadOnly(Exception):  # noqa: N818 - what the caller is told
    """A recorded change to a plan cannot be edited."""


@event.listens_for(PlanChange, "before_update")
def _history_is_read_only(mapper, connection, target) -> None:  # noqa: ARG001
    raise HistoryIsReadOnly(f"plan change {target.id} is part of the plan's history")


from planner.models.jurisdictions import Jurisdiction  # noqa: E402
