"""Bad plan files (cost model §8): every problem reported with its exact path, all at once."""

from __future__ import annotations

import pytest

from planner.cost_tables import default_cost_tables
from planner.scenarios import PlanError, parse_plan_text
from tests.plans import document

CM = {"id": "cm", "kind": "case_management"}


def problems_of(text: str) -> dict[str, str]:
    with pytest.raises(PlanError) as caught:
        parse_plan_text(text, default_cost_tables())
    return {p.path: p.message for p in caught.value.problems}


def problems(doc: dict) -> dict[str, str]:
    import json

    return problems_of(json.dumps(doc))


def test_unknown_keys_at_every_level():
    doc = document(
        {**CM, "colour": "red"}, extra=1, fund={"balance": "1"}, assumptions={"inflaton": "0.02"}
    )
    doc["program"] = {"equity": {"goal": True}}
    found = problems(doc)
    assert found == {
        "extra": "unknown key",
        "fund.balance": "unknown key",
        "assumptions.inflaton": "unknown key",
        "program.equity.goal": "unknown key",
        "line_items[0].colour": "unknown key for a case_management line",
    }


def test_duplicate_keys_at_every_level():
    text = (
        '{"schema": "lead-plan/1", "start_fy": 2026, "start_fy": 2027, '
        '"fund": {"interest_rate": "0.01", "interest_rate": "0.02"}, '
        '"line_items": [{"id": "a", "kind": "other", "annual_amount": 1, "annual_amount": 2}]}'
    )
    assert problems_of(text) == {
        "start_fy": "duplicate key",
        "fund.interest_rate": "duplicate key",
        "line_items[0].annual_amount": "duplicate key",
    }


@pytest.mark.parametrize(
    ("schema", "message"),
    [
        ("lead-plan/2", 'must be "lead-plan/1" (got "lead-plan/2")'),
        (None, 'must be "lead-plan/1" (got "None")'),
    ],
)
def test_wrong_schema(schema, message):
    assert problems(document(schema=schema)) == {"schema": message}


def test_missing_schema():
    doc = document()
    del doc["schema"]
    assert problems(doc) == {"schema": 'is required (write "lead-plan/1")'}


def test_missing_required_fields():
    doc = document(
        {"kind": "position", "role": "other"},
        {"id": "ot", "kind": "officer_training"},
        {"id": "sg", "kind": "service_gap"},
        {"id": "o", "kind": "other"},
        {"id": "os", "kind": "other_strategy"},
        {"id": "nokind"},
    )
    del doc["start_fy"]
    assert problems(doc) == {
        "start_fy": "is required",
        "line_items[0].id": "is required",
        "line_items[0].fte": "is required",
        "line_items[0].salary": "is required for a position with role 'other'",
        "line_items[1].officers": "is required",
        "line_items[2].category": "is required",
        "line_items[2].status": "is required",
        "line_items[3].annual_amount": "is required",
        "line_items[4].annual_amount": "is required",
        "line_items[5].kind": "is required",
    }


def test_missing_line_items():
    doc = document()
    del doc["line_items"]
    assert problems(doc) == {"line_items": "is required (a list of line items; it may be empty)"}


def test_negative_amounts_counts_and_fte():
    doc = document(
        {"id": "pm", "kind": "position", "role": "program_manager", "fte": "-1"},
        {"id": "ot", "kind": "officer_training", "officers": -3},
        {"id": "o", "kind": "other", "annual_amount": "-5"},
        fund={"opening_balance": "-1", "receipts": {"FY2026-27": "-100"}},
        participants={"referrals_per_year": {"community": "-2"}},
    )
    assert problems(doc) == {
        "line_items[0].fte": "must be ≥ 0",
        "line_items[1].officers": "must be ≥ 0",
        "line_items[2].annual_amount": "must be ≥ 0",
        "fund.opening_balance": "must be ≥ 0",
        "fund.receipts.FY2026-27": "must be ≥ 0",
        "participants.referrals_per_year.community": "must be ≥ 0",
    }


def test_out_of_range_values():
    doc = document(
        {"id": "wh", "kind": "warm_handoff", "hours_per_week": "169"},
        years=41,
        start_fy=1999,
        participants={"average_months_enrolled": 121},
    )
    assert problems(doc) == {
        "years": "must be between 1 and 40",
        "start_fy": "must be between FY2000-01 and FY2100-01",
        "participants.average_months_enrolled": "must be between 1 and 120",
        "line_items[0].hours_per_week": "must be between 0 and 168",
    }


