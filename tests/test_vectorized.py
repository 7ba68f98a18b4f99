"""The vectorized evaluation of simulated plans against the exact engine (cost model §12):
the same line-kind formulas over float64 arrays; every component within $1, and only an
exact .5 tie may differ."""

from __future__ import annotations

import json
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.cost_tables import default_cost_tables
from planner.scenarios import parse_plan, project
from planner.scenarios.simulation import draw_values, evaluate_exact, exact_values
from planner.scenarios.uncertainty import Triangle, Uncertainty, substitute
from planner.scenarios.vectorized import NUMPY, evaluate, line_costs, round_dollars
from tests.plans import EXAMPLES, as_json_document
from tests.strategies import examples, plan_documents

TABLES = default_cost_tables()
DRAWS = 3


# Each variable's bounds, and its three values' strategy made once (a strategy made inside
# a draw is validated again at each).
BOUNDS = {
    "referrals": (0, 3),
    "enrollment_rate": (0, 3),
    "receipts": (0, 3),
    "average_months_enrolled": (1, 60),
    "salary_escalation": (-0.1, 0.12),
    "health_escalation": (-0.1, 0.12),
    "inflation": (-0.1, 0.12),
    "interest_rate": (-0.1, 0.12),
}
THREE_VALUES = {
    name: st.lists(
        st.decimals(Decimal(str(low)), Decimal(str(high)), places=3), min_size=3, max_size=3
    )
    for name, (low, high) in BOUNDS.items()
}
SEEDS = st.integers(0, 2**32)


@st.composite
def ranges(draw):
    """A few variables with low ≤ mode ≤ high (rates near the plan's, multipliers 0–3)."""
    found = {}
    for name in BOUNDS:
        if draw(st.booleans()):
            values = sorted(draw(THREE_VALUES[name]))
            found[name] = Triangle(*values)
    return Uncertainty(draws=DRAWS, seed=draw(SEEDS), variables=found)


def exact_components(plan, values, i):
    simulated = substitute(plan, exact_values(values, i))
    found = {}
    for line in project(simulated).line_items:
        for name, amounts in line.by_object_class.items():
            for k, amount in enumerate(amounts):
                found[(line.id, k, name)] = amount
    return found


@settings(max_examples=examples(100), deadline=None)
@given(document=plan_documents(), section=ranges())
def test_every_component_within_a_dollar_and_only_ties_differ(document, section):
    plan = parse_plan(as_json_document(document), TABLES)
    values = draw_values(section)
    floats = {}
    for line_id, k, exact in line_costs(plan, values, DRAWS):
        for name, amount in exact.items():
            floats[(line_id, k, name)] = np.broadcast_to(amount, (DRAWS,))
    for i in range(DRAWS):
        exact = exact_components(plan, values, i)
        for key in set(exact) | set(floats):
            unrounded = floats[key][i] if key in floats else 0.0
            got = int(round_dollars(unrounded))
            want = exact.get(key, 0)
            assert abs(got - want) <= 1, (key, got, want)
            if got != want:  # only an exact .5 tie may fall either way
                fraction = abs(unrounded) % 1
                assert abs(fraction - 0.5) < 1e-6, (key, unrounded, want)


@pytest.mark.parametrize(
    "name",
    [
        "demo-orange-county.json",
        "all-rules-pass.json",
        "option-b-durham.json",
        "minimal.json",
        "real/fayetteville-lead.json",  # funding sources (§16): shares of drawn costs
        "real/gaston-lead.json",  # amounts capped by an award
    ],
)
def test_fund_of_every_draw_equals_the_exact_engine(name):
    data = json.loads((EXAMPLES / name).read_text())
    data["uncertainty"] = {
        "draws": 20,
        "seed": 11,
        "referrals": {"low": "0.5", "mode": "1", "high": "1.5"},
        "enrollment_rate": {"low": "0.7", "mode": "1", "high": "1.2"},
        "average_months_enrolled": {"low": "6", "mode": "18", "high": "30"},
        "receipts": {"low": "0.9", "mode": "1", "high": "1.05"},
        "salary_escalation": {"low": "0.01", "mode": "0.03", "high": "0.05"},
        "health_escalation": {"low": "0.03", "mode": "0.05", "high": "0.08"},
        "inflation": {"low": "0.01", "mode": "0.025", "high": "0.04"},
        "interest_rate": {"low": "0", "mode": "0.02", "high": "0.04"},
    }
    plan = parse_plan(as_json_document(data), TABLES)
    values = draw_values(plan.uncertainty)
    fast, exact = evaluate(plan, values, 20), evaluate_exact(plan, values, 20)
    assert np.abs(fast.spending - exact.spending).max() <= 2
    assert np.abs(fast.closing - exact.closing).max() <= 5


def test_numpy_ops():
    assert NUMPY.num(Decimal("0.1")) == 0.1
    # An exact integer that float arithmetic leaves a hair above: not a step up.
    assert NUMPY.ceil(np.array([2.0000000001, 2.1, 0.0])).tolist() == [2.0, 3.0, 0.0]
    assert round_dollars(np.array([37131.499999999993, -2.5, 2.4999])).tolist() == [
        37132.0,
        -3.0,
        2.0,
    ]


@settings(max_examples=examples(60), deadline=None)
@given(document=plan_documents(funding=True), section=ranges())
def test_settlement_spending_of_every_draw_equals_the_exact_engine_with_funding(document, section):
    """Shares apply to the drawn costs and awards run out draw by draw (§12, §16): the
    settlement spending and closing balances of the vectorized engine are the exact
    engine's. A line-year total may differ by $1 on an exact .5 tie (see above), and a
    share of it by $1 more, so a FY's spending stays within $2 a line-year."""
    plan = parse_plan(as_json_document(document), TABLES)
    values = draw_values(section)
    fast, exact = evaluate(plan, values, DRAWS), evaluate_exact(plan, values, DRAWS)
    bound = 2 * max(1, len(plan.line_items))
    assert np.abs(fast.spending - exact.spending).max() <= bound
    assert np.abs(fast.closing - exact.closing).max() <= bound * plan.years * 2
