"""MOA-ANNUAL-REPORT, the actuals clauses of MOA-STRATEGY and MOA-AUTHORIZATION, and the
deadlines of a plan (compliance_rules.md; cost model §11). Engine only: fast."""

from __future__ import annotations

import copy
import datetime as dt

import pytest

from planner.cost_tables import default_cost_tables
from planner.scenarios import project
from planner.scenarios.annual_report import deadlines, fy_reports
from planner.scenarios.compliance import check_plan
from tests.plans import parse
from tests.test_actuals import plan_doc

TABLES = default_cost_tables()
D = dt.date
FY26 = {"receipts": "210000", "interest": "9500", "spending": {"A:10": "90000"}}
FY27 = {"receipts": "190000", "interest": "0", "spending": {"A:10": "110000"}}


def results(actuals, as_of, **changes):
    plan = parse(plan_doc(actuals, **changes))
    return {r.rule: r for r in check_plan(plan, project(plan), TABLES, as_of)}


def annual(actuals, as_of, **changes):
    return results(actuals, as_of, **changes)["MOA-ANNUAL-REPORT"]


def states(result):
    return {item["fiscal_year"]: item["state"] for item in result.facts["fiscal_years"]}


# FY2026-27 ends June 30, 2027; its reports are due 90 days later, September 28, 2027.
DUE = D(2027, 9, 28)


@pytest.mark.parametrize(
    ("as_of", "status", "state", "days_left"),
    [
        (DUE - dt.timedelta(days=61), "pass", "upcoming", 61),  # July 29: more than 60 days
        (DUE - dt.timedelta(days=60), "warn", "due", 60),  # July 30: exactly 60 days -> warn
        (DUE, "warn", "due", 0),  # the due date itself
        (DUE + dt.timedelta(days=1), "warn", "overdue", -1),
    ],
)
def test_the_sixty_day_boundary(as_of, status, state, days_left):
    result = annual({"FY2026-27": FY26}, as_of)
    assert result.status == status
    item = result.facts["fiscal_years"][0]
    assert item["fiscal_year"] == 2026
    assert item["state"] == state
    assert item["days_left"] == days_left
    assert item["due_on"] == "2027-09-28"
    assert item["reports"] == ["exhibit_e", "exhibit_f"]  # a FY with spending: F too
    if status == "warn":
        assert result.fiscal_years == (2026,)
        assert result.facts["fix"] == {"action": "file_reports", "fiscal_years": [2026]}


def test_filed_is_done():
    result = annual({"FY2026-27": {**FY26, "reported_on": "2027-09-20"}}, D(2027, 12, 1))
    assert result.status == "pass"
    assert states(result) == {2026: "reported"}
    assert result.facts["fix"] is None


def test_an_ended_fy_without_actuals_is_info():
    result = annual(None, D(2027, 8, 1))
    assert result.status == "info"
    assert states(result) == {2026: "no_actuals"}
    assert result.facts["fix"] == {"action": "enter_actuals", "fiscal_years": [2026]}
    assert result.inputs == ("actuals",)


def test_actuals_of_a_fy_not_ended_warn():
    # June 30, 2027 is FY2026-27's last day: it has not ended yet
    result = annual({"FY2026-27": FY26}, D(2027, 6, 30))
    assert result.status == "warn"
    assert states(result) == {2026: "not_ended"}
    assert result.facts["fix"]["action"] == "review_actuals"


def test_the_worst_fy_decides():
    # FY2026-27 filed (pass), FY2027-28 overdue (warn), FY2028-29 ended without actuals (info)
    result = annual(
        {"FY2026-27": {**FY26, "reported_on": "2027-09-01"}, "FY2027-28": FY27}, D(2029, 10, 15)
    )
    assert result.status == "warn"
    assert states(result) == {2026: "reported", 2027: "overdue", 2028: "no_actuals"}
    assert [f["action"] for f in result.facts["fixes"]] == ["file_reports", "enter_actuals"]
    info = annual({"FY2026-27": {**FY26, "reported_on": "2027-09-01"}}, D(2028, 7, 2))
    assert info.status == "info"
    assert states(info) == {2026: "reported", 2027: "no_actuals"}


def test_nothing_ended_yet_passes():
    result = annual(None, D(2026, 8, 1))
    assert result.status == "pass"
    assert result.facts["fiscal_years"] == []


def test_a_fy_without_spending_needs_only_exhibit_e():
    result = annual({"FY2026-27": {**FY26, "spending": {}}}, DUE)
    assert result.facts["fiscal_years"][0]["reports"] == ["exhibit_e"]


def test_the_rule_comes_after_plan_reserve():
    plan = parse(plan_doc())
    rules = [r.rule for r in check_plan(plan, project(plan), TABLES, D(2026, 8, 1))]
    assert rules.index("MOA-ANNUAL-REPORT") == rules.index("PLAN-RESERVE") + 1


# ----------------------------------------------------------------------------- MOA-STRATEGY


def test_unassigned_actual_spending_fails_moa_strategy():
    found = results(
        {"FY2026-27": {**FY26, "spending": {"A:10": "1", "unassigned": "2500.4"}}}, D(2027, 8, 1)
    )["MOA-STRATEGY"]
    assert found.status == "fail"
    assert found.facts["unassigned_actuals"] == [{"fiscal_year": 2026, "amount": 2500}]
    assert found.fiscal_years == (2026,)
    clean = results({"FY2026-27": FY26}, D(2027, 8, 1))["MOA-STRATEGY"]
    assert clean.status == "pass"


