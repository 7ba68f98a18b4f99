"""Every compliance rule: a plan where it passes and one for each status it can take
(compliance_rules.md). The base is examples/all-rules-pass.json, which passes them all."""

from __future__ import annotations

import copy
import datetime as dt
import json
from decimal import Decimal

import pytest
from click.testing import CliRunner
from freezegun import freeze_time

from planner.cli import main
from planner.cost_tables import default_cost_tables
from planner.scenarios import project
from planner.scenarios.compliance import RULES, check_plan, covered_fys, fy_ranges
from tests.plans import EXAMPLES, parse

AS_OF = dt.date(2026, 11, 28)
BASE = json.loads((EXAMPLES / "all-rules-pass.json").read_text())


def base() -> dict:
    return copy.deepcopy(BASE)


def line(doc: dict, line_id: str) -> dict:
    return next(item for item in doc["line_items"] if item["id"] == line_id)


def drop(doc: dict, line_id: str) -> dict:
    doc["line_items"] = [item for item in doc["line_items"] if item["id"] != line_id]
    return doc


def results(doc: dict, as_of: dt.date = AS_OF) -> dict:
    plan = parse(doc)
    return {r.rule: r for r in check_plan(plan, project(plan), default_cost_tables(), as_of)}


def result(doc: dict, rule: str, as_of: dt.date = AS_OF):
    return results(doc, as_of)[rule]


def test_the_base_plan_passes_every_rule():
    found = results(base())
    assert list(found) == [rule for rule, _ in RULES]
    assert {r.status for r in found.values()} == {"pass", "info"}
    assert [rule for rule, r in found.items() if r.status == "info"] == [
        "MOA-REPORTING",
        "MOA-INTEREST",
        "LEAD-COMMUNITY-REFERRALS",
    ]


def test_every_result_cites_its_source():
    for r in results(base()).values():
        assert r.citation


# ------------------------------------------------------------------------ MOA-STRATEGY


def test_strategy_pass_names_the_strategies_with_titles():
    r = result(base(), "MOA-STRATEGY")
    assert r.status == "pass"
    assert r.facts["lines_with_spending"] == 11
    assert r.facts["strategies"] == [
        {"code": "A:10", "title": "Criminal justice diversion programs", "verified": True},
        {"code": "A:7", "title": "Naloxone distribution", "verified": True},
    ]


def test_strategy_missing_or_malformed_fails():
    doc = base()
    line(doc, "phones")["strategy"] = ""
    line(doc, "naloxone")["strategy"] = "A:13"
    line(doc, "food")["strategy"] = None  # no spending: not flagged
    r = result(doc, "MOA-STRATEGY")
    assert r.status == "fail"
    assert r.line_items == ("phones", "naloxone")
    assert r.fiscal_years == tuple(range(2026, 2039))
    assert r.facts["missing"] == [{"id": "phones", "label": "Phones for participants"}]
    assert r.facts["malformed"] == [
        {"id": "naloxone", "label": "Naloxone for first responders", "code": "A:13"}
    ]
    assert r.inputs == ("line:phones", "line:naloxone")


def test_strategy_unlisted_exhibit_b_code_warns():
    doc = base()
    line(doc, "naloxone")["strategy"] = "B:D.99"
    r = result(doc, "MOA-STRATEGY")
    assert r.status == "warn"
    assert r.line_items == ("naloxone",)
    assert [(u["id"], u["code"]) for u in r.facts["unlisted"]] == [("naloxone", "B:D.99")]
    assert (r.facts["missing"], r.facts["malformed"]) == ([], [])


def test_strategy_listed_exhibit_b_item_shows_its_text():
    doc = base()
    line(doc, "naloxone")["strategy"] = "B:D.1.4"
    doc["program"]["collaborative_planning"]["presented_on"] = "2026-03-16"
    r = result(doc, "MOA-STRATEGY")
    assert r.status == "pass"
    item = next(i for i in default_cost_tables().exhibit_b if i.code == "B:D.1.4")
    assert {"code": "B:D.1.4", "title": item.summary, "verified": item.verified} in r.facts[
        "strategies"
    ]


# ------------------------------------------------------------------------ MOA-OPTION-B


