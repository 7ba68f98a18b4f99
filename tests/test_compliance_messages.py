"""The words of the compliance checklist: each rule's renderer writes its message from the
rule's facts alone (the logic tests in test_compliance.py assert the facts, not the words).

A snapshot of every message of the example plans (`UPDATE_SNAPSHOTS=1` rewrites it after a
deliberate rewording) keeps the pages, the PDF and `planner check` saying the same thing."""

from __future__ import annotations

import datetime as dt
import json
import os
from decimal import Decimal
from pathlib import Path

from planner.cost_tables import default_cost_tables
from planner.scenarios import project
from planner.scenarios.compliance import (
    RULES,
    Rule,
    check_plan,
    render_authorization,
    render_caseload,
    render_fund_balance,
    render_reporting,
    render_strategy,
    render_warm_handoff,
)
from tests.plans import EXAMPLES, example

SNAPSHOT = Path(__file__).resolve().parent / "snapshots" / "compliance-messages.json"
AS_OF = dt.date(2026, 11, 28)


def test_every_rule_is_registered_under_its_own_id():
    for rule_id, check in RULES:
        assert getattr(check, "id", rule_id) == rule_id
    assert sum(isinstance(check, Rule) for _, check in RULES) >= 20


def test_each_message_is_its_renderer_on_its_facts():
    plan = example("demo-orange-county.json")
    checks = dict(RULES)
    for r in check_plan(plan, project(plan), default_cost_tables(), AS_OF):
        check = checks[r.rule]
        if isinstance(check, Rule):
            assert check.render(r.status, r.facts) == r.message


def test_every_message_is_a_sentence():
    plan = example("demo-orange-county.json")
    for r in check_plan(plan, project(plan), default_cost_tables(), AS_OF):
        assert r.message[0].isupper() or r.message[0].isdigit() or r.message[0] == "'"
        assert r.message.endswith((".", ")"))


def test_messages_of_the_examples_snapshot():
    found = {}
    for path in sorted(EXAMPLES.glob("*.json")):
        plan = example(path.name)
        found[path.name] = {
            r.rule: [r.status, r.message]
            for r in check_plan(plan, project(plan), default_cost_tables(), AS_OF)
        }
    if os.environ.get("UPDATE_SNAPSHOTS"):
        SNAPSHOT.write_text(json.dumps(found, indent=1, ensure_ascii=False) + "\n")
    assert found == json.loads(SNAPSHOT.read_text())


# ------------------------------------------------------------------------ one renderer each


def test_fund_balance_words_come_from_the_facts():
    short = [{"fiscal_year": 2033, "amount": 212400}, {"fiscal_year": 2034, "amount": 1234567}]
    text = render_fund_balance(
        "fail",
        {
            "short": short,
            "first_short": short[0],
            "largest_short": short[1],
            "lowest": {"fiscal_year": 2034, "amount": -1234567},
        },
    )
    assert text.startswith(
        "The fund runs short by $212,400 in FY2033-34; the largest "
        "shortfall is $1,234,567 in FY2034-35 (2 FYs below $0)."
    )
    text = render_fund_balance(
        "pass",
        {
            "short": [],
            "first_short": None,
            "largest_short": None,
            "lowest": {"fiscal_year": 2030, "amount": 98765},
        },
    )
    assert "(lowest $98,765 in FY2030-31)" in text


def test_strategy_words_name_the_lines_and_codes():
    facts = {
        "lines_with_spending": 3,
        "exhibit_a_items": 12,
        "unlisted": [],
        "strategies": [],
        "missing": [{"id": "phones", "label": ""}],
        "malformed": [{"id": "x", "label": "Naloxone", "code": "A:13"}],
        "unassigned_actuals": [],
    }
    text = render_strategy("fail", facts)
    assert text.startswith(
        "'phones' has no strategy code; 'Naloxone' has 'A:13', which is not an Exhibit A or B code."
    )
    assert "(A:1 to A:12; LEAD is A:10)" in text
    text = render_strategy(
        "pass",
        {
            **facts,
            "missing": [],
            "malformed": [],
            "strategies": [
                {"code": "A:10", "title": "Criminal justice diversion programs", "verified": True},
                {"code": "B:D.1.4", "title": "Officer prevention", "verified": False},
            ],
        },
    )
    assert text == (
        "All 3 line items with spending name an MOA strategy: A:10 Criminal justice "
        "diversion programs; B:D.1.4 Officer prevention (list row not yet checked "
        "against the MOA text)."
    )


