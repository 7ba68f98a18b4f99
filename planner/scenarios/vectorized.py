"""The projection of many simulated plans at once, in float64 (cost model §12).

One value per draw in every array. The line kinds' cost formulas are the ones in
`planner.scenarios.kinds`, written once over the `Ops` protocol: the exact engine runs them
over rationals, this module over numpy arrays (`NUMPY`). What is here is only what is not a
line kind's formula: the participants of §4 with a per-draw `average_months_enrolled`, the
growth factors, rounding each component half away from zero, indirect (§5) and the fund
(§6, closed FYs of §11 kept as they are).

Agreement with the exact engine: every component within $1, an exact .5 tie the only case
where they may differ (the property test in tests/test_simulation.py). Rounding leans a
float that lies within a relative 1e-13 of a tie towards the tie's exact (upward) rounding.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np

from . import streams
from .actuals import closed_fund_years
from .funding import has_funding
from .kinds import REGISTRY, YearInputs
from .money import Q, dollars, q
from .plan import PATHWAYS, Plan
from .uncertainty import MONTHS

# Draws evaluated together: the arrays of one chunk stay in cache (10,000 draws in 4 chunks).
CHUNK = 2500
# A float this close (relatively) to a rounding tie is taken to be on it: the float error
# of these formulas is a few 1e-16; an exact value this close to a tie and not on it is
# rare (dollars: ~1e-8 a component; participant figures, on a finer grid: ~1e-4).
GUARD = 1e-13
GUARD_6 = 1e-14
CEIL_SLACK = 1e-9  # docs/formulas.md: a rational integer may come out 2.0000000001 in floats
INDIRECT_BASE = ("personnel", "fringe", "travel", "supplies")


class NumpyOps:
    """The `Ops` protocol over float64 arrays (one value per draw)."""

    def num(self, value: Decimal | int | Q | Fraction | float) -> float:
        return float(value)

    def ceil(self, x: Any) -> Any:
        return np.ceil(x - CEIL_SLACK * np.maximum(1.0, np.abs(x)))

    def maximum(self, a: Any, b: Any) -> Any:
        return np.maximum(a, b)

    def minimum(self, a: Any, b: Any) -> Any:
        return np.minimum(a, b)


NUMPY = NumpyOps()


def round_dollars(x: Any) -> np.ndarray:
    """Whole dollars, half away from zero (§2), in float64."""
    a = np.abs(x)
    rounded: np.ndarray = np.copysign(np.floor(a + 0.5 + GUARD * a), x)
    return rounded


def quantize6(x: np.ndarray) -> np.ndarray:
    """§4's 6 decimal places, half-up (participant figures are ≥ 0)."""
    scaled = x * 1e6
    return np.floor(scaled + 0.5 + GUARD_6 * scaled) / 1e6


@dataclass(frozen=True)
class Outcome:
    """The fund of every simulated plan: arrays of shape (draws, years), whole dollars."""

    spending: np.ndarray
    closing: np.ndarray


@dataclass(frozen=True)
class People:
    """§4 per draw and plan year: arrays of shape (draws, years)."""

    new_enrollees: np.ndarray
    avg_active: np.ndarray
    peak_active: np.ndarray
    participant_months: np.ndarray
    referrals: np.ndarray  # (draws,) steady-state referrals a year, all pathways
    ramp: tuple[float, ...]


def _given(values: Mapping[str, np.ndarray], name: str, default: float, n: int) -> np.ndarray:
    found = values.get(name)
    return np.full(n, default) if found is None else np.asarray(found, dtype=np.float64)


