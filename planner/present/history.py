"""A plan's history in the user's words: each recorded change as the field's on-screen name
and its old and new values formatted as the editor shows them (not paths and raw JSON)."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from planner.present.formatting import long_date, money_cents, number, percent
from planner.present.labels import KIND_NAMES, is_money, label_of
from planner.scenarios import FiscalYearError, fy_label, parse_fy
from planner.scenarios.kinds import REGISTRY
from planner.scenarios.parse import (
    ASSUMPTION_FIELDS,
    AUTHORIZATION_FIELDS,
    COMMON_LINE_FIELDS,
    FUND_FIELDS,
    Field,
)
from planner.scenarios.uncertainty import LABELS as UNCERTAINTY_LABELS
from planner.scenarios.uncertainty import MULTIPLIERS, RATES, VARIABLES

SECTION_NAMES = {
    "assumptions": "Assumptions",
    "fund": "Fund",
    "participants": "Participants",
    "program": "Program settings",
    "jurisdiction": "Jurisdiction",
}
PARTICIPANT_GROUPS = {"referrals_per_year": "referrals", "enrollment_rate": "enrollment"}
LONG = 160


def _fields() -> dict[str, Field]:
    found: dict[str, Field] = {}
    groups = [
        ASSUMPTION_FIELDS,
        FUND_FIELDS,
        COMMON_LINE_FIELDS,
        AUTHORIZATION_FIELDS,
        *(kind.all_fields() for kind in REGISTRY.values()),
    ]
    for group in groups:
        for field in group:
            found.setdefault(field.name, field)
    return found


FIELDS = _fields()


@dataclass(frozen=True)
class Entry:
    at: dt.datetime
    who: str | None
    action: str
    where: str
    old: str
    new: str
    change_id: int = 0
    # The first entry of one save that changed the plan file: "restore the version before".
    restorable: bool = False


DOCUMENT_ONLY = ("", "status", "version")  # entries that are not the plan file's


def first_of_each_save(changes: Any) -> set[int]:
    """The ids of the entries that begin a save of the plan file: one save records one
    entry per changed value, one after another, with the same action, user and second."""
    found: set[int] = set()
    previous: Any = None
    for change in changes:
        if change.path in DOCUMENT_ONLY:
            previous = None
            continue
        same = (
            previous is not None
            and previous.action == change.action
            and previous.user_email == change.user_email
            and abs((change.at - previous.at).total_seconds()) < 2
        )
        if not same:
            found.add(change.id)
        previous = change
    return found


def _decimal(text: str) -> Decimal | None:
    try:
        value = Decimal(text)
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


def value_text(name: str, raw: Any, *, share: bool = False) -> str:
    """One stored value (as the history keeps it: text, or JSON text) as the editor shows it."""
    if raw is None:
        return "—"
    if isinstance(raw, str):
        try:
            value: Any = json.loads(raw) if raw[:1] in "[{" or raw in ("true", "false") else raw
        except ValueError:
            value = raw
    else:
        value = raw
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return (
            ", ".join(value_text(name, v if isinstance(v, str) else json.dumps(v)) for v in value)
            or "none"
        )
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    text = str(value)
    if text == "":
        return "(blank)"
    field = FIELDS.get(name)
    if name in ("start_fy", "end_fy"):
        try:
            return fy_label(parse_fy(int(text) if text.isdigit() else text))
        except FiscalYearError:
            return text
    if field is not None and field.type == "date":
        try:
            return long_date(dt.date.fromisoformat(text))
        except ValueError:
            return text
    amount = _decimal(text) if field is None or field.type in ("number", "whole") else None
    if amount is not None:
        if is_money(name):
            return money_cents(amount)
        if share or (field is not None and field.high == 1):
            return percent(amount)
        return (
            number(amount, 0)
            if amount == amount.to_integral_value()
            else format(amount.normalize(), "f")
        )
    if field is not None and field.type == "choice":
        return text.replace("_", " ")
    return text if len(text) <= LONG else text[: LONG - 1] + "…"


def _line_summary(line: Any) -> str:
    if not isinstance(line, dict):
        return "—"
    kind = KIND_NAMES.get(line.get("kind", ""), line.get("kind", ""))
    return f"{kind} '{line.get('label') or line.get('id')}'"


def _authorization_text(item: Any) -> str:
    if not isinstance(item, dict):
        return str(item)
    text = (
        f"{item.get('strategy')} {value_text('amount', item.get('amount'))}, "
        f"{value_text('start', item.get('start'))} to {value_text('end', item.get('end'))}"
    )
    if item.get("adopted_on"):
        text += f", adopted {value_text('adopted_on', item.get('adopted_on'))}"
    return text


def _load(raw: str | None) -> Any:
    if raw is None:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw


_LINE = re.compile(r"^line_items\[([^\]]+)\](?:\.(.+))?$")


def describe(
    path: str, old: str | None, new: str | None, line_names: dict[str, str]
) -> tuple[str, str, str]:
    """(where, old, new) of one recorded change, in the user's words."""
    if path == "":
        return "Plan created", "—", new or "—"
    if path == "status":
        return "Status", old or "—", new or "—"
    if path == "line_items (order)":

        def names(raw: str | None) -> str:
            ids = _load(raw) or []
            return ", ".join(line_names.get(i, i) for i in ids if isinstance(i, str))

        return "Order of the line items", names(old), names(new)
    match = _LINE.match(path)
    if match:
        line_id, key = match.groups()
        if key is None:
            before, after = _load(old), _load(new)
            name = (
                (after or before or {}).get("label") if isinstance(after or before, dict) else None
            )
            where = f"Line item '{name or line_names.get(line_id, line_id)}'"
            if before is None:
                return where, "—", "added: " + _line_summary(after)
            if after is None:
                return where, _line_summary(before), "deleted"
            return where, value_text("", old), value_text("", new)
        name = line_names.get(line_id, line_id)
        return f"Line '{name}': {label_of(key)}", value_text(key, old), value_text(key, new)
    parts = path.split(".")
    section = SECTION_NAMES.get(parts[0])
    if parts[0] == "fund" and len(parts) >= 2 and parts[1] == "receipts":
        if len(parts) == 3:
            return f"Receipts {parts[2]}", value_text("amount", old), value_text("amount", new)
        return "Receipts", _receipts_text(old), _receipts_text(new)
    if parts[0] == "fund" and len(parts) == 4 and parts[1] == "receipts_by_stream":  # §18
        return (
            f"Receipts, {parts[2]}, {parts[3]}",
            value_text("amount", old),
            value_text("amount", new),
        )
    if parts[0] == "program" and len(parts) == 2 and parts[1] == "authorizations":
        return (
            "Authorizations",
            "; ".join(_authorization_text(a) for a in _load(old) or []) or "none",
            "; ".join(_authorization_text(a) for a in _load(new) or []) or "none",
        )
    if parts[0] == "uncertainty":
        return _uncertainty_change(parts[1:], old, new)
    if parts[0] == "participants" and len(parts) == 3 and parts[1] in PARTICIPANT_GROUPS:
        name = f"{PARTICIPANT_GROUPS[parts[1]]}_{parts[2]}"
        share = parts[1] == "enrollment_rate"
        return (
            f"Participants: {label_of(name)}",
            value_text(name, old, share=share),
            value_text(name, new, share=share),
        )
    key = parts[-1]
    where = label_of(key)
    if section:
        where = f"{section}: {where}"
    return where, value_text(key, old), value_text(key, new)