def test_authorization_words_give_the_amounts_and_the_dates():
    period = {"start": dt.date(2026, 7, 1), "end": dt.date(2031, 6, 30)}
    facts = {
        "as_of": AS_OF,
        "current_fy": 2026,
        "authorizations": [],
        "within": [],
        "titles": {
            "A:10": "A:10 Criminal justice diversion programs",
            "A:7": "A:7 Naloxone distribution",
        },
        "over": [
            {
                "strategy": "A:10",
                "authorizations": [0],
                "periods": [period],
                "fiscal_years": [2026, 2027],
                "closed_fys": [],
                "planned": 1500000,
                "authorized": "1234567.50",
                "over": "265432.50",
            }
        ],
        "uncovered": [
            {
                "strategy": "A:7",
                "fiscal_year": 2027,
                "amount": 46125,
                "pending": 1,
                "pending_status": "scheduled",
                "pending_amount": Decimal(50000),
                "pending_adopted_on": dt.date(2026, 12, 15),
            }
        ],
        "ordinance_missing": [],
        "ordinance": [],
        "fix": None,
        "unauthorized_actuals": [],
    }
    text = render_authorization("fail", facts)
    assert text == (
        "A:10 Criminal justice diversion programs plans $1,500,000 in FY2026-27 to FY2027-28, "
        "$265,433 more than the $1,234,568 authorized for July 1, 2026 to June 30, 2031: amend "
        "the resolution and budget ordinance to at least $1,500,000, or reduce the spending. "
        "Also adopt a resolution and budget ordinance naming A:7 Naloxone distribution for "
        "$46,125 covering FY2027-28 (the resolution of $50,000 is scheduled for December 15, "
        "2026, not adopted as of November 28, 2026)."
    )


def test_warm_handoff_words_give_hours_and_share():
    facts = {
        "lines": [{"id": "wh", "label": "Nights"}],
        "full_hours": Decimal(168),
        "coverage": {2026: Decimal(21), 2027: Decimal(168)},
        "short": [2026],
        "worst_fy": 2026,
        "worst_hours": Decimal(21),
        "worst_share": Decimal(13),
    }
    assert render_warm_handoff("warn", facts).startswith(
        "Warm hand-off covers 21 of 168 hours, 13% in FY2026-27; coverage is below 168 hours "
        "in FY2026-27."
    )
    assert render_warm_handoff("warn", {**facts, "lines": []}).startswith(
        "No warm_handoff line: officers have no one to hand a person to (21 of 168 hours, 13%)."
    )


def test_caseload_words_give_the_loads_and_the_fix():
    facts = {
        "average_max": Decimal(20),
        "max_max": Decimal(25),
        "line": {"id": "cm", "label": "LEAD case managers"},
        "caseload_average": Decimal(20),
        "caseload_max": Decimal(25),
        "above_guidance": [],
        "over_fys": [2028, 2029, 2031],
        "first_over": {
            "fiscal_year": 2028,
            "fte": Decimal(2),
            "avg_active": Decimal("56.78"),
            "peak_active": Decimal("63.25"),
            "load_average": Decimal("28.39"),
            "load_peak": Decimal("31.625"),
            "required_fte": Decimal(3),
            "add_fte": Decimal(1),
        },
        "raise_max_fte_to": Decimal("3.5"),
        "line_runs": None,
        "peak_fte": Decimal(2),
    }
    assert render_caseload("fail", facts) == (
        "Case management 'LEAD case managers': in FY2028-29 to FY2029-30 and FY2031-32 the "
        "caseload is above the limits (in FY2028-29 2.0 FTE carries 28.39 average and 31.63 "
        "peak participants per case manager): add 1.0 FTE case manager in FY2028-29 or raise "
        "max_fte to 3.5."
    )


def test_reporting_words_count_the_days_and_name_the_reports():
    facts = {
        "as_of": dt.date(2027, 8, 15),
        "days_after_fy_end": 90,
        "warning_days": 60,
        "days_left": 1,
        "next": [{"fiscal_year": 2026, "due": dt.date(2027, 9, 28), "impact_report": False}],
    }
    assert render_reporting("warn", facts) == (
        "Due in 1 day: FY2026-27 annual financial report (Exhibit E) due September 28, 2027 "
        "(90 days after the FY ends; guidance often says September 30, but the 90-day date is "
        "the deadline). File through CORE-NC."
    )
    assert render_reporting("info", facts).startswith("Next: FY2026-27 annual financial report")
