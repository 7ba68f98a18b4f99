"""The command line and the documents with actuals (cost model §10, §11): `project` and
`check` read the actuals, `report --exhibit-e` writes the annual financial report, `export
--format exhibit-e-csv|exhibit-e-xlsx` the rows for CORE-NC; the plan PDF and the workbook
show planned vs actual. Downloads are opened and read."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil
import subprocess

import openpyxl
import pytest
from click.testing import CliRunner

from planner.cli import main
from planner.reports.annual import annual_reports, exhibit_e_html
from planner.reports.context import plan_document
from planner.reports.workbook import plan_workbook
from planner.scenarios import project, projection_to_dict
from tests.plans import EXAMPLES, example, parse
from tests.test_actuals import ACTUALS, TABLES, plan_doc
from tests.test_workbook_live import assert_equals_engine

CLOSED = EXAMPLES / "closed-fys.json"


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def plan_file(tmp_path):
    path = tmp_path / "plan.json"
    path.write_text(
        json.dumps(plan_doc(ACTUALS, jurisdiction={"name": "Orange County", "kind": "county"}))
    )
    return path


def test_project_reads_the_actuals(runner, plan_file):
    result = runner.invoke(main, ["project", str(plan_file), "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["fund"]["closing"] == [571000, 646000, 708920, 773098]
    assert out["actuals"]["closed_fys"] == [2026, 2027]
    table = runner.invoke(main, ["project", str(plan_file)])
    assert table.exit_code == 0
    assert "Closed FYs (actuals): FY2026-27 to FY2027-28" in table.output
    closed = table.output.split("Closed FYs (actuals)")[1]
    lead = next(r for r in closed.splitlines() if r.strip().startswith("A:10"))
    assert lead.split()[1:] == ["100,000", "90,000", "(10,000)", "-10.0%", "under", "plan"]


def test_the_example_with_closed_fys_is_the_engine_projection(runner):
    result = runner.invoke(main, ["project", str(CLOSED), "--json"])
    assert json.loads(result.output) == projection_to_dict(project(example("closed-fys.json")))
    assert json.loads(result.output)["actuals"]["closed_fys"] == [2026, 2027]


def test_check_reads_the_actuals(runner, plan_file):
    result = runner.invoke(main, ["check", str(plan_file), "--json", "--as-of", "2028-10-01"])
    out = json.loads(result.output)
    rules = {r["rule"]: r for r in out["results"]}
    # FY2027-28 has actuals but no filing date, due September 28, 2028: overdue
    assert rules["MOA-ANNUAL-REPORT"]["status"] == "warn"
    assert rules["MOA-ANNUAL-REPORT"]["fiscal_years"] == [2027]
    assert rules["MOA-STRATEGY"]["status"] == "fail"  # $1,000 unassigned in FY2026-27
    assert result.exit_code == 1


def test_bad_actuals_exit_2_with_their_paths(runner, tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(
        json.dumps(
            plan_doc({"FY2027-28": {"receipts": "-1", "interest": "0", "spending": {"A:99": "1"}}})
        )
    )
    for command in (["project"], ["check"]):
        result = runner.invoke(main, [*command, str(path)])
        assert result.exit_code == 2
        assert "actuals.FY2027-28.receipts" in result.output
        assert "actuals.FY2027-28.spending.A:99" in result.output
        assert "Traceback" not in result.output


@pytest.mark.parametrize("fy", ["FY2028-29", "2035", "FY2027"])
def test_an_open_or_unknown_fy_has_no_exhibit_e(runner, plan_file, tmp_path, fy):
    out = tmp_path / "e.pdf"
    result = runner.invoke(main, ["report", str(plan_file), "--exhibit-e", fy, "-o", str(out)])
    assert result.exit_code == 2
    assert not out.exists()
    assert "Traceback" not in result.output
    csv_out = runner.invoke(
        main,
        [
            "export",
            str(plan_file),
            "--format",
            "exhibit-e-csv",
            "--fy",
            fy,
            "-o",
            str(tmp_path / "e.csv"),
        ],
    )
    assert csv_out.exit_code == 2


def test_an_exhibit_e_export_needs_its_fy(runner, plan_file, tmp_path):
    result = runner.invoke(
        main,
        ["export", str(plan_file), "--format", "exhibit-e-xlsx", "-o", str(tmp_path / "e.xlsx")],
    )
    assert result.exit_code == 2
    assert "--fy" in result.output


def test_exhibit_e_csv_read_back(runner, plan_file, tmp_path):
    out = tmp_path / "e.csv"
    result = runner.invoke(
        main,
        [
            "export",
            str(plan_file),
            "--format",
            "exhibit-e-csv",
            "--fy",
            "FY2026-27",
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [(r["field"], r["strategy"], int(r["amount"])) for r in rows] == [
        ("1", "", 500000),
        ("2", "", 210000),
        ("interest", "", 9500),
        ("3", "A:10", 90000),
        ("3", "A:7", 55000),
        ("3", "unassigned", 1000),
        ("3", "", 146000),
        ("4", "", 2500),
        ("5", "", 571000),
    ]
    assert rows[3]["exhibit"] == "A"
    assert rows[3]["item"] == "10"
    assert rows[3]["strategy_title"] == "Criminal justice diversion programs"
    assert rows[0]["form_words"].startswith("Amount of Opioid Settlement Funds")
    assert {r["fiscal_year"] for r in rows} == {"FY2026-27"}


def test_exhibit_e_xlsx_read_back(runner, plan_file, tmp_path):
    out = tmp_path / "e.xlsx"
    result = runner.invoke(
        main,
        ["export", str(plan_file), "--format", "exhibit-e-xlsx", "--fy", "2027", "-o", str(out)],
    )
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(out)["Exhibit E"]
    rows = [row for row in sheet.iter_rows(min_row=4, values_only=True) if row[3]]
    assert [(r[3], r[7], r[9]) for r in rows] == [
        ("1", "", 571000),
        ("2", "", 190000),
        ("interest", "", -1000),
        ("3", "A:10", 110000),
        ("3", "A:12", 4000),
        ("3", "", 114000),
        ("4", "", 0),
        ("5", "", 646000),
    ]
    formulas = [
        c.coordinate
        for row in sheet.iter_rows()
        for c in row
        if isinstance(c.value, str) and c.value.startswith("=")
    ]
    assert formulas == []


def test_exhibit_e_exports_never_hold_a_formula(tmp_path):
    from planner.reports.annual import exhibit_e_csv, exhibit_e_xlsx

    plan = parse(
        plan_doc(
            ACTUALS,
            name='=HYPERLINK("http://x")',
            jurisdiction={"name": "@SUM(A1)", "kind": "county"},
        )
    )
    report, _ = annual_reports(plan, project(plan), 2026, TABLES)
    rows = list(csv.reader(io.StringIO(exhibit_e_csv(report))))
    assert rows[1][0] == "'@SUM(A1)"
    assert rows[1][1] == '\'=HYPERLINK("http://x")'
    sheet = openpyxl.load_workbook(io.BytesIO(exhibit_e_xlsx(report)))["Exhibit E"]
    cell = sheet.cell(row=4, column=2)
    assert cell.value == '=HYPERLINK("http://x")'
    assert cell.data_type == "s"
    assert cell.quotePrefix


def test_exhibit_e_html_escapes_plan_text_and_fills_the_measures():
    plan = parse(
        plan_doc(
            ACTUALS,
            name="<script>x</script>",
            jurisdiction={"name": "Town & <Country>", "kind": "county"},
        )
    )
    report, impact = annual_reports(plan, project(plan), 2026, TABLES)
    html = exhibit_e_html(
        report,
        impact,
        prepared_on=dt.date(2027, 9, 1),
        outcomes={"A:10": {"referred_to_treatment": "<b>17</b> of 33"}},
    )
    assert "<script>x</script>" not in html
    assert "Town &amp; &lt;Country&gt;" in html
    assert '<td class="filled">&lt;b&gt;17&lt;/b&gt; of 33</td>' in html
    assert html.count('<td class="filled"></td>') == 2 * 6 - 1  # A:10 and A:7, 6 measures


def test_the_workbook_reforecasts_and_shows_the_variance():
    plan = parse(plan_doc(ACTUALS))
    data = plan_workbook(plan_document(plan, prepared_on=dt.date(2028, 8, 1)))
    book = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    assert_equals_engine(book, plan)  # the Fund sheet is the reforecast fund
    rows = [r for r in book["Actuals"].iter_rows(min_row=2, values_only=True) if r[2]]
    assert rows[0][:8] == (
        "FY2026-27",
        "A:10 Criminal justice diversion programs",
        "A:10",
        100000,
        90000,
        -10000,
        -0.1,
        "under plan",
    )
    assert rows[1][2:8] == ("A:7", 50000, 55000, 5000, 0.1, "over plan")
    assert rows[2][2:8] == ("A:12", 0, 0, 0, "n/a", "as planned")
    formulas = openpyxl.load_workbook(io.BytesIO(data))
    names = formulas.defined_names
    assert "actuals.FY2026_27.spending.A_10" in names
    assert "actuals.FY2027_28.interest" in names
    assert formulas["Fund"]["B3"].value.startswith("=ROUND(ROUND(actuals.FY2026_27.receipts")


def _pdf_text(path) -> str:
    return subprocess.run(  # noqa: S603
        [shutil.which("pdftotext"), "-layout", str(path), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


@pytest.mark.slow  # renders two PDFs
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_exhibit_e_pdf_and_the_plan_pdf_read_back(runner, plan_file, tmp_path):
    out = tmp_path / "exhibit-e.pdf"
    result = runner.invoke(
        main,
        [
            "report",
            str(plan_file),
            "--exhibit-e",
            "FY2026-27",
            "-o",
            str(out),
            "--as-of",
            "2027-09-01",
        ],
    )
    assert result.exit_code == 0, result.output
    text = _pdf_text(out)
    first = text.split("\f")[0]  # Exhibit E is one page
    assert "Annual financial report (MOA Exhibit E)" in first
    assert "Orange County" in first
    assert "September 28, 2027" in first
    for field, words, amount in (
        ("(1)", "Amount of Opioid Settlement Funds in", "$500,000"),
        ("(2)", "received during the fiscal year", "$210,000"),
        ("Interest", "Interest earned", "$9,500"),
        ("(4)", "audit costs", "$2,500"),
        ("(5)", "Amount in the special revenue fund", "$571,000"),
    ):
        line = next(x for x in first.splitlines() if x.strip().startswith(field) and words in x)
        assert line.rstrip().endswith(amount), line
    assert "Exhibit A, item 10 (A:10): Criminal justice diversion programs" in first
    assert "equal to the balance on June 30" in first
    assert "Impact report worksheet (MOA Exhibit F), FY2026-27" in text
    plan_pdf = tmp_path / "plan.pdf"
    result = runner.invoke(
        main, ["report", str(plan_file), "-o", str(plan_pdf), "--as-of", "2028-08-01"]
    )
    assert result.exit_code == 0, result.output
    body = _pdf_text(plan_pdf)
    assert "Planned and actual: closed FYs" in body
    lead = next(
        x for x in body.splitlines() if "A:10 Criminal justice diversion" in x and "under plan" in x
    )
    assert "$100,000" in lead
    assert "($10,000)" in lead
    assert "-10.0%" in lead
    assert "Closing balance as adopted" in body
