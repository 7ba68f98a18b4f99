"""The stated edges the review's planted bugs got past (code review §4.4): a caseload exactly at
its limit, the fit's own fund loop with a negative interest rate, the drawn months enrolled,
the variance's direction, and an officer-training line that starts before the plan. Each is a
hand-computed case with its arithmetic written out; the fit also has a property against the
exact engine over generated plans with negative rates."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.cost_tables import default_cost_tables
from planner.scenarios import project
from planner.scenarios.actuals import VarianceRow, variance_of, variance_word
from planner.scenarios.compliance import check_plan
from planner.scenarios.fit import _Fund, headroom, reserves
from planner.scenarios.simulation import draw_values
from planner.scenarios.uncertainty import MONTHS, Triangle, Uncertainty
from tests.plans import document, parse, run
from tests.strategies import examples, plan_documents

# ------------------------------------------------------------------------ LEAD-CASELOAD


def test_a_caseload_exactly_at_its_limit_passes_lead_caseload():
    """Spec §4 and compliance_rules LEAD-CASELOAD: a limit is a most, so a caseload equal to
    it is within it ("no extra staff")."""
    plan = parse(
        document(
            {
                "id": "cm",
                "kind": "case_management",
                "salary": "50000",
                "caseload_average": "20",
                "caseload_max": "25",
                "strategy": "A:10",
            },
            participants={
                "referrals_per_year": {"arrest_diversion": "20"},
                "enrollment_rate": {"arrest_diversion": "1"},
                "average_months_enrolled": 24,
            },
            years=4,
        )
    )
    projection = project(plan)
    # 20 enrollees a year who stay 24 months: from the third FY on, 40 active on average and
    # at the peak. 40 ÷ 20 average = 2.0 FTE exactly (and 40 ÷ 25 = 1.6 at the peak), so the
    # line is staffed at 2.0 FTE and carries exactly 20 people per FTE.
    assert projection.participants.avg_active[2] == 40
    assert projection.participants.peak_active[2] == 40
    assert projection.line("cm").fte[2] == 2
    found = {
        r.rule: r for r in check_plan(plan, projection, default_cost_tables(), dt.date(2026, 8, 1))
    }
    caseload = found["LEAD-CASELOAD"]
    assert caseload.facts["over_fys"] == []
    assert caseload.status == "pass"


# ------------------------------------------------------------------------ the fit's fund loop

# One FY line of $120,000 a year, not escalated, and a fund that loses 2% a year.
FLAT = {"id": "flat", "kind": "other", "annual_amount": "120000", "escalate": False}
NEGATIVE = {
    "opening_balance": "100000",
    "interest_rate": "-0.02",
    "receipts": {"FY2026-27": "150000", "FY2027-28": "100000", "FY2028-29": "100000"},
}


def test_the_fits_fund_with_a_negative_interest_rate_by_hand():
    plan = parse(document(FLAT, fund=NEGATIVE))
    projection = project(plan)
    # interest on the beginning balance (§6), half away from zero:
    #   FY2026-27: 100,000 × −2% = −2,000;   100,000 + 150,000 − 2,000 − 120,000 = 128,000
    #   FY2027-28: 128,000 × −2% = −2,560;   128,000 + 100,000 − 2,560 − 120,000 = 105,440
    #   FY2028-29: 105,440 × −2% = −2,108.8 → −2,109;
    #              105,440 + 100,000 − 2,109 − 120,000 = 83,331
    assert projection.fund.interest == (-2000, -2560, -2109)
    assert projection.fund.closing == (128000, 105440, 83331)
    path = _Fund(plan, projection).path(projection.fund.spending)
    assert path.closing == (128000, 105440, 83331)
    # the reserve (2 months by default): 120,000 × 2/12 = 20,000 every FY
    assert path.reserve == (20000, 20000, 20000)


def test_headroom_with_a_negative_interest_rate_keeps_the_reserve_by_the_exact_engine():
    plan = parse(document(FLAT, fund=NEGATIVE))
    projection = project(plan)
    room = headroom(plan, projection)[0]
    assert room is not None

    def keeps(extra: int) -> bool:
        """Judged by the exact engine: the plan with `extra` a year more spending."""
        line = {**FLAT, "annual_amount": str(120000 + extra)}
        plan = parse(document(line, fund=NEGATIVE))
        fund = project(plan).fund
        kept = reserves(plan.fund.reserve_months, fund.spending)
        return all(c >= r for c, r in zip(fund.closing, kept, strict=True))

    # With X more a year (interest −2% of each smaller beginning balance):
    #   FY2026-27 closing 128,000 − X
    #   FY2027-28 closing 128,000 − X + 100,000 − 0.02 × (128,000 − X) − 120,000 − X
    #                   = 105,440 − 1.98 X
    #   FY2028-29 closing 105,440 − 1.98 X + 100,000 − 0.02 × (105,440 − 1.98 X) − 120,000 − X
    #                   = 83,331.2 − 2.9404 X
    #   reserve (120,000 + X) × 2/12 = 20,000 + X/6 binds in FY2028-29:
    #   X ≤ 63,331.2 ÷ (2.9404 + 1/6) = 20,383.4 -> 20,383
    assert room == 20383
    assert keeps(room)
    assert not keeps(room + 1)


@settings(max_examples=examples(100))
@given(plan_documents(), st.sampled_from(["-0.1", "-0.05", "-0.013", "-0.5"]))
def test_the_fits_fund_path_is_the_projections_fund(doc, rate):
    """The fit re-runs §6 with integers for speed (`_Fund.path`, `_Fund.keeps_from`): the same
    closing balances as `project()`, negative interest rates included."""
    doc["fund"]["interest_rate"] = rate
    doc["fund"]["opening_balance"] = doc["fund"].get("opening_balance") or "250000"
    plan = parse(doc)
    projection = project(plan)
    fund = _Fund(plan, projection)
    assert fund.path(projection.fund.spending).closing == projection.fund.closing
    spending = list(projection.fund.spending)
    for k in range(fund.first_open, plan.years):
        keeps = all(
            c >= r
            for c, r in zip(
                fund.path(tuple(spending)).closing[k:],
                fund.path(tuple(spending)).reserve[k:],
                strict=True,
            )
        )
        assert fund.keeps_from(k, spending, 0) == keeps


# ------------------------------------------------------------------------ the simulation


def test_drawn_months_enrolled_are_rounded_half_up_to_whole_months():
    """§12: a drawn average months enrolled is a whole number of months, rounded half up
    (not truncated), within 1–120."""
    section = Uncertainty(
        draws=400, seed=12, variables={MONTHS: Triangle(Decimal(17), Decimal("17.5"), Decimal(18))}
    )
    drawn = draw_values(section)[MONTHS]
    raw = np.random.default_rng(12).triangular(17, 17.5, 18, 400)
    # an independent oracle: each draw as a decimal, quantized half up
    expected = [int(Decimal(float(x)).quantize(Decimal(1), ROUND_HALF_UP)) for x in raw]
    assert drawn.tolist() == expected
    # the triangle is symmetric about 17.5: about half of the draws round up to 18
    assert set(expected) == {17, 18}
    assert 150 < expected.count(18) < 250


# ------------------------------------------------------------------------ the variance


def test_the_variance_is_actual_minus_planned_so_overspending_is_over():
    # planned $100,000, spent $130,000: $30,000 over plan (+30.0%)
    assert variance_of(planned=100000, actual=130000) == 30000
    row = VarianceRow.of("A:10", 100000, 130000)
    assert (row.variance, row.direction, row.word, row.percent) == (
        30000,
        "over",
        "over plan",
        "+30.0%",
    )
    # planned $100,000, spent $80,000: $20,000 under plan (−20.0%)
    under = VarianceRow.of("A:10", 100000, 80000)
    assert (under.variance, under.direction, variance_word(under.variance)) == (
        -20000,
        "under",
        "under plan",
    )


# ------------------------------------------------------------------------ officer training


def test_officer_training_that_started_before_the_plan_counts_j_from_the_plans_first_fy():
    """Spec §5: `j` counts FYs from the line's first FY inside the plan, so a line that
    started in FY2024-25 trains every officer in the plan's first FY (j = 0)."""
    p = run(
        {
            "id": "ot",
            "kind": "officer_training",
            "officers": 10,
            "refresher_interval_years": 2,
            "officer_hourly_rate": "20",
            "start_fy": "FY2024-25",
        },
        years=2,
    )
    # FY2026-27 (j = 0): 10 officers × 8 h × $20 × 1.5 overtime = 2,400
    # FY2027-28 (j = 1): ceil(10 × 10%) = 1 new hire × 8 h, no refresher (1 % 2 ≠ 0):
    #                    8 h × $20 × 1.03 × 1.5 = 247.20 -> 247
    assert p.line("ot").by_object_class["personnel"] == (2400, 247)


# ------------------------------------------------------------------------ the plan's length


def test_a_plan_without_years_runs_eighteen_fys():
    """§1: `years` defaults to 18, the settlement horizon: FY2026-27 to FY2043-44 for a plan
    starting in FY2026-27."""
    doc = document()
    del doc["years"]
    plan = parse(doc)
    assert plan.years == 18
    assert (plan.fiscal_years[0], plan.fiscal_years[-1]) == (2026, 2043)
