"""Actuals of closed FYs (cost model §11): parsing, the reforecast, the `actuals` block,
Exhibit E and F, moving a plan with closed FYs. Engine only: fast."""

from __future__ import annotations

import copy
import dataclasses
import json
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.cost_tables import default_cost_tables
from planner.scenarios import PlanError, plan_to_dict, project, projection_to_dict
from planner.scenarios.actuals import FyActuals
from planner.scenarios.exhibits import (
    ExhibitError,
    exhibit_e,
    exhibit_f,
    variance_percent_text,
)
from planner.scenarios.fit import first_open_year, fit, headroom, with_driver
from planner.scenarios.limits import EXPONENT, TOO_LONG, TOO_MANY
from planner.scenarios.moving import move_plan
from tests.plans import document, parse
from tests.strategies import examples

TABLES = default_cost_tables()

LEAD = {
    "id": "lead",
    "kind": "other",
    "annual_amount": "100000",
    "escalate": False,
    "strategy": "A:10",
}
NALOXONE = {
    "id": "naloxone",
    "kind": "other_strategy",
    "annual_amount": "50000",
    "escalate": False,
    "strategy": "A:7",
}
FUND = {
    "opening_balance": "500000",
    "interest_rate": "0.02",
    "reserve_months": "0",
    "receipts": {"2026": "200000", "2027": "200000", "2028": "200000", "2029": "200000"},
}
ACTUALS = {
    "FY2026-27": {
        "receipts": "210000",
        "interest": "9500",
        "audit_costs": "2500",
        # 90,000.40 rounds to 90,000; 54,999.50 is an exact tie and rounds up
        "spending": {"A:10": "90000.40", "A:7": "54999.50", "unassigned": "1000"},
        "referrals": {"arrest_diversion": "35", "community": "9"},
        "enrolled": "20",
        "reported_on": "2027-09-20",
    },
    "2027": {
        "receipts": "190000",
        "interest": "-1000",  # a loss: interest may be negative
        "spending": {"A:10": "110000", "A:12": "4000"},
    },
}


def plan_doc(actuals=None, **changes):
    doc = document(LEAD, NALOXONE, years=4, fund=FUND, **changes)
    if actuals is not None:
        doc["actuals"] = copy.deepcopy(actuals)
    return doc


@pytest.fixture(scope="module")
def closed():
    plan = parse(plan_doc(ACTUALS))
    return plan, project(plan)


# ----------------------------------------------------------------------------- the reforecast


def test_hand_computed_reforecast(closed):
    plan, p = closed
    # Planned spending 100,000 (A:10) + 50,000 (A:7) = 150,000 in every FY, actuals or not.
    assert p.by_year == (150000,) * 4
    assert p.by_strategy == {"A:10": (100000,) * 4, "A:7": (50000,) * 4}
    fund = p.fund
    # FY2026-27 (closed): begin 500,000; actual receipts 210,000 and interest 9,500;
    # spending 90,000 + 55,000 + 1,000 + audit 2,500 = 148,500;
    # closing 500,000 + 210,000 + 9,500 − 148,500 = 571,000.
    # FY2027-28 (closed): begin 571,000; receipts 190,000; interest −1,000;
    # spending 110,000 + 4,000 = 114,000; closing 571,000 + 190,000 − 1,000 − 114,000 = 646,000.
    # FY2028-29 (open): begins at the actual closing, 646,000; interest 2% × 646,000 = 12,920;
    # closing 646,000 + 200,000 + 12,920 − 150,000 = 708,920.
    # FY2029-30: interest 2% × 708,920 = 14,178.40 -> 14,178;
    # closing 708,920 + 200,000 + 14,178 − 150,000 = 773,098.
    assert fund.begin == (500000, 571000, 646000, 708920)
    assert fund.receipts == (210000, 190000, 200000, 200000)
    assert fund.interest == (9500, -1000, 12920, 14178)
    assert fund.spending == (148500, 114000, 150000, 150000)
    assert fund.closing == (571000, 646000, 708920, 773098)
    # The fund as adopted: interest 10,000, closing 560,000; 11,200 -> 621,200;
    # 12,424 -> 683,624; 13,672.48 -> 13,672 -> 747,296.
    adopted = p.adopted_fund
    assert adopted is not None
    assert adopted.closing == (560000, 621200, 683624, 747296)
    assert adopted.interest == (10000, 11200, 12424, 13672)
    assert p.closed_years == 2
    assert first_open_year(plan) == 2