def option_b(presented_on, years=13):
    doc = base()
    doc["years"] = years
    line(doc, "naloxone")["strategy"] = "B:D.1.4"
    doc["program"]["collaborative_planning"]["presented_on"] = presented_on
    return doc


def test_option_b_pass_without_b_items_and_within_the_cycle():
    assert result(base(), "MOA-OPTION-B").status == "pass"
    r = result(option_b("2026-03-16", years=4), "MOA-OPTION-B")
    assert r.status == "pass"
    # presented March 16, 2026 + 4 years; FY2029-30, the last, begins July 1, 2029
    assert r.facts["renew_by"] == dt.date(2030, 3, 16)
    assert (r.facts["fiscal_years"], r.facts["late"]) == ([2026, 2027, 2028, 2029], [])


def test_option_b_without_planning_report_fails():
    r = result(option_b(None), "MOA-OPTION-B")
    assert r.status == "fail"
    assert r.line_items == ("naloxone",)
    assert r.facts["codes"] == ["B:D.1.4"]
    assert (r.facts["presented_on"], r.facts["renew_by"]) == (None, None)
    assert r.inputs == ("program.collaborative_planning",)


def test_option_b_past_four_years_warns():
    # presented 2026-03-16: FY2030-31 begins July 1, 2030, more than 4 years later
    r = result(option_b("2026-03-16"), "MOA-OPTION-B")
    assert r.status == "warn"
    assert r.fiscal_years == tuple(range(2030, 2039))
    assert r.facts["renew_by"] == dt.date(2030, 3, 16)
    assert r.facts["late"] == list(range(2030, 2039))


# ------------------------------------------------------------------------ MOA-FUND-BALANCE


def test_fund_balance_pass_and_fail():
    assert result(base(), "MOA-FUND-BALANCE").status == "pass"
    doc = base()
    doc["fund"]["opening_balance"] = "0"
    doc["fund"]["receipts"] = {"FY2027-28": "500000"}
    r = result(doc, "MOA-FUND-BALANCE")
    assert r.status == "fail"
    # FY2026-27: 0 + 0 + 0 interest − 463,397 = −463,397
    assert r.facts["first_short"] == {"fiscal_year": 2026, "amount": 463397}
    assert [s["fiscal_year"] for s in r.facts["short"]] == list(range(2026, 2039))
    # the shortfall grows every year after the one receipt, so the last FY is the largest
    largest = r.facts["largest_short"]
    assert largest == max(r.facts["short"], key=lambda s: s["amount"])
    assert largest["fiscal_year"] == 2038
    assert largest["amount"] > r.facts["short"][-2]["amount"] > 463397
    assert r.fiscal_years == tuple(range(2026, 2039))


# ------------------------------------------------------------------------ MOA-EXECUTION-DATE


def test_execution_date_statuses():
    assert result(base(), "MOA-EXECUTION-DATE").status == "pass"
    doc = base()
    doc["fund"]["moa_executed_on"] = None
    assert result(doc, "MOA-EXECUTION-DATE").status == "warn"
    doc["fund"]["moa_executed_on"] = "2026-08-01"
    r = result(doc, "MOA-EXECUTION-DATE")
    assert r.status == "fail"
    assert r.fiscal_years == (2026,)
    assert r.facts == {
        "executed_on": dt.date(2026, 8, 1),
        "start_fy": 2026,
        "start_day": dt.date(2026, 7, 1),
        "earliest_start_fy": 2027,
    }
    assert r.inputs == ("plan.start_fy",)


def test_execution_on_a_july_1_lets_that_fy_start():
    doc = base()
    doc["fund"]["moa_executed_on"] = "2026-07-01"  # the day FY2026-27 begins
    assert result(doc, "MOA-EXECUTION-DATE").status == "pass"
    doc["fund"]["moa_executed_on"] = "2027-07-01"
    r = result(doc, "MOA-EXECUTION-DATE")
    assert r.status == "fail"
    assert r.facts["earliest_start_fy"] == 2027  # FY2027-28 begins that day: not before it


# ------------------------------------------------------------------------ MOA-AUTHORIZATION