def participants(plan: Plan, values: Mapping[str, np.ndarray], n: int) -> People:
    """The monthly cohort model of §4 for every draw at once.

    active_m = (N/12) × (sum of ramp over the months m−M+1 … m that are ≥ 0)
             + initial/M × (the months −M+1 … −1 still in the window)
    with a prefix sum of the monthly ramp, so a per-draw M costs one gather."""
    p = plan.participants
    years = plan.years
    m_ref = _given(values, "referrals", 1.0, n)
    m_rate = _given(values, "enrollment_rate", 1.0, n)
    steady = np.zeros(n)
    referrals = np.zeros(n)
    for pathway in PATHWAYS:
        given = float(p.referrals_per_year[pathway])
        refs = given * m_ref
        steady += refs * np.minimum(1.0, float(p.enrollment_rate[pathway]) * m_rate)
        referrals += refs
    ramp = tuple(float(p.ramp[k]) if k < len(p.ramp) else 1.0 for k in range(years))
    m_enrolled = (
        np.asarray(values[MONTHS], dtype=np.int64)
        if MONTHS in values
        else np.full(n, p.average_months_enrolled, dtype=np.int64)
    )
    month = np.arange(12 * years)
    prefix = np.concatenate(([0.0], np.cumsum(np.repeat(ramp, 12))))
    start = np.maximum(0, month[None, :] - m_enrolled[:, None] + 1)
    in_window = prefix[month + 1][None, :] - prefix[start]
    active = (steady / 12)[:, None] * in_window
    initial = float(p.initial_active)
    if initial:
        left = np.maximum(0, m_enrolled[:, None] - 1 - month[None, :])
        active += (initial / m_enrolled)[:, None] * left
    by_year = active.reshape(n, years, 12)
    total = by_year.sum(axis=2)
    return People(
        new_enrollees=quantize6(np.asarray(ramp)[None, :] * steady[:, None]),
        avg_active=quantize6(total / 12),
        peak_active=quantize6(by_year.max(axis=2)),
        participant_months=quantize6(total),
        referrals=referrals,
        ramp=ramp,
    )


def growth(rate: np.ndarray, years: int) -> list[np.ndarray]:
    """(1 + rate) ** k for k = 0 … years-1, by repeated multiplication (as the engine)."""
    base = 1.0 + rate
    found, value = [], np.ones_like(base)
    for _ in range(years):
        found.append(value)
        value = value * base
    return found


def line_costs(
    plan: Plan, values: Mapping[str, np.ndarray], n: int
) -> Iterator[tuple[str, int, dict[str, Any]]]:
    """(line id, plan year, unrounded components) for every active line-year: the kinds'
    formulas evaluated over the draws, indirect added from the unrounded components."""
    a = plan.assumptions
    years = plan.years
    people = participants(plan, values, n)
    salary = growth(_given(values, "salary_escalation", float(a.salary_escalation), n), years)
    health = growth(_given(values, "health_escalation", float(a.health_escalation), n), years)
    inflation = growth(_given(values, "inflation", float(a.inflation), n), years)
    indirect_rate = float(a.indirect_rate)
    inputs: list[YearInputs[Any]] = [
        YearInputs(
            k=k,
            j=0,
            fy=fy,
            salary_growth=salary[k],
            health_growth=health[k],
            inflation_growth=inflation[k],
            new_enrollees=people.new_enrollees[:, k],
            avg_active=people.avg_active[:, k],
            peak_active=people.peak_active[:, k],
            participant_months=people.participant_months[:, k],
            referrals=people.ramp[k] * people.referrals,
            assumptions=a,
        )
        for k, fy in enumerate(plan.fiscal_years)
    ]
    for line in plan.line_items:
        kind = REGISTRY[line.kind]
        first_fy = max(line.start_fy, plan.start_fy)
        carries = kind.carries_indirect and indirect_rate
        for k, fy in enumerate(plan.fiscal_years):
            if not line.active_in(fy):
                continue
            cost = kind.cost(line.params, replace(inputs[k], j=fy - first_fy), NUMPY)
            exact = dict(cost.components)
            if carries:
                base = sum((exact[c] for c in INDIRECT_BASE if c in exact), 0.0)
                exact["indirect"] = indirect_rate * base
            yield line.id, k, exact


def line_components(
    plan: Plan, values: Mapping[str, np.ndarray], n: int
) -> Iterator[tuple[str, int, dict[str, np.ndarray]]]:
    """(line id, plan year, components rounded half away from zero, one array each)."""
    for line_id, k, exact in line_costs(plan, values, n):
        yield (
            line_id,
            k,
            {name: round_dollars(np.broadcast_to(v, (n,))) for name, v in exact.items()},
        )


