"""The Excel workbook: the county's live model of its plan (cost model §2–6, §11, §12).

The Inputs sheet holds every input of the projection under a defined name made from its
plan-file path; the Participants sheet runs the monthly cohort model; the Calculation sheet
computes every component of every line and FY with the line kinds' own formulas; Projection,
Object classes, Strategies, Fund and Summary add them up. A change to an input flows
everywhere when the workbook is recalculated. Each formula is built with its exact value, and
the value is stored with the formula, so a reader that does not recalculate (previewers,
pandas, openpyxl) sees the engine's figures.

    xlsx.py         the formula type `X` and the writer
    sheet_ops.py    the spreadsheet backend of the kinds' `Ops`
    inputs.py       the Inputs sheet (defaults as formulas of their inputs)
    participants.py, calculation.py, totals.py, funding.py, fund.py, summary.py, actuals.py,
    text_sheets.py, uncertainty.py: one sheet (or a few alike) each
"""

from __future__ import annotations

import io

from planner.cost_tables import default_cost_tables
from planner.present.labels import CLASS_LABELS
from planner.reports.context import PlanDocument

from .actuals import actual_inputs, actuals_sheet_write
from .calculation import calculation_sheet
from .fund import fund_sheet
from .funding import SHEET_NAME, funding_inputs, funding_sheet
from .inputs import finish, inputs_sheet, line_names
from .participants import participants_sheet
from .summary import summary_sheet
from .text_sheets import basis_sheet, compliance_sheet, justifications_sheet, sources_sheet
from .totals import classes_sheet, projection_sheet, strategies_sheet
from .uncertainty import uncertainty_sheet
from .xlsx import Writer

__all__ = ["CLASS_LABELS", "line_names", "plan_workbook"]


def plan_workbook(doc: PlanDocument) -> bytes:
    output = io.BytesIO()
    w = Writer(output)
    plan = doc.plan
    labels = list(doc.projection.labels)
    summary = w.add_worksheet("Summary")
    ins = inputs_sheet(w, plan, default_cost_tables(), doc.receipts_basis)
    actuals = actual_inputs(ins.inputs, plan)  # closed FYs (cost model §11)
    funding = funding_inputs(ins.inputs, plan, [cells.stem for cells in ins.lines])  # §16
    finish(ins.inputs)
    sheets = {
        name: w.add_worksheet(name)
        for name in ("Projection", "Object classes", "Strategies", "Fund")
    }
    funding_sheet_ = w.add_worksheet(SHEET_NAME) if plan.funding else None
    actuals_sheet = w.add_worksheet("Actuals") if plan.actuals else None
    people_sheet = w.add_worksheet("Participants")
    calc_sheet = w.add_worksheet("Calculation")
    text = {
        name: w.add_worksheet(name)
        for name in ("Justifications", "Basis of estimate", "Compliance", "Sources of defaults")
    }
    people = participants_sheet(w, people_sheet, plan, labels, ins)
    calc = calculation_sheet(w, calc_sheet, plan, labels, ins, people)
    totals = projection_sheet(w, sheets["Projection"], doc, calc)
    classes_sheet(w, sheets["Object classes"], doc, calc)
    strategies_sheet(w, sheets["Strategies"], doc, totals)
    spending, settlement = totals.spending, totals.line_year
    if funding_sheet_ is not None:  # the fund spends settlement money only (§16)
        spending, settlement = funding_sheet(w, funding_sheet_, doc, totals, funding)
    deficit = fund_sheet(w, sheets["Fund"], doc, ins, spending, actuals)
    summary_sheet(w, summary, doc, totals, people, deficit)
    if actuals_sheet is not None:
        actuals_sheet_write(w, actuals_sheet, doc, actuals, ins.receipts, settlement)
    justifications_sheet(w, text["Justifications"], doc)
    basis_sheet(w, text["Basis of estimate"], doc)
    compliance_sheet(w, text["Compliance"], doc)
    sources_sheet(w, text["Sources of defaults"], doc)
    uncertainty_sheet(w, doc)
    title = f"{doc.plan_name} — projection"
    w.book.set_properties({"title": title, "author": doc.jurisdiction or "LEAD settlement planner"})
    w.book.set_calc_mode("auto")
    w.book.close()
    return output.getvalue()