def test_non_whole_counts():
    doc = document(
        {
            "id": "ot",
            "kind": "officer_training",
            "officers": "12.5",
            "refresher_interval_years": "1.5",
        },
        participants={"average_months_enrolled": "18.2"},
    )
    assert problems(doc) == {
        "line_items[0].officers": "must be a whole number",
        "line_items[0].refresher_interval_years": "must be a whole number",
        "participants.average_months_enrolled": "must be a whole number",
    }


def test_rates_outside_their_range():
    doc = document(
        {"id": "ot", "kind": "officer_training", "officers": 5, "annual_turnover": "1.1"},
        {"id": "ph", "kind": "participant_phones", "high_risk_share": "-0.1"},
        assumptions={
            "fringe_rate": "1.01",
            "salary_escalation": "-0.51",
            "inflation": "1.2",
            "discount_rate": "2",
            "indirect_rate": "-0.1",
        },
        fund={"interest_rate": "-0.6"},
        participants={"enrollment_rate": {"community": "1.5"}},
    )
    assert problems(doc) == {
        "assumptions.fringe_rate": "must be between 0 and 1",
        "assumptions.salary_escalation": "must be between −0.5 and 1",
        "assumptions.inflation": "must be between −0.5 and 1",
        "assumptions.discount_rate": "must be between −0.5 and 1",
        "assumptions.indirect_rate": "must be between 0 and 1",
        "fund.interest_rate": "must be between −0.5 and 1",
        "participants.enrollment_rate.community": "must be between 0 and 1",
        "line_items[0].annual_turnover": "must be between 0 and 1",
        "line_items[1].high_risk_share": "must be between 0 and 1",
    }


def test_zero_divisors():
    doc = document(
        {"id": "cm", "kind": "case_management", "caseload_average": 0, "caseload_max": "0"},
        {"id": "ot", "kind": "officer_training", "officers": 5, "class_size": 0},
        assumptions={"fte_increment": "0", "productive_hours_per_fte": 0},
    )
    divisor = "must be greater than 0 (it is a divisor)"
    assert problems(doc) == {
        "assumptions.fte_increment": divisor,
        "assumptions.productive_hours_per_fte": divisor,
        "line_items[0].caseload_average": divisor,
        "line_items[0].caseload_max": divisor,
        "line_items[1].class_size": divisor,
    }


def test_inverted_limits_and_windows():
    doc = document(
        {"id": "cm", "kind": "case_management", "min_fte": "2", "max_fte": "1.5"},
        {"id": "o", "kind": "other", "annual_amount": 1, "start_fy": "FY2028-29", "end_fy": "2027"},
    )
    assert problems(doc) == {
        "line_items[0].max_fte": "must not be below min_fte (2)",
        "line_items[1].end_fy": "must not be before start_fy (FY2028-29)",
    }


def test_line_item_structure_errors():
    doc = document(
        {"id": "a", "kind": "other", "annual_amount": 1, "escalate": "yes"},
        {"id": "a", "kind": "rocket"},
        {"id": "wh", "kind": "warm_handoff", "mode": "pager"},
        {"id": "pos", "kind": "position", "role": "chef", "fte": 1},
        {
            "id": "sg",
            "kind": "service_gap",
            "category": "dental",
            "status": "maybe",
            "object_class": "indirect",
        },
        {"id": "ph", "kind": "participant_phones", "delivery": "contract"},
        {"id": "da", "kind": "position", "role": "data_analyst", "fte": 1, "independent": True},
        {"id": "cm1", "kind": "case_management"},
        {"id": "cm2", "kind": "case_management"},
        {"id": "wc", "kind": "warm_handoff", "mode": "contract", "delivery": "county"},
    )
    found = problems(doc)
    assert found == {
        "line_items[0].escalate": "must be true or false",
        "line_items[1].id": "duplicate id 'a' (also line_items[0])",
        "line_items[1].kind": "must be one of: position, case_management, warm_handoff, "
        "officer_training, participant_phones, participant_support, "
        "service_gap, other_strategy, other, contribution (got 'rocket')",
        "line_items[2].mode": "must be one of: staffed, on_call, contract (got 'pager')",
        "line_items[3].role": "must be one of: program_manager, data_analyst, outreach_worker, "
        "clinical_supervisor, peer_specialist, other (got 'chef')",
        "line_items[4].category": "must be one of: food, medical, housing, benefits, "
        "behavioral_health, harm_reduction (got 'dental')",
        "line_items[4].status": "must be one of: adequate, gap, unknown (got 'maybe')",
        "line_items[4].object_class": "must be one of: personnel, fringe, travel, equipment, "
        "supplies, contractual, construction, other "
        "(got 'indirect')",
        "line_items[5].delivery": "only staffing lines (position, case_management, "
        "warm_handoff in mode staffed) have a delivery",
        "line_items[6].independent": "only a program_manager position can be independent",
        "line_items[8].kind": "a plan has at most one case_management line "
        "(the first is line_items[7])",
        "line_items[9].delivery": "only staffing lines (position, case_management, "
        "warm_handoff in mode staffed) have a delivery",
    }


