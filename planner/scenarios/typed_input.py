"""What a finance office types, read as the plan file writes it: "$1,200,000" → "1200000",
"2.5%" → "0.025", "08/16/2021" → "2021-08-16".

The web forms pass every typed value through `canonical` before the plan file's own check
(`parse.check_field`), so a form accepts the way people write money, rates and dates while a
plan file stays strict. Only text that matches one of the shapes below exactly is rewritten;
anything else is returned unchanged and gets the plan file's own error. Text longer than a
number could be is returned at once, unread (cost model §15: limits before arithmetic).
"""

from __future__ import annotations

import re
from decimal import Decimal

from .fields import Field

LONGEST = 40  # characters: no money, rate or date a person types is longer
_GROUPED = r"\d{1,3}(?:,\d{3})+|\d+"  # 1,200,000 (commas every three digits) or 1200000
_NUMBER = re.compile(rf"(?P<sign>[-−]?)\s*(?P<dollar>\$?)\s*(?P<digits>{_GROUPED})(?P<frac>\.\d+)?")
_NEGATIVE_PARENS = re.compile(rf"\(\s*\$?\s*(?P<digits>{_GROUPED})(?P<frac>\.\d+)?\s*\)")
_PERCENT = re.compile(r"(?P<sign>[-−]?)\s*(?P<number>\d+(?:\.\d+)?|\.\d+)\s*%")
_US_DATE = re.compile(r"(?P<month>\d{1,2})/(?P<day>\d{1,2})/(?P<year>\d{4})")


def canonical(field: Field, text: str) -> str:
    """`text` as the plan file writes a value of `field` (or unchanged when it is not one of
    the shapes people type: the plan file's check then says what is wrong)."""
    value = text.strip()
    if not value or len(value) > LONGEST:
        return text
    if field.type == "date":
        found = _US_DATE.fullmatch(value)
        if found:
            month, day, year = (int(found[k]) for k in ("month", "day", "year"))
            return f"{year:04d}-{month:02d}-{day:02d}"  # the reader checks the day exists
        return value
    if field.type not in ("number", "whole"):
        return value
    if field.measure == "rate":
        found = _PERCENT.fullmatch(value)
        if found:
            share = Decimal(found["number"]).scaleb(-2)  # exact: 2.5% is 0.025
            return ("-" if found["sign"] else "") + _plain(share)
    parens = _NEGATIVE_PARENS.fullmatch(value)
    if parens and field.measure == "dollars":  # accounting's (1,200) is −1200
        return "-" + parens["digits"].replace(",", "") + (parens["frac"] or "")
    found = _NUMBER.fullmatch(value)
    if found and (not found["dollar"] or field.measure == "dollars"):
        sign = "-" if found["sign"] else ""
        return sign + found["digits"].replace(",", "") + (found["frac"] or "")
    return value


def _plain(number: Decimal) -> str:
    """A decimal without exponent or trailing zeros: 0.025, 3, 0.1."""
    text = format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def share_of_percent(text: str) -> Decimal | None:
    """A partner's share typed as a percentage ("25", "25%", "12.5 %") as the share of a line
    it pays, exactly (0.25); None unless it is a number above 0 and at most 100."""
    value = text.strip().removesuffix("%").strip()
    if not value or len(value) > LONGEST:
        return None
    try:
        percent = Decimal(value)
    except ArithmeticError:  # decimal.InvalidOperation
        return None
    if not percent.is_finite() or not 0 < percent <= 100:
        return None
    return percent.scaleb(-2)
