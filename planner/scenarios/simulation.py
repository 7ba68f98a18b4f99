"""How sure are we? The simulation and the tornado of cost model §12 (`lead-simulation/1`).

Draws: one numpy `Generator` (`numpy.random.default_rng(seed)`, PCG64) per run. The given
variables are drawn in §12's order (`uncertainty.VARIABLES`), one array of `draws` values
each, `Generator.triangular(low, mode, high, draws)`; a collapsed variable (`low == high`)
takes no random numbers. Draw `i` of the run is the plan with the `i`-th value of every
variable; so the same seed, draws and ranges give the same figures.

The draws are evaluated by the vectorized engine (`vectorized.evaluate`: the line kinds' own
formulas over float64 arrays) or, for checks, by the exact engine one draw at a time
(`evaluate_exact`); both return the fund's spending and closing per draw and FY. The tornado
is always exact: each of its rows is `project()` of a simulated plan.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np

from .fiscal import fy_label
from .money import round_half_up
from .plan import Plan
from .projection import Projection, project
from .uncertainty import (
    MONTHS,
    VARIABLES,
    Triangle,
    Uncertainty,
    closed_fys,
    months,
    substitute,
)
from .vectorized import Outcome, evaluate

SIMULATION_SCHEMA = "lead-simulation/1"
PERCENTILES = (10, 50, 90)


Evaluator = Callable[[Plan, Mapping[str, np.ndarray], int], Outcome]


@dataclass(frozen=True)
class TornadoPoint:
    total: int
    lowest_closing: int | None  # over the open FYs; None when every FY is closed


@dataclass(frozen=True)
class TornadoRow:
    variable: str
    triangle: Triangle
    at_low: TornadoPoint
    at_high: TornadoPoint

    @property
    def width(self) -> int:
        if self.at_low.lowest_closing is None or self.at_high.lowest_closing is None:
            return 0
        return abs(self.at_high.lowest_closing - self.at_low.lowest_closing)


@dataclass(frozen=True)
class Simulation:
    draws: int
    seed: int
    fiscal_years: tuple[int, ...]
    variables: Mapping[str, Triangle]
    spending: dict[int, tuple[int, ...]]  # percentile -> per FY
    closing: dict[int, tuple[int, ...]]
    p_deficit: tuple[float, ...]
    p_any_deficit: float
    first_deficit_counts: tuple[tuple[int | None, int], ...]  # FY order, None (no deficit) last
    base: TornadoPoint
    tornado: tuple[TornadoRow, ...]  # widest first

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(fy_label(fy) for fy in self.fiscal_years)


# --------------------------------------------------------------------------- draws


def draw_values(section: Uncertainty) -> dict[str, np.ndarray]:
    """The drawn value of every given variable, per draw (see the module's docstring)."""
    rng = np.random.default_rng(section.seed)
    found: dict[str, np.ndarray] = {}
    for name in VARIABLES:
        triangle = section.variables.get(name)
        if triangle is None:
            continue
        if triangle.collapsed:
            found[name] = np.full(section.draws, float(triangle.mode))
        else:
            found[name] = rng.triangular(
                float(triangle.low), float(triangle.mode), float(triangle.high), section.draws
            )
        if name == MONTHS:  # whole months within 1–120 (§12), half-up
            found[name] = np.clip(np.floor(found[name] + 0.5), 1, 120)
    return found


# --------------------------------------------------------------------------- evaluation


def evaluate_exact(plan: Plan, values: Mapping[str, np.ndarray], draws: int) -> Outcome:
    """The exact engine, one simulated plan per draw (slow: for checks and small runs)."""
    spending = np.zeros((draws, plan.years), dtype=np.int64)
    closing = np.zeros((draws, plan.years), dtype=np.int64)
    for i in range(draws):
        fund = project(substitute(plan, exact_values(values, i))).fund
        spending[i] = fund.spending
        closing[i] = fund.closing
    return Outcome(spending, closing)


def exact_values(values: Mapping[str, np.ndarray], i: int) -> dict[str, Decimal]:
    """Draw i's values as exact decimals (a float's own binary value, digit for digit)."""
    return {name: Decimal(float(array[i])) for name, array in values.items()}


def default_evaluator() -> Evaluator:
    return evaluate


# --------------------------------------------------------------------------- the run


def simulate(
    plan: Plan,
    section: Uncertainty | None = None,
    *,
    evaluator: Evaluator | None = None,
    base_projection: Projection | None = None,
) -> Simulation:
    """Simulate the plan with its own `uncertainty` section (or `section`)."""
    section = section if section is not None else (plan.uncertainty or Uncertainty())
    values = draw_values(section)
    outcome = (evaluator or default_evaluator())(plan, values, section.draws)
    closing = outcome.closing
    deficit = closing < 0
    p_deficit = tuple(float(x) for x in deficit.mean(axis=0))
    any_deficit = deficit.any(axis=1)
    first_index = np.where(any_deficit, deficit.argmax(axis=1), -1)
    counts: list[tuple[int | None, int]] = []
    for k, fy in enumerate(plan.fiscal_years):
        found = int((first_index == k).sum())
        if found:
            counts.append((fy, found))
    if none := int((~any_deficit).sum()):
        counts.append((None, none))
    base, rows = tornado(plan, section.variables, base_projection)
    return Simulation(
        draws=section.draws,
        seed=section.seed,
        fiscal_years=plan.fiscal_years,
        variables=dict(section.variables),
        spending=_percentiles(outcome.spending),
        closing=_percentiles(closing),
        p_deficit=p_deficit,
        p_any_deficit=float(any_deficit.mean()),
        first_deficit_counts=tuple(counts),
        base=base,
        tornado=rows,
    )


def _percentiles(values: np.ndarray) -> dict[int, tuple[int, ...]]:
    """numpy's default (linear) percentiles over the draws, rounded half-up to dollars."""
    found = np.percentile(values, PERCENTILES, axis=0)
    return {
        p: tuple(int(round_half_up(Decimal(float(x)))) for x in row)
        for p, row in zip(PERCENTILES, found, strict=True)
    }


# --------------------------------------------------------------------------- the tornado


def tornado(
    plan: Plan, variables: Mapping[str, Triangle], base_projection: Projection | None = None
) -> tuple[TornadoPoint, tuple[TornadoRow, ...]]:
    """The exact tornado of §12: a base row (every given variable at its mode) and, per
    variable, the plan at its low and at its high (the others at their modes)."""
    modes = {name: t.mode for name, t in variables.items()}
    if base_projection is not None and not variables:
        base = _point(plan, base_projection)
    else:
        base = _point(plan, project(substitute(plan, modes)))
    rows = []
    for name in VARIABLES:
        if name not in variables:
            continue
        triangle = variables[name]
        at = {}
        for side in ("low", "high"):
            simulated = substitute(plan, {**modes, name: getattr(triangle, side)})
            at[side] = _point(simulated, project(simulated))
        rows.append(TornadoRow(name, triangle, at["low"], at["high"]))
    # Widest first; sorted() is stable, so ties keep §12's order.
    return base, tuple(sorted(rows, key=lambda row: -row.width))


def _point(plan: Plan, projection: Projection) -> TornadoPoint:
    closed = closed_fys(plan)
    open_closings = [
        c
        for fy, c in zip(plan.fiscal_years, projection.fund.closing, strict=True)
        if fy not in closed
    ]
    return TornadoPoint(projection.total, min(open_closings) if open_closings else None)


# --------------------------------------------------------------------------- output


def simulation_to_dict(result: Simulation) -> dict[str, Any]:
    """The `lead-simulation/1` document."""

    def point(p: TornadoPoint) -> dict[str, Any]:
        return {"total": p.total, "lowest_closing": p.lowest_closing}

    return {
        "schema": SIMULATION_SCHEMA,
        "draws": result.draws,
        "seed": result.seed,
        "fiscal_years": list(result.fiscal_years),
        "labels": list(result.labels),
        "variables": {
            name: {
                "low": format(t.low, "f"),
                "mode": format(t.mode, "f"),
                "high": format(t.high, "f"),
            }
            for name, t in result.variables.items()
        },
        "spending": {f"p{p}": list(v) for p, v in result.spending.items()},
        "closing": {f"p{p}": list(v) for p, v in result.closing.items()},
        "p_deficit": list(result.p_deficit),
        "p_any_deficit": result.p_any_deficit,
        "first_deficit_fy": [{"fy": fy, "draws": n} for fy, n in result.first_deficit_counts],
        "tornado": {
            "base": point(result.base),
            "variables": [
                {
                    "variable": row.variable,
                    "low": format(row.triangle.low, "f"),
                    "high": format(row.triangle.high, "f"),
                    "at_low": point(row.at_low),
                    "at_high": point(row.at_high),
                    "width": row.width,
                }
                for row in result.tornado
            ],
        },
    }


__all__ = [
    "Outcome",
    "Simulation",
    "draw_values",
    "evaluate_exact",
    "months",
    "simulate",
    "simulation_to_dict",
    "tornado",
]
