"""The rules about who pays (compliance_rules.md, cost model §16-17): MOA-AUTHORIZATION by
whole months and groups of authorizations, FUNDING-SOURCES, the scope of the LEAD rules,
and the real budgets of examples/real (Fayetteville, Gaston)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from types import SimpleNamespace

import pytest

from planner.cost_tables import default_cost_tables
from planner.scenarios import PlanError, parse_plan_text, project
from planner.scenarios.compliance import RULES, check_plan
from planner.scenarios.compliance_funding import lead_scope, lead_scope_result
from planner.scenarios.summaries import authorization_periods
from tests.plans import EXAMPLES, document, parse

TABLES = default_cost_tables()
REAL = EXAMPLES / "real"


def line(line_id: str, amount: str, *funded_by: dict, strategy: str = "A:10", **more) -> dict:
    found = {
        "id": line_id,
        "kind": "other",
        "annual_amount": amount,
        "escalate": False,
        "strategy": strategy,
        **more,
    }
    if funded_by:
        found["funded_by"] = list(funded_by)
    return found


def auth(amount: str, start: str, end: str, strategy: str = "A:10", adopted="2026-06-01"):
    return {
        "strategy": strategy,
        "amount": amount,
        "start": start,
        "end": end,
        "adopted_on": adopted,
        "budget_ordinance_on": adopted,
    }


def results(doc_or_plan, as_of=dt.date(2026, 8, 1), **kw):
    plan = parse(doc_or_plan) if isinstance(doc_or_plan, dict) else doc_or_plan
    return {r.rule: r for r in check_plan(plan, project(plan), TABLES, as_of, **kw)}


def real(name: str):
    return parse_plan_text((REAL / name).read_text(), TABLES)


# --------------------------------------------------------------------------- MOA-AUTHORIZATION


def test_an_october_to_september_authorization_counts_the_months_of_each_fy():
    # A:10 spends 120,000 a year, FY2026-27 to FY2028-29. Authorized: 100,000 for
    # Oct 1, 2026 – Sep 30, 2027. Spending over its months:
    #   FY2026-27, Oct–Jun = 9 months: 120,000 × 9/12 = 90,000
    #   FY2027-28, Jul–Sep = 3 months: 120,000 × 3/12 = 30,000   -> 120,000 > 100,000: fail
    doc = document(
        line("x", "120000"),
        program={"authorizations": [auth("100000", "2026-10-01", "2027-09-30")]},
    )
    r = results(doc)["MOA-AUTHORIZATION"]
    assert r.status == "fail"
    [over] = r.facts["over"]
    assert (over["planned"], over["authorized"], over["over"]) == (120000, "100000", "20000")
    assert over["fiscal_years"] == [2026, 2027]
    doc["program"]["authorizations"][0]["amount"] = "120000"
    assert not results(doc)["MOA-AUTHORIZATION"].facts["over"]


def test_overlapping_authorizations_are_one_group_over_the_union_of_their_periods():
    # 60,000 for FY2026-27 and 100,000 for Jan 1, 2027 – Jun 30, 2028 share Jan–Jun 2027:
    # one group, 160,000, over Jul 2026 – Jun 2028: 120,000 + 120,000 = 240,000 -> over 80,000.
    doc = document(
        line("x", "120000"),
        program={
            "authorizations": [
                auth("60000", "2026-07-01", "2027-06-30"),
                auth("100000", "2027-01-01", "2028-06-30", adopted="2026-07-15"),
            ]
        },
    )
    r = results(doc)["MOA-AUTHORIZATION"]
    [over] = r.facts["over"]
    assert over["authorizations"] == [0, 1]
    assert (over["planned"], over["authorized"], over["over"]) == (240000, "160000", "80000")
    plan = parse(doc)
    [row] = authorization_periods(plan, project(plan))
    assert (row.amount, row.planned, row.remaining) == (160000, 240000, -80000)


def test_consecutive_authorizations_are_judged_each_on_its_own():
    # 120,000 for FY2026-27 (spends 120,000: within) and 100,000 for FY2027-28 (spends
    # 120,000: over by 20,000). Together they would be 220,000 against 240,000 either way,
    # but the second may not borrow the first's room.
    doc = document(
        line("x", "120000"),
        program={
            "authorizations": [
                auth("120000", "2026-07-01", "2027-06-30"),
                auth("100000", "2027-07-01", "2028-06-30"),
            ]
        },
    )
    r = results(doc)["MOA-AUTHORIZATION"]
    assert [o["authorizations"] for o in r.facts["over"]] == [[1]]
    assert [w["authorizations"] for w in r.facts["within"]] == [[0]]
    plan = parse(doc)
    assert [p.remaining for p in authorization_periods(plan, project(plan))] == [0, -20000]


def test_every_month_of_the_current_fy_must_be_covered_and_the_fix_drafts_only_those():
    # A:10 120,000 a year; authorized from Nov 1, 2026. As of Aug 1, 2026 (FY2026-27):
    # Jul–Oct 2026 uncovered = 4 months: 120,000 × 4/12 = 40,000. FY2027-28 is covered.
    doc = document(
        line("x", "120000"),
        program={"authorizations": [auth("400000", "2026-11-01", "2029-06-30")]},
    )
    r = results(doc)["MOA-AUTHORIZATION"]
    assert r.status == "warn"
    [u] = r.facts["uncovered"]
    assert (u["strategy"], u["fiscal_year"], u["amount"], len(u["months"])) == (
        "A:10",
        2026,
        40000,
        4,
    )
    assert r.facts["fix"]["authorizations"] == [
        {
            "strategy": "A:10",
            "amount": "40000",
            "start": "2026-07-01",
            "end": "2026-10-31",
            "adopted_on": None,
            "budget_ordinance_on": None,
        }
    ]


def test_settlement_spending_only_is_authorized():
    # 120,000 a year, half paid by a grant: the settlement fund spends 60,000, within 60,000.
    doc = document(
        line("x", "120000", {"source": "g", "share": "0.5"}),
        program={"authorizations": [auth("180000", "2026-07-01", "2029-06-30")]},
        funding={"sources": [{"id": "g", "name": "Grant", "kind": "grant"}]},
    )
    assert results(doc)["MOA-AUTHORIZATION"].status == "pass"


def test_a_line_wholly_paid_by_another_source_needs_no_strategy():
    doc = document(
        line("gf", "50000", {"source": "gf", "share": "1"}, strategy=""),
        funding={"sources": [{"id": "gf", "name": "General fund", "kind": "general_fund"}]},
    )
    assert results(doc)["MOA-STRATEGY"].status == "pass"


def test_authorization_periods_are_whole_months():
    doc = document(
        program={"authorizations": [auth("1", "2026-07-15", "2027-06-29")]},
    )
    with pytest.raises(PlanError) as caught:
        parse_plan_text(json.dumps(doc), TABLES)
    assert {p.path for p in caught.value.problems} == {
        "program.authorizations[0].start",
        "program.authorizations[0].end",
    }


# --------------------------------------------------------------------------- FUNDING-SOURCES


GRANT = {"id": "g", "name": "COSSUP", "kind": "grant"}


def test_no_sources_pass():
    assert results(document(line("x", "1")))["FUNDING-SOURCES"].status == "pass"


def test_an_award_that_runs_out_warns_with_what_the_fund_pays_instead():
    # Award 130,000; lines of 100,000 and 50,000 ask 100% each FY (FY2026-27 to FY2028-29):
    # asked 150,000 a year = 450,000; paid 130,000 in FY2026-27 -> 320,000 more, from FY2026-27.
    doc = document(
        line("a", "100000", {"source": "g", "share": "1"}),
        line("b", "50000", {"source": "g", "share": "1"}),
        funding={"sources": [{**GRANT, "award": "130000"}]},
    )
    r = results(doc)["FUNDING-SOURCES"]
    assert r.status == "warn"
    [short] = r.facts["short"]
    assert (short["runs_out_fy"], short["asked_more"]) == (2026, 320000)
    assert short["fiscal_years"] == [2026, 2027, 2028]
    assert set(r.line_items) == {"a", "b"}


def test_a_source_active_in_no_plan_fy_warns():
    doc = document(
        line("a", "1000", {"source": "g", "share": "1"}, start_fy=2026),
        funding={"sources": [{**GRANT, "start": "2019-07-01", "end": "2021-06-30"}]},
    )
    r = results(doc)["FUNDING-SOURCES"]
    assert r.status == "warn"
    assert [i["id"] for i in r.facts["inactive"]] == ["g"]


def test_the_grant_cliff_is_information():
    # The grant pays 50% of 100,000 and amounts of 10,000 then 20,000 of a 40,000 line, and
    # ends June 30, 2027 (FY2026-27). In FY2027-28 it would have paid 50,000 + 20,000 (its
    # last amount), which the settlement fund now pays.
    doc = document(
        line("a", "100000", {"source": "g", "share": "0.5"}),
        line("b", "40000", {"source": "g", "amounts": {"2026": "10000"}}),
        funding={"sources": [{**GRANT, "end": "2027-06-30"}]},
    )
    r = results(doc)["FUNDING-SOURCES"]
    assert r.status == "info"
    [cliff] = r.facts["cliffs"]
    assert (cliff["first_fy_after"], cliff["would_pay"], cliff["line_items"]) == (
        2027,
        60000,
        ["a", "b"],
    )


def test_stale_contributions_come_from_the_web_app():
    stale = [
        {"line": "to-county", "lead": "Catawba County", "program": "LEAD", "fiscal_years": [2027]}
    ]
    r = results(document(line("x", "1")), stale_contributions=stale)["FUNDING-SOURCES"]
    assert r.status == "warn"
    assert r.facts["stale_contributions"] == stale
    assert r.fiscal_years == (2027,)


# --------------------------------------------------------------------------- LEAD scope

LEAD_RULES = {
    "LEAD-PROGRAM-MANAGER",
    "LEAD-CASELOAD",
    "LEAD-WARM-HANDOFF",
    "LEAD-OFFICER-TRAINING",
    "LEAD-DATA-ANALYST",
    "LEAD-DATA-COLLECTION",
    "LEAD-PHONES",
    "LEAD-SERVICES",
    "LEAD-RACIAL-EQUITY",
    "LEAD-ELIGIBILITY",
    "LEAD-COMMUNITY-REFERRALS",
}


def test_a_plan_that_funds_no_lead_line_reports_every_lead_rule_as_info():
    doc = document(
        {
            "id": "naloxone",
            "kind": "other_strategy",
            "annual_amount": "90000",
            "strategy": "A:7",
        },
        line("moud", "50000", strategy="A:1"),
    )
    found = results(doc)
    assert {found[rule].status for rule in LEAD_RULES} == {"info"}
    assert {found[rule].facts["scope"] for rule in LEAD_RULES} == {"none"}


def test_a_lead_line_of_b_d_1_or_none_or_paid_by_a_grant_is_still_lead():
    for strategy in ("B:D.1.4", "", "A:10"):
        doc = document(
            line("x", "50000", {"source": "g", "share": "1"}, strategy=strategy),
            funding={"sources": [GRANT]},
        )
        plan = parse(doc)
        assert lead_scope(plan, project(plan)) is None
        assert results(doc)["LEAD-CASELOAD"].status == "fail"


def test_a_contribution_to_a_lead_program_is_judged_on_the_lead_program():
    # The `contribution` kind (§17) may not be installed: a line of that kind name whose
    # parameters carry `to`, `program` and `strategy` is what the engine looks for.
    plan = parse(document(line("share", "30000", strategy="A:10")))
    projection = project(plan)
    contribution = dataclasses.replace(
        plan.line_items[0],
        kind="contribution",
        params=SimpleNamespace(to="Catawba County", program="Catawba LEAD", strategy="A:10"),
    )
    with_contribution = dataclasses.replace(plan, line_items=(contribution,))
    scope = lead_scope(with_contribution, projection)
    assert scope == {
        "scope": "contribution",
        "lead": "Catawba County",
        "program": "Catawba LEAD",
        "strategy": "A:10",
    }
    # check_plan reports each LEAD rule with this scope as info naming the lead (the other
    # rules need the kind installed to cost the line, so the LEAD ones are built here).
    found = {
        rule_id: lead_scope_result(rule_id, check.citation, scope)
        for rule_id, check in RULES
        if rule_id in LEAD_RULES
    }
    assert {r.status for r in found.values()} == {"info"}
    assert "Catawba County" in found["LEAD-CASELOAD"].message


# --------------------------------------------------------------------------- real budgets


def test_fayetteville_is_one_plan_with_settlement_grant_and_general_fund():
    plan = real("fayetteville-lead.json")
    projection = project(plan)
    # FY2025-26: settlement 104,000 + 163,800 (A:10) + 120,900 (A:3) = 388,700;
    # COSSUP pays the liaison and the overtime; the general fund the officers' course time.
    assert projection.by_source["settlement"] == (80600, 388700)
    assert projection.settlement_by_strategy == {"A:10": (0, 267800), "A:3": (80600, 120900)}
    assert projection.by_source["general-fund"] == (0, 67476)
    assert projection.line("lead-outreach-overtime").by_source["cossup"] == (0, 36148)
    assert projection.fund.spending == (80600, 388700)


def test_fayetteville_two_a10_resolutions_are_one_group_with_one_true_remaining_amount():
    plan = real("fayetteville-lead.json")
    projection = project(plan)
    rows = authorization_periods(plan, projection)
    a10 = [row for row in rows if row.strategy == "A:10"]
    assert len(a10) == 1
    # 104,000 + 163,800 = 267,800 authorized; settlement spending 267,800: $0 remaining
    # (the review's PDF showed ($212,528) and ($152,728) on two rows).
    assert (a10[0].amount, a10[0].planned, a10[0].remaining) == (267800, 267800, 0)
    assert len(a10[0].authorizations) == 2
    # A:3, Nov 1, 2024 – Jun 30, 2026: FY2024-25 8 months of 80,600 = 53,733.33 -> 53,733;
    # FY2025-26 12 months 120,900: 174,633 of 201,500, 26,867 remaining.
    [a3] = [row for row in rows if row.strategy == "A:3"]
    assert (a3.planned, a3.remaining) == (174633, 26867)
    assert a3.partial_fys == {2024: 8}


def test_fayetteville_nov_2024_authorization_passes_where_it_should():
    plan = real("fayetteville-lead.json")
    r = results(plan, dt.date(2025, 12, 1))["MOA-AUTHORIZATION"]
    assert r.status == "pass"
    assert [(w["strategy"], w["authorizations"], w["planned"]) for w in r.facts["within"]] == [
        ("A:10", [0, 1], 267800),
        ("A:3", [2], 174633),
    ]
    # In FY2024-25 its months before November are not covered: only those are drafted.
    # 80,600 × 4/12 = 26,866.67 -> 26,867, for July 1 – October 31, 2024.
    early = results(plan, dt.date(2024, 12, 1))["MOA-AUTHORIZATION"]
    assert early.status == "warn"
    a3 = [u for u in early.facts["uncovered"] if u["strategy"] == "A:3"]
    assert [(u["fiscal_year"], u["amount"], len(u["months"])) for u in a3] == [(2024, 26867, 4)]
    drafts = [d for d in early.facts["fix"]["authorizations"] if d["strategy"] == "A:3"]
    assert drafts == [
        {
            "strategy": "A:3",
            "amount": "26867",
            "start": "2024-07-01",
            "end": "2024-10-31",
            "adopted_on": None,
            "budget_ordinance_on": None,
        }
    ]


def test_gaston_is_paid_by_its_grant():
    plan = real("gaston-lead.json")
    projection = project(plan)
    assert projection.by_source == {
        "settlement": (0, 0, 0),
        "cossap": (229204, 236390, 243808),
    }
    found = results(plan, dt.date(2026, 12, 7))
    assert found["FUNDING-SOURCES"].status == "pass"
    assert found["MOA-AUTHORIZATION"].status == "pass"
    assert found["LEAD-CASELOAD"].status == "pass"


@pytest.mark.slow  # renders the report's charts
def test_fayetteville_report_shows_one_a10_row_with_its_true_remaining_amount():
    import re

    from planner.reports.context import plan_document
    from planner.reports.render import plan_report_html

    doc = plan_document(
        real("fayetteville-lead.json"),
        prepared_on=dt.date(2025, 12, 1),
        jurisdiction="City of Fayetteville",
    )
    html = plan_report_html(doc)
    table = re.search(r'<table class="authorizations">(.*?)</table>', html, re.S).group(1)
    rows = [re.sub(r"<[^>]+>", " ", row) for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)]
    body = [" ".join(row.split()) for row in rows[1:]]
    assert len(body) == 2
    a10 = next(row for row in body if row.startswith("A:10"))
    # $104,000 + $163,800 = $267,800 authorized, $267,800 planned, $0 remaining — once.
    assert a10.endswith("$267,800 $267,800 $0")
    assert "($212,528)" not in html
    assert "($152,728)" not in html
    assert "Paid by the settlement fund" in html
