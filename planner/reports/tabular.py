"""The projection as a tidy CSV: one amount per row (line × FY × object class), with the plan,
the line's label and kind, its MOA strategy code and title and the FY label, so a county can
stack several plans' files and pivot them by strategy. The amounts sum to the plan total.

Spreadsheet programs run a cell that begins with = + - @ (or a tab or carriage return) as a
formula; every text cell that does is prefixed with an apostrophe (OWASP, CSV Injection).
Numbers are written as numbers and never escaped, so a negative amount stays a number."""

from __future__ import annotations

import csv
import io

from planner.present.labels import KIND_NAMES
from planner.reports.context import PlanDocument
from planner.reports.words import CLASS_NAMES
from planner.scenarios.projection import UNASSIGNED
from planner.scenarios.summaries import SF424A_ROWS

COLUMNS = (
    "plan",
    "jurisdiction",
    "line_id",
    "line_label",
    "kind",
    "strategy",
    "strategy_title",
    "fiscal_year",
    "object_class",
    "object_class_title",
    "amount",
)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
LETTERS = {name: letter for letter, name, kind in SF424A_ROWS if kind == "class"}


def safe_text(value: str | None) -> str:
    """A text cell a spreadsheet shows as text, never runs (OWASP CSV Injection)."""
    text = value or ""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def projection_rows(doc: PlanDocument):
    p = doc.projection
    for line in p.line_items:
        strategy = line.strategy or UNASSIGNED
        title = doc.titles.get(strategy, strategy)
        text = [
            doc.plan_name,
            doc.jurisdiction,
            line.id,
            line.label or line.id,
            KIND_NAMES.get(line.kind, line.kind),
            "" if line.strategy is None else strategy,
            title,
        ]
        for k, label in enumerate(p.labels):
            for object_class, values in line.by_object_class.items():
                if values[k]:
                    yield [
                        *map(safe_text, text),
                        label,
                        object_class,
                        safe_text(f"{LETTERS[object_class]}. {CLASS_NAMES[object_class]}"),
                        values[k],
                    ]


def projection_csv(doc: PlanDocument) -> str:
    output = io.StringIO()
    writer = csv.writer(output, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(projection_rows(doc))
    return output.getvalue()
