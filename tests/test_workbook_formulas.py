"""The workbook's formulas come from the engine's: the line kinds' own `cost` on the
spreadsheet backend (`reports/workbook/sheet_ops.py`), the defaults a plan leaves blank as
formulas of their inputs, and a new line kind reaches the editor, the PDF, the workbook and
the simulation with no other edit. No LibreOffice here (tests/test_workbook_recalc.py
recalculates): the formulas' text and their exact values."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings

from planner.forms.plan_forms import build_form, line_inputs
from planner.present.formatting import WORKBOOK_FORMATS
from planner.reports.context import plan_document
from planner.reports.render import plan_report_html
from planner.reports.words import format_input
from planner.reports.workbook import line_names, plan_workbook, sheet_ops, xlsx
from planner.reports.workbook.sheet_ops import SHEET, line_formulas
from planner.reports.workbook.xlsx import X
from planner.scenarios import project
from planner.scenarios.fields import money, whole
from planner.scenarios.kinds import REGISTRY, Cost, LineKind, Params, register
from planner.scenarios.kinds.base import Exact, N, Ops, Rounded, YearInputs, param
from planner.scenarios.kinds.officer_training import trainees
from planner.scenarios.money import Q, fmt_money, q
from planner.scenarios.vectorized import evaluate
from tests.plans import document, example, parse
from tests.strategies import examples, plan_documents
from tests.test_workbook_live import assert_equals_engine

PACKAGE = Path(__file__).resolve().parent.parent / "planner" / "reports" / "workbook"


def book_of(plan, data_only=True) -> openpyxl.Workbook:
    data = plan_workbook(plan_document(plan, prepared_on=dt.date(2026, 11, 28)))
    return openpyxl.load_workbook(io.BytesIO(data), data_only=data_only)


def inputs_by_name(book) -> dict[str, openpyxl.cell.Cell]:
    sheet = book["Inputs"]
    return {row[2].value: row[1] for row in sheet.iter_rows(min_row=2) if row[2].value}


def test_no_kind_formula_is_written_in_the_workbook():
    # Words only a kind's formula uses: none appears in the workbook's code.
    words = ("caseload", "stipend", "refresher", "turnover", "high_risk_share", "callout")
    for path in PACKAGE.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not [w for w in words if w in text], path.name


def test_officer_training_refreshers_stay_live_on_cells():
    # 40 officers, 20% turnover, refreshers every 2nd year, in the line's FY j = 2:
    # initial = ceil(40 × 0.2) = 8 new hires; refresher = max(40 − 8, 0) = 32.
    params = dataclasses.replace(
        REGISTRY["officer_training"].params_type(
            officers=40,
            initial_hours=Decimal(8),
            refresher_hours=Decimal(4),
            refresher_interval_years=2,
            annual_turnover=Decimal("0.2"),
            officer_hourly_rate=Decimal(30),
            class_size=20,
            trainer_cost_per_session=Decimal(900),
            materials_per_trainee=Decimal(20),
        ),
    )
    cells = dataclasses.replace(
        params,
        officers=X("ot.officers", Q(40)),
        annual_turnover=X("ot.annual_turnover", Q(1, 5)),
        refresher_interval_years=X("ot.refresher_interval_years", Q(2)),
    )
    initial, refresher = trainees(cells, X("J", Q(2)), SHEET)
    assert (initial.v, refresher.v) == (8, 32)
    assert initial.t.startswith("IF((J=0),ot.officers,ROUNDUP(")
    assert "MOD(J,ot.refresher_interval_years)" in refresher.t
    # j = 3 is no refresher year: 0 refreshers, and the same formula text
    _, none = trainees(cells, X("J", Q(3)), SHEET)
    assert none.v == 0
    assert none.t == refresher.t


def test_a_staffing_lines_delivery_and_own_rates_stay_live():
    plan = parse(
        document(
            {"id": "pm", "kind": "position", "role": "other", "fte": "1", "salary": "50000"},
            years=1,
            assumptions={"indirect_rate": "0.1"},
        )
    )
    line = plan.line_items[0]
    cells = {
        name: X(f"pm.{name}", None if value is None else q(value))
        for name, value in vars(line.params).items()
        if not isinstance(value, str | bool)
    }
    cells["delivery"] = X("pm.delivery", "county")
    a = {
        f.name: X(f"a.{f.name}", q(getattr(plan.assumptions, f.name)))
        for f in dataclasses.fields(plan.assumptions)
    }
    y = YearInputs(
        k=0,
        j=0,
        fy=plan.start_fy,
        salary_growth=X("G", Q(1)),
        health_growth=X("H", Q(1)),
        inflation_growth=X("I", Q(1)),
        new_enrollees=X("N", Q(0)),
        avg_active=X("A", Q(0)),
        peak_active=X("P", Q(0)),
        participant_months=X("M", Q(0)),
        referrals=X("R", Q(0)),
        assumptions=dataclasses.replace(plan.assumptions, **a),
    )
    [found] = line_formulas(REGISTRY["position"], line.params, cells, [y], a["indirect_rate"])
    # county: personnel 50,000; contractual 0 — with the switch in the formula
    assert found["personnel"].v == 50000
    assert found["personnel"].t == 'IF(pm.delivery="county",((pm.salary*G)*pm.fte),0)'
    assert found["contractual"].t.startswith('IF(pm.delivery="county",0,')
    assert found["contractual"].v == 0
    # the line's own fringe rate where its cell holds a number, else the plan's
    assert "IF(ISNUMBER(pm.fringe_rate),pm.fringe_rate,a.fringe_rate)" in found["fringe"].t


def _evaluate(text: str, names: dict[str, Decimal]) -> Decimal:
    """A default's formula (ROUND, + − × ÷ ^ over names) in exact decimals: ROUND half up."""

    def ROUND(x: Decimal, places: int) -> Decimal:  # noqa: N802 - the spreadsheet's name
        return x.quantize(Decimal(1).scaleb(-places), rounding="ROUND_HALF_UP")

    for name, value in names.items():
        text = text.replace(name, f"Decimal('{value}')")
    text = re.sub(r"(?<![\w'.])(\d+(?:\.\d+)?)(?![\w'])", r"Decimal('\1')", text)
    return eval(text.lstrip("=").replace("^", "**"), {"Decimal": Decimal, "ROUND": ROUND})  # noqa: S307


