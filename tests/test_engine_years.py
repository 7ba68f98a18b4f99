"""The engine's faster paths of issue 25 give the figures of the plain ones:

- rounding to dollars (x ± 1/2 truncated) is `round_half_up` to whole dollars, halves too;
- the `Years` backend refuses what a yearly value cannot answer (a truth value, `==`);
- the cohort model in whole numbers over a common denominator is the §4 model computed in
  rationals month by month (the oracle below is that model, written out again);
- months counted by FY in arithmetic are `fy_of_month`'s count;
- a document within the nesting limit is found so without paths, and one beyond it gets the
  path of its first too-deep list or object;
- a rule's message, written when first read, is its renderer's text of its facts, and a
  pickled result carries it.

(The projection on the `Years` backend is held equal to the line-year path, every component,
FTE and basis, in test_engine_fast_paths.py.)
"""

from __future__ import annotations

import datetime as dt
import pickle
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.cost_tables import default_cost_tables
from planner.scenarios import parse_plan_text, project
from planner.scenarios.authorizations import fy_of_month, months_by_fy
from planner.scenarios.compliance import RULES, check_plan
from planner.scenarios.compliance_base import Rule
from planner.scenarios.kinds.vectors import Years
from planner.scenarios.limits import nesting_problem
from planner.scenarios.money import Q, dollars, dollars_each, quantize6, round_half_up
from planner.scenarios.participants import project_participants
from planner.scenarios.plan import PATHWAYS, Participants
from tests.plans import EXAMPLES
from tests.strategies import examples

AS_OF = dt.date(2026, 11, 28)
rationals = st.builds(Q, st.integers(min_value=-(10**15), max_value=10**15), st.integers(1, 10**9))


@settings(max_examples=examples(300), deadline=None)
@given(st.lists(rationals, max_size=20))
def test_dollars_is_round_half_up(values):
    expected = [int(round_half_up(v)) for v in values]
    assert [dollars(v) for v in values] == expected
    assert dollars_each(values) == expected


def test_dollars_of_halves_rounds_away_from_zero():
    # 2.5 -> 3, -2.5 -> -3, 0.5 -> 1, -0.5 -> -1, 1.49… -> 1
    halves = [Q(5, 2), Q(-5, 2), Q(1, 2), Q(-1, 2), Q(149, 100), Q(0)]
    assert dollars_each(halves) == [3, -3, 1, -1, 1, 0]
    assert all(type(x) is int for x in dollars_each(halves))


def test_a_yearly_value_has_no_truth_value_and_no_equality():
    years = Years([Q(1), Q(2)])
    with pytest.raises(TypeError):
        bool(years)
    with pytest.raises(TypeError):
        _ = years == years
    assert (Q(2) * years + Q(1)).v == [Q(3), Q(5)]
    assert (Q(6) / years - years).v == [Q(5), Q(1)]


