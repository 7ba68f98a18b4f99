"""Template filters: money and dates through Babel, FYs through the engine's labels.

Templates only format what the engine returns; no arithmetic happens here.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal, format_percent
from flask import Flask

from planner.scenarios import fy_label

LOCALE = "en_US"


def money(amount: int | Decimal | None) -> str:
    """$1,234,567; negative amounts in parentheses, as in a budget document."""
    if amount is None:
        return ""
    return format_currency(amount, "USD", locale=LOCALE, format="¤#,##0;(¤#,##0)",
                           currency_digits=False)


def dollars(amount: int | Decimal | None) -> str:
    """1,234,567 — whole dollars without the sign, for dense tables."""
    if amount is None:
        return ""
    return format_decimal(amount, format="#,##0;(#,##0)", locale=LOCALE)


def money_cents(amount: Decimal | None) -> str:
    if amount is None:
        return ""
    return format_currency(amount, "USD", locale=LOCALE)


def number(amount: Decimal | int | None, places: int = 2) -> str:
    if amount is None:
        return ""
    pattern = "#,##0." + "0" * places if places else "#,##0"
    return format_decimal(amount, format=pattern, locale=LOCALE)


def percent(rate: Decimal | None) -> str:
    if rate is None:
        return ""
    return format_percent(rate, format="#,##0.##%", locale=LOCALE)


def long_date(day: dt.date | None) -> str:
    return format_date(day, format="long", locale=LOCALE) if day else ""


FILTERS = {
    "money": money, "money_cents": money_cents, "dollars": dollars, "number": number,
    "percent": percent,
    "long_date": long_date, "fy": fy_label, "zip": lambda a, b: zip(a, b, strict=True),
    "zip3": lambda a, b, c: zip(a, b, c, strict=True),
}


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(FILTERS)