def test_authorization_covers_whole_fys_only():
    assert covered_fys(dt.date(2026, 7, 1), dt.date(2031, 6, 30)) == [2026, 2027, 2028, 2029, 2030]
    assert covered_fys(dt.date(2026, 8, 1), dt.date(2031, 6, 29)) == [2027, 2028, 2029]
    assert covered_fys(dt.date(2027, 1, 1), dt.date(2027, 6, 30)) == []


def test_authorization_above_the_amount_fails_at_or_below_passes():
    # A:10 in FY2026-27 … FY2030-31: 418,397 + 531,184 + 654,932 + 730,727 + 753,546
    #                                = 3,088,786
    doc = base()
    doc["program"]["authorizations"][0]["amount"] = "3088786"
    assert result(doc, "MOA-AUTHORIZATION").status == "pass"
    doc["program"]["authorizations"][0]["amount"] = "3088785"
    r = result(doc, "MOA-AUTHORIZATION")
    assert r.status == "fail"
    assert r.fiscal_years == (2026, 2027, 2028, 2029, 2030)
    assert "program-manager" in r.line_items
    [over] = r.facts["over"]
    assert (over["strategy"], over["fiscal_years"]) == ("A:10", [2026, 2027, 2028, 2029, 2030])
    assert (over["planned"], over["authorized"], over["over"]) == (3088786, "3088785", "1")
    assert r.facts["titles"]["A:10"] == "A:10 Criminal justice diversion programs"


def test_current_and_next_fy_without_authorization_warn():
    doc = base()
    doc["program"]["authorizations"] = []
    r = result(doc, "MOA-AUTHORIZATION")
    assert r.status == "warn"
    assert r.fiscal_years == (2026, 2027)
    # A:10 and A:7 spending of the current FY (FY2026-27, as of November 28, 2026) and the next
    assert [(u["strategy"], u["fiscal_year"], u["amount"]) for u in r.facts["uncovered"]] == [
        ("A:10", 2026, 418397),
        ("A:7", 2026, 45000),
        ("A:10", 2027, 531184),
        ("A:7", 2027, 46125),
    ]
    assert {u["pending"] for u in r.facts["uncovered"]} == {None}
    # a later as_of looks at later FYs: FY2031-32 is not authorized by the 2026 resolution
    later = result(base(), "MOA-AUTHORIZATION", dt.date(2031, 8, 1))
    assert later.status == "warn"
    assert later.fiscal_years == (2031, 2032)


# ------------------------------------------------------------------------ MOA-REPORTING


def test_reporting_due_date_is_90_days_after_june_30():
    r = result(base(), "MOA-REPORTING", dt.date(2027, 6, 1))
    assert r.status == "info"
    assert r.facts["next"][0] == {
        "fiscal_year": 2026,
        "due": dt.date(2027, 9, 28),
        "impact_report": True,
    }
    assert r.fiscal_years == (2026, 2027)
    r = result(base(), "MOA-REPORTING", dt.date(2027, 8, 15))
    assert r.status == "warn"
    assert r.fiscal_years == (2026,)
    # August 15 to September 28: 16 + 28 days
    assert r.facts["days_left"] == 44


def test_impact_report_only_for_fys_with_spending():
    doc = base()
    for item in doc["line_items"]:
        item["start_fy"] = "FY2027-28"
    r = result(doc, "MOA-REPORTING", dt.date(2027, 6, 1))
    assert r.facts["next"] == [
        {"fiscal_year": 2026, "due": dt.date(2027, 9, 28), "impact_report": False},
        {"fiscal_year": 2027, "due": dt.date(2028, 9, 28), "impact_report": True},
    ]


@pytest.mark.parametrize(("today", "status"), [("2027-08-15", "warn"), ("2027-06-01", "info")])
def test_check_command_counts_deadlines_from_today(today, status):
    with freeze_time(today):
        out = CliRunner().invoke(main, ["check", str(EXAMPLES / "all-rules-pass.json"), "--json"])
    data = json.loads(out.output)
    assert data["as_of"] == today
    reporting = next(r for r in data["results"] if r["rule"] == "MOA-REPORTING")
    assert reporting["status"] == status