def test_a_blank_salary_is_a_formula_of_the_escalation():
    # The review's case: the minimal plan leaves the case managers' salary blank; at a 4.5%
    # salary escalation the engine ages the table's salary with 4.5%, and so does the cell.
    doc = {"participants": {"referrals_per_year": {"arrest_diversion": 30}}}
    line = {"id": "cm", "kind": "case_management"}
    book = book_of(parse(document(line, **doc)), data_only=False)
    formula = inputs_by_name(book)["line_items.cm.salary"].value
    assert "assumptions.salary_escalation" in formula
    changed = parse(document(line, assumptions={"salary_escalation": "0.045"}, **doc))
    want = changed.line_items[0].params.salary
    got = _evaluate(formula, {"assumptions.salary_escalation": Decimal("0.045")})
    assert got == want
    # a salary the plan states is a number
    stated = parse(document({**line, "salary": "61000"}, **doc))
    assert inputs_by_name(book_of(stated, data_only=False))["line_items.cm.salary"].value == 61000


def test_line_ids_2_x_X_have_a_workbook():
    # Security review L4: `X` collides with `x` and is named by its position, which the id
    # `2` already took: it takes `line_items.2_1`.
    assert line_names(["2", "x", "X"]) == ["line_items.2", "line_items.x", "line_items.2_1"]
    lines = [{"id": i, "kind": "other", "annual_amount": "1000"} for i in ("2", "x", "X")]
    plan = parse(document(*lines, years=2))
    book = book_of(plan)
    assert_equals_engine(book, plan)
    assert {"line_items.2.annual_amount", "line_items.2_1.annual_amount"} <= set(
        inputs_by_name(book)
    )


def test_inputs_are_formatted_by_their_unit():
    plan = parse(
        document({"id": "pm", "kind": "position", "role": "other", "fte": "1", "salary": "5"})
    )
    book = book_of(plan, data_only=False)
    cells = inputs_by_name(book)
    assert cells["assumptions.salary_escalation"].number_format == WORKBOOK_FORMATS["rate"]
    assert cells["line_items.pm.salary"].number_format == WORKBOOK_FORMATS["dollars"]
    assert cells["line_items.pm.fte"].number_format == WORKBOOK_FORMATS["fte"]
    # named as the editor names them
    label = {row[2].value: row[0].value for row in book["Inputs"].iter_rows(min_row=2)}
    assert label["line_items.pm.fte"] == "FTE"
    assert label["assumptions.fte_increment"] == "Hiring step (FTE)"


# ----------------------------------------------------------------------------- a new kind


@dataclass(frozen=True, kw_only=True)
class LeaseParams(Params):
    vehicles: int = param(whole(required=True, label="Vehicles leased", hint="whole number"))
    # a money field whose name ends in `_rate`: its unit, not its name, says dollars
    monthly_rate: Decimal = param(
        money(default="vehicle_lease.monthly_rate", required=True, label="Lease a month ($)")
    )


class VehicleLease(LineKind[LeaseParams]):
    name = "vehicle_lease"
    title = "Vehicle lease"
    params_type = LeaseParams

    def cost(self, params: LeaseParams, y: YearInputs[N], ops: Ops[N]) -> Cost[N]:
        monthly = ops.num(params.monthly_rate) * y.inflation_growth
        return Cost({"equipment": ops.num(params.vehicles) * monthly * ops.num(12)}, ops.num(0))

    def basis(
        self, params: LeaseParams, y: YearInputs[Exact], cost: Cost[Exact], rounded: Rounded
    ) -> str:
        return f"{params.vehicles} vehicles × 12 months = {fmt_money(rounded['equipment'])}"


