"""The sheets that add the Calculation sheet up: Projection (each line and FY, and the FTE),
Object classes (SF-424A) and Strategies."""

from __future__ import annotations

from typing import Any

from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

from planner.present.labels import CLASS_LABELS
from planner.reports.context import PlanDocument
from planner.scenarios.money import Q
from planner.scenarios.plan import OBJECT_CLASSES

from .calculation import FY0, Calculation
from .xlsx import SUM, Writer, X, lift, print_setup


class Totals:
    """What the fund and the summary read from the Projection sheet."""

    def __init__(self, spending: list[X], line_year: list[list[X]], total_row: int, fte: list[X]):
        self.spending, self.line_year, self.total_row, self.fte = (
            spending,
            line_year,
            total_row,
            fte,
        )


def projection_sheet(w: Writer, sheet: Any, doc: PlanDocument, calc: Calculation) -> Totals:
    plan, years = doc.plan, doc.plan.years
    w.header(sheet, 0, ["Line item", "Line id", "Strategy", *doc.projection.labels, "Total"])
    line_year: list[list[X]] = []
    for index, (line, (top, bottom)) in enumerate(
        zip(plan.line_items, calc.line_rows, strict=True)
    ):
        r = 1 + index
        w.text(sheet, r, 0, line.label or line.id)
        w.text(sheet, r, 1, line.id)
        w.text(sheet, r, 2, line.strategy or "")
        cells = []
        for k in range(years):
            col = xl_col_to_name(FY0 + k)
            text = f"SUM(Calculation!{col}{top + 1}:{col}{bottom + 1})" if bottom >= top else "0"
            cells.append(w.put(sheet, r, 3 + k, SUM(calc.parts[index][k], text)))
        line_year.append(cells)
        first, last = xl_rowcol_to_cell(r, 3), xl_rowcol_to_cell(r, 2 + years)
        w.put(sheet, r, 3 + years, SUM(cells, f"SUM({first}:{last})"), bold=True)
    total_row = 1 + len(plan.line_items)
    w.text(sheet, total_row, 0, "Total", bold=True)
    spending: list[X] = []
    for col in range(3, 4 + years):
        letter = xl_col_to_name(col)
        column = (
            [cells[col - 3] for cells in line_year]
            if col < 3 + years
            else [x for cells in line_year for x in cells]
        )
        text = f"SUM({letter}2:{letter}{total_row})" if line_year else "0"
        cell = w.put(sheet, total_row, col, SUM(column, text), bold=True)
        if col < 3 + years:
            spending.append(cell)
    fte_row = total_row + 1
    w.text(sheet, fte_row, 0, "FTE")
    fte = []
    for k in range(years):
        parts = [rows[k] for rows in calc.fte if rows]
        x = SUM(parts, "+".join(x.t for x in parts)) if parts else lift(0)
        fte.append(w.put(sheet, fte_row, 3 + k, x, "decimal"))
    sheet.set_column(0, 0, 38)
    sheet.set_column(1, 1, 18)
    sheet.set_column(2, 2, 10)
    sheet.set_column(3, 3 + years, 12)
    print_setup(sheet, fte_row + 1, 4 + years, title_cols=1, freeze=(1, 3))
    return Totals(spending, line_year, total_row, fte)


def classes_sheet(w: Writer, sheet: Any, doc: PlanDocument, calc: Calculation) -> None:
    years = doc.plan.years
    w.header(sheet, 0, ["Object class (SF-424A)", *doc.projection.labels, "Total"])
    class_col = f"Calculation!$C$1:$C${calc.last_row}"
    rows: dict[str, list[X]] = {}

    def class_row(r: int, name: str, values: list[X], bold: bool = False) -> list[X]:
        w.text(sheet, r, 0, name, bold=bold)
        cells = [w.put(sheet, r, 1 + k, x, bold=bold) for k, x in enumerate(values)]
        first, last = xl_rowcol_to_cell(r, 1), xl_rowcol_to_cell(r, years)
        w.put(sheet, r, 1 + years, SUM(cells, f"SUM({first}:{last})"), bold=True)
        return cells

    def by_class(c: str, k: int) -> X:
        letter = xl_col_to_name(FY0 + k)
        text = (
            f'SUMIF({class_col},"{CLASS_LABELS[c]}",'
            f"Calculation!{letter}$1:{letter}${calc.last_row})"
        )
        return SUM(calc.by_class[c][k], text)

    direct = [c for c in OBJECT_CLASSES if c != "indirect"]
    for r, c in enumerate(direct, start=1):
        rows[c] = class_row(r, CLASS_LABELS[c], [by_class(c, k) for k in range(years)])
    cell = xl_rowcol_to_cell
    total_direct = class_row(
        9,
        "i. Total direct charges",
        [
            SUM([rows[c][k] for c in direct], f"SUM({cell(1, 1 + k)}:{cell(8, 1 + k)})")
            for k in range(years)
        ],
        True,
    )
    indirect = class_row(
        10, CLASS_LABELS["indirect"], [by_class("indirect", k) for k in range(years)]
    )
    class_row(
        11,
        "k. Totals",
        [
            SUM([total_direct[k], indirect[k]], f"{cell(9, 1 + k)}+{cell(10, 1 + k)}")
            for k in range(years)
        ],
        True,
    )
    end = _by_strategy(w, sheet, doc, calc, 13)
    codes = len(doc.projection.by_strategy)
    sheet.set_column(0, 0, 36)
    sheet.set_column(1, max(years, codes) + 1, 13)
    print_setup(sheet, end + 1, max(years, codes) + 2, freeze=(1, 1))