def test_receipts_keys_must_be_fiscal_years():
    doc = document(
        fund={
            "receipts": {
                "FY2027": "1",
                "2026-27": "2",
                "FY2026-28": "3",
                "2026": "4",
                "FY2026-27": "5",
            }
        }
    )
    assert problems(doc) == {
        "fund.receipts.FY2027": "is not a fiscal year: 'FY2027' is ambiguous: write "
        "FY2026-27 or FY2027-28",
        "fund.receipts.2026-27": "is not a fiscal year: '2026-27' is not a fiscal year: write a "
        "label such as FY2026-27 or its starting year, 2026",
        "fund.receipts.FY2026-28": "is not a fiscal year: 'FY2026-28' is not a fiscal year: the "
        "year after 2026 ends in 27 (FY2026-27)",
        "fund.receipts.FY2026-27": "the same FY as '2026' (FY2026-27) is given twice",
    }


def test_ambiguous_fy_is_rejected_everywhere():
    doc = document(
        {"id": "o", "kind": "other", "annual_amount": 1, "start_fy": "FY2027"}, start_fy="FY2027"
    )
    assert problems(doc) == {
        "start_fy": "'FY2027' is ambiguous: write FY2026-27 or FY2027-28",
        "line_items[0].start_fy": "'FY2027' is ambiguous: write FY2026-27 or FY2027-28",
    }


def test_types_and_syntax():
    assert problems_of("{not json") == {
        "(file)": "is not valid JSON: Expecting property name enclosed in double quotes at "
        "line 1 column 2"
    }
    assert problems_of("[1, 2]") == {"(plan)": "must be a JSON object"}
    assert problems_of(
        '{"schema": "lead-plan/1", "start_fy": 2026, "line_items": [], '
        '"fund": {"opening_balance": NaN}}'
    ) == {"(file)": "is not valid JSON: NaN is not a number"}
    found = problems(
        document(
            {"id": "o", "kind": "other", "annual_amount": "lots"},
            {"id": "p", "kind": "position", "role": "peer_specialist", "fte": True},
            fund={"moa_executed_on": "August 3, 2021"},
        )
    )
    assert found == {
        "line_items[0].annual_amount": "must be a number (got 'lots')",
        "line_items[1].fte": "must be a number",
        "fund.moa_executed_on": "must be a date written YYYY-MM-DD (got 'August 3, 2021')",
    }


def test_every_problem_is_reported_at_once():
    doc = document(
        {"id": "pm", "kind": "position", "role": "program_manager", "fte": "-1"},
        years=0,
        assumptions={"fringe_rate": "2"},
    )
    assert len(problems(doc)) == 3


def test_control_characters_in_text_are_refused():
    doc = document(
        {
            "id": "o",
            "kind": "other",
            "annual_amount": 1,
            "label": "bad\x01label",
            "justification": "Two lines\nand a tab\tare fine.",
        },
        name="nul\x00name",
    )
    assert problems(doc) == {
        "name": "must not contain control characters (such as NUL)",
        "line_items[0].label": "must not contain control characters (such as NUL)",
    }


def test_amounts_past_a_trillion_and_overlong_text_are_refused():
    # past a trillion is a typing mistake (§15 refuses 1e400 by its exponent first); a plan
    # name is a 200-character column
    doc = document(
        {
            "id": "pm",
            "kind": "position",
            "role": "program_manager",
            "fte": "1",
            "salary": "1e13",
            "justification": "x" * 20_001,
        },
        {"id": "ot", "kind": "officer_training", "officers": "2000000000000"},
        name="n" * 201,
        fund={"receipts": {"FY2026-27": "1000000000001"}},
    )
    assert problems(doc) == {
        "line_items[0].salary": "must be at most 1,000,000,000,000",
        "line_items[0].justification": "must be at most 20,000 characters (got 20,001)",
        "line_items[1].officers": "must be at most 1,000,000,000,000",
        "name": "must be at most 200 characters (got 201)",
        "fund.receipts.FY2026-27": "must be at most 1,000,000,000,000",
    }
