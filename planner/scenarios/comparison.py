"""Compare 2–4 plans side by side: totals, strategies, object classes, the line items that
differ (with their deltas against the first plan), fund curves and the checklist rules whose
results differ. Every delta is a difference of the engine's rounded totals."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .compliance import RuleResult
from .plan import OBJECT_CLASSES, Plan
from .projection import Projection
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

    @property
    def deltas(self) -> tuple[int | Decimal | None, ...]:
        base = self.values[0] or 0
        return tuple(None if v is None else v - base for v in self.values)

    @property
    def differs(self) -> bool:
        return len(set(self.values)) > 1


@dataclass(frozen=True)
class LineDifference:
    line_id: str
    label: str
    totals: tuple[int | None, ...]  # None: the plan has no such line
    change: str  # "added", "removed", "changed"

    @property
    def deltas(self) -> tuple[int | None, ...]:
        base = self.totals[0] or 0
        return tuple(None if t is None else t - base for t in self.totals)


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


def compare(plans: list[tuple[str, Plan, Projection, tuple[RuleResult, ...]]]) -> Comparison:
    if not MIN_PLANS <= len(plans) <= MAX_PLANS:
        raise ComparisonError(f"choose {MIN_PLANS} to {MAX_PLANS} plans to compare "
                              f"({len(plans)} chosen)")
    compared = tuple(ComparedPlan(name, plan, projection, results,
                                  summarize(projection, results))
                     for name, plan, projection, results in plans)

    def row(key: str, label: str, pick) -> Row:
        return Row(key, label, tuple(pick(c) for c in compared))

    headline = (
        row("total", "Total spending", lambda c: c.summary.total),
        row("npv_spending", "Present value of spending", lambda c: c.summary.npv_spending),
        row("receipts", "Receipts", lambda c: c.summary.receipts),
        row("npv_receipts", "Present value of receipts", lambda c: c.summary.npv_receipts),
        row("closing", "Closing balance", lambda c: c.summary.closing_balance),
        row("peak_fte", "Peak staff (FTE)", lambda c: c.summary.peak_fte),
        row("participants", "Participants enrolled", lambda c: c.summary.participants_enrolled),
        row("fails", "Checklist rules failing", lambda c: c.summary.compliance["fail"]),
        row("warnings", "Checklist warnings", lambda c: c.summary.compliance["warn"]),
    )
    strategies = list(dict.fromkeys(s for c in compared for s in c.projection.by_strategy))
    by_strategy = tuple(
        row(s, s, lambda c, s=s: sum(c.projection.by_strategy.get(s, ())))
        for s in strategies)
    by_object_class = tuple(
        row(o, o, lambda c, o=o: sum(c.projection.by_object_class[o]))
        for o in OBJECT_CLASSES)
    by_object_class = tuple(r for r in by_object_class if any(r.values))

    ids = list(dict.fromkeys(line.id for c in compared for line in c.projection.line_items))
    differences = []
    for line_id in ids:
        found = [next((line for line in c.projection.line_items if line.id == line_id), None)
                 for c in compared]
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
        differences.append(LineDifference(line_id, present[0].label or line_id, totals, change))

    years = tuple(sorted({fy for c in compared for fy in c.projection.fiscal_years}))
    closing = tuple(
        tuple(dict(zip(c.projection.fiscal_years, c.projection.fund.closing, strict=True))
              .get(fy) for fy in years)
        for c in compared)
    rules = []
    for index, result in enumerate(compared[0].results):
        others = [c.results[index] for c in compared]
        statuses = tuple(r.status for r in others)
        if len(set(statuses)) > 1:
            rules.append(RuleDifference(result.rule, statuses, tuple(r.message for r in others)))
    return Comparison(compared, headline, by_strategy, by_object_class, tuple(differences),
                      years, closing, tuple(rules))


def first_deficits(comparison: Comparison) -> tuple[int | None, ...]:
    return tuple(c.summary.first_deficit_fy for c in comparison.plans)
