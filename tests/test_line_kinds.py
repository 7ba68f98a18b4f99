"""Hand-computed cases for every line kind and mode (cost model §3, §5).

The base plan (tests/plans.py) states: salary escalation 3%, health escalation 5%,
inflation 2.5%, fringe 22%, health $6,000/FTE, contract overhead 15%, 1,792 productive
hours, half-FTE steps, overtime ×1.5 with 7.65% FICA, no indirect; start FY2026-27;
50 arrest-diversion referrals a year at 60% enrollment = 30 enrollees, no ramp, 18 months.
"""

from __future__ import annotations

import pytest

from tests.plans import run


def test_position_county_matches_the_spec_example():
    p = run(
        {
            "id": "pm",
            "kind": "position",
            "role": "program_manager",
            "fte": "1.0",
            "salary": "82000",
            "independent": True,
            "strategy": "A:10",
        },
        assumptions={"health_per_fte": "6150"},
    )
    line = p.line("pm")
    # year 0: 82,000 × 1.0 = 82,000; fringe 82,000 × 22% + 6,150 = 18,040 + 6,150 = 24,190
    # year 1: 82,000 × 1.03 = 84,460; fringe 84,460 × 22% + 6,150 × 1.05
    #         = 18,581.20 + 6,457.50 = 25,038.70 -> 25,039
    assert line.by_object_class["personnel"][:2] == (82000, 84460)
    assert line.by_object_class["fringe"][:2] == (24190, 25039)
    assert line.by_year[:2] == (106190, 109499)
    assert line.fte == (1, 1, 1)
    assert line.basis[0] == (
        "1.0 FTE × $82,000.00 salary = $82,000; fringe 22% × $82,000 + "
        "1.0 × $6,150.00 health = $24,190"
    )


def test_position_half_dollar_tie_rounds_up():
    # 70,000 × 0.5 × 1.03² = 35,000 × 1.0609 = 37,131.50 -> 37,132 (half away from zero)
    p = run(
        {
            "id": "pos",
            "kind": "position",
            "role": "outreach_worker",
            "fte": "0.5",
            "salary": "70000",
        }
    )
    assert p.line("pos").by_object_class["personnel"][2] == 37132


def test_position_contract_delivery_books_contractual():
    p = run(
        {
            "id": "peer",
            "kind": "position",
            "role": "peer_specialist",
            "fte": "2",
            "salary": "50000",
            "delivery": "contract",
        }
    )
    line = p.line("peer")
    # personnel 2 × 50,000 = 100,000; fringe 22% × 100,000 + 2 × 6,000 = 34,000
    # contractual (100,000 + 34,000) × 1.15 = 154,100
    assert line.by_object_class == {"contractual": (154100, line.by_year[1], line.by_year[2])}
    assert line.by_year[0] == 154100
    # year 1: personnel 103,000; fringe 22,660 + 12,600 = 35,260; × 1.15 = 158,999
    assert line.by_year[1] == 158999
    assert line.fte[0] == 2
    assert "× (1 + 15% overhead) = $154,100 contractual" in line.basis[0]


def test_position_line_overrides_its_rates():
    p = run(
        {
            "id": "peer",
            "kind": "position",
            "role": "peer_specialist",
            "fte": "1",
            "salary": "40000",
            "fringe_rate": "0.10",
            "health_per_fte": "0",
        }
    )
    # fringe 10% × 40,000 + 0 = 4,000
    assert p.line("peer").by_object_class["fringe"][0] == 4000


