"""When the money is short (issue 22): the options side by side, the smallest fidelity
program, the fit to a chance of a deficit, the fit's respect for LEAD-CASELOAD and
`planner fit --options`."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, assume, given, settings

from planner.cli import main
from planner.cost_tables import default_cost_tables, default_ranges
from planner.scenarios import parse_plan, project
from planner.scenarios.fit import caseload_carried, first_open_year, fit, reserves
from planner.scenarios.options import (
    OptionsResult,
    figures_of,
    lead_rules,
    plan_options,
    smallest_program,
)
from planner.scenarios.plan import Plan
from planner.scenarios.simulation import simulate
from planner.scenarios.uncertainty import offered_section
from tests.plans import EXAMPLES, D, as_json_document, document, example, parse
from tests.strategies import examples, plan_documents

AS_OF = dt.date(2026, 12, 7)
TABLES = default_cost_tables()

# Three FYs, no interest, $120,000 a year of spending (an `other` line, not escalated), no
# referrals:
#   receipts 150,000 / 100,000 / 100,000, opening balance 0
#   closing  FY2026-27: 150,000 − 120,000 = 30,000
#            FY2027-28: 30,000 + 100,000 − 120,000 = 10,000   (reserve 20,000: missed)
#            FY2028-29: 10,000 + 100,000 − 120,000 = −10,000  (a deficit)
#   reserve  2 months: round_half_up(2/12 × 120,000) = 20,000 every FY
FLAT = {"id": "flat", "kind": "other", "annual_amount": "120000", "escalate": False}


def tiny() -> Plan:
    return parse(
        document(
            {**FLAT, "strategy": "A:10"},
            fund={
                "interest_rate": "0",
                "receipts": {"FY2026-27": "150000", "FY2027-28": "100000", "FY2028-29": "100000"},
            },
            participants={"referrals_per_year": {}},
        )
    )


def keeps_every_reserve(plan: Plan) -> bool:
    """The reserve judged from a full projection (independently of the options' code)."""
    fund = project(plan).fund
    reserve = reserves(plan.fund.reserve_months, fund.spending)
    return all(fund.closing[k] >= reserve[k] for k in range(first_open_year(plan), plan.years))


def reread(document_: dict) -> Plan:
    """An option's plan file read again, as `planner project` would."""
    return parse_plan(as_json_document(document_), TABLES)


def test_hand_computed_options_of_a_flat_plan():
    result = plan_options(tiny(), TABLES, as_of=AS_OF)
    assert result.needed
    kinds = {o.kind: o for o in result.options}
    assert set(kinds) == {"trim_lines", "later_start", "shorter_horizon", "extra_money"}
    missing = {u.kind for u in result.unavailable}
    # No referrals to fit; a deficit that no smaller reserve makes up for.
    assert missing == {"fewer_referrals", "smaller_reserve"}

    # Trim: spending S a year keeps every reserve when 350,000 − 3S ≥ round(S/6), i.e.
    # S ≤ 110,526; on the 1% grid 120,000 × 92% = 110,400 (closing 350,000 − 331,200 =
    # 18,800 ≥ 18,400) while 93% = 111,600 misses (15,200 < 18,600).
    trim = kinds["trim_lines"]
    assert trim.plan.line("flat").params.annual_amount == D("110400")  # type: ignore[attr-defined]
    assert project(trim.plan).fund.closing == (39600, 29200, 18800)

    # Later start: one FY later the first FY spends 0 (reserve 0) and the fund closes
    # 150,000 / 130,000 / 110,000.
    later = kinds["later_start"]
    assert later.plan.line("flat").start_fy == 2027
    assert later.projection.fund.closing == (150000, 130000, 110000)

    # Fewer years: FY2027-28 is the first FY below its reserve, so one FY is carried.
    assert kinds["shorter_horizon"].plan.years == 1

    # Extra money, earliest first: FY2027-28 lacks 20,000 − 10,000 = 10,000; then
    # FY2028-29 closes 20,000 + 100,000 − 120,000 = 0 and lacks 20,000.
    extra = kinds["extra_money"]
    assert extra.extra_per_year == {2027: 10000, 2028: 20000}
    assert extra.projection.fund.closing == (30000, 20000, 20000)
    assert extra.to_dict()["extra_per_year"] == {"FY2027-28": 10000, "FY2028-29": 20000}


def test_protected_lines_are_never_cut():
    plan = example("demo-orange-county.json")
    result = plan_options(
        plan, TABLES, as_of=AS_OF, protect=["program-manager", "naloxone"], smallest=False
    )
    trim = result.option("trim_lines")
    assert trim is not None
    for line_id in ("program-manager", "naloxone"):
        assert trim.plan.line(line_id) == plan.line(line_id)
    assert trim.plan.line("officer-training") != plan.line("officer-training")
    with pytest.raises(ValueError, match="no line 'nope'"):
        plan_options(plan, TABLES, as_of=AS_OF, protect=["nope"], smallest=False)


def _check_options(plan: Plan, result: OptionsResult) -> None:
    for option in result.options:
        again = reread(option.document())
        projection = project(again)
        # The stated figures are the projection's, to the dollar.
        assert figures_of(again, projection, TABLES, AS_OF, option.figures.deficit_chance) == (
            option.figures
        )
        assert option.figures.total == projection.total
        assert keeps_every_reserve(again)
        assert caseload_carried(again, projection.participants)


@settings(
    max_examples=examples(50),
    deadline=None,
    suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow],
)
@given(plan_documents(rates_nonnegative=True))
def test_every_option_keeps_the_reserve_and_the_caseload(doc):
    plan = parse(doc)
    assume(not keeps_every_reserve(plan))
    result = plan_options(plan, TABLES, as_of=AS_OF, smallest=False)
    assert result.needed
    _check_options(plan, result)


