"""The reader of a plan document's values (cost model §8, §15): each value converted and
checked at its path, every problem collected with that path. `parse` reads a whole plan with
it; `actuals` and `funding` read their sections with it (they sit below `parse`, which
calls them)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from .fields import MISSING, Field, money
from .fiscal import FiscalYearError, fy_label, parse_fy
from .limits import DATE_RANGE, FISCAL_YEAR, TOO_MANY, number_text, number_text_problem
from .money import round_half_up
from .tables import CostTables

_MISSING = MISSING
# Control characters other than tab and line breaks: no database or PDF should store them.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# A plain decimal number (ASCII digits, an optional sign and point, no exponent, no spaces or
# commas): within the length limit of §15, `number_text_problem` has nothing to say of it.
_PLAIN_NUMBER = re.compile(r"-?[0-9]{1,18}(?:\.[0-9]{1,18})?")
DEFAULT_YEARS = 18  # the settlement horizon, FY2022-23 to FY2038-39 (§1)


@dataclass(frozen=True)
class Problem:
    path: str
    message: str
    kind: str = ""  # for the §15 limits: one of the kinds in planner.scenarios.limits

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class PlanError(ValueError):
    """A plan document with one or more problems, each with its path."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class _Reader:
    def __init__(self, tables: CostTables):
        self.tables = tables
        self.problems: list[Problem] = []
        assert tables.limits is not None  # noqa: S101 - the loader always reads limits.toml
        self.limits = tables.limits
        self.unlisted = 0  # problems past the listed maximum, counted
        self.start_fy = 2000
        self.years = DEFAULT_YEARS
        self.rates: dict[str, Decimal] = {}

    def error(self, path: str, message: str, kind: str = "") -> None:
        if len(self.problems) < self.limits.problems_listed_max:
            self.problems.append(Problem(path, message, kind))
        else:
            self.unlisted += 1

    def too_many(self, value: Any, path: str, limit: int, what: str) -> bool:
        """§15: a list (or mapping) longer than its limit is refused unread."""
        if isinstance(value, (list, dict)) and len(value) > limit:
            self.error(path, f"at most {limit:,} {what} (got {len(value):,})", TOO_MANY)
            return True
        return False

    def number_text_ok(self, value: Any, path: str) -> bool:
        """§15: a number's text is checked before anything converts it."""
        if isinstance(value, bool):
            return True
        text = value.strip().replace(",", "") if isinstance(value, str) else number_text(value)
        problem = number_text_problem(text, self.limits)
        if problem:
            self.error(path, problem[1], problem[0])
            return False
        return True

    # -- shapes

    def obj(
        self, value: Any, path: str, allowed: Collection[str] | None = None
    ) -> Mapping[str, Any] | None:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.error(path, "must be an object")
            return None
        for key in getattr(value, "duplicates", ()):
            self.error(_join(path, key), "duplicate key")
        if allowed is not None:
            for key in value:
                if key not in allowed:
                    self.error(_join(path, key), "unknown key")
        return value

    # -- scalars

    def number(self, value: Any, path: str) -> Decimal | None:
        if isinstance(value, bool):
            self.error(path, "must be a number")
            return None
        if not self.number_text_ok(value, path):
            return None
        if isinstance(value, Decimal):
            result = value
        elif isinstance(value, int):
            result = Decimal(value)
        elif isinstance(value, float):
            result = Decimal(repr(value))
        elif isinstance(value, str):
            text = value.strip().replace(",", "")
            try:
                result = Decimal(text)
            except InvalidOperation:
                self.error(path, f"must be a number (got '{value}')")
                return None
        else:
            self.error(path, "must be a number")
            return None
        if not result.is_finite():
            self.error(path, "must be a finite number")
            return None
        return result

    def scalar(self, field: Field, value: Any, path: str) -> Any:
        """Convert and check one given value; returns _MISSING after reporting a problem."""
        kind = field.type
        if kind in ("number", "whole"):
            number = self.number(value, path)
            if number is None:
                return _MISSING
            if kind == "whole" and number != number.to_integral_value():
                self.error(path, "must be a whole number")
                return _MISSING
            if field.positive and number <= 0:
                self.error(path, "must be greater than 0 (it is a divisor)")
                return _MISSING
            if (field.low is not None and number < field.low) or (
                field.high is not None and number > field.high
            ):
                self.error(path, field.limits_text())
                return _MISSING
            if field.cap is not None and abs(number) > field.cap:
                self.error(path, f"must be at most {field.cap:,f}")
                return _MISSING
            return int(number) if kind == "whole" else number
        if kind == "bool":
            if not isinstance(value, bool):
                self.error(path, "must be true or false")
                return _MISSING
            return value
        if kind in ("text", "choice"):
            if not isinstance(value, str):
                self.error(path, "must be text")
                return _MISSING
            if _CONTROL.search(value):
                self.error(path, "must not contain control characters (such as NUL)")
                return _MISSING
            if len(value) > field.max_length:
                self.error(
                    path, f"must be at most {field.max_length:,} characters (got {len(value):,})"
                )
                return _MISSING
            if kind == "choice" and value not in field.choices:
                self.error(path, f"must be one of: {', '.join(field.choices)} (got '{value}')")
                return _MISSING
            return value
        if kind == "fy":
            if not isinstance(value, str) and not self.number_text_ok(value, path):
                return _MISSING
            try:
                return parse_fy(value)
            except FiscalYearError as exc:
                self.error(path, str(exc), FISCAL_YEAR)
                return _MISSING
        if kind == "date":
            return self.date(value, path)
        if kind == "government":
            return self.government(value, path)
        if kind == "fy_amounts":
            return self.fy_amounts(field, value, path)
        raise AssertionError(kind)  # pragma: no cover

    def government(self, value: Any, path: str) -> Any:
        """A government's slug (§16 `jurisdiction`, §17 `to`): one of the 117."""
        if not isinstance(value, str):
            self.error(path, "must be a government's slug such as 'ashe-county'")
            return _MISSING
        slugs = {j.slug for j in self.tables.jurisdictions}
        if value not in slugs:
            shown = value if len(value) <= 60 else value[:60] + "…"
            self.error(
                path, f"is not one of North Carolina's 117 local governments (got '{shown}')"
            )
            return _MISSING
        return value

    def fy_entries(
        self, value: Mapping[str, Any], path: str
    ) -> tuple[list[tuple[str, int, Any]], bool]:
        """The (path, FY, raw value) of each key of an FY → value object that is a fiscal year
        given once; and whether every key was (each other one is reported at its path)."""
        entries: list[tuple[str, int, Any]] = []
        first_key: dict[int, str] = {}
        ok = True
        for key, raw in value.items():
            here = _join(path, key)
            try:
                fy = parse_fy(key)
            except FiscalYearError as exc:
                self.error(here, f"is not a fiscal year: {exc}", FISCAL_YEAR)
                ok = False
                continue
            if fy in first_key:
                self.error(
                    here, f"the same FY as '{first_key[fy]}' ({fy_label(fy)}) is given twice"
                )
                ok = False
                continue
            first_key[fy] = key
            entries.append((here, fy, raw))
        return entries, ok

    def fy_amounts(self, field: Field, value: Any, path: str) -> Any:
        """FY → dollars (§17): each FY inside the plan and given once, each amount rounded
        half-up to whole dollars; as sorted (fy, dollars) pairs."""
        if not isinstance(value, dict):
            self.error(path, 'must be an object of FY → dollars such as {"FY2026-27": "12000"}')
            return _MISSING
        if self.too_many(value, path, self.limits.receipts_max, "FY amounts"):
            return _MISSING
        found: dict[int, Decimal] = {}
        last = self.start_fy + self.years - 1
        amount_field = money("amount")
        entries, ok = self.fy_entries(value, path)
        for here, fy, raw in entries:
            if not self.start_fy <= fy <= last:
                self.error(
                    here,
                    f"{fy_label(fy)} is outside the plan "
                    f"({fy_label(self.start_fy)} to {fy_label(last)})",
                )
                ok = False
                continue
            amount = self.scalar(amount_field, raw, here)
            if amount is _MISSING:
                ok = False
                continue
            found[fy] = round_half_up(amount)
        return tuple(sorted(found.items())) if ok else _MISSING

    def date(self, value: Any, path: str) -> Any:
        if not isinstance(value, str):
            self.error(path, "must be a date written YYYY-MM-DD")
            return _MISSING
        text = value.strip()
        try:
            if len(text) > 10:
                raise ValueError(text)
            day = dt.date.fromisoformat(text)
        except ValueError:
            shown = value if len(value) <= 40 else value[:40] + "…"
            self.error(path, f"must be a date written YYYY-MM-DD (got '{shown}')")
            return _MISSING
        low, high = self.limits.date_year_min, self.limits.date_year_max
        if not low <= day.year <= high:
            self.error(path, f"must be a date between {low}-01-01 and {high}-12-31", DATE_RANGE)
            return _MISSING
        return day

    def default_for(self, key: str) -> Decimal:
        entry = self.tables.defaults[key]
        if entry.is_money:
            return self.tables.aged(key, self.rates, self.start_fy)
        return self.tables.value(key)

    def plain(self, field: Field, value: str) -> Any:
        """What most plan files give: plain text, a choice, a plain decimal number, taken
        when valid with no path written; _MISSING for anything else (a problem included),
        which `scalar` reads, checks and reports."""
        kind = field.type
        if kind == "number":
            if len(value) <= self.limits.number_text_max and _PLAIN_NUMBER.fullmatch(value):
                number = Decimal(value)
                if (
                    (not field.positive or number > 0)
                    and (field.low is None or number >= field.low)
                    and (field.high is None or number <= field.high)
                    and (field.cap is None or abs(number) <= field.cap)
                ):
                    return number
        elif kind == "text" or kind == "choice":
            if (
                len(value) <= field.max_length
                and (kind == "text" or value in field.choices)
                and not _CONTROL.search(value)
            ):
                return value
        return _MISSING

    def field(self, source: Mapping[str, Any], field: Field, path: str) -> Any:
        """The field's value: given and valid, else its default; _MISSING after a problem."""
        value = source.get(field.name, _MISSING)
        if type(value) is str:
            plain = self.plain(field, value)
            if plain is not _MISSING:
                return plain
        if value is None and (field.nullable or not field.required):
            value = _MISSING
        if value is _MISSING:
            if field.required:
                self.error(_join(path, field.name), field.required_message)
                return _MISSING
            if field.default is not None:
                found = self.default_for(field.default)
                return int(found) if field.type == "whole" else found
            if field.fixed is not _MISSING:
                return field.fixed
            return None
        return self.scalar(field, value, _join(path, field.name))

    def fields(
        self, source: Mapping[str, Any], fields: tuple[Field, ...], path: str
    ) -> dict[str, Any]:
        return {f.name: self.field(source, f, path) for f in fields}


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key
