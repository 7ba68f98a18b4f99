"""The documents read as their readers read them: the budget justification's pages (text and
geometry: no figure cut or overprinted, nothing smaller than 7.5 pt, nothing past the
margins), the executive summary's sentences on a deficit plan, the comparison's headers on
four long-named plans, the resolution and the project ordinance paragraph by paragraph, and
the CSV summed and opened as a spreadsheet would."""

from __future__ import annotations

import copy
import csv
import dataclasses
import datetime as dt
import functools
import io
import json
import re
from decimal import Decimal

import docx
import pdfplumber
import pytest

from planner.cost_tables import default_cost_tables
from planner.reports.context import plan_document, strategy_titles
from planner.reports.ordinance import ordinance_docx
from planner.reports.render import plan_report_pdf
from planner.reports.resolution import MOA_TITLE, governing_body, resolution_docx
from planner.reports.tabular import projection_csv, safe_text
from planner.reports.templates import pdf_bytes
from planner.scenarios import project
from planner.scenarios.comparison import compare
from planner.scenarios.compliance import check_plan
from planner.scenarios.summaries import (
    basis_groups,
    by_severity,
    default_period,
    executive_summary,
    fy_blocks,
    project_ordinance,
)
from tests.plans import EXAMPLES, example, parse

# Rendering and measuring PDFs takes seconds each: `make test` runs these, `make test-fast` not.
# One xdist group: the demo PDF (a module fixture) is rendered and read once, not per worker.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("documents")]

PREPARED = dt.date(2026, 11, 28)
MIN_POINTS = 7.45  # 7.5 pt, less PDF rounding


def demo_data() -> dict:
    return json.loads((EXAMPLES / "demo-orange-county.json").read_text())


def doc_of(data: dict, jurisdiction: str | None = None):
    return plan_document(parse(data), prepared_on=PREPARED, jurisdiction=jurisdiction)


# ----------------------------------------------------------------------------- geometry


def _lines(chars):
    """Characters grouped by baseline (same `top` within 1 pt), each sorted by x."""
    rows: dict[int, list] = {}
    for ch in chars:
        if ch["text"].strip():
            rows.setdefault(round(ch["top"]), []).append(ch)
    return [sorted(row, key=lambda c: c["x0"]) for row in rows.values()]


def _unrotated(obj) -> bool:
    return obj["object_type"] != "char" or (
        abs(obj["matrix"][1]) < 1e-6 and abs(obj["matrix"][2]) < 1e-6
    )


def layout_problems(pdf: bytes) -> list[str]:
    """Every character inside the page's margins, none printed over another on its line (a
    figure cut by its cell would overprint the next cell's), none below 7.5 pt."""
    return list(_read_pdf(pdf)[0])


def page_texts(pdf: bytes) -> list[str]:
    return list(_read_pdf(pdf)[1])


@functools.lru_cache(maxsize=8)
def _read_pdf(pdf: bytes) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A PDF's layout problems and its pages' text, read in one pass: pdfplumber lays each page
    out once for both (the slow part), and a PDF asked about again is not read again."""
    problems = []
    texts = []
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        for number, page in enumerate(document.pages, 1):
            width = float(page.width)
            # rotated chart labels (the FYs under a chart) have no line to overprint
            chars = [ch for ch in page.chars if _unrotated(ch)]
            for ch in chars:
                if ch["x0"] < 30 or ch["x1"] > width - 30:
                    problems.append(f"p{number}: {ch['text']!r} outside the margins")
                if ch["size"] < MIN_POINTS and ch["text"].strip():
                    problems.append(f"p{number}: {ch['text']!r} at {ch['size']:.2f} pt")
            for row in _lines(chars):
                for left, right in zip(row, row[1:], strict=False):
                    if left["x1"] - right["x0"] > 0.8 and abs(left["top"] - right["top"]) < 1:
                        problems.append(
                            f"p{number}: {left['text']!r} over {right['text']!r} "
                            f"at x={right['x0']:.1f}"
                        )
            texts.append(page.extract_text() or "")
    return tuple(problems), tuple(texts)


def deficit_data() -> dict:
    """The demo with a large county's naloxone budget: 8-digit spending and deficits."""
    data = demo_data()
    for line in data["line_items"]:
        if line["id"] == "naloxone":
            line["annual_amount"] = "9500000"
    return data


