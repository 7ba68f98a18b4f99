"""The amended MOA-AUTHORIZATION rule: authorize FYs X–Y from the engine's spending,
stale amounts, scheduled adoptions and the budget ordinance (compliance_rules.md)."""

from __future__ import annotations

import copy
import datetime as dt
import json

from planner.cost_tables import default_cost_tables
from planner.scenarios import plan_to_dict, project
from planner.scenarios.authorizations import (
    authorization_facts,
    authorize_fys,
    with_authorizations,
)
from planner.scenarios.compliance import check_plan
from tests.plans import EXAMPLES, parse

AS_OF = dt.date(2026, 11, 28)
BASE = json.loads((EXAMPLES / "all-rules-pass.json").read_text())


def base() -> dict:
    return copy.deepcopy(BASE)


def rule(doc: dict, as_of: dt.date = AS_OF):
    plan = parse(doc)
    results = check_plan(plan, project(plan), default_cost_tables(), as_of)
    return next(r for r in results if r.rule == "MOA-AUTHORIZATION")


def test_authorize_fys_amounts_are_the_by_strategy_sums():
    plan = parse(base())
    projection = project(plan)
    drafts = authorize_fys(plan, projection, 2026, 2027)
    # A:10: 418,397 (FY2026-27) + 531,184 (FY2027-28) = 949,581; A:7: 45,000 + 46,125 = 91,125
    assert [(d.strategy, d.amount) for d in drafts] == [("A:10", 949581), ("A:7", 91125)]
    for draft in drafts:
        values = projection.by_strategy[draft.strategy]
        assert draft.amount == values[0] + values[1]
        assert (draft.start, draft.end) == (dt.date(2026, 7, 1), dt.date(2028, 6, 30))
        assert draft.fiscal_years == (2026, 2027)
    # every strategy of the plan over its whole span adds up to the plan's total
    everything = authorize_fys(plan, projection, plan.start_fy, plan.end_fy)
    assert sum(d.amount for d in everything) == projection.total


def test_authorizations_written_from_the_engine_are_not_stale():
    doc = base()
    plan = parse(doc)
    projection = project(plan)
    facts = authorization_facts(plan, projection, AS_OF)
    # the base authorizes $3,500,000 of A:10 for FY2026-27 to FY2030-31; it plans 3,088,786
    assert facts[0].stale
    assert facts[0].planned == 3088786
    assert facts[0].difference == 3088786 - 3500000
    doc["program"]["authorizations"] = []
    drafts = authorize_fys(plan, projection, 2026, 2030)
    written = with_authorizations(
        doc,
        drafts,
        AS_OF,
        adopted_on=dt.date(2026, 6, 16),
        budget_ordinance_on=dt.date(2026, 6, 16),
    )
    again = parse(written)
    fresh = authorization_facts(again, project(again), AS_OF)
    assert [(f.strategy, f.stale, f.status, f.budget_ordinance) for f in fresh] == [
        ("A:10", False, "adopted", "adopted"),
        ("A:7", False, "adopted", "adopted"),
    ]
    assert rule(written).status == "pass"
    # a later change makes the amount stale, and the facts say by how much
    written["line_items"][0]["salary"] = "90000"
    changed = parse(written)
    stale = authorization_facts(changed, project(changed), AS_OF)[0]
    assert stale.stale
    assert stale.difference > 0
    assert rule(written).status == "fail"


def test_drafting_again_replaces_the_unadopted_draft_only():
    doc = base()
    plan = parse(doc)
    drafts = authorize_fys(plan, project(plan), 2027, 2027)
    once = with_authorizations(doc, drafts, AS_OF)
    twice = with_authorizations(once, drafts, AS_OF)
    assert len(twice["program"]["authorizations"]) == 2 + len(drafts)
    assert twice["program"]["authorizations"][:2] == doc["program"]["authorizations"]


def test_a_scheduled_authorization_covers_nothing():
    doc = base()
    for auth in doc["program"]["authorizations"]:
        auth["adopted_on"] = "2026-12-15"  # after as_of: scheduled
        auth["amount"] = "1"  # would fail if it counted
    r = rule(doc)
    assert r.status == "warn"
    assert r.facts["over"] == []
    uncovered = r.facts["uncovered"]
    assert {(u["strategy"], u["fiscal_year"]) for u in uncovered} == {
        ("A:10", 2026),
        ("A:10", 2027),
        ("A:7", 2026),
        ("A:7", 2027),
    }
    assert {u["pending_status"] for u in uncovered} == {"scheduled"}
    assert {u["pending_adopted_on"] for u in uncovered} == {dt.date(2026, 12, 15)}
    assert [a["status"] for a in r.facts["authorizations"]] == ["scheduled", "scheduled"]
    # the fix drafts the missing authorizations from the plan's spending
    fix = r.facts["fix"]
    assert (fix["action"], fix["first_fy"], fix["last_fy"]) == ("authorize_fys", 2026, 2027)
    assert [(a["strategy"], a["amount"]) for a in fix["authorizations"]] == [
        ("A:10", "949581"),
        ("A:7", "91125"),
    ]
    # on the day of adoption it counts (and its $1 fails)
    assert rule(doc, dt.date(2026, 12, 15)).status == "fail"


def test_the_budget_ordinance_is_needed_too():
    doc = base()
    for auth in doc["program"]["authorizations"]:
        auth["budget_ordinance_on"] = None
    r = rule(doc)
    assert r.status == "warn"
    assert r.facts["ordinance_missing"] == [0, 1]
    assert r.facts["uncovered"] == []
    assert r.fiscal_years == (2026, 2027)
    later = base()
    later["program"]["authorizations"][0]["budget_ordinance_on"] = "2027-01-10"
    r = rule(later)
    assert r.status == "warn"
    assert r.facts["ordinance_missing"] == [0]
    assert [o["scheduled_on"] for o in r.facts["ordinance"]] == [dt.date(2027, 1, 10)]


def test_overlapping_adopted_authorizations_add_up():
    doc = base()
    # a supplemental of $200,000 for FY2026-27 on top of the original
    doc["program"]["authorizations"][0]["amount"] = "2900000"
    assert rule(doc).status == "fail"  # 3,088,786 planned > 2,900,000
    doc["program"]["authorizations"].append(
        {
            "strategy": "A:10",
            "amount": "200000",
            "start": "2026-07-01",
            "end": "2027-06-30",
            "adopted_on": "2026-09-01",
            "budget_ordinance_on": "2026-09-01",
        }
    )
    r = rule(doc)
    assert r.status == "pass"  # 2,900,000 + 200,000 = 3,100,000 ≥ 3,088,786
    assert r.facts["authorizations"][0]["overlaps"] == [2]


def test_budget_ordinance_round_trips():
    plan = parse(base())
    exported = plan_to_dict(plan)["program"]["authorizations"][0]
    assert exported["budget_ordinance_on"] == "2026-06-16"
    assert plan.program.authorizations[0].budget_ordinance_on == dt.date(2026, 6, 16)
