"""The 18-year projection: line items × FYs, participants and the fund (cost model §5, §6, §9)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from operator import add
from typing import Any

from . import streams
from .actuals import ActualsBlock, actuals_block, closed_fund_years
from .fiscal import fy_label
from .formulas import with_indirect
from .funding import allocate
from .kinds import EXACT, REGISTRY, Cost, YearInputs
from .kinds.base import Rounded
from .kinds.vectors import YEARS, Years, at
from .lines import Context, basis_text, inactive_basis, line_total
from .money import Q, dollars, dollars_each, q, round_half_up, two_places
from .participants import ParticipantYears, project_participants
from .plan import OBJECT_CLASSES, SETTLEMENT, LineItem, Plan

PROJECTION_SCHEMA = "lead-projection/1"
_ZERO = Q(0)
UNASSIGNED = "unassigned"


@dataclass(frozen=True)
class LineProjection:
    id: str
    label: str | None
    kind: str
    strategy: str | None
    by_object_class: dict[str, tuple[int, ...]]  # only the classes with dollars, SF-424A order
    by_year: tuple[int, ...]
    total: int
    fte: tuple[Decimal, ...]
    basis_source: BasisSource | WrittenBasis = field(repr=False, compare=False)
    # Who pays it (§16): `settlement` and each source its funded_by names, per FY
    # ({} is read as the settlement fund paying it all).
    by_source: dict[str, tuple[int, ...]] = field(default_factory=dict)

    @property
    def settlement(self) -> tuple[int, ...]:
        """The settlement fund's part of the line per FY (§16)."""
        return self.by_source.get(SETTLEMENT, self.by_year)

    @property
    def settlement_total(self) -> int:
        return sum(self.settlement)

    @functools.cached_property
    def basis(self) -> tuple[str, ...]:
        """The basis of estimate for each FY, written when first read (it is only text)."""
        return tuple(self.basis_source.write(k) for k in range(len(self.by_year)))

    @property
    def basis_writers(self) -> tuple[Callable[[], str], ...]:
        """A call that writes each FY's basis of estimate."""
        source = self.basis_source
        return tuple(functools.partial(source.write, k) for k in range(len(self.by_year)))