@pytest.fixture(scope="module")
def demo_pdf() -> bytes:
    return plan_report_pdf(doc_of(demo_data(), "Orange County"))


def test_the_demo_pdf_cuts_no_figure_and_prints_nothing_below_7_5_points(demo_pdf):
    assert layout_problems(demo_pdf) == []


def test_a_large_county_plan_prints_every_deficit_whole():
    doc = doc_of(deficit_data(), "Orange County")
    pdf = plan_report_pdf(doc)
    assert layout_problems(pdf) == []
    closing = doc.projection.fund.closing
    assert min(closing) < -100_000_000  # 9-digit deficits, in parentheses
    text = "\n".join(page_texts(pdf))
    for value in closing:
        shown = f"{abs(value):,}"
        assert (f"({shown})" if value < 0 else shown) in text


def test_a_40_year_plan_is_split_into_blocks_of_fys():
    data = demo_data()
    data["years"] = 40
    doc = doc_of(data)
    assert [len(b) for b in fy_blocks(doc.projection.fiscal_years)] == [8, 8, 8, 8, 8]
    pdf = plan_report_pdf(doc)
    assert layout_problems(pdf) == []
    text = "\n".join(page_texts(pdf))
    # every FY of the fund grid is printed with its whole closing balance
    for value in doc.projection.fund.closing:
        shown = f"{abs(value):,}"
        assert (f"({shown})" if value < 0 else shown) in text
    assert "part 5 of 5" in text


def test_fy_blocks_are_even_and_cover_every_year():
    # 18 FYs: 9 + 9; 13: 7 + 6; 9: one block; 40: five of 8
    assert [len(b) for b in fy_blocks(tuple(range(18)))] == [9, 9]
    assert [len(b) for b in fy_blocks(tuple(range(13)))] == [7, 6]
    assert [len(b) for b in fy_blocks(tuple(range(9)))] == [9]
    for n in range(1, 41):
        blocks = fy_blocks(tuple(range(n)))
        assert [k for b in blocks for k in b] == list(range(n))
        assert max(len(b) for b in blocks) <= 9


def test_a_long_unbroken_justification_stays_on_the_page():
    data = demo_data()
    data["line_items"][0]["justification"] = "https://example.org/" + "x" * 3000
    assert layout_problems(plan_report_pdf(doc_of(data))) == []


# ----------------------------------------------------------------------------- the summary


def test_the_summary_says_in_words_when_the_fund_runs_out(demo_pdf):
    plan = example("demo-orange-county.json")
    projection = project(plan)
    results = check_plan(plan, projection, default_cost_tables(), PREPARED)
    e = executive_summary(plan, projection, results, default_period(plan, projection, PREPARED))
    # the fund: last receipt FY2038-39, first closing below $0 in FY2042-43, four years on
    assert e.fund.last_receipt_fy == 2038
    assert e.fund.first_deficit_fy == 2042
    assert e.fund.years_short_after_last_receipt == 4
    assert e.fund.largest_shortfall == -min(projection.fund.closing) == 2_166_117
    assert [r.rule for r in e.fails] == ["MOA-FUND-BALANCE"]
    # FY2026-27 is authorized for both strategies: the board is asked for FY2027-28 on
    assert (e.adopt_first_fy, e.adopt_last_fy) == (2027, 2031)
    assert e.adopt_total == sum(projection.by_year[1:6])
    summary = re.sub(r"\s+", " ", " ".join(page_texts(demo_pdf)[1:3]))
    assert "Executive summary" in summary
    assert (
        "The fund runs out in FY2042-43, four years after the last receipt (FY2038-39)" in summary
    )
    # What would fix it: each FY's shortfall cut by that FY, the largest by the last.
    # Closing balances FY2042-43 −$1,033,689 and FY2043-44 −$2,166,117: $2,166,117 less
    # spending by FY2043-44, $1,033,689 of it by FY2042-43 (a Wilkes County run: the whole
    # largest shortfall "by" the first deficit FY was more than the plan spent by then).
    assert e.fund.first_shortfall == -projection.fund.closing[-2] == 1_033_689
    assert e.fund.fix_by_fy == 2043
    assert (
        "$2,166,117 less spending in all by FY2043-44, at least each FY's shortfall by that FY "
        "($1,033,689 by FY2042-43)"
    ) in summary
    assert "FAIL MOA-FUND-BALANCE" in summary
    assert "for FY2027-28 to FY2031-32, $3,527,388 in all" in summary
    assert e.adopt_total == 3_527_388
    assert "Bar chart of the closing fund balance" in summary  # the chart is on these pages


