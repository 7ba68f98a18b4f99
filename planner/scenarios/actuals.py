"""Actuals: what really happened in the plan's closed fiscal years (cost model §11).

A plan file may carry an `actuals` section, one entry per closed FY:

    "actuals": {"FY2026-27": {"receipts": "1019496", "interest": "31250", "audit_costs": "2500",
                              "spending": {"A:10": "402113", "A:7": "44870"},
                              "referrals": {"arrest_diversion": "35"}, "enrolled": "33",
                              "reported_on": "2027-09-20"}}

This module reads it (every problem with its exact path, all at once, the §15 limits on the
text before any arithmetic), exports it again (`actuals_to_dict`, a round trip), gives the
fund its closed-FY figures (`closed_fund_years`) and computes the projection's `actuals`
block (`actuals_block`): planned, actual and variance by strategy for each closed FY.

The closed FYs are the plan's first FYs, without gaps; a plan's `actuals` tuple is sorted
by FY, so `len(plan.actuals)` is the number of closed FYs.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .fields import Field, money
from .fiscal import FiscalYearError, fy_end, fy_label, parse_fy
from .limits import FISCAL_YEAR
from .money import Q, dollars, round_half_up
from .plan import PATHWAYS
from .reader import _MISSING, PlanError, Problem, _Reader

if TYPE_CHECKING:
    from .plan import Plan

UNASSIGNED = "unassigned"  # the same key as the projection's lines with no strategy (§9)
EXHIBIT_A_CODE = re.compile(r"^A:(\d{1,2})$")
EXHIBIT_B_CODE = re.compile(r"^B:([A-L])\.(\d+)(?:\.(\d+))?$")
ACTUALS_KEYS = (
    "receipts",
    "interest",
    "audit_costs",
    "spending",
    "referrals",
    "enrolled",
    "reported_on",
)
AMOUNT_CAP = Decimal(10) ** 12  # as every amount of a plan (parse.CAP)


class NotClosedError(ValueError):
    """A FY that has no actuals in the plan (so no annual financial report yet)."""


@dataclass(frozen=True)
class FyActuals:
    """One closed FY as the county's books give it. Amounts are kept as written (exact
    decimals, so the plan round-trips); the fund uses each rounded to whole dollars on its
    own, half away from zero (§11)."""

    fy: int
    receipts: Decimal
    interest: Decimal  # may be negative (a loss)
    spending: tuple[tuple[str, Decimal], ...]  # (strategy code or "unassigned", amount)
    audit_costs: Decimal = Decimal(0)
    referrals: tuple[tuple[str, int], ...] | None = None  # every pathway, when recorded
    enrolled: int | None = None
    reported_on: dt.date | None = None

    @property
    def label(self) -> str:
        return fy_label(self.fy)

    @property
    def receipts_dollars(self) -> int:
        return dollars(self.receipts)

    @property
    def interest_dollars(self) -> int:
        return dollars(self.interest)

    @property
    def audit_costs_dollars(self) -> int:
        return dollars(self.audit_costs)

    @property
    def spending_dollars(self) -> dict[str, int]:
        """Spending by strategy in whole dollars, in the order the plan file gives it."""
        return {strategy: dollars(amount) for strategy, amount in self.spending}

    @property
    def spent(self) -> int:
        """Exhibit E (3): the sum of the rounded amounts by strategy."""
        return sum(self.spending_dollars.values())

    @property
    def fund_spending(self) -> int:
        """The fund's spending of this FY (§11): actual spending + audit costs."""
        return self.spent + self.audit_costs_dollars


# ----------------------------------------------------------------------------- reading


