"""Everything a document shows about one plan, gathered once from the engine."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from planner.cost_tables import default_cost_tables, default_outcomes
from planner.scenarios import Plan, Projection, project
from planner.scenarios.compliance import RuleResult, check_plan, strategy_title
from planner.scenarios.outcomes import ProgramBuys, program_buys
from planner.scenarios.receipts import ReceiptsBasis, receipts_basis
from planner.scenarios.summaries import (
    AuthorizationPeriod,
    DefaultRow,
    ExecutiveSummary,
    Summary,
    authorization_periods,
    by_severity,
    default_meeting_date,
    default_period,
    defaults_used,
    executive_summary,
    object_classes_by_strategy,
    summarize,
)
from planner.scenarios.tables import CostTables


@dataclass(frozen=True)
class PlanDocument:
    plan: Plan
    projection: Projection
    results: tuple[RuleResult, ...]  # in the rules' order
    summary: Summary
    executive: ExecutiveSummary
    titles: dict[str, str]
    classes_by_strategy: dict[str, dict[str, int]]
    periods: list[AuthorizationPeriod]
    defaults: list[DefaultRow]
    jurisdiction: str
    plan_name: str
    status: str
    prepared_on: dt.date
    adopted_on: dt.date | None
    as_of: dt.date
    # Which receipts are still estimates, and whether the opening balance was given (§14, §18)
    receipts_basis: ReceiptsBasis | None = None
    buys: ProgramBuys | None = None  # what the program buys (issue 22)
    # The board meeting the documents are drafted for (default: the next scheduled adoption,
    # else the day prepared); the FYs it is asked to adopt are `period` (`default_period`).
    meeting_on: dt.date | None = None

    @property
    def period(self) -> tuple[int, int]:
        return self.executive.adopt_first_fy, self.executive.adopt_last_fy


def strategy_titles(codes, tables: CostTables) -> dict[str, str]:
    return {
        code: ("No strategy" if code == "unassigned" else strategy_title(code, tables))
        for code in codes
    }


def plan_document(
    plan: Plan,
    *,
    prepared_on: dt.date,
    status: str = "draft",
    adopted_on: dt.date | None = None,
    jurisdiction: str | None = None,
    projection: Projection | None = None,
    results: tuple[RuleResult, ...] | None = None,
    entered_total: Decimal | None = None,
    meeting_on: dt.date | None = None,
    period: tuple[int, int] | None = None,
) -> PlanDocument:
    """`meeting_on`: the board meeting the documents are for (default: the next scheduled
    adoption on or after `prepared_on`, else `prepared_on`); `period`: the FYs asked of it
    (default: `default_period` of that meeting)."""
    tables = default_cost_tables()
    projection = projection or project(plan)
    results = results if results is not None else check_plan(plan, projection, tables, prepared_on)
    meeting = meeting_on or default_meeting_date(plan, prepared_on)
    asked = period or default_period(plan, projection, meeting)
    return PlanDocument(
        plan=plan,
        projection=projection,
        results=results,
        summary=summarize(projection, results),
        executive=executive_summary(plan, projection, results, asked),
        titles=strategy_titles(
            projection.actuals.strategies
            if projection.actuals  # §11
            else projection.by_strategy,
            tables,
        ),
        classes_by_strategy=object_classes_by_strategy(projection),
        periods=authorization_periods(plan, projection),
        defaults=defaults_used(plan, tables),
        jurisdiction=(jurisdiction or plan.jurisdiction.name or "").strip(),
        plan_name=plan.name or "LEAD plan",
        status=status,
        prepared_on=prepared_on,
        adopted_on=adopted_on,
        as_of=prepared_on,
        receipts_basis=receipts_basis(
            tables, plan, entered_total=entered_total, government=jurisdiction
        ),
        buys=program_buys(plan, projection, default_outcomes()),
        meeting_on=meeting,
    )


def results_by_severity(doc: PlanDocument) -> tuple[RuleResult, ...]:
    return by_severity(doc.results)
