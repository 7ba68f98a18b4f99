"""The statewide view's stored figures (issue 24): what the engine computed for each plan
when it was saved, and for each government from the cost tables alone, so that the page
reads rows and never projects a plan."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from planner.extensions import Base
from planner.models.base import utcnow


class PlanSummary(Base):
    """One plan's figures, as of its version `plan_version` (its document and its
    government's actuals when it was computed). Replaced when the plan changes."""

    __tablename__ = "plan_summaries"

    plan_id: Mapped[int] = mapped_column(
        ForeignKey("plans.id", ondelete="CASCADE"), primary_key=True
    )
    jurisdiction_id: Mapped[int] = mapped_column(
        ForeignKey("jurisdictions.id", ondelete="CASCADE"), index=True
    )
    plan_version: Mapped[int] = mapped_column(Integer)
    computed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    computed_on: Mapped[dt.date] = mapped_column(Date)  # the as-of date of its rules
    first_fy: Mapped[int] = mapped_column(Integer)
    last_fy: Mapped[int] = mapped_column(Integer)
    receipts: Mapped[int] = mapped_column(BigInteger)  # whole dollars over the plan
    opening_balance: Mapped[int] = mapped_column(BigInteger)
    spending: Mapped[int] = mapped_column(BigInteger)  # the settlement fund's, over the plan
    closing_balance: Mapped[int] = mapped_column(BigInteger)  # at the end of the plan
    first_deficit_fy: Mapped[int | None] = mapped_column(Integer)
    runway_years: Mapped[int] = mapped_column(Integer)  # FYs the fund carries the plan
    participants: Mapped[Decimal] = mapped_column(Numeric(20, 2))
    cost_per_participant: Mapped[int | None] = mapped_column(BigInteger)
    lead_cost: Mapped[int] = mapped_column(BigInteger)
    fidelity_passing: Mapped[int] = mapped_column(Integer)
    fidelity_rules: Mapped[int] = mapped_column(Integer)
    # JSON text: {strategy code: settlement dollars}, [FY, …], [[FY, due ISO, reported?], …]
    by_strategy: Mapped[str] = mapped_column(Text)
    unauthorized_fys: Mapped[str] = mapped_column(Text)
    reports: Mapped[str] = mapped_column(Text)


class GovernmentFigures(Base):
    """What the cost tables alone say of one government (its §14 starting plan): its
    estimated settlement receipts and whether its fund sustains the smallest fidelity
    program alone (scenarios/options.py `smallest_program`)."""

    __tablename__ = "government_figures"

    jurisdiction_id: Mapped[int] = mapped_column(
        ForeignKey("jurisdictions.id", ondelete="CASCADE"), primary_key=True
    )
    computed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    start_fy: Mapped[int] = mapped_column(Integer)
    estimated: Mapped[bool] = mapped_column(Boolean)  # receipts are the tables' estimate
    receipts: Mapped[int | None] = mapped_column(BigInteger)  # None: no total in the tables
    smallest_yearly: Mapped[int] = mapped_column(BigInteger)  # the smallest program, a year
    sustains: Mapped[bool | None] = mapped_column(Boolean)  # None: receipts unknown
    gap_per_year: Mapped[int | None] = mapped_column(BigInteger)
    note: Mapped[str] = mapped_column(String(500), default="")
