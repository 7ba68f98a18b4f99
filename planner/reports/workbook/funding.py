"""Funding sources (cost model §16): who pays each line, live.

The Inputs sheet holds each source's `award` and each line's `funded_by` shares and amounts
under defined names (`funding.sources.cossup.award`, `line_items.pm.funded_by.0.share`,
`line_items.pm.funded_by.1.amounts.FY2027_28`). The Funding sources sheet splits each line's
total (the Projection sheet's cell, the sum of its Calculation rows) in the engine's order —
FYs in order, then lines in plan order, then the line's entries in order:

    share:   a = MIN(R, A, ROUND(ROUND(share × months_k / 12 × T, 6), 0))
    amounts: a = MIN(R, A, ROUND(ROUND(amount_k, 6), 0))
    R = R − a;  A = what is left of the source's award (a blank award: no limit)

R after the last entry is the line's settlement part; the settlement fund's spending per FY
is the program's cost less what every source pays, and the Fund sheet spends it. `months_k`
(the months of the FY inside the source's period) is written as a number: start and end are
dates of the plan, changed in the plan file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from xlsxwriter.utility import xl_rowcol_to_cell

from planner.reports.context import PlanDocument
from planner.scenarios import fy_label
from planner.scenarios.money import Q
from planner.scenarios.plan import FundingSource, Plan

from .inputs import Inputs
from .totals import Totals
from .xlsx import DOLLARS, IF, ISNUMBER, MIN, SUM, Writer, X, lift, print_setup

SHEET_NAME = "Funding sources"
FY0 = 2  # the column of the first FY
NOTE = (
    "Each line's funded_by entries, in order (FYs in order, then lines in plan order): "
    "share: MIN(left to pay, award left, ROUND(share × months/12 × line total)); "
    "amounts: MIN(left to pay, award left, amount). The settlement fund pays the rest "
    "(cost model §16); the Fund sheet spends only that. Months of a FY inside a source's "
    "period follow its start and end dates in the plan file."
)


@dataclass
class FundingInputs:
    """The named inputs of §16: each source's award, each entry's share or amounts."""

    awards: dict[str, X] = field(default_factory=dict)  # source id -> its award cell
    # line index -> entry index -> the share cell, or FY -> the amount cell
    entries: dict[int, list[X | dict[int, X]]] = field(default_factory=dict)


def source_names(ids: list[str]) -> list[str]:
    """The defined-name stem of each source: `funding.sources.<id>` with `-` as `_`; an id
    that collides with an earlier one (names ignore case) is named by its position."""
    used: set[str] = set()
    stems = []
    for index, source_id in enumerate(ids):
        stem = "funding.sources." + source_id.replace("-", "_")
        if stem.lower() in used:
            stem, n = f"funding.sources.{index}", 0
            while stem.lower() in used:
                n += 1
                stem = f"funding.sources.{index}_{n}"
        used.add(stem.lower())
        stems.append(stem)
    return stems


def funding_inputs(inputs: Inputs, plan: Plan, stems: list[str]) -> FundingInputs:
    found = FundingInputs()
    if not plan.funding:
        return found
    inputs.section("Funding sources (cost model §16; a blank award: no limit)")
    for index, (source, stem) in enumerate(
        zip(plan.funding, source_names([s.id for s in plan.funding]), strict=True)
    ):
        found.awards[source.id] = inputs.add(
            f"funding.sources[{index}].award",
            f"{stem}.award",
            f"Award: {source.name}",
            source.award,
            "dollars",
        )
    for i, line in enumerate(plan.line_items):
        if not line.funded_by:
            continue
        cells: list[X | dict[int, X]] = []
        for e, entry in enumerate(line.funded_by):
            path, name = f"line_items[{i}].funded_by[{e}]", f"{stems[i]}.funded_by.{e}"
            who = f"{line.label or line.id}: paid by {entry.source}"
            if entry.share is not None:
                cells.append(
                    inputs.add(
                        f"{path}.share", f"{name}.share", f"{who}, share", entry.share, "rate"
                    )
                )
                continue
            by_fy = {}
            for fy, amount in entry.amounts or ():
                label = fy_label(fy)
                by_fy[fy] = inputs.add(
                    f"{path}.amounts.{label}",
                    f"{name}.amounts.{label.replace('-', '_')}",
                    f"{who}, {label}",
                    amount,
                    "dollars",
                )
            cells.append(by_fy)
        found.entries[i] = cells
    return found


Layout = dict[int, tuple[int, list[tuple[int, int]], int]]  # line -> head, entry rows, settle


class _Rows:
    """The sheet's FY cells as written, by row, for each row's total."""

    def __init__(self, w: Writer, sheet: Any, years: int):
        self.w, self.sheet, self.years = w, sheet, years
        self.values: dict[int, list[X]] = {}

    def put(self, row: int, k: int, x: X, bold: bool = False) -> X:
        self.values.setdefault(row, []).append(x)
        return self.w.put(self.sheet, row, FY0 + k, x, bold=bold)

    def total(self, row: int) -> None:
        first, last = xl_rowcol_to_cell(row, FY0), xl_rowcol_to_cell(row, FY0 + self.years - 1)
        found = self.values.get(row, [])
        self.w.put(self.sheet, row, FY0 + self.years, SUM(found, f"SUM({first}:{last})"), bold=True)


def funding_sheet(
    w: Writer, sheet: Any, doc: PlanDocument, totals: Totals, cells: FundingInputs
) -> tuple[list[X], list[list[X]]]:
    """Writes the sheet; returns the settlement fund's spending cell of each FY, and each
    line's settlement part per FY (its own total where no other source pays it)."""
    plan, p = doc.plan, doc.projection
    years = plan.years
    w.header(sheet, 0, [SHEET_NAME, "Id", *p.labels, "Total"])
    w.text(sheet, 1, 0, NOTE)
    # the rows: who pays (top), each source's months, then each funded line
    top = 3
    months_row = top + len(plan.funding) + 4
    layout, last_row = _layout(plan, months_row + len(plan.funding) + 1)
    months = _months(w, sheet, plan, months_row)
    rows = _Rows(w, sheet, years)
    paid, lines = _split(rows, plan, layout, totals, cells, months)
    _line_labels(w, sheet, plan, layout, rows)
    settlement = _who_pays(w, sheet, plan, totals, paid, rows, top)
    sheet.set_column(0, 0, 52)
    sheet.set_column(1, 1, 16)
    sheet.set_column(FY0, FY0 + years, 13)
    print_setup(sheet, last_row, FY0 + years + 1, title_cols=2, freeze=(1, FY0))
    return settlement, lines


