"""Every output read back and checked against the engine's projection: the PDF (text, pages,
metadata), the workbook (formulas evaluated), the CSV, the resolution DOCX, and the
comparison page and PDF."""

from __future__ import annotations

import base64
import csv
import datetime as dt
import io
import json
import re
from pathlib import Path

import docx
import openpyxl
import pytest
from click.testing import CliRunner
from freezegun import freeze_time
from pypdf import PdfReader

from planner.cli import main
from planner.reports.context import plan_document
from planner.reports.render import plan_report_html, plan_report_pdf
from planner.reports.resolution import resolution_docx
from planner.reports.tabular import projection_csv
from planner.reports.workbook import CLASS_LABELS, plan_workbook
from planner.scenarios.summaries import strategy_amounts
from tests.plans import EXAMPLES, example, parse
from tests.web import EDITOR, sign_in, text, token

PREPARED = dt.date(2026, 11, 28)
SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"


@pytest.fixture(scope="module")
def demo_doc():
    return plan_document(
        example("demo-orange-county.json"), prepared_on=PREPARED, jurisdiction="Orange County"
    )


@pytest.fixture(scope="module")
def demo_pdf(demo_doc):
    return PdfReader(io.BytesIO(plan_report_pdf(demo_doc)))


def pdf_text(reader: PdfReader) -> str:
    """The PDF's text with runs of white space folded (lines wrap anywhere)."""
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def money(value: int) -> str:
    return f"${value:,}" if value >= 0 else f"(${-value:,})"


# ----------------------------------------------------------------------------- the PDF


@pytest.mark.slow  # renders a PDF
def test_pdf_metadata_pages_and_tags(demo_pdf, demo_doc):
    assert demo_pdf.metadata.title == "Baseline LEAD plan — budget justification"
    assert demo_pdf.metadata.author == "Orange County"
    pages = len(demo_pdf.pages)
    assert 10 < pages < 60
    catalog = demo_pdf.trailer["/Root"]
    assert bool(catalog["/MarkInfo"]["/Marked"])  # a tagged PDF (PDF/UA-1)
    assert "/StructTreeRoot" in catalog
    first = demo_pdf.pages[0].extract_text()
    assert "Prepared on" in first
    assert "November 28, 2026" in first
    last = demo_pdf.pages[-1].extract_text()
    assert f"Page {pages} of {pages}" in last
    assert "Orange County · Baseline LEAD plan" in demo_pdf.pages[3].extract_text()