def _cohorts_in_rationals(p: Participants, years: int) -> tuple[list[Decimal], ...]:
    """§4 as written: n_m per month, active_m the sum of the last M cohorts, exactly."""
    m_enrolled = p.average_months_enrolled
    steady = sum((Q(p.referrals_per_year[x]) * Q(p.enrollment_rate[x]) for x in PATHWAYS), Q(0))
    ramp = [Q(p.ramp[k]) if k < len(p.ramp) else Q(1) for k in range(years)]

    def n(month: int) -> Q:
        if month >= 0:
            return ramp[month // 12] * steady / 12
        return Q(p.initial_active) / m_enrolled if month > -m_enrolled else Q(0)

    new, avg, peak, months = [], [], [], []
    for k in range(years):
        active = [
            sum((n(i) for i in range(m - m_enrolled + 1, m + 1)), Q(0))
            for m in range(12 * k, 12 * k + 12)
        ]
        new.append(quantize6(ramp[k] * steady))
        avg.append(quantize6(sum(active, Q(0)) / 12))
        peak.append(quantize6(max(active)))
        months.append(quantize6(sum(active, Q(0))))
    return new, avg, peak, months


decimals = st.decimals(min_value=0, max_value=500, places=3, allow_nan=False)


@settings(max_examples=examples(40), deadline=None)
@given(
    referrals=st.lists(decimals, min_size=3, max_size=3),
    rates=st.lists(st.decimals(min_value=0, max_value=1, places=2), min_size=3, max_size=3),
    ramp=st.lists(st.decimals(min_value=0, max_value=2, places=2), max_size=3),
    months=st.integers(1, 40),
    initial=decimals,
    years=st.integers(1, 5),
)
def test_the_whole_number_cohort_model_is_the_rational_one(
    referrals, rates, ramp, months, initial, years
):
    p = Participants(
        referrals_per_year=dict(zip(PATHWAYS, referrals, strict=True)),
        enrollment_rate=dict(zip(PATHWAYS, rates, strict=True)),
        ramp=tuple(ramp),
        average_months_enrolled=months,
        initial_active=initial,
    )
    found = project_participants(p, years)
    new, avg, peak, total = _cohorts_in_rationals(p, years)
    assert list(found.new_enrollees) == new
    assert list(found.avg_active) == avg
    assert list(found.peak_active) == peak
    assert list(found.participant_months) == total
    assert found.exact == tuple(tuple(Q(v) for v in column) for column in (new, avg, peak, total))


@given(st.lists(st.integers(2000 * 12, 2060 * 12), max_size=60))
def test_months_by_fy_counts_each_months_fy(months):
    expected: dict[int, int] = {}
    for month in months:
        expected[fy_of_month(month)] = expected.get(fy_of_month(month), 0) + 1
    assert months_by_fy(months) == expected
    assert list(months_by_fy(months)) == list(expected)  # FYs in the order they come


def test_nesting_within_the_limit_and_beyond_it():
    limits = default_cost_tables().limits
    assert limits is not None
    most = limits.nesting_max

    def nested(depth: int) -> object:
        node: object = []
        for level in range(depth - 1):
            node = {"a": node} if level % 2 else [node]
        return node

    assert nesting_problem(nested(most), limits) is None
    assert nesting_problem("text", limits) is None
    deep = {"line_items": [{"x": nested(most)}]}
    path = nesting_problem(deep, limits)
    assert path is not None
    assert path.startswith("line_items[0].x[0]")


def test_a_message_is_its_renderers_text_and_survives_a_pickle():
    tables = default_cost_tables()
    plan = parse_plan_text((EXAMPLES / "demo-orange-county.json").read_bytes(), tables)
    results = check_plan(plan, project(plan), tables, AS_OF)
    rules = {rule_id: check for rule_id, check in RULES if isinstance(check, Rule)}
    for result in results:
        if result.rule in rules:
            assert result.message == rules[result.rule].render(result.status, result.facts)
    copied = pickle.loads(pickle.dumps(results))  # noqa: S301 - our own objects
    assert copied == results
    assert [r.message for r in copied] == [r.message for r in results]


def test_a_pickled_projection_carries_every_basis_of_estimate():
    """The worker's jobs store projections pickled (a stored analysis, a document): a line
    costed on the `Years` backend keeps its context (which holds the whole plan, ranges
    included) only until it is pickled, when each FY's basis is written."""
    import json
    from pathlib import Path

    examples = Path(__file__).resolve().parents[1] / "examples"
    document = json.loads((examples / "demo-orange-county.json").read_text())
    document["uncertainty"] = {"receipts": {"low": "0.8", "mode": "1", "high": "1.1"}}
    projection = project(parse_plan_text(json.dumps(document), default_cost_tables()))
    again = pickle.loads(pickle.dumps(projection))  # noqa: S301 - our own bytes
    assert again == projection
    assert [line.basis for line in again.line_items] == [
        line.basis for line in projection.line_items
    ]
