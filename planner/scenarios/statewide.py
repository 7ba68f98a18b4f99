"""The statewide view's figures (issue 24), computed once and stored: each plan's money,
what it funds by strategy, its LEAD program side by side with others', the FYs it must
authorize and report; each government's means against the smallest fidelity program.

Everything here is read from `project()`, the compliance rules and `smallest_program` —
nothing is derived again. `behind` is the one figure that depends on the day the page is
read: it takes the stored FYs and `as_of` (the engine never reads a clock).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from .annual_report import report_due
from .fiscal import fy_of
from .money import round_half_up
from .options import figures_of, smallest_program
from .parse import parse_plan
from .plan import Plan
from .projection import UNASSIGNED, Projection, project
from .starting import starting_plan
from .summaries import unauthorized_fys
from .tables import CostTables


@dataclass(frozen=True)
class ReportDue:
    """One plan FY's annual report (Exhibit E, MOA §F.6): when it is due, whether filed."""

    fy: int
    due_on: dt.date
    reported: bool


@dataclass(frozen=True)
class PlanFigures:
    """What the statewide view shows of one plan (whole dollars over the plan's FYs)."""

    first_fy: int
    last_fy: int
    receipts: int  # settlement receipts in the plan's FYs
    opening_balance: int
    spending: int  # the settlement fund's spending (actual in closed FYs)
    closing_balance: int  # at the end of the plan's last FY
    first_deficit_fy: int | None
    runway_years: int  # FYs the fund carries the plan: to its first deficit, else all
    participants: Decimal  # enrolled over the plan, 2 places
    cost_per_participant: int | None  # the LEAD lines' cost ÷ participants
    lead_cost: int
    fidelity_passing: int  # LEAD fidelity rules that pass
    fidelity_rules: int  # LEAD fidelity rules judged (info counts as judged, not passing)
    by_strategy: dict[str, int]  # MOA strategy → settlement dollars (no zero, no unassigned)
    unauthorized_fys: tuple[int, ...]  # FYs with settlement spending a month unauthorized
    reports: tuple[ReportDue, ...]  # every plan FY with receipts or spending


def plan_figures(
    plan: Plan, projection: Projection, tables: CostTables, as_of: dt.date
) -> PlanFigures:
    figures = figures_of(plan, projection, tables, as_of)
    fund = projection.fund
    runway = plan.years if fund.first_deficit_fy is None else fund.first_deficit_fy - plan.start_fy
    reported = {entry.fy for entry in plan.actuals if entry.reported_on is not None}
    active = [
        fy
        for fy, receipts, spent in zip(
            projection.fiscal_years, fund.receipts, fund.spending, strict=True
        )
        if receipts or spent
    ]
    return PlanFigures(
        first_fy=plan.start_fy,
        last_fy=plan.end_fy,
        receipts=fund.receipts_total,
        opening_balance=fund.begin[0] if fund.begin else 0,
        spending=fund.spending_total,
        closing_balance=figures.closing_last,
        first_deficit_fy=fund.first_deficit_fy,
        runway_years=runway,
        participants=figures.participants,
        cost_per_participant=figures.cost_per_participant,
        lead_cost=figures.lead_cost,
        fidelity_passing=sum(1 for status in figures.rules.values() if status == "pass"),
        fidelity_rules=len(figures.rules),
        by_strategy={
            strategy: total
            for strategy, total in projection.settlement_strategy_totals.items()
            if total and strategy != UNASSIGNED
        },
        unauthorized_fys=unauthorized_fys(plan, projection),
        reports=tuple(ReportDue(fy, report_due(fy, tables), fy in reported) for fy in active),
    )


@dataclass(frozen=True)
class Behind:
    """Where a plan is behind on `as_of`: FYs begun with settlement spending some month of
    which no authorization covers (MOA-AUTHORIZATION), and FYs whose annual report's due
    date has passed without it being filed (Exhibit E, due September 28)."""

    authorizations: tuple[int, ...]
    reports: tuple[int, ...]

    @property
    def any(self) -> bool:
        return bool(self.authorizations or self.reports)


def behind(unauthorized: tuple[int, ...], reports: tuple[ReportDue, ...], as_of: dt.date) -> Behind:
    current = fy_of(as_of)
    return Behind(
        tuple(fy for fy in unauthorized if fy <= current),
        tuple(r.fy for r in reports if not r.reported and r.due_on < as_of),
    )


@dataclass(frozen=True)
class Affordability:
    """Whether a government's fund, as the cost tables estimate it (its §14 starting plan),
    sustains the smallest fidelity program alone. Receipts are always an estimate here."""

    slug: str
    start_fy: int
    estimated: bool  # the tables hold an estimate of its receipts
    receipts: int | None  # the starting plan's receipts over its 18 FYs (None: unknown)
    smallest_yearly: int  # the smallest fidelity program's cost, a year on average
    sustains: bool | None  # None: no estimate of its receipts
    gap_per_year: int | None  # what it is short a year (None: it sustains or unknown)
    note: str


def affordability(tables: CostTables, slug: str, *, start_fy: int, as_of: dt.date) -> Affordability:
    start = starting_plan(tables, slug, start_fy=start_fy)
    plan = parse_plan(start.document, tables)
    program = smallest_program(plan, tables, as_of=as_of)
    yearly = (
        int(round_half_up(Decimal(program.figures.total) / program.plan.years))
        if program.plan.years
        else 0
    )
    if not start.estimated:
        return Affordability(slug, start_fy, False, None, yearly, None, None, start.notes[0])
    receipts = project(plan).fund.receipts_total
    return Affordability(
        slug,
        start_fy,
        True,
        receipts,
        yearly,
        program.sustains,
        None if program.sustains else program.gap_per_year,
        program.sentence,
    )