def _layout(plan: Plan, r: int) -> tuple[Layout, int]:
    """Each funded line's rows from row `r`: its head (the line total under it), each
    entry's paid and award-left rows, its settlement row. Returns them and the last row."""
    layout: Layout = {}
    for i, line in enumerate(plan.line_items):
        if not line.funded_by:
            continue
        rows = [(r + 2 + 2 * e, r + 3 + 2 * e) for e in range(len(line.funded_by))]
        layout[i] = (r, rows, r + 2 + 2 * len(line.funded_by))
        r += 4 + 2 * len(line.funded_by)
    return layout, r


def _months(w: Writer, sheet: Any, plan: Plan, months_row: int) -> dict[str, list[X]]:
    """months_k of each source, as numbers (dates of the plan)."""
    w.text(sheet, months_row - 1, 0, "Months of each FY inside the source's period", bold=True)
    months: dict[str, list[X]] = {}
    for index, source in enumerate(plan.funding):
        row = months_row + index
        w.text(sheet, row, 0, f"{source.name} ({_period(source)})")
        w.text(sheet, row, 1, source.id)
        months[source.id] = []
        for k, fy in enumerate(plan.fiscal_years):
            sheet.write_number(row, FY0 + k, source.months_in(fy), w.fmt("whole"))
            months[source.id].append(X(xl_rowcol_to_cell(row, FY0 + k), Q(source.months_in(fy))))
    return months