def test_the_actuals_block_exactly(closed):
    _, p = closed
    block = projection_to_dict(p)["actuals"]
    assert list(block) == [
        "closed_fys",
        "planned_by_strategy",
        "actual_by_strategy",
        "variance_by_strategy",
        "receipts",
        "interest",
        "audit_costs",
    ]
    assert block["closed_fys"] == [2026, 2027]
    # The plan's strategies in by_strategy order, then A:12 (only in actuals), unassigned last.
    assert list(block["planned_by_strategy"]) == ["A:10", "A:7", "A:12", "unassigned"]
    assert block["planned_by_strategy"] == {
        "A:10": [100000, 100000],
        "A:7": [50000, 50000],
        "A:12": [0, 0],
        "unassigned": [0, 0],
    }
    assert block["actual_by_strategy"] == {
        "A:10": [90000, 110000],
        "A:7": [55000, 0],
        "A:12": [0, 4000],
        "unassigned": [1000, 0],
    }
    # variance = actual − planned: 90,000 − 100,000 = −10,000; 110,000 − 100,000 = 10,000;
    # 55,000 − 50,000 = 5,000; 0 − 50,000 = −50,000
    assert block["variance_by_strategy"] == {
        "A:10": [-10000, 10000],
        "A:7": [5000, -50000],
        "A:12": [0, 4000],
        "unassigned": [1000, 0],
    }
    assert block["receipts"] == {"planned": [200000, 200000], "actual": [210000, 190000]}
    assert block["interest"] == {"planned": [10000, 11200], "actual": [9500, -1000]}
    assert block["audit_costs"] == [2500, 0]
    assert variance_percent_text(-10000, 100000) == "-10.0%"
    assert variance_percent_text(5000, 50000) == "+10.0%"
    assert variance_percent_text(4000, 0) == "n/a"


def test_a_plan_without_actuals_has_no_block():
    p = project(parse(plan_doc()))
    assert "actuals" not in projection_to_dict(p)
    assert p.actuals is None
    assert p.adopted_fund is None
    assert p.closed_years == 0
    assert "actuals" not in plan_to_dict(parse(plan_doc()))


def test_npv_receipts_and_the_fit_use_the_fund(closed):
    plan, p = closed
    without = project(parse(plan_doc()))
    assert p.npv_spending == without.npv_spending  # over totals.by_year
    assert p.npv_receipts != without.npv_receipts  # over fund.receipts
    rooms = headroom(plan, p)
    assert rooms[:2] == (None, None)  # closed FYs are not judged
    # FY2028-29 on: X a year added to spending from FY2028-29, reserve 0. FY2028-29 closes
    # 708,920 − X; FY2029-30 773,098 − X − X − round(2% × X)… the binding FY is FY2029-30:
    # 773,098 − 2X − 0.02X ≥ 0 -> X ≤ 382,721.78…; check with the recursion itself:
    x = rooms[2]
    assert x is not None

    def closing_last(extra):
        begin = 708920 - extra
        return begin + 200000 + round(Decimal(begin) * Decimal("0.02")) - 150000 - extra

    assert closing_last(x) >= 0 > closing_last(x + 1)
    result = fit(plan, "line:lead", p)
    assert result.total_at_value is not None
    assert result.current == "100000"


def test_the_fit_value_projects_to_what_the_fit_says(closed):
    plan, p = closed
    result = fit(plan, "line:lead", p)
    assert result.value_number is not None
    at = project(with_driver(plan, "lead", "annual_amount", result.value_number))
    assert at.total == result.total_at_value
    assert at.fund.closing[:2] == p.fund.closing[:2]  # closed FYs are facts
    # reserve 0 months: every open FY closes at or above $0 at the value, not a dollar more
    assert min(at.fund.closing[2:]) >= 0
    above = project(with_driver(plan, "lead", "annual_amount", result.value_number + 1))
    assert min(above.fund.closing[2:]) < 0


# ----------------------------------------------------------------------------- Exhibit E


