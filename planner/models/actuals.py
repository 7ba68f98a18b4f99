"""A jurisdiction's actuals: what really happened in each closed FY of its settlement fund
(cost model §11), kept once for the jurisdiction and applied to every plan covering the FY."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column

from planner.extensions import Base
from planner.models.base import utcnow


class FundActual(Base):
    """One closed FY of one jurisdiction's fund. `entry` is the FY's §11 entry as a plan
    file writes it (JSON text: receipts, interest, audit_costs, spending, referrals,
    enrolled, reported_on); `outcomes` the Exhibit F impact measures filled in for the FY
    (JSON text: {strategy: {measure: text}}), which no plan file carries."""

    __tablename__ = "fund_actuals"
    __table_args__ = (UniqueConstraint("jurisdiction_id", "fiscal_year"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    jurisdiction_id: Mapped[int] = mapped_column(
        ForeignKey("jurisdictions.id", ondelete="CASCADE"), index=True
    )
    fiscal_year: Mapped[int] = mapped_column(Integer)  # the FY's starting year
    entry: Mapped[str] = mapped_column(Text)
    outcomes: Mapped[str] = mapped_column(Text, default="{}")
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __mapper_args__ = {"version_id_col": version}


class ActualChange(Base):
    """One recorded change to a jurisdiction's actuals: who, when, which FY and value, old
    and new. Never edited; kept when the FY's record is removed."""

    __tablename__ = "fund_actual_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    jurisdiction_id: Mapped[int] = mapped_column(
        ForeignKey("jurisdictions.id", ondelete="CASCADE"), index=True
    )
    fiscal_year: Mapped[int] = mapped_column(Integer)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    user_email: Mapped[str | None] = mapped_column(String(254))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    action: Mapped[str] = mapped_column(Text)
    path: Mapped[str] = mapped_column(Text, default="")
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)


class ActualsHistoryIsReadOnly(Exception):  # noqa: N818 - what the caller is told
    """A recorded change to the actuals cannot be edited."""


@event.listens_for(ActualChange, "before_update")
def _history_is_read_only(mapper, connection, target) -> None:  # noqa: ARG001
    raise ActualsHistoryIsReadOnly(f"actuals change {target.id} is part of the history")
