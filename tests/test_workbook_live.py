"""The workbook is the live model: every component of every line, FY and object class, the
participants, the fund and the totals are formulas over named inputs; the stored values equal
the engine's projection; LibreOffice recalculating the workbook (as is, and after named inputs
are changed) gives the engine's projection of the same plan to the dollar."""

from __future__ import annotations

import datetime as dt
import functools
import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings

from planner.cost_tables import default_cost_tables
from planner.reports.context import plan_document
from planner.reports.workbook import CLASS_LABELS, line_names, plan_workbook
from planner.scenarios import fy_label, parse_plan, parse_plan_text, project
from tests.plans import document, parse
from tests.strategies import examples, plan_documents

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
TEXT_INPUTS = {"role", "mode", "delivery", "category", "status", "object_class"}
LABEL_CLASS = {label: name for name, label in CLASS_LABELS.items()}
# Every function the app's formulas use: all in Excel 2007 and LibreOffice (no _xlfn. prefix).
FUNCTIONS = {
    "ROUND",
    "ROUNDUP",
    "MAX",
    "MIN",
    "IF",
    "AND",
    "ISNUMBER",
    "MOD",
    "SUM",
    "SUMIF",
    "SUMIFS",
    "NPV",
    "INDEX",
    "MATCH",
}
# Excel's rules for a defined name: a letter or _ first, then letters, digits, _ and .; not
# a cell reference (A1 or R1C1); at most 255 characters.
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.]{0,254}")
CELL_LIKE = re.compile(r"([A-Za-z]{1,3}[0-9]+|[Rr][0-9]*[Cc][0-9]*)")


def plan_of(name: str):
    return parse_plan_text((EXAMPLES / f"{name}.json").read_bytes(), default_cost_tables())


def workbook_bytes(plan) -> bytes:
    return plan_workbook(plan_document(plan, prepared_on=dt.date(2026, 11, 28)))


@functools.cache
def demo_book() -> openpyxl.Workbook:
    """The demo plan's workbook with its formulas, made and opened once for the tests that
    read it (they only read it)."""
    return openpyxl.load_workbook(io.BytesIO(workbook_bytes(plan_of("demo-orange-county"))))


def components(book: openpyxl.Workbook, years: int) -> dict[tuple[str, str], list]:
    """(line id, object class) -> the yearly amounts of the Calculation sheet."""
    found = {}
    for row in book["Calculation"].iter_rows(min_row=2, values_only=True):
        if row[2] in LABEL_CLASS and row[1]:
            found[(row[1], LABEL_CLASS[row[2]])] = list(row[3 : 3 + years])
    return found


def assert_equals_engine(book: openpyxl.Workbook, plan) -> None:
    """Every component, line total, object class, strategy, fund figure and the summary of a
    workbook read with data_only=True equal the engine's projection of `plan`."""
    p = project(plan)
    years = plan.years
    found = components(book, years)
    for line in p.line_items:
        for name in CLASS_LABELS:
            want = list(line.by_object_class.get(name, (0,) * years))
            assert found.get((line.id, name), [0] * years) == want, (line.id, name)
    projection = book["Projection"]
    for row, line in enumerate(p.line_items, start=2):
        assert [projection.cell(row=row, column=4 + k).value for k in range(years)] == list(
            line.by_year
        ), line.id
    total_row = 2 + len(p.line_items)
    assert [projection.cell(row=total_row, column=4 + k).value for k in range(years)] == list(
        p.by_year
    )
    assert [
        float(projection.cell(row=total_row + 1, column=4 + k).value) for k in range(years)
    ] == [float(f) for f in p.fte_by_year]
    classes = book["Object classes"]
    rows = {classes.cell(row=r, column=1).value: r for r in range(2, 13)}
    for name, values in p.by_object_class.items():
        assert [
            classes.cell(row=rows[CLASS_LABELS[name]], column=2 + k).value for k in range(years)
        ] == list(values), name
    strategies = book["Strategies"]
    for row, (code, values) in enumerate(p.by_strategy.items(), start=2):
        assert [strategies.cell(row=row, column=3 + k).value for k in range(years)] == list(
            values
        ), code
    fund = book["Fund"]
    f = p.fund
    for row, series in enumerate((f.begin, f.receipts, f.interest, f.spending, f.closing), start=2):
        assert [fund.cell(row=row, column=2 + k).value for k in range(years)] == list(series)
    people = book["Participants"]
    for row, series in enumerate(
        (
            p.participants.new_enrollees,
            p.participants.avg_active,
            p.participants.peak_active,
            p.participants.participant_months,
        ),
        start=5,
    ):
        got = [people.cell(row=row, column=2 + k).value for k in range(years)]
        assert got == pytest.approx([float(v) for v in series], abs=1e-9)
    assert_sources_equal_engine(book, plan, p)
    if p.actuals is not None:  # planned (settlement spending, §16) against actual (§11)
        block = p.actuals
        found = [r for r in book["Actuals"].iter_rows(min_row=2, values_only=True) if r[2]]
        for index, k in enumerate(block.closed_fys):
            for s, code in enumerate(block.strategies):
                row = found[index * len(block.strategies) + s]
                assert row[0] == fy_label(k)
                assert row[2] == code
                assert row[3:6] == (
                    block.planned_by_strategy[code][index],
                    block.actual_by_strategy[code][index],
                    block.variance_by_strategy[code][index],
                ), (k, code)
    summary = book["Summary"]
    assert summary["B7"].value == p.total
    assert summary["B8"].value == p.npv_spending
    assert summary["B11"].value == p.npv_receipts
    assert summary["B13"].value == f.closing[-1]
    assert summary["B14"].value == (fy_label(f.first_deficit_fy) if f.first_deficit_fy else "none")