def test_exhibit_e_of_a_closed_fy(closed):
    plan, p = closed
    report = exhibit_e(plan, p, 2026, TABLES)
    # (1) 500,000 + (2) 210,000 + interest 9,500 − (3) 146,000 − (4) 2,500 = (5) 571,000
    assert [(line.field, line.amount) for line in report.lines] == [
        ("1", 500000),
        ("2", 210000),
        ("interest", 9500),
        ("3", 146000),
        ("4", 2500),
        ("5", 571000),
    ]
    assert report.balanced
    assert [
        (r.strategy.code, r.strategy.exhibit, r.strategy.item, r.amount)
        for r in report.spent_by_strategy
    ] == [("A:10", "A", "10", 90000), ("A:7", "A", "7", 55000), ("unassigned", None, None, 1000)]
    assert report.spent_by_strategy[0].strategy.title == "Criminal justice diversion programs"
    assert report.has_unassigned
    assert report.word("1").startswith(
        "Amount of Opioid Settlement Funds in the special revenue fund at the beginning"
    )
    assert report.due_on.isoformat() == "2027-09-28"
    assert report.reported_on.isoformat() == "2027-09-20"
    second = exhibit_e(plan, p, 2027, TABLES)
    assert second.beginning_balance == report.ending_balance == 571000
    rows = second.rows()
    assert [(r[0], r[2], r[4]) for r in rows] == [
        ("1", "", 571000),
        ("2", "", 190000),
        ("interest", "", -1000),
        ("3", "A:10", 110000),
        ("3", "A:12", 4000),
        ("3", "", 114000),
        ("4", "", 0),
        ("5", "", 646000),
    ]
    assert rows[4][3] == TABLES.strategy_title("A:12")


def test_exhibit_e_of_an_open_fy_is_refused(closed):
    plan, p = closed
    with pytest.raises(ExhibitError) as caught:
        exhibit_e(plan, p, 2028, TABLES)
    assert "FY2028-29" in str(caught.value)
    assert "FY2027-28" in str(caught.value)


AMOUNT = st.decimals(
    Decimal(0), Decimal("5000000"), places=2, allow_nan=False, allow_infinity=False
)


# Made once, drawn from at each example (a strategy made inside a draw is validated again).
CODES = st.lists(
    st.sampled_from(["A:10", "A:7", "A:3", "B:D.1.4", "unassigned"]),
    unique=True,
    max_size=5,
)
INTEREST = st.decimals(
    Decimal("-50000"),
    Decimal("200000"),
    places=2,
    allow_nan=False,
    allow_infinity=False,
)


@st.composite
def random_actuals(draw):
    closed_count = draw(st.integers(1, 4))
    found = []
    for k in range(closed_count):
        codes = draw(CODES)
        found.append(
            FyActuals(
                fy=2026 + k,
                receipts=draw(AMOUNT),
                interest=draw(INTEREST),
                spending=tuple((code, draw(AMOUNT)) for code in codes),
                audit_costs=draw(AMOUNT),
            )
        )
    return tuple(found)


BASE_PLAN = parse(plan_doc())


@settings(max_examples=examples(100), deadline=None)
@given(random_actuals())
def test_exhibit_e_identity_holds_for_any_actuals(actuals):
    plan = dataclasses.replace(BASE_PLAN, actuals=actuals)
    p = project(plan)
    for k, entry in enumerate(actuals):
        report = exhibit_e(plan, p, entry.fy, TABLES)
        # (1) + (2) + interest − (3) − (4) = (5), exactly, and (5) is the fund's closing
        assert (
            (
                report.beginning_balance
                + report.received
                + report.interest
                - report.spent
                - report.audit_costs
            )
            == report.ending_balance
            == p.fund.closing[k]
        )
        assert report.spent + report.audit_costs == p.fund.spending[k]
        assert report.beginning_balance == (p.fund.closing[k - 1] if k else 500000)
    # the first open FY begins at the last actual closing balance
    if len(actuals) < plan.years:
        assert p.fund.begin[len(actuals)] == p.fund.closing[len(actuals) - 1]


def test_exhibit_f_scaffolding(closed):
    plan, p = closed
    report = exhibit_f(plan, p, 2026, TABLES)
    # funded strategies: actual spending > 0 in the FY; unassigned cannot be reported
    assert [s.strategy.code for s in report.strategies] == ["A:10", "A:7"]
    assert report.unassigned == 1000
    lead, naloxone = report.strategies
    assert naloxone.participation is None  # an other_strategy line: not the LEAD program
    people = lead.participation
    assert people is not None
    assert dict(people.referrals_recorded) == {
        "arrest_diversion": 35,
        "social_contact": 0,
        "community": 9,
    }
    # expected: no ramp, 50 arrest diversions a year; N_0 = 50 × 0.6 = 30 enrollees
    assert dict(people.referrals_expected)["arrest_diversion"] == Decimal(50)
    assert people.enrolled_recorded == 20
    assert people.enrolled_expected == Decimal(30)
    assert [m.field for m in lead.measures][:2] == ["referred_to_treatment", "obtained_employment"]
    assert all(m.source and m.year for m in lead.measures)
    assert report.due_on.isoformat() == "2027-09-28"
    with pytest.raises(ExhibitError):
        exhibit_f(plan, p, 2029, TABLES)


