"""The limits on input of cost model §15, checked on the text before any arithmetic.

A JSON number keeps the text it was written with (`JsonNumber`), so that the parser can refuse
`1e999999999` or a 41-character number with its exact path before anything converts it.
The values of the limits are in `cost_tables/limits.toml` (`tables.Limits`).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from .tables import Limits

# A plain number as a person writes it: ASCII digits, one optional point, an optional
# exponent. No underscores (`1_000`), no other scripts' digits (`١٢٣`), no `NaN`.
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE]([+-]?[0-9]+))?")
# Decimal() also reads these; they are refused with their own message by the parser.
_SPECIAL = re.compile(r"[+-]?(?:nan|snan|inf|infinity)", re.IGNORECASE)


class JsonNumber(Decimal):
    """A number from a JSON document, with the text it was written as."""

    __slots__ = ("text",)
    text: str

    def __reduce__(self) -> tuple[Any, tuple[str]]:  # a copy or pickle keeps the text
        return json_number, (getattr(self, "text", str(self)),)


def json_number(text: str) -> JsonNumber:
    """The `parse_int`/`parse_float` hook: creating the Decimal is cheap whatever the
    exponent; only later arithmetic is not, and the parser checks `text` before that."""
    number = JsonNumber(text)
    number.text = text
    return number


def number_text(value: Any) -> str | None:
    """The text a number was written as, computed without any expensive conversion
    (None for a Python int too large to be a plan's number at all)."""
    if isinstance(value, JsonNumber):
        return getattr(value, "text", None) or str(value)
    if isinstance(value, Decimal):
        return str(value)  # scientific notation for tiny or huge exponents: short
    if isinstance(value, int):
        return str(value) if abs(value) < 10**60 else None
    if isinstance(value, float):
        return repr(value)
    return value if isinstance(value, str) else None


# The kinds of §15 problems (`Problem.kind`), for programs and tests to tell them apart.
TOO_LONG = "number_too_long"
EXPONENT = "number_exponent"
DIGITS = "number_digits"
TOO_MANY = "too_many"
NESTING = "nesting"
DATE_RANGE = "date_range"
FISCAL_YEAR = "fiscal_year"


def number_text_problem(text: str | None, limits: Limits) -> tuple[str, str] | None:
    """(kind, message) when this number text is refused before it is converted, or None."""
    if text is None:
        return TOO_LONG, f"is too long for a number (at most {limits.number_text_max} characters)"
    if len(text) > limits.number_text_max:
        return TOO_LONG, (
            f"is too long for a number ({len(text):,} characters; at most {limits.number_text_max})"
        )
    match = _NUMBER.fullmatch(text)
    if match is None:
        if _SPECIAL.fullmatch(text):
            return None  # Decimal reads it; the parser refuses it as not finite
        if "_" in text or any(ch.isdigit() and not ch.isascii() for ch in text):
            return DIGITS, "must be written with the digits 0–9 (no underscores or other scripts)"
        return None  # Decimal refuses it as not a number
    exponent = match.group(1)
    if exponent is not None and not (
        limits.number_exponent_min <= int(exponent) <= limits.number_exponent_max
    ):
        return EXPONENT, (
            f"has an exponent outside {limits.number_exponent_min}…"
            f"{limits.number_exponent_max} (got e{exponent})"
        )
    return None


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def nesting_problem(document: Any, limits: Limits) -> str | None:
    """The path of the first list or object nested deeper than the limit (the document
    itself is level 1), found without recursion; None when the document is within it."""
    if _within_depth(document, limits.nesting_max):
        return None  # what nearly every document is: no path written
    stack: list[tuple[Any, str, int]] = [(document, "", 1)]
    while stack:
        node, path, depth = stack.pop()
        if isinstance(node, dict):
            children: Any = node.items()
        elif isinstance(node, list):
            children = enumerate(node)
        else:
            continue
        if depth > limits.nesting_max:
            return path or "(plan)"
        for key, child in children:
            if isinstance(child, (dict, list)):
                stack.append((child, _join(path, key), depth + 1))
    return None


def _within_depth(document: Any, most: int) -> bool:
    """Whether no list or object is nested deeper than `most` (`nesting_problem` without
    the paths)."""
    if not isinstance(document, (dict, list)):
        return True
    stack: list[tuple[Any, int]] = [(document, 1)]
    while stack:
        node, depth = stack.pop()
        children = node.values() if isinstance(node, dict) else node
        if depth > most:
            return False
        for child in children:
            if isinstance(child, (dict, list)):
                stack.append((child, depth + 1))
    return True