def assert_sources_equal_engine(book: openpyxl.Workbook, plan, p) -> None:
    """The Funding sources sheet (cost model §16): who pays, by FY, and each funded line's
    split equal the engine's `by_source`, at the top and per line."""
    if not plan.funding:
        assert "Funding sources" not in book.sheetnames
        return
    years = plan.years
    sheet = book["Funding sources"]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=1)]

    def fys(row):
        return list(row[2 : 2 + years])

    # who pays, by FY: the program's cost, each source in the order declared, the settlement
    top = 3  # 0-based row of "Program cost"
    assert fys(rows[top]) == list(p.by_year)
    keys = [s.id for s in plan.funding]
    for index, key in enumerate(keys):
        assert rows[top + 1 + index][1] == key
        assert fys(rows[top + 1 + index]) == list(p.by_source[key]), key
    settle = rows[top + 1 + len(keys)]
    assert settle[1] == "settlement"
    assert fys(settle) == list(p.by_source["settlement"])
    # each funded line: its total, what each entry pays, what the settlement fund pays
    funded = [line for line in plan.line_items if line.funded_by]
    heads = [r for r, row in enumerate(rows) if row[1] in {x.id for x in funded} and row[0]]
    heads = [r for r in heads if rows[r + 1][0] == "Line total (Projection sheet)"]
    assert len(heads) == len(funded)
    for r, line in zip(heads, funded, strict=True):
        want = p.line(line.id)
        assert rows[r][1] == line.id
        assert fys(rows[r + 1]) == list(want.by_year), line.id
        got: dict[str, list[int]] = {}
        for e, entry in enumerate(line.funded_by):
            pay = fys(rows[r + 2 + 2 * e])
            prior = got.get(entry.source, [0] * years)
            got[entry.source] = [a + b for a, b in zip(prior, pay, strict=True)]
        settle_row = rows[r + 2 + 2 * len(line.funded_by)]
        assert settle_row[1] == "settlement"
        got["settlement"] = fys(settle_row)
        assert got == {key: list(v) for key, v in want.by_source.items()}, line.id


@pytest.mark.parametrize(
    "name", ["demo-orange-county", "option-b-durham", "all-rules-pass", "minimal"]
)
def test_stored_values_equal_the_engine(name):
    plan = plan_of(name)
    book = openpyxl.load_workbook(io.BytesIO(workbook_bytes(plan)), data_only=True)
    assert_equals_engine(book, plan)


