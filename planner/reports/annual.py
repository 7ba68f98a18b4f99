"""The annual reports of a closed FY as documents: the Exhibit E page (PDF) a finance officer
files, with the Exhibit F worksheet after it, and Exhibit E as CSV and XLSX rows to paste
into CORE-NC's form. Every figure is the engine's (`planner.scenarios.exhibits`).

Text cells never run as formulas: a CSV text cell that starts like one is prefixed with an
apostrophe, an XLSX one is a string cell with Excel's quote prefix (OWASP CSV Injection).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Mapping

import xlsxwriter

from planner.reports.tabular import safe_text
from planner.reports.templates import pdf_bytes, render
from planner.scenarios import Plan, Projection
from planner.scenarios.exhibits import ExhibitE, ExhibitF, exhibit_e, exhibit_f
from planner.scenarios.fiscal import fy_end, fy_start
from planner.scenarios.plan import PATHWAYS
from planner.scenarios.tables import CostTables

CSV_COLUMNS = (
    "jurisdiction",
    "plan",
    "fiscal_year",
    "field",
    "form_words",
    "exhibit",
    "item",
    "strategy",
    "strategy_title",
    "amount",
)
PATHWAY_NAMES = {
    "arrest_diversion": "Arrest diversion",
    "social_contact": "Social contact",
    "community": "Community (Let Everyone Advance with Dignity)",
}
FIELD_NUMBERS = {"1": "(1)", "2": "(2)", "interest": "", "3": "(3)", "4": "(4)", "5": "(5)"}


def annual_reports(
    plan: Plan, projection: Projection, fy: int, tables: CostTables
) -> tuple[ExhibitE, ExhibitF]:
    """Both reports of closed FY `fy`; raises ExhibitError when it is not closed."""
    return exhibit_e(plan, projection, fy, tables), exhibit_f(plan, projection, fy, tables)


Outcomes = Mapping[str, Mapping[str, str]]  # strategy -> measure field -> the value filled in


def exhibit_e_html(
    report: ExhibitE, impact: ExhibitF, *, prepared_on: dt.date, outcomes: Outcomes | None = None
) -> str:
    """The Exhibit E page and the Exhibit F worksheet; `outcomes` fills the worksheet's
    measures (blank lines to fill by hand where none is given)."""
    return render(
        "report/exhibit_e.html",
        e=report,
        f=impact,
        prepared_on=prepared_on,
        numbers=FIELD_NUMBERS,
        pathways=PATHWAYS,
        pathway_names=PATHWAY_NAMES,
        period=(fy_start(report.fy), fy_end(report.fy)),
        outcomes=outcomes or {},
    )


def exhibit_e_pdf(
    report: ExhibitE, impact: ExhibitF, *, prepared_on: dt.date, outcomes: Outcomes | None = None
) -> bytes:
    author = report.jurisdiction or "LEAD settlement planner"
    return pdf_bytes(
        exhibit_e_html(report, impact, prepared_on=prepared_on, outcomes=outcomes),
        title=f"Annual financial report (MOA Exhibit E), {report.label}",
        author=author,
    )


def exhibit_e_rows(report: ExhibitE) -> list[list[object]]:
    """One row per figure of the form, (3) once per strategy then its total."""
    refs = {row.strategy.code: row.strategy for row in report.spent_by_strategy}
    rows = []
    for field, words, code, title, amount in report.rows():
        ref = refs.get(code)
        rows.append(
            [
                report.jurisdiction or "",
                report.plan_name,
                report.label,
                field,
                words,
                "" if ref is None or ref.exhibit is None else ref.exhibit,
                "" if ref is None or ref.item is None else ref.item,
                code,
                title,
                amount,
            ]
        )
    return rows


def exhibit_e_csv(report: ExhibitE) -> str:
    output = io.StringIO()
    writer = csv.writer(output, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in exhibit_e_rows(report):
        writer.writerow([safe_text(v) if isinstance(v, str) else v for v in row])
    return output.getvalue()


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def exhibit_e_xlsx(report: ExhibitE) -> bytes:
    """One sheet, the form's rows with their amounts as numbers (no formulas at all)."""
    output = io.BytesIO()
    book = xlsxwriter.Workbook(
        output,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    sheet = book.add_worksheet("Exhibit E")
    header = book.add_format(
        {"bold": True, "bg_color": "#E8ECF2", "border": 1, "text_wrap": True, "valign": "top"}
    )
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    quoted = book.add_format({"text_wrap": True, "valign": "top", "quote_prefix": True})
    money = book.add_format({"num_format": '"$"#,##0;[Red]-"$"#,##0', "valign": "top"})
    title = f"Annual financial report (MOA Exhibit E), {report.label}" + (
        f": {report.jurisdiction}" if report.jurisdiction else ""
    )
    sheet.write_string(0, 0, title, quoted if title.startswith(FORMULA_STARTS) else wrap)
    for col, name in enumerate(CSV_COLUMNS):
        sheet.write_string(2, col, name, header)
    for r, row in enumerate(exhibit_e_rows(report), start=3):
        for col, value in enumerate(row):
            if isinstance(value, int):
                sheet.write_number(r, col, value, money)
            else:
                text = str(value)
                sheet.write_string(
                    r, col, text, quoted if text.startswith(FORMULA_STARTS) else wrap
                )
    last = 3 + len(report.rows())
    sheet.write_string(last + 1, 0, identity_text(report), wrap)
    sheet.set_column(0, 2, 16)
    sheet.set_column(3, 3, 8)
    sheet.set_column(4, 4, 60)
    sheet.set_column(5, 7, 9)
    sheet.set_column(8, 8, 40)
    sheet.set_column(9, 9, 14)
    book.close()
    return output.getvalue()


def identity_text(report: ExhibitE) -> str:
    """The identity written out with the report's figures."""

    def d(value: int) -> str:
        return f"-${-value:,}" if value < 0 else f"${value:,}"

    interest = f"+ {d(report.interest)}" if report.interest >= 0 else f"− {d(-report.interest)}"
    state = "balances" if report.balanced else "DOES NOT BALANCE"
    return (
        f"(1) + (2) + interest − (3) − (4) = (5): {d(report.beginning_balance)} + "
        f"{d(report.received)} {interest} − {d(report.spent)} − {d(report.audit_costs)} = "
        f"{d(report.computed_ending_balance)}; (5) is {d(report.ending_balance)}: {state}."
    )