# ------------------------------------------------------------------------ MOA-INTEREST


def test_interest_reports_the_projected_total():
    r = result(base(), "MOA-INTEREST")
    assert r.status == "info"
    # the fund's interest, FY by FY, added up
    assert r.facts["total"] == sum(project(parse(base())).fund.interest) > 0
    assert (r.facts["first_fy"], r.facts["last_fy"], r.facts["rate"]) == (
        2026,
        2038,
        Decimal("0.02"),
    )


# ------------------------------------------------------------------------ PLAN-SUSTAINABILITY


def test_sustainability_statuses():
    r = result(base(), "PLAN-SUSTAINABILITY")
    assert r.status == "pass"
    doc = base()
    doc["fund"]["receipts"] = {}
    r = result(doc, "PLAN-SUSTAINABILITY")
    assert (r.status, r.facts["last_receipts_fy"], r.inputs) == ("warn", None, ("fund",))
    doc = base()
    doc["fund"]["opening_balance"] = "0"
    doc["years"] = 18
    r = result(doc, "PLAN-SUSTAINABILITY")
    plan = parse(doc)
    p = project(plan)
    closing, final = p.fund.closing[12], p.by_year[-1]
    assert r.status == "warn"
    assert r.fiscal_years == (2038, 2043)
    assert (r.facts["last_receipts_fy"], r.facts["closing"]) == (2038, closing)
    assert (r.facts["final_fy"], r.facts["final_spending"]) == (2043, final)
    # 661,498 ÷ 1,178,077 = 0.56 years, shown to 0.1 half-up: 0.6, below the 2 to aim for
    assert (closing, final) == (661498, 1178077)
    assert r.facts["runway_years"] == Decimal("0.6")
    doc = base()
    doc["fund"]["opening_balance"] = "0"
    doc["fund"]["receipts"] = {"FY2026-27": "100"}
    r = result(doc, "PLAN-SUSTAINABILITY")
    assert r.status == "warn"
    # 100 received, FY2026-27 spends 463,397: closing −463,297, already short
    assert (r.facts["last_receipts_fy"], r.facts["closing"]) == (2026, -463297)
    assert r.fiscal_years == (2026,)


# ------------------------------------------------------------------------ LEAD-PROGRAM-MANAGER


def test_program_manager_statuses():
    assert result(base(), "LEAD-PROGRAM-MANAGER").status == "pass"
    assert result(drop(base(), "program-manager"), "LEAD-PROGRAM-MANAGER").status == "warn"
    doc = base()
    line(doc, "program-manager")["independent"] = False
    r = result(doc, "LEAD-PROGRAM-MANAGER")
    assert r.status == "warn"
    assert (r.facts["independent"], r.facts["short"]) == (False, [])
    doc = base()
    line(doc, "program-manager")["fte"] = "0.5"
    line(doc, "program-manager")["end_fy"] = "FY2033-34"
    r = result(doc, "LEAD-PROGRAM-MANAGER")
    assert r.fiscal_years == tuple(range(2026, 2039))
    assert r.line_items == ("program-manager",)
    assert r.facts["min_fte"] == 1
    assert r.facts["short"] == list(range(2026, 2039))
    assert (r.facts["fte_by_fy"][2033], r.facts["fte_by_fy"][2034]) == (Decimal("0.5"), 0)


# ------------------------------------------------------------------------ LEAD-CASELOAD


def test_caseload_pass_and_missing_line():
    assert result(base(), "LEAD-CASELOAD").status == "pass"
    r = result(drop(base(), "case-managers"), "LEAD-CASELOAD")
    assert r.status == "fail"
    assert r.facts["line"] is None
    assert r.inputs == ("line:new",)


def test_caseload_limits_above_guidance_fail():
    doc = base()
    line(doc, "case-managers")["caseload_average"] = "30"
    r = result(doc, "LEAD-CASELOAD")
    assert r.status == "fail"
    assert r.facts["above_guidance"] == [
        {"field": "caseload_average", "value": Decimal(30), "limit": Decimal(20)}
    ]
    assert r.facts["over_fys"] == []