# ----------------------------------------------------------------------------- round trip


def test_export_round_trip(closed):
    plan, _ = closed
    exported = plan_to_dict(plan)
    assert exported["actuals"]["FY2027-28"] == {
        "receipts": "190000",
        "interest": "-1000",
        "audit_costs": "0",
        "spending": {"A:10": "110000", "A:12": "4000"},
        "referrals": None,
        "enrolled": None,
        "reported_on": None,
    }
    assert exported["actuals"]["FY2026-27"]["spending"] == {
        "A:10": "90000.40",
        "A:7": "54999.50",
        "unassigned": "1000",
    }
    again = parse(json.loads(json.dumps(exported)))
    assert again == plan
    assert project(again).fund == project(plan).fund


def test_moving_a_plan_folds_closed_fys_into_the_opening_balance(closed):
    plan, p = closed
    moved = move_plan(plan, 2027)
    # FY2026-27 folds: 500,000 + 210,000 + 9,500 − 148,500 = 571,000, its actual closing
    assert moved["fund"]["opening_balance"] == "571000"
    assert list(moved["actuals"]) == ["FY2027-28"]
    again = project(parse(moved))
    assert again.fund.closing[0] == p.fund.closing[1] == 646000
    both = move_plan(plan, 2028)
    assert both["fund"]["opening_balance"] == "646000"
    assert "actuals" not in both
    assert project(parse(both)).fund.begin[0] == 646000
    with pytest.raises(ValueError, match="no earlier than FY2026-27"):
        move_plan(plan, 2025)


# ----------------------------------------------------------------------------- parse errors


def problems_of(actuals, **changes):
    with pytest.raises(PlanError) as caught:
        parse(plan_doc(actuals, **changes))
    return caught.value.problems


def one(actuals, **changes):
    found = problems_of(actuals, **changes)
    assert len(found) == 1, found
    return found[0]


OK = {"receipts": "1", "interest": "0", "spending": {}}


@pytest.mark.parametrize(
    ("entry", "path"),
    [
        ({**OK, "bogus": "1"}, "actuals.FY2026-27.bogus"),
        ({**OK, "receipts": "-1"}, "actuals.FY2026-27.receipts"),
        ({**OK, "audit_costs": "-5"}, "actuals.FY2026-27.audit_costs"),
        ({**OK, "spending": {"A:10": "-3"}}, "actuals.FY2026-27.spending.A:10"),
        ({**OK, "spending": {"A:99": "3"}}, "actuals.FY2026-27.spending.A:99"),
        ({**OK, "spending": {"LEAD": "3"}}, "actuals.FY2026-27.spending.LEAD"),
        ({**OK, "spending": {"B:Z.1": "3"}}, "actuals.FY2026-27.spending.B:Z.1"),
        ({**OK, "spending": ["A:10"]}, "actuals.FY2026-27.spending"),
        ({"interest": "0", "spending": {}}, "actuals.FY2026-27.receipts"),
        ({"receipts": "0", "spending": {}}, "actuals.FY2026-27.interest"),
        ({"receipts": "0", "interest": "0"}, "actuals.FY2026-27.spending"),
        ({**OK, "referrals": {"community": "-1"}}, "actuals.FY2026-27.referrals.community"),
        ({**OK, "referrals": {"walk_in": "1"}}, "actuals.FY2026-27.referrals.walk_in"),
        ({**OK, "referrals": {"community": "2.5"}}, "actuals.FY2026-27.referrals.community"),
        ({**OK, "enrolled": "-2"}, "actuals.FY2026-27.enrolled"),
        ({**OK, "enrolled": "3.5"}, "actuals.FY2026-27.enrolled"),
        ({**OK, "reported_on": "2027-13-01"}, "actuals.FY2026-27.reported_on"),
        ({**OK, "reported_on": "2027-06-30"}, "actuals.FY2026-27.reported_on"),  # before it ends
        ({**OK, "interest": "abc"}, "actuals.FY2026-27.interest"),
        ({**OK, "referrals": ["35"]}, "actuals.FY2026-27.referrals"),
        ({**OK, "reported_on": 20270920}, "actuals.FY2026-27.reported_on"),
        ({**OK, "receipts": True}, "actuals.FY2026-27.receipts"),
        ({**OK, "interest": "-1e13"}, "actuals.FY2026-27.interest"),  # beyond a trillion
        ({**OK, "spending": {"A:10": "NaN"}}, "actuals.FY2026-27.spending.A:10"),
        ("lots", "actuals.FY2026-27"),
    ],
)
def test_each_problem_has_its_exact_path(entry, path):
    assert one({"FY2026-27": entry}).path == path


