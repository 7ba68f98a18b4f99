"""What the fund can afford (cost model §13): the reserve, headroom per FY, the referrals
multiplier and line drivers, PLAN-RESERVE, and `planner fit`."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from click.testing import CliRunner

from planner.cli import main
from planner.cost_tables import default_cost_tables
from planner.scenarios import project
from planner.scenarios.compliance import check_plan
from planner.scenarios.fit import (
    FitError,
    first_open_year,
    fit,
    headroom,
    reserves,
    scaled_referrals,
    with_driver,
)
from planner.scenarios.plan import Plan
from tests.plans import EXAMPLES, D, document, example, parse

AS_OF = dt.date(2026, 11, 28)

# Three FYs, no interest, $120,000 a year of spending (an `other` line, not escalated):
#   receipts 150,000 / 100,000 / 100,000, opening balance 0
#   closing  FY2026-27: 0 + 150,000 − 120,000 =  30,000
#            FY2027-28: 30,000 + 100,000 − 120,000 = 10,000
#            FY2028-29: 10,000 + 100,000 − 120,000 = −10,000
#   reserve  2 months: round_half_up(2/12 × 120,000) = 20,000 every FY
FLAT = {
    "id": "flat",
    "kind": "other",
    "annual_amount": "120000",
    "escalate": False,
    "strategy": "A:10",
}


def tiny(**fund) -> Plan:
    return parse(
        document(
            FLAT,
            fund={
                "interest_rate": "0",
                "receipts": {"FY2026-27": "150000", "FY2027-28": "100000", "FY2028-29": "100000"},
                **fund,
            },
        )
    )


def keeps_reserve(plan: Plan) -> bool:
    """Judged with the full engine, independently of fit's fast path."""
    p = project(plan)
    return all(
        c >= r
        for c, r in zip(
            p.fund.closing, reserves(plan.fund.reserve_months, p.fund.spending), strict=True
        )
    )


def reserve_result(plan: Plan):
    results = check_plan(plan, project(plan), default_cost_tables(), AS_OF)
    return next(r for r in results if r.rule == "PLAN-RESERVE")


# ------------------------------------------------------------------------ the reserve


def test_reserve_is_two_months_of_spending_by_default():
    plan = tiny()
    assert plan.fund.reserve_months == 2
    assert project(plan).fund.closing == (30000, 10000, -10000)
    assert reserves(plan.fund.reserve_months, (120000, 120000, 120000)) == (20000,) * 3
    # 1.5 months of 100,001: 100,001 / 8 = 12,500.125 -> 12,500; of 100,004: 12,500.5 -> 12,501
    assert reserves(D("1.5"), (100001, 100004)) == (12500, 12501)


def test_plan_reserve_names_the_fys_below_it_and_the_gap_apart_from_deficits():
    r = reserve_result(tiny())
    assert r.status == "warn"
    assert r.fiscal_years == (2027, 2028)
    assert r.facts["below"] == [2027, 2028]
    # FY2027-28: 20,000 − 10,000 = 10,000 below; FY2028-29: the gap counts down to $0 only,
    # 20,000 − max(−10,000, 0) = 20,000 (the 10,000 deficit below $0 is MOA-FUND-BALANCE's)
    assert r.facts["gaps"] == {2027: 10000, 2028: 20000}
    assert r.facts["largest_gap"] == {"fiscal_year": 2028, "amount": 20000}
    assert r.facts["deficit_fys"] == [2028]
    assert r.facts["headroom"] == {"fiscal_year": 2026, "amount": -9474}  # see below
    # no line depends on the referrals, so no multiplier keeps the reserve
    assert r.facts["referrals_multiplier"] is None
    assert "FY2027-28" in r.facts["referrals_reason"]
    assert r.citation.startswith("GFOA")


def test_plan_reserve_passes_when_kept_and_when_reserve_months_is_zero():
    kept = reserve_result(tiny(opening_balance="40000"))
    # closings 70,000 / 50,000 / 30,000, all ≥ 20,000: smallest margin 10,000 in FY2028-29
    assert kept.status == "pass"
    assert kept.facts["lowest_margin"] == {"fiscal_year": 2028, "amount": 10000}
    off = reserve_result(tiny(reserve_months="0"))
    assert off.status == "pass"
    assert off.facts == {"reserve_months": "0", "below": []}