def test_caseload_cap_names_the_fys_and_the_fix():
    # 46 enrollees a year, 18 months: FY2028-29 average 56.78 ÷ 20 = 2.84 -> 3.0 FTE;
    # steady state 69 ÷ 20 = 3.45 -> 3.5 FTE. A 2.0 FTE cap breaks FY2028-29 on.
    doc = base()
    line(doc, "case-managers")["max_fte"] = "2"
    r = result(doc, "LEAD-CASELOAD")
    assert r.status == "fail"
    assert r.fiscal_years == tuple(range(2028, 2039))
    assert r.line_items == ("case-managers",)
    first = r.facts["first_over"]
    assert (first["fiscal_year"], first["fte"], first["required_fte"]) == (2028, 2, 3)
    # 56.78125 average and 63.25 peak active ÷ 2.0 FTE
    assert (first["load_average"], first["load_peak"]) == (Decimal("28.390625"), Decimal("31.625"))
    assert first["add_fte"] == 1
    assert r.facts["raise_max_fte_to"] == Decimal("3.5")


# ------------------------------------------------------------------------ LEAD-WARM-HANDOFF


def test_warm_handoff_statuses():
    r = result(base(), "LEAD-WARM-HANDOFF")
    assert r.status == "pass"  # on call: 128 h + 40 business hours = 168
    doc = base()
    wh = line(doc, "warm-handoff")
    wh.update(mode="staffed", hours_per_week="84")
    wh.pop("hourly_rate", None)
    r = result(doc, "LEAD-WARM-HANDOFF")
    assert r.status == "warn"
    assert (r.facts["worst_fy"], r.facts["worst_hours"], r.facts["worst_share"]) == (2026, 84, 50)
    assert r.fiscal_years == tuple(range(2026, 2039))
    r = result(drop(base(), "warm-handoff"), "LEAD-WARM-HANDOFF")
    assert r.status == "warn"
    assert (r.facts["lines"], r.facts["worst_hours"], r.facts["worst_share"]) == ([], 0, 0)
    assert r.inputs == ("line:new",)


@pytest.mark.parametrize(("hours", "share"), [("21", 13), ("105", 63), ("63", 38), ("100", 60)])
def test_warm_handoff_share_rounds_half_up(hours, share):
    # 21 ÷ 168 = 12.5% -> 13% (half-up, like every other figure; half-even said 12%);
    # 105 ÷ 168 = 62.5% -> 63%; 63 ÷ 168 = 37.5% -> 38%; 100 ÷ 168 = 59.52% -> 60%
    doc = base()
    wh = line(doc, "warm-handoff")
    wh.update(mode="staffed", hours_per_week=hours)
    wh.pop("hourly_rate", None)
    assert result(doc, "LEAD-WARM-HANDOFF").facts["worst_share"] == share


# ------------------------------------------------------------------------ LEAD-OFFICER-TRAINING


def test_officer_training_statuses():
    assert result(base(), "LEAD-OFFICER-TRAINING").status == "pass"
    assert result(drop(base(), "officer-training"), "LEAD-OFFICER-TRAINING").status == "warn"
    doc = base()
    line(doc, "officer-training")["refresher_interval_years"] = 3
    r = result(doc, "LEAD-OFFICER-TRAINING")
    assert r.status == "warn"
    [training] = r.facts["lines"]
    assert (training["refresher_interval_years"], training["problems"]) == (3, ["refresher"])
    assert r.facts["longest_interval_years"] == 2
    doc = base()
    line(doc, "officer-training")["officers"] = 0
    r = result(doc, "LEAD-OFFICER-TRAINING")
    assert (r.status, r.facts["lines"][0]["problems"]) == ("warn", ["no_officers"])


# ------------------------------------------------------------------------ LEAD-DATA-ANALYST


def test_data_analyst_statuses():
    assert result(base(), "LEAD-DATA-ANALYST").status == "pass"
    doc = base()
    line(doc, "data-analyst")["fte"] = "0.25"
    r = result(doc, "LEAD-DATA-ANALYST")
    assert r.status == "warn"
    assert r.line_items == ("data-analyst",)
    assert (r.facts["min_fte"], r.facts["short"]) == (Decimal("0.5"), list(range(2026, 2039)))
    assert set(r.facts["fte_by_fy"].values()) == {Decimal("0.25")}
    assert result(drop(base(), "data-analyst"), "LEAD-DATA-ANALYST").status == "warn"