@pytest.mark.slow  # renders a PDF
def test_pdf_landscape_pages_for_the_wide_tables(demo_pdf):
    sizes = {
        (round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in demo_pdf.pages
    }
    assert sizes == {(612, 792), (792, 612)}


@pytest.mark.slow  # renders a PDF
def test_pdf_numbers_equal_the_projection(demo_pdf, demo_doc):
    body = pdf_text(demo_pdf)
    p = demo_doc.projection
    assert money(p.total) in body
    assert money(p.npv_spending) in body
    assert money(p.fund.closing[-1]) in body
    for label in p.labels:
        assert label in body
    for strategy, values in p.by_strategy.items():
        assert money(sum(values)) in body
        assert demo_doc.titles[strategy] in body
    # the basis of estimate of every line is written out
    for line in p.line_items:
        assert (line.label or line.id) in body
    assert "2.5 FTE × $" in body or "3.5 FTE × $" in body
    for rule in ("MOA-FUND-BALANCE", "LEAD-CASELOAD", "NC MOA §E.6(b)(ii)"):
        assert rule in body
    assert "Contents" in body
    assert "Assumptions and sources" in body
    assert "BLS OEWS May 2023" in body  # each default's source


@pytest.mark.slow  # renders a PDF
def test_pdf_escapes_user_text_and_fetches_nothing(tmp_path):
    hostile = '<img src="http://example.com/x">'
    doc_data = json.loads((EXAMPLES / "minimal.json").read_text())
    doc_data["name"] = "Plan <b>bold</b>"
    doc_data["line_items"][0]["justification"] = hostile
    doc_data["line_items"][0]["label"] = "<script>alert(1)</script>"
    plan = parse(doc_data)
    doc = plan_document(plan, prepared_on=PREPARED, jurisdiction="Town & <Country>")
    html = plan_report_html(doc)
    assert hostile not in html
    assert "&lt;img src=&#34;http://example.com/x&#34;&gt;" in html
    from planner.reports.pdf import StaticOnlyFetcher

    fetcher = StaticOnlyFetcher()
    reader = PdfReader(io.BytesIO(plan_report_pdf(doc, fetcher)))
    assert fetcher.refused == []
    body = pdf_text(reader)
    assert hostile in body
    assert "<script>alert(1)</script>" in body
    assert reader.metadata.title == "Plan <b>bold</b> — budget justification"


@pytest.mark.weasyprint  # run first, on the worker that loads it (tests/conftest.py)
def test_the_fetcher_refuses_everything_but_static_files(tmp_path):
    from planner.reports.pdf import StaticOnlyFetcher, pdf_bytes

    secret = tmp_path / "secret.png"
    secret.write_bytes(b"not for the pdf")
    html = (
        '<link rel="stylesheet" href="report.css">'
        '<img src="http://example.com/tracker.png"><img src="https://example.com/y.png">'
        f'<img src="file://{secret}"><img src="file:///etc/passwd"><p>hello</p>'
    )
    fetcher = StaticOnlyFetcher()
    reader = PdfReader(io.BytesIO(pdf_bytes(html, title="t", author="a", fetcher=fetcher)))
    assert "hello" in pdf_text(reader)
    assert sorted(fetcher.refused) == sorted(
        [
            "http://example.com/tracker.png",
            "https://example.com/y.png",
            f"file://{secret}",
            "file:///etc/passwd",
        ]
    )


def normalized_report_html(doc) -> str:
    html = plan_report_html(doc)
    return re.sub(r"data:image/svg\+xml;base64,[A-Za-z0-9+/=]+", "data:…", html)


def test_report_html_snapshot(demo_doc):
    import os

    snapshot = SNAPSHOTS / "demo-orange-county.report.html"
    html = normalized_report_html(demo_doc)
    if os.environ.get("UPDATE_SNAPSHOTS"):
        snapshot.write_text(html)
    assert html == snapshot.read_text()


@pytest.mark.slow  # renders a PDF
def test_report_command_writes_the_pdf(tmp_path):
    out = tmp_path / "plan.pdf"
    with freeze_time("2026-11-28"):
        result = CliRunner().invoke(
            main, ["report", str(EXAMPLES / "minimal.json"), "-o", str(out)]
        )
    assert result.exit_code == 0, result.output
    reader = PdfReader(str(out))
    assert "November 28, 2026" in reader.pages[0].extract_text()


# ----------------------------------------------------------------------------- workbook


def test_workbook_totals_are_formulas_equal_to_the_engine(demo_doc):
    data = plan_workbook(demo_doc)
    book = openpyxl.load_workbook(io.BytesIO(data))
    values = openpyxl.load_workbook(io.BytesIO(data), data_only=True)  # the stored results
    assert book.sheetnames == [
        "Summary",
        "Inputs",
        "Projection",
        "Object classes",
        "Strategies",
        "Fund",
        "Participants",
        "Calculation",
        "Justifications",
        "Basis of estimate",
        "Compliance",
        "Sources of defaults",
    ]
    p = demo_doc.projection
    sheet, cached = book["Projection"], values["Projection"]
    assert sheet.freeze_panes == "D2"
    assert [c.value for c in sheet[1]][3 : 3 + len(p.labels)] == list(p.labels)
    for row, line in enumerate(p.line_items, start=2):
        assert sheet.cell(row=row, column=2).value == line.id
        total = sheet.cell(row=row, column=4 + len(p.labels))
        assert total.value.startswith("=SUM(")
        assert cached.cell(row=row, column=4 + len(p.labels)).value == line.total
        assert sheet.cell(row=row, column=4).value.startswith("=SUM(Calculation!")
        assert sheet.cell(row=row, column=4).number_format.startswith('"$"#,##0')
    total_row = 2 + len(p.line_items)
    assert sheet.cell(row=total_row, column=1).value == "Total"
    for k, amount in enumerate(p.by_year):
        assert cached.cell(row=total_row, column=4 + k).value == amount
    assert cached.cell(row=total_row, column=4 + len(p.labels)).value == p.total

    strategies = values["Strategies"]
    for row, (code, amounts) in enumerate(p.by_strategy.items(), start=2):
        assert strategies.cell(row=row, column=2).value == code
        assert strategies.cell(row=row, column=3 + len(p.labels)).value == sum(amounts)

    fund = values["Fund"]
    for k, closing in enumerate(p.fund.closing):
        assert fund.cell(row=6, column=2 + k).value == closing
        # the beginning balance is the previous closing balance, as a formula
        if k:
            assert (
                book["Fund"].cell(row=2, column=2 + k).value
                == f"=Fund!{book['Fund'].cell(row=6, column=1 + k).coordinate}"
            )
    assert book["Fund"].freeze_panes == "B2"
    classes = values["Object classes"]
    rows = {classes.cell(row=r, column=1).value: r for r in range(2, 13)}
    for name, label in CLASS_LABELS.items():
        cell = classes.cell(row=rows[label], column=2 + len(p.labels))
        assert cell.value == sum(p.by_object_class[name])
    assert classes.cell(row=rows["k. Totals"], column=2 + len(p.labels)).value == p.total
    compliance = book["Compliance"]
    assert compliance.cell(row=2, column=1).value == "MOA-STRATEGY"
    assert values["Summary"]["B7"].value == p.total


def test_csv_long_form_adds_up(demo_doc):
    rows = list(csv.DictReader(io.StringIO(projection_csv(demo_doc))))
    assert list(rows[0]) == [
        "plan",
        "jurisdiction",
        "line_id",
        "line_label",
        "kind",
        "strategy",
        "strategy_title",
        "fiscal_year",
        "object_class",
        "object_class_title",
        "amount",
    ]
    p = demo_doc.projection
    assert sum(int(r["amount"]) for r in rows) == p.total
    for line in p.line_items:
        assert sum(int(r["amount"]) for r in rows if r["line_id"] == line.id) == line.total
    assert {r["fiscal_year"] for r in rows} == set(p.labels)


def test_export_command(tmp_path):
    runner = CliRunner()
    out = tmp_path / "plan.xlsx"
    result = runner.invoke(
        main, ["export", str(EXAMPLES / "minimal.json"), "--format", "xlsx", "-o", str(out)]
    )
    assert result.exit_code == 0
    assert openpyxl.load_workbook(out).sheetnames[0] == "Summary"
    out_csv = tmp_path / "plan.csv"
    result = runner.invoke(
        main, ["export", str(EXAMPLES / "minimal.json"), "--format", "csv", "-o", str(out_csv)]
    )
    assert result.exit_code == 0
    assert out_csv.read_text().startswith("plan,jurisdiction,line_id,line_label,kind,")
    out_docx = tmp_path / "ordinance.docx"
    result = runner.invoke(
        main,
        ["export", str(EXAMPLES / "minimal.json"), "--format", "ordinance", "-o", str(out_docx)],
    )
    assert result.exit_code == 0, result.output
    assert "PROJECT ORDINANCE" in docx.Document(out_docx).paragraphs[0].text
    bad = runner.invoke(
        main, ["export", str(EXAMPLES / "minimal.json"), "--format", "pdf", "-o", str(out_csv)]
    )
    assert bad.exit_code == 2


# ----------------------------------------------------------------------------- resolution


def test_resolution_sections_and_totals(demo_doc):
    document = docx.Document(io.BytesIO(resolution_docx(demo_doc, 2026, 2030)))
    text_ = "\n".join(p.text for p in document.paragraphs)
    amounts = [a for a in strategy_amounts(demo_doc.projection, 2026, 2030) if a.amount]
    assert [a.strategy for a in amounts] == ["A:10", "A:7"]
    assert "1. First strategy authorized" in text_
    assert "2. Second strategy authorized" in text_
    assert "a. Name of strategy: Criminal justice diversion programs" in text_
    assert "b. Strategy is included in Exhibit: A" in text_
    assert "c. Item letter and/or number in Exhibit A or Exhibit B to the MOA: 10" in text_
    for a in amounts:
        assert f"d. Amount authorized for this strategy: {money(a.amount)}" in text_
    total = sum(a.amount for a in amounts)
    # FY2026-27 … FY2030-31 of the demo: the strategies' planned spending
    assert total == sum(demo_doc.projection.by_year[:5])
    # five FYs: a settlement project ordinance appropriates them (NC's budget ordinance is annual)
    assert (
        "in the settlement project ordinance (G.S. 159-13.2) adopted with this resolution" in text_
    )
    assert "Start date: July 1, 2026   End date: June 30, 2031" in text_
    table = document.tables[0]
    assert table.rows[-1].cells[2].text == money(total)


# ----------------------------------------------------------------------------- web: downloads


def _plan_ids(app):
    from sqlalchemy import select

    from planner.extensions import db
    from planner.models import PlanRecord

    with app.app_context():
        return {r.name: r.id for r in db.session.scalars(select(PlanRecord))}


def test_downloads_from_the_plan_page_agree_with_it(app, client):
    pid = _plan_ids(app)["Baseline LEAD plan"]
    with freeze_time("2026-11-28 12:00:00"):
        sign_in(client, EDITOR)
        page = client.get(f"/j/orange-county/plans/{pid}")
        pdf = client.get(f"/j/orange-county/plans/{pid}/report.pdf")
        xlsx = client.get(f"/j/orange-county/plans/{pid}/export.xlsx")
        csv_response = client.get(f"/j/orange-county/plans/{pid}/export.csv")
        docx_response = client.get(
            f"/j/orange-county/plans/{pid}/resolution?download=1&first=FY2026-27&last=FY2030-31"
        )
    assert pdf.headers["Content-Disposition"] == (
        'attachment; filename="orange-county_baseline-lead-plan_2026-11-28.pdf"'
    )
    assert xlsx.headers["Content-Disposition"].endswith('_2026-11-28.xlsx"')
    assert docx_response.headers["Content-Disposition"].endswith('_resolution_2026-11-28.docx"')
    total = re.search(r"18-year cost\s+(\$[\d,]+)", text(page)).group(1)
    assert total in pdf_text(PdfReader(io.BytesIO(pdf.data)))
    book = openpyxl.load_workbook(io.BytesIO(xlsx.data), data_only=True)
    assert money(book["Summary"]["B7"].value) == total
    assert csv_response.headers["Content-Disposition"].endswith('_2026-11-28.csv"')
    rows = list(csv.DictReader(io.StringIO(csv_response.get_data(as_text=True))))
    assert money(sum(int(r["amount"]) for r in rows)) == total
    assert "First strategy authorized" in "\n".join(
        p.text for p in docx.Document(io.BytesIO(docx_response.data)).paragraphs
    )


def test_resolution_form_rejects_bad_years(app, client):
    sign_in(client, EDITOR)
    pid = _plan_ids(app)["Baseline LEAD plan"]
    response = client.get(
        f"/j/orange-county/plans/{pid}/resolution?download=1&first=FY2027&last=FY2026-27"
    )
    assert response.status_code == 422
    assert "'FY2027' is ambiguous" in text(response)
    assert 'value="FY2027"' in response.get_data(as_text=True)


# ----------------------------------------------------------------------------- comparison


def _import(client, name, path):
    return client.post(
        "/j/orange-county/plans/import",
        data={
            "csrf_token": token(client, "/j/orange-county/"),
            "name": name,
            "file": (io.BytesIO(path.read_bytes()), path.name),
        },
        content_type="multipart/form-data",
    )


def test_compare_three_plans_page_and_pdf(app, client):
    sign_in(client, EDITOR)
    assert _import(client, "Every rule met", EXAMPLES / "all-rules-pass.json").status_code == 302
    assert _import(client, "Option B", EXAMPLES / "option-b-durham.json").status_code == 302
    ids = _plan_ids(app)
    chosen = [ids["Baseline LEAD plan"], ids["Every rule met"], ids["Option B"]]
    query = "&".join(f"plans={i}" for i in chosen)
    page = client.get(f"/j/orange-county/compare?{query}")
    assert page.status_code == 200
    body = text(page)
    baseline = parse(json.loads((EXAMPLES / "demo-orange-county.json").read_text()))
    option_b = parse(json.loads((EXAMPLES / "option-b-durham.json").read_text()))
    from planner.scenarios import project

    total_a, total_b = project(baseline).total, project(option_b).total
    assert money(total_a) in body
    assert money(total_b) in body
    assert f"+{money(total_b - total_a)}" in body or f"-{money(total_a - total_b)}" in body
    # both the demo and the Option B plan run short; the first FY short is named for each
    assert "FY2042-43" in body
    assert "FY2032-33" in body
    assert "never" in body
    assert "B:D.1.4" in body
    assert "MOA-FUND-BALANCE" in body  # a rule whose result differs
    chart = client.get(f"/j/orange-county/compare/chart.svg?{query}")
    assert chart.mimetype == "image/svg+xml"
    assert b"<svg" in chart.data
    pdf = client.get(f"/j/orange-county/compare.pdf?{query}")
    assert pdf.status_code == 200
    reader = PdfReader(io.BytesIO(pdf.data))
    pdf_body = pdf_text(reader)
    assert reader.metadata.title == "Comparison of plans — Orange County"
    assert money(total_a) in pdf_body
    assert money(total_b) in pdf_body
    assert "Line items that differ" in pdf_body


def test_compare_needs_two_to_four_plans(app, client):
    sign_in(client, EDITOR)
    pid = _plan_ids(app)["Baseline LEAD plan"]
    response = client.get(f"/j/orange-county/compare?plans={pid}")
    assert response.status_code == 422
    assert "Choose 2 to 4 plans (1 chosen)." in text(response)
    durham = _plan_ids(app)["Durham plan"]
    assert client.get(f"/j/orange-county/compare?plans={pid}&plans={durham}").status_code == 404


def test_the_pdf_chart_is_the_page_chart(demo_doc):
    from planner.present import charts

    html = plan_report_html(demo_doc)
    embedded = re.search(r"data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)", html).group(1)
    assert base64.b64decode(embedded).decode() == charts.fund_balance_svg(demo_doc.projection)
