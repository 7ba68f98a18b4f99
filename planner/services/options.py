"""Ways to fit a stored plan to its fund (issue 22): compute them, apply one to the plan or
to a copy, and restore any earlier version from the history.

The engine (`planner.scenarios.options`) builds every option; these functions read the
stored plan, ask the engine, and save through `update_plan` (which validates the whole plan
and records each changed value). They never commit.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from planner.cost_tables import default_cost_tables, default_outcomes, default_ranges
from planner.models import PlanChange, PlanRecord, User
from planner.scenarios import Plan, parse_plan_text
from planner.scenarios.options import Option, OptionsResult, plan_options
from planner.scenarios.outcomes import ProgramBuys, program_buys
from planner.scenarios.projection import Projection
from planner.services import DbSession
from planner.services.plan_documents import projected_document, without_actuals
from planner.services.plans import clone_plan, update_plan

DEFAULT_CHANCE = Decimal("0.1")  # the chance fit the page shows: at most 10%
NOT_DOCUMENT = ("", "status", "version")  # history paths that are not the plan file's


class OptionGone(ValueError):
    """The option asked for is not among the plan's options (any more)."""


@functools.lru_cache(maxsize=16)
def _cached(document: str, protect: tuple[str, ...], chance: str, as_of: dt.date) -> Any:
    plan = parse_plan_text(document, default_cost_tables())
    try:
        return plan_options(
            plan,
            default_cost_tables(),
            as_of=as_of,
            protect=protect,
            max_deficit_chance=Decimal(chance) if chance else None,
            ranges=default_ranges(),
        )
    except ValueError as error:
        return str(error)


def options_of(
    record: PlanRecord, as_of: dt.date, protect: Iterable[str] = (), chance: Decimal | None = None
) -> OptionsResult:
    """The options of a stored plan with its jurisdiction's actuals (closed FYs are facts),
    kept per stored document; ValueError for a line to protect that the plan lacks."""
    found = _cached(
        projected_document(record),
        tuple(protect),
        "" if chance is None else format(chance, "f"),
        as_of,
    )
    if isinstance(found, str):
        raise ValueError(found)
    result: OptionsResult = found
    return result


def apply_option(
    session: DbSession,
    record: PlanRecord,
    user: User | None,
    kind: str,
    as_of: dt.date,
    *,
    protect: Iterable[str] = (),
    chance: Decimal | None = None,
    to_copy: str | None = None,
    expected_version: int | None,
) -> tuple[PlanRecord, Option]:
    """Write option `kind` into the plan, or into a new copy named `to_copy`. The history
    records it in words ("referrals 40/30/25 → 8/6/5 a year; 837 → 167 participants")."""
    result = options_of(record, as_of, protect, chance)
    option = result.option(kind)
    if option is None:
        raise OptionGone(f"the option '{kind}' is not available for this plan any more")
    document, _ = without_actuals(option.document())  # actuals are the jurisdiction's
    target = record
    if to_copy is not None:
        target = clone_plan(session, record, user, to_copy)
        expected_version = None
    name = target.name
    action = f"applied the option '{option.title}': " + "; ".join(option.changes)

    def change(stored: dict[str, Any]) -> None:
        stored.clear()
        stored.update(document)
        stored["name"] = name

    update_plan(session, target, user, change, expected_version=expected_version, action=action)
    return target, option


# ------------------------------------------------------------------------ what it buys

JAIL_DAY_COST_MAX = Decimal(100_000)


def buys_of(
    plan: Plan, projection: Projection, jail_day_cost: str | None
) -> tuple[ProgramBuys, str | None]:
    """What the program buys, with the county's jail bed-day cost when it gives a valid
    one (and why not, when it does not: the table's figure is used then)."""
    text = (jail_day_cost or "").strip().replace("$", "").replace(",", "")
    cost: Decimal | None = None
    problem = None
    if text:
        try:
            cost = Decimal(text) if len(text) <= 40 else None
        except ArithmeticError:
            cost = None
        if cost is None or not cost.is_finite() or not 0 < cost <= JAIL_DAY_COST_MAX:
            problem = "must be an amount of dollars a day above 0 and at most 100,000"
            cost = None
    return program_buys(plan, projection, default_outcomes(), cost), problem


# ------------------------------------------------------------------------ restoring


def document_before(record: PlanRecord, change_id: int) -> dict[str, Any]:
    """The plan file as it was before history entry `change_id` (and every later one): the
    recorded changes undone, newest first, from the stored document."""
    changes = [c for c in record.changes if c.id >= change_id]
    first = next((c for c in changes if c.id == change_id), None)
    if first is None:
        raise ValueError("the history has no such entry")
    if first.id == record.changes[0].id:
        raise ValueError("there is no version before the plan was created")
    document: dict[str, Any] = json.loads(record.document)
    for entry in reversed(changes):
        _undo(document, entry)
    return document


def restore_before(
    session: DbSession,
    record: PlanRecord,
    user: User | None,
    change_id: int,
    *,
    expected_version: int | None,
) -> Plan:
    """Save, as a new version, the plan as it was before entry `change_id`: recorded (and
    so restorable) like any other change."""
    entry = next((c for c in record.changes if c.id == change_id), None)
    if entry is None:
        raise ValueError("the history has no such entry")
    restored = document_before(record, change_id)
    when = entry.at.strftime("%Y-%m-%d %H:%M")

    def change(stored: dict[str, Any]) -> None:
        stored.clear()
        stored.update(restored)

    return update_plan(
        session,
        record,
        user,
        change,
        expected_version=expected_version,
        action=f"restored the version before '{entry.action}' ({when} UTC)",
    )


_LINE = re.compile(r"^line_items\[([^\]]+)\](?:\.(.+))?$")
_DELETE = object()


def _undo(document: dict[str, Any], entry: PlanChange) -> None:
    path = entry.path
    if path in NOT_DOCUMENT:
        return
    lines: list[dict[str, Any]] = document.setdefault("line_items", [])
    if path == "line_items (order)":
        order = json.loads(entry.old_value or "[]")
        rank = {line_id: i for i, line_id in enumerate(order)}
        lines.sort(key=lambda line: rank.get(line.get("id"), len(rank)))
        return
    match = _LINE.match(path)
    if match:
        line_id, key = match.groups()
        index = next((i for i, line in enumerate(lines) if line.get("id") == line_id), None)
        if key is None:  # a whole line added or deleted
            if entry.old_value is None:
                if index is not None:
                    del lines[index]
            elif index is None:
                lines.append(json.loads(entry.old_value))
            return
        if index is not None:
            _set(lines[index], key.split("."), entry.old_value)
        return
    _set(document, path.split("."), entry.old_value)


def _set(container: dict[str, Any], keys: list[str], old: str | None) -> None:
    for key in keys[:-1]:
        found = container.get(key)
        if not isinstance(found, dict):
            found = {}
            container[key] = found
        container = found
    key = keys[-1]
    value = _decode(old, container.get(key, _DELETE))
    if value is _DELETE:
        container.pop(key, None)
    else:
        container[key] = value


def _decode(text: str | None, like: Any) -> Any:
    """A recorded value as it stood in the plan file: the history keeps text as it is and
    anything else as JSON (`_record_change`); the value now at the path tells which."""
    if text is None:
        return _DELETE  # the key did not exist (or was null: the same to the parser)
    if isinstance(like, str):
        return text
    try:
        return json.loads(text)
    except ValueError:
        return text