def test_the_summary_of_a_plan_whose_fund_lasts():
    plan = example("all-rules-pass.json")
    projection = project(plan)
    e = executive_summary(plan, projection, (), (plan.start_fy, plan.start_fy))
    assert e.fund.lasts
    assert e.fund.largest_shortfall == 0
    assert e.fund.lowest_balance == min(projection.fund.closing) >= 0


def test_a_plan_without_a_jurisdiction_reads_correctly():
    pdf = plan_report_pdf(doc_of(json.loads((EXAMPLES / "minimal.json").read_text())))
    texts = page_texts(pdf)
    body = re.sub(r"\s+", " ", " ".join(texts))
    assert "The plan spends $" in body
    assert " plans $" not in body
    assert not any(line.lstrip().startswith("·") for t in texts for line in t.splitlines())


def test_the_checklist_is_in_order_of_severity_and_sustainability_cannot_read_as_a_pass():
    plan = example("demo-orange-county.json")
    projection = project(plan)
    results = check_plan(plan, projection, default_cost_tables(), PREPARED)
    ordered = by_severity(results)
    ranks = [("fail", "warn", "info", "pass").index(r.status) for r in ordered]
    assert ranks == sorted(ranks)
    sustainability = next(r for r in results if r.rule == "PLAN-SUSTAINABILITY")
    assert sustainability.status == "pass"  # the rule's measure (runway) passes …
    assert "does not last" in sustainability.message  # … and says the fund itself fails
    assert "FY2042-43" in sustainability.message


def test_sf424a_rows_are_lettered_and_foot(demo_pdf):
    doc = doc_of(demo_data(), "Orange County")
    p = doc.projection
    text = re.sub(r"\s+", " ", "\n".join(page_texts(demo_pdf)))
    for row in (
        "a. Personnel",
        "b. Fringe Benefits",
        "h. Other",
        "i. Total Direct Charges",
        "j. Indirect Charges",
        "k. Totals",
    ):
        assert row in text
    direct = sum(v for c, v in p.object_class_totals.items() if c != "indirect")
    assert direct + p.object_class_totals["indirect"] == p.total
    assert f"${direct:,}" in text
    assert "A:10 Criminal justice diversion programs" in text
    assert "Object classes by budget period (FY)" in text


def test_the_basis_of_estimate_groups_years_and_summarises_zero_lines(demo_pdf):
    doc = doc_of(demo_data())
    p = doc.projection
    for line in p.line_items:
        groups = basis_groups(line, p.fiscal_years)
        assert sum(g.total for g in groups) == line.total
        assert [fy for g in groups for fy in range(g.first_fy, g.last_fy + 1)] == list(
            p.fiscal_years
        )
    # the program manager's 18 FYs are one formula, escalated: one row
    assert len(basis_groups(p.line("program-manager"), p.fiscal_years)) == 1
    text = "\n".join(page_texts(demo_pdf))
    assert text.count("food: assessed adequate, no cost") == 1
    assert "Lines with no cost" in text
    assert text.index("Line items, year by year") < text.index("Basis of estimate\n")


def test_assumptions_are_in_words_with_public_sources(demo_pdf):
    text = re.sub(r"\s+", " ", " ".join(page_texts(demo_pdf)[-4:]))
    assert "Assumptions and sources" in text
    for internal in (
        "assumptions.salary_escalation",
        "warm_handoff.on_call",
        "Cost model spec",
        "lead_costs.md",
        "compliance_rules.md",
    ):
        assert internal not in text
    from planner.reports.words import format_input, input_label

    assert input_label("warm_handoff.on_call.stipend_per_hour") == (
        "Warm hand-off (on call): On-call stipend per hour ($)"
    )
    assert format_input("assumptions.salary_escalation", Decimal("0.03")) == "3%"
    assert format_input("salary.program_manager", Decimal("82063.80")) == "$82,063.80"
    assert "Warm hand-off (on call):" in text
    assert "Salary escalation a year" in text
    assert "BLS OEWS May 2023" in text
    assert "82063.80" not in text