@pytest.mark.parametrize("name", ["real/fayetteville-lead", "real/gaston-lead"])
def test_funded_plans_stored_values_equal_the_engine(name):
    # Lines paid in part by a grant or the general fund (cost model §16): the Fund sheet
    # spends only the settlement part, as the engine does.
    plan = plan_of(name)
    p = project(plan)
    assert p.fund.spending != p.by_year  # the sources pay something
    book = openpyxl.load_workbook(io.BytesIO(workbook_bytes(plan)), data_only=True)
    assert_equals_engine(book, plan)


def test_funded_plan_with_actuals_compares_settlement_spending():
    # §16: the variance of a closed FY compares actual spending with planned settlement
    # spending, not the program's whole cost.
    data = json.loads((EXAMPLES / "real/fayetteville-lead.json").read_text(encoding="utf-8"))
    # FY2025-26: A:10 costs $498,228, of which the grant and the general fund pay $230,428
    data["actuals"] = {
        "FY2024-25": {"receipts": "500000", "interest": "1000", "spending": {"A:3": "80000"}},
        "FY2025-26": {"receipts": "400000", "interest": "900", "spending": {"A:10": "250000"}},
    }
    plan = parse_plan(data, default_cost_tables())
    p = project(plan)
    assert p.actuals is not None
    assert p.by_strategy["A:10"][1] == 498228
    assert p.actuals.planned_by_strategy["A:10"][1] == 267800  # = 498,228 − 230,428
    book = openpyxl.load_workbook(io.BytesIO(workbook_bytes(plan)), data_only=True)
    assert_equals_engine(book, plan)


@settings(max_examples=examples(25), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plan_documents(funding=True))
def test_generated_funded_plans_stored_values_equal_the_engine(doc):
    # Generated sources (awards, periods) and funded_by shares and amounts (§16).
    plan = parse(doc)
    book = openpyxl.load_workbook(io.BytesIO(workbook_bytes(plan)), data_only=True)
    assert_equals_engine(book, plan)


# Every kind and mode, a line window, indirect costs, a capped caseload, an existing
# caseload, refreshers every second year, negative salary escalation, cents in the fund.
EVERY_KIND = document(
    {
        "id": "pm",
        "kind": "position",
        "role": "program_manager",
        "fte": "1",
        "salary": "70000",
        "start_fy": 2027,
        "end_fy": 2031,
    },
    {
        "id": "2-peers",
        "kind": "position",
        "role": "peer_specialist",
        "fte": "2",
        "delivery": "contract",
        "fringe_rate": "0.3",
        "health_per_fte": "7000",
    },
    {
        "id": "cm",
        "kind": "case_management",
        "caseload_average": "12",
        "caseload_max": "15",
        "max_fte": "4",
        "min_fte": "1",
    },
    {
        "id": "wh-staffed",
        "kind": "warm_handoff",
        "mode": "staffed",
        "hours_per_week": "84",
        "staff_per_post": "2",
    },
    {"id": "wh-call", "kind": "warm_handoff", "mode": "on_call"},
    {
        "id": "wh-van",
        "kind": "warm_handoff",
        "mode": "contract",
        "hours_per_week": "40",
        "end_fy": 2029,
    },
    {
        "id": "training",
        "kind": "officer_training",
        "officers": 83,
        "refresher_interval_years": 2,
        "annual_turnover": "0.17",
        "class_size": 20,
        "start_fy": 2028,
    },
    {"id": "phones", "kind": "participant_phones"},
    {"id": "support", "kind": "participant_support"},
    {
        "id": "food",
        "kind": "service_gap",
        "category": "food",
        "status": "gap",
        "units": "3.5",
        "unit_cost": "1234.56",
        "object_class": "supplies",
    },
    {"id": "medical", "kind": "service_gap", "category": "medical", "status": "unknown"},
    {
        "id": "travel",
        "kind": "other",
        "annual_amount": "4321.09",
        "object_class": "travel",
        "escalate": False,
    },
    {"id": "naloxone", "kind": "other_strategy", "annual_amount": "45000"},
    years=12,
    assumptions={"salary_escalation": "-0.01", "indirect_rate": "0.1", "fte_increment": "0.25"},
    fund={
        "opening_balance": "250000.50",
        "interest_rate": "0.035",
        "receipts": {"2026": "900000.49", "2027": "0", "2030": "1100000.5", "2045": "5"},
    },
    participants={
        "referrals_per_year": {"arrest_diversion": "70", "community": "33"},
        "ramp": ["0.25", "0.6", "1.2"],
        "average_months_enrolled": 14,
        "initial_active": "23",
    },
)


