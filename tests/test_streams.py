"""Settlement streams (cost model §18) and the estimates by stream (§14): hand-computed
cases with the arithmetic written out, every error path, and the estimate labels of every
government's starting plan."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner.cost_tables import default_cost_tables
from planner.scenarios import PlanError, parse_plan, project
from planner.scenarios.parse import plan_to_dict
from planner.scenarios.projection import projection_to_dict
from planner.scenarios.receipts import (
    estimate_rows,
    receipts_basis,
    stream_estimates,
    stream_estimates_from_total,
    stream_totals,
)
from planner.scenarios.starting import starting_plan
from planner.scenarios.uncertainty import substitute
from planner.scenarios.vectorized import evaluate
from tests.strategies import plan_documents

TABLES = default_cost_tables()


def doc(fund: dict, *, start_fy: int = 2026, years: int = 2, **extra) -> dict:
    return {
        "schema": "lead-plan/1",
        "start_fy": start_fy,
        "years": years,
        "fund": {"interest_rate": "0", **fund},
        "line_items": [{"id": "x", "kind": "other", "annual_amount": "100", "escalate": False}],
        **extra,
    }


def parse(document: dict):
    return parse_plan(document, TABLES)


def problems(document: dict) -> dict[str, str]:
    with pytest.raises(PlanError) as caught:
        parse(document)
    return {p.path: p.kind for p in caught.value.problems}


STREAMED = {
    "opening_balance": "1000",
    "receipts_by_stream": {
        "wave-one": {"FY2026-27": "100.5", "2027": "10.4", "FY2030-31": "7"},
        "purdue-sackler": {"FY2026-27": "0.5", "FY2025-26": "3"},
    },
}


# ------------------------------------------------------------------------ the engine


def test_receipts_of_a_fy_are_the_sum_of_each_streams_rounded_amount():
    plan = parse(doc(STREAMED))
    # FY2026-27: round(100.5) + round(0.5) = 101 + 1 = 102 (not round(101.0) = 101)
    # FY2027-28: round(10.4) = 10
    out = projection_to_dict(project(plan))["fund"]
    assert out["receipts"] == [102, 10]
    assert out["receipts_by_stream"] == {"wave-one": [101, 10], "purdue-sackler": [1, 0]}
    # outside the plan, by stream
    assert out["receipts_outside_plan"] == {
        "wave-one": {"FY2030-31": 7},
        "purdue-sackler": {"FY2025-26": 3},
    }
    # begin 1000; + 102 receipts - 100 spending = 1002; + 10 - 100 = 912 (interest 0)
    assert out["closing"] == [1002, 912]


def test_a_plan_without_streams_projects_exactly_as_before():
    plan = parse(doc({"opening_balance": "1000", "receipts": {"2026": "100.5", "2030": "7"}}))
    out = projection_to_dict(project(plan))["fund"]
    assert out["receipts"] == [101, 0]
    assert out["receipts_outside_plan"] == {"FY2030-31": 7}
    assert "receipts_by_stream" not in out


def test_streams_round_trip_through_the_export():
    plan = parse(doc(STREAMED))
    exported = plan_to_dict(plan)
    assert "receipts" not in exported["fund"]
    assert exported["fund"]["receipts_by_stream"]["wave-one"] == {
        "FY2026-27": "100.5",
        "FY2027-28": "10.4",
        "FY2030-31": "7",
    }
    again = parse(json.loads(json.dumps(exported)))
    assert again == plan
    assert plan_to_dict(again) == exported


def test_an_unstated_opening_balance_is_zero_and_exported_as_not_given():
    plan = parse(doc({"receipts": {}}))
    assert plan.fund.opening_balance == 0
    assert not plan.fund.opening_balance_given
    assert plan_to_dict(plan)["fund"]["opening_balance"] is None
    assert parse(plan_to_dict(plan)) == plan
    assert parse(doc({"opening_balance": "0"})).fund.opening_balance_given


def test_a_closed_fy_uses_the_actual_receipts_for_the_sum():
    actuals = {
        "FY2026-27": {"receipts": "5000", "interest": "0", "spending": {"unassigned": "100"}}
    }
    plan = parse(doc(STREAMED, actuals=actuals))
    fund = projection_to_dict(project(plan))["fund"]
    # FY2026-27 closed: receipts 5,000 (actual), not 102; the streams keep what was planned
    assert fund["receipts"] == [5000, 10]
    assert fund["receipts_by_stream"]["wave-one"] == [101, 10]
    # 1000 + 5000 - 100 = 5900; + 10 - 100 = 5810
    assert fund["closing"] == [5900, 5810]


def test_the_receipts_multiplier_applies_to_each_stream_then_sums():
    plan = parse(doc(STREAMED))
    drawn = substitute(plan, {"receipts": Decimal("1.5")})
    # FY2026-27: wave-one 101 × 1.5 = 151.5 -> 152; purdue 1 × 1.5 = 1.5 -> 2; sum 154
    #   (the sum first would give 102 × 1.5 = 153)
    # FY2027-28: 10 × 1.5 = 15; outside the plan (FY2030-31, FY2025-26) unchanged
    assert project(drawn).fund.receipts == (154, 15)
    streams = dict(drawn.fund.receipts_by_stream)
    assert dict(streams["wave-one"])[2030] == Decimal(7)
    assert dict(streams["purdue-sackler"])[2025] == Decimal(3)
    # the simulation's float path agrees to the dollar: closing 1000 + 154 - 100 = 1054,
    # 1054 + 15 - 100 = 969
    import numpy as np

    outcome = evaluate(plan, {"receipts": np.array([1.5])}, 1)
    assert outcome.closing.tolist() == [[1054, 969]]


def test_a_closed_fy_is_not_scaled():
    actuals = {"FY2026-27": {"receipts": "5000", "interest": "0", "spending": {}}}
    plan = parse(doc(STREAMED, actuals=actuals))
    drawn = substitute(plan, {"receipts": Decimal(2)})
    # only FY2027-28 is open: 10 × 2 = 20; FY2026-27's streams stay (the actual stands)
    assert dict(dict(drawn.fund.receipts_by_stream)["wave-one"])[2026] == Decimal("100.5")
    assert project(drawn).fund.receipts == (5000, 20)


# ------------------------------------------------------------------------ errors


def test_receipts_and_streams_together_are_an_error():
    found = problems(doc({"receipts": {"2026": "1"}, "receipts_by_stream": {"wave-one": {}}}))
    assert "fund.receipts_by_stream" in found


def test_an_unknown_stream_is_an_error_with_its_path():
    found = problems(doc({"receipts_by_stream": {"wave-three": {"2026": "1"}}}))
    assert "fund.receipts_by_stream.wave-three" in found


def test_bad_entries_in_a_stream_have_their_paths():
    found = problems(
        doc({"receipts_by_stream": {"kroger": {"FY2027": "1", "2026": "-5", "FY2026-27": "2"}}})
    )
    assert "fund.receipts_by_stream.kroger.FY2027" in found  # not a FY label
    assert "fund.receipts_by_stream.kroger.2026" in found  # negative
    assert "fund.receipts_by_stream.kroger.FY2026-27" in found  # the same FY twice
    assert "fund.receipts_by_stream.wave-one" in problems(
        doc({"receipts_by_stream": {"wave-one": 5}})
    )


def test_the_receipt_limit_counts_every_entry_of_every_stream():
    limit = TABLES.limits.receipts_max  # 200
    half = limit // 2 + 1  # 101 + 101 = 202 > 200, each stream under the limit alone
    entries = {str(fy): "1" for fy in range(2000, 2000 + half)}
    found = problems(doc({"receipts_by_stream": {"wave-one": entries, "wave-two": entries}}))
    assert found == {"fund.receipts_by_stream": "too_many"}
    # exactly at the limit is fine
    at = {str(fy): "1" for fy in range(2000, 2000 + limit // 2)}
    assert parse(doc({"receipts_by_stream": {"wave-one": at, "wave-two": at}}))


# ------------------------------------------------------------------------ data and estimates


def test_every_stream_and_share_names_its_source_and_year():
    assert TABLES.stream_slugs[:5] == (
        "wave-one",
        "wave-two",
        "kroger",
        "purdue-sackler",
        "secondary-manufacturers",
    )
    for stream in TABLES.streams:
        assert stream.source_url.startswith("http")
        assert 2021 <= stream.year <= 2026
        assert stream.not_known
        if stream.local_total is not None:
            assert sum(f for _, f in stream.shape) == 1
            assert stream.shape_basis
            assert stream.shape_source_url.startswith("http")
    purdue = TABLES.stream("purdue-sackler")
    assert purdue.local_total == Decimal(145_400_000) * Decimal("0.85")
    assert (purdue.shape[0][0], purdue.shape[-1][0]) == (2026, 2040)  # 2026-2041
    assert TABLES.stream("wave-one").shape[-1][0] == 2038  # through FY2038-39
    assert dict(TABLES.stream("wave-one").shape)[2022] == Decimal("0.084492")
    summer = next(r for r in TABLES.payment_shape if r.fy == 2022)
    assert summer.fraction == Decimal("0.084492")
    for share in TABLES.shares:
        assert share.source_url.startswith("http")
        assert share.year >= 2021
        assert share.scope in TABLES.share_pools


@pytest.mark.parametrize(
    "slug",
    [
        "lee-county",
        "mcdowell-county",
        "moore-county",
        "cleveland-county",
        "stanly-county",
        "wilson-county",
        "lincoln-county",
        "johnston-county",
        "watauga-county",
        "edgecombe-county",
    ],
)
def test_the_ten_governments_found_since_have_estimates(slug):
    assert stream_estimates(TABLES, slug) is not None
    row = next(r for r in TABLES.receipt_totals if r.slug == slug)
    assert row.total is not None
    assert row.source_url.startswith("http")


def test_randolph_is_corrected_to_its_wave_one_total():
    row = next(r for r in TABLES.receipt_totals if r.slug == "randolph-county")
    # 9,824,046 × 12,296,286 / 6,799,780 = 17,765,174.7… -> 17,765,175 (was 15,913,356)
    assert row.total == 17_765_175
    assert round((17_765_175 / 15_913_356 - 1) * 100, 1) == 11.6


def test_wake_estimates_by_stream_by_hand():
    est = stream_estimates(TABLES, "wake-county")
    # share = Wave One 31,582,448 / 644,000,000 = 4.9041% (4 places)
    assert est.percent == "4.9041"
    wave_one = est.stream("wave-one")
    # 644,000,000 × 31,582,448 / 644,000,000 = 31,582,448 × 0.045703 (FY2027-28)
    #   = 1,443,412.62… -> 1,443,413
    assert {y.fy: y.amount for y in wave_one.years}[2027] == 1_443_413
    purdue = est.stream("purdue-sackler")
    # 123,590,000 × 0.324324 = 40,083,203.16; × 31,582,448 / 644,000,000 (FY2026-27)
    #   = 1,965,723.10… -> 1,965,723
    assert {y.fy: y.amount for y in purdue.years}[2026] == 1_965_723
    # the FYs before FY2027-28 are what was already received
    rows = estimate_rows(est, 2027, 2044)
    assert [r.label for r in rows if r.received][:2] == ["FY2021-22", "FY2022-23"]
    assert est.received_before(2027) == sum(r.total for r in rows if r.received)


def test_a_core_nc_total_entered_gives_a_share_of_every_stream():
    # 11,646,… all-settlement pool = 644,000,000 × 12,296,286 / 6,799,780; Orange's own
    # total entered gives Orange's Wave One share exactly: 6,799,780 × 0.045703
    est = stream_estimates_from_total(TABLES, "orange-county", "Orange County", 12_296_286)
    assert {y.fy: y.amount for y in est.stream("wave-one").years}[2027] == 310_770
    assert est.entered
    assert "you entered" in est.note


def test_stream_totals_over_a_period_name_their_estimates():
    plan = parse_plan(starting_plan(TABLES, "wake-county", start_fy=2027).document, TABLES)
    projection = project(plan)
    basis = receipts_basis(TABLES, plan)
    totals = stream_totals(TABLES, projection, basis, 2027, 2028)
    assert all(t.estimate for t in totals)
    assert sum(t.amount for t in totals) == sum(projection.fund.receipts[:2])


# ------------------------------------------------------------------------ documents


def _receipts_text(slug: str) -> str:
    """The summary's receipts paragraph of the budget justification, rendered from the real
    template with the document's `receipts_basis` (no projection needed: it only prints the
    in-plan receipts' sum)."""
    from types import SimpleNamespace

    from planner.reports.templates import render

    plan = parse_plan(starting_plan(TABLES, slug, start_fy=2027).document, TABLES)
    in_plan = sum(a for fy, a in plan.fund.receipts if plan.start_fy <= fy <= plan.end_fy)
    return render(
        "report/_receipts_basis.html",
        doc=SimpleNamespace(receipts_basis=receipts_basis(TABLES, plan)),
        p=SimpleNamespace(fund=SimpleNamespace(receipts_by_stream=plan.fund.receipts_by_stream)),
        f=SimpleNamespace(receipts=in_plan),
    )