def _split(
    rows: _Rows,
    plan: Plan,
    layout: Layout,
    totals: Totals,
    cells: FundingInputs,
    months: dict[str, list[X]],
) -> tuple[dict[str, list[list[X]]], list[list[X]]]:
    """The split, in the engine's order (§16); cells are written where the layout puts
    them. Returns what each source pays (source -> FY -> cells) and each line's settlement
    part per FY."""
    paid: dict[str, list[list[X]]] = {s.id: [[] for _ in range(plan.years)] for s in plan.funding}
    award_left: dict[str, X | None] = {}
    lines = [list(line_cells) for line_cells in totals.line_year]
    for k in range(plan.years):
        for i, line in enumerate(plan.line_items):
            if i not in layout:
                continue
            head, entry_rows, settle_row = layout[i]
            total = X(totals.line_year[i][k].t, totals.line_year[i][k].v)
            rest = total
            parts: list[X] = []
            for e, entry in enumerate(line.funded_by):
                pay_row, left_row = entry_rows[e]
                given = cells.entries[i][e]
                if isinstance(given, X):
                    want = DOLLARS(given * months[entry.source][k] / 12 * total)
                else:
                    amount = given.get(plan.start_fy + k)
                    want = DOLLARS(amount) if amount is not None else lift(0)
                award = cells.awards[entry.source]
                before = award_left.get(entry.source)
                left = DOLLARS(award) if before is None else before
                pay = IF(ISNUMBER(award), MIN(rest, left, want), MIN(rest, want))
                pay_cell = rows.put(pay_row, k, pay)
                after = rows.put(left_row, k, IF(ISNUMBER(award), left - pay_cell, ""))
                # no award: the row is blank and the cap is never read (value 0 for it)
                award_left[entry.source] = after if award.v is not None else X(after.t, Q(0))
                paid[entry.source][k].append(pay_cell)
                parts.append(pay_cell)
                rest = rest - pay_cell
            rows.put(head + 1, k, total)
            lines[i][k] = rows.put(settle_row, k, total - plus(parts))
    return paid, lines


def _line_labels(w: Writer, sheet: Any, plan: Plan, layout: Layout, rows: _Rows) -> None:
    """Each funded line's labels and row totals."""
    sources = {s.id: s for s in plan.funding}
    for i, (head, entry_rows, settle_row) in layout.items():
        line = plan.line_items[i]
        w.text(sheet, head, 0, line.label or line.id, bold=True)
        w.text(sheet, head, 1, line.id)
        w.text(sheet, head + 1, 0, "Line total (Projection sheet)")
        for e, entry in enumerate(line.funded_by):
            name = sources[entry.source].name
            how = "share" if entry.share is not None else "amounts"
            w.text(sheet, entry_rows[e][0], 0, f"Paid by {name} ({how})")
            w.text(sheet, entry_rows[e][0], 1, entry.source)
            w.text(sheet, entry_rows[e][1], 0, f"Award of {name} left after it (blank: no limit)")
            w.text(sheet, entry_rows[e][1], 1, entry.source)
            rows.total(entry_rows[e][0])
        w.text(sheet, settle_row, 0, "Paid by the settlement fund", bold=True)
        w.text(sheet, settle_row, 1, "settlement")
        rows.total(head + 1)
        rows.total(settle_row)


def _who_pays(
    w: Writer,
    sheet: Any,
    plan: Plan,
    totals: Totals,
    paid: dict[str, list[list[X]]],
    rows: _Rows,
    top: int,
) -> list[X]:
    """Who pays, by FY, from row `top`: the program's cost, each source, the settlement
    fund (the rest). Returns the settlement fund's cell of each FY."""
    years = plan.years
    w.text(sheet, top - 1, 0, "Who pays, by FY", bold=True)
    w.text(sheet, top, 0, "Program cost (Projection sheet)")
    for k in range(years):
        rows.put(top, k, X(totals.spending[k].t, totals.spending[k].v))
    rows.total(top)
    by_source: list[list[X]] = [[] for _ in range(years)]
    for index, source in enumerate(plan.funding):
        row = top + 1 + index
        w.text(sheet, row, 0, source.name)
        w.text(sheet, row, 1, source.id)
        for k in range(years):
            by_source[k].append(rows.put(row, k, plus(paid[source.id][k])))
        rows.total(row)
    settle = top + 1 + len(plan.funding)
    w.text(sheet, settle, 0, "Settlement fund (the Fund sheet's spending)", bold=True)
    w.text(sheet, settle, 1, "settlement")
    settlement = []
    for k in range(years):
        x = X(totals.spending[k].t, totals.spending[k].v)
        if by_source[k]:
            x = x - plus(by_source[k])
        settlement.append(rows.put(settle, k, x, bold=True))
    rows.total(settle)
    return settlement


def plus(cells: list[X]) -> X:
    """The sum of a few cells, as one term of a formula."""
    if not cells:
        return lift(0)
    if len(cells) == 1:
        return cells[0]
    return SUM(cells, "(" + "+".join(c.t for c in cells) + ")")


def _period(source: FundingSource) -> str:
    start = source.start.isoformat() if source.start else "no start"
    end = source.end.isoformat() if source.end else "no end"
    return f"{start} to {end}"
