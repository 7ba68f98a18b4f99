"""The workbook's formula type and writer: `X` is a formula's text with its exact value
(the engine's rational arithmetic beside the text), and `Writer` an XlsxWriter workbook with
the app's formats, through which plan text is written as text only.

Spreadsheets compute in floating point, so every rounding rounds to 6 decimals first
(`ROUND(ROUND(x, 6), 0)`) and every ceiling to 9 (`ROUNDUP(ROUND(x, 9), 0)`): a float a hair
off an exact .5 or an exact step lands where the exact engine does.

No text from a plan ever becomes a formula: every plan text is written with `write_string`
(never XlsxWriter's type-guessing `write`), with Excel's quote prefix on text that starts like
a formula (OWASP "CSV injection", CWE-1236); formulas are only the app's own and name plan
values by cell or defined name, never by their text.
"""

from __future__ import annotations

import functools
import io
import math
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.worksheet import CellFormulaTuple

from planner.present.formatting import WORKBOOK_FORMATS
from planner.scenarios.money import Q

# Formulas are stored in the sheet's cell table directly with the XlsxWriter whose internals
# this was written against; with another, through `write_formula` (PLANNER_XLSX_DIRECT=0 too).
DIRECT = xlsxwriter.__version__ == "3.3.1" and os.environ.get("PLANNER_XLSX_DIRECT", "1") != "0"

# Text starting with one of these is read as a formula (or DDE command) by spreadsheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


@functools.lru_cache(maxsize=64)
def quoted(sheet: str) -> str:
    return f"'{sheet}'" if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", sheet) else sheet


# ----------------------------------------------------------------------------- formulas


def _number(value: Any) -> Any:
    """A cell's value in arithmetic: a blank cell counts as 0, as in a spreadsheet."""
    return Q(0) if value is None else value


@dataclass(frozen=True)
class X:
    """A formula's text and its exact value (a rational, a bool, a text or None: blank)."""

    t: str
    v: Any

    def _op(self, other: Any, sign: str, value: Any) -> X:
        return X(f"({self.t}{sign}{lift(other).t})", value)

    def __add__(self, o: Any) -> X:
        return self._op(o, "+", _number(self.v) + _number(lift(o).v))

    def __radd__(self, o: Any) -> X:
        return lift(o) + self

    def __sub__(self, o: Any) -> X:
        return self._op(o, "-", _number(self.v) - _number(lift(o).v))

    def __rsub__(self, o: Any) -> X:
        return lift(o) - self

    def __mul__(self, o: Any) -> X:
        return self._op(o, "*", _number(self.v) * _number(lift(o).v))

    def __rmul__(self, o: Any) -> X:
        return lift(o) * self

    def __truediv__(self, o: Any) -> X:
        return self._op(o, "/", Q(_number(self.v)) / _number(lift(o).v))

    def __pow__(self, k: int) -> X:
        return X(f"{self.t}^{k}" if k >= 0 else f"{self.t}^({k})", Q(_number(self.v)) ** k)

    def cmp(self, sign: str, o: Any) -> X:
        o = lift(o)
        ops: dict[str, Callable[[Any, Any], bool]] = {
            ">=": lambda a, b: a >= b,
            "<=": lambda a, b: a <= b,
            "=": lambda a, b: a == b,
            ">": lambda a, b: a > b,
            "<": lambda a, b: a < b,
        }
        return X(f"({self.t}{sign}{o.t})", ops[sign](self.v, o.v))


def literal(value: Decimal | int | Q) -> X:
    """A constant of a formula, written exactly."""
    number = Q(value) if not isinstance(value, Decimal) else Q(str(value))
    if number.denominator == 1:
        return X(str(number.numerator), number)
    if isinstance(value, Decimal):
        return X(format(value, "f"), number)
    return X(f"({number.numerator}/{number.denominator})", number)


def lift(value: Any) -> X:
    if isinstance(value, X):
        return value
    if isinstance(value, bool):
        return X("TRUE" if value else "FALSE", value)
    if isinstance(value, int | Decimal):
        return literal(value)
    if isinstance(value, str):  # only the app's own words (e.g. "contract")
        return X('"' + value + '"', value)
    raise TypeError(value)


def ROUND(x: X, places: int) -> X:
    v = _number(x.v)
    scaled = v * 10**places
    n = math.floor(abs(scaled) * 2 + 1) // 2  # half away from zero
    return X(f"ROUND({x.t},{places})", Q(n if scaled >= 0 else -n, 10**places))


def DOLLARS(x: X) -> X:
    """A component: exact value rounded once to whole dollars, half up (§2)."""
    return ROUND(ROUND(x, 6), 0)


def CEIL(x: X) -> X:
    """A ceiling of a non-negative quantity, with float noise removed first."""
    return X(f"ROUNDUP(ROUND({x.t},9),0)", Q(math.ceil(_number(x.v))))


def MAX(*values: X | int) -> X:
    xs = tuple(lift(x) for x in values)
    return X(f"MAX({','.join(x.t for x in xs)})", max(_number(x.v) for x in xs))


def MIN(*values: X | int) -> X:
    xs = tuple(lift(x) for x in values)
    return X(f"MIN({','.join(x.t for x in xs)})", min(_number(x.v) for x in xs))


def IF(c: X, a: Any, b: Any) -> X:
    a, b = lift(a), lift(b)
    return X(f"IF({c.t},{a.t},{b.t})", a.v if c.v else b.v)


def AND(*cs: X) -> X:
    return X(f"AND({','.join(c.t for c in cs)})", all(c.v for c in cs))


