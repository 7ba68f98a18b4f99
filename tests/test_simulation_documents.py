"""The uncertainty analysis in the documents (cost model §12): the PDF's one page and the
workbook's sheet, opened and read."""

from __future__ import annotations

import datetime as dt
import io
import json

import openpyxl
import pdfplumber
import pytest

from planner.reports.context import plan_document
from planner.reports.render import plan_report_pdf
from planner.reports.workbook import plan_workbook
from planner.services.analyses import analysis_of_plan
from tests.plans import EXAMPLES, parse

PREPARED = dt.date(2026, 11, 28)
SECTION = {
    "draws": 200,
    "seed": 9,
    "referrals": {"low": "0.6", "mode": "1", "high": "1.2"},
    "receipts": {"low": "0.9", "mode": "1", "high": "1.05"},
    "salary_escalation": {"low": "0.01", "mode": "0.03", "high": "0.05"},
}


def demo_with_ranges():
    data = json.loads((EXAMPLES / "demo-orange-county.json").read_text())
    data["uncertainty"] = SECTION
    return parse(data)


def test_workbook_sheet_holds_the_percentiles():
    plan = demo_with_ranges()
    doc = plan_document(plan, prepared_on=PREPARED)
    result = analysis_of_plan(plan).result
    book = openpyxl.load_workbook(io.BytesIO(plan_workbook(doc)))
    sheet = book["Uncertainty"]
    rows = list(sheet.iter_rows(values_only=True))
    header = next(i for i, r in enumerate(rows) if r[0] == "FY")
    first = rows[header + 1]
    assert first[0] == "FY2026-27"
    assert first[1:7] == (
        result.spending[10][0],
        result.spending[50][0],
        result.spending[90][0],
        result.closing[10][0],
        result.closing[50][0],
        result.closing[90][0],
    )
    assert first[7] == doc.projection.fund.closing[0]
    assert not any(isinstance(v, str) and v.startswith("=") for r in rows for v in r)
    # A plan without ranges has no such sheet.
    bare = plan_document(
        parse(json.loads((EXAMPLES / "minimal.json").read_text())), prepared_on=PREPARED
    )
    assert "Uncertainty" not in openpyxl.load_workbook(io.BytesIO(plan_workbook(bare))).sheetnames


@pytest.mark.slow
def test_pdf_has_one_uncertainty_page():
    plan = demo_with_ranges()
    result = analysis_of_plan(plan).result
    pdf = plan_report_pdf(plan_document(plan, prepared_on=PREPARED))
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        texts = [page.extract_text() or "" for page in document.pages]
    pages = [i for i, t in enumerate(texts) if t.startswith("Uncertainty: how sure are we?")]
    assert len(pages) == 1
    page = texts[pages[0]]
    assert "not forecasts" in page
    assert f"{result.closing[50][-1]:,}".replace("-", "") in page.replace("(", "").replace(")", "")
    assert "FY2043-44" in page  # every FY on the one page
    assert not texts[pages[0] + 1].startswith("FY")  # nothing ran over to the next page