# ----------------------------------------------------------------------------- comparison


def _compared(count: int):
    tables = default_cost_tables()
    base = example("demo-orange-county.json")
    names = [
        "Baseline LEAD plan for Orange County, as presented to the Board in November",
        "Expanded: 24/7 contracted crisis van and smaller caseloads for every manager",
        "Reduced: no bridge housing beds and slower salary growth in every later year",
        "Alternative: a collaborative Option B plan shared with neighbouring towns",
    ]
    plans = [base]
    cm = base.line("case-managers")
    for caseload, escalation, dropped in (
        (15, "0.035", "evaluation-travel"),
        (20, "0.02", "housing-gap"),
        (18, "0.035", "naloxone"),
    )[: count - 1]:
        line = dataclasses.replace(
            cm, params=dataclasses.replace(cm.params, caseload_average=Decimal(caseload))
        )
        plans.append(
            dataclasses.replace(
                base,
                line_items=tuple(
                    line if i.id == "case-managers" else i
                    for i in base.line_items
                    if i.id != dropped
                ),
                assumptions=dataclasses.replace(
                    base.assumptions, salary_escalation=Decimal(escalation)
                ),
            )
        )
    entries = []
    for name, plan in zip(names, plans, strict=False):
        projection = project(plan)
        entries.append((name, plan, projection, check_plan(plan, projection, tables, PREPARED)))
    return compare(entries)


def test_the_comparison_names_the_inputs_that_differ_and_the_money_they_move():
    cmp = _compared(2)
    groups = {g.label: g for g in cmp.inputs}
    assert set(groups) == {
        "Assumptions",
        "LEAD case managers",
        "Peer-site visits and LEAD convening",
    }
    caseload = groups["LEAD case managers"].changes
    assert [(c.path, c.values) for c in caseload] == [
        ("line_items.case-managers.caseload_average", (Decimal(20), Decimal(15)))
    ]
    from planner.reports.words import change_label, change_value

    escalation = groups["Assumptions"].changes[0]
    assert change_label(escalation) == "Salary escalation a year"
    assert [change_value(escalation, v) for v in escalation.values] == ["3%", "3.5%"]
    # the money a group moves = the first plan recomputed with only that group changed
    base, other = cmp.plans
    swapped = dataclasses.replace(
        base.plan,
        line_items=tuple(
            other.plan.line("case-managers") if i.id == "case-managers" else i
            for i in base.plan.line_items
        ),
    )
    assert groups["LEAD case managers"].spending_moved == (
        0,
        project(swapped).total - base.projection.total,
    )
    assert groups["Peer-site visits and LEAD convening"].spending_moved == (0, -134_318)
    # both plans fail MOA-FUND-BALANCE: named as shared
    assert [r.rule for r in cmp.shared_failures] == ["MOA-FUND-BALANCE"]
    # a lower closing balance is worse for the fund, whatever its sign
    closing = next(r for r in cmp.headline if r.key == "closing")
    assert closing.values[1] < closing.values[0]
    assert closing.verdicts == ("same", "worse")
    deleted = next(line for line in cmp.lines if line.line_id == "evaluation-travel")
    assert deleted.deltas == (0, -134_318)


def test_four_long_plan_names_never_overprint_in_the_comparison_pdf():
    from planner.web.reports import compare_html

    cmp = _compared(4)
    titles = strategy_titles([r.label for r in cmp.by_strategy], default_cost_tables())
    html = compare_html(cmp, titles, "Orange County", PREPARED)
    pdf = pdf_bytes(html, title="Comparison", author="Orange County")
    assert layout_problems(pdf) == []
    text = re.sub(r"\s+", " ", " ".join(page_texts(pdf)))
    assert "worse for the fund" in text
    assert "Why they differ: the inputs that differ" in text
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        # the words of the first page (headers of the first table among them), rotated chart
        # labels left out
        words = document.pages[0].filter(_unrotated).extract_words()
    # each plan name's words stay inside the page, and no two header words collide
    boxes = [(w["x0"], w["x1"], w["top"], w["bottom"]) for w in words]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            overlap_x = min(a[1], b[1]) - max(a[0], b[0])
            overlap_y = min(a[3], b[3]) - max(a[2], b[2])
            assert overlap_x <= 0.5 or overlap_y <= 0.5