def read_actuals(reader: _Reader, value: Any, plan_known: bool) -> tuple[FyActuals, ...]:
    """The `actuals` section, or () when absent; problems go to the reader with their paths.
    `plan_known`: the plan's `start_fy` and `years` were read (else a FY cannot be judged
    inside or outside the plan, and only the entries themselves are checked)."""
    path = "actuals"
    if value is None:
        return ()
    source = reader.obj(value, path)
    if source is None or reader.too_many(source, path, reader.limits.actuals_max, "FYs of actuals"):
        return ()
    first, last = reader.start_fy, reader.start_fy + reader.years - 1
    amount_fields = (
        money("receipts", required=True),
        Field("interest", "number", required=True, cap=AMOUNT_CAP),
        money("audit_costs", fixed=Decimal(0)),
    )
    found: dict[int, FyActuals] = {}
    keys: dict[int, str] = {}  # every FY named (even with problems), for the gap check
    for key, raw in source.items():
        here = _join(path, key)
        try:
            fy = parse_fy(key)
        except FiscalYearError as exc:
            reader.error(here, f"is not a fiscal year: {exc}", FISCAL_YEAR)
            continue
        if fy in keys:
            reader.error(here, f"the same FY as '{keys[fy]}' ({fy_label(fy)}) is given twice")
            continue
        keys[fy] = key
        if plan_known and not first <= fy <= last:
            reader.error(
                here,
                f"{fy_label(fy)} is outside the plan ({fy_label(first)} to "
                f"{fy_label(last)}); actuals belong to the plan's FYs (a plan "
                "moved to a later first FY carries the closed FYs before it "
                "in fund.opening_balance)",
            )
            continue
        entry = reader.obj(raw, here, ACTUALS_KEYS)
        if entry is None:
            continue
        amounts = reader.fields(entry, amount_fields, here)
        spending = _read_spending(reader, entry.get("spending", _ABSENT), f"{here}.spending")
        referrals = _read_referrals(reader, entry.get("referrals"), f"{here}.referrals")
        enrolled = reader.field(
            entry, Field("enrolled", "whole", low=Decimal(0), cap=AMOUNT_CAP, nullable=True), here
        )
        reported = reader.field(entry, Field("reported_on", "date", nullable=True), here)
        if isinstance(reported, dt.date) and reported <= fy_end(fy):
            reader.error(
                f"{here}.reported_on",
                f"must be after {fy_label(fy)} ends on "
                f"{fy_end(fy).isoformat()} (the annual report "
                "is filed after the FY closes)",
            )
            reported = _BAD
        parts = (*amounts.values(), spending, referrals, enrolled, reported)
        if any(part is _BAD or part is _MISSING for part in parts):
            continue
        found[fy] = FyActuals(
            fy=fy,
            receipts=amounts["receipts"],
            interest=amounts["interest"],
            audit_costs=amounts["audit_costs"],
            spending=spending,
            referrals=referrals,
            enrolled=enrolled,
            reported_on=reported,
        )
    if plan_known:
        for fy, key in sorted(keys.items()):
            if fy > first and first <= fy <= last and fy - 1 not in keys:
                reader.error(
                    _join(path, key),
                    f"{fy_label(fy - 1)} has no actuals: the closed FYs are the "
                    f"plan's first FYs without gaps (enter {fy_label(fy - 1)}'s "
                    f"actuals before {fy_label(fy)}'s)",
                )
    return tuple(found[fy] for fy in sorted(found))


_ABSENT = object()
_BAD = object()


def _read_spending(reader: _Reader, value: Any, path: str) -> Any:
    if value is _ABSENT:
        reader.error(
            path,
            'is required (spending by strategy, e.g. {"A:10": "402113"}; '
            "{} when nothing was spent)",
        )
        return _BAD
    source = reader.obj(value, path)
    if source is None or reader.too_many(
        source, path, reader.limits.actual_strategies_max, "strategies"
    ):
        return _BAD
    found: list[tuple[str, Decimal]] = []
    ok = True
    field = money("amount")
    for key, raw in source.items():
        here = _join(path, key)
        problem = strategy_key_problem(key, len(reader.tables.exhibit_a))
        if problem:
            reader.error(here, problem)
            ok = False
            continue
        amount = reader.scalar(field, raw, here)
        if amount is _MISSING:
            ok = False
            continue
        found.append((key, amount))
    return tuple(found) if ok else _BAD


def strategy_key_problem(key: str, exhibit_a_count: int = 12) -> str | None:
    """Why `key` is not a strategy code of §7 (or "unassigned"), or None."""
    if key == UNASSIGNED:
        return None
    a = EXHIBIT_A_CODE.match(key)
    if a and 1 <= int(a.group(1)) <= exhibit_a_count:
        return None
    if EXHIBIT_B_CODE.match(key):
        return None
    return (
        f"is not a strategy code: write an Exhibit A code (A:1 to A:{exhibit_a_count}; "
        'LEAD is A:10), an Exhibit B item such as B:D.1.4, or "unassigned"'
    )


def _read_referrals(reader: _Reader, value: Any, path: str) -> Any:
    if value is None:
        return None
    source = reader.obj(value, path, PATHWAYS)
    if source is None:
        return _BAD
    found = {}
    ok = True
    for pathway in PATHWAYS:
        got = reader.field(
            source, Field(pathway, "whole", low=Decimal(0), cap=AMOUNT_CAP, fixed=0), path
        )
        if got is _MISSING:
            ok = False
        found[pathway] = got
    if not ok:
        return _BAD
    return tuple((p, int(found[p])) for p in PATHWAYS)


def _join(path: str, key: str) -> str:
    shown = key if len(key) <= 40 else key[:40] + "…"  # a path never echoes a long key
    return f"{path}.{shown}" if path else shown


