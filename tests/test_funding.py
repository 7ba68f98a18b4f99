"""Funding sources (cost model §16): who pays each line, and the settlement fund's part.

Every line here is an `other` line with `escalate: false`, so its total T is its
`annual_amount` in every FY and the arithmetic in the comments is the whole story.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from hypothesis import given, settings

from planner.cost_tables import default_cost_tables
from planner.scenarios import PlanError, parse_plan, parse_plan_text, project
from planner.scenarios.limits import DATE_RANGE, TOO_MANY
from planner.scenarios.parse import plan_to_dict
from planner.scenarios.projection import project_fund, projection_to_dict
from tests.plans import as_json_document, document, parse
from tests.strategies import examples, plan_documents

TABLES = default_cost_tables()


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


def funded(*lines: dict, sources: list[dict], **changes) -> dict:
    return document(*lines, funding={"sources": sources}, **changes)


def grant(source_id: str = "cossup", **more) -> dict:
    return {"id": source_id, "name": "BJA COSSUP award", "kind": "grant", **more}


GENERAL = {"id": "general-fund", "name": "County general fund", "kind": "general_fund"}


def run(doc: dict):
    return project(parse(doc))


# --------------------------------------------------------------------------- hand-computed


def test_share_of_an_october_to_september_grant_is_prorated_by_months():
    # Plan FY2026-27 to FY2028-29; the grant runs Oct 1, 2026 – Sep 30, 2028.
    # months_k: FY2026-27 Oct–Jun = 9; FY2027-28 = 12; FY2028-29 Jul–Sep = 3.
    # a = round_half_up(0.75 × months_k / 12 × 100,000):
    #   FY2026-27: 0.75 × 9/12 × 100,000 = 56,250  -> settlement 43,750
    #   FY2027-28: 0.75 × 12/12 × 100,000 = 75,000 -> settlement 25,000
    #   FY2028-29: 0.75 × 3/12 × 100,000 = 18,750  -> settlement 81,250
    doc = funded(
        line("cm", "100000", {"source": "cossup", "share": "0.75"}),
        sources=[grant(start="2026-10-01", end="2028-09-30")],
    )
    projection = run(doc)
    cm = projection.line("cm")
    assert cm.by_year == (100000, 100000, 100000)  # the program's whole cost
    assert cm.by_source == {
        "settlement": (43750, 25000, 81250),
        "cossup": (56250, 75000, 18750),
    }
    assert projection.by_source == {
        "settlement": (43750, 25000, 81250),
        "cossup": (56250, 75000, 18750),
    }
    assert projection.by_strategy == {"A:10": (100000, 100000, 100000)}
    assert projection.settlement_by_strategy == {"A:10": (43750, 25000, 81250)}
    # The fund spends settlement money only (§6): opening 0, no receipts, 2% interest on a
    # balance that is never positive: closing = −43,750, −68,750, −150,000.
    assert projection.fund.spending == (43750, 25000, 81250)
    assert projection.fund.closing == (-43750, -68750, -150000)


def test_a_share_is_rounded_once_from_exact_rationals():
    # T = 100,001; share 0.5 of a grant from Oct 1, 2026 (9 months of FY2026-27):
    # 0.5 × 9/12 × 100,001 = 37,500.375 -> 37,500 (rounding 0.5 × 100,001 = 50,000.5 first
    # would give 50,001 × 0.75 = 37,500.75 -> 37,501).
    doc = funded(
        line("x", "100001", {"source": "cossup", "share": "0.5"}),
        sources=[grant(start="2026-10-01")],
        years=1,
    )
    assert run(doc).line("x").by_source["cossup"] == (37500,)


def test_amounts_are_rounded_half_up_and_capped_by_what_remains():
    # FY2026-27: amount 20,000.50 -> 20,001; settlement 100,000 − 20,001 = 79,999.
    # FY2027-28: amount 150,000 > R = 100,000 -> a = min(R, amount) = 100,000; settlement 0.
    # FY2028-29: not given -> 0.
    doc = funded(
        line(
            "officers",
            "100000",
            {
                "source": "general-fund",
                "amounts": {"FY2026-27": "20000.50", "2027": "150000"},
            },
        ),
        sources=[GENERAL],
    )
    assert run(doc).line("officers").by_source == {
        "settlement": (79999, 0, 100000),
        "general-fund": (20001, 100000, 0),
    }


def test_entries_apply_in_order_each_on_what_remains():
    # share 0.8 of 100,000 = 80,000 (R: 100,000 -> 20,000); then amounts 50,000 ->
    # min(R = 20,000, 50,000) = 20,000 (R -> 0). The settlement fund pays nothing.
    doc = funded(
        line(
            "x",
            "100000",
            {"source": "cossup", "share": "0.8"},
            {"source": "general-fund", "amounts": {"2026": "50000"}},
        ),
        sources=[grant(), GENERAL],
        years=1,
    )
    assert run(doc).line("x").by_source == {
        "settlement": (0,),
        "cossup": (80000,),
        "general-fund": (20000,),
    }


def test_an_award_runs_out_in_the_middle_of_a_fy_across_two_lines():
    # Award 130,000; both lines ask 100% of it every FY; FYs in order, lines in plan order.
    # FY2026-27: a = min(R 100,000, A 130,000, 100,000) = 100,000 (A -> 30,000);
    #            b = min(R 50,000, A 30,000, 50,000) = 30,000 (A -> 0): settlement 0 + 20,000.
    # FY2027-28 and on: A = 0, the settlement fund pays 150,000.
    doc = funded(
        line("a", "100000", {"source": "cossup", "share": "1"}),
        line("b", "50000", {"source": "cossup", "share": "1"}),
        sources=[grant(award="130000")],
    )
    projection = run(doc)
    assert projection.line("a").by_source["cossup"] == (100000, 0, 0)
    assert projection.line("b").by_source["cossup"] == (30000, 0, 0)
    assert projection.by_source == {
        "settlement": (20000, 150000, 150000),
        "cossup": (130000, 0, 0),
    }


def test_an_award_is_rounded_half_up_to_dollars():
    # award 1,000.50 -> 1,001; the line asks 100% of 5,000.
    doc = funded(
        line("a", "5000", {"source": "cossup", "share": "1"}),
        sources=[grant(award="1000.50")],
        years=1,
    )
    assert run(doc).by_source["cossup"] == (1001,)


def test_two_back_to_back_grants_may_each_pay_100_percent():
    # g1: Oct 1, 2025 – Dec 31, 2026; g2: Jan 1, 2027 – Jun 30, 2029. Both share 1.
    # FY2026-27: g1 Jul–Dec = 6 months -> 1 × 6/12 × 100,000 = 50,000;
    #            g2 Jan–Jun = 6 months -> 50,000; 6/12 + 6/12 = 1 (allowed); settlement 0.
    # FY2027-28, FY2028-29: g1 0 months, g2 12 -> 100,000.
    doc = funded(
        line(
            "cm",
            "100000",
            {"source": "g1", "share": "1"},
            {"source": "g2", "share": "1"},
        ),
        sources=[
            grant("g1", start="2025-10-01", end="2026-12-31"),
            grant("g2", start="2027-01-01", end="2029-06-30"),
        ],
    )
    assert run(doc).line("cm").by_source == {
        "settlement": (0, 0, 0),
        "g1": (50000, 0, 0),
        "g2": (50000, 100000, 100000),
    }


def test_top_level_by_source_lists_every_declared_source_in_order():
    doc = funded(
        line("a", "1000"),
        sources=[GENERAL, grant(), {"id": "nc", "name": "Medicaid", "kind": "medicaid"}],
        years=1,
    )
    projection = run(doc)
    assert list(projection.by_source) == ["settlement", "general-fund", "cossup", "nc"]
    assert projection.by_source["settlement"] == (1000,)
    assert projection.line("a").by_source == {"settlement": (1000,)}
    data = projection_to_dict(projection)
    assert data["by_source"] == {
        "settlement": [1000],
        "general-fund": [0],
        "cossup": [0],
        "nc": [0],
    }
    assert data["settlement_by_strategy"] == {"A:10": [1000]}
    assert data["line_items"][0]["by_source"] == {"settlement": [1000]}


def test_a_line_wholly_paid_by_the_general_fund_costs_the_fund_nothing():
    doc = funded(
        line("gf", "40000", {"source": "general-fund", "share": "1"}, strategy=""),
        line("lead", "60000"),
        sources=[GENERAL],
        years=1,
    )
    projection = run(doc)
    assert projection.by_strategy == {"A:10": (60000,), "unassigned": (40000,)}
    assert projection.settlement_by_strategy == {"A:10": (60000,), "unassigned": (0,)}
    assert projection.fund.spending == (60000,)


# --------------------------------------------------------------------------- round trip


def test_funding_round_trips():
    doc = funded(
        line(
            "cm",
            "100000",
            {"source": "cossup", "share": "0.75"},
            {"source": "greenville", "amounts": {"FY2027-28": "20000"}},
        ),
        sources=[
            grant(start="2025-10-01", end="2028-09-30", award="1198628"),
            {
                "id": "greenville",
                "name": "City of Greenville (interlocal agreement)",
                "kind": "partner",
                "jurisdiction": "city-of-greenville",
            },
        ],
    )
    plan = parse(doc)
    exported = plan_to_dict(plan)
    assert exported["funding"]["sources"][0] == {
        "id": "cossup",
        "name": "BJA COSSUP award",
        "kind": "grant",
        "start": "2025-10-01",
        "end": "2028-09-30",
        "award": "1198628",
    }
    assert exported["funding"]["sources"][1]["jurisdiction"] == "city-of-greenville"
    assert exported["line_items"][0]["funded_by"] == [
        {"source": "cossup", "share": "0.75"},
        {"source": "greenville", "amounts": {"FY2027-28": "20000"}},
    ]
    again = parse_plan(as_json_document(exported), TABLES)
    assert again == plan
    assert plan_to_dict(again) == exported


def test_a_plan_without_funding_writes_none():
    exported = plan_to_dict(parse(document(line("a", "1000"))))
    assert "funding" not in exported
    assert "funded_by" not in exported["line_items"][0]


# --------------------------------------------------------------------------- errors


def problems(doc: dict) -> dict[str, str]:
    with pytest.raises(PlanError) as caught:
        parse_plan_text(json.dumps(doc), TABLES)
    return {p.path: p.message for p in caught.value.problems}


def test_source_errors_each_with_its_path():
    found = problems(
        funded(
            sources=[
                grant("dup"),
                grant("dup"),
                grant("settlement"),
                {"id": "p", "name": "Partner", "kind": "partner"},
                {"id": "g", "name": "General", "kind": "general_fund", "jurisdiction": "x"},
                grant("s1", start="2025-10-02"),
                grant("e1", end="2028-09-29"),
                grant("order", start="2028-10-01", end="2026-09-30"),
                grant("neg", award="-1"),
                grant("kind", kind="lottery"),
                {"id": "noname", "kind": "grant"},
                grant("old", start="1899-12-01"),
            ]
        )
    )
    assert set(found) == {
        "funding.sources[1].id",
        "funding.sources[2].id",
        "funding.sources[3].jurisdiction",
        "funding.sources[4].jurisdiction",
        "funding.sources[5].start",
        "funding.sources[6].end",
        "funding.sources[7].end",
        "funding.sources[8].award",
        "funding.sources[9].kind",
        "funding.sources[10].name",
        "funding.sources[11].start",
    }


def test_a_source_date_outside_1900_to_2100_is_a_limit_problem():
    with pytest.raises(PlanError) as caught:
        parse_plan_text(json.dumps(funded(sources=[grant(end="2101-06-30")])), TABLES)
    assert [(p.path, p.kind) for p in caught.value.problems] == [
        ("funding.sources[0].end", DATE_RANGE)
    ]


def test_funded_by_errors_each_with_its_path():
    sources = [grant(start="2026-10-01", end="2027-09-30"), GENERAL]
    found = problems(
        funded(
            line("unknown", "1", {"source": "nope", "share": "0.5"}),
            line("both", "1", {"source": "cossup", "share": "0.5", "amounts": {"2026": "1"}}),
            line("neither", "1", {"source": "cossup"}),
            line("neg", "1", {"source": "general-fund", "amounts": {"2026": "-5"}}),
            line("share", "1", {"source": "general-fund", "share": "1.5"}),
            line("outside-plan", "1", {"source": "general-fund", "amounts": {"2035": "5"}}),
            line(
                "outside-line",
                "1",
                {"source": "general-fund", "amounts": {"2028": "5"}},
                start_fy=2026,
                end_fy=2027,
            ),
            line("no-months", "1", {"source": "cossup", "amounts": {"FY2028-29": "5"}}),
            line(
                "twice",
                "1",
                {"source": "general-fund", "amounts": {"2026": "5", "FY2026-27": "6"}},
            ),
            line(
                "over-one",
                "1",
                {"source": "general-fund", "share": "0.6"},
                {"source": "general-fund", "share": "0.5"},
            ),
            line("not-a-list", "1", funded_by={"source": "cossup"}),
            line("bad-key", "1", {"source": "cossup", "share": "0.1", "note": "x"}),
            sources=sources,
        )
    )
    assert set(found) == {
        "line_items[0].funded_by[0].source",
        "line_items[1].funded_by[0]",
        "line_items[2].funded_by[0]",
        "line_items[3].funded_by[0].amounts.2026",
        "line_items[4].funded_by[0].share",
        "line_items[5].funded_by[0].amounts.2035",
        "line_items[6].funded_by[0].amounts.2028",
        "line_items[7].funded_by[0].amounts.FY2028-29",
        "line_items[8].funded_by[0].amounts.FY2026-27",
        "line_items[9].funded_by",
        "line_items[10].funded_by",
        "line_items[11].funded_by[0].note",
    }


def test_shares_over_one_only_where_the_months_overlap():
    # g1 to Dec 2026 and g2 from Nov 2026, both 100%: FY2026-27 has 6/12 + 8/12 > 1.
    found = problems(
        funded(
            line("x", "1", {"source": "g1", "share": "1"}, {"source": "g2", "share": "1"}),
            sources=[grant("g1", end="2026-12-31"), grant("g2", start="2026-11-01")],
        )
    )
    assert list(found) == ["line_items[0].funded_by"]
    assert "FY2026-27" in found["line_items[0].funded_by"]


def test_limits_on_sources_and_entries():
    many = {"schema": "lead-plan/1", "start_fy": 2026, "line_items": []}
    many["funding"] = {"sources": [grant(f"s{i}") for i in range(10_000)]}
    with pytest.raises(PlanError) as caught:
        parse_plan_text(json.dumps(many), TABLES)
    # Refused unread: one problem, the limit's, not 10,000 checks of each source.
    assert [(p.path, p.kind) for p in caught.value.problems] == [("funding.sources", TOO_MANY)]
    entries = [{"source": "cossup", "share": "0.01"}] * 11
    with pytest.raises(PlanError) as caught:
        parse_plan_text(json.dumps(funded(line("x", "1", *entries), sources=[grant()])), TABLES)
    assert [(p.path, p.kind) for p in caught.value.problems] == [
        ("line_items[0].funded_by", TOO_MANY)
    ]


def test_a_number_too_long_is_refused_before_arithmetic():
    found = problems(funded(sources=[grant(award="1" * 60)]))
    assert list(found) == ["funding.sources[0].award"]


# --------------------------------------------------------------------------- properties


@settings(max_examples=examples(100), deadline=None)
@given(doc=plan_documents(funding=True))
def test_settlement_and_every_source_add_up_to_each_line_in_every_fy(doc):
    plan = parse_plan(as_json_document(doc), TABLES)
    projection = project(plan)
    for line in projection.line_items:
        assert set(line.by_source) >= {"settlement"}
        for k in range(plan.years):
            paid = [values[k] for values in line.by_source.values()]
            assert all(v >= 0 for v in paid)
            assert sum(paid) == line.by_year[k]
    for k in range(plan.years):
        assert sum(v[k] for v in projection.by_source.values()) == projection.by_year[k]
        assert (
            sum(v[k] for v in projection.settlement_by_strategy.values())
            == projection.by_source["settlement"][k]
        )
    # The fund spends settlement money only (§6, §16).
    assert project_fund(plan, projection.by_source["settlement"]) == projection.fund
    # An award is never exceeded.
    for source in plan.funding:
        if source.award is not None:
            assert sum(projection.by_source[source.id]) <= source.award


@settings(max_examples=examples(60), deadline=None)
@given(doc=plan_documents())
def test_a_plan_without_funding_projects_as_before(doc):
    plan = parse_plan(as_json_document(doc), TABLES)
    projection = project(plan)
    assert projection.by_source == {"settlement": projection.by_year}
    assert projection.settlement_by_strategy == projection.by_strategy
    assert project_fund(plan, projection.by_year) == projection.fund
    for line in projection.line_items:
        assert line.by_source == {"settlement": line.by_year}


@settings(max_examples=examples(60), deadline=None)
@given(doc=plan_documents(funding=True))
def test_funding_changes_nothing_but_who_pays(doc):
    plan = parse_plan(as_json_document(doc), TABLES)
    bare = dict(doc)
    bare.pop("funding", None)
    bare["line_items"] = [
        {k: v for k, v in item.items() if k != "funded_by"} for item in doc["line_items"]
    ]
    with_funding, without = project(plan), project(parse_plan(as_json_document(bare), TABLES))
    assert with_funding.by_year == without.by_year
    assert with_funding.by_strategy == without.by_strategy
    assert with_funding.by_object_class == without.by_object_class
    assert [line.by_year for line in with_funding.line_items] == [
        line.by_year for line in without.line_items
    ]
    # Round trip of the funded plan.
    assert parse_plan(as_json_document(plan_to_dict(plan)), TABLES) == plan


def test_resolution_and_ordinance_appropriate_settlement_money_only():
    from planner.scenarios.summaries import project_ordinance, strategy_amounts

    # As in the October-to-September test: settlement 43,750 + 25,000 + 81,250 = 150,000 of
    # the program's 300,000; the grant's 150,000 is not the fund's to appropriate.
    doc = funded(
        line("cm", "100000", {"source": "cossup", "share": "0.75"}),
        sources=[grant(start="2026-10-01", end="2028-09-30")],
    )
    projection = run(doc)
    [amount] = strategy_amounts(projection, 2026, 2028)
    assert (amount.strategy, amount.amount, amount.line_ids) == ("A:10", 150000, ("cm",))
    ordinance = project_ordinance(projection, 2026, 2028)
    assert sum(a.amount for a in ordinance.appropriations) == 150000


def test_cli_project_and_check_carry_the_funding(tmp_path):
    from click.testing import CliRunner

    from planner.cli import main
    from tests.plans import EXAMPLES

    runner = CliRunner()
    path = str(EXAMPLES / "real" / "fayetteville-lead.json")
    out = runner.invoke(main, ["project", path, "--json"])
    assert out.exit_code == 0
    data = json.loads(out.output)
    assert data["by_source"]["settlement"] == [80600, 388700]
    assert data["settlement_by_strategy"] == {"A:10": [0, 267800], "A:3": [80600, 120900]}
    assert runner.invoke(main, ["project", path]).exit_code == 0
    checked = runner.invoke(main, ["check", path, "--json", "--as-of", "2025-12-01"])
    rules = {r["rule"]: r["status"] for r in json.loads(checked.output)["results"]}
    assert (rules["MOA-AUTHORIZATION"], rules["FUNDING-SOURCES"]) == ("pass", "pass")
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(funded(line("x", "1", {"source": "nope", "share": "1"}), sources=[])))
    refused = runner.invoke(main, ["project", str(bad)])
    assert refused.exit_code == 2
    assert "line_items[0].funded_by[0].source" in refused.output


def test_variance_compares_actual_with_planned_settlement_spending():
    # Planned: 100,000 a year, a grant pays 75% from Oct 1, 2026 (9 months of FY2026-27):
    # settlement 100,000 − 56,250 = 43,750 planned in FY2026-27. Actual A:10: 50,000.
    # Variance 50,000 − 43,750 = 6,250. The fund spends the actual 50,000 in the closed FY
    # and the planned settlement 25,000 (= 100,000 − 75,000) and 25,000 after.
    doc = funded(
        line("cm", "100000", {"source": "cossup", "share": "0.75"}),
        sources=[grant(start="2026-10-01")],
        actuals={"FY2026-27": {"receipts": "0", "interest": "0", "spending": {"A:10": "50000"}}},
    )
    projection = run(doc)
    block = projection.actuals
    assert block.planned_by_strategy == {"A:10": (43750,)}
    assert block.variance_by_strategy == {"A:10": (6250,)}
    assert projection.fund.spending == (50000, 25000, 25000)
    assert projection.by_source["settlement"] == (43750, 25000, 25000)
    # Exhibit E of the closed FY reports the settlement fund's money only: (3) the actual
    # 50,000, not the program's 100,000 (the grant's 56,250 is not settlement money).
    from planner.scenarios.exhibits import exhibit_e

    report = exhibit_e(parse(doc), projection, 2026, TABLES)
    assert report.spent == 50000
    assert report.ending_balance == projection.fund.closing[0]


def test_fit_judges_the_reserve_on_settlement_spending():
    from planner.scenarios.fit import fit, with_driver

    # Opening 300,000, no receipts or interest, a 2-month reserve; a grant pays half of the
    # line (annual amount A): it pays g = round_half_up(A / 2), the fund s = A − g, 3 FYs.
    # FY2028-29: closing 300,000 − 3s ≥ reserve round_half_up(s / 6):
    #   A = 189,473: g = round(94,736.5) = 94,737, s = 94,736, closing 15,792 ≥ 15,789
    #   A = 189,474: g = s = 94,737, closing 15,789 < 15,790 (94,737 / 6 = 15,789.5 -> 15,790)
    doc = funded(
        line("flat", "100000", {"source": "cossup", "share": "0.5"}),
        sources=[grant()],
        fund={"opening_balance": "300000", "interest_rate": "0", "receipts": {}},
    )
    plan = parse(doc)
    result = fit(plan, "line:flat")
    assert result.value == "189473"
    # total_at_value is the program's whole cost (totals.total), not the fund's part.
    assert result.total_at_value == 3 * 189473
    at = project(with_driver(plan, "flat", "annual_amount", Decimal(189473)))
    assert at.fund.closing[-1] == 15792
    assert at.total == result.total_at_value
