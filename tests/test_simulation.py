"""The uncertainty section, the simulation and the tornado (cost model §12)."""

from __future__ import annotations

import json
from decimal import Decimal

import numpy as np
import pytest
from click.testing import CliRunner

from planner.cli import main
from planner.cost_tables import default_cost_tables, default_ranges
from planner.scenarios import PlanError, parse_plan, plan_to_dict, project
from planner.scenarios.limits import EXPONENT, TOO_LONG
from planner.scenarios.simulation import (
    _percentiles,
    draw_values,
    evaluate_exact,
    simulate,
    simulation_to_dict,
)
from planner.scenarios.uncertainty import (
    VARIABLES,
    Triangle,
    Uncertainty,
    offered_section,
    substitute,
)
from tests.plans import EXAMPLES, as_json_document, document, example, parse

RANGES = {
    "referrals": {"low": "0.6", "mode": "1", "high": "1.2"},
    "enrollment_rate": {"low": "0.8", "mode": "1", "high": "1.1"},
    "average_months_enrolled": {"low": "12", "mode": "18", "high": "24"},
    "receipts": {"low": "0.85", "mode": "1", "high": "1.05"},
    "salary_escalation": {"low": "0.02", "mode": "0.03", "high": "0.05"},
    "health_escalation": {"low": "0.03", "mode": "0.05", "high": "0.08"},
    "inflation": {"low": "0.01", "mode": "0.025", "high": "0.04"},
    "interest_rate": {"low": "0", "mode": "0.02", "high": "0.04"},
}


def demo_document() -> dict:
    return json.loads((EXAMPLES / "demo-orange-county.json").read_text())


def with_section(doc: dict, section: object):
    return parse_plan(as_json_document({**doc, "uncertainty": section}), default_cost_tables())


def problems(doc: dict, section: object) -> dict[str, str]:
    with pytest.raises(PlanError) as caught:
        with_section(doc, section)
    return {p.path: p.kind for p in caught.value.problems}


# --------------------------------------------------------------------------- the section


def test_section_round_trips_and_a_plan_without_one_writes_none():
    plan = with_section(demo_document(), {"draws": 500, "seed": 7, **RANGES})
    assert plan.uncertainty.draws == 500
    assert plan.uncertainty.seed == 7
    assert tuple(plan.uncertainty.variables) == VARIABLES  # §12's order
    written = plan_to_dict(plan)["uncertainty"]
    again = with_section(demo_document(), json.loads(json.dumps(written)))
    assert again.uncertainty == plan.uncertainty
    assert "uncertainty" not in plan_to_dict(example("demo-orange-county.json"))


def test_section_defaults_draws_and_seed():
    plan = with_section(demo_document(), {"referrals": RANGES["referrals"]})
    assert (plan.uncertainty.draws, plan.uncertainty.seed) == (10_000, 0)
    assert plan.uncertainty.variables["referrals"] == Triangle(
        Decimal("0.6"), Decimal(1), Decimal("1.2")
    )


def test_every_problem_in_the_section_has_its_path():
    found = problems(
        demo_document(),
        {
            "draws": 0,
            "seed": "1.5",
            "colour": 1,
            "referrals": {"low": "1.2", "mode": "1", "high": "1.3"},  # low > mode
            "receipts": {"low": "0", "mode": "1", "high": "11"},  # multiplier above 10
            "salary_escalation": {"low": "-0.6", "mode": "0", "high": "0.1"},  # below −0.5
            "inflation": {"low": "0", "mode": "0.02"},  # high missing
            "interest_rate": {"low": "0", "mode": "0", "high": "0", "x": 1},
            "average_months_enrolled": {"low": "0", "mode": "18", "high": "24"},
        },
    )
    assert set(found) == {
        "uncertainty.draws",
        "uncertainty.seed",
        "uncertainty.colour",
        "uncertainty.referrals.mode",
        "uncertainty.receipts.high",
        "uncertainty.salary_escalation.low",
        "uncertainty.inflation.high",
        "uncertainty.interest_rate.x",
        "uncertainty.average_months_enrolled.low",
    }


