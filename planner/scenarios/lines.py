"""What each line item costs in one plan year, with its basis of estimate (cost model §3, §5).

The formulas live in the line kinds (`kinds/`, one module each); this module gives them the
plan's per-year inputs (`Context.year`) and costs a line on the exact backend, so the
projection, the fit and the fidelity rules all cost a line the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .fiscal import fy_label
from .formulas import with_indirect
from .kinds import EXACT, REGISTRY, Cost, Exact, YearInputs
from .kinds.base import INDIRECT_BASE, Rounded
from .kinds.case_management import CaseManagementParams, required_fte
from .kinds.vectors import Years
from .money import Q, dollars, fmt_money, fmt_percent, q
from .participants import ParticipantYears
from .plan import LineItem, Plan

__all__ = [
    "INDIRECT_BASE",
    "Context",
    "LineYear",
    "escalation_text",
    "inactive_basis",
    "basis_text",
    "line_cost",
    "line_total",
    "line_year",
    "required_case_manager_fte",
]


@dataclass(frozen=True)
class Context:
    """Per-plan values every line shares, computed once."""

    plan: Plan
    participants: ParticipantYears
    salary_growth: tuple[Exact, ...]
    health_growth: tuple[Exact, ...]
    inflation_growth: tuple[Exact, ...]
    _years: dict[tuple[int, int], YearInputs[Exact]] = field(
        default_factory=dict, init=False, compare=False, repr=False
    )
    _rows: dict[int, list[YearInputs[Exact]]] = field(
        default_factory=dict, init=False, compare=False, repr=False
    )
    _spans: dict[tuple[int, int, int], YearInputs[Any]] = field(
        default_factory=dict, init=False, compare=False, repr=False
    )

    @classmethod
    def build(cls, plan: Plan, participants: ParticipantYears) -> Context:
        """The context of these participants; the last one built for a plan is kept on it
        (the projection's is the rules' and the fit's: its per-year inputs are made once)."""
        known = plan.__dict__.get("_context")
        if known is not None and known.participants is participants:
            return known  # type: ignore[no-any-return]
        found = cls.make(plan, participants)
        object.__setattr__(plan, "_context", found)  # noqa: PLC2801 - a frozen cache
        return found

    @classmethod
    def make(cls, plan: Plan, participants: ParticipantYears) -> Context:
        """A context of its own (`build` keeps one per plan)."""
        a = plan.assumptions

        def powers(rate: Decimal) -> tuple[Exact, ...]:
            base = 1 + q(rate)
            found, value = [], EXACT.num(1)
            for _ in range(plan.years):
                found.append(value)
                value *= base
            return tuple(found)

        return cls(
            plan,
            participants,
            powers(a.salary_escalation),
            powers(a.health_escalation),
            powers(a.inflation),
        )

    def year(self, k: int, line: LineItem) -> YearInputs[Exact]:
        """What the line's formula reads in plan year k."""
        j = self.plan.start_fy + k - max(line.start_fy, self.plan.start_fy)
        found = self._years.get((k, j))
        if found is None:
            people = self.participants
            found = YearInputs(
                k=k,
                j=j,
                fy=self.plan.start_fy + k,
                salary_growth=self.salary_growth[k],
                health_growth=self.health_growth[k],
                inflation_growth=self.inflation_growth[k],
                new_enrollees=EXACT.num(people.new_enrollees[k]),
                avg_active=EXACT.num(people.avg_active[k]),
                peak_active=EXACT.num(people.peak_active[k]),
                participant_months=EXACT.num(people.participant_months[k]),
                referrals=people.ramp[k] * people.referrals,
                assumptions=self.plan.assumptions,
            )
            self._years[(k, j)] = found
        return found

    def span(self, first: int, last: int, line: LineItem) -> YearInputs[Any]:
        """What the line's formula reads in plan years first … last at once (the `Years`
        backend): each yearly input a `Years` of `year(k, line)`'s values for those k; kept
        per span and first FY. `k` and `fy` are -1: a kind run on this backend reads the
        year only through `j` and its inputs."""
        start = max(line.start_fy, self.plan.start_fy)
        key = (first, last, start)
        found = self._spans.get(key)
        if found is not None:
            return found
        people = self.participants
        new, avg, peak, months = people.exact
        end = last + 1
        offset = self.plan.start_fy - start
        found = self._spans[key] = YearInputs(
            k=-1,
            j=Years([Q(offset + k) for k in range(first, end)]),  # type: ignore[arg-type]
            fy=-1,
            salary_growth=Years(list(self.salary_growth[first:end])),
            health_growth=Years(list(self.health_growth[first:end])),
            inflation_growth=Years(list(self.inflation_growth[first:end])),
            new_enrollees=Years(list(new[first:end])),
            avg_active=Years(list(avg[first:end])),
            peak_active=Years(list(peak[first:end])),
            participant_months=Years(list(months[first:end])),
            referrals=Years([ramp * people.referrals for ramp in people.ramp[first:end]]),
            assumptions=self.plan.assumptions,
        )
        return found

    def years_of(self, line: LineItem) -> list[YearInputs[Exact]]:
        """`year(k, line)` for every plan year k, in order (the projection's loop); kept
        per first FY (lines that start together share it)."""
        first = max(line.start_fy, self.plan.start_fy)
        found = self._rows.get(first)
        if found is None:
            found = self._rows[first] = [self.year(k, line) for k in range(self.plan.years)]
        return found


@dataclass(frozen=True)
class LineYear:
    """One line in one plan year: its components rounded once (§2), and what made them."""

    line: LineItem
    y: YearInputs[Exact]
    cost: Cost[Exact]
    rounded: Rounded

    def basis(self) -> str:
        kind = REGISTRY[self.line.kind]
        text = kind.basis(self.line.params, self.y, self.cost, self.rounded)
        if "indirect" in self.rounded:
            rate = self.y.assumptions.indirect_rate
            base_shown = sum(self.rounded.get(c, 0) for c in INDIRECT_BASE)
            text += (
                f"; indirect {fmt_percent(rate)} × {fmt_money(base_shown)} "
                f"direct = {fmt_money(self.rounded['indirect'])}"
            )
        return text


def line_year(line: LineItem, k: int, ctx: Context, indirect_rate: Exact) -> LineYear:
    """One line's cost in plan year k: the kind's formula on the exact backend, indirect on
    the unrounded direct components of a kind that carries it (§5), each rounded once."""
    y, cost, rounded = line_cost(line, k, ctx, indirect_rate)
    return LineYear(line, y, cost, rounded)


def line_cost(
    line: LineItem, k: int, ctx: Context, indirect_rate: Exact
) -> tuple[YearInputs[Exact], Cost[Exact], Rounded]:
    """`line_year` without the object: what the projection and the fit sum (the basis text
    is written from these three only when read, `basis_text`)."""
    kind = REGISTRY[line.kind]
    y = ctx.year(k, line)
    cost = kind.cost(line.params, y, EXACT)
    exact = cost.components
    if kind.carries_indirect and indirect_rate:
        exact = with_indirect(EXACT, exact, indirect_rate)
    return y, cost, {name: dollars(value) for name, value in exact.items()}


def line_total(line: LineItem, k: int, ctx: Context, indirect_rate: Exact) -> int:
    """The line's whole cost in plan year k: the sum of its rounded components (the fit)."""
    kind = REGISTRY[line.kind]
    components = kind.cost(line.params, ctx.year(k, line), EXACT).components
    if kind.carries_indirect and indirect_rate:
        components = with_indirect(EXACT, components, indirect_rate)
    return sum(dollars(value) for value in components.values())


def basis_text(line: LineItem, y: YearInputs[Exact], cost: Cost[Exact], rounded: Rounded) -> str:
    """The basis of estimate of one line in one year (`LineYear.basis`)."""
    return LineYear(line, y, cost, rounded).basis()


def required_case_manager_fte(line: LineItem, k: int, ctx: Context) -> Exact:
    """The FTE the caseload limits call for in plan year k, before any `max_fte` cap (§5)."""
    params = line.params
    assert isinstance(params, CaseManagementParams)  # noqa: S101 - callers pass that line
    return required_fte(params, ctx.year(k, line), EXACT)


def inactive_basis(line: LineItem, fy: int) -> str:
    return (
        f"Not active in {fy_label(fy)} (the line runs {fy_label(line.start_fy)} to "
        f"{fy_label(line.end_fy)})"
    )


def escalation_text(line: LineItem, plan: Plan) -> str:
    """Which of the plan's rates moves this line's amounts from year to year."""
    return REGISTRY[line.kind].escalation_text(
        line.params, plan.assumptions, fy_label(plan.start_fy)
    )