@pytest.mark.slow
def test_demo_options_and_the_caseload_rule():
    plan = example("demo-orange-county.json")
    result = plan_options(plan, TABLES, as_of=AS_OF, ranges=default_ranges())
    assert {o.kind for o in result.options} >= {
        "fewer_referrals",
        "trim_lines",
        "later_start",
        "shorter_horizon",
        "extra_money",
    }
    _check_options(plan, result)
    for option in result.options:
        assert option.figures.rules["LEAD-CASELOAD"] == "pass"
        assert option.figures.deficit_chance is not None
    referrals = result.option("fewer_referrals")
    assert referrals is not None
    # Today's fit: × 0.72 of 40/30/20.
    assert referrals.plan.participants.referrals_per_year["arrest_diversion"] == D("28.8")


def test_fit_respects_the_case_managers_cap():
    # One case manager at most (max_fte 1) carries 20 on average, 25 at the peak. 50
    # arrest-diversion referrals × 0.6 enroll 30 a year; with 18 months enrolled the
    # steady caseload is 45: beyond the cap at × 1. The fund is rich (no reserve limit),
    # so before issue 22 the fit said × 100.00, its upper bound.
    doc = document(
        {"id": "cm", "kind": "case_management", "strategy": "A:10", "max_fte": "1"},
        fund={"opening_balance": "100000000", "interest_rate": "0"},
        years=3,
    )
    plan = parse(doc)
    result = fit(plan)
    assert result.value_number is not None
    assert result.value_number < 1
    assert not result.at_upper_bound
    assert result.reason is not None
    assert "LEAD-CASELOAD" in result.reason
    # 30 enrol a year × m, 2.5 m a month, each for 18 months: from the third FY on the
    # average and the peak are 45 m. Average 45 m ≤ 20 × 1 FTE → m ≤ 0.4444; peak 45 m ≤ 25
    # → m ≤ 0.5556. The average binds: × 0.44.
    assert result.value == "0.44"
    at = parse(
        document(
            {"id": "cm", "kind": "case_management", "strategy": "A:10", "max_fte": "1"},
            fund={"opening_balance": "100000000", "interest_rate": "0"},
            participants={"referrals_per_year": {"arrest_diversion": "22"}},
        )
    )
    assert lead_rules(at, project(at), TABLES, AS_OF)["LEAD-CASELOAD"] == "pass"


