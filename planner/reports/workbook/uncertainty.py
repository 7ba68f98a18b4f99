"""The workbook's "Uncertainty" sheet (cost model §12): the percentiles of the simulated
plans, the chance the fund is short, and the exact tornado. Values, not formulas: they come
from thousands of simulated plans, not from the workbook's own cells."""

from __future__ import annotations

from typing import Any

from planner.scenarios import fy_label
from planner.scenarios.uncertainty import LABELS, RATES
from planner.services.analyses import analysis_of_plan

from .xlsx import print_setup

SHEET = "Uncertainty"


def uncertainty_sheet(w: Any, doc: Any) -> None:
    """Add the sheet to the workbook writer `w` when the plan has ranges."""
    analysis = analysis_of_plan(doc.plan, doc.projection)
    if analysis is None:
        return
    r = analysis.result
    sheet = w.add_worksheet(SHEET)
    money, percent = w.fmt("money"), w.fmt("percent")
    w.text(
        sheet,
        0,
        0,
        (
            f"{r.draws:,} simulated plans (seed {r.seed}); the ranges are the "
            "county's assumptions, not forecasts"
        ),
        bold=True,
    )
    row = 2
    w.header(sheet, row, ["Range", "Low", "Most likely", "High"])
    for name, t in r.variables.items():
        row += 1
        w.text(sheet, row, 0, LABELS[name])
        kind = "rate" if name in RATES else None  # a rate as a percentage (3.00%)
        for col, bound in enumerate((t.low, t.mode, t.high), start=1):
            sheet.write_number(row, col, float(bound), w.fmt(kind))
    row += 2
    top = row
    w.header(
        sheet,
        row,
        [
            "FY",
            "Spending P10",
            "Spending P50",
            "Spending P90",
            "Closing P10",
            "Closing P50",
            "Closing P90",
            "The plan's closing",
            "Chance the fund is short",
        ],
    )
    for k, fy in enumerate(r.fiscal_years):
        row += 1
        w.text(sheet, row, 0, fy_label(fy))
        values = (
            *(r.spending[p][k] for p in (10, 50, 90)),
            *(r.closing[p][k] for p in (10, 50, 90)),
            analysis.projection.fund.closing[k],
        )
        for col, amount in enumerate(values, start=1):
            sheet.write_number(row, col, amount, money)
        sheet.write_number(row, 8, r.p_deficit[k], percent)
    row += 1
    w.text(sheet, row, 0, "Short in at least one FY", bold=True)
    sheet.write_number(row, 8, r.p_any_deficit, percent)
    row += 2
    w.header(
        sheet,
        row,
        [
            "Sensitivity (exact)",
            "Lowest closing at low",
            "Lowest closing at high",
            "Swing",
            "Total at low",
            "Total at high",
        ],
    )
    row += 1
    w.text(sheet, row, 0, "Every range at its most likely value")
    if r.base.lowest_closing is not None:
        sheet.write_number(row, 1, r.base.lowest_closing, money)
    sheet.write_number(row, 4, r.base.total, money)
    for entry in r.tornado:
        row += 1
        w.text(sheet, row, 0, LABELS[entry.variable])
        for col, figure in (
            (1, entry.at_low.lowest_closing),
            (2, entry.at_high.lowest_closing),
            (3, entry.width),
            (4, entry.at_low.total),
            (5, entry.at_high.total),
        ):
            if figure is not None:
                sheet.write_number(row, col, figure, money)
    sheet.set_column(0, 0, 36)
    sheet.set_column(1, 8, 14)
    print_setup(sheet, row + 1, 9, freeze=(top + 1, 1))