def test_the_document_carries_the_receipts_basis():
    from planner.reports.context import plan_document

    plan = parse_plan(starting_plan(TABLES, "lee-county", start_fy=2027).document, TABLES)
    document = plan_document(plan, prepared_on=dt.date(2026, 12, 7))
    assert document.receipts_basis == receipts_basis(TABLES, plan)
    assert document.receipts_basis.any_estimate


def test_every_starting_plan_knows_which_receipts_are_estimates():
    """All 117 governments (the ten found since among them): what the documents print from,
    without rendering (the rendered check of every one is the slow test below)."""
    labelled = 0
    for place in TABLES.jurisdictions:
        plan = parse_plan(starting_plan(TABLES, place.slug, start_fy=2027).document, TABLES)
        basis = receipts_basis(TABLES, plan)
        assert not basis.opening_given, place.slug
        estimated = stream_estimates(TABLES, place.slug) is not None
        assert basis.any_estimate == estimated, place.slug
        if estimated:
            # every in-plan receipt is an estimate, with its sources
            in_plan = sum(a for fy, a in plan.fund.receipts if fy >= 2027)
            assert basis.estimated_total == in_plan
            assert "not CORE-NC figures" in basis.note
            assert basis.sources
            assert all(url.startswith("http") for _, url in basis.sources)
            labelled += 1
    assert labelled == len(TABLES.shares) == 57