def test_case_management_follows_the_caseload_limits():
    p = run({"id": "cm", "kind": "case_management", "salary": "52640"})
    line = p.line("cm")
    # year 0: average 16.25 ÷ 20 = 0.8125, peak 30 ÷ 25 = 1.2 -> 1.5 FTE (half steps)
    # year 1: average 41.875 ÷ 20 = 2.09375, peak 45 ÷ 25 = 1.8 -> 2.5 FTE
    # year 2: average 45 ÷ 20 = 2.25 -> 2.5 FTE
    assert line.fte == (1.5, 2.5, 2.5)
    # year 2 is the spec's example: 2.5 × 52,640 × 1.03² = 139,614.44 -> 139,614;
    # fringe 139,614.44 × 22% + 2.5 × 6,000 × 1.05² = 30,715.18 + 16,537.50 -> 47,253
    assert line.basis[2].endswith(
        "2.5 FTE × $55,845.78 salary = $139,614; fringe 22% × $139,614 + "
        "2.5 × $6,615.00 health = $47,253"
    )
    assert line.by_object_class["personnel"][2] == 139614
    assert line.by_object_class["fringe"][2] == 47253


def test_case_management_min_and_max_fte():
    p = run(
        {"id": "cm", "kind": "case_management", "salary": "50000", "min_fte": "2", "max_fte": "2"}
    )
    # the required 1.5 / 2.5 / 2.5 FTE is raised to the minimum 2 and capped at 2
    assert p.line("cm").fte == (2, 2, 2)
    assert "capped at max 2.0" in p.line("cm").basis[1]


def test_case_management_exactly_at_a_limit_needs_no_extra_staff():
    # 25 enrollees a year, 24 months: year 2 average = peak = 50; 50 ÷ 25 = 2.0 exactly
    p = run(
        {"id": "cm", "kind": "case_management", "salary": "50000", "caseload_average": "25"},
        participants={
            "referrals_per_year": {"arrest_diversion": "25"},
            "enrollment_rate": {"arrest_diversion": "1"},
            "average_months_enrolled": 24,
        },
        years=4,
    )
    assert p.participants.avg_active[2] == 50
    assert p.line("cm").fte[2] == 2


def test_warm_handoff_staffed_covers_168_hours():
    p = run({"id": "wh", "kind": "warm_handoff", "salary": "41440"})
    line = p.line("wh")
    # 168 h × 365/7 = 8,760 h ÷ 1,792 = 4.89 -> 5.0 FTE
    # personnel 5 × 41,440 = 207,200; fringe 22% × 207,200 + 5 × 6,000 = 45,584 + 30,000
    assert line.fte[0] == 5
    assert line.by_object_class["personnel"][0] == 207200
    assert line.by_object_class["fringe"][0] == 75584
    assert line.basis[0].startswith(
        "168 h/week × 365/7 × 1 staff ÷ 1,792 productive h = 4.89 "
        "→ 5.0 FTE; 5.0 FTE × $41,440.00 salary"
    )


def test_warm_handoff_on_call():
    p = run(
        {
            "id": "wh",
            "kind": "warm_handoff",
            "mode": "on_call",
            "hourly_rate": "25.31",
            "stipend_per_hour": "3.00",
        },
        participants={
            "referrals_per_year": {
                "arrest_diversion": "40",
                "social_contact": "30",
                "community": "20",
            },
            "ramp": ["0.5", "0.75"],
        },
    )
    line = p.line("wh")
    # year 0: standby 128 × 365/7 × $3.00 = 20,022.857…; call-outs 0.5 ramp × 90 referrals
    #   × 50% = 22.5 × 2 h × $25.31 × 1.5 = 1,708.425; personnel 21,731.28 -> 21,731;
    #   fringe 21,731.28 × 7.65% = 1,662.44 -> 1,662
    # year 1: call-outs 0.75 × 90 × 50% = 33.75 -> 2,562.6375; (20,022.857 + 2,562.6375)
    #   × 1.03 = 23,263.06 -> 23,263; fringe 1,779.62 -> 1,780
    assert line.by_object_class["personnel"][:2] == (21731, 23263)
    assert line.by_object_class["fringe"][:2] == (1662, 1780)
    assert line.fte == (0, 0, 0)


