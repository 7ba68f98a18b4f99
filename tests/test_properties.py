"""Invariants of the engine over generated plans (Hypothesis)."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings

from planner.cost_tables import default_cost_tables
from planner.scenarios import dump_plan_json, parse_plan_text, project, projection_to_dict
from planner.scenarios.plan import OBJECT_CLASSES
from tests.plans import as_json_document
from tests.strategies import examples, plan_documents

SETTINGS = settings(
    max_examples=examples(120), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def build(doc):
    from planner.scenarios import parse_plan

    plan = parse_plan(as_json_document(doc), default_cost_tables())
    return plan, project(plan)


@SETTINGS
@given(plan_documents())
def test_components_sum_to_every_total(doc):
    plan, p = build(doc)
    years = plan.years
    for line in p.line_items:
        for k in range(years):
            assert line.by_year[k] == sum(v[k] for v in line.by_object_class.values())
        assert line.total == sum(line.by_year)
    for c in OBJECT_CLASSES:
        for k in range(years):
            assert p.by_object_class[c][k] == sum(
                line.by_object_class.get(c, (0,) * years)[k] for line in p.line_items
            )
    for k in range(years):
        assert p.by_year[k] == sum(line.by_year[k] for line in p.line_items)
        assert p.by_year[k] == sum(v[k] for v in p.by_object_class.values())
        assert p.by_year[k] == sum(v[k] for v in p.by_strategy.values())
        assert p.fte_by_year[k] == sum(line.fte[k] for line in p.line_items)
    assert p.total == sum(p.by_year)


@SETTINGS
@given(plan_documents())
def test_fund_balance_identity_every_year(doc):
    plan, p = build(doc)
    f = p.fund
    for k in range(plan.years):
        assert f.closing[k] == f.begin[k] + f.receipts[k] + f.interest[k] - f.spending[k]
        if k + 1 < plan.years:
            assert f.begin[k + 1] == f.closing[k]
    assert f.spending == p.by_year
    negative = [fy for fy, c in zip(plan.fiscal_years, f.closing, strict=True) if c < 0]
    assert f.first_deficit_fy == (negative[0] if negative else None)


@SETTINGS
@given(
    plan_documents(
        rates_nonnegative=True,
        steady_participants=True,
        kinds_excluded=("officer_training", "contribution"),
    )
)
def test_costs_never_fall_when_rates_are_nonnegative(doc):
    """With rates ≥ 0 a line's cost falls only where its FTE or its window does. The plans
    here have a non-decreasing ramp and no initial caseload (so the participants never fall),
    and no officer training: its first year trains every officer, later years only new hires
    and refreshers, so it falls by design; nor a contribution, whose amounts are stated FY by
    FY (§17)."""
    plan, p = build(doc)
    for item, line in zip(plan.line_items, p.line_items, strict=True):
        for k in range(plan.years - 1):
            fy = plan.start_fy + k
            window_drops = item.active_in(fy) and not item.active_in(fy + 1)
            fte_drops = line.fte[k + 1] < line.fte[k]
            if window_drops or fte_drops:
                continue
            assert line.by_year[k + 1] >= line.by_year[k], (item.id, k)
            for c, values in line.by_object_class.items():
                assert values[k + 1] >= values[k], (item.id, c, k)


@SETTINGS
@given(plan_documents())
def test_years_give_that_many_columns(doc):
    plan, p = build(doc)
    out = projection_to_dict(p)
    n = plan.years
    assert len(out["fiscal_years"]) == len(out["labels"]) == n
    rows = [
        out["totals"]["by_year"],
        out["totals"]["fte_by_year"],
        *out["by_strategy"].values(),
        *out["by_object_class"].values(),
        *out["participants"].values(),
    ]
    rows += [out["fund"][key] for key in ("begin", "receipts", "interest", "spending", "closing")]
    for line in out["line_items"]:
        rows += [line["by_year"], line["fte"], line["basis"], *line["by_object_class"].values()]
    assert all(len(row) == n for row in rows)


@SETTINGS
@given(plan_documents())
def test_export_parses_back_to_the_same_projection(doc):
    plan, p = build(doc)
    text = dump_plan_json(plan)
    again = parse_plan_text(text, default_cost_tables())
    assert again == plan
    assert projection_to_dict(project(again)) == projection_to_dict(p)
    # and the export is stable: exporting the re-read plan gives the same document
    assert json.loads(dump_plan_json(again)) == json.loads(text)
