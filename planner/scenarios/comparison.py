"""Compare 2–4 plans side by side: totals, strategies, object classes, the line items that
differ (with their deltas against the first plan), fund curves and the checklist rules whose
results differ. Every delta is a difference of the engine's rounded totals."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .compliance import RuleResult
from .parse import plan_to_dict
from .plan import OBJECT_CLASSES, Plan
from .projection import Projection, project
from .summaries import Summary, summarize

MIN_PLANS, MAX_PLANS = 2, 4


class ComparisonError(ValueError):
    """The plans cannot be compared (too few, too many)."""


@dataclass(frozen=True)
class ComparedPlan:
    name: str
    plan: Plan
    projection: Projection
    results: tuple[RuleResult, ...]
    summary: Summary


@dataclass(frozen=True)
class Row:
    """One compared quantity: a value per plan (None where a plan lacks it) and the delta of
    each plan against the first."""

    key: str
    label: str
    values: tuple[int | Decimal | None, ...]
    # For the fund: True when a larger value is better (a closing balance), False when a
    # smaller one is (rules failing), None when neither is (spending, staff).
    higher_is_better: bool | None = None

    @property
    def deltas(self) -> tuple[int | Decimal | None, ...]:
        base = self.values[0] or 0
        return tuple(None if v is None else v - base for v in self.values)

    @property
    def verdicts(self) -> tuple[str | None, ...]:
        """Each plan against the first: "better", "worse", "same", or None when neither
        direction is better (or a value is missing)."""
        found: list[str | None] = []
        for delta in self.deltas:
            if delta is None:
                found.append(None)
            elif delta == 0:
                found.append("same")
            elif self.higher_is_better is None:
                found.append(None)
            else:
                found.append("better" if (delta > 0) == self.higher_is_better else "worse")
        return tuple(found)


@dataclass(frozen=True)
class LineDifference:
    line_id: str
    label: str
    totals: tuple[int | None, ...]  # None: the plan has no such line
    change: str  # "added", "removed", "changed"
    labels: tuple[str | None, ...] = ()  # each plan's label of the line (None: no line)

    @property
    def deltas(self) -> tuple[int, ...]:
        """Each plan's total against the first's; a plan without the line counts $0, so a
        deleted line shows its saving."""
        base = self.totals[0] or 0
        return tuple((t or 0) - base for t in self.totals)

    @property
    def renamed(self) -> bool:
        return len({label for label in self.labels if label is not None}) > 1


@dataclass(frozen=True)
class RuleDifference:
    rule: str
    statuses: tuple[str, ...]
    messages: tuple[str, ...]


@dataclass(frozen=True)
class Comparison:
    plans: tuple[ComparedPlan, ...]
    headline: tuple[Row, ...]
    by_strategy: tuple[Row, ...]
    by_object_class: tuple[Row, ...]
    lines: tuple[LineDifference, ...]
    fiscal_years: tuple[int, ...]
    closing: tuple[tuple[int | None, ...], ...]  # per plan, aligned on fiscal_years
    rules: tuple[RuleDifference, ...]
    shared_failures: tuple[RuleDifference, ...] = ()  # rules every plan fails
    inputs: tuple[InputGroup, ...] = ()  # what differs, beside the money it moves


def compare(plans: list[tuple[str, Plan, Projection, tuple[RuleResult, ...]]]) -> Comparison:
    if not MIN_PLANS <= len(plans) <= MAX_PLANS:
        raise ComparisonError(
            f"choose {MIN_PLANS} to {MAX_PLANS} plans to compare ({len(plans)} chosen)"
        )
    compared = tuple(
        ComparedPlan(name, plan, projection, results, summarize(projection, results))
        for name, plan, projection, results in plans
    )

    def row(
        key: str,
        label: str,
        pick: Callable[[ComparedPlan], int | Decimal | None],
        higher_is_better: bool | None = None,
    ) -> Row:
        return Row(key, label, tuple(pick(c) for c in compared), higher_is_better)

    headline = (
        row("total", "Total spending", lambda c: c.summary.total),
        row("npv_spending", "Present value of spending", lambda c: c.summary.npv_spending),
        row("receipts", "Receipts", lambda c: c.summary.receipts, True),
        row("npv_receipts", "Present value of receipts", lambda c: c.summary.npv_receipts, True),
        row("closing", "Closing balance", lambda c: c.summary.closing_balance, True),
        row("peak_fte", "Peak staff (FTE)", lambda c: c.summary.peak_fte),
        row("participants", "Participants enrolled", lambda c: c.summary.participants_enrolled),
        row("fails", "Checklist rules failing", lambda c: c.summary.compliance["fail"], False),
        row("warnings", "Checklist warnings", lambda c: c.summary.compliance["warn"], False),
    )
    strategies = list(dict.fromkeys(s for c in compared for s in c.projection.by_strategy))
    by_strategy = tuple(
        Row(s, s, tuple(sum(c.projection.by_strategy.get(s, ())) for c in compared), None)
        for s in strategies
    )
    by_object_class = tuple(
        Row(o, o, tuple(sum(c.projection.by_object_class[o]) for c in compared), None)
        for o in OBJECT_CLASSES
    )
    by_object_class = tuple(r for r in by_object_class if any(r.values))

    ids = list(dict.fromkeys(line.id for c in compared for line in c.projection.line_items))
    differences = []
    for line_id in ids:
        found = [
            next((line for line in c.projection.line_items if line.id == line_id), None)
            for c in compared
        ]
        present = [line for line in found if line is not None]
        totals = tuple(None if line is None else line.total for line in found)
        if found[0] is None:
            change = "added"
        elif any(line is None for line in found):
            change = "removed"
        elif len({(line.by_year, tuple(line.by_object_class.items())) for line in present}) > 1:
            change = "changed"
        else:
            continue
        labels = tuple(None if line is None else (line.label or line_id) for line in found)
        differences.append(
            LineDifference(line_id, present[0].label or line_id, totals, change, labels)
        )

    years = tuple(sorted({fy for c in compared for fy in c.projection.fiscal_years}))
    closing = tuple(
        tuple(
            dict(zip(c.projection.fiscal_years, c.projection.fund.closing, strict=True)).get(fy)
            for fy in years
        )
        for c in compared
    )
    rules, shared = [], []
    for index, result in enumerate(compared[0].results):
        others = [c.results[index] for c in compared]
        statuses = tuple(r.status for r in others)
        difference = RuleDifference(result.rule, statuses, tuple(r.message for r in others))
        if len(set(statuses)) > 1:
            rules.append(difference)
        elif statuses[0] == "fail":
            shared.append(difference)
    return Comparison(
        compared,
        headline,
        by_strategy,
        by_object_class,
        tuple(differences),
        years,
        closing,
        tuple(rules),
        tuple(shared),
        input_differences(compared),
    )


def first_deficits(comparison: Comparison) -> tuple[int | None, ...]:
    return tuple(c.summary.first_deficit_fy for c in comparison.plans)


# ----------------------------------------------------------------------------- why they differ

SKIPPED = {"schema", "name", "jurisdiction", "id"}
TEXT_ONLY = {"justification"}  # compared, but shown as "changed", not printed


@dataclass(frozen=True)
class InputChange:
    path: str  # the plan-file path: "assumptions.salary_escalation", "line_items.x.fte"
    name: str  # its last segment: "salary_escalation", "fte"
    values: tuple[Any, ...]  # each plan's value (None: not in that plan)


@dataclass(frozen=True)
class InputGroup:
    """Inputs that differ in one part of the plans — the assumptions, the participants,
    the fund, or one line item — and the money they move: the first plan's total spending
    and closing balance recomputed with that part alone taken from each other plan."""

    section: str  # "assumptions", "participants", "fund", "program", "settings", "line"
    line_id: str | None
    label: str
    changes: tuple[InputChange, ...]
    spending_moved: tuple[int | None, ...]  # per plan, against the first (first: 0)
    closing_moved: tuple[int | None, ...]


def _flatten(value: Any, path: str, into: dict[str, Any]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _flatten(item, f"{path}.{key}" if path else str(key), into)
    elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        for index, item in enumerate(value):
            _flatten(item, f"{path}[{index}]", into)
    else:
        into[path] = tuple(value) if isinstance(value, list) else value


_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")


def _typed(value: Any) -> Any:
    """Plan-file strings of numbers back to Decimal, so 20 and "20.0" compare equal."""
    if isinstance(value, str):
        return Decimal(value) if _NUMBER.match(value) else value
    if isinstance(value, tuple):
        return tuple(_typed(v) for v in value)
    return value


def _plan_inputs(plan: Plan) -> dict[str, dict[str, Any]]:
    """group key ("assumptions", "line:<id>", …) -> path -> value."""
    document = plan_to_dict(plan)
    groups: dict[str, dict[str, Any]] = {}
    for section in ("assumptions", "participants", "fund", "program"):
        flat: dict[str, Any] = {}
        _flatten(document[section], section, flat)
        groups[section] = flat
    groups["settings"] = {"start_fy": plan.start_fy, "years": plan.years}
    for line in document["line_items"]:
        groups[f"line:{line['id']}"] = {
            f"line_items.{line['id']}.{key}": value
            for key, value in line.items()
            if key not in SKIPPED
        }
    return groups


def _moved(base: Plan, base_projection: Projection, swapped: Plan) -> tuple[int, int]:
    p = project(swapped)
    return p.total - base_projection.total, p.fund.closing[-1] - base_projection.fund.closing[-1]


def _swap(base: Plan, other: Plan, key: str) -> Plan | None:
    """The first plan with one part taken from another (None: not comparable alone)."""
    if key in ("assumptions", "participants", "fund", "program"):
        return dataclasses.replace(base, **{key: getattr(other, key)})
    if key == "settings":
        return None  # other FYs: the whole projection moves; shown, not attributed
    line_id = key.removeprefix("line:")
    theirs = next((item for item in other.line_items if item.id == line_id), None)
    ours = [item for item in base.line_items if item.id != line_id]
    if theirs is None:
        return dataclasses.replace(base, line_items=tuple(ours))
    if len(ours) == len(base.line_items):
        ours.append(theirs)
    else:
        ours = [theirs if item.id == line_id else item for item in base.line_items]
    return dataclasses.replace(base, line_items=tuple(ours))


def input_differences(compared: tuple[ComparedPlan, ...]) -> tuple[InputGroup, ...]:
    """Every plan input whose value differs between the plans, grouped by the part of the
    plan it belongs to, with the money each group moves on its own."""
    inputs = [_plan_inputs(c.plan) for c in compared]
    keys = list(dict.fromkeys(k for found in inputs for k in found))
    base = compared[0]
    groups = []
    for key in keys:
        paths = list(dict.fromkeys(p for found in inputs for p in found.get(key, {})))
        changes = []
        present = tuple(key in found for found in inputs)
        if key.startswith("line:") and not all(present):
            # a line only some plans have: one change, not each of its parameters
            changes.append(
                InputChange(
                    f"line_items.{key.removeprefix('line:')}",
                    "line",
                    tuple("included" if p else None for p in present),
                )
            )
            paths = []
        for path in paths:
            values = tuple(_typed(found.get(key, {}).get(path)) for found in inputs)
            if len(set(values)) > 1:
                changes.append(InputChange(path, path.rsplit(".", 1)[-1], values))
        if not changes:
            continue
        spending: list[int | None] = [0]
        closing: list[int | None] = [0]
        for other in compared[1:]:
            swapped = _swap(base.plan, other.plan, key)
            if swapped is None:
                spending.append(None)
                closing.append(None)
                continue
            moved = _moved(base.plan, base.projection, swapped)
            spending.append(moved[0])
            closing.append(moved[1])
        if key.startswith("line:"):
            line_id = key.removeprefix("line:")
            label = next(
                (
                    item.label or item.id
                    for c in compared
                    for item in c.plan.line_items
                    if item.id == line_id
                ),
                line_id,
            )
            section = "line"
        else:
            line_id, label, section = None, key.capitalize(), key
        groups.append(
            InputGroup(section, line_id, label, tuple(changes), tuple(spending), tuple(closing))
        )
    return tuple(groups)