def test_limits_on_the_text_come_first():
    found = problems(
        demo_document(), {"draws": "1" * 41, "referrals": {"low": "1e99", "mode": "1", "high": "1"}}
    )
    assert found == {"uncertainty.draws": TOO_LONG, "uncertainty.referrals.low": EXPONENT}
    assert set(problems(demo_document(), {"draws": 100_001})) == {"uncertainty.draws"}
    assert set(problems(demo_document(), [])) == {"uncertainty"}


# --------------------------------------------------------------------------- substitution


def test_substitute_writes_each_value_as_section_12_says():
    doc = document(
        {"id": "x", "kind": "other", "annual_amount": "1000"},
        fund={"receipts": {"2026": "1000.50", "2027": "999", "2030": "5"}},
        participants={
            "referrals_per_year": {"arrest_diversion": "50"},
            "enrollment_rate": {"arrest_diversion": "0.6"},
        },
    )
    plan = parse(doc)
    changed = substitute(
        plan,
        {
            "referrals": Decimal("1.5"),
            "enrollment_rate": Decimal(2),
            "average_months_enrolled": Decimal("17.5"),
            "receipts": Decimal("0.5"),
            "interest_rate": Decimal("0.01"),
            "inflation": Decimal("0.04"),
        },
    )
    assert changed.participants.referrals_per_year["arrest_diversion"] == 75
    assert changed.participants.enrollment_rate["arrest_diversion"] == 1  # 1.2 capped at 1
    assert changed.participants.average_months_enrolled == 18  # 17.5 half-up
    # The fund's receipt (1000.50 → 1001) × 0.5 = 500.5 → 501; 999 × 0.5 = 499.5 → 500;
    # FY2030 is outside the 3-year plan: kept as it is.
    assert dict(changed.fund.receipts) == {2026: 501, 2027: 500, 2030: Decimal(5)}
    assert changed.fund.interest_rate == Decimal("0.01")
    assert changed.assumptions.inflation == Decimal("0.04")
    assert (
        substitute(
            plan, {"average_months_enrolled": Decimal(500)}
        ).participants.average_months_enrolled
        == 120
    )


# --------------------------------------------------------------------------- the draws


def test_draws_are_seeded_and_in_section_12_order():
    section = Uncertainty(
        draws=5,
        seed=42,
        variables={
            "receipts": Triangle(Decimal("0.8"), Decimal(1), Decimal("1.1")),
            "referrals": Triangle(Decimal("0.5"), Decimal(1), Decimal(2)),
            "inflation": Triangle(Decimal("0.02"), Decimal("0.02"), Decimal("0.02")),  # no draw
        },
    )
    values = draw_values(section)
    rng = np.random.default_rng(42)
    assert np.array_equal(values["referrals"], rng.triangular(0.5, 1, 2, 5))
    assert np.array_equal(values["receipts"], rng.triangular(0.8, 1, 1.1, 5))
    assert np.array_equal(values["inflation"], np.full(5, 0.02))
    assert np.array_equal(draw_values(section)["receipts"], values["receipts"])


def test_percentiles_are_numpy_linear_rounded_half_away_from_zero():
    # p10 at position 0.3: 0 + 0.3 × 10 = 3; p50: 15; p90 at 2.7: 20 + 0.7 × 11 = 27.7 → 28.
    assert _percentiles(np.array([[0], [10], [20], [31]])) == {10: (3,), 50: (15,), 90: (28,)}
    # p50 of 0 and 1 is 0.5 → 1; of −1 and 0 is −0.5 → −1.
    assert _percentiles(np.array([[0, -1], [1, 0]]))[50] == (1, -1)


# --------------------------------------------------------------------------- the tornado


def tornado_plan(section: dict):
    doc = document(
        {"id": "naloxone", "kind": "other_strategy", "annual_amount": "800", "escalate": False},
        years=2,
        fund={
            "opening_balance": "0",
            "interest_rate": "0",
            "receipts": {"2026": "1000", "2027": "1000"},
        },
    )
    return with_section(doc, section)