def test_reserve_months_is_parsed_checked_and_exported():
    from planner.scenarios import PlanError, plan_to_dict

    assert plan_to_dict(tiny(reserve_months="1.5"))["fund"]["reserve_months"] == "1.5"
    assert plan_to_dict(tiny())["fund"]["reserve_months"] == "2"
    with pytest.raises(PlanError) as error:
        tiny(reserve_months="24.5")
    assert [p.path for p in error.value.problems] == ["fund.reserve_months"]


# ------------------------------------------------------------------------ headroom


def test_headroom_hand_computed():
    # From FY k on, X more each year; no interest, so closing falls by X per FY from k.
    # k = 0: FY2028-29 binds: −10,000 − 3X ≥ round((120,000 + X) / 6)
    #   X = −9,474: closing 18,422, reserve 110,526 / 6 = 18,421     -> kept
    #   X = −9,473: closing 18,419, reserve 110,527 / 6 = 18,421.17  -> missed
    # k = 1: −10,000 − 2X ≥ round((120,000 + X) / 6)
    #   X = −13,846: closing 17,692, reserve 106,154 / 6 = 17,692.33 -> 17,692, kept
    #   X = −13,845: closing 17,690, reserve 106,155 / 6 = 17,692.5  -> 17,693, missed
    # k = 2: −10,000 − X ≥ round((120,000 + X) / 6)
    #   X = −25,714: closing 15,714, reserve 94,286 / 6 = 15,714.33  -> 15,714, kept
    #   X = −25,713: closing 15,713, reserve 94,287 / 6 = 15,714.5   -> 15,715, missed
    plan = tiny()
    assert headroom(plan, project(plan)) == (-9474, -13846, -25714)
    assert first_open_year(plan) == 0  # no actuals yet: every FY is open


def test_headroom_is_null_when_even_cutting_all_spending_fails():
    plan = example("minimal.json")  # no receipts: every FY begins below $0 after the first
    rooms = headroom(plan, project(plan))
    assert rooms[0] is None
    assert all(room is None for room in rooms)


def test_headroom_equals_a_line_that_adds_it():
    # Adding the headroom as a recurring line from FY k keeps every reserve; a dollar more
    # does not.
    plan = example("all-rules-pass.json")
    rooms = headroom(plan, project(plan))
    for k in (0, 5):
        fy = plan.fiscal_years[k]
        for extra, kept in ((rooms[k], True), (rooms[k] + 1, False)):
            doc = json.loads((EXAMPLES / "all-rules-pass.json").read_text())
            doc["line_items"].append(
                {
                    "id": "extra",
                    "kind": "other_strategy",
                    "annual_amount": str(extra),
                    "escalate": False,
                    "strategy": "A:7",
                    "start_fy": fy,
                }
            )
            assert keeps_reserve(parse(doc)) is kept


# ------------------------------------------------------------------------ the fit


def test_line_fit_hand_computed():
    # The largest annual amount A: 350,000 − 3A ≥ round(A / 6) in FY2028-29 (FY2026-27 and
    # FY2027-28 bind less): A = 110,526 gives closing 18,422 and reserve 18,421; A = 110,527
    # gives 18,419 < 18,421. It is the headroom of FY2026-27 added: 120,000 − 9,474.
    result = fit(tiny(), "line:flat")
    assert (result.driver, result.current, result.value) == ("annual_amount", "120000", "110526")
    assert result.total_at_value == 3 * 110526
    assert result.reason is None
    assert keeps_reserve(with_driver(tiny(), "flat", "annual_amount", D(110526)))
    assert not keeps_reserve(with_driver(tiny(), "flat", "annual_amount", D(110527)))


@pytest.mark.parametrize("name", ["demo-orange-county.json", "all-rules-pass.json"])
def test_referrals_fit_is_the_boundary(name):
    plan = example(name)
    result = fit(plan)
    assert result.target == "referrals"
    assert result.driver == "referrals_per_year"
    assert result.current == "1.00"
    value = result.value_number
    assert value is not None
    assert 0 < value < 100
    assert result.value == f"{value:.2f}"
    at, above = scaled_referrals(plan, value), scaled_referrals(plan, value + D("0.01"))
    assert keeps_reserve(at)
    assert not keeps_reserve(above)
    assert result.total_at_value == project(at).total
    # the demo cannot sustain its planned referrals; the all-rules plan can sustain more
    assert (value < 1) == (name == "demo-orange-county.json")
    if name == "demo-orange-county.json":
        facts = reserve_result(plan).facts
        assert facts["referrals_multiplier"] == result.value
        assert facts["fix"] == {
            "action": "apply_fit",
            "target": "referrals",
            "driver": "referrals_per_year",
            "value": result.value,
        }
        assert facts["headroom"] == {"fiscal_year": 2026, "amount": result.headroom[0]}


