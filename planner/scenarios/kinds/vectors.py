"""A backend of a line's years at once: the kinds' own formulas (written once over `Ops`) run
on lists of exact rationals, one entry per FY the line is active, so the projection evaluates
each line once instead of once per line-year (cost model §2: the same rationals, element by
element, as the exact backend gives year by year).

A value is either a `Years` (one exact rational per FY) or a plain exact rational, the same in
every FY (a line's parameters, the plan's rates): `Years` ⊕ scalar broadcasts the scalar, and
scalar ⊕ scalar stays a scalar, so what does not change from year to year is computed once.
A `Years` refuses to be a truth value or to be compared: a formula that branched in Python on
a yearly value would be wrong here, and says so instead (only kinds that declare
`vectorizes` are run on this backend; the others are costed year by year).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import Decimal
from operator import add, mul, sub, truediv
from typing import Any

from ..money import Q, _decimal_to_q, q
from .base import EXACT

_MPQ = type(Q())


class Years:
    """One exact rational per FY of a line's active span."""

    __slots__ = ("v",)

    def __init__(self, values: list[Any]):
        self.v = values

    def __len__(self) -> int:
        return len(self.v)

    def at(self, i: int) -> Any:
        return self.v[i]

    def __add__(self, o: Any) -> Years:
        if type(o) is Years:
            return Years(_pairs(add, self.v, o.v))
        if not o:
            return self  # x + 0 is x (a Years is never changed in place)
        return Years([a + o for a in self.v])

    def __radd__(self, o: Any) -> Years:
        if not o:
            return self  # 0 + x: a sum that starts from ops.num(0) (indirect's base)
        return Years([o + a for a in self.v])

    def __sub__(self, o: Any) -> Years:
        if type(o) is Years:
            return Years(_pairs(sub, self.v, o.v))
        return Years([a - o for a in self.v])

    def __rsub__(self, o: Any) -> Years:
        return Years([o - a for a in self.v])

    def __mul__(self, o: Any) -> Years:
        if type(o) is Years:
            return Years(_pairs(mul, self.v, o.v))
        return Years([a * o for a in self.v])

    def __rmul__(self, o: Any) -> Years:
        return Years([o * a for a in self.v])

    def __truediv__(self, o: Any) -> Years:
        if type(o) is Years:
            return Years(_pairs(truediv, self.v, o.v))
        return Years([a / o for a in self.v])

    def __rtruediv__(self, o: Any) -> Years:
        return Years([o / a for a in self.v])

    def __bool__(self) -> bool:
        raise TypeError("a yearly value has no single truth value (use the Ops choices)")

    def __eq__(self, o: object) -> bool:
        raise TypeError("a yearly value is compared through the Ops choices")

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Years({self.v!r})"


def _pairs(op: Callable[[Any, Any], Any], a: list[Any], b: list[Any]) -> list[Any]:
    """op(a_i, b_i) for each FY, in a C loop (`map`); the lists are one span's, of a length."""
    if len(a) != len(b):
        raise ValueError("yearly values of different spans")
    return list(map(op, a, b))


def at(value: Any, i: int) -> Any:
    """The value in the i-th FY of the span (a scalar is the same in each)."""
    return value.v[i] if type(value) is Years else value


def _map1(f: Callable[[Any], Any], x: Any) -> Any:
    return Years([f(a) for a in x.v]) if type(x) is Years else f(x)


def _map2(f: Callable[[Any, Any], Any], x: Any, y: Any) -> Any:
    if type(x) is Years:
        if type(y) is Years:
            return Years([f(a, b) for a, b in zip(x.v, y.v, strict=True)])
        return Years([f(a, y) for a in x.v])
    if type(y) is Years:
        return Years([f(x, b) for b in y.v])
    return f(x, y)


_ONE, _ZERO = Q(1), Q(0)


def _ceil(x: Any) -> Any:
    return Q(math.ceil(x))  # ExactOps.ceil's rational of the same whole number


def _equal(a: Any, b: Any) -> Any:
    return _ONE if a == b else _ZERO


def _at_least(a: Any, b: Any) -> Any:
    return _ONE if a >= b else _ZERO


def _mod(a: Any, b: Any) -> Any:
    return a - b * math.floor(a / b)


def _max(a: Any, b: Any) -> Any:
    return a if a >= b else b


def _min(a: Any, b: Any) -> Any:
    return a if a <= b else b


class YearsOps:
    """The exact backend (`ExactOps`) applied FY by FY to `Years`, scalars left scalar."""

    @staticmethod
    def num(value: Any) -> Any:
        kind = type(value)
        if kind is Years or kind is _MPQ:
            return value
        if kind is Decimal:
            return _decimal_to_q(value)  # what `q` does, without its other tests
        return q(value)

    # The operations below are `_map1`/`_map2` of the functions above, their bodies written
    # inline for a `Years` and a scalar (what the kinds mostly ask: no call per FY).

    def ceil(self, x: Any) -> Any:
        if type(x) is Years:
            return Years([Q(math.ceil(a)) for a in x.v])
        return _ceil(x)

    def maximum(self, a: Any, b: Any) -> Any:
        if type(a) is Years and type(b) is Years:
            return Years([x if x >= y else y for x, y in zip(a.v, b.v, strict=True)])
        if type(a) is Years:
            return Years([x if x >= b else b for x in a.v])
        if type(b) is Years and type(a) is not Years:
            return Years([a if a >= y else y for y in b.v])
        return _map2(_max, a, b)

    def minimum(self, a: Any, b: Any) -> Any:
        if type(a) is Years and type(b) is Years:
            return Years([x if x <= y else y for x, y in zip(a.v, b.v, strict=True)])
        if type(a) is Years:
            return Years([x if x <= b else b for x in a.v])
        if type(b) is Years and type(a) is not Years:
            return Years([a if a <= y else y for y in b.v])
        return _map2(_min, a, b)

    def where(self, test: Any, a: Any, b: Any) -> Any:
        if type(test) is not Years:
            return a if test else b
        n = len(test.v)
        av = a.v if type(a) is Years else [a] * n
        bv = b.v if type(b) is Years else [b] * n
        return Years([x if t else y for t, x, y in zip(test.v, av, bv, strict=True)])

    # ExactOps's choices (kinds/base.py), FY by FY.

    def equal(self, a: Any, b: Any) -> Any:
        if type(a) is Years and type(b) is not Years:
            return Years([_ONE if x == b else _ZERO for x in a.v])
        return _map2(_equal, a, b)

    def at_least(self, a: Any, b: Any) -> Any:
        if type(a) is Years and type(b) is not Years:
            return Years([_ONE if x >= b else _ZERO for x in a.v])
        return _map2(_at_least, a, b)

    def mod(self, a: Any, b: Any) -> Any:
        if type(a) is Years and type(b) is not Years:
            return Years([x - b * math.floor(x / b) for x in a.v])
        return _map2(_mod, a, b)

    def power(self, base: Any, k: int) -> Any:
        return _map1(lambda x: x**k, base)

    def half_up(self, x: Any, places: int) -> Any:
        return _map1(lambda v: EXACT.half_up(v, places), x)  # type: ignore[attr-defined]

    def own_or(self, own: Any, fallback: Any) -> Any:
        return q(own if own is not None else fallback)

    def capped(self, x: Any, cap: Any) -> Any:
        return x if cap is None else self.minimum(x, q(cap))


YEARS = YearsOps()
