"""Exact arithmetic and rounding (cost model §2).

Every intermediate value is an exact rational `Q` (GMP's mpq through gmpy2: the same exact
arithmetic as `fractions.Fraction`, about fifteen times faster); each component is rounded
once, half away from zero, to whole dollars.
"""

from __future__ import annotations

import functools
from decimal import Decimal
from typing import TypeAlias

from gmpy2 import mpq

Q = mpq  # the exact rational type, imported from here by the engine
Number: TypeAlias = Q | Decimal | int


_Q_OF: dict[Decimal, Q] = {}  # Decimal -> its rational; equal Decimals (1.0, 1.00) share one
_Q_OF_MAX = 65536


def _decimal_to_q(value: Decimal) -> Q:
    """Cached (a plain dict, emptied when full: cheaper to ask than an LRU cache)."""
    found = _Q_OF.get(value)
    if found is None:
        if len(_Q_OF) >= _Q_OF_MAX:
            _Q_OF.clear()
        numerator, denominator = value.as_integer_ratio()
        found = _Q_OF[value] = Q(numerator, denominator)
    return found


_MPQ = type(Q())


def q(value: Number) -> Q:
    """An exact rational of a plan value (Decimal conversions are cached: they are slow)."""
    if isinstance(value, Decimal):
        return _decimal_to_q(value)
    if isinstance(value, _MPQ):
        return value  # gmpy2's rationals are immutable: no copy
    return Q(value)


def exact(value: Number) -> Q:
    return value if isinstance(value, _MPQ) else Q(value)


def round_half_up(value: Number, places: int = 0) -> Decimal:
    """Round half away from zero to `places` decimals, exactly."""
    return Decimal(_half_up_int(value, places)).scaleb(-places)


def _half_up_int(value: Number, places: int = 0) -> int:
    """round_half_up(value × 10**places) as an integer, in integer arithmetic."""
    scale: int = 10**places  # int ** int is typed `Any` (a negative power gives a float)
    if isinstance(value, int):
        return value * scale
    if isinstance(value, Decimal):
        value = q(value)
    numerator, denominator = value.numerator, value.denominator
    if places:
        numerator *= scale
    if numerator >= 0:
        return int((2 * numerator + denominator) // (2 * denominator))
    return -int((-2 * numerator + denominator) // (2 * denominator))


_HALF = Q(1, 2)


def dollars(value: Number) -> int:
    """One rounded component: whole dollars, half away from zero."""
    if type(value) is _MPQ:
        # The engine's own values: x ± 1/2 truncated toward zero (`int` of a rational) is
        # x rounded half away from zero, exactly (`_half_up_int`'s figure, in two steps).
        return int(value + _HALF) if value >= 0 else int(value - _HALF)
    return _half_up_int(value)


def dollars_each(values: list[Q]) -> list[int]:
    """`dollars` of each exact rational (a line's components over its FYs)."""
    half = _HALF
    return [int(x + half) if x >= 0 else int(x - half) for x in values]


def quantize6(value: Number) -> Decimal:
    """Participant figures are kept to 6 decimals (§4)."""
    return round_half_up(value, 6)


def two_places(value: Number) -> str:
    """FTE and participant figures for display: 2 places, half-up (§9)."""
    return f"{round_half_up(value, 2):.2f}"


def fmt_money(value: Number, *, cents_shown: bool = False) -> str:
    """`$1,234` or `$1,234.56`, for the basis of estimate (the engine does not use Babel)."""
    if cents_shown:
        hundredths = _half_up_int(value, 2)
        sign = "-" if hundredths < 0 else ""
        whole, part = divmod(abs(hundredths), 100)
        return f"{sign}${whole:,}.{part:02d}"
    amount = _half_up_int(value)
    sign = "-" if amount < 0 else ""
    return f"{sign}${abs(amount):,}"


@functools.lru_cache(maxsize=4096, typed=True)
def fmt_percent(rate: Number) -> str:
    """0.22 -> `22%`, 0.0765 -> `7.65%`."""
    text = format(Decimal(round_half_up(exact(rate) * 100, 4)).normalize(), "f")
    return f"{text}%"


def fmt_quantity(value: Number, places: int = 2) -> str:
    """A count or hours figure: `12`, `12.5`, `8,760`, `41.88`."""
    amount = round_half_up(value, places).normalize()
    text = f"{amount:,f}"
    return text


@functools.lru_cache(maxsize=4096, typed=True)
def fmt_fte(value: Number) -> str:
    """FTE in the basis text: `1.0`, `2.5`, `0.25`."""
    amount = round_half_up(value, 4).normalize()
    text = format(amount, "f")
    return text if "." in text else f"{text}.0"