def test_every_line_driver_fit_is_the_boundary():
    plan = example("all-rules-pass.json")
    projection = project(plan)
    step = {"fte": plan.assumptions.fte_increment, "high_risk_share": D("0.01")}
    checked = set()
    for line in plan.line_items:
        result = fit(plan, f"line:{line.id}", projection)
        if result.value_number is None:
            assert result.reason
            assert result.driver in ("", "units")
            continue
        checked.add(result.driver)
        at = with_driver(plan, line.id, result.driver, result.value_number)
        assert keeps_reserve(at)
        assert result.total_at_value == project(at).total
        if result.at_upper_bound:
            assert result.value in ("168", "1.00")  # hours a week, share
        else:
            more = result.value_number + step.get(result.driver, D(1))
            assert not keeps_reserve(with_driver(plan, line.id, result.driver, more))
    assert checked == {
        "fte",
        "hours_per_week",
        "officers",
        "high_risk_share",
        "per_participant_year",
        "units",
        "annual_amount",
    }


def test_fit_without_referrals_or_driver_or_room_says_why():
    plan = tiny()
    none = fit(parse(document(FLAT, participants={"referrals_per_year": {}})))
    assert (none.value, none.total_at_value) == (None, None)
    assert "no referrals" in none.reason
    case = fit(example("all-rules-pass.json"), "line:case-managers")
    assert case.value is None
    assert case.reason
    adequate = fit(example("all-rules-pass.json"), "line:food")
    assert adequate.value is None
    assert adequate.reason
    short = fit(example("minimal.json"))
    assert short.value is None
    assert short.short_fy == 2026
    with pytest.raises(FitError):
        fit(plan, "line:missing")
    with pytest.raises(FitError):
        fit(plan, "salary")


def test_fit_output_has_exactly_the_keys_of_the_spec():
    data = fit(tiny(), "line:flat").to_dict()
    assert data == {
        "target": "line:flat",
        "driver": "annual_amount",
        "current": "120000",
        "value": "110526",
        "reason": None,
        "total_at_value": 331578,
        "reserve_months": "2",
        "headroom": [-9474, -13846, -25714],
    }


# ------------------------------------------------------------------------ planner fit


def test_fit_command_json_text_and_exit_codes(tmp_path):
    runner = CliRunner()
    demo = str(EXAMPLES / "demo-orange-county.json")
    out = runner.invoke(main, ["fit", demo, "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data == fit(example("demo-orange-county.json")).to_dict()
    assert data["value"] == "0.72"
    line = runner.invoke(main, ["fit", demo, "--target", "line:program-manager", "--json"])
    assert json.loads(line.output)["driver"] == "fte"
    text = runner.invoke(main, ["fit", demo])
    assert text.exit_code == 0
    assert "0.72" in text.output
    assert "FY2026-27  (110,086)" in text.output
    missing = runner.invoke(main, ["fit", demo, "--target", "line:nope"])
    assert missing.exit_code == 2
    assert "nope" in missing.output
    bad = tmp_path / "bad.json"
    bad.write_text('{"schema": "lead-plan/1"}')
    broken = runner.invoke(main, ["fit", str(bad)])
    assert broken.exit_code == 2
    assert "start_fy: is required" in broken.output
    assert "Traceback" not in broken.output


def test_multiplier_is_exact_on_decimal_referrals():
    plan = scaled_referrals(example("all-rules-pass.json"), D("1.37"))
    assert plan.participants.referrals_per_year["arrest_diversion"] == Decimal("54.80")


@pytest.mark.parametrize("multiplier", ["0", "0.01", "0.72", "1", "2.5", "100"])
def test_scaled_participants_equal_the_cohort_model_of_the_scaled_plan(multiplier):
    from planner.scenarios.money import q
    from planner.scenarios.participants import ScaledParticipants, project_participants

    doc = document(
        participants={
            "referrals_per_year": {
                "arrest_diversion": "37",
                "social_contact": "11.5",
                "community": "3",
            },
            "ramp": ["0.25", "0.6", "0.9"],
            "average_months_enrolled": 7,
            "initial_active": "12.5",
        },
        years=6,
    )
    plan = parse(doc)
    m = D(multiplier)
    fast = ScaledParticipants(plan.participants, plan.years).at(q(m))
    assert fast == project_participants(scaled_referrals(plan, m).participants, plan.years)