def parse_actuals_section(
    section: Any, tables: Any, start_fy: int | None = None, years: int | None = None
) -> tuple[FyActuals, ...]:
    """An `actuals` section on its own (a jurisdiction's actuals, a form, a CSV turned into
    the section's shape), checked exactly as in a plan file, problems at `actuals.…` paths;
    raises PlanError. With `start_fy` and `years` the FYs are judged against that plan
    (outside it, gaps); without them, any FY is accepted and only the entries are checked."""
    from .limits import nesting_problem

    reader = _Reader(tables)
    too_deep = nesting_problem(section, reader.limits)
    if too_deep is not None:
        raise PlanError([Problem(f"actuals.{too_deep}", "is nested too deeply")])
    known = start_fy is not None and years is not None
    if start_fy is not None and years is not None:
        reader.start_fy, reader.years = start_fy, years
    found = read_actuals(reader, section, known)
    if reader.problems:
        raise PlanError(reader.problems)
    return found


def with_actuals(plan: Plan, actuals: Iterable[FyActuals]) -> Plan:
    """The plan with these actuals (a jurisdiction's, entered once for every plan): those of
    the plan's first FYs without a gap, from its first FY on (a FY before the plan, after a
    gap or after the plan is left out). The plan's own actuals are replaced."""
    import dataclasses

    by_fy = {entry.fy: entry for entry in actuals}
    kept = []
    fy = plan.start_fy
    while fy in by_fy and fy <= plan.end_fy:
        kept.append(by_fy[fy])
        fy += 1
    return dataclasses.replace(plan, actuals=tuple(kept))


# ----------------------------------------------------------------------------- export


def _plain(value: Decimal) -> str:
    return format(value, "f")


def fy_actuals_to_dict(entry: FyActuals) -> dict[str, Any]:
    return {
        "receipts": _plain(entry.receipts),
        "interest": _plain(entry.interest),
        "audit_costs": _plain(entry.audit_costs),
        "spending": {strategy: _plain(amount) for strategy, amount in entry.spending},
        "referrals": None if entry.referrals is None else dict(entry.referrals),
        "enrolled": entry.enrolled,
        "reported_on": None if entry.reported_on is None else entry.reported_on.isoformat(),
    }


def actuals_to_dict(actuals: Iterable[FyActuals]) -> dict[str, Any]:
    """The `actuals` section of a plan file, every value written explicitly."""
    return {entry.label: fy_actuals_to_dict(entry) for entry in actuals}


# ----------------------------------------------------------------------------- the fund


def closed_fys(plan: Plan) -> tuple[int, ...]:
    return tuple(entry.fy for entry in plan.actuals)


def actuals_of(plan: Plan, fy: int) -> FyActuals:
    for entry in plan.actuals:
        if entry.fy == fy:
            return entry
    raise NotClosedError(
        f"{fy_label(fy)} has no actuals in this plan: it is not a closed FY"
        + (
            f" (closed: {', '.join(fy_label(f) for f in closed_fys(plan))})"
            if plan.actuals
            else " (the plan has no actuals)"
        )
    )


def closed_fund_years(plan: Plan) -> dict[int, tuple[int, int, int]]:
    """Plan year k -> (receipts, interest, spending) of the fund in a closed FY (§11)."""
    return {
        entry.fy - plan.start_fy: (
            entry.receipts_dollars,
            entry.interest_dollars,
            entry.fund_spending,
        )
        for entry in plan.actuals
    }


# ----------------------------------------------------------------------------- the block


def variance_percent_text(variance: int, planned: int) -> str:
    """`+12.5%`, `-3.0%`, or `n/a` with nothing planned (one decimal, half-up)."""
    if planned == 0:
        return "n/a"
    value = round_half_up(Q(variance * 100, planned), 1)
    return f"{'+' if value > 0 else ''}{value}%"


def variance_of(planned: int, actual: int) -> int:
    """The variance's one formula (Exhibit E, the plan page, the workbook): actual − planned,
    so spending more than planned is positive ("over plan")."""
    return actual - planned


def variance_word(variance: int) -> str:
    """Spending against the plan in words (never colour alone): over, under, as planned."""
    if variance > 0:
        return "over plan"
    if variance < 0:
        return "under plan"
    return "as planned"


@dataclass(frozen=True)
class VarianceRow:
    """One strategy in one closed FY, as a table shows it."""

    strategy: str
    planned: int
    actual: int
    variance: int

    @property
    def percent(self) -> str:
        return variance_percent_text(self.variance, self.planned)

    @property
    def word(self) -> str:
        return variance_word(self.variance)

    @property
    def direction(self) -> str:
        """`over`, `under` or `even` (a CSS class; the words say it too)."""
        return "over" if self.variance > 0 else "under" if self.variance < 0 else "even"

    @classmethod
    def of(cls, strategy: str, planned: int, actual: int) -> VarianceRow:
        return cls(strategy, planned, actual, variance_of(planned, actual))


