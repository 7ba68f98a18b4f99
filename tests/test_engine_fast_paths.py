"""The engine's fast paths give the figures of the paths they stand for (issue 25):

- `project` costs each line-year inline (flat per-class lists, the basis a deferred call):
  every component, FTE and basis text equals `lines.line_year`'s, the one-object-per-line-year
  path the fit and the rules were written against; `line_by_year` (the fit's) equals it too.
- the §13 search is done once per plan version (`fit.SEARCHES`): a second check of the same
  plan, or of an equal plan parsed again, reuses it and gives the result a search from scratch
  gives; a changed plan is searched again; headroom asked for a few years and then for all is
  every year's headroom.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import json
import pickle

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.cost_tables import default_cost_tables
from planner.scenarios import parse_plan, project
from planner.scenarios.authorizations import months_by_fy
from planner.scenarios.compliance import check_plan
from planner.scenarios.compliance_base import RuleResult
from planner.scenarios.fiscal import FY_MAX, FY_MIN, fy_label, parse_fy
from planner.scenarios.fit import REFERRALS, SEARCHES, fit
from planner.scenarios.lines import Context, line_year
from planner.scenarios.money import q
from planner.scenarios.projection import LineProjection, line_by_year
from tests.plans import EXAMPLES, as_json_document
from tests.strategies import examples, plan_documents

AS_OF = dt.date(2026, 11, 28)
SETTINGS = settings(
    max_examples=examples(80), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
DEMO = json.loads((EXAMPLES / "demo-orange-county.json").read_text())


def build(doc):
    return parse_plan(as_json_document(copy.deepcopy(doc)), default_cost_tables())


@SETTINGS
@given(plan_documents(funding=True))
def test_projection_equals_the_line_year_path(doc):
    plan = build(doc)
    p = project(plan)
    ctx = Context.build(plan, p.participants)
    rate = q(plan.assumptions.indirect_rate)
    for item, line in zip(plan.line_items, p.line_items, strict=True):
        assert line_by_year(item, ctx) == line.by_year
        for k, fy in enumerate(plan.fiscal_years):
            if not item.active_in(fy):
                assert line.by_year[k] == 0
                continue
            old = line_year(item, k, ctx, rate)
            for name, amount in old.rounded.items():
                assert line.by_object_class.get(name, (0,) * plan.years)[k] == amount
            assert sum(old.rounded.values()) == line.by_year[k]
            assert q(line.fte[k]) == old.cost.fte
            assert line.basis[k] == old.basis()


def fresh_fit(plan, target=REFERRALS, headroom_years=None):
    """The fit as if no version had been searched before."""
    SEARCHES.clear()
    plan.__dict__.pop("_fit_memo", None)  # what this plan object keeps of its searches
    return fit(plan, target, headroom_years=headroom_years)


def test_the_search_runs_once_per_version_and_is_the_fresh_result():
    tables = default_cost_tables()
    first = build(DEMO)
    check_plan(first, project(first), tables, AS_OF)  # PLAN-RESERVE warns: it searches
    searched = SEARCHES.count
    again = build(DEMO)  # the same version, parsed again (the page, a PDF)
    assert again is not first
    found = fit(again)
    assert SEARCHES.count == searched  # no new search
    assert found.value is not None
    assert found == fresh_fit(build(DEMO))


def test_a_changed_plan_is_searched_again():
    before = build(DEMO)
    fit(before)
    changed = copy.deepcopy(DEMO)
    changed["line_items"][0]["salary"] = "150000"
    plan = build(changed)
    searched = SEARCHES.count
    found = fit(plan)
    assert SEARCHES.count == searched + 1
    assert found == fresh_fit(build(changed))
    assert found.value != fresh_fit(build(DEMO)).value


def test_headroom_for_some_years_then_all_is_every_years_headroom():
    plan = build(DEMO)
    SEARCHES.clear()
    some = fit(plan, headroom_years=[2])
    assert [k for k, room in enumerate(some.headroom) if room is not None] == [2]
    everything = fit(plan)
    assert everything == fresh_fit(build(DEMO))
    assert everything.headroom[2] == some.headroom[2]
    beyond = fit(plan, headroom_years=[1, plan.years + 3])  # a year past the plan: none
    assert [k for k, room in enumerate(beyond.headroom) if room is not None] == [1]


def test_a_line_target_and_the_plans_own_figures_are_kept():
    doc = copy.deepcopy(DEMO)
    doc["fund"]["reserve_months"] = "2"
    plan = build(doc)
    SEARCHES.clear()
    line = fit(plan, "line:program-manager")
    written = copy.deepcopy(doc)
    written["fund"]["reserve_months"] = "2.0"  # the same version, written otherwise
    other = build(written)
    reused = fit(other, "line:program-manager")
    assert format(reused.reserve_months, "f") == "2.0"
    assert dataclasses.replace(reused, reserve_months=line.reserve_months) == line
    assert fit(other, "line:program-manager") == fresh_fit(other, "line:program-manager")


# ----------------------------------------------------------------------------- issue 25, part 1
# The fast paths of engine2: each gives what the path it stands for gives.


@settings(max_examples=examples(200), deadline=None)
@given(st.integers(24000, 24400), st.integers(0, 200))
def test_a_periods_months_by_fy_counted_fy_by_fy_are_those_counted_month_by_month(first, n):
    # A range (a period) is counted FY by FY; any other iterable month by month.
    months = range(first, first + n)
    assert list(months_by_fy(months).items()) == list(months_by_fy(list(months)).items())


def test_every_fy_label_read_by_look_up_is_the_checked_reading():
    for fy in range(FY_MIN, FY_MAX + 1):
        label = fy_label(fy)
        assert parse_fy(label) == fy
        assert parse_fy(f" {label} ") == fy  # not in the table: read by the checks
        assert parse_fy(str(fy)) == fy


@SETTINGS
@given(plan_documents(funding=True))
def test_parameters_made_without_init_equal_those_made_by_it(doc):
    # KIND.make stores the fields directly: the same values, in the class's field order.
    for line in build(doc).line_items:
        params = line.params
        made = type(params)(**vars(params))
        assert params == made
        assert list(vars(params).items()) == list(vars(made).items())
        assert pickle.loads(pickle.dumps(params)) == params  # noqa: S301 - our own bytes


def test_rule_results_stored_without_init_equal_those_made_by_it():
    plan = build(DEMO)
    for result in check_plan(plan, project(plan), default_cost_tables(), AS_OF):
        made = RuleResult(
            result.rule,
            result.status,
            result.message,
            result.fiscal_years,
            result.line_items,
            result.citation,
            result.inputs,
            result.facts,
        )
        assert result == made
        assert (result.inputs, result.facts) == (made.inputs, made.facts)
        assert list(vars(result)) == list(vars(made))
        copied = pickle.loads(pickle.dumps(result))  # noqa: S301 - our own bytes
        assert copied == made
        assert copied.message == made.message


@SETTINGS
@given(plan_documents(funding=True))
def test_line_projections_stored_without_init_equal_those_made_by_it(doc):
    for line in project(build(doc)).line_items:
        fields = {f.name: getattr(line, f.name) for f in dataclasses.fields(line)}
        made = LineProjection(**fields)
        assert line == made
        assert list(vars(line))[: len(fields)] == list(vars(made))
        assert line.basis == made.basis
