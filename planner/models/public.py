"""Public pages (issue 24): an adopted plan version an editor chose to publish, with every
figure and file the page shows computed once, at publication, and stored here."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Date,
    DateTime,
    ForeignKey,
    Integer,
    Select,
    String,
    Text,
    UniqueConstraint,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.extensions import Base
from planner.models.base import utcnow
from planner.models.plans import PlanRecord


class Publication(Base):
    """One published version of an adopted plan. Its URL names the government, the plan and
    the plan's version, so it never shows other figures than the ones published. Withdrawn
    (`withdrawn_at`), or once the plan is no longer that adopted version, it answers 404.

    The texts are what anonymous visitors get: the page, the fund chart and the four JSON
    documents; the PDF is the job queue's stored result under `pdf_key`. Who published is
    kept for the record (`published_by_id`), and is never shown on a public page."""

    __tablename__ = "publications"
    __table_args__ = (UniqueConstraint("plan_id", "plan_version", name="uq_publications_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    jurisdiction_id: Mapped[int] = mapped_column(
        ForeignKey("jurisdictions.id", ondelete="CASCADE"), index=True
    )
    plan_version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    adopted_on: Mapped[dt.date | None] = mapped_column(Date)
    as_of: Mapped[dt.date] = mapped_column(Date)  # the checklist's and the PDF's date
    published_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    summary: Mapped[str] = mapped_column(Text)  # JSON: the index's figures of this plan
    page: Mapped[str] = mapped_column(Text, deferred=True)  # the rendered HTML page
    fund_svg: Mapped[str] = mapped_column(Text, deferred=True)
    plan_json: Mapped[str] = mapped_column(Text, deferred=True)  # lead-plan/1
    projection_json: Mapped[str] = mapped_column(Text, deferred=True)  # lead-projection/1
    compliance_json: Mapped[str] = mapped_column(Text, deferred=True)  # lead-compliance/1
    reports_json: Mapped[str] = mapped_column(Text, deferred=True)  # lead-annual-reports/1
    pdf_key: Mapped[str] = mapped_column(String(64))  # the jobs row of the budget PDF

    plan: Mapped[PlanRecord] = relationship()  # noqa: F821
    jurisdiction: Mapped[Jurisdiction] = relationship()  # noqa: F821


from planner.models.jurisdictions import Jurisdiction  # noqa: E402


def live_publications() -> Select[Publication]:
    """Publications shown now: not withdrawn, of a plan not deleted that is still adopted at
    the version published (a withdrawn adoption takes the page down with it). The public
    pages and the statewide view's visitors read the same set."""
    return (
        select(Publication)
        .join(PlanRecord, PlanRecord.id == Publication.plan_id)
        .where(
            Publication.withdrawn_at.is_(None),
            PlanRecord.deleted_at.is_(None),
            PlanRecord.status == "adopted",
            PlanRecord.version == Publication.plan_version,
        )
    )
