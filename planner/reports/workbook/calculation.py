"""The Calculation sheet: every component of every line in every FY (cost model §3, §5),
each the line kind's own formula (`kinds/`) evaluated on the workbook's cells through the
spreadsheet backend (`sheet_ops.py`), rounded once to whole dollars (§2)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from xlsxwriter.utility import xl_rowcol_to_cell

from planner.present.labels import CLASS_LABELS
from planner.scenarios.formulas import growth
from planner.scenarios.kinds import REGISTRY, YearInputs
from planner.scenarios.money import Q
from planner.scenarios.plan import OBJECT_CLASSES, Plan

from .inputs import InputCells, LineCells
from .participants import People
from .sheet_ops import FTE, SHEET, line_formulas
from .xlsx import AND, DOLLARS, IF, MAX, SUM, Writer, X, literal, print_setup

FY0 = 3  # the column of the first FY
NOTE = (
    "Each component is the line kind's own formula (planner/scenarios/kinds/) on the "
    "named inputs, rounded once to whole dollars, half up (cost model §2): ROUND(ROUND(x, 6), 0)."
)


@dataclass
class Calculation:
    """Where the sheet put each line's rows, for the sheets that add them up."""

    last_row: int = 8
    line_rows: list[tuple[int, int]] = field(default_factory=list)  # component rows
    parts: list[list[list[X]]] = field(default_factory=list)  # line -> FY -> components
    fte: list[list[X]] = field(default_factory=list)  # line -> FY (empty: no staff)
    by_class: dict[str, list[list[X]]] = field(default_factory=dict)  # class -> FY -> cells
    class_rows: dict[str, list[int]] = field(default_factory=dict)


def calculation_sheet(
    w: Writer, sheet: Any, plan: Plan, labels: list[str], ins: InputCells, people: People
) -> Calculation:
    years = plan.years
    w.header(sheet, 0, ["Calculation", "Line id", "Object class", *labels, "Total"])
    w.text(sheet, 1, 0, NOTE)
    fys, grow = _year_rows(w, sheet, plan, ins)
    calc = Calculation(
        by_class={c: [[] for _ in range(years)] for c in OBJECT_CLASSES},
        class_rows={c: [] for c in OBJECT_CLASSES},
    )
    a = ins.assumptions
    # every assumption a named cell: the kinds read them through `ops.num`, which keeps a cell
    assumptions = dataclasses.replace(plan.assumptions, **a)  # type: ignore[arg-type]
    for cells in ins.lines:
        years_in = [
            YearInputs(
                k=k,
                j=0,
                fy=plan.start_fy + k,
                salary_growth=grow["salary"][k],
                health_growth=grow["health"][k],
                inflation_growth=grow["inflation"][k],
                new_enrollees=people.new_enrollees[k],
                avg_active=people.avg_active[k],
                peak_active=people.peak_active[k],
                participant_months=people.participant_months[k],
                referrals=people.referrals[k],
                assumptions=assumptions,
            )
            for k in range(years)
        ]
        _line(w, sheet, plan, calc, cells, fys, years_in, a["indirect_rate"])
    sheet.set_column(0, 0, 52)
    sheet.set_column(1, 1, 18)
    sheet.set_column(2, 2, 20)
    sheet.set_column(FY0, FY0 + years, 13)
    print_setup(sheet, calc.last_row, FY0 + years + 1, title_cols=3, freeze=(1, FY0))
    return calc


def _year_rows(
    w: Writer, sheet: Any, plan: Plan, ins: InputCells
) -> tuple[list[X], dict[str, list[X]]]:
    """The FY of each column and the growth factors (1 + rate)^k of §2."""
    a = ins.assumptions
    rates = {"salary": "salary_escalation", "health": "health_escalation", "inflation": "inflation"}
    names = [
        "Plan year k",
        "Fiscal year (starting year)",
        "Salary growth (1 + salary escalation)^k",
        "Health growth (1 + health escalation)^k",
        "Inflation growth (1 + inflation)^k",
    ]
    for row, name in enumerate(names, start=2):
        w.text(sheet, row, 0, name)
    fys: list[X] = []
    grow: dict[str, list[X]] = {key: [] for key in rates}
    for k, fy in enumerate(plan.fiscal_years):
        col = FY0 + k
        sheet.write_number(2, col, k, w.fmt("whole"))
        sheet.write_number(3, col, fy, w.fmt("year"))
        fys.append(X(xl_rowcol_to_cell(3, col), Q(fy)))
        for row, (key, rate) in enumerate(rates.items(), start=4):
            grow[key].append(w.put(sheet, row, col, growth(SHEET, a[rate], k), "precise"))
    return fys, grow


