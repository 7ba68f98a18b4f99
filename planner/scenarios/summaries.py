"""Totals the reports show beyond the projection itself: the executive summary, the
SF-424A object-class table by strategy, and each authorization period's planned amount.
Every figure is a sum of the projection's rounded components, so every table foots."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .compliance import RuleResult, counts, covered_fys
from .plan import OBJECT_CLASSES, Authorization, Plan
from .projection import UNASSIGNED, Projection


@dataclass(frozen=True)
class Summary:
    total: int
    npv_spending: int
    npv_receipts: int
    receipts: int
    interest: int
    opening_balance: int
    closing_balance: int
    first_deficit_fy: int | None
    peak_fte: Decimal
    participants_enrolled: Decimal
    compliance: dict[str, int]


def summarize(projection: Projection, results: tuple[RuleResult, ...] = ()) -> Summary:
    fund = projection.fund
    return Summary(
        total=projection.total,
        npv_spending=projection.npv_spending,
        npv_receipts=projection.npv_receipts,
        receipts=sum(fund.receipts),
        interest=sum(fund.interest),
        opening_balance=fund.begin[0],
        closing_balance=fund.closing[-1],
        first_deficit_fy=fund.first_deficit_fy,
        peak_fte=max(projection.fte_by_year, default=Decimal(0)),
        participants_enrolled=sum(projection.participants.new_enrollees, Decimal(0)),
        compliance=counts(results),
    )


def object_classes_by_strategy(projection: Projection) -> dict[str, dict[str, int]]:
    """strategy -> object class -> total over the plan (SF-424A Section B's columns)."""
    found: dict[str, dict[str, int]] = {
        s: dict.fromkeys(OBJECT_CLASSES, 0) for s in projection.by_strategy}
    for line in projection.line_items:
        column = found[line.strategy or UNASSIGNED]
        for object_class, values in line.by_object_class.items():
            column[object_class] += sum(values)
    return found


@dataclass(frozen=True)
class AuthorizationPeriod:
    authorization: Authorization
    fiscal_years: tuple[int, ...]  # plan FYs the period covers wholly
    planned: int  # the strategy's planned spending in those FYs

    @property
    def remaining(self) -> Decimal:
        return self.authorization.amount - self.planned


def authorization_periods(plan: Plan, projection: Projection) -> list[AuthorizationPeriod]:
    by_fy = {s: dict(zip(projection.fiscal_years, v, strict=True))
             for s, v in projection.by_strategy.items()}
    periods = []
    for auth in plan.program.authorizations:
        fys = tuple(fy for fy in covered_fys(auth.start, auth.end)
                    if fy in projection.fiscal_years)
        planned = sum(by_fy.get(auth.strategy, {}).get(fy, 0) for fy in fys)
        periods.append(AuthorizationPeriod(auth, fys, planned))
    return periods


@dataclass(frozen=True)
class DefaultRow:
    key: str
    default: Decimal | tuple[Decimal, ...]  # aged to the plan's first FY for money
    plan_value: Decimal | None  # the plan's own value, for plan-wide assumptions
    source: str
    year: int
    base_fy: int | None


def defaults_used(plan: Plan, tables) -> list[DefaultRow]:
    """Every default of cost_tables/ with its source and year, aged to the plan's first FY,
    beside the plan's own value where the plan sets one for the whole plan."""
    a = plan.assumptions
    rates = {"salary": a.salary_escalation, "health": a.health_escalation,
             "inflation": a.inflation}
    plan_values: dict[str, Decimal] = {
        f"assumptions.{name}": getattr(a, name) for name in a.__dataclass_fields__}
    plan_values["fund.interest_rate"] = plan.fund.interest_rate
    plan_values["fund.opening_balance"] = plan.fund.opening_balance
    for pathway, rate in plan.participants.enrollment_rate.items():
        plan_values[f"participants.enrollment_rate.{pathway}"] = rate
    plan_values["participants.average_months_enrolled"] = Decimal(
        plan.participants.average_months_enrolled)
    plan_values["participants.initial_active"] = plan.participants.initial_active
    rows = []
    for key, entry in tables.defaults.items():
        value = (tables.aged(key, rates, plan.start_fy) if entry.is_money
                 else entry.value)
        rows.append(DefaultRow(key, value, plan_values.get(key), entry.source, entry.year,
                               entry.base_fy))
    return rows


@dataclass(frozen=True)
class StrategyAmount:
    strategy: str
    amount: int
    fiscal_years: tuple[int, ...]
    line_ids: tuple[str, ...]


def resolution_years(plan: Plan) -> tuple[int, int]:
    """The FYs a draft resolution authorizes by default: the plan's first five (the length
    of the NC DOJ template's example, July 1, 2024 – June 30, 2029)."""
    return plan.start_fy, min(plan.end_fy, plan.start_fy + 4)


def total_amount(amounts: list[StrategyAmount]) -> int:
    return sum(a.amount for a in amounts)


def strategy_amounts(projection: Projection, first_fy: int, last_fy: int
                     ) -> list[StrategyAmount]:
    """Each strategy's planned spending over FYs first..last (a resolution's amounts)."""
    years = [k for k, fy in enumerate(projection.fiscal_years) if first_fy <= fy <= last_fy]
    found = []
    for strategy, values in projection.by_strategy.items():
        if strategy == UNASSIGNED:
            continue
        lines = tuple(line.id for line in projection.line_items
                      if (line.strategy or UNASSIGNED) == strategy
                      and any(line.by_year[k] for k in years))
        found.append(StrategyAmount(strategy, sum(values[k] for k in years),
                                    tuple(projection.fiscal_years[k] for k in years), lines))
    return found
