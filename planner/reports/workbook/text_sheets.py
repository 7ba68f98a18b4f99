"""The sheets of text and fixed figures: justifications, the basis of estimate, the
compliance checklist and the sources of the defaults."""

from __future__ import annotations

from typing import Any

from planner.present.labels import kind_name
from planner.reports.context import PlanDocument
from planner.scenarios import fy_label
from planner.scenarios.justification import justification_text

from .xlsx import Writer, print_setup


def justifications_sheet(w: Writer, sheet: Any, doc: PlanDocument) -> None:
    plan = doc.plan
    w.header(sheet, 0, ["Line item", "Kind", "Strategy", "Justification"])
    for index, line in enumerate(plan.line_items, start=1):
        w.text(sheet, index, 0, line.label or line.id, wrap=True)
        w.text(sheet, index, 1, kind_name(line.kind))
        code = line.strategy or "unassigned"
        w.text(sheet, index, 2, f"{code}: {doc.titles.get(code, code)}", wrap=True)
        w.text(sheet, index, 3, justification_text(line), wrap=True)
    for col, width in enumerate((32, 20, 36, 90)):
        sheet.set_column(col, col, width)
    print_setup(sheet, len(plan.line_items) + 1, 4, freeze=(1, 1))


def basis_sheet(w: Writer, sheet: Any, doc: PlanDocument) -> None:
    """Each line's basis of estimate, one row for the FYs that print the same text."""
    labels, years = doc.projection.labels, doc.plan.years
    w.header(sheet, 0, ["Line item", "Fiscal years", "Basis of estimate"])
    r = 1
    for line in doc.projection.line_items:
        texts = line.basis
        start = 0
        for k in range(1, years + 1):
            if k == years or texts[k] != texts[start]:
                span = labels[start] if k - 1 == start else f"{labels[start]} to {labels[k - 1]}"
                w.text(sheet, r, 0, line.label or line.id, wrap=True)
                w.text(sheet, r, 1, span)
                w.text(sheet, r, 2, texts[start], wrap=True)
                r += 1
                start = k
    for col, width in enumerate((32, 24, 110)):
        sheet.set_column(col, col, width)
    print_setup(sheet, r, 3, freeze=(1, 1))


def compliance_sheet(w: Writer, sheet: Any, doc: PlanDocument) -> None:
    w.header(sheet, 0, ["Rule", "Status", "Message", "FYs", "Line items", "Citation"])
    for row, result in enumerate(doc.results, start=1):
        values = [
            result.rule,
            result.status.upper(),
            result.message,
            ", ".join(fy_label(fy) for fy in result.fiscal_years),
            ", ".join(result.line_items),
            result.citation,
        ]
        for col, value in enumerate(values):
            w.text(sheet, row, col, value, wrap=True)
    for col, width in enumerate((26, 8, 80, 24, 24, 40)):
        sheet.set_column(col, col, width)
    print_setup(sheet, len(doc.results) + 1, 6, freeze=(1, 1))


def sources_sheet(w: Writer, sheet: Any, doc: PlanDocument) -> None:
    w.header(sheet, 0, ["Default", "Value", "This plan", "Base FY", "Source", "Year"])
    for row, entry in enumerate(doc.defaults, start=1):
        value = entry.default
        w.text(sheet, row, 0, entry.key)
        if isinstance(value, tuple):
            w.text(sheet, row, 1, ", ".join(str(v) for v in value))
        else:
            sheet.write_number(row, 1, float(value))
        if entry.plan_value is not None:
            sheet.write_number(row, 2, float(entry.plan_value))
        if entry.base_fy:
            w.text(sheet, row, 3, fy_label(entry.base_fy))
        w.text(sheet, row, 4, entry.source, wrap=True)
        sheet.write_number(row, 5, entry.year)
    for col, width in enumerate((40, 14, 12, 12, 90, 8)):
        sheet.set_column(col, col, width)
    print_setup(sheet, len(doc.defaults) + 1, 6, freeze=(1, 1))