def ISNUMBER(x: X) -> X:
    return X(f"ISNUMBER({x.t})", x.v is not None and not isinstance(x.v, str | bool))


def MOD(a: X, b: X) -> X:
    return X(f"MOD({a.t},{b.t})", _number(a.v) % _number(b.v))


def SUM(cells: Sequence[X], text: str) -> X:
    return X(text, sum((_number(c.v) for c in cells), Q(0)))


def cached(value: Any) -> Any:
    """The value stored beside a formula (what a reader that does not recalculate sees)."""
    if isinstance(value, bool):
        return value
    if value is None or isinstance(value, str):
        return value if value is not None else ""
    number = Q(value)
    if number.denominator == 1:
        return int(number.numerator)
    return float(number)


# ----------------------------------------------------------------------------- the writer


class Writer:
    """An XlsxWriter workbook with the app's formats; text goes through `text` only."""

    def __init__(self, output: io.BytesIO):
        self.book = xlsxwriter.Workbook(
            output,
            {
                "in_memory": True,
                "strings_to_formulas": False,
                "strings_to_numbers": False,
                "strings_to_urls": False,
            },
        )
        self.formats: dict[tuple[Any, ...], Any] = {}
        self.names: set[str] = set()

    def add_worksheet(self, name: str) -> Any:
        sheet = self.book.add_worksheet(name)
        # XlsxWriter scans every formula with ~30 regular expressions for Excel 365
        # functions (FILTER, XLOOKUP, …) to prefix them; the app's formulas use only
        # functions every spreadsheet has had since Excel 2007 (tests/test_workbook_live.py
        # checks the list), so the scan is skipped: it was 60% of the workbook's time.
        sheet._prepare_formula = _plain_formula
        return sheet

    def fmt(
        self,
        kind: str | None = None,
        *,
        bold: bool = False,
        header: bool = False,
        wrap: bool = False,
        quote: bool = False,
    ) -> Any:
        key = (kind, bold, header, wrap, quote)
        if key not in self.formats:
            props: dict[str, Any] = {"valign": "top"}
            if kind in WORKBOOK_FORMATS:
                props["num_format"] = WORKBOOK_FORMATS[kind]
            if bold or header:
                props["bold"] = True
            if header:
                props.update(bg_color="#E8ECF2", text_wrap=True, border=1)
            if wrap:
                props["text_wrap"] = True
            if quote:
                props["quote_prefix"] = True
            self.formats[key] = self.book.add_format(props)
        return self.formats[key]

    def text(
        self,
        sheet: Any,
        row: int,
        col: int,
        value: str | None,
        *,
        bold: bool = False,
        wrap: bool = False,
        header: bool = False,
    ) -> None:
        """Plan text: always a string cell, quote-prefixed when it starts like a formula."""
        # A carriage return is stored as a line feed: XlsxWriter would write it as the
        # escape `_x000D_`, which not every reader decodes.
        value = "" if value is None else str(value).replace("\r\n", "\n").replace("\r", "\n")
        quote = value.startswith(FORMULA_STARTS)
        sheet.write_string(
            row, col, value, self.fmt(None, bold=bold, wrap=wrap, header=header, quote=quote)
        )

    def put(
        self,
        sheet: Any,
        row: int,
        col: int,
        x: X,
        kind: str | None = "money",
        *,
        bold: bool = False,
    ) -> X:
        """One of the app's formulas with its value; returns a reference to the cell."""
        if DIRECT:
            # What `write_formula` stores for a plain formula (XlsxWriter 3.3.1), without its
            # scans for Excel 365 functions and array braces (the app writes neither:
            # tests/test_workbook_live.py lists its functions): a sixth of the workbook's time.
            if sheet._check_dimensions(row, col):
                raise ValueError(f"cell ({row}, {col}) is outside the sheet")
            sheet.table[row][col] = CellFormulaTuple(x.t, self.fmt(kind, bold=bold), cached(x.v))
        else:
            sheet.write_formula(row, col, "=" + x.t, self.fmt(kind, bold=bold), cached(x.v))
        return X(f"{quoted(sheet.name)}!{xl_rowcol_to_cell(row, col)}", x.v)

    def header(self, sheet: Any, row: int, values: Sequence[str]) -> None:
        for col, value in enumerate(values):
            self.text(sheet, row, col, value, header=True)

    def name(self, name: str, sheet: Any, row: int, col: int) -> None:
        if len(name) > 255 or name.lower() in self.names:
            raise ValueError(f"defined name {name!r} is too long or taken")
        self.names.add(name.lower())
        ref = f"={quoted(sheet.name)}!{xl_rowcol_to_cell(row, col, True, True)}"
        if self.book.define_name(name, ref) == -1:
            raise ValueError(f"defined name {name!r} is not valid in Excel")


def _plain_formula(formula: str, expand_future_functions: bool = False) -> str:
    return formula[1:] if formula.startswith("=") else formula


def print_setup(
    sheet: Any, rows: int, cols: int, *, title_cols: int = 1, freeze: tuple[int, int] = (1, 1)
) -> None:
    sheet.set_landscape()
    sheet.set_paper(1)  # US Letter
    sheet.fit_to_pages(1, 0)  # one page wide, as many long as it takes
    sheet.repeat_rows(0)
    if title_cols:
        sheet.repeat_columns(0, title_cols - 1)
    sheet.print_area(0, 0, max(rows - 1, 0), max(cols - 1, 0))
    sheet.freeze_panes(*freeze)
    sheet.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    sheet.set_footer("&L&A&RPage &P of &N")