def _bound_text(name: str, raw: Any) -> str:
    """One end of a range: a rate as a percent, a multiplier as "0.6×", months as months."""
    if raw is None:
        return "—"
    amount = _decimal(str(raw))
    if amount is None:
        return str(raw)
    if name in RATES:
        return percent(amount)
    if name in MULTIPLIERS:
        return f"{format(amount.normalize(), 'f')}×"
    return f"{number(amount, 0)} months"


def _range_text(name: str, value: Any) -> str:
    """`{"low": "0.6", "mode": "1", "high": "1.2"}` as "0.6× to 1.2× (most likely 1×)"."""
    if not isinstance(value, dict):
        return "none" if value is None else str(value)
    text = f"{_bound_text(name, value.get('low'))} to {_bound_text(name, value.get('high'))}"
    if value.get("mode") is not None:
        text += f" (most likely {_bound_text(name, value['mode'])})"
    return text


def _section_text(raw: str | None) -> str:
    """The uncertainty section in words: each range, then the draws and the seed."""
    found = _load(raw)
    if not isinstance(found, dict):
        return value_text("", raw)
    parts = [
        f"{UNCERTAINTY_LABELS[name]} {_range_text(name, found[name])}"
        for name in VARIABLES
        if name in found
    ]
    for key in ("draws", "seed"):
        if found.get(key) is not None:
            parts.append(f"{key} {number(Decimal(str(found[key])), 0)}")
    return "; ".join(parts) or "none"


def _uncertainty_change(rest: list[str], old: str | None, new: str | None) -> tuple[str, str, str]:
    """A change of the uncertainty ranges (cost model §12) in words, never raw JSON."""
    if not rest:
        return "Uncertainty ranges", _section_text(old), _section_text(new)
    name = rest[0]
    if name in VARIABLES:
        where = f"Uncertainty: {UNCERTAINTY_LABELS[name]}"
        if len(rest) == 1:
            return where, _range_text(name, _load(old)), _range_text(name, _load(new))
        bound = {"low": "low", "mode": "most likely", "high": "high"}.get(rest[1], rest[1])
        return f"{where}, {bound}", _bound_text(name, old), _bound_text(name, new)
    return f"Uncertainty: {name}", value_text(name, old), value_text(name, new)


def _receipts_text(raw: str | None) -> str:
    found = _load(raw)
    if not isinstance(found, dict):
        return value_text("amount", raw)
    return "; ".join(f"{fy} {value_text('amount', v)}" for fy, v in found.items()) or "none"


def history_entries(changes: Any, line_names: dict[str, str]) -> list[Entry]:
    """The plan's recorded changes, newest first, each described in the user's words."""
    entries = []
    changes = list(changes)
    starts = first_of_each_save(changes[1:])  # nothing comes before the first entry
    for change in reversed(changes):
        where, old, new = describe(change.path, change.old_value, change.new_value, line_names)
        entries.append(
            Entry(
                change.at,
                change.user_email,
                change.action,
                where,
                old,
                new,
                change.id,
                change.id in starts,
            )
        )
    return entries