def test_tornado_by_hand():
    plan = tornado_plan(
        {
            "draws": 3,
            "receipts": {"low": "0.5", "mode": "1", "high": "1.5"},
            "inflation": {"low": "0", "mode": "0.02", "high": "0.1"},
            "interest_rate": {"low": "0", "mode": "0", "high": "0.1"},
        }
    )
    result = simulate(plan, evaluator=evaluate_exact)
    # Base: closing 1000 − 800 = 200, then 400; the lowest over the open FYs is 200.
    assert (result.base.total, result.base.lowest_closing) == (1600, 200)
    rows = {row.variable: row for row in result.tornado}
    # Receipts × 0.5: 500 − 800 = −300, −600; × 1.5: 700, 1,400 → width 700 − (−600) = 1,300.
    assert rows["receipts"].at_low.lowest_closing == -600
    assert rows["receipts"].at_high.lowest_closing == 700
    assert rows["receipts"].width == 1300
    # Interest at 10%: FY2026 on a 0 balance, 0; FY2027 on 200, 20 → closings 200, 420.
    assert rows["interest_rate"].at_high.lowest_closing == 200
    # Neither inflation (no line escalates) nor interest moves the lowest closing: width 0,
    # and the tie keeps §12's order (inflation before interest_rate).
    assert [row.variable for row in result.tornado] == ["receipts", "inflation", "interest_rate"]
    document_ = simulation_to_dict(result)
    assert document_["schema"] == "lead-simulation/1"
    assert document_["tornado"]["variables"][0] == {
        "variable": "receipts",
        "low": "0.5",
        "high": "1.5",
        "at_low": {"total": 1600, "lowest_closing": -600},
        "at_high": {"total": 1600, "lowest_closing": 700},
        "width": 1300,
    }


# --------------------------------------------------------------------------- the simulation


def collapsed(plan) -> dict:
    """Every variable at low = mode = high = the plan's own value."""
    from planner.scenarios.uncertainty import plan_value

    return {
        "draws": 25,
        "seed": 3,
        **{
            name: {k: format(plan_value(plan, name), "f") for k in ("low", "mode", "high")}
            for name in VARIABLES
        },
    }


@pytest.mark.parametrize(
    "name", ["demo-orange-county.json", "all-rules-pass.json", "option-b-durham.json"]
)
def test_collapsed_ranges_give_the_exact_projection_to_the_dollar(name):
    doc = json.loads((EXAMPLES / name).read_text())
    plan = with_section(doc, collapsed(example(name)))
    fund = project(plan).fund
    result = simulate(plan)
    for p in (10, 50, 90):
        assert result.spending[p] == fund.spending
        assert result.closing[p] == fund.closing
    assert result.p_deficit == tuple(1.0 if c < 0 else 0.0 for c in fund.closing)
    first = fund.first_deficit_fy
    assert result.first_deficit_counts == ((first, 25),)


def test_first_deficit_counts_add_up_and_p_deficit_is_the_share():
    plan = with_section(demo_document(), {"draws": 12, "seed": 5, **RANGES})
    result = simulate(plan, evaluator=evaluate_exact)
    assert sum(n for _, n in result.first_deficit_counts) == 12
    never = dict(result.first_deficit_counts).get(None, 0)
    assert result.p_any_deficit == pytest.approx(1 - never / 12)
    assert all(0 <= p <= result.p_any_deficit for p in result.p_deficit)
    for low, mid, high in zip(
        result.closing[10], result.closing[50], result.closing[90], strict=True
    ):
        assert low <= mid <= high


# --------------------------------------------------------------------------- offered ranges


def test_offered_ranges_have_sources_and_take_the_plans_rate_in():
    ranges = default_ranges()
    assert set(ranges) == {"referrals", "enrollment_rate", "receipts", "salary_escalation"}
    for entry in ranges.values():
        assert entry.source
        assert 2000 <= entry.year <= 2100
    doc = demo_document()
    doc["assumptions"]["salary_escalation"] = "0.07"  # above the offered high of 0.05
    plan = parse_plan(as_json_document(doc), default_cost_tables())
    offered = offered_section(plan, ranges).variables
    assert offered["salary_escalation"] == Triangle(
        Decimal("0.01"), Decimal("0.07"), Decimal("0.07")
    )
    assert offered["receipts"].mode == 1


