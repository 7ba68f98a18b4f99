"""The Summary sheet: the plan's headline figures, each a formula over the other sheets."""

from __future__ import annotations

import datetime as dt
from typing import Any

from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

from planner.reports.context import PlanDocument
from planner.scenarios.money import Q

from .participants import People
from .totals import Totals
from .xlsx import Writer, X, print_setup


def summary_sheet(
    w: Writer, sheet: Any, doc: PlanDocument, totals: Totals, people: People, deficit: X
) -> None:
    p, s, years = doc.projection, doc.summary, doc.plan.years
    labels = p.labels
    last = xl_col_to_name(years)
    last_fy = xl_col_to_name(2 + years)
    row = totals.total_row + 1  # the Projection sheet's total row, 1-based
    grand = f"Projection!{xl_rowcol_to_cell(totals.total_row, 3 + years)}"

    def present_value(first: str, rest: str) -> str:
        return f"ROUND({first}+NPV(assumptions.discount_rate,{rest}),0)" if years > 1 else first

    facts: list[tuple[str, Any, str | None]] = [
        ("Jurisdiction", doc.jurisdiction, None),
        ("Plan", doc.plan_name, None),
        ("Status", doc.status.capitalize(), None),
        ("Prepared on", doc.prepared_on, "date"),
        ("Fiscal years", f"{labels[0]} to {labels[-1]}", None),
        ("Total spending", X(grand, Q(p.total)), "money"),
        (
            "Present value of spending",
            X(
                present_value(f"Projection!D{row}", f"Projection!E{row}:{last_fy}{row}"),
                Q(p.npv_spending),
            ),
            "money",
        ),
        ("Opening balance", X("Fund!B2", Q(s.opening_balance)), "money"),
        ("Receipts", X(f"SUM(Fund!B3:{last}3)", Q(s.receipts)), "money"),
        (
            "Present value of receipts",
            X(present_value("Fund!B3", f"Fund!C3:{last}3"), Q(p.npv_receipts)),
            "money",
        ),
        ("Interest", X(f"SUM(Fund!B4:{last}4)", Q(s.interest)), "money"),
        ("Closing balance", X(f"Fund!{last}6", Q(s.closing_balance)), "money"),
        ("First deficit FY", X(deficit.t, deficit.v), None),
        (
            "Peak FTE",
            X(
                f"MAX(Projection!D{row + 1}:{last_fy}{row + 1})",
                max((x.v for x in totals.fte), default=Q(0)),
            ),
            "decimal",
        ),
        (
            "Participants enrolled (new enrollees, all FYs)",
            X(f"SUM(Participants!B5:{last}5)", sum((x.v for x in people.new_enrollees), Q(0))),
            "whole",
        ),
        (
            "Checklist",
            f"{s.compliance['fail']} fail, {s.compliance['warn']} warn, "
            f"{s.compliance['pass']} pass",
            None,
        ),
    ]
    facts.extend(_asked(doc))
    w.header(sheet, 0, ["Item", "Value"])
    for r, (name, value, kind) in enumerate(facts, start=1):
        w.text(sheet, r, 0, name)
        if isinstance(value, X):
            w.put(sheet, r, 1, value, kind)
        elif isinstance(value, int):
            sheet.write_number(r, 1, value, w.fmt(kind or "money"))
        elif isinstance(value, dt.date):
            sheet.write_datetime(r, 1, dt.datetime.combine(value, dt.time()), w.fmt("date"))
        else:
            w.text(sheet, r, 1, value)
    sheet.set_column(0, 0, 44)
    sheet.set_column(1, 1, 36)
    print_setup(sheet, len(facts) + 1, 2, freeze=(1, 0))


def _asked(doc: PlanDocument) -> list[tuple[str, Any, str | None]]:
    """What the board is asked to adopt, as the resolution, the ordinance and the PDF's
    summary say it (`doc.period`): fixed figures of the draft, by strategy."""
    from planner.scenarios import fy_label

    first, last = doc.period
    rows: list[tuple[str, Any, str | None]] = [
        ("Board meeting", doc.meeting_on or doc.prepared_on, "date"),
        ("Period asked of the board", f"{fy_label(first)} to {fy_label(last)}", None),
    ]
    for a in doc.executive.adopt:
        title = doc.titles.get(a.strategy, a.strategy)
        rows.append((f"Asked: {title} (a fixed figure)", a.amount, "money"))
    rows.append(("Total asked of the board", doc.executive.adopt_total, "money"))
    return rows
