"""Money on pages and in documents is formatted as Babel formats it."""

from decimal import Decimal

from babel.numbers import format_currency, format_decimal
from hypothesis import given
from hypothesis import strategies as st

from planner.present.formatting import LOCALE, MONEY_PATTERN, dollars, money
from planner.scenarios import fy_label


@given(st.integers(-(10**12), 10**12))
def test_whole_dollars_match_babel(amount):
    assert money(amount) == format_currency(
        amount, "USD", locale=LOCALE, format=MONEY_PATTERN, currency_digits=False
    )
    assert dollars(amount) == format_decimal(amount, format="#,##0;(#,##0)", locale=LOCALE)


def test_examples():
    assert money(1234567) == "$1,234,567"
    assert money(-212400) == "($212,400)"
    assert money(Decimal("1234.5")) == "$1,235"  # half up, as the engine rounds
    assert dollars(-5) == "(5)"
    assert fy_label(2026) == "FY2026-27"