def test_warm_handoff_on_call_rate_defaults_to_case_manager_salary(tables):
    plan_lines = (
        {"id": "cm", "kind": "case_management", "salary": "52000"},
        {"id": "wh", "kind": "warm_handoff", "mode": "on_call"},
    )
    from tests.plans import document, parse

    plan = parse(document(*plan_lines))
    # 52,000 ÷ 2,080 = 25.00
    assert plan.line("wh").params.hourly_rate == 25
    alone = parse(document(plan_lines[1]))
    # no case-management line: the aged default 52,640 × 1.03³ = 57,521.15 ÷ 2,080 = 27.65
    assert str(alone.line("wh").params.hourly_rate) == "27.65"


def test_warm_handoff_contract():
    p = run({"id": "wh", "kind": "warm_handoff", "mode": "contract", "rate_per_hour": "70"})
    # 168 × 365/7 × $70 = 8,760 × 70 = 613,200; year 1 × 1.025 = 628,530
    assert p.line("wh").by_object_class == {"contractual": (613200, 628530, 644243)}


def test_officer_training_yearly_refreshers():
    p = run(
        {
            "id": "ot",
            "kind": "officer_training",
            "officers": 60,
            "officer_hourly_rate": "27.05",
            "trainer_cost_per_session": "1200",
            "materials_per_trainee": "25",
        }
    )
    line = p.line("ot")
    c = line.by_object_class
    # year 0: 60 initial × 8 h = 480 h × $27.05 × 1.5 = 19,476; fringe 1,489.91 -> 1,490;
    #         ceil(60/25) = 3 sessions × $1,200 = 3,600; 60 × $25 = 1,500 materials
    # year 1: ceil(60 × 10%) = 6 new hires × 8 h + 54 refreshers × 4 h = 264 h
    #         × $27.05 × 1.03 × 1.5 = 11,033.15 -> 11,033; fringe 844.04 -> 844;
    #         (1 + 3) sessions × $1,230 = 4,920; 60 × $25.625 = 1,537.50 -> 1,538
    assert c["personnel"][:2] == (19476, 11033)
    assert c["fringe"][:2] == (1490, 844)
    assert c["contractual"][:2] == (3600, 4920)
    assert c["supplies"][:2] == (1500, 1538)


def test_officer_training_refresher_interval_and_window():
    p = run(
        {
            "id": "ot",
            "kind": "officer_training",
            "officers": 10,
            "refresher_interval_years": 2,
            "officer_hourly_rate": "20",
            "start_fy": "FY2027-28",
        },
        years=4,
    )
    c = p.line("ot").by_object_class
    # FY2026-27 is before the line starts; FY2027-28 (j = 0): 10 × 8 h × $20 × 1.03 × 1.5
    # = 2,472; j = 1: 1 hire × 8 h, no refresher (1 % 2 ≠ 0) = 8 h × 20 × 1.03² × 1.5
    # = 254.63 -> 255; j = 2: 1 × 8 + 9 × 4 = 44 h × 20 × 1.03³ × 1.5 = 1,442.24 -> 1,442
    assert c["personnel"] == (0, 2472, 255, 1442)
    assert p.line("ot").basis[0].startswith("Not active in FY2026-27")


def test_participant_phones():
    p = run(
        {
            "id": "ph",
            "kind": "participant_phones",
            "monthly_service_cost": "25",
            "device_cost": "60",
        }
    )
    c = p.line("ph").by_object_class
    # year 0: 16.25 avg × 12 = 195 participant-months × 50% × $25 = 2,437.50 -> 2,438;
    #         30 enrollees × 50% × $60 = 900
    # year 1: 502.5 × 50% × $25 × 1.025 = 6,438.28 -> 6,438; 30 × 50% × $61.50 = 922.50 -> 923
    assert c["other"][:2] == (2438, 6438)
    assert c["supplies"][:2] == (900, 923)


def test_participant_support():
    p = run({"id": "ps", "kind": "participant_support", "per_participant_year": "500"})
    # 195 ÷ 12 × $500 = 8,125; 502.5 ÷ 12 × $500 × 1.025 = 21,460.94 -> 21,461
    assert p.line("ps").by_object_class["other"][:2] == (8125, 21461)