# An exact half-dollar: 70,000 × 0.5 × 1.03² = 37,131.50 rounds up (cost model §2); in
# floating point the product is a hair off .5, which ROUND(ROUND(x, 6), 0) absorbs.
TIE = document(
    {"id": "tie", "kind": "position", "role": "other", "fte": "0.5", "salary": "70000"},
    years=3,
    assumptions={"salary_escalation": "0.03", "indirect_rate": "0"},
)


def test_an_exact_tie_rounds_up():
    plan = parse(TIE)
    assert project(plan).line("tie").by_object_class["personnel"][2] == 37132
    book = openpyxl.load_workbook(io.BytesIO(workbook_bytes(plan)), data_only=True)
    assert_equals_engine(book, plan)


def test_every_kind_stored_values_equal_the_engine():
    plan = parse(EVERY_KIND)
    book = openpyxl.load_workbook(io.BytesIO(workbook_bytes(plan)), data_only=True)
    assert_equals_engine(book, plan)


@settings(max_examples=examples(25), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plan_documents())
def test_generated_plans_stored_values_equal_the_engine(doc):
    # The stored values come from the same expressions as the formulas' text, in exact
    # arithmetic: this checks the formulas follow the engine for any plan.
    plan = parse(doc)
    book = openpyxl.load_workbook(io.BytesIO(workbook_bytes(plan)), data_only=True)
    assert_equals_engine(book, plan)


def test_inputs_are_named_by_their_plan_file_path():
    book = demo_book()
    names = dict(book.defined_names.items())
    for name in (
        "assumptions.salary_escalation",
        "participants.referrals_per_year.community",
        "line_items.case_managers.caseload_average",
        "fund.receipts.FY2027_28",
        "fund.receipts.FY2043_44",
        "line_items.program_manager.fte",
        "line_items.program_manager.salary",
        "participants.ramp.0",
        "fund.opening_balance",
        "line_items.warm_handoff.hourly_rate",
    ):
        assert name in names, name
    for name, definition in names.items():
        assert NAME.fullmatch(name), name
        assert not CELL_LIKE.fullmatch(name), name
        sheet, cell = list(definition.destinations)[0]
        assert sheet == "Inputs"
        # the row says which plan-file path it holds, under the same name
        value_cell = book["Inputs"][cell.replace("$", "")]
        assert book["Inputs"].cell(row=value_cell.row, column=3).value == name
        # numbers are numbers (a decimal written as text would be skipped by MAX or
        # ISNUMBER in Excel), and only the app's words are text
        if name.rsplit(".", 1)[-1] in TEXT_INPUTS:
            assert value_cell.data_type == "s", name
        elif name != "fund.moa_executed_on":
            # a number, a blank, or the formula of a default the plan leaves blank
            value = value_cell.value
            assert value is None or isinstance(value, int | float) or value[0] == "=", name
    inputs = book["Inputs"]
    path_of = {
        inputs.cell(row=r, column=3).value: inputs.cell(row=r, column=4).value
        for r in range(1, inputs.max_row + 1)
    }
    assert path_of["line_items.case_managers.caseload_average"] == "line_items[2].caseload_average"
    assert path_of["fund.receipts.FY2027_28"] == "fund.receipts.FY2027-28"
    # a receipt of FY2027-28 is an input, and the fund's receipts row reads it
    assert "fund.receipts.FY2027_28" in book["Fund"]["C3"].value
    # the beginning balance of each FY is the closing balance before it: nothing fixed
    assert book["Fund"]["C2"].value == "=Fund!B6"


def test_line_names_handle_digits_case_and_dashes():
    # Excel ignores case in names: the second of two ids that differ only so is named by
    # its position, as in the plan file's error paths.
    assert line_names(["2nd-shift", "PM", "pm", "a-b", "a_b"]) == [
        "line_items.2nd_shift",
        "line_items.PM",
        "line_items.2",
        "line_items.a_b",
        "line_items.4",
    ]