# ----------------------------------------------------------------------------- Word drafts


def paragraphs(body: bytes) -> list[str]:
    return [p.text for p in docx.Document(io.BytesIO(body)).paragraphs]


def adoptable(texts: list[str]) -> str:
    """The text up to the clerk's note: what the board would adopt."""
    end = next(i for i, t in enumerate(texts) if t.startswith("Notes for the clerk"))
    return "\n".join(texts[:end])


def test_the_resolution_reads_as_an_nc_resolution():
    doc = doc_of(demo_data(), "Orange County")
    assert doc.period == (2027, 2031)  # FY2026-27 is already authorized
    texts = paragraphs(resolution_docx(doc))
    body = adoptable(texts)
    assert MOA_TITLE in body
    assert "Proposed Settlements" not in body
    assert "deposited them in a separate special revenue fund" in body
    assert "by the Board of Commissioners of Orange County" in body
    assert "Chair, Board of Commissioners" in body
    assert "NC DOJ guidance" not in body
    assert "DRAFT" not in body
    assert "NC DOJ guidance" in "\n".join(texts)
    for item in doc.plan.line_items:  # no id like "case-managers" in the legal text
        if "-" in item.id:
            assert item.id not in body
    assert "brief §" not in body
    # every justification's opening is in the description, not only the first three
    for item in doc.plan.line_items:
        if item.justification and doc.projection.line(item.id).total:
            assert item.justification[:30] in body


def test_a_city_resolution_is_adopted_by_its_council_and_signed_by_the_mayor():
    doc = plan_document(example("option-b-durham.json"), prepared_on=PREPARED)
    body = governing_body(doc)
    assert body.board == "the City Council of the City of Durham"
    texts = paragraphs(resolution_docx(doc))
    text = adoptable(texts)
    assert "WHEREAS, the City of Durham has joined" in text
    assert "Mayor" in text
    assert "City Clerk" in text
    assert "Chair" not in text
    assert "collaborative strategic planning process described in Exhibit C" in text
    assert "case-managers" not in text
    assert "officer-training" not in text


def test_the_project_ordinance_balances_and_carries_the_filing_note():
    doc = plan_document(example("all-rules-pass.json"), prepared_on=PREPARED)
    o = project_ordinance(doc.projection)
    assert o.balanced
    assert o.revenues_total == o.appropriations_total
    assert o.receipts == sum(doc.projection.fund.receipts)
    assert o.interest == sum(doc.projection.fund.interest)
    assert o.strategy_total == doc.projection.total
    body = ordinance_docx(doc, doc.plan.start_fy, doc.plan.end_fy)  # the whole plan
    texts = paragraphs(body)
    text = adoptable(texts)
    assert "G.S. 159-13.2" in text
    assert "settlement project as defined in G.S. 159-13.2(a)(4)" in text
    assert "entered in the minutes" in text
    assert "within five days" in text
    assert "Finance Officer, the Budget Officer and the Clerk to the Board" in text
    tables = docx.Document(io.BytesIO(body)).tables
    revenues = {r.cells[0].text: r.cells[-1].text for r in tables[0].rows}
    appropriations = {r.cells[0].text: r.cells[-1].text for r in tables[1].rows}
    assert (
        revenues["Total estimated revenues"]
        == appropriations["Total appropriations"]
        == f"${o.revenues_total:,}"
    )
    assert (
        revenues["Opioid Settlement Fund balance appropriated"]
        == f"${o.fund_balance_appropriated:,}"
    )


def test_an_ordinance_the_fund_cannot_pay_for_says_so():
    doc = doc_of(demo_data(), "Orange County")
    o = project_ordinance(doc.projection)
    # spending $15,560,313 against $1,450,000 + $10,976,496 + $967,700 = $13,394,196
    assert o.strategy_total == 15_560_313
    assert o.revenues_total == 1_450_000 + 10_976_496 + 967_700
    assert o.shortfall == 15_560_313 - 13_394_196 == 2_166_117
    assert not o.balanced
    assert "NOT BALANCED" in adoptable(paragraphs(ordinance_docx(doc, 2026, 2043)))
    # by default it appropriates what the board is asked to authorize, FY2027-28..FY2031-32
    assert doc.period == (2027, 2031)
    assert "NOT BALANCED" not in adoptable(paragraphs(ordinance_docx(doc)))
    # the years the fund can pay for balance
    assert project_ordinance(doc.projection, 2026, 2038).balanced