@pytest.mark.parametrize("status", ["adequate", "unknown"])
def test_service_gap_without_a_gap_costs_nothing(status):
    p = run({"id": "sg", "kind": "service_gap", "category": "food", "status": status})
    assert p.line("sg").by_year == (0, 0, 0)
    assert p.line("sg").by_object_class == {}


def test_service_gap_with_a_gap():
    p = run(
        {
            "id": "sg",
            "kind": "service_gap",
            "category": "housing",
            "status": "gap",
            "units": "4",
            "unit_cost": "14400",
            "object_class": "other",
        }
    )
    # 4 × $14,400 = 57,600; × 1.025 = 59,040; × 1.025² = 60,516
    assert p.line("sg").by_object_class == {"other": (57600, 59040, 60516)}


def test_other_strategy_escalates_unless_told_not_to():
    p = run(
        {
            "id": "nx",
            "kind": "other_strategy",
            "annual_amount": "45000",
            "object_class": "supplies",
            "strategy": "A:7",
        },
        {"id": "flat", "kind": "other_strategy", "annual_amount": "1000", "escalate": False},
    )
    assert p.line("nx").by_object_class == {"supplies": (45000, 46125, 47278)}
    assert p.line("flat").by_object_class == {"contractual": (1000, 1000, 1000)}


def test_indirect_applies_to_lead_lines_only():
    p = run(
        {"id": "pm", "kind": "position", "role": "program_manager", "fte": "1", "salary": "80000"},
        {"id": "trip", "kind": "other", "annual_amount": "6000", "object_class": "travel"},
        {"id": "gear", "kind": "other", "annual_amount": "5000", "object_class": "equipment"},
        {"id": "nx", "kind": "other_strategy", "annual_amount": "1000"},
        {"id": "ps", "kind": "participant_support", "per_participant_year": "500"},
        assumptions={"indirect_rate": "0.1"},
    )
    # program manager: 10% × (80,000 + 17,600 + 6,000) = 10,360
    assert p.line("pm").by_object_class["indirect"][0] == 10360
    # travel is in the base: 10% × 6,000 = 600; equipment is not
    assert p.line("trip").by_object_class["indirect"][0] == 600
    assert "indirect" not in p.line("gear").by_object_class
    assert "indirect" not in p.line("nx").by_object_class
    assert "indirect" not in p.line("ps").by_object_class
    assert p.by_object_class["indirect"][0] == 10960


def test_defaults_are_aged_to_the_start_fy():
    p = run(
        {"id": "pm", "kind": "position", "role": "program_manager", "fte": "1"},
        assumptions={"health_per_fte": None},
    )
    from tests.plans import document, parse

    plan = parse(
        document(
            {"id": "pm", "kind": "position", "role": "program_manager", "fte": "1"},
            assumptions={"health_per_fte": None},
        )
    )
    # salary 75,100 (FY2023-24) × 1.03³ = 82,063.80; health 6,000 (FY2025-26) × 1.05 = 6,300
    assert str(plan.line("pm").params.salary) == "82063.80"
    assert str(plan.assumptions.health_per_fte) == "6300.00"
    assert p.line("pm").by_object_class["personnel"][0] == 82064


def test_line_window_outside_costs_nothing_and_funds_no_fte():
    p = run(
        {
            "id": "pm",
            "kind": "position",
            "role": "program_manager",
            "fte": "1",
            "salary": "80000",
            "start_fy": "FY2027-28",
            "end_fy": 2027,
        }
    )
    line = p.line("pm")
    assert line.by_year[0] == 0
    assert line.by_year[2] == 0
    assert line.by_year[1] > 0
    assert line.fte == (0, 1, 0)
    assert line.basis[2] == "Not active in FY2028-29 (the line runs FY2027-28 to FY2027-28)"
