"""No text from a plan becomes a formula in the Excel workbook (OWASP CSV injection,
CWE-1236): every formula cell is one the app wrote, at the same place as in a workbook of
the same plan with harmless text, and hostile text reads back exactly, as text."""

from __future__ import annotations

import datetime as dt
import functools
import io
import re

import openpyxl
import pytest

from planner.reports.context import plan_document
from planner.reports.workbook import plan_workbook
from planner.scenarios.kinds import REGISTRY
from tests.plans import document, parse

HOSTILE = [
    '=HYPERLINK("http://127.0.0.1:5306/xl","click")',
    "=cmd|' /C calc'!A0",
    "+cmd|' /C calc'!A0",
    "-1+1",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
    "=SUM(A1:A2)",  # even a formula the app itself could have written
    "#N/A",  # an error code openpyxl would store as an error cell
]

# The app's own formulas name cells, defined names (plan-file paths) and the app's own words
# ("contract", "gap", object-class labels) only: no plan text.
# The app's own words: the values of the line kinds' choices (a delivery, a status, an
# object class), which the Calculation sheet compares with their inputs' cells.
CHOICE_WORDS = sorted(
    {v for kind in REGISTRY.values() for f in kind.all_fields() for v in f.choices}, key=len
)
APP_WORDS = re.compile(
    r'"(' + "|".join(map(re.escape, CHOICE_WORDS)) + r'|none|[a-k]\. [A-Z][a-z ]+|[<>]=)"'
)


def workbook_of(texts: list[str], *, funded: bool = False) -> openpyxl.Workbook:
    """The workbook of a plan whose name, line labels, strategies and justifications are
    `texts` (see `_workbook`); made once per texts in this process (the tests only read it)."""
    return _workbook(tuple(texts), funded)


@functools.cache
def _workbook(texts: tuple[str, ...], funded: bool) -> openpyxl.Workbook:
    """The workbook of a plan whose name, line labels, strategies and justifications are
    `texts` (one line item per text; the strategies numbered to stay distinct); `funded`:
    each line half paid by a funding source named by its text (cost model §16)."""
    lines = [
        {
            "id": f"line-{k}",
            "kind": "other",
            "annual_amount": str(1000 * (k + 1)),
            "label": text,
            "strategy": f"{text} {k}",
            "justification": text,
        }
        for k, text in enumerate(texts)
    ]
    changes = {}
    if funded:
        changes["funding"] = {
            "sources": [
                {"id": f"src-{k}", "name": text, "kind": "grant", "award": "1500"}
                for k, text in enumerate(texts)
            ]
        }
        for k, line in enumerate(lines):
            line["funded_by"] = [{"source": f"src-{k}", "share": "0.5"}]
    plan = parse(document(*lines, name=texts[0], **changes))
    doc = plan_document(plan, prepared_on=dt.date(2026, 11, 28), jurisdiction=texts[1])
    return openpyxl.load_workbook(io.BytesIO(plan_workbook(doc)))


def formula_cells(book: openpyxl.Workbook) -> dict[tuple[str, str], str]:
    """The formula cells of a workbook of `workbook_of` (read once per workbook: they are
    made once and only read)."""
    found = _formula_cells.get(id(book))
    if found is None or found[0] is not book:
        found = _formula_cells[id(book)] = (book, _read_formula_cells(book))
    return found[1]


_formula_cells: dict[int, tuple[openpyxl.Workbook, dict[tuple[str, str], str]]] = {}


def _read_formula_cells(book: openpyxl.Workbook) -> dict[tuple[str, str], str]:
    return {
        (sheet.title, cell.coordinate): cell.value
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f"
    }


def test_no_plan_text_becomes_a_formula():
    hostile = workbook_of(HOSTILE)
    harmless = workbook_of([f"Text {k}" for k in range(len(HOSTILE))])
    found = formula_cells(hostile)
    # Exactly the app's formulas, cell for cell, as in the same plan with harmless text.
    assert found == formula_cells(harmless)
    assert found, "the workbook has its SUM formulas"
    for value in found.values():
        assert all(APP_WORDS.fullmatch(quoted) for quoted in re.findall(r'"[^"]*"', value)), value
        assert not any(text.strip() and text in value for text in HOSTILE[:-1]), value
    assert not any(
        cell.data_type == "e"
        for sheet in hostile.worksheets
        for row in sheet.iter_rows()
        for cell in row
    )


def test_hostile_text_reads_back_as_text():
    book = workbook_of(HOSTILE)
    seen: dict[str, list[str]] = {}
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    seen.setdefault(cell.value, []).append(f"{sheet.title}!{cell.coordinate}")
                    if cell.value.startswith(("=", "+", "-", "@", "\t", "\r")):
                        # Excel's quote prefix: the text stays text when the cell is edited
                        assert cell.data_type == "f" or cell.quotePrefix, (
                            sheet.title,
                            cell.coordinate,
                            cell.value,
                        )
    assert book["Summary"]["B3"].value == HOSTILE[0]  # the plan's name
    assert book["Summary"]["B3"].data_type == "s"
    assert book["Summary"]["B3"].quotePrefix
    projection = book["Projection"]
    labels = [projection.cell(row=2 + k, column=1).value for k in range(len(HOSTILE))]
    # carriage returns are stored as line feeds (still quote-prefixed text)
    assert labels == [text.replace("\r", "\n") for text in HOSTILE]
    assert all(projection.cell(row=2 + k, column=1).data_type == "s" for k in range(len(HOSTILE)))
    for k, text in enumerate(HOSTILE[:5]):
        # each strategy: on its line's row of the projection and in the Strategies sheet
        assert {place.split("!")[0] for place in seen[f"{text} {k}"]} >= {
            "Projection",
            "Strategies",
        }, text


@pytest.mark.parametrize("text", HOSTILE)
def test_each_hostile_text_alone(text):
    book = workbook_of([text, "Orange County"])
    assert formula_cells(book) == formula_cells(workbook_of(["Plan", "Orange County"]))


def test_funding_source_names_stay_text():
    # Source names are user text (§16): on the Inputs and Funding sources sheets they are
    # text cells, quote-prefixed, and the formulas are those of harmless names.
    hostile = workbook_of(HOSTILE, funded=True)
    assert formula_cells(hostile) == formula_cells(
        workbook_of([f"Text {k}" for k in range(len(HOSTILE))], funded=True)
    )
    sheet = hostile["Funding sources"]
    names = [sheet.cell(row=5 + k, column=1) for k in range(len(HOSTILE))]  # who pays
    assert [c.value for c in names] == [text.replace("\r", "\n") for text in HOSTILE]
    for cell in names:
        assert cell.data_type == "s"
        assert cell.quotePrefix or not cell.value.startswith(("=", "+", "-", "@", "\t", "\n"))
    assert not any(cell.data_type == "e" for row in sheet.iter_rows() for cell in row)
