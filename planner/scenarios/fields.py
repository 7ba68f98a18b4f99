"""One input of a plan file: its type, limits and default (cost model §8, §15).

The parser (`parse.py`), the line kinds (`kinds/`) and the web forms share these
definitions, so a form and a plan file check a value the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

MISSING: Any = object()  # "not given" (or given and refused): the parser's sentinel
# No amount, count or rate base in a county's plan comes near a trillion; larger numbers are
# typing mistakes, and would overflow the present-value computation.
CAP = Decimal(10) ** 12
SHORT_TEXT = 200  # names, labels, codes (a plan's name is a 200-character column)
LONG_TEXT = 20_000  # justifications and plans written out
ZERO = Decimal(0)
ONE = Decimal(1)
HOURS_PER_WEEK_MAX = Decimal(168)

FieldType = Literal[
    "number", "whole", "bool", "text", "choice", "fy", "date", "government", "fy_amounts"
]
# What a number measures: every label's unit hint, number format, form widget and workbook
# format is derived from it (planner/present/formatting.py), never from the field's name.
Unit = Literal[
    "dollars",  # an amount of money ($)
    "rate",  # a share or a rate a year: 0.03 = 3%
    "hours",
    "count",  # people, units, trainees, referrals: a quantity that may have decimals
    "whole",  # a whole number (officers, a class size, years between refreshers)
    "fte",  # full-time equivalents
    "months",
    "multiplier",  # 1.5 = time and a half
    "year",  # a fiscal year (its starting calendar year)
    "date",
    "",  # text, a choice or a yes/no
]
UNITS: tuple[str, ...] = Unit.__args__  # type: ignore[attr-defined]
# The plan-wide inputs whose helper (`divisor`, `count`, a bare Field) does not say what they
# measure; a field's own `unit` wins.
PLAN_UNITS: dict[str, Unit] = {
    "productive_hours_per_fte": "hours",
    "fte_increment": "fte",
    "overtime_multiplier": "multiplier",
    "reserve_months": "months",
    "average_months_enrolled": "months",
}


@dataclass(frozen=True)
class Field:
    """One input: its type, limits and default. Shared by the parser and the web forms."""

    name: str
    type: FieldType
    required: bool = False
    default: str | None = None  # a cost_tables key (money defaults are aged, §2)
    fixed: Any = MISSING  # a structural (non-numeric) default
    low: Decimal | None = None
    high: Decimal | None = None
    positive: bool = False  # a divisor: must be > 0
    nullable: bool = False  # null means "not given" and stays None
    choices: tuple[str, ...] = ()
    help: str = ""  # a staffing line's own override of a plan-wide rate: what it is
    cap: Decimal | None = None  # a sanity bound on amounts and counts
    max_length: int = SHORT_TEXT  # for text
    label: str = ""  # what the editor calls it ("" = planner.present.labels)
    hint: str = ""  # the unit or a hint shown under the input
    required_message: str = "is required"
    unit: Unit | None = None  # None: from the type (`measure`)

    @property
    def measure(self) -> Unit:
        """What the field's number measures (its unit), "" for text, choices and flags."""
        if self.unit is not None:
            return self.unit
        if self.name in PLAN_UNITS:
            return PLAN_UNITS[self.name]
        return _TYPE_UNITS.get(self.type, "count")

    @property
    def fixed_default(self) -> Any:
        """The structural default (a choice or flag), or None."""
        return None if self.fixed is MISSING else self.fixed

    def limits_text(self) -> str:
        if self.positive:
            return "must be greater than 0"
        if self.low is not None and self.high is not None:
            low = "−0.5" if self.low == Decimal("-0.5") else format(self.low, "f")
            return f"must be between {low} and {format(self.high, 'f')}"
        if self.low is not None:
            return f"must be ≥ {format(self.low, 'f')}"
        return ""


_TYPE_UNITS: dict[str, Unit] = {
    "whole": "whole",
    "fy": "year",
    "date": "date",
    "bool": "",
    "text": "",
    "choice": "",
    "government": "",  # a government's slug (§17)
    "fy_amounts": "dollars",  # dollars by FY (a contribution, §17)
}


def money(name: str = "", **kw: Any) -> Field:
    kw.setdefault("unit", "dollars")
    return Field(name, "number", low=ZERO, cap=CAP, **kw)


def count(name: str = "", **kw: Any) -> Field:
    return Field(name, "number", low=ZERO, cap=CAP, **kw)


def share(name: str = "", **kw: Any) -> Field:
    """A rate of 0-1 (§8)."""
    kw.setdefault("unit", "rate")
    return Field(name, "number", low=ZERO, high=ONE, **kw)


def escalation(name: str = "", **kw: Any) -> Field:
    """An escalation, inflation, interest or discount rate: −0.5 to 1 (§8)."""
    kw.setdefault("unit", "rate")
    return Field(name, "number", low=Decimal("-0.5"), high=ONE, **kw)


def divisor(name: str = "", **kw: Any) -> Field:
    return Field(name, "number", low=ZERO, positive=True, cap=CAP, **kw)


def whole(name: str = "", *, low: Decimal = ZERO, **kw: Any) -> Field:
    """A whole number ≥ `low` (officers, a class size, an interval in years)."""
    return Field(name, "whole", low=low, cap=CAP, **kw)


def hours_per_week(name: str = "", **kw: Any) -> Field:
    """Hours covered a week: 0–168 (§8)."""
    kw.setdefault("unit", "hours")
    return Field(name, "number", low=ZERO, high=HOURS_PER_WEEK_MAX, **kw)


def choice(name: str = "", choices: tuple[str, ...] = (), **kw: Any) -> Field:
    return Field(name, "choice", choices=choices, **kw)


def flag(name: str = "", **kw: Any) -> Field:
    return Field(name, "bool", **kw)


def government(name: str = "", **kw: Any) -> Field:
    """A government's slug, one of the 117 of `cost_tables/nc_local_governments.csv`."""
    return Field(name, "government", **kw)


def fy_amounts(name: str = "", **kw: Any) -> Field:
    """Dollars by FY (FY → amount, keyed by label or starting year), each rounded half-up to
    whole dollars; every FY inside the plan (§17's contribution amounts)."""
    return Field(name, "fy_amounts", low=ZERO, cap=CAP, **kw)
