"""The Fund sheet (cost model §6): beginning balance, receipts, interest on the beginning
balance, spending and closing balance of each FY; a closed FY takes its actuals (§11)."""

from __future__ import annotations

from typing import Any

from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

from planner.reports.context import PlanDocument
from planner.scenarios import fy_label
from planner.scenarios.money import q

from .actuals import ActualInputs
from .inputs import InputCells
from .xlsx import DOLLARS, IF, MAX, SUM, Writer, X, print_setup

ROWS = (
    "Beginning balance",
    "Receipts",
    "Interest (on the beginning balance)",
    "Spending",
    "Closing balance",
    "In deficit (1 = yes)",
)


def fund_sheet(
    w: Writer,
    sheet: Any,
    doc: PlanDocument,
    ins: InputCells,
    spending: list[X],
    actuals: dict[int, ActualInputs],
) -> X:
    """Writes the sheet; returns the cell of the first deficit FY. `spending`: the
    settlement fund's planned spending per FY (the program's cost less what other sources
    pay, §16)."""
    plan, p, years = doc.plan, doc.projection, doc.plan.years
    w.header(sheet, 0, ["Fund", *p.labels, "Total"])
    for row, name in enumerate(ROWS, start=1):
        w.text(sheet, row, 0, name, bold=row == 5)
    begin = DOLLARS(X("fund.opening_balance", q(plan.fund.opening_balance)))
    rate = X("fund.interest_rate", q(plan.fund.interest_rate))
    series: dict[int, list[X]] = {row: [] for row in (2, 3, 4)}
    for k in range(years):
        col = 1 + k
        b = w.put(sheet, 1, col, begin)
        closed = actuals.get(k)  # a closed FY takes its actuals (§11)
        rec = w.put(
            sheet, 2, col, DOLLARS(ins.receipts[k]) if closed is None else closed.receipts()
        )
        earned = DOLLARS(MAX(b, 0) * rate) if closed is None else closed.interest_dollars()
        inte = w.put(sheet, 3, col, earned)
        spent = spending[k] if closed is None else closed.spending()
        spend = w.put(sheet, 4, col, X(spent.t, spent.v))
        close = w.put(sheet, 5, col, b + rec + inte - spend, bold=True)
        w.put(sheet, 6, col, IF(close.cmp("<", 0), 1, 0), "whole")
        for row, x in ((2, rec), (3, inte), (4, spend)):
            series[row].append(x)
        begin = close
    for row, cells in series.items():
        first, last = xl_rowcol_to_cell(row, 1), xl_rowcol_to_cell(row, years)
        w.put(sheet, row, 1 + years, SUM(cells, f"SUM({first}:{last})"), bold=True)
    w.text(sheet, 8, 0, "First deficit FY")
    first_deficit = fy_label(p.fund.first_deficit_fy) if p.fund.first_deficit_fy else "none"
    deficits = f"$B$7:${xl_col_to_name(years)}$7"
    header = f"$B$1:${xl_col_to_name(years)}$1"
    text = f'IF(SUM({deficits})=0,"none",INDEX({header},MATCH(1,{deficits},0)))'
    deficit = w.put(sheet, 8, 1, X(text, first_deficit), None)
    if p.fund.receipts_outside_plan:
        w.text(
            sheet,
            10,
            0,
            "Receipts outside the plan's years (not projected): "
            + ", ".join(f"{fy} ${amount:,}" for fy, amount in p.fund.receipts_outside_plan.items()),
        )
    sheet.set_column(0, 0, 34)
    sheet.set_column(1, 1 + years, 13)
    print_setup(sheet, 11, 2 + years)
    return deficit
