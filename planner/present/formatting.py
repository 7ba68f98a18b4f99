"""Template filters: money and dates through Babel, FYs through the engine's labels.

Templates only format what the engine returns; no arithmetic happens here.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import (
    format_currency,
    format_decimal,
    format_percent,
    get_currency_symbol,
    get_decimal_symbol,
    get_group_symbol,
)
from flask import Flask

from planner.scenarios import fy_label
from planner.scenarios.money import dollars as whole_dollars

LOCALE = "en_US"


MONEY_PATTERN = "¤#,##0;(¤#,##0)"
_SYMBOL = get_currency_symbol("USD", locale=LOCALE)
_GROUP = get_group_symbol(locale=LOCALE)


def money(amount: int | Decimal | None) -> str:
    """$1,234,567; negative amounts in parentheses, as in a budget document.

    Whole dollars (every engine amount) take a fast path with the same locale symbols
    Babel's pattern uses — a plan page shows about 500 of them; others go through Babel."""
    if amount is None:
        return ""
    if not isinstance(amount, int):
        amount = whole_dollars(amount)  # half up, as the engine rounds
    digits = f"{abs(amount):,}".replace(",", _GROUP)
    return f"{_SYMBOL}{digits}" if amount >= 0 else f"({_SYMBOL}{digits})"


def dollars(amount: int | Decimal | None) -> str:
    """1,234,567 — whole dollars without the sign, for dense tables."""
    if amount is None:
        return ""
    if not isinstance(amount, int):
        amount = whole_dollars(amount)
    digits = f"{abs(amount):,}".replace(",", _GROUP)
    return digits if amount >= 0 else f"({digits})"


def money_cents(amount: Decimal | None) -> str:
    if amount is None:
        return ""
    return format_currency(amount, "USD", locale=LOCALE)


_DECIMAL = get_decimal_symbol(locale=LOCALE)


def number(amount: Decimal | int | None, places: int = 2) -> str:
    """1,234.50 — as Babel's pattern `#,##0.00` writes it (the same quantizing), on a fast
    path: a plan page shows about 130 of them."""
    if amount is None:
        return ""
    if (
        isinstance(amount, int | Decimal)
        and not isinstance(amount, bool)
        and (Decimal(amount).is_finite())
    ):
        rounded = Decimal(amount).quantize(Decimal(1).scaleb(-places))
        text = f"{rounded:,f}"
        return text.replace(",", "\0").replace(".", _DECIMAL).replace("\0", _GROUP)
    pattern = "#,##0." + "0" * places if places else "#,##0"
    return format_decimal(amount, format=pattern, locale=LOCALE)


def percent(rate: Decimal | None) -> str:
    if rate is None:
        return ""
    return format_percent(rate, format="#,##0.##%", locale=LOCALE)


def long_date(day: dt.date | None) -> str:
    return format_date(day, format="long", locale=LOCALE) if day else ""


# ----------------------------------------------------------------------------- units
# Everything shown about an input's number comes from its unit (`Field.measure`,
# planner/scenarios/fields.py): how a page or the PDF prints it and its number format in
# the workbook. Nothing is guessed from a field's name.

_CENTS_FORMAT = '"$"#,##0.00;[Red]("$"#,##0.00)'
_DECIMAL_FORMAT = "#,##0.00"
WORKBOOK_FORMATS: dict[str, str] = {
    # an input, by its unit
    "dollars": _CENTS_FORMAT,
    "rate": "0.00%",
    "hours": _DECIMAL_FORMAT,
    "count": _DECIMAL_FORMAT,
    "fte": _DECIMAL_FORMAT,
    "multiplier": _DECIMAL_FORMAT,
    "whole": "#,##0",
    "months": "#,##0",
    "year": "0",
    "date": "mmmm d, yyyy",
    # a computed cell
    "money": '"$"#,##0;[Red]("$"#,##0)',  # whole dollars (every component, §2)
    "cents": _CENTS_FORMAT,
    "decimal": _DECIMAL_FORMAT,
    "precise": "#,##0.000000",
    "percent": "0.00%",
}


def by_unit(value: Decimal | int | None, unit: str) -> str:
    """A value as a page prints it, by its unit: a rate as a percent, dollars as money with
    cents, whole numbers without decimals."""
    if value is None:
        return ""
    if unit == "rate":
        return percent(Decimal(value))
    if unit == "dollars":
        return money_cents(Decimal(value))
    if unit == "year":
        return str(value)
    whole = Decimal(value) == Decimal(value).to_integral_value()
    return number(value, 0 if whole or unit in ("whole", "months") else 2)


FILTERS = {
    "money": money,
    "money_cents": money_cents,
    "dollars": dollars,
    "number": number,
    "percent": percent,
    "long_date": long_date,
    "fy": fy_label,
    "zip": lambda a, b: zip(a, b, strict=True),
    "zip3": lambda a, b, c: zip(a, b, c, strict=True),
}


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(FILTERS)