# --------------------------------------------------------------------------- the command


def test_simulate_command_json_and_bad_files(tmp_path):
    path = tmp_path / "plan.json"
    data = demo_document()
    data["uncertainty"] = {"draws": 50, "seed": 1, "receipts": RANGES["receipts"]}
    path.write_text(json.dumps(data))
    runner = CliRunner()
    result = runner.invoke(main, ["simulate", str(path), "--draws", "8", "--seed", "2", "--json"])
    assert result.exit_code == 0, result.output
    found = json.loads(result.output)
    assert (found["schema"], found["draws"], found["seed"]) == ("lead-simulation/1", 8, 2)
    assert len(found["closing"]["p50"]) == 18
    table = runner.invoke(main, ["simulate", str(path), "--draws", "8"])
    assert table.exit_code == 0
    assert "P(short)" in table.output
    data["uncertainty"]["receipts"]["high"] = "0.5"
    path.write_text(json.dumps(data))
    bad = runner.invoke(main, ["simulate", str(path)])
    assert bad.exit_code == 2
    assert "uncertainty.receipts.high" in bad.output
    assert runner.invoke(main, ["simulate", str(path), "--draws", "0"]).exit_code == 2


# --------------------------------------------------------------------------- closed FYs (§11)

CLOSED = {"FY2026-27": {"receipts": "900", "interest": "0", "spending": {"A:7": "700"}}}


def test_closed_fys_stay_as_they_were():
    doc = document(
        {
            "id": "naloxone",
            "kind": "other_strategy",
            "annual_amount": "800",
            "escalate": False,
            "strategy": "A:7",
        },
        years=2,
        fund={
            "opening_balance": "0",
            "interest_rate": "0",
            "receipts": {"2026": "1000", "2027": "1000"},
        },
    )
    doc["actuals"] = CLOSED
    plan = with_section(
        doc,
        {
            "draws": 6,
            "seed": 2,
            "receipts": {"low": "0.5", "mode": "1", "high": "1.5"},
            "interest_rate": {"low": "0", "mode": "0", "high": "0.5"},
        },
    )
    result = simulate(plan)
    # FY2026-27 is closed: 900 − 700 = 200 in every draw, whatever the receipts multiplier.
    assert result.closing[10][0] == result.closing[90][0] == 200
    assert result.spending[50][0] == 700
    rows = {row.variable: row for row in result.tornado}
    # FY2027-28 is the only open FY: 200 + 1,000 × m + interest − 800.
    assert rows["receipts"].at_low.lowest_closing == 200 + 500 - 800
    assert rows["receipts"].at_high.lowest_closing == 200 + 1500 - 800
    # Interest at 50% on the closed FY's 200: 100 → 500; the lowest open closing is 500.
    assert rows["interest_rate"].at_high.lowest_closing == 500
    assert result.base.lowest_closing == 400


def test_no_open_fy_has_no_lowest_closing():
    doc = document(
        {
            "id": "naloxone",
            "kind": "other_strategy",
            "annual_amount": "800",
            "escalate": False,
            "strategy": "A:7",
        },
        years=1,
        fund={"receipts": {"2026": "1000"}},
    )
    doc["actuals"] = CLOSED
    plan = with_section(doc, {"draws": 2, "receipts": {"low": "0.5", "mode": "1", "high": "1.5"}})
    result = simulate(plan)
    assert result.base.lowest_closing is None
    assert [(row.variable, row.width) for row in result.tornado] == [("receipts", 0)]
    assert result.closing[50] == (200,)


def test_simulate_command_of_a_plan_without_ranges():
    result = CliRunner().invoke(
        main, ["simulate", str(EXAMPLES / "minimal.json"), "--draws", "3", "--json"]
    )
    assert result.exit_code == 0, result.output
    found = json.loads(result.output)
    closing = project(example("minimal.json")).fund.closing
    assert found["variables"] == {}
    assert found["closing"]["p10"] == found["closing"]["p90"] == list(closing)
    assert found["tornado"]["variables"] == []
