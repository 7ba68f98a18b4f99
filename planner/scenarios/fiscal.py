"""North Carolina fiscal years (cost model §1).

A FY runs July 1 - June 30 and is identified by the calendar year in which it begins:
2026 is FY2026-27.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

FY_MIN = 2000
FY_MAX = 2100

_LABEL = re.compile(r"^FY([0-9]{4})-([0-9]{2})$")
_AMBIGUOUS = re.compile(r"^FY ?([0-9]{4})$")
_YEAR = re.compile(r"^[0-9]{4}$")


class FiscalYearError(ValueError):
    """A value that is not a FY label or starting year; the message says what to write."""


def fy_label(fy: int) -> str:
    """`2026` -> `FY2026-27`; `2099` -> `FY2099-00`."""
    return f"FY{fy}-{(fy + 1) % 100:02d}"


# Every FY label §1 allows, to its year: what a plan file writes is read with one look-up
# (a per-process table; any other text takes the checks below).
_LABELS: dict[str, int] = {fy_label(fy): fy for fy in range(FY_MIN, FY_MAX + 1)}


def parse_fy(value: object) -> int:
    """Read a FY given as its starting year (2026, "2026") or its label ("FY2026-27")."""
    if type(value) is str:
        known = _LABELS.get(value)
        if known is not None:
            return known
    if isinstance(value, bool):
        raise FiscalYearError("must be a fiscal year such as FY2026-27 or 2026")
    if isinstance(value, int):
        year = value
    elif isinstance(value, str):
        text = value.strip()
        if len(text) > 20:  # no FY is written that long; do not echo it
            raise FiscalYearError(
                "is not a fiscal year: write a label such as FY2026-27 or its starting year, 2026"
            )
        label = _LABEL.match(text)
        ambiguous = _AMBIGUOUS.match(text)
        if label:
            year = int(label.group(1))
            if int(label.group(2)) != (year + 1) % 100:
                raise FiscalYearError(
                    f"'{text}' is not a fiscal year: the year after {year} ends in "
                    f"{(year + 1) % 100:02d} ({fy_label(year)})"
                )
        elif ambiguous:
            year = int(ambiguous.group(1))
            raise FiscalYearError(
                f"'{text}' is ambiguous: write {fy_label(year - 1)} or {fy_label(year)}"
            )
        elif _YEAR.match(text):
            year = int(text)
        else:
            raise FiscalYearError(
                f"'{text}' is not a fiscal year: write a label such as FY2026-27 or its "
                "starting year, 2026"
            )
    elif isinstance(value, (Decimal, float)):
        # A number from JSON: compared with the range before any conversion, so that
        # 1e999999999 is refused at once rather than turned into a billion-digit integer.
        number = Decimal(repr(value)) if isinstance(value, float) else value
        if not number.is_finite() or not FY_MIN <= number <= FY_MAX:
            raise FiscalYearError(f"must be between {fy_label(FY_MIN)} and {fy_label(FY_MAX)}")
        if number != number.to_integral_value():
            raise FiscalYearError("must be a fiscal year such as FY2026-27 or 2026")
        year = int(number)
    else:
        raise FiscalYearError("must be a fiscal year such as FY2026-27 or 2026")
    if not FY_MIN <= year <= FY_MAX:
        raise FiscalYearError(f"must be between {fy_label(FY_MIN)} and {fy_label(FY_MAX)}")
    return year


def fy_start(fy: int) -> dt.date:
    return dt.date(fy, 7, 1)


def fy_end(fy: int) -> dt.date:
    return dt.date(fy + 1, 6, 30)


def fy_of(day: dt.date) -> int:
    """The FY that contains `day`."""
    return day.year if day.month >= 7 else day.year - 1