def test_a_new_kind_needs_only_its_module():
    with register(VehicleLease()):
        line = {"id": "vans", "kind": "vehicle_lease", "vehicles": 2, "monthly_rate": "666.25"}
        plan = parse(document(line, years=3, assumptions={"inflation": "0.03"}))
        p = project(plan)
        # 2 × 666.25 × 12 = 15,990; × 1.03 = 16,469.70; indirect 0 (equipment is no base)
        assert p.line("vans").by_object_class["equipment"][:2] == (15990, 16470)
        # the workbook: the kind's own formula, the engine's figures
        assert_equals_engine(book_of(plan), plan)
        formulas = book_of(plan, data_only=False)["Calculation"]
        texts = [c.value for row in formulas.iter_rows() for c in row if isinstance(c.value, str)]
        assert any("line_items.vans.monthly_rate" in t for t in texts)
        # the simulation (no ranges: every draw is the plan)
        outcome = evaluate(plan, {}, 3)
        assert np.array_equal(outcome.spending[0], np.array(p.by_year))
        # the PDF's content: its name and basis
        html = plan_report_html(plan_document(plan, prepared_on=dt.date(2026, 11, 28)))
        assert "Vehicle lease" in html
        assert "2 vehicles × 12 months" in html
        # the editor: its inputs, labelled from the definition
        form = build_form(line_inputs("vehicle_lease", None, 0))
        labels = {
            name: field.args[0] for name, field in vars(form).items() if hasattr(field, "args")
        }
        assert "Lease a month ($)" in labels.values()
        # a money value is money, whatever the field is called (not "66,625%")
        assert format_input("vehicle_lease.monthly_rate", Decimal("666.25")) == "$666.25"


def _sheets(data: bytes) -> dict[str, bytes]:
    """A workbook's parts but its document properties (which hold the time it was made)."""
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        return {n: book.read(n) for n in book.namelist() if not n.startswith("docProps/")}


@pytest.mark.slow  # writes each example's workbook twice
@pytest.mark.parametrize(
    "name",
    [
        "demo-orange-county",
        "all-rules-pass",
        "option-b-durham",
        "closed-fys",
        "minimal",
        "real/fayetteville-lead",
        "real/gaston-lead",
    ],
)
def test_a_lines_formulas_written_once_are_those_of_every_branch_in_every_year(name, monkeypatch):
    """sheet_ops evaluates a line's choices' branches once, on placeholder cells, and only
    the plan's own branch in each year: the workbook is the same, byte for byte, as when
    every branch is evaluated in every year (`_Shape.of` giving nothing turns it off)."""
    doc = plan_document(example(f"{name}.json"), prepared_on=dt.date(2026, 11, 28))
    shaped = plan_workbook(doc)
    monkeypatch.setattr(sheet_ops._Shape, "of", classmethod(lambda cls, *args: None))
    assert _sheets(shaped) == _sheets(plan_workbook(doc))


@pytest.mark.slow
@settings(max_examples=examples(10), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plan_documents(funding=True))
def test_generated_plans_formulas_written_once_are_those_of_every_branch(data):
    plan = parse(data)
    doc = plan_document(plan, prepared_on=dt.date(2026, 11, 28))
    shaped = plan_workbook(doc)
    of = sheet_ops._Shape.of
    sheet_ops._Shape.of = classmethod(lambda cls, *args: None)  # type: ignore[assignment]
    try:
        assert _sheets(shaped) == _sheets(plan_workbook(doc))
    finally:
        sheet_ops._Shape.of = of  # type: ignore[method-assign]


@pytest.mark.slow  # writes two examples' workbooks twice
@pytest.mark.parametrize("name", ["demo-orange-county", "real/gaston-lead"])
def test_formulas_stored_directly_are_what_write_formula_stores(name, monkeypatch):
    """`Writer.put` stores a formula in XlsxWriter's cell table itself (xlsx.DIRECT): the
    workbook is the same, byte for byte, as through XlsxWriter's `write_formula`."""
    doc = plan_document(example(f"{name}.json"), prepared_on=dt.date(2026, 11, 28))
    direct = plan_workbook(doc)
    monkeypatch.setattr(xlsx, "DIRECT", False)
    assert _sheets(direct) == _sheets(plan_workbook(doc))


def test_formulas_are_stored_directly_with_the_pinned_xlsxwriter():
    # A version bump turns the direct path off (the workbook slower, not wrong): say so here.
    import xlsxwriter

    assert xlsxwriter.__version__ == "3.3.1"
    assert xlsx.DIRECT