@dataclass(frozen=True)
class ActualsBlock:
    """The projection's `actuals` block (§11): one whole-dollar value per closed FY."""

    closed_fys: tuple[int, ...]
    planned_by_strategy: Mapping[str, tuple[int, ...]]
    actual_by_strategy: Mapping[str, tuple[int, ...]]
    variance_by_strategy: Mapping[str, tuple[int, ...]]
    receipts_planned: tuple[int, ...]
    receipts_actual: tuple[int, ...]
    interest_planned: tuple[int, ...]
    interest_actual: tuple[int, ...]
    audit_costs: tuple[int, ...]

    @property
    def strategies(self) -> tuple[str, ...]:
        return tuple(self.planned_by_strategy)

    def variance_rows(self, k: int) -> tuple[VarianceRow, ...]:
        """Closed FY number k (0 = the first) by strategy, in the block's order."""
        return tuple(
            VarianceRow(
                s,
                self.planned_by_strategy[s][k],
                self.actual_by_strategy[s][k],
                self.variance_by_strategy[s][k],
            )
            for s in self.strategies
        )

    def totals(self, k: int) -> VarianceRow:
        """Every strategy together in closed FY number k (audit costs are not in it)."""
        rows = self.variance_rows(k)
        return VarianceRow(
            "total",
            sum(r.planned for r in rows),
            sum(r.actual for r in rows),
            sum(r.variance for r in rows),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "closed_fys": list(self.closed_fys),
            "planned_by_strategy": {s: list(v) for s, v in self.planned_by_strategy.items()},
            "actual_by_strategy": {s: list(v) for s, v in self.actual_by_strategy.items()},
            "variance_by_strategy": {s: list(v) for s, v in self.variance_by_strategy.items()},
            "receipts": {
                "planned": list(self.receipts_planned),
                "actual": list(self.receipts_actual),
            },
            "interest": {
                "planned": list(self.interest_planned),
                "actual": list(self.interest_actual),
            },
            "audit_costs": list(self.audit_costs),
        }


def strategy_order(planned: Iterable[str], actuals: Iterable[FyActuals]) -> tuple[str, ...]:
    """The plan's strategies in `by_strategy` order, then strategies found only in actuals
    in order of appearance, "unassigned" last (§11)."""
    order = [s for s in planned if s != UNASSIGNED]
    seen = set(order)
    has_unassigned = UNASSIGNED in planned
    for entry in actuals:
        for strategy, _ in entry.spending:
            if strategy == UNASSIGNED:
                has_unassigned = True
            elif strategy not in seen:
                seen.add(strategy)
                order.append(strategy)
    if has_unassigned:
        order.append(UNASSIGNED)
    return tuple(order)


def actuals_block(
    plan: Plan,
    by_strategy: Mapping[str, tuple[int, ...]],
    planned_receipts: tuple[int, ...],
    planned_interest: tuple[int, ...],
) -> ActualsBlock | None:
    """The §11 block from the plan's actuals and its planned figures (None without
    actuals). `planned_receipts`/`planned_interest` are the fund as adopted (no actuals)."""
    if not plan.actuals:
        return None
    ks = [entry.fy - plan.start_fy for entry in plan.actuals]
    order = strategy_order(by_strategy, plan.actuals)
    planned = {s: tuple(by_strategy[s][k] if s in by_strategy else 0 for k in ks) for s in order}
    spent = [entry.spending_dollars for entry in plan.actuals]
    actual = {s: tuple(row.get(s, 0) for row in spent) for s in order}
    variance = {
        s: tuple(variance_of(p, a) for p, a in zip(planned[s], actual[s], strict=True))
        for s in order
    }
    return ActualsBlock(
        closed_fys=tuple(entry.fy for entry in plan.actuals),
        planned_by_strategy=planned,
        actual_by_strategy=actual,
        variance_by_strategy=variance,
        receipts_planned=tuple(planned_receipts[k] for k in ks),
        receipts_actual=tuple(entry.receipts_dollars for entry in plan.actuals),
        interest_planned=tuple(planned_interest[k] for k in ks),
        interest_actual=tuple(entry.interest_dollars for entry in plan.actuals),
        audit_costs=tuple(entry.audit_costs_dollars for entry in plan.actuals),
    )


def entry_spent(entry: Mapping[str, Any]) -> int:
    """Exhibit E (3) of a stored §11 entry (a FY of a jurisdiction's record, already checked):
    each strategy's amount rounded half-up to whole dollars, then summed, as `FyActuals.spent`."""
    return sum(dollars(Decimal(str(v))) for v in (entry.get("spending") or {}).values())
