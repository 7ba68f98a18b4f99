"""The Excel workbook and the long CSV of a plan's projection.

Numbers are real numbers with currency formats; every total is a SUM formula over the cells
it adds, and those cells hold the engine's rounded components, so the formulas equal the
engine's totals.

No text from a plan ever becomes a formula: the app's own formulas are written through
`_formula`, which records where they are, and every other cell that openpyxl would store as a
formula or an error code is stored as text, with Excel's quote prefix on text that starts
like a formula (OWASP "CSV injection", CWE-1236).
"""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from planner.reports.context import PlanDocument
from planner.scenarios import fy_label

MONEY = '"$"#,##0;[Red]("$"#,##0)'
DECIMAL = "#,##0.00"
PERCENT = "0.00%"
HEADER_FILL = PatternFill("solid", fgColor="E8ECF2")
BOLD = Font(bold=True)


# Text starting with one of these is read as a formula (or DDE command) by spreadsheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def _formula(sheet: Worksheet, row: int, column: int, text: str,
             formulas: set[tuple[str, str]]):
    """Write one of the app's own formulas and record where it is."""
    cell = sheet.cell(row=row, column=column, value=text)
    formulas.add((sheet.title, cell.coordinate))
    return cell


def _text_only(book: Workbook, formulas: set[tuple[str, str]]) -> None:
    """Every cell the app did not write as a formula holds plain text or a number."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type in ("f", "e") and (sheet.title, cell.coordinate) \
                        not in formulas:
                    cell.data_type = "s"
                if cell.data_type == "s" and str(cell.value).startswith(FORMULA_STARTS):
                    # Text stays text even when someone edits the cell in Excel.
                    cell.quotePrefix = True


def _header(sheet: Worksheet, row: int, values: list) -> None:
    for column, value in enumerate(values, start=1):
        cell = sheet.cell(row=row, column=column, value=value)
        cell.font = BOLD
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center" if column > 1 else "left",
                                   wrap_text=True)


def _widths(sheet: Worksheet, first: int, other: int, columns: int) -> None:
    sheet.column_dimensions["A"].width = first
    for column in range(2, columns + 1):
        sheet.column_dimensions[get_column_letter(column)].width = other


def _year_table(sheet: Worksheet, top: int, label: str, rows: list[tuple[str, list[int]]],
                labels: list[str], formulas: set[tuple[str, str]], *,
                extra: list[str] | None = None, total_row: str | None = "Total") -> int:
    """Rows of yearly amounts with a SUM total column and a SUM total row. Returns the
    next free row."""
    extra = extra or []
    _header(sheet, top, [label, *extra, *labels, "Total"])
    first_year_col = 2 + len(extra)
    last_year_col = first_year_col + len(labels) - 1
    total_col = last_year_col + 1
    row = top + 1
    for name, *rest in rows:
        values = rest[-1]
        sheet.cell(row=row, column=1, value=name)
        for offset, value in enumerate(rest[:-1]):
            sheet.cell(row=row, column=2 + offset, value=value)
        for k, amount in enumerate(values):
            sheet.cell(row=row, column=first_year_col + k, value=amount).number_format = MONEY
        first, last = get_column_letter(first_year_col), get_column_letter(last_year_col)
        total = _formula(sheet, row, total_col, f"=SUM({first}{row}:{last}{row})", formulas)
        total.number_format = MONEY
        total.font = BOLD
        row += 1
    if total_row and rows:
        sheet.cell(row=row, column=1, value=total_row).font = BOLD
        for column in range(first_year_col, total_col + 1):
            letter = get_column_letter(column)
            cell = _formula(sheet, row, column, f"=SUM({letter}{top + 1}:{letter}{row - 1})",
                            formulas)
            cell.number_format = MONEY
            cell.font = BOLD
        row += 1
    return row + 1


def plan_workbook(doc: PlanDocument) -> bytes:
    p = doc.projection
    labels = list(p.labels)
    book = Workbook()
    formulas: set[tuple[str, str]] = set()

    summary = book.active
    summary.title = "Summary"
    s = doc.summary
    facts = [
        ("Jurisdiction", doc.jurisdiction), ("Plan", doc.plan_name), ("Status", doc.status),
        ("Prepared on", doc.prepared_on.isoformat()),
        ("Fiscal years", f"{labels[0]} to {labels[-1]}"),
        ("Total spending", s.total), ("Present value of spending", s.npv_spending),
        ("Opening balance", s.opening_balance), ("Receipts", s.receipts),
        ("Present value of receipts", s.npv_receipts), ("Interest", s.interest),
        ("Closing balance", s.closing_balance),
        ("First deficit FY", fy_label(s.first_deficit_fy) if s.first_deficit_fy else "none"),
        ("Peak FTE", float(s.peak_fte)),
        ("Participants enrolled", float(s.participants_enrolled)),
        ("Checklist", f"{s.compliance['fail']} fail, {s.compliance['warn']} warn, "
                      f"{s.compliance['pass']} pass"),
    ]
    _header(summary, 1, ["Item", "Value"])
    for row, (name, value) in enumerate(facts, start=2):
        summary.cell(row=row, column=1, value=name)
        cell = summary.cell(row=row, column=2, value=value)
        if isinstance(value, int):
            cell.number_format = MONEY
    _widths(summary, 30, 40, 2)
    summary.freeze_panes = "A2"

    projection = book.create_sheet("Projection")
    rows = [(line.label or line.id, line.id, line.strategy or "", list(line.by_year))
            for line in p.line_items]
    end = _year_table(projection, 1, "Line item", rows, labels, formulas,
                      extra=["Line id", "Strategy"])
    projection.cell(row=end, column=1, value="FTE").font = BOLD
    for k, fte in enumerate(p.fte_by_year):
        projection.cell(row=end, column=4 + k, value=float(fte)).number_format = DECIMAL
    _widths(projection, 34, 12, 4 + len(labels))
    projection.freeze_panes = "D2"

    classes = book.create_sheet("Object classes")
    _year_table(classes, 1, "Object class",
                [(name, list(values)) for name, values in p.by_object_class.items()], labels,
                formulas)
    classes_end = len(p.by_object_class) + 4
    _header(classes, classes_end, ["Object class", *p.by_strategy, "Total"])
    for offset, name in enumerate(doc.classes_by_strategy[next(iter(p.by_strategy))]
                                  if p.by_strategy else []):
        row = classes_end + 1 + offset
        classes.cell(row=row, column=1, value=name)
        for column, strategy in enumerate(p.by_strategy, start=2):
            cell = classes.cell(row=row, column=column,
                                value=doc.classes_by_strategy[strategy][name])
            cell.number_format = MONEY
        last = get_column_letter(1 + len(p.by_strategy))
        total = _formula(classes, row, 2 + len(p.by_strategy), f"=SUM(B{row}:{last}{row})",
                         formulas)
        total.number_format = MONEY
    _widths(classes, 24, 12, 2 + len(labels))
    classes.freeze_panes = "B2"

    strategies = book.create_sheet("Strategies")
    _year_table(strategies, 1, "Strategy",
                [(doc.titles[code], code, list(values))
                 for code, values in p.by_strategy.items()], labels, formulas, extra=["Code"])
    _widths(strategies, 44, 12, 3 + len(labels))
    strategies.freeze_panes = "C2"

    fund = book.create_sheet("Fund")
    _header(fund, 1, ["Fund", *labels, "Total"])
    names = ["Beginning balance", "Receipts", "Interest", "Spending", "Closing balance"]
    series = [p.fund.begin, p.fund.receipts, p.fund.interest, p.fund.spending]
    last_col = get_column_letter(1 + len(labels))
    for row, (name, values) in enumerate(zip(names[:4], series, strict=True), start=2):
        fund.cell(row=row, column=1, value=name)
        for k, value in enumerate(values):
            fund.cell(row=row, column=2 + k, value=value).number_format = MONEY
        if row > 2:
            cell = _formula(fund, row, 2 + len(labels), f"=SUM(B{row}:{last_col}{row})",
                            formulas)
            cell.number_format = MONEY
    fund.cell(row=6, column=1, value="Closing balance").font = BOLD
    for k in range(len(labels)):
        letter = get_column_letter(2 + k)
        cell = _formula(fund, 6, 2 + k, f"={letter}2+{letter}3+{letter}4-{letter}5", formulas)
        cell.number_format = MONEY
        cell.font = BOLD
    fund.cell(row=8, column=1, value="First deficit FY")
    fund.cell(row=8, column=2, value=fy_label(p.fund.first_deficit_fy)
              if p.fund.first_deficit_fy else "none")
    _widths(fund, 22, 12, 2 + len(labels))
    fund.freeze_panes = "B2"

    people = book.create_sheet("Participants")
    _header(people, 1, ["Participants", *labels])
    figures = [("New enrollees", p.participants.new_enrollees),
               ("Average active", p.participants.avg_active),
               ("Peak active", p.participants.peak_active),
               ("Participant-months", p.participants.participant_months),
               ("FTE", p.fte_by_year)]
    for row, (name, values) in enumerate(figures, start=2):
        people.cell(row=row, column=1, value=name)
        for k, value in enumerate(values):
            people.cell(row=row, column=2 + k, value=float(value)).number_format = DECIMAL
    _widths(people, 22, 11, 1 + len(labels))
    people.freeze_panes = "B2"

    checks = book.create_sheet("Compliance")
    _header(checks, 1, ["Rule", "Status", "Message", "FYs", "Line items", "Citation"])
    for row, result in enumerate(doc.results, start=2):
        for column, value in enumerate([
                result.rule, result.status, result.message,
                ", ".join(fy_label(fy) for fy in result.fiscal_years),
                ", ".join(result.line_items), result.citation], start=1):
            checks.cell(row=row, column=column, value=value).alignment = Alignment(
                wrap_text=True, vertical="top")
    for column, width in zip("ABCDEF", (26, 8, 80, 24, 24, 40), strict=True):
        checks.column_dimensions[column].width = width
    checks.freeze_panes = "A2"

    defaults = book.create_sheet("Assumptions")
    _header(defaults, 1, ["Default", "Value", "This plan", "Base FY", "Source", "Year"])
    for row, entry in enumerate(doc.defaults, start=2):
        value = entry.default
        shown = (", ".join(str(v) for v in value) if isinstance(value, tuple)
                 else float(value))
        defaults.cell(row=row, column=1, value=entry.key)
        defaults.cell(row=row, column=2, value=shown)
        defaults.cell(row=row, column=3, value=None if entry.plan_value is None
                      else float(entry.plan_value))
        defaults.cell(row=row, column=4, value=fy_label(entry.base_fy) if entry.base_fy
                      else None)
        defaults.cell(row=row, column=5, value=entry.source).alignment = Alignment(
            wrap_text=True, vertical="top")
        defaults.cell(row=row, column=6, value=entry.year)
    for column, width in zip("ABCDEF", (40, 14, 12, 12, 90, 8), strict=True):
        defaults.column_dimensions[column].width = width
    defaults.freeze_panes = "A2"

    _text_only(book, formulas)
    for sheet in book.worksheets:
        sheet.sheet_view.zoomScale = 100
    output = io.BytesIO()
    book.properties.title = f"{doc.plan_name} — projection"
    book.properties.creator = doc.jurisdiction or "LEAD settlement planner"
    book.save(output)
    return output.getvalue()


def projection_csv(doc: PlanDocument) -> str:
    """line_id,fiscal_year,object_class,amount — one row per line, FY and object class."""
    output = io.StringIO()
    writer = csv.writer(output, lineterminator="\n")
    writer.writerow(["line_id", "fiscal_year", "object_class", "amount"])
    p = doc.projection
    for line in p.line_items:
        for k, label in enumerate(p.labels):
            for object_class, values in line.by_object_class.items():
                writer.writerow([line.id, label, object_class, values[k]])
    return output.getvalue()
