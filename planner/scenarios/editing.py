"""What the editor shows before anything is saved: what one line will cost and how the fund
changes (a line preview), the default behind a blank input with its source, and the FYs a
draft resolution would authorize next. Pure: plans, projections and tables in, values out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from .fiscal import fy_end, fy_start
from .plan import Plan
from .projection import Projection
from .tables import CostTables


@dataclass(frozen=True)
class LinePreview:
    """One line of an edited plan against the plan as saved (`*_before` is None for a line
    that is not saved yet, or when there is no saved plan to compare with)."""

    line_id: str
    first_fy: int | None  # the line's first FY inside the plan (None: no FY of the plan)
    first_fy_cost: int
    total: int
    fte_first: Decimal
    fte_peak: Decimal
    total_before: int | None
    plan_total_before: int | None
    plan_total: int
    last_fy: int
    closing_before: int | None
    closing: int
    deficit_before: int | None
    deficit: int | None


def line_preview(
    plan: Plan,
    projection: Projection,
    index: int,
    before: Projection | None,
    before_line_id: str | None,
) -> LinePreview:
    """The preview of `plan.line_items[index]` (projected in `projection`)."""
    item = plan.line_items[index]
    line = projection.line_items[index]
    years = [k for k, fy in enumerate(projection.fiscal_years) if item.active_in(fy)]
    first = years[0] if years else None
    old = None
    if before is not None and before_line_id is not None:
        old = next((x for x in before.line_items if x.id == before_line_id), None)
    return LinePreview(
        line_id=item.id,
        first_fy=None if first is None else projection.fiscal_years[first],
        first_fy_cost=0 if first is None else line.by_year[first],
        total=line.total,
        fte_first=Decimal(0) if first is None else Decimal(line.fte[first]),
        fte_peak=max((Decimal(v) for v in line.fte), default=Decimal(0)),
        total_before=None if old is None else old.total,
        plan_total_before=None if before is None else before.total,
        plan_total=projection.total,
        last_fy=projection.fiscal_years[-1],
        closing_before=None if before is None else before.fund.closing[-1],
        closing=projection.fund.closing[-1],
        deficit_before=None if before is None else before.fund.first_deficit_fy,
        deficit=projection.fund.first_deficit_fy,
    )


@dataclass(frozen=True)
class DefaultNote:
    """What a blank input takes: the value for this plan and where it comes from."""

    key: str
    value: Decimal
    source: str
    year: int
    base_value: Decimal | None = None  # a money default before aging, in its base FY
    base_fy: int | None = None
    escalation: str | None = None
    start_fy: int | None = None  # the FY the value is aged to (the plan's first)


def default_note(plan: Plan, tables: CostTables, key: str) -> DefaultNote | None:
    """The default named `key` in `cost_tables/` as the plan's parser would take it."""
    entry = tables.defaults.get(key)
    if entry is None or not isinstance(entry.value, Decimal):
        return None
    if not entry.is_money:
        return DefaultNote(key, entry.value, entry.source, entry.year)
    a = plan.assumptions
    rates = {"salary": a.salary_escalation, "health": a.health_escalation, "inflation": a.inflation}
    return DefaultNote(
        key,
        tables.aged(key, rates, plan.start_fy),
        entry.source,
        entry.year,
        base_value=entry.value,
        base_fy=entry.base_fy,
        escalation=entry.escalation,
        start_fy=plan.start_fy,
    )


RESOLUTION_YEARS = 5  # the NC DOJ template's example runs five FYs (July 2024 - June 2029)


def next_resolution_years(plan: Plan, as_of: dt.date) -> tuple[int, int]:
    """The FYs a draft resolution authorizes by default.

    Authorizations recorded but not yet adopted (no adoption date, or one after `as_of`) are
    what the resolution is for: their FYs. Otherwise the first FY of the plan no
    authorization covers, and the uncovered FYs after it, up to five."""
    years = plan.fiscal_years
    pending = [
        x for x in plan.program.authorizations if x.adopted_on is None or x.adopted_on > as_of
    ]
    inside = [
        fy for fy in years if any(x.start <= fy_end(fy) and x.end >= fy_start(fy) for x in pending)
    ]
    if inside:
        return inside[0], inside[-1]

    def covered(fy: int) -> bool:
        return any(
            x.start <= fy_start(fy) and x.end >= fy_end(fy) for x in plan.program.authorizations
        )

    free = [fy for fy in years if not covered(fy)]
    if not free:
        return years[0], min(years[-1], years[0] + RESOLUTION_YEARS - 1)
    first = last = free[0]
    while last + 1 in free and last + 1 - first < RESOLUTION_YEARS:
        last += 1
    return first, last