def _line(
    w: Writer,
    sheet: Any,
    plan: Plan,
    calc: Calculation,
    cells: LineCells,
    fys: list[X],
    years_in: list[YearInputs[Any]],
    indirect_rate: X,
) -> None:
    line, li, lid = cells.line, cells.cells, cells.line.id
    kind = REGISTRY[line.kind]
    years = plan.years
    r = calc.last_row
    w.text(sheet, r, 0, line.label or line.id, bold=True)
    w.text(sheet, r, 1, lid)
    w.text(sheet, r, 2, kind.title)
    active, j = _window(w, sheet, plan, r + 1, lid, li, fys)
    # j is a cell too: a line's first FY is an input (officer training)
    ys = [dataclasses.replace(years_in[k], j=j[k]) for k in range(years)]  # type: ignore[arg-type]
    formulas = line_formulas(kind, line.params, li, ys, indirect_rate)
    r += 3
    fte: list[X] = []
    if any(f[FTE].t != "0" for f in formulas):
        fte = _row(
            w,
            sheet,
            r,
            "FTE",
            lid,
            [IF(active[k], formulas[k][FTE], 0) for k in range(years)],
            "decimal",
        )
        r += 1
    calc.fte.append(fte)
    _components(w, sheet, calc, lid, formulas, active, r)


def _window(
    w: Writer, sheet: Any, plan: Plan, r: int, lid: str, li: dict[str, X], fys: list[X]
) -> tuple[list[X], list[X]]:
    """A line's rows `r` (in its years: 1 or 0) and `r + 1` (j, FYs since its first)."""
    years = plan.years
    start, end = li["start_fy"], li["end_fy"]
    active = _row(
        w,
        sheet,
        r,
        "In the line's years (1 = yes)",
        lid,
        [IF(AND(fys[k].cmp(">=", start), fys[k].cmp("<=", end)), 1, 0) for k in range(years)],
        "whole",
    )
    first_fy = MAX(start, literal(plan.start_fy))
    j = _row(
        w,
        sheet,
        r + 1,
        "FYs since the line's first FY in the plan (j)",
        lid,
        [fys[k] - first_fy for k in range(years)],
        "whole",
    )
    return active, j


def _components(
    w: Writer,
    sheet: Any,
    calc: Calculation,
    lid: str,
    formulas: list[dict[str, X]],
    active: list[X],
    r: int,
) -> None:
    """A line's row per object class it has, from row `r`, each FY its kind's formula in
    whole dollars (0 outside the line's years), and the row's total."""
    years = len(formulas)
    present = {c for f in formulas for c in f if c != FTE}
    parts: list[list[X]] = [[] for _ in range(years)]
    top = r
    for c in OBJECT_CLASSES:
        if c not in present:
            continue
        zero = literal(0)
        row_cells = _row(
            w,
            sheet,
            r,
            CLASS_LABELS[c],
            lid,
            [IF(active[k], DOLLARS(formulas[k].get(c, zero)), 0) for k in range(years)],
            "money",
        )
        w.text(sheet, r, 2, CLASS_LABELS[c])
        first, last = xl_rowcol_to_cell(r, FY0), xl_rowcol_to_cell(r, FY0 + years - 1)
        w.put(sheet, r, FY0 + years, SUM(row_cells, f"SUM({first}:{last})"), "money", bold=True)
        for k in range(years):
            calc.by_class[c][k].append(row_cells[k])
            parts[k].append(row_cells[k])
        calc.class_rows[c].append(r)
        r += 1
    calc.line_rows.append((top, r - 1))
    calc.parts.append(parts)
    calc.last_row = r + 1


def _row(
    w: Writer, sheet: Any, r: int, name: str, line_id: str, values: list[X], kind: str
) -> list[X]:
    w.text(sheet, r, 0, name)
    w.text(sheet, r, 1, line_id)
    return [w.put(sheet, r, FY0 + k, x, kind) for k, x in enumerate(values)]
