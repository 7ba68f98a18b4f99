"""Programs shared between governments (cost model §17): one government's plan runs the
program (the lead), another pays a share of it (the partner)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.extensions import Base
from planner.models.base import utcnow

SHARE_STATUSES = ("invited", "accepted")


class SharedProgram(Base):
    """One partner of one lead plan. The lead plan carries the partner as a funding source
    (`source_id`, kind `partner`); once accepted, the partner's plan carries a
    `contribution` line (`line_id`) whose amounts the app keeps equal to the lead plan's
    `by_source[source_id]`."""

    __tablename__ = "shared_programs"
    __table_args__ = (UniqueConstraint("lead_plan_id", "partner_jurisdiction_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    lead_plan_id: Mapped[int] = mapped_column(
        ForeignKey("plans.id", ondelete="CASCADE"), index=True
    )
    partner_jurisdiction_id: Mapped[int] = mapped_column(
        ForeignKey("jurisdictions.id", ondelete="CASCADE"), index=True
    )
    source_id: Mapped[str] = mapped_column(String(64))
    program: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default="invited")
    partner_plan_id: Mapped[int | None] = mapped_column(
        ForeignKey("plans.id", ondelete="SET NULL"), index=True
    )
    line_id: Mapped[str | None] = mapped_column(String(64))
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    accepted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    lead_plan: Mapped[PlanRecord] = relationship(foreign_keys=[lead_plan_id])  # noqa: F821
    partner_plan: Mapped[PlanRecord | None] = relationship(  # noqa: F821
        foreign_keys=[partner_plan_id]
    )
    partner: Mapped[Jurisdiction] = relationship()  # noqa: F821


from planner.models.jurisdictions import Jurisdiction  # noqa: E402
from planner.models.plans import PlanRecord  # noqa: E402