def test_formulas_use_only_common_functions_and_print_setup():
    book = demo_book()
    used = set()
    formulas = 0
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    formulas += 1
                    used |= set(re.findall(r"([A-Z][A-Z0-9]*)\(", cell.value))
        assert sheet.page_setup.orientation == "landscape", sheet.title
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title
        # one page wide (1 is the default, which XlsxWriter leaves out), as long as it takes
        assert sheet.page_setup.fitToWidth in (None, 1)
        assert sheet.page_setup.fitToHeight == 0
        assert sheet.print_title_rows == "$1:$1", sheet.title
        assert sheet.print_area, sheet.title
        assert sheet.freeze_panes, sheet.title
    assert used <= FUNCTIONS, used - FUNCTIONS
    assert formulas > 2500  # the whole model, not only the totals (the old one had 111)
    calc = book["Calculation"]
    personnel = next(
        r
        for r in calc.iter_rows(min_row=1)
        if r[1].value == "program-manager" and r[2].value == "a. Personnel"
    )
    assert personnel[3].value.startswith("=IF(")
    assert "ROUND(ROUND(" in personnel[3].value


def test_text_sheets_hold_justifications_and_basis():
    plan = plan_of("demo-orange-county")
    book = demo_book()
    just = book["Justifications"]
    assert [just.cell(row=2 + k, column=4).value for k in range(len(plan.line_items))] == [
        line.justification for line in plan.line_items
    ]
    basis = book["Basis of estimate"]
    rows = [(r[0].value, r[1].value) for r in basis.iter_rows(min_row=2)]
    # a zero-cost service line is written once for all its FYs
    assert ("Food", "FY2026-27 to FY2043-44") in rows
    p = project(plan)
    first = next(r for r in basis.iter_rows(min_row=2) if r[0].value == "LEAD program manager")
    assert first[2].value == p.line("program-manager").basis[0]


# ----------------------------------------------------------------------------- LibreOffice

CHANGES = {  # defined name -> new value, and the same change to the plan file
    "assumptions.salary_escalation": ("0.045", ("assumptions", "salary_escalation")),
    "line_items.program_manager.fte": ("1.5", ("line_items", 0, "fte")),
    "line_items.data_analyst.salary": ("88000", ("line_items", 1, "salary")),
    "participants.referrals_per_year.community": (
        "75",
        ("participants", "referrals_per_year", "community"),
    ),
    "line_items.case_managers.caseload_average": ("15", ("line_items", 2, "caseload_average")),
    "fund.receipts.FY2027_28": ("2500000", ("fund", "receipts", "FY2027-28")),
    "assumptions.inflation": ("0.04", ("assumptions", "inflation")),
    "line_items.case_managers.max_fte": ("3", ("line_items", 2, "max_fte")),  # was blank
    "line_items.case_managers.delivery": ("county", ("line_items", 2, "delivery")),
}


def _changed_plan():
    # The plan file as the county wrote it: what it leaves blank (the case managers' salary,
    # the call-out rate) follows the changed escalation, in the engine as in the workbook.
    data = json.loads((EXAMPLES / "demo-orange-county.json").read_text(encoding="utf-8"))
    for value, path in CHANGES.values():
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return parse_plan(data, default_cost_tables())


def _recalculate(sources: list[Path], out: Path, profile: Path, timeout: int = 120) -> None:
    """One LibreOffice run recalculating every workbook on load and saving it as xlsx."""
    user = profile / "user"
    user.mkdir(parents=True)
    settings = "".join(
        f'<item oor:path="/org.openoffice.Office.Calc/Formula/Load">'
        f'<prop oor:name="{key}" oor:op="fuse"><value>0</value></prop></item>'
        for key in ("OOXMLRecalcMode", "ODFRecalcMode")
    )
    (user / "registrymodifications.xcu").write_text(
        '<?xml version="1.0" encoding="UTF-8"?><oor:items '
        'xmlns:oor="http://openoffice.org/2001/registry" '
        'xmlns:xs="http://www.w3.org/2001/XMLSchema" '
        f'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">{settings}</oor:items>'
    )
    subprocess.run(  # noqa: S603 - LibreOffice on files this test wrote
        [
            shutil.which("soffice"),
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            "xlsx:Calc MS Excel 2007 XML",
            "--outdir",
            str(out),
            *map(str, sources),
        ],
        check=True,
        capture_output=True,
        timeout=timeout,
    )