# ------------------------------------------------------------------------ the program flags


def test_data_collection_names_each_missing_group():
    assert result(base(), "LEAD-DATA-COLLECTION").status == "pass"
    doc = base()
    doc["program"]["data_collection"].update(tracks_ineligible=False, tracks_not_offered=False)
    r = result(doc, "LEAD-DATA-COLLECTION")
    assert r.status == "warn"
    assert r.facts["missing"] == ["tracks_ineligible", "tracks_not_offered"]


def test_phones_statuses():
    assert result(base(), "LEAD-PHONES").status == "pass"
    doc = base()
    line(doc, "phones")["high_risk_share"] = "0"
    assert result(doc, "LEAD-PHONES").status == "warn"
    assert result(drop(base(), "phones"), "LEAD-PHONES").status == "warn"


def test_services_name_the_unassessed_categories():
    assert result(base(), "LEAD-SERVICES").status == "pass"
    doc = drop(base(), "benefits")
    line(doc, "medical")["status"] = "unknown"
    r = result(doc, "LEAD-SERVICES")
    assert r.status == "warn"
    assert r.facts["missing"] == ["medical", "benefits"]
    assert r.line_items == ("medical",)
    assert r.inputs == ("line:medical", "line:new:service_gap:benefits")


def test_racial_equity_and_eligibility():
    assert result(base(), "LEAD-RACIAL-EQUITY").status == "pass"
    assert result(base(), "LEAD-ELIGIBILITY").status == "pass"
    doc = base()
    doc["program"]["equity"] = {"goal_stated": False, "outreach_plan": "  "}
    doc["program"]["eligibility"] = {
        "allows_supervised_probation": False,
        "narrow_disqualifiers": True,
    }
    r = result(doc, "LEAD-RACIAL-EQUITY")
    assert r.status == "warn"
    assert r.facts == {"goal_stated": False, "outreach_plan": False}
    r = result(doc, "LEAD-ELIGIBILITY")
    assert r.status == "warn"
    assert r.facts == {"allows_supervised_probation": False, "narrow_disqualifiers": True}


def test_community_referrals_is_information():
    r = result(base(), "LEAD-COMMUNITY-REFERRALS")
    assert (r.status, r.facts["per_year"], r.inputs) == ("info", 20, ())
    doc = base()
    doc["participants"]["referrals_per_year"]["community"] = "0"
    r = result(doc, "LEAD-COMMUNITY-REFERRALS")
    assert (r.status, r.facts["per_year"], r.inputs) == ("info", 0, ("participants",))


# ------------------------------------------------------------------------ CLI


def test_check_exit_codes_and_json_shape(tmp_path):
    runner = CliRunner()
    ok = runner.invoke(
        main, ["check", str(EXAMPLES / "all-rules-pass.json"), "--as-of", "2026-11-28", "--json"]
    )
    assert ok.exit_code == 0
    data = json.loads(ok.output)
    assert data["schema"] == "lead-compliance/1"
    assert data["as_of"] == "2026-11-28"
    assert [r["rule"] for r in data["results"]] == [rule for rule, _ in RULES]
    for r in data["results"]:
        assert set(r) == {"rule", "status", "message", "fiscal_years", "line_items", "citation"}
    failing = runner.invoke(
        main, ["check", str(EXAMPLES / "demo-orange-county.json"), "--as-of", "2026-11-28"]
    )
    assert failing.exit_code == 1
    assert "[FAIL] MOA-FUND-BALANCE" in failing.output
    bad = tmp_path / "bad.json"
    bad.write_text('{"schema": "lead-plan/1"}')
    broken = runner.invoke(main, ["check", str(bad)])
    assert broken.exit_code == 2
    assert "start_fy: is required" in broken.output


def test_fy_ranges():
    assert fy_ranges([2029, 2030, 2031, 2034]) == "FY2029-30 to FY2031-32 and FY2034-35"
    assert fy_ranges([2026]) == "FY2026-27"
