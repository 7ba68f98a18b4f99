"""The `contribution` line (cost model §17): a partner's payment to a shared program.

The base plan (tests/plans.py) starts in FY2026-27 and runs 3 years (FY2026-27 to
FY2028-29), with inflation 2.5% and no indirect.
"""

from __future__ import annotations

import json

import pytest

from planner.cost_tables import default_cost_tables
from planner.scenarios import PlanError, project
from planner.scenarios.parse import dump_plan_json, parse_plan_text
from tests.plans import document, parse, run

LINE = {
    "id": "share",
    "kind": "contribution",
    "to": "ashe-county",
    "program": "High Country LEAD",
    "strategy": "A:10",
}


def _problems(line: dict[str, object], **changes: object) -> dict[str, str]:
    with pytest.raises(PlanError) as caught:
        parse(document(line, **changes))
    return {p.path: p.message for p in caught.value.problems}


def test_amounts_are_stated_dollars_rounded_half_up_with_no_escalation_or_indirect():
    p = run(
        {**LINE, "amounts": {"FY2026-27": "12000.50", "2027": "12499.49"}},
        assumptions={"indirect_rate": "0.10"},
    )
    line = p.line("share")
    # FY2026-27: 12,000.50 -> 12,001 (half up); FY2027-28: 12,499.49 -> 12,499;
    # FY2028-29 not given -> 0. No inflation (2.5% would give 12,812 in year 1) and no
    # indirect (10% of nothing: a contribution carries none).
    assert line.by_year == (12001, 12499, 0)
    assert line.by_object_class["contractual"] == (12001, 12499, 0)
    assert "indirect" not in line.by_object_class or line.by_object_class["indirect"] == (0, 0, 0)
    assert p.by_strategy["A:10"] == (12001, 12499, 0)
    # It is settlement spending: the fund pays it (closing = 0 + 0 + 0 - 12,001).
    assert p.fund.closing[0] == -12001


def test_object_class_is_kept():
    p = run({**LINE, "amounts": {"2026": "100"}, "object_class": "other"})
    assert p.line("share").by_object_class["other"] == (100, 0, 0)


def test_round_trip_writes_amounts_by_label():
    plan = parse(document({**LINE, "amounts": {"2028": "7.5", "FY2026-27": 5}}))
    text = dump_plan_json(plan)
    line = json.loads(text)["line_items"][0]
    # 7.5 -> 8 (half up); keys written as labels, in FY order
    assert line["amounts"] == {"FY2026-27": "5", "FY2028-29": "8"}
    assert line["object_class"] == "contractual"
    again = parse_plan_text(text, default_cost_tables())
    assert project(again).line("share").by_year == (5, 0, 8)


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"to": "no-such-county"}, "line_items[0].to"),
        ({"to": 37009}, "line_items[0].to"),
        ({"amounts": {"FY2029-30": "1"}}, "line_items[0].amounts.FY2029-30"),
        ({"amounts": {"2025": "1"}}, "line_items[0].amounts.2025"),
        ({"amounts": {"FY2026-27": "-1"}}, "line_items[0].amounts.FY2026-27"),
        ({"amounts": {"FY2027": "1"}}, "line_items[0].amounts.FY2027"),
        ({"amounts": {"2026": "1", "FY2026-27": "2"}}, "line_items[0].amounts.FY2026-27"),
        ({"amounts": ["1"]}, "line_items[0].amounts"),
        ({"amounts": None}, "line_items[0].amounts"),
        ({"program": None}, "line_items[0].program"),
        ({"object_class": "indirect"}, "line_items[0].object_class"),
    ],
)
def test_bad_input_is_reported_at_its_path(change, path):
    line = {**LINE, "amounts": {"2026": "1"}, **change}
    assert path in _problems(line)


def test_a_fy_outside_a_longer_plan_is_fine():
    p = run({**LINE, "amounts": {"FY2030-31": "900"}}, years=5)
    assert p.line("share").by_year == (0, 0, 0, 0, 900)