def test_fit_without_case_management_serves_nobody():
    plan = parse(document({**FLAT, "strategy": "A:10"}, fund={"opening_balance": "100000000"}))
    result = fit(plan)
    assert result.value == "0.00"
    assert result.reason is not None
    assert "case-management" in result.reason


def test_smallest_program_passes_every_lead_rule_and_nothing_cheaper_does():
    plan = example("demo-orange-county.json")
    program = smallest_program(plan, TABLES, as_of=AS_OF)
    assert program.figures.fidelity_failing == []
    assert all(status in ("pass", "info") for status in program.figures.rules.values())
    cheaper = {
        "program-manager": ("fte", "0.5", "LEAD-PROGRAM-MANAGER"),
        "data-analyst": ("fte", "0", "LEAD-DATA-ANALYST"),
        "warm-handoff": ("hours_per_week", "127", "LEAD-WARM-HANDOFF"),
        "officer-training": ("refresher_interval_years", 3, "LEAD-OFFICER-TRAINING"),
        "phones": ("high_risk_share", "0", "LEAD-PHONES"),
    }
    base = json.loads(json.dumps(program.to_dict()["plan"]))
    for line_id, (key, value, rule) in cheaper.items():
        changed = json.loads(json.dumps(base))
        for line in changed["line_items"]:
            if line["id"] == line_id:
                line[key] = value
        plan_ = reread(changed)
        projection = project(plan_)
        assert projection.total < program.figures.total, line_id
        assert lead_rules(plan_, projection, TABLES, AS_OF)[rule] in ("warn", "fail"), line_id
    # The case managers at one FTE fewer than the caseload needs in some FY.
    capped = json.loads(json.dumps(base))
    peak = max(program.projection.line("case-managers").fte)
    for line in capped["line_items"]:
        if line["id"] == "case-managers":
            line["min_fte"] = line["max_fte"] = format(peak - D("0.5"), "f")
    plan_ = reread(capped)
    assert lead_rules(plan_, project(plan_), TABLES, AS_OF)["LEAD-CASELOAD"] == "fail"


def test_a_small_fund_says_plainly_no_fidelity_program_fits():
    # Ashe County's fund, as the review found it: $75,000–$216,000 a year against a
    # fidelity floor of about $300,000.
    from planner.scenarios.starting import starting_plan

    document_ = starting_plan(TABLES, "ashe-county", start_fy=2027).document
    document_["fund"]["receipts"] = {str(fy): "150000" for fy in range(2027, 2045)}
    plan = parse_plan(document_, TABLES)
    program = smallest_program(plan, TABLES, as_of=AS_OF)
    assert not program.sustains
    assert program.gap_per_year is not None
    assert program.gap_per_year > 0
    assert program.figures.fidelity_failing == []
    assert program.sentence.startswith("No fidelity LEAD program fits this fund alone")
    assert "partner" in program.sentence
    assert sum(program.extra_per_year.values()) > 0


@pytest.mark.slow
def test_smallest_program_of_the_117_starting_plans():
    from planner.scenarios.starting import starting_plan

    sustained = 0
    for place in TABLES.jurisdictions:
        plan = parse_plan(starting_plan(TABLES, place.slug, start_fy=2027).document, TABLES)
        program = smallest_program(plan, TABLES, as_of=AS_OF)
        assert program.figures.fidelity_failing == [], place.slug
        sustained += program.sustains
    # 57 governments have receipt estimates by settlement stream in the tables (§18); 32 of
    # them sustain one alone (measured December 2026; docs/decisions.md, issue 22).
    assert sustained == 32