class BasisSource:
    """What a line's basis of estimate is written from, per plan year: the inputs, the cost
    and its rounded components where the line is active (None where it is not). Kept as
    flat lists by the projection's loop (or, for a line costed on the `Years` backend, its
    span's cost and the rounded columns); the text is written only when read."""

    __slots__ = ("costs", "fiscal_years", "inputs", "item", "rounded", "span")

    def __init__(self, item: LineItem, fiscal_years: tuple[int, ...]):
        self.item = item
        self.fiscal_years = fiscal_years
        self.inputs: list[YearInputs[Q] | None] = []
        self.costs: list[Cost[Q] | None] = []
        self.rounded: list[Rounded | None] = []
        # (context, first k, last k, the span's cost, rounded column per component)
        self.span: tuple[Context, int, int, Cost[Any], dict[str, list[int]]] | None = None

    def write(self, k: int) -> str:
        if self.span is not None:
            ctx, first, last, cost, columns = self.span
            if not first <= k <= last:
                return inactive_basis(self.item, self.fiscal_years[k])
            i = k - first
            one: Cost[Q] = Cost(
                {name: at(value, i) for name, value in cost.components.items()},
                at(cost.fte, i),
                {name: at(value, i) for name, value in cost.terms.items()},
            )
            rounded = {name: column[k] for name, column in columns.items()}
            return basis_text(self.item, ctx.year(k, self.item), one, rounded)
        y, cost_k, rounded_k = self.inputs[k], self.costs[k], self.rounded[k]
        if y is None or cost_k is None or rounded_k is None:
            return inactive_basis(self.item, self.fiscal_years[k])
        return basis_text(self.item, y, cost_k, rounded_k)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled (a worker's stored analysis, a document job) as its written texts: the
        span's context holds the whole plan, which is not pickled with each line."""
        return (WrittenBasis, (tuple(self.write(k) for k in range(len(self.fiscal_years))),))


class WrittenBasis:
    """A line's basis of estimate already written, per plan year (an unpickled BasisSource)."""

    __slots__ = ("texts",)

    def __init__(self, texts: tuple[str, ...]):
        self.texts = texts

    def write(self, k: int) -> str:
        return self.texts[k]


@dataclass(frozen=True)
class FundProjection:
    begin: tuple[int, ...]
    receipts: tuple[int, ...]
    interest: tuple[int, ...]
    spending: tuple[int, ...]
    closing: tuple[int, ...]
    first_deficit_fy: int | None
    receipts_outside_plan: dict[str, int]  # FY label → dollars (summed over streams)
    # §18: each stream's in-plan whole dollars, for a plan that gives its receipts by stream
    # (the streams as planned: in a closed FY the actual receipts stand for their sum), and
    # its receipts outside the plan, stream → FY label → dollars (the §9 JSON lists these).
    receipts_by_stream: dict[str, tuple[int, ...]] | None = None
    outside_by_stream: dict[str, dict[str, int]] | None = None

    @property
    def receipts_total(self) -> int:
        return sum(self.receipts)

    @property
    def interest_total(self) -> int:
        return sum(self.interest)

    @property
    def spending_total(self) -> int:
        return sum(self.spending)


@dataclass(frozen=True)
class Projection:
    fiscal_years: tuple[int, ...]
    line_items: tuple[LineProjection, ...]
    by_strategy: dict[str, tuple[int, ...]]
    by_object_class: dict[str, tuple[int, ...]]
    by_year: tuple[int, ...]
    total: int
    npv_spending: int
    npv_receipts: int
    fte_by_year: tuple[Decimal, ...]
    participants: ParticipantYears
    fund: FundProjection
    # Closed FYs (cost model §11): planned vs actual, and the fund as adopted (every FY
    # planned) beside the reforecast `fund`; both None for a plan without actuals.
    actuals: ActualsBlock | None = None
    adopted_fund: FundProjection | None = None
    # Who pays (§16): `settlement` and every declared source, per FY; and the settlement
    # fund's spending by strategy (the keys and order of `by_strategy`).
    by_source: dict[str, tuple[int, ...]] = field(default_factory=dict)
    settlement_by_strategy: dict[str, tuple[int, ...]] = field(default_factory=dict)

    @property
    def settlement_by_year(self) -> tuple[int, ...]:
        """The settlement fund's planned spending per FY (§16; `fund.spending` differs from
        it exactly in closed FYs)."""
        return self.by_source.get(SETTLEMENT, self.by_year)

    @functools.cached_property
    def settlement_strategy_totals(self) -> dict[str, int]:
        return {s: sum(values) for s, values in self.settlement_by_strategy.items()}

    @property
    def closed_years(self) -> int:
        """How many of the first FYs are closed (they have actuals)."""
        return 0 if self.actuals is None else len(self.actuals.closed_fys)

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(fy_label(fy) for fy in self.fiscal_years)

    @functools.cached_property
    def strategy_totals(self) -> dict[str, int]:
        """Each strategy's total over the plan (a sum of its rounded yearly amounts)."""
        return {s: sum(values) for s, values in self.by_strategy.items()}

    @functools.cached_property
    def object_class_totals(self) -> dict[str, int]:
        return {c: sum(values) for c, values in self.by_object_class.items()}

    def line(self, line_id: str) -> LineProjection:
        for line in self.line_items:
            if line.id == line_id:
                return line
        raise KeyError(line_id)


_NEW = object.__new__


def project(plan: Plan) -> Projection:
    years = plan.years
    fiscal_years = plan.fiscal_years
    people = project_participants(plan.participants, years)
    ctx = Context.build(plan, people)
    indirect_rate = q(plan.assumptions.indirect_rate)

    lines: list[LineProjection] = []
    totals: list[tuple[int, ...]] = []
    for item in plan.line_items:
        # The hot path (cost model §5, as `lines.line_cost` does it): flat lists per object
        # class, no object per line-year; the basis text is written when read.
        kind = REGISTRY[item.kind]
        indirect = indirect_rate if kind.carries_indirect and indirect_rate else None
        basis = BasisSource(item, fiscal_years)
        if kind.vectorizes:
            classes, ftes = _span_costs(item, kind, ctx, indirect, basis)
        else:
            classes, ftes = _yearly_costs(item, kind, ctx, indirect, basis)
        ordered = {c: tuple(classes[c]) for c in OBJECT_CLASSES if c in classes and any(classes[c])}
        by_year = tuple(map(sum, zip(*ordered.values(), strict=True))) if ordered else (0,) * years
        totals.append(by_year)
        # `LineProjection(...)` without the frozen class's __init__ (one `object.__setattr__`
        # a field): its fields in their order, every one given.
        line = _NEW(LineProjection)
        line.__dict__.update(
            id=item.id,
            label=item.label,
            kind=item.kind,
            strategy=item.strategy,
            by_object_class=ordered,
            by_year=by_year,
            total=sum(by_year),
            fte=_decimals(ftes),
            basis_source=basis,
            by_source={},  # filled below, once every line's total is known
        )
        lines.append(line)

    split = allocate(plan, totals)  # who pays each line (§16)
    for line_projection, paid in zip(lines, split.by_line, strict=True):
        line_projection.by_source.update(paid)
    # Sums FY by FY in C loops (`map(add, …)`): whole dollars, in the same order.
    class_totals: dict[str, Any] = dict.fromkeys(OBJECT_CLASSES, (0,) * years)
    for line_projection in lines:
        for c, values in line_projection.by_object_class.items():
            class_totals[c] = tuple(map(add, class_totals[c], values))
    by_object_class: dict[str, tuple[int, ...]] = class_totals
    by_strategy: dict[str, Any] = {}
    for line_projection in lines:
        by_strategy.setdefault(line_projection.strategy or UNASSIGNED, (0,) * years)
    if UNASSIGNED in by_strategy:  # lines with no strategy come last (§9)
        by_strategy[UNASSIGNED] = by_strategy.pop(UNASSIGNED)
    for line_projection in lines:
        key = line_projection.strategy or UNASSIGNED
        by_strategy[key] = tuple(map(add, by_strategy[key], line_projection.by_year))
    settlement_by_strategy = _settlement_by_strategy(lines, by_strategy, years)
    by_year = (
        tuple(map(sum, zip(*(line.by_year for line in lines), strict=True)))
        if lines
        else (0,) * years
    )
    # Lines with no FTE in any FY add nothing (each FTE is exact, its exponent at most 0).
    staffed = [line.fte for line in lines if any(line.fte)]
    fte_by_year = (
        tuple(sum(column, Decimal(0)) for column in zip(*staffed, strict=True))
        if staffed
        else tuple(Decimal(0) for _ in range(years))
    )
    settlement = split.by_source[SETTLEMENT]
    fund = project_fund(plan, settlement)
    adopted = project_fund(plan, settlement, reforecast=False) if plan.actuals else None
    discount = float(plan.assumptions.discount_rate)
    return Projection(
        fiscal_years=fiscal_years,
        line_items=tuple(lines),
        by_strategy=by_strategy,
        by_object_class=by_object_class,
        by_year=by_year,
        total=sum(by_year),
        npv_spending=_npv(discount, by_year),
        npv_receipts=_npv(discount, fund.receipts),
        fte_by_year=fte_by_year,
        participants=people,
        fund=fund,
        actuals=None
        if adopted is None
        else actuals_block(
            plan,
            by_strategy=settlement_by_strategy,
            planned_receipts=adopted.receipts,
            planned_interest=adopted.interest,
        ),
        adopted_fund=adopted,
        by_source=split.by_source,
        settlement_by_strategy=settlement_by_strategy,
    )


def _span_costs(
    item: LineItem, kind: Any, ctx: Context, indirect: Q | None, basis: BasisSource | None
) -> tuple[dict[str, list[int]], list[Q]]:
    """A line's rounded components per object class and its FTE per plan FY, its formula run
    once over the FYs it is active in (the `Years` backend: each FY's exact rationals are
    those `line_cost` computes for it, each rounded once, §2)."""
    plan = ctx.plan
    years = plan.years
    first = max(item.start_fy, plan.start_fy) - plan.start_fy
    last = min(item.end_fy, plan.end_fy) - plan.start_fy
    classes: dict[str, list[int]] = {}
    if first > last:  # active in no plan FY
        if basis is not None:
            basis.span = (ctx, first, last, Cost({}, _ZERO), classes)
        return classes, [_ZERO] * years
    cost = kind.cost(item.params, ctx.span(first, last, item), YEARS)
    exact = cost.components
    if indirect is not None:
        exact = with_indirect(YEARS, exact, indirect)
    n = last - first + 1
    for name, value in exact.items():
        column = classes[name] = [0] * years
        if type(value) is Years:
            column[first : last + 1] = dollars_each(value.v)
        else:
            column[first : last + 1] = [dollars(value)] * n
    fte = cost.fte
    ftes = [_ZERO] * years
    ftes[first : last + 1] = fte.v if type(fte) is Years else [fte] * n
    if basis is not None:
        basis.span = (ctx, first, last, cost, classes)
    return classes, ftes


def _yearly_costs(
    item: LineItem, kind: Any, ctx: Context, indirect: Q | None, basis: BasisSource
) -> tuple[dict[str, list[int]], list[Q]]:
    """The same, the formula run year by year (a kind that does not vectorize)."""
    years = ctx.plan.years
    cost_of, params = kind.cost, item.params
    classes: dict[str, list[int]] = {}
    ftes: list[Q] = []
    basis_inputs, basis_costs, basis_rounded = basis.inputs, basis.costs, basis.rounded
    inputs = ctx.years_of(item)
    for k, fy in enumerate(ctx.plan.fiscal_years):
        if not item.start_fy <= fy <= item.end_fy:
            ftes.append(_ZERO)
            basis_inputs.append(None)
            basis_costs.append(None)
            basis_rounded.append(None)
            continue
        y = inputs[k]
        cost = cost_of(params, y, EXACT)
        exact = cost.components
        if indirect is not None:
            exact = with_indirect(EXACT, exact, indirect)
        rounded = {}
        for name, value in exact.items():
            amount = rounded[name] = dollars(value)
            found = classes.get(name)
            if found is None:
                found = classes[name] = [0] * years
            found[k] = amount
        ftes.append(cost.fte)
        basis_inputs.append(y)
        basis_costs.append(cost)
        basis_rounded.append(rounded)
    return classes, ftes


def _settlement_by_strategy(
    lines: list[LineProjection], by_strategy: dict[str, tuple[int, ...]], years: int
) -> dict[str, tuple[int, ...]]:
    """The settlement fund's spending by strategy: `by_strategy`'s keys in its order (§16)."""
    found = dict.fromkeys(by_strategy, (0,) * years)
    for line in lines:
        key = line.strategy or UNASSIGNED
        found[key] = tuple(map(add, found[key], line.settlement))
    return found


def line_by_year(line: LineItem, ctx: Context) -> tuple[int, ...]:
    """One line's spending per plan FY, as the projection sums it (no basis text)."""
    plan = ctx.plan
    indirect_rate = q(plan.assumptions.indirect_rate)
    kind = REGISTRY[line.kind]
    if kind.vectorizes:  # the projection's own path (the §13 fit asks for many values)
        indirect = indirect_rate if kind.carries_indirect and indirect_rate else None
        classes, _ = _span_costs(line, kind, ctx, indirect, None)
        if not classes:
            return (0,) * plan.years
        return tuple(sum(column) for column in zip(*classes.values(), strict=True))
    return tuple(
        line_total(line, k, ctx, indirect_rate) if line.active_in(fy) else 0
        for k, fy in enumerate(plan.fiscal_years)
    )


def _decimals(values: list[Q]) -> tuple[Decimal, ...]:
    """`_decimal` of each: a line's FTE is mostly the same rational year after year."""
    found: list[Decimal] = []
    last: Q | None = None
    converted = Decimal(0)
    for value in values:
        if value is not last:
            last, converted = value, _decimal(value)
        found.append(converted)
    return tuple(found)


@functools.lru_cache(maxsize=4096)
def _decimal(value: Q) -> Decimal:
    """FTE is always a whole number of `fte_increment` steps or a stated decimal: exact."""
    return Decimal(int(value.numerator)) / Decimal(int(value.denominator))


def _npv(rate: float, flows: tuple[int, ...]) -> int:
    """numpy-financial's NPV (§6: first year undiscounted), rounded half-up to dollars.

    The same float operations in the same order as `numpy_financial.npv` (each flow divided by
    `(1 + rate) ** t`, then numpy's pairwise sum), so the figure is the library's to the last
    bit without importing numpy (a tenth of a second at every start); a property test holds
    the two equal."""
    terms = [float(f) / (1 + rate) ** t for t, f in enumerate(flows)]
    return int(round_half_up(Decimal(repr(_pairwise_sum(terms)))))


def _pairwise_sum(values: list[float]) -> float:
    """numpy's `add.reduce` over float64 (`pairwise_sum` in numpy's loops): sequential below
    8 values; 8 running sums combined as ((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7)), then the rest
    in order, up to 128; halves (at a multiple of 8) above."""
    n = len(values)
    if n < 8:
        total = -0.0  # numpy starts the sequential sum at -0.0 (so -0.0 + x is x)
        for value in values:
            total += value
        return total
    if n <= 128:
        r = values[:8]
        whole = n - n % 8
        for i in range(8, whole, 8):
            r = [r[j] + values[i + j] for j in range(8)]
        total = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
        for value in values[whole:]:
            total += value
        return total
    half = n // 2
    half -= half % 8
    return _pairwise_sum(values[:half]) + _pairwise_sum(values[half:])


def project_fund(plan: Plan, spending: tuple[int, ...], reforecast: bool = True) -> FundProjection:
    """The fund (§6) with this spending per plan FY; with `reforecast`, closed FYs take the
    actual receipts, interest and spending + audit costs (§11), and open FYs run on from the
    actual closing balance (`reforecast=False`: the fund as adopted, every FY planned)."""
    fund = plan.fund
    rate = q(fund.interest_rate)
    by_fy = fund.receipts_by_fy()
    closed = closed_fund_years(plan) if reforecast else {}
    receipts = [dollars(by_fy.get(fy, 0)) for fy in plan.fiscal_years]
    spent = list(spending)
    begin, interest, closing = [], [], []
    balance = dollars(fund.opening_balance)
    for k in range(plan.years):
        begin.append(balance)
        if k in closed:
            receipts[k], earned, spent[k] = closed[k]
        else:
            # Interest on the beginning balance only (conservative), kept in the fund
            # (MOA §D.3).
            earned = dollars(max(balance, 0) * rate)
        interest.append(earned)
        balance = balance + receipts[k] + earned - spent[k]
        closing.append(balance)
    first_deficit = next(
        (fy for fy, c in zip(plan.fiscal_years, closing, strict=True) if c < 0), None
    )
    outside = {
        fy_label(fy): dollars(amount)
        for fy, amount in fund.receipts
        if not plan.start_fy <= fy <= plan.end_fy
    }
    by_stream = streams.in_plan(fund, plan.fiscal_years) if fund.receipts_by_stream else None
    outside_streams = (
        streams.outside_plan(fund, plan.start_fy, plan.end_fy) if fund.receipts_by_stream else None
    )
    return FundProjection(
        begin=tuple(begin),
        receipts=tuple(receipts),
        interest=tuple(interest),
        spending=tuple(spent),
        closing=tuple(closing),
        first_deficit_fy=first_deficit,
        receipts_outside_plan=outside,
        receipts_by_stream=by_stream,
        outside_by_stream=outside_streams,
    )


def projection_to_dict(projection: Projection) -> dict[str, Any]:
    """The §9 `lead-projection/1` document."""
    people = projection.participants
    fund = projection.fund
    return {
        "schema": PROJECTION_SCHEMA,
        "fiscal_years": list(projection.fiscal_years),
        "labels": list(projection.labels),
        "line_items": [
            {
                "id": line.id,
                "label": line.label,
                "kind": line.kind,
                "strategy": line.strategy,
                "by_object_class": {c: list(v) for c, v in line.by_object_class.items()},
                "by_year": list(line.by_year),
                "total": line.total,
                "fte": [two_places(f) for f in line.fte],
                "basis": list(line.basis),
                "by_source": {key: list(v) for key, v in line.by_source.items()},
            }
            for line in projection.line_items
        ],
        "by_strategy": {s: list(v) for s, v in projection.by_strategy.items()},
        "settlement_by_strategy": {
            s: list(v) for s, v in projection.settlement_by_strategy.items()
        },
        "by_source": {key: list(v) for key, v in projection.by_source.items()},
        "by_object_class": {c: list(v) for c, v in projection.by_object_class.items()},
        "totals": {
            "by_year": list(projection.by_year),
            "total": projection.total,
            "npv_spending": projection.npv_spending,
            "npv_receipts": projection.npv_receipts,
            "fte_by_year": [two_places(f) for f in projection.fte_by_year],
        },
        "participants": {
            "new_enrollees": [two_places(v) for v in people.new_enrollees],
            "avg_active": [two_places(v) for v in people.avg_active],
            "peak_active": [two_places(v) for v in people.peak_active],
            "participant_months": [two_places(v) for v in people.participant_months],
        },
        "fund": {
            "begin": list(fund.begin),
            "receipts": list(fund.receipts),
            "interest": list(fund.interest),
            "spending": list(fund.spending),
            "closing": list(fund.closing),
            "first_deficit_fy": fund.first_deficit_fy,
            # by stream for a plan with streams (§18)
            "receipts_outside_plan": dict(
                fund.receipts_outside_plan
                if fund.outside_by_stream is None
                else fund.outside_by_stream
            ),
            # §18: only a plan that gives its receipts by stream has them.
            **(
                {}
                if fund.receipts_by_stream is None
                else {
                    "receipts_by_stream": {s: list(v) for s, v in fund.receipts_by_stream.items()}
                }
            ),
        },
        # Closed FYs (§11): only a plan with actuals has the block.
        **({} if projection.actuals is None else {"actuals": projection.actuals.to_dict()}),
    }