def test_an_ordinance_with_more_revenue_than_spending_reserves_the_rest():
    data = copy.deepcopy(json.loads((EXAMPLES / "minimal.json").read_text()))
    data.setdefault("fund", {})["receipts"] = {"FY2026-27": "90000000"}
    doc = doc_of(data)
    o = project_ordinance(doc.projection)
    assert o.reserve == o.receipts + o.interest - o.strategy_total > 0
    assert o.fund_balance_appropriated == 0
    assert o.balanced


# ----------------------------------------------------------------------------- CSV


def test_the_csv_is_tidy_sums_to_the_total_and_pivots_by_strategy():
    data = demo_data()
    data["name"] = '=HYPERLINK("http://example.invalid","x")'
    data["line_items"][0]["label"] = "-2+3 @cmd"
    doc = doc_of(data, "Orange County")
    rows = list(csv.DictReader(io.StringIO(projection_csv(doc))))
    p = doc.projection
    assert sum(int(r["amount"]) for r in rows) == p.total
    for strategy, values in p.by_strategy.items():
        code = "" if strategy == "unassigned" else strategy
        assert sum(int(r["amount"]) for r in rows if r["strategy"] == code) == sum(values)
    assert {r["strategy_title"] for r in rows} >= {"A:10 Criminal justice diversion programs"}
    assert {r["fiscal_year"] for r in rows} == set(p.labels)
    assert all(int(r["amount"]) != 0 for r in rows)  # one nonzero amount a row
    # text that a spreadsheet would run is prefixed; numbers are left as numbers
    assert {r["plan"] for r in rows} == {"'" + data["name"]}
    assert rows[0]["line_label"] == "'-2+3 @cmd"
    assert safe_text("-5") == "'-5"
    assert safe_text("Case managers") == "Case managers"
    for name in ("\tx", "\rx", "+x", "@x"):
        assert safe_text(name).startswith("'")


# ----------------------------------------------------------------------------- web


def test_the_plan_page_offers_the_ordinance_beside_the_resolution(app, client):
    from freezegun import freeze_time
    from sqlalchemy import select

    from planner.extensions import db
    from planner.models import PlanRecord
    from tests.web import EDITOR, sign_in

    with app.app_context():
        pid = next(
            r.id for r in db.session.scalars(select(PlanRecord)) if r.name == "Baseline LEAD plan"
        )
    base = f"/j/orange-county/plans/{pid}"
    with freeze_time("2026-11-28 12:00:00"):
        sign_in(client, EDITOR)
        page = client.get(base).get_data(as_text=True)
        # the drafts download at once, with a link beside each to choose other years
        assert f'href="{base}/ordinance?download=1"' in page
        assert f'href="{base}/resolution?download=1"' in page
        assert f'href="{base}/ordinance"' in page
        assert f'href="{base}/resolution"' in page
        form = client.get(f"{base}/ordinance")
        assert form.status_code == 200
        # the ordinance's default is the FYs the resolution authorizes, not the whole plan
        assert 'value="FY2027-28"' in form.get_data(as_text=True)
        resolution_form = client.get(f"{base}/resolution").get_data(as_text=True)
        assert 'value="FY2027-28"' in resolution_form  # FY2026-27 is already authorized
        draft = client.get(f"{base}/ordinance?download=1&first=FY2026-27&last=FY2038-39")
        outside = client.get(f"{base}/ordinance?download=1&first=FY2026-27&last=FY2050-51")
        csv_body = client.get(f"{base}/export.csv").get_data(as_text=True)
    assert draft.status_code == 200
    assert draft.headers["Content-Disposition"].endswith('_project-ordinance_2026-11-28.docx"')
    texts = paragraphs(draft.data)
    assert "OPIOID SETTLEMENT PROJECT ORDINANCE" in texts[0]
    assert any("FY2026-27 through FY2038-39" in t for t in texts)
    assert any(t.startswith("Section 5. Balance. The estimated revenues") for t in texts)
    assert outside.status_code == 422
    rows = list(csv.DictReader(io.StringIO(csv_body)))
    assert {r["plan"] for r in rows} == {"Baseline LEAD plan"}
    assert {r["jurisdiction"] for r in rows} == {"Orange County"}
