"""Checks of a backup's rows before a restore writes anything: each value's type, range and
length as the database and the app would hold it, each problem named by its path
(`users[3].email: …`). Used by every section of a backup (`backup.py`,
`backup_actuals.py`); a new section checks its rows with the same `Rows`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

ID_MAX = 2**31 - 1  # INTEGER on PostgreSQL
HISTORY_TEXT_MAX = 2_000_000  # a history value holds at most an uploaded file (2 MB)
PROBLEMS_SHOWN = 100


def iso_time(value: dt.datetime | None) -> str | None:
    """A moment as every section of a backup writes it: ISO 8601, in UTC when the database
    kept no zone (SQLite)."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.isoformat()


class Problems(list[str]):
    """The problems found so far, each 'path: what is wrong'."""

    def add(self, where: str, message: str) -> None:
        self.append(f"{where}: {message}")

    def text(self) -> str:
        shown = "; ".join(self[:PROBLEMS_SHOWN])
        more = len(self) - PROBLEMS_SHOWN
        return shown + (f"; and {more} more problems" if more > 0 else "")


def rows(data: dict[str, Any], section: str, problems: Problems) -> Iterator[tuple[str, dict]]:
    """The rows of one section of a backup (absent: none) with their paths; a section that
    is not a list, or a row that is not an object, is a problem."""
    value = data.get(section)
    if value is None:
        return
    if not isinstance(value, list):
        problems.add(section, "must be a list")
        return
    for index, row in enumerate(value):
        where = f"{section}[{index}]"
        if isinstance(row, dict):
            yield where, row
        else:
            problems.add(where, "must be an object")


class Row:
    """One row's values, checked one by one; each check returns the value when it is good
    (None when absent or bad: the problem is recorded)."""

    def __init__(self, where: str, row: dict[str, Any], problems: Problems):
        self.where, self.row, self.problems = where, row, problems

    def _bad(self, key: str, message: str) -> None:
        self.problems.add(f"{self.where}.{key}", message)

    def whole(
        self, key: str, *, low: int = 1, high: int = ID_MAX, required: bool = True
    ) -> int | None:
        value = self.row.get(key)
        if value is None and not required:
            return None
        if type(value) is not int or not low <= value <= high:
            self._bad(key, f"must be a whole number from {low} to {high}")
            return None
        return value

    def text(
        self, key: str, *, longest: int, required: bool = True, empty: bool = False
    ) -> str | None:
        value = self.row.get(key)
        if value is None and not required:
            return None
        if not isinstance(value, str) or (not empty and not value.strip()):
            self._bad(key, "must be text" if empty else "must be text, not empty")
            return None
        if len(value) > longest:
            self._bad(key, f"is longer than {longest} characters")
            return None
        if "\x00" in value:
            self._bad(key, "contains a NUL character")
            return None
        return value

    def flag(self, key: str) -> bool | None:
        value = self.row.get(key)
        if not isinstance(value, bool):
            self._bad(key, "must be true or false")
            return None
        return value

    def choice(self, key: str, allowed: tuple[str, ...]) -> str | None:
        value = self.row.get(key)
        if value not in allowed:
            self._bad(key, f"must be one of {', '.join(allowed)}")
            return None
        return value

    def time(self, key: str, *, required: bool = False) -> dt.datetime | None:
        value = self.row.get(key)
        if value is None and not required:
            return None
        try:
            if not isinstance(value, str) or len(value) > 40:
                raise ValueError
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            self._bad(key, "must be a date and time (ISO 8601)")
            return None
        if not 1900 <= moment.year <= 2100:
            self._bad(key, "must be in the years 1900 to 2100")
            return None
        return moment

    def date(self, key: str, *, low: int, high: int) -> dt.date | None:
        value = self.row.get(key)
        if value is None:
            return None
        try:
            if not isinstance(value, str) or len(value) > 10:
                raise ValueError
            day = dt.date.fromisoformat(value)
        except ValueError:
            self._bad(key, "must be a date (YYYY-MM-DD)")
            return None
        if not low <= day.year <= high:
            self._bad(key, f"must be in the years {low} to {high}")
            return None
        return day

    def unique(self, key: str, value: Any, seen: set, what: str) -> None:
        """`value` (already checked) must not repeat within its section."""
        if value is None:
            return
        if value in seen:
            self._bad(key, f"{what} {value!r} appears twice"[:200])
        seen.add(value)