def _fund(plan: Plan, values: Mapping[str, np.ndarray], n: int, spending: np.ndarray) -> np.ndarray:
    """The closing balances (§6) with this spending (draws × years); closed FYs (§11) keep
    their actual receipts, interest and spending + audit costs."""
    fund = plan.fund
    closed = closed_fund_years(plan)
    by_fy = fund.receipts_by_fy()
    by_stream = streams.amounts_by_fy(fund)  # §18: the multiplier applies to each stream
    m_receipts = _given(values, "receipts", 1.0, n)
    rate = _given(values, "interest_rate", float(fund.interest_rate), n)
    closing = np.empty((n, plan.years))
    balance = np.full(n, float(dollars(fund.opening_balance)))
    for k, fy in enumerate(plan.fiscal_years):
        if k in closed:
            actual_receipts, actual_interest, spent = closed[k]
            spending[:, k] = spent
            balance = balance + (actual_receipts + actual_interest - spent)
        else:
            receipts = (
                sum((round_dollars(a * m_receipts) for a in by_stream.get(fy, ())), np.zeros(n))
                if fund.receipts_by_stream
                else round_dollars(dollars(by_fy.get(fy, 0)) * m_receipts)
            )
            interest = round_dollars(np.maximum(balance, 0.0) * rate)
            balance = balance + receipts + interest - spending[:, k]
        closing[:, k] = balance
    return closing


def evaluate_chunk(
    plan: Plan, values: Mapping[str, np.ndarray], n: int
) -> tuple[np.ndarray, np.ndarray]:
    spending = np.zeros((n, plan.years))
    if has_funding(plan):
        totals: dict[tuple[str, int], np.ndarray] = {}
        for line_id, k, rounded in line_components(plan, values, n):
            totals[(line_id, k)] = sum(rounded.values(), np.zeros(n))
        spending = settlement_arrays(plan, totals, n)
    else:
        for _line, k, rounded in line_components(plan, values, n):
            for amount in rounded.values():
                spending[:, k] += amount
    closing = _fund(plan, values, n, spending)
    return spending, closing


def settlement_arrays(
    plan: Plan, totals: Mapping[tuple[str, int], np.ndarray], n: int
) -> np.ndarray:
    """The settlement fund's spending per draw and FY (§16): `funding.allocate` over arrays
    (shares apply to the drawn costs; awards run out draw by draw), FYs in order, then lines
    in plan order."""
    spending = np.zeros((n, plan.years))
    remaining = {
        s.id: None if s.award is None else np.full(n, float(s.award)) for s in plan.funding
    }
    months = {s.id: [s.months_in(fy) for fy in plan.fiscal_years] for s in plan.funding}
    for k, fy in enumerate(plan.fiscal_years):
        for line in plan.line_items:
            total = totals.get((line.id, k))
            if total is None:
                continue
            rest = total.copy()
            for entry in line.funded_by:
                if entry.amounts is None:
                    factor = float(q(entry.share or 0) * months[entry.source][k] / 12)
                    want = round_dollars(factor * total)
                else:
                    want = np.full(n, float(dollars(dict(entry.amounts).get(fy, 0))))
                pay = np.minimum(rest, want)
                left = remaining[entry.source]
                if left is not None:
                    pay = np.minimum(pay, left)
                    remaining[entry.source] = left - pay
                rest = rest - pay
            spending[:, k] += rest
    return spending


def evaluate(plan: Plan, values: Mapping[str, np.ndarray], draws: int) -> Outcome:
    """The `simulation.Evaluator`: the fund's spending and closing of every draw."""
    spending = np.empty((draws, plan.years), dtype=np.int64)
    closing = np.empty((draws, plan.years), dtype=np.int64)
    for start in range(0, draws, CHUNK):
        stop = min(draws, start + CHUNK)
        part = {name: array[start:stop] for name, array in values.items()}
        s, c = evaluate_chunk(plan, part, stop - start)
        spending[start:stop] = s
        closing[start:stop] = c
    return Outcome(spending, closing)