def test_fy_keys():
    outside = one({"FY2026-27": OK, "FY2031-32": OK})
    assert outside.path == "actuals.FY2031-32"
    assert "outside the plan" in outside.message
    gap = one({"FY2026-27": OK, "FY2028-29": OK})
    assert gap.path == "actuals.FY2028-29"
    assert "FY2027-28 has no actuals" in gap.message
    first_missing = one({"2027": OK})
    assert first_missing.path == "actuals.2027"
    ambiguous = one({"FY2027": OK})
    assert ambiguous.path == "actuals.FY2027"
    assert "FY2026-27" in ambiguous.message
    twice = one({"FY2026-27": OK, "2026": OK})
    assert twice.path == "actuals.2026"
    assert "twice" in twice.message
    assert one([OK]).path == "actuals"


def test_problems_are_reported_all_at_once():
    found = problems_of(
        {
            "FY2026-27": {**OK, "receipts": "-1", "spending": {"A:0": "1"}},
            "FY2027-28": {**OK, "nope": 1},
            "FY2035-36": OK,
        }
    )
    assert {p.path for p in found} == {
        "actuals.FY2026-27.receipts",
        "actuals.FY2026-27.spending.A:0",
        "actuals.FY2027-28.nope",
        "actuals.FY2035-36",
    }


def test_limits_on_the_text_come_first():
    long = one({"FY2026-27": {**OK, "receipts": "1" * 41}})
    assert long.kind == TOO_LONG
    assert long.path == "actuals.FY2026-27.receipts"
    huge = one({"FY2026-27": {**OK, "spending": {"A:10": "1e999999999"}}})
    assert huge.kind == EXPONENT
    many = one({"FY2026-27": {**OK, "spending": {f"B:D.1.{i}": "1" for i in range(201)}}})
    assert many.kind == TOO_MANY
    assert many.path == "actuals.FY2026-27.spending"
    fys = one({str(2026 + i): OK for i in range(41)})
    assert fys.kind == TOO_MANY
    assert fys.path == "actuals"
    key = one({"FY2026-27": {**OK, "spending": {"X" * 5000: "1"}}})
    assert len(key.path) < 100


def test_a_plan_with_a_bad_start_fy_judges_no_fy_range():
    found = problems_of({"FY2026-27": OK}, start_fy="FY2027")
    assert [p.path for p in found] == ["start_fy"]


# ----------------------------------------------------------------------------- a jurisdiction's


def test_a_section_on_its_own_and_applied_to_plans():
    from planner.scenarios.actuals import parse_actuals_section, with_actuals
    from planner.scenarios.parse import load_plan_json

    text = json.dumps({"FY2025-26": OK, **ACTUALS, "FY2029-30": OK})
    found = parse_actuals_section(load_plan_json(text), TABLES)  # no plan: any FY
    assert [e.fy for e in found] == [2025, 2026, 2027, 2029]
    with pytest.raises(PlanError) as caught:
        parse_actuals_section(load_plan_json(text), TABLES, start_fy=2026, years=4)
    assert {p.path for p in caught.value.problems} == {"actuals.FY2025-26", "actuals.FY2029-30"}
    with pytest.raises(PlanError) as bad:
        parse_actuals_section(load_plan_json(json.dumps({"FY2026-27": {**OK, "x": 1}})), TABLES)
    assert [p.path for p in bad.value.problems] == ["actuals.FY2026-27.x"]
    # Applied to a plan: its first FYs without a gap (FY2025-26 is before it, FY2029-30
    # after the gap at FY2028-29)
    plan = with_actuals(BASE_PLAN, found)
    assert [e.fy for e in plan.actuals] == [2026, 2027]
    assert project(plan).fund.closing[:2] == (571000, 646000)
    later = with_actuals(dataclasses.replace(BASE_PLAN, start_fy=2028), found)
    assert later.actuals == ()
