"""The participant cohort model (§4) and the fund (§6), computed by hand."""

from __future__ import annotations

from decimal import Decimal

from planner.scenarios.participants import project_participants
from tests.plans import document, parse, run


def people(**participants):
    plan = parse(document(participants=participants, years=4))
    return project_participants(plan.participants, plan.years)


def test_spec_worked_check():
    # 30 enrollees a year (50 × 60%), M = 18, no ramp, nobody enrolled at the start:
    # months 0-11 hold 2.5, 5, …, 30 -> average 16.25, peak 30;
    # months 12-17 hold 32.5 … 45, then 45 -> average (232.5 + 270) ÷ 12 = 41.875, peak 45
    got = people()
    assert got.avg_active[:3] == (Decimal("16.25"), Decimal("41.875"), Decimal("45"))
    assert got.peak_active[:3] == (Decimal("30"), Decimal("45"), Decimal("45"))
    assert got.participant_months[0] == Decimal("195")
    assert got.new_enrollees[0] == Decimal("30")


def test_a_steady_program_stays_steady():
    # 45 active with 30 enrolling a year and M = 18: 45 ÷ 18 = 2.5 leave as 2.5 enroll
    got = people(initial_active="45")
    assert got.avg_active == (45, 45, 45, 45)
    assert got.peak_active == (45, 45, 45, 45)


def test_ramp_and_pathways():
    # 40 × 0.6 + 30 × 0.4 + 20 × 0.5 = 24 + 12 + 10 = 46 a year; ramp 0.5, 0.75, then 1
    got = people(
        referrals_per_year={"arrest_diversion": "40", "social_contact": "30", "community": "20"},
        ramp=["0.5", "0.75"],
    )
    assert got.new_enrollees == (23, Decimal("34.5"), 46, 46)
    # year 0: 23 ÷ 12 a month, months 0-11 -> average 23/12 × 6.5 = 12.458333…
    assert got.avg_active[0] == Decimal("12.458333")


def test_quantized_to_six_places():
    # 7 a year, M = 5: months hold 7/12 × 1 … 5, then 5 more months at 7/12 × 5;
    # average 7/12 × (15 + 35) ÷ 12 = 350/144 = 2.4305555… -> 2.430556
    got = people(
        referrals_per_year={"arrest_diversion": "7"},
        enrollment_rate={"arrest_diversion": "1"},
        average_months_enrolled=5,
    )
    assert got.avg_active[0] == Decimal("2.430556")


def test_fund_rows_by_hand():
    p = run(
        {"id": "spend", "kind": "other_strategy", "annual_amount": "80000", "escalate": False},
        fund={
            "opening_balance": "100000",
            "interest_rate": "0.02",
            "receipts": {"FY2026-27": "50000", "2027": "50000.40", "FY2040-41": "9"},
        },
        years=4,
    )
    f = p.fund
    # FY2026-27: begin 100,000; interest 2% × 100,000 = 2,000;
    #            closing 100,000 + 50,000 + 2,000 − 80,000 = 72,000
    # FY2027-28: begin 72,000; interest 1,440; receipts 50,000.40 -> 50,000;
    #            closing 72,000 + 50,000 + 1,440 − 80,000 = 43,440
    # FY2028-29: begin 43,440; interest 868.80 -> 869; closing 43,440 + 869 − 80,000 = −35,691
    # FY2029-30: begin −35,691; no interest on a negative balance; closing −115,691
    assert f.begin == (100000, 72000, 43440, -35691)
    assert f.receipts == (50000, 50000, 0, 0)
    assert f.interest == (2000, 1440, 869, 0)
    assert f.spending == (80000, 80000, 80000, 80000)
    assert f.closing == (72000, 43440, -35691, -115691)
    assert f.first_deficit_fy == 2028
    assert f.receipts_outside_plan == {"FY2040-41": 9}
    # npv(3%, 80,000 × 4) = 80,000 + 77,669.90 + 75,407.68 + 73,211.34 = 306,288.92
    assert p.npv_spending == 306289
    # npv(3%, [50,000, 50,000, 0, 0]) = 50,000 + 48,543.69 = 98,543.69
    assert p.npv_receipts == 98544


def test_no_deficit():
    p = run(fund={"opening_balance": "10"})
    assert p.fund.first_deficit_fy is None
    assert p.fund.closing == (10, 10, 10)