# ----------------------------------------------------------------------------- MOA-AUTHORIZATION


def authorized(amount, start="2026-07-01", end="2027-06-30", strategy="A:10"):
    return {
        "strategy": strategy,
        "amount": amount,
        "start": start,
        "end": end,
        "adopted_on": "2026-06-01",
        "budget_ordinance_on": "2026-06-01",
    }


def program(*auths):
    return {"authorizations": list(auths)}


AUGUST = D(2027, 8, 1)


def authorization(actuals, *auths, as_of=AUGUST):
    return results(actuals, as_of, program=program(*auths))["MOA-AUTHORIZATION"]


def test_actual_spending_in_a_closed_fy_is_judged_against_the_authorization():
    # FY2026-27 planned 100,000 on A:10, authorized 95,000: planned would fail, but the
    # actual 90,000 is within it.
    within = authorization(
        {"FY2026-27": FY26},
        authorized("95000"),
        authorized("60000", strategy="A:7"),
        authorized("200000", "2027-07-01", "2029-06-30"),
        authorized("100000", "2027-07-01", "2029-06-30", "A:7"),
    )
    assert within.facts["over"] == []
    assert within.status != "fail"
    # actual 110,000 > 100,000 authorized: fail by 10,000
    over = authorization(
        {"FY2026-27": {**FY26, "spending": {"A:10": "110000"}}}, authorized("100000")
    )
    assert over.status == "fail"
    assert over.facts["over"][0]["planned"] == 110000
    assert over.facts["over"][0]["over"] == "10000"


def test_actual_spending_with_no_authorization_fails():
    result = authorization(
        {"FY2026-27": {**FY26, "spending": {"A:10": "90000", "A:12": "4000"}}}, authorized("100000")
    )
    assert result.status == "fail"
    # no month of FY2026-27 is authorized for A:12: all 12 months, the whole 4,000
    assert [
        {k: v for k, v in u.items() if k != "months"} for u in result.facts["unauthorized_actuals"]
    ] == [{"strategy": "A:12", "fiscal_year": 2026, "amount": 4000}]
    assert len(result.facts["unauthorized_actuals"][0]["months"]) == 12
    assert 2026 in result.fiscal_years


# ----------------------------------------------------------------------------- deadlines


def test_deadlines_list_the_reports_and_the_next_authorization():
    plan = parse(plan_doc({"FY2026-27": FY26}, program=program(authorized("100000"))))
    p = project(plan)
    found = deadlines(plan, p, TABLES, D(2027, 8, 1))
    # FY2027-28 (the current FY) has planned A:10 and A:7 spending and no authorization: due
    # July 1, 2027, already passed; FY2026-27's reports are due September 28, 2027.
    assert [(d.kind, d.fiscal_year, d.due_on, d.overdue) for d in found] == [
        ("authorization", 2027, D(2027, 7, 1), True),
        ("annual_reports", 2026, D(2027, 9, 28), False),
    ]
    assert found[0].facts["action"] == "authorize_fys"
    assert [a["strategy"] for a in found[0].facts["authorizations"]] == ["A:10", "A:7"]
    assert [a["amount"] for a in found[0].facts["authorizations"]] == ["100000", "50000"]
    assert found[1].facts["has_actuals"] is True


def test_deadlines_before_the_plan_starts_and_after_filing():
    plan = parse(plan_doc())
    found = deadlines(plan, project(plan), TABLES, D(2026, 3, 1))
    assert [(d.kind, d.fiscal_year, d.due_on) for d in found] == [
        ("authorization", 2026, D(2026, 7, 1)),
        ("annual_reports", 2026, D(2027, 9, 28)),
    ]
    filed = copy.deepcopy({"FY2026-27": {**FY26, "reported_on": "2027-09-01"}, "FY2027-28": FY27})
    later = parse(plan_doc(filed))
    reports = [
        d
        for d in deadlines(later, project(later), TABLES, D(2028, 11, 1))
        if d.kind == "annual_reports"
    ]
    # FY2027-28 has actuals but is not filed: overdue; FY2028-29's are next
    assert [(d.fiscal_year, d.overdue) for d in reports] == [(2027, True), (2028, False)]


def test_fy_reports_is_empty_before_any_fy_ends():
    assert fy_reports(parse(plan_doc()), TABLES, D(2027, 6, 30)) == ()


def test_the_next_authorization_says_when_the_checklist_already_warns():
    # issue 23: MOA-AUTHORIZATION warns for the current or next FY; "Due next" says so too
    plan = parse(plan_doc())
    p = project(plan)
    # March 2026 is in FY2025-26: FY2026-27 is the next FY, so the checklist warns already
    soon = next(d for d in deadlines(plan, p, TABLES, D(2026, 3, 1)) if d.kind == "authorization")
    assert (soon.fiscal_year, soon.overdue, soon.facts["checklist_warns"]) == (2026, False, True)
    # March 2025 (FY2024-25): FY2026-27 is two FYs ahead; nothing warns yet
    early = next(d for d in deadlines(plan, p, TABLES, D(2025, 3, 1)) if d.kind == "authorization")
    assert (early.fiscal_year, early.facts["checklist_warns"]) == (2026, False)
