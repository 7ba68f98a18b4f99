"""What the editor shows before anything is saved: what one line will cost and how the fund
changes (a line preview), the default behind a blank input with its source, and the FYs a
draft resolution would authorize next. Pure: plans, projections and tables in, values out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

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


def next_resolution_years(plan: Plan, as_of: dt.date) -> tuple[int, int]:
    """The FYs a draft resolution authorizes by default: `summaries.default_period` for
    the next meeting after `as_of` (one function chooses the period for every document)."""
    from .projection import project
    from .summaries import default_meeting_date, default_period

    return default_period(plan, project(plan), default_meeting_date(plan, as_of))
