"""Exact arithmetic and rounding (cost model §2).

Every intermediate value is a `Fraction`; each component is rounded once, half away from
zero, to whole dollars.
"""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

Number = Fraction | Decimal | int


def exact(value: Number) -> Fraction:
    return value if isinstance(value, Fraction) else Fraction(value)


def round_half_up(value: Number, places: int = 0) -> Decimal:
    """Round half away from zero to `places` decimals, exactly."""
    scaled = exact(value) * 10**places
    magnitude = math.floor(abs(scaled) + Fraction(1, 2))
    result = Decimal(magnitude if scaled >= 0 else -magnitude)
    return result.scaleb(-places) if places else result


def dollars(value: Number) -> int:
    """One rounded component: whole dollars, half away from zero."""
    return int(round_half_up(value))


def cents(value: Number) -> Decimal:
    return round_half_up(value, 2)


def quantize6(value: Number) -> Decimal:
    """Participant figures are kept to 6 decimals (§4)."""
    return round_half_up(value, 6)


def two_places(value: Number) -> str:
    """FTE and participant figures for display: 2 places, half-up (§9)."""
    return f"{round_half_up(value, 2):.2f}"


def fmt_money(value: Number, *, cents_shown: bool = False) -> str:
    """`$1,234` or `$1,234.56`, for the basis of estimate (the engine does not use Babel)."""
    if cents_shown:
        amount = cents(value)
        sign = "-" if amount < 0 else ""
        return f"{sign}${abs(amount):,.2f}"
    amount = dollars(value)
    sign = "-" if amount < 0 else ""
    return f"{sign}${abs(amount):,}"


def fmt_percent(rate: Number) -> str:
    """0.22 -> `22%`, 0.0765 -> `7.65%`."""
    text = format(Decimal(round_half_up(exact(rate) * 100, 4)).normalize(), "f")
    return f"{text}%"


def fmt_quantity(value: Number, places: int = 2) -> str:
    """A count or hours figure: `12`, `12.5`, `8,760`, `41.88`."""
    amount = round_half_up(value, places).normalize()
    text = f"{amount:,f}"
    return text


def fmt_fte(value: Number) -> str:
    """FTE in the basis text: `1.0`, `2.5`, `0.25`."""
    amount = round_half_up(value, 4).normalize()
    text = format(amount, "f")
    return text if "." in text else f"{text}.0"


def ceil_div(value: Number) -> int:
    return math.ceil(exact(value))