@pytest.mark.slow
@pytest.mark.skipif(
    shutil.which("soffice") is None, reason="LibreOffice (libreoffice-calc-nogui) is not installed"
)
def test_libreoffice_recalculates_to_the_engine(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    # The other examples are recalculated with every input changed in
    # tests/test_workbook_recalc.py.
    plans = {"demo-orange-county": plan_of("demo-orange-county")}
    plans["every-kind"] = parse(EVERY_KIND)
    plans["tie"] = parse(TIE)
    plans["no-lines"] = parse(document(years=1))
    plans["closed-fys"] = plan_of("closed-fys")  # actuals (§11): the reforecast fund
    for name, plan in plans.items():
        (src / f"{name}.xlsx").write_bytes(workbook_bytes(plan))
    # The county edits the named inputs (openpyxl keeps the formulas, drops stored values).
    book = openpyxl.load_workbook(src / "demo-orange-county.xlsx")
    for name, (value, _) in CHANGES.items():
        sheet, cell = list(book.defined_names[name].destinations)[0]
        book[sheet][cell.replace("$", "")] = value if value.isalpha() else float(value)
    book.save(src / "changed.xlsx")
    out = tmp_path / "out"
    _recalculate(sorted(src.glob("*.xlsx")), out, tmp_path / "profile")
    for name, plan in plans.items():
        book = openpyxl.load_workbook(out / f"{name}.xlsx", data_only=True)
        assert_equals_engine(book, plan)
        errors = [
            (sheet.title, cell.coordinate)
            for sheet in book.worksheets
            for row in sheet.iter_rows()
            for cell in row
            if isinstance(cell.value, str) and cell.value.startswith("#")
        ]
        assert not errors, (name, errors)
    changed = _changed_plan()
    assert project(changed).total != project(plans["demo-orange-county"]).total
    assert_equals_engine(openpyxl.load_workbook(out / "changed.xlsx", data_only=True), changed)


FUNDING_CHANGES = {  # defined name -> new value, and the same change to the plan file
    "funding.sources.cossup.award": ("100000", ("funding", "sources", 0, "award")),
    "funding.sources.general_fund.award": ("30000", ("funding", "sources", 1, "award")),  # blank
    "line_items.lead_liaison.funded_by.0.share": (
        "0.6",
        ("line_items", 3, "funded_by", 0, "share"),
    ),
}


@pytest.mark.slow
@pytest.mark.skipif(
    shutil.which("soffice") is None, reason="LibreOffice (libreoffice-calc-nogui) is not installed"
)
def test_libreoffice_recalculates_funding_sources_to_the_engine(tmp_path):
    # Fayetteville (cost model §16): a smaller grant award, an award on the general fund
    # (blank: no limit), a smaller share; the recalculated Funding sources, Fund and Summary
    # sheets equal `planner project` of the plan file changed the same way, to the dollar.
    src = tmp_path / "in"
    src.mkdir()
    path = EXAMPLES / "real" / "fayetteville-lead.json"
    plan = plan_of("real/fayetteville-lead")
    (src / "as-is.xlsx").write_bytes(workbook_bytes(plan))
    book = openpyxl.load_workbook(src / "as-is.xlsx")
    for name, (value, _) in FUNDING_CHANGES.items():
        sheet, cell = list(book.defined_names[name].destinations)[0]
        book[sheet][cell.replace("$", "")] = float(value)
    book.save(src / "changed.xlsx")
    data = json.loads(path.read_text(encoding="utf-8"))
    for value, keys in FUNDING_CHANGES.values():
        target = data
        for key in keys[:-1]:
            target = target[key]
        target[keys[-1]] = value
    changed = parse_plan(data, default_cost_tables())
    before, after = project(plan), project(changed)
    assert after.fund.spending != before.fund.spending
    assert after.by_source["general-fund"] != before.by_source["general-fund"]
    out = tmp_path / "out"
    _recalculate(sorted(src.glob("*.xlsx")), out, tmp_path / "profile")
    assert_equals_engine(openpyxl.load_workbook(out / "as-is.xlsx", data_only=True), plan)
    assert_equals_engine(openpyxl.load_workbook(out / "changed.xlsx", data_only=True), changed)