def _line_of(row: int, line_rows: list[tuple[int, int]]) -> int:
    for index, (top, bottom) in enumerate(line_rows):
        if top <= row <= bottom:
            return index
    raise ValueError(row)


def _by_strategy(w: Writer, sheet: Any, doc: PlanDocument, calc: Calculation, r: int) -> int:
    """Each object class by strategy over the whole plan, below the classes by FY."""
    p, plan = doc.projection, doc.plan
    total_col = FY0 + plan.years
    codes = list(p.by_strategy)
    titles = [doc.titles.get(code, code) for code in codes]
    w.header(sheet, r, ["Object class by strategy (whole plan)", *titles, "Total"])
    top = r + 1
    r += 1
    strategy_of = [line.strategy or "unassigned" for line in plan.line_items]
    for c in OBJECT_CLASSES:
        w.text(sheet, r, 0, CLASS_LABELS[c])
        cells = []
        for col, code in enumerate(codes, start=1):
            refs = [
                f"Calculation!{xl_rowcol_to_cell(row, total_col)}"
                for row in calc.class_rows[c]
                if strategy_of[_line_of(row, calc.line_rows)] == code
            ]
            value = Q(doc.classes_by_strategy[code].get(c, 0))
            cells.append(w.put(sheet, r, col, X("+".join(refs) if refs else "0", value)))
        first, last = xl_rowcol_to_cell(r, 1), xl_rowcol_to_cell(r, len(codes))
        text = f"SUM({first}:{last})" if codes else "0"
        w.put(sheet, r, 1 + len(codes), SUM(cells, text), bold=True)
        r += 1
    w.text(sheet, r, 0, "Total", bold=True)
    for col in range(1, 2 + len(codes)):
        letter = xl_col_to_name(col)
        value = Q(p.strategy_totals[codes[col - 1]]) if col <= len(codes) else Q(p.total)
        w.put(sheet, r, col, X(f"SUM({letter}{top + 1}:{letter}{r})", value), bold=True)
    return r


def strategies_sheet(w: Writer, sheet: Any, doc: PlanDocument, totals: Totals) -> None:
    p, years = doc.projection, doc.plan.years
    codes = list(p.by_strategy)
    w.header(sheet, 0, ["Strategy", "Code", *p.labels, "Total"])
    strategy_of = [line.strategy or "unassigned" for line in doc.plan.line_items]
    for index, code in enumerate(codes):
        r = 1 + index
        w.text(sheet, r, 0, doc.titles.get(code, code), wrap=True)
        w.text(sheet, r, 1, code)
        members = [i for i, s in enumerate(strategy_of) if s == code]
        cells = []
        for k in range(years):
            parts = [totals.line_year[i][k] for i in members]
            cells.append(w.put(sheet, r, 2 + k, SUM(parts, "+".join(x.t for x in parts))))
        first, last = xl_rowcol_to_cell(r, 2), xl_rowcol_to_cell(r, 1 + years)
        w.put(sheet, r, 2 + years, SUM(cells, f"SUM({first}:{last})"), bold=True)
    r = 1 + len(codes)
    w.text(sheet, r, 0, "Total", bold=True)
    for col in range(2, 3 + years):
        letter = xl_col_to_name(col)
        value = Q(p.by_year[col - 2]) if col < 2 + years else Q(p.total)
        text = f"SUM({letter}2:{letter}{r})" if codes else "0"
        w.put(sheet, r, col, X(text, value), bold=True)
    sheet.set_column(0, 0, 44)
    sheet.set_column(2, 2 + years, 12)
    print_setup(sheet, r + 1, 3 + years, freeze=(1, 2))