@pytest.mark.slow
def test_every_starting_plans_document_labels_its_estimates():
    """The summary of each of the 117 budget justifications says the receipts are
    estimates with their basis whenever the plan holds any, and that the opening balance
    was not entered."""
    for place in TABLES.jurisdictions:
        text = _receipts_text(place.slug)
        assert 'id="opening-not-given"' in text, place.slug
        estimated = stream_estimates(TABLES, place.slug) is not None
        assert ('id="receipts-estimates"' in text) == estimated, place.slug
        if estimated:
            assert "not CORE-NC figures" in text


@pytest.mark.slow
def test_wake_starting_plan_pdf_says_estimate():
    import subprocess

    from planner.reports.context import plan_document
    from planner.reports.render import plan_report_pdf

    plan = parse_plan(starting_plan(TABLES, "wake-county", start_fy=2027).document, TABLES)
    pdf = plan_report_pdf(plan_document(plan, prepared_on=dt.date(2026, 12, 7)))
    text = subprocess.run(
        ["/usr/bin/pdftotext", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    assert "The receipts are estimates" in text
    assert "The opening balance was not entered" in text
    assert "Receipts by settlement" in text


# ------------------------------------------------------------------------ the receipts CSV


def test_a_receipts_csv_by_stream():
    from planner.services.receipts import read_receipts_csv

    text = (
        "stream,fiscal_year,amount\n"
        "purdue-sackler,FY2027-28,409529\n"
        "wave-one,2027-28,1443413.50\n"
        "wave-one,FY2028-29,2032141\n"
    )
    parsed = read_receipts_csv(text, by_stream=True)
    assert parsed.problems == ()
    # in the tables' order of streams, then by FY
    assert [(r.stream, r.fiscal_year) for r in parsed.rows] == [
        ("wave-one", 2027),
        ("wave-one", 2028),
        ("purdue-sackler", 2027),
    ]
    assert parsed.as_streams() == {
        "wave-one": {"FY2027-28": "1443413.50", "FY2028-29": "2032141"},
        "purdue-sackler": {"FY2027-28": "409529"},
    }
    bad = read_receipts_csv(
        "wave-three,FY2027-28,1\nwave-one,FY2027-28,1\nwave-one,2027,2\nkroger,FY2027-28\n",
        by_stream=True,
    )
    assert [p.split(":")[0] for p in bad.problems] == ["line 1", "line 3", "line 4"]
    # a plan by FY reads two columns, as before
    assert read_receipts_csv("wave-one,FY2027-28,1").problems[0].startswith("line 1: expected 2")


# ------------------------------------------------------------------------ properties


@given(document=plan_documents(), m=st.decimals("0", "3", places=2))
def test_a_plan_by_stream_is_the_plan_of_its_rounded_sums(document, m):
    """A plan by stream projects as the plan whose receipts are each FY's sum of the
    streams' rounded amounts; scaled by m, each stream's product is rounded, then summed."""
    streams = document["fund"].get("receipts_by_stream")
    if not streams:
        return
    plan = parse(document)
    sums: dict[int, int] = {}
    for amounts in streams.values():
        for fy, amount in amounts.items():
            whole = int(Decimal(amount).quantize(Decimal(1), rounding="ROUND_HALF_UP"))
            sums[int(fy)] = sums.get(int(fy), 0) + whole
    plain = {**document, "fund": {**document["fund"]}}
    del plain["fund"]["receipts_by_stream"]
    plain["fund"]["receipts"] = {str(fy): str(v) for fy, v in sums.items()}
    by_stream, by_fy = project(plan).fund, project(parse(plain)).fund
    assert (by_stream.receipts, by_stream.closing) == (by_fy.receipts, by_fy.closing)
    assert by_stream.receipts_outside_plan == by_fy.receipts_outside_plan
    for k in range(plan.years):
        assert by_stream.receipts[k] == sum(v[k] for v in by_stream.receipts_by_stream.values())
    scaled = project(substitute(plan, {"receipts": m})).fund.receipts
    for k, fy in enumerate(plan.fiscal_years):
        expected = 0
        for amounts in streams.values():
            if str(fy) in amounts:
                whole = Decimal(amounts[str(fy)]).quantize(Decimal(1), rounding="ROUND_HALF_UP")
                expected += int((whole * m).quantize(Decimal(1), rounding="ROUND_HALF_UP"))
        assert scaled[k] == expected