@pytest.mark.slow
def test_the_chance_fit_agrees_with_planner_simulate():
    plan = example("demo-orange-county.json")
    result = plan_options(
        plan, TABLES, as_of=AS_OF, ranges=default_ranges(), max_deficit_chance=D("0.1")
    )
    chance = result.option("chance_referrals")
    assert chance is not None
    reserve_fit = result.option("fewer_referrals")
    assert reserve_fit is not None
    assert chance.figures.participants <= reserve_fit.figures.participants
    assert chance.figures.deficit_chance is not None
    assert chance.figures.deficit_chance <= 0.1
    section = offered_section(chance.plan, default_ranges()).with_run(draws=10000, seed=0)
    simulated = simulate(chance.plan, section).p_any_deficit
    # 1,000 draws against 10,000 (same seed): sampling error of about 1 point (3σ ≈ 3).
    assert simulated <= 0.1 + 0.03
    assert abs(simulated - chance.figures.deficit_chance) <= 0.03


@pytest.mark.slow
def test_planner_fit_options_json():
    runner = CliRunner()
    path = str(EXAMPLES / "demo-orange-county.json")
    out = runner.invoke(main, ["fit", path, "--options", "--protect", "program-manager", "--json"])
    assert out.exit_code == 0, out.output
    found = json.loads(out.output)
    assert found["schema"] == "lead-options/1"
    assert found["protected"] == ["program-manager"]
    kinds = [o["kind"] for o in found["options"]]
    assert "extra_money" in kinds
    for option in found["options"]:
        assert option["plan"]["schema"] == "lead-plan/1"
        again = reread(option["plan"])
        assert project(again).total == option["figures"]["total"]
        assert option["summary"]
        assert option["figures_text"]
        assert ("extra_per_year" in option) == (option["kind"] == "extra_money")
    text = runner.invoke(main, ["fit", path, "--options"])
    assert text.exit_code == 0
    assert "Fewer referrals" in text.output
    bad = runner.invoke(main, ["fit", path, "--options", "--protect", "nope"])
    assert bad.exit_code == 2
    assert "nope" in bad.output
    assert Decimal(found["options"][0]["figures"]["participants"]) > 0


def test_what_the_program_buys_hand_computed():
    from planner.cost_tables import default_outcomes
    from planner.scenarios.outcomes import program_buys

    # 50 arrest-diversion referrals × 0.6 = 30 enrol a year, no ramp, 18 months enrolled,
    # 3 FYs: 90 enrolled; participant-months 16.25×12 + 41.875×12 + 45×12 = 195 + 502.5 +
    # 540 = 1,237.5, i.e. 103.125 participant-years. One LEAD line of $120,000 a year (not
    # escalated): $360,000.
    plan = parse(document({**FLAT, "strategy": "A:10"}))
    buys = program_buys(plan, project(plan), default_outcomes())
    assert buys.participants == D("90.00")
    assert buys.participant_years == D("103.13")  # 103.125, shown to 2 places
    assert buys.lead_cost == 360000
    assert buys.cost_per_participant == 4000  # 360,000 / 90
    assert buys.cost_per_participant_year == 3491  # 360,000 / 103.125 = 3,490.91
    # Jail days: 103.125 × 41 = 4,228.125 a plan; × 25% / 50% / 100%
    assert (buys.jail_days_avoided.low, buys.jail_days_avoided.middle) == (1057, 2114)
    assert buys.jail_days_avoided.high == 4228
    # × $85: 4,228.125 × 85 × 0.5 = 179,695.31
    assert buys.jail_cost_avoided.middle == 179695
    # Legal-system costs: 90 × $8,061 × 0.5 = 362,745; WSIPP 90 × $4,606 × 0.5 = 207,270
    assert buys.legal_cost_avoided.middle == 362745
    assert buys.wsipp_benefits.middle == 207270
    # The county's own bed-day cost: 4,228.125 × 120 × 0.25 = 126,843.75
    own = program_buys(plan, project(plan), default_outcomes(), D("120"))
    assert own.jail_cost_avoided.low == 126844
    assert not own.jail_day_cost_is_default
