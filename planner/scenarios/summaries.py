"""Totals the reports show beyond the projection itself: the executive summary, the
SF-424A object-class table by strategy, and each authorization period's planned amount.
Every figure is a sum of the projection's rounded components, so every table foots."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from .authorizations import authorization_groups, covered_fys, fy_months, period_months
from .compliance import RuleResult, counts
from .fiscal import fy_end, fy_of, fy_start
from .plan import OBJECT_CLASSES, Authorization, Plan
from .projection import UNASSIGNED, LineProjection, Projection
from .tables import CostTables

_Level = TypeVar("_Level", int, Decimal)  # an FTE or participant figure, by FY


@dataclass(frozen=True)
class Summary:
    total: int
    npv_spending: int
    npv_receipts: int
    receipts: int
    interest: int
    opening_balance: int
    closing_balance: int
    first_deficit_fy: int | None
    peak_fte: Decimal
    participants_enrolled: Decimal
    compliance: dict[str, int]


def summarize(projection: Projection, results: tuple[RuleResult, ...] = ()) -> Summary:
    fund = projection.fund
    return Summary(
        total=projection.total,
        npv_spending=projection.npv_spending,
        npv_receipts=projection.npv_receipts,
        receipts=sum(fund.receipts),
        interest=sum(fund.interest),
        opening_balance=fund.begin[0],
        closing_balance=fund.closing[-1],
        first_deficit_fy=fund.first_deficit_fy,
        peak_fte=max(projection.fte_by_year, default=Decimal(0)),
        participants_enrolled=sum(projection.participants.new_enrollees, Decimal(0)),
        compliance=counts(results),
    )


def object_classes_by_strategy(projection: Projection) -> dict[str, dict[str, int]]:
    """strategy -> object class -> total over the plan (SF-424A Section B's columns)."""
    found: dict[str, dict[str, int]] = {
        s: dict.fromkeys(OBJECT_CLASSES, 0) for s in projection.by_strategy
    }
    for line in projection.line_items:
        column = found[line.strategy or UNASSIGNED]
        for object_class, values in line.by_object_class.items():
            column[object_class] += sum(values)
    return found


@dataclass(frozen=True)
class AuthorizationPeriod:
    """One group of authorizations of a strategy whose periods overlap (an original and its
    supplementals; a lone authorization is a group of one), shown once with its true
    remaining amount: their amounts added up less the settlement spending over the union of
    their periods (MOA-AUTHORIZATION, amended; actual in closed FYs)."""

    strategy: str
    authorizations: tuple[Authorization, ...]
    fiscal_years: tuple[int, ...]  # the plan FYs the union reaches (a month or more)
    months_by_fy: dict[int, int]  # months of the union in each of those FYs
    amount: Decimal
    planned: int

    @property
    def authorization(self) -> Authorization:
        """The first of the group (the original)."""
        return self.authorizations[0]

    @property
    def remaining(self) -> Decimal:
        return self.amount - self.planned

    @property
    def partial_fys(self) -> dict[int, int]:
        """The FYs only partly inside the union: their months."""
        return {fy: n for fy, n in self.months_by_fy.items() if n < 12}


def authorization_periods(plan: Plan, projection: Projection) -> list[AuthorizationPeriod]:
    auths = plan.program.authorizations
    periods = []
    for group in authorization_groups(plan, projection):
        periods.append(
            AuthorizationPeriod(
                strategy=group.strategy,
                authorizations=tuple(auths[i] for i in group.members),
                fiscal_years=group.fiscal_years,
                months_by_fy={
                    fy: n for fy, n in group.months_by_fy.items() if fy in group.fiscal_years
                },
                amount=group.amount,
                planned=group.planned,
            )
        )
    return periods


@dataclass(frozen=True)
class DefaultRow:
    key: str
    default: Decimal | tuple[Decimal, ...]  # aged to the plan's first FY for money
    plan_value: Decimal | None  # the plan's own value, for plan-wide assumptions
    source: str
    year: int
    base_fy: int | None


def defaults_used(plan: Plan, tables: CostTables) -> list[DefaultRow]:
    """Every default of cost_tables/ with its source and year, aged to the plan's first FY,
    beside the plan's own value where the plan sets one for the whole plan."""
    a = plan.assumptions
    rates = {"salary": a.salary_escalation, "health": a.health_escalation, "inflation": a.inflation}
    plan_values: dict[str, Decimal] = {
        f"assumptions.{name}": getattr(a, name) for name in a.__dataclass_fields__
    }
    plan_values["fund.interest_rate"] = plan.fund.interest_rate
    plan_values["fund.opening_balance"] = plan.fund.opening_balance
    for pathway, rate in plan.participants.enrollment_rate.items():
        plan_values[f"participants.enrollment_rate.{pathway}"] = rate
    plan_values["participants.average_months_enrolled"] = Decimal(
        plan.participants.average_months_enrolled
    )
    plan_values["participants.initial_active"] = plan.participants.initial_active
    rows = []
    for key, entry in tables.defaults.items():
        value = tables.aged(key, rates, plan.start_fy) if entry.is_money else entry.value
        rows.append(
            DefaultRow(key, value, plan_values.get(key), entry.source, entry.year, entry.base_fy)
        )
    return rows


@dataclass(frozen=True)
class StrategyAmount:
    strategy: str
    amount: int
    fiscal_years: tuple[int, ...]
    line_ids: tuple[str, ...]


def unauthorized_fys(plan: Plan, projection: Projection) -> tuple[int, ...]:
    """The plan FYs in which some strategy plans settlement spending (§16) with a month no
    authorization of that strategy covers (MOA §E.6: each strategy, its amount, a stated
    period of whole months)."""
    covered = {
        (a.strategy, month)
        for a in plan.program.authorizations
        for month in period_months(a.start, a.end)
    }
    return tuple(
        fy
        for k, fy in enumerate(projection.fiscal_years)
        if any(
            values[k] > 0
            and strategy != UNASSIGNED
            and any((strategy, month) not in covered for month in fy_months(fy))
            for strategy, values in projection.settlement_by_strategy.items()
        )
    )


RESOLUTION_YEARS = 5  # the NC DOJ template's example runs five FYs (July 2024 - June 2029)


def default_meeting_date(plan: Plan, as_of: dt.date) -> dt.date:
    """The board meeting the documents are drafted for by default: the next scheduled
    adoption (the earliest `adopted_on` of an authorization on or after `as_of`), else
    `as_of` itself."""
    later = [
        a.adopted_on
        for a in plan.program.authorizations
        if a.adopted_on is not None and a.adopted_on >= as_of
    ]
    return min(later, default=as_of)


def asked_authorizations(plan: Plan, meeting_on: dt.date) -> tuple[Authorization, ...]:
    """The recorded authorizations a meeting on `meeting_on` adopts: those scheduled for that
    day, else the drafts (no adoption date yet)."""
    auths = plan.program.authorizations
    on_day = tuple(a for a in auths if a.adopted_on == meeting_on)
    return on_day or tuple(a for a in auths if a.adopted_on is None)


def default_period(plan: Plan, projection: Projection, meeting_on: dt.date) -> tuple[int, int]:
    """The FYs the board is asked to adopt at a meeting on `meeting_on` — the one choice
    every document makes (the PDF's summary, the resolution, the ordinance, the workbook,
    the cover memo, the web's forms and the CLI).

    1. The FYs of the authorizations that meeting adopts (`asked_authorizations`): the
       plan FYs their periods touch.
    2. Else five FYs (the length of the NC DOJ template's example, July 1, 2024 – June 30,
       2029) from the first FY, not ended before the meeting, whose settlement spending no
       recorded authorization covers — so an FY already authorized (or scheduled) is not
       authorized again; when every such FY is covered, the FY after the last covered one.
    Always inside the plan's FYs."""
    asked = asked_authorizations(plan, meeting_on)
    inside = [
        fy
        for fy in plan.fiscal_years
        if any(a.start <= fy_end(fy) and a.end >= fy_start(fy) for a in asked)
    ]
    if inside:
        return inside[0], inside[-1]
    current = max(plan.start_fy, fy_of(meeting_on))
    open_fys = [fy for fy in unauthorized_fys(plan, projection) if fy >= current]
    if open_fys:
        first = open_fys[0]
    else:
        last_covered = max(
            (fy for a in plan.program.authorizations for fy in covered_fys(a.start, a.end)),
            default=plan.start_fy - 1,
        )
        first = max(current, last_covered + 1)
    first = min(first, plan.end_fy)
    return first, min(plan.end_fy, first + RESOLUTION_YEARS - 1)


def total_amount(amounts: list[StrategyAmount]) -> int:
    return sum(a.amount for a in amounts)


def strategy_amounts(projection: Projection, first_fy: int, last_fy: int) -> list[StrategyAmount]:
    """Each strategy's planned settlement spending (§16) over FYs first..last (a resolution's
    amounts: it appropriates settlement money only; what other sources pay is theirs)."""
    years = [k for k, fy in enumerate(projection.fiscal_years) if first_fy <= fy <= last_fy]
    found = []
    for strategy, values in projection.settlement_by_strategy.items():
        if strategy == UNASSIGNED:
            continue
        lines = tuple(
            line.id
            for line in projection.line_items
            if (line.strategy or UNASSIGNED) == strategy and any(line.settlement[k] for k in years)
        )
        found.append(
            StrategyAmount(
                strategy,
                sum(values[k] for k in years),
                tuple(projection.fiscal_years[k] for k in years),
                lines,
            )
        )
    return found


# ----------------------------------------------------------------------------- severity

SEVERITY = ("fail", "warn", "info", "pass")


def by_severity(results: tuple[RuleResult, ...]) -> tuple[RuleResult, ...]:
    """Fails first, then warnings, information and passes; the rule order within each."""
    return tuple(sorted(results, key=lambda r: SEVERITY.index(r.status)))


# ----------------------------------------------------------------------------- the summary


@dataclass(frozen=True)
class FundOutlook:
    """Whether the fund lasts, as the executive summary says it in words."""

    opening_balance: int
    receipts: int
    interest: int
    spending: int
    closing_balance: int
    last_receipt_fy: int | None  # the last plan FY with a receipt
    first_deficit_fy: int | None
    years_short_after_last_receipt: int | None  # first deficit FY − last receipt FY
    largest_shortfall: int  # 0, or the most negative closing balance as a positive amount
    largest_shortfall_fy: int | None
    lowest_balance: int
    lowest_balance_fy: int
    first_shortfall: int = 0  # 0, or the first negative closing balance as a positive amount

    @property
    def lasts(self) -> bool:
        return self.first_deficit_fy is None

    @property
    def fix_by_fy(self) -> int | None:
        """The FY by which spending cut (or receipts added) of `largest_shortfall` in all
        keeps every closing balance at or above $0, `first_shortfall` of it by the first
        deficit FY: a cut raises every later closing balance by at least its amount (interest
        on a larger balance only adds to it), so each FY's shortfall is covered by the cuts
        made by then. A cut of the whole largest shortfall by the first deficit FY may be more
        than the plan spends by then (a Wilkes County run: $13.9M against $1.6M)."""
        return self.largest_shortfall_fy


def fund_outlook(projection: Projection) -> FundOutlook:
    fund = projection.fund
    years = projection.fiscal_years
    with_receipts = [fy for fy, r in zip(years, fund.receipts, strict=True) if r > 0]
    last_receipt = with_receipts[-1] if with_receipts else None
    first_deficit = fund.first_deficit_fy
    low_fy, low = min(zip(years, fund.closing, strict=True), key=lambda pair: pair[1])
    return FundOutlook(
        opening_balance=fund.begin[0],
        receipts=sum(fund.receipts),
        interest=sum(fund.interest),
        spending=sum(fund.spending),
        closing_balance=fund.closing[-1],
        last_receipt_fy=last_receipt,
        first_deficit_fy=first_deficit,
        years_short_after_last_receipt=(
            first_deficit - last_receipt
            if first_deficit is not None and last_receipt is not None
            else None
        ),
        largest_shortfall=max(0, -low),
        largest_shortfall_fy=low_fy if low < 0 else None,
        lowest_balance=low,
        lowest_balance_fy=low_fy,
        first_shortfall=(
            -fund.closing[years.index(first_deficit)] if first_deficit is not None else 0
        ),
    )


@dataclass(frozen=True)
class ExecutiveSummary:
    """The facts of the summary page: what it costs, whether the fund lasts, what fails or
    warns (with its fix), and what the board is asked to adopt."""

    total: int
    years: int
    first_fy: int
    last_fy: int
    first_year_spending: int
    peak_spending: int
    peak_spending_fy: int
    largest_strategy: str | None
    largest_strategy_total: int
    fund: FundOutlook
    fails: tuple[RuleResult, ...]
    warnings: tuple[RuleResult, ...]
    adopt_first_fy: int
    adopt_last_fy: int
    adopt: tuple[StrategyAmount, ...]  # strategies with an amount in the adoption period

    @property
    def adopt_total(self) -> int:
        return total_amount(list(self.adopt))


def executive_summary(
    plan: Plan,
    projection: Projection,
    results: tuple[RuleResult, ...],
    period: tuple[int, int],
) -> ExecutiveSummary:
    """`period`: the FYs the board is asked to adopt (`default_period` of the meeting)."""
    peak_k = max(range(plan.years), key=lambda k: (projection.by_year[k], -k))
    named = {s: t for s, t in projection.strategy_totals.items() if s != UNASSIGNED}
    largest = max(named, key=lambda s: named[s]) if named else None
    first, last = period
    adopt = tuple(a for a in strategy_amounts(projection, first, last) if a.amount > 0)
    return ExecutiveSummary(
        total=projection.total,
        years=plan.years,
        first_fy=plan.start_fy,
        last_fy=plan.end_fy,
        first_year_spending=projection.by_year[0],
        peak_spending=projection.by_year[peak_k],
        peak_spending_fy=projection.fiscal_years[peak_k],
        largest_strategy=largest,
        largest_strategy_total=named.get(largest, 0) if largest else 0,
        fund=fund_outlook(projection),
        fails=tuple(r for r in results if r.status == "fail"),
        warnings=tuple(r for r in results if r.status == "warn"),
        adopt_first_fy=first,
        adopt_last_fy=last,
        adopt=adopt,
    )


# ----------------------------------------------------------------------------- by budget period


def fy_blocks(fiscal_years: tuple[int, ...], size: int = 9) -> tuple[tuple[int, ...], ...]:
    """Column indexes of a year-by-year grid in blocks of at most `size` FYs, as even as
    possible (18 FYs: 9 + 9; 40 FYs: 8 + 8 + 8 + 8 + 8), so no page prints a cut figure."""
    count = len(fiscal_years)
    if count == 0:
        return ()
    blocks = -(-count // size)
    base, extra = divmod(count, blocks)
    found, start = [], 0
    for b in range(blocks):
        width = base + (1 if b < extra else 0)
        found.append(tuple(range(start, start + width)))
        start += width
    return tuple(found)


def direct_charges_by_year(projection: Projection) -> tuple[int, ...]:
    """SF-424A line i (Total Direct Charges): every class but indirect, each FY."""
    return tuple(
        sum(projection.by_object_class[c][k] for c in OBJECT_CLASSES if c != "indirect")
        for k in range(len(projection.fiscal_years))
    )


# ----------------------------------------------------------------------------- project ordinance


@dataclass(frozen=True)
class ProjectOrdinance:
    """A settlement project ordinance (G.S. 159-13.2) for FYs first..last: the estimated
    revenues and the appropriations by strategy for the life of the project.

    Revenues are the receipts and interest the plan expects in those FYs plus the fund
    balance appropriated: as much of the balance at the start of the project as the
    appropriations need beyond the receipts and interest. When receipts and interest exceed
    the strategies' appropriations, the remainder is appropriated to a reserve for strategies
    not yet authorized, so the ordinance balances either way. `shortfall` > 0 means the
    appropriations exceed every revenue the fund can give: the ordinance cannot balance
    until the plan spends less or expects more."""

    first_fy: int
    last_fy: int
    receipts: int
    interest: int
    available_balance: int  # the fund's projected balance at the start of first_fy
    fund_balance_appropriated: int
    appropriations: tuple[StrategyAmount, ...]
    reserve: int
    shortfall: int

    @property
    def strategy_total(self) -> int:
        return total_amount(list(self.appropriations))

    @property
    def revenues_total(self) -> int:
        return self.receipts + self.interest + self.fund_balance_appropriated

    @property
    def appropriations_total(self) -> int:
        return self.strategy_total + self.reserve

    @property
    def balanced(self) -> bool:
        return self.shortfall == 0 and self.revenues_total == self.appropriations_total


def project_ordinance(
    projection: Projection, first_fy: int | None = None, last_fy: int | None = None
) -> ProjectOrdinance:
    years = projection.fiscal_years
    first = years[0] if first_fy is None else first_fy
    last = years[-1] if last_fy is None else last_fy
    ks = [k for k, fy in enumerate(years) if first <= fy <= last]
    fund = projection.fund
    receipts = sum(fund.receipts[k] for k in ks)
    interest = sum(fund.interest[k] for k in ks)
    available = max(0, fund.begin[ks[0]]) if ks else 0
    amounts = strategy_amounts(projection, first, last)
    settlement = projection.settlement_by_strategy
    unassigned = sum(settlement.get(UNASSIGNED, (0,) * len(years))[k] for k in ks)
    if unassigned:
        lines = tuple(
            line.id
            for line in projection.line_items
            if line.strategy is None and any(line.settlement[k] for k in ks)
        )
        amounts.append(StrategyAmount(UNASSIGNED, unassigned, tuple(years[k] for k in ks), lines))
    appropriations = tuple(a for a in amounts if a.amount)
    needed = total_amount(list(appropriations)) - receipts - interest
    balance_used = min(max(0, needed), available)
    return ProjectOrdinance(
        first_fy=first,
        last_fy=last,
        receipts=receipts,
        interest=interest,
        available_balance=available,
        fund_balance_appropriated=balance_used,
        appropriations=appropriations,
        reserve=max(0, -needed),
        shortfall=max(0, needed - available),
    )


# ----------------------------------------------------------------------------- basis of estimate

_AMOUNT = re.compile(r"\$[\d,]+(?:\.\d+)?")


@dataclass(frozen=True)
class BasisGroup:
    """Consecutive FYs of a line whose computations differ only in their dollar amounts
    (the same formula, escalated): one row of the basis of estimate."""

    first_fy: int
    last_fy: int
    basis: str  # the first FY's computation, written out
    amounts: tuple[int, ...]

    @property
    def total(self) -> int:
        return sum(self.amounts)

    @property
    def years(self) -> int:
        return len(self.amounts)


def basis_groups(line: LineProjection, fiscal_years: tuple[int, ...]) -> tuple[BasisGroup, ...]:
    groups: list[list[Any]] = []  # [formula, first FY, last FY, amounts, text]
    for fy, amount, text in zip(fiscal_years, line.by_year, line.basis, strict=True):
        formula = (_AMOUNT.sub("$", text), amount == 0)
        if groups and groups[-1][0] == formula:
            groups[-1][3].append(amount)
            groups[-1][2] = fy
        else:
            groups.append([formula, fy, fy, [amount], text])
    return tuple(
        BasisGroup(first, last, text, tuple(amounts)) for _, first, last, amounts, text in groups
    )


@dataclass(frozen=True)
class ClassLine:
    line_id: str
    label: str
    amount: int


def object_class_lines(projection: Projection) -> dict[str, tuple[ClassLine, ...]]:
    """SF-424A object class -> the line items that book it and their totals over the plan
    (the narrative of each budget category)."""
    found: dict[str, list[ClassLine]] = {c: [] for c in OBJECT_CLASSES}
    for line in projection.line_items:
        for object_class, values in line.by_object_class.items():
            if sum(values):
                found[object_class].append(ClassLine(line.id, line.label or line.id, sum(values)))
    return {c: tuple(v) for c, v in found.items()}


# SF-424A Section B, lines 6a–6k: the eight direct classes, their total, indirect, the total.
SF424A_ROWS: tuple[tuple[str, str, str], ...] = (
    *((letter, name, "class") for letter, name in zip("abcdefgh", OBJECT_CLASSES[:8], strict=True)),
    ("i", "direct", "direct"),
    ("j", "indirect", "class"),
    ("k", "total", "total"),
)


def direct_charges_by_strategy(classes_by_strategy: dict[str, dict[str, int]]) -> dict[str, int]:
    """SF-424A line i for each strategy column: a–h summed (every class but indirect)."""
    return {
        s: sum(v for c, v in classes.items() if c != "indirect")
        for s, classes in classes_by_strategy.items()
    }


def direct_charges_total(projection: Projection) -> int:
    return sum(direct_charges_by_year(projection))


# ----------------------------------------------------------------------------- the PDF budget


@dataclass(frozen=True)
class Columns:
    """The columns of a document's tables by FY: one per FY, or — for a plan past the PDF
    budget (cost model §15: a PDF of any plan inside the limits finishes in bounded time and
    memory; 200 lines × 40 FYs are 8,000 cells a grid) — one per period of a few FYs.

    `groups` are the plan-year indexes of each column. A period's amount is the sum of its
    FYs' (so each table still foots); a level (FTE, participants) is its highest FY."""

    groups: tuple[tuple[int, ...], ...]
    heads: tuple[str, ...]  # the column heads
    starts: tuple[str, ...]  # the first FY label of each column (a block's caption)
    ends: tuple[str, ...]  # the last FY label of each column
    fiscal_years: tuple[int, ...]  # the first FY of each column
    condensed: bool

    @property
    def blocks(self) -> tuple[tuple[int, ...], ...]:
        return fy_blocks(self.fiscal_years)

    def sums(self, values: Iterable[int]) -> tuple[int, ...]:
        values = tuple(values)
        if not self.condensed:
            return values
        return tuple(sum(values[k] for k in group) for group in self.groups)

    def peaks(self, values: Iterable[_Level]) -> tuple[_Level, ...]:
        values = tuple(values)
        if not self.condensed:
            return values
        return tuple(max(values[k] for k in group) for group in self.groups)


def past_pdf_budget(lines: int, years: int, line_years_max: int) -> bool:
    """Whether a plan has more line-years than the PDF budget of cost_tables/limits.toml."""
    return lines * years > line_years_max


def fy_columns(
    fiscal_years: tuple[int, ...],
    labels: tuple[str, ...] | list[str],
    period_years: int | None = None,
) -> Columns:
    """One column per FY; with `period_years`, one per period of that many FYs (the last
    period shorter when the plan's years are not a multiple)."""
    labels = tuple(labels)
    count = len(fiscal_years)
    if not period_years:
        groups: tuple[tuple[int, ...], ...] = tuple((k,) for k in range(count))
        return Columns(groups, labels, labels, labels, tuple(fiscal_years), False)
    groups = tuple(
        tuple(range(k, min(k + period_years, count))) for k in range(0, count, period_years)
    )
    heads = tuple(
        labels[g[0]] if len(g) == 1 else f"{labels[g[0]]} to {labels[g[-1]]}" for g in groups
    )
    return Columns(
        groups,
        heads,
        tuple(labels[g[0]] for g in groups),
        tuple(labels[g[-1]] for g in groups),
        tuple(fiscal_years[g[0]] for g in groups),
        True,
    )


@dataclass(frozen=True)
class BasisShown:
    """The rows of a line's basis of estimate a PDF writes: every group, or — past the PDF
    budget — the first few and the last, the FYs between in one row with their cost (so the
    table still foots to the line's total)."""

    first: tuple[BasisGroup, ...]
    omitted_first_fy: int | None
    omitted_last_fy: int | None
    omitted_years: int
    omitted_total: int
    last: tuple[BasisGroup, ...]

    @property
    def groups(self) -> tuple[BasisGroup, ...]:
        return self.first + self.last

    @property
    def total(self) -> int:
        return sum(g.total for g in self.groups) + self.omitted_total


def basis_shown(groups: tuple[BasisGroup, ...], shown: int | None = None) -> BasisShown:
    """Every group, or with `shown` the first `shown` groups and the last."""
    if shown is None or len(groups) <= shown + 1:
        return BasisShown(tuple(groups), None, None, 0, 0, ())
    middle = groups[shown:-1]
    return BasisShown(
        tuple(groups[:shown]),
        middle[0].first_fy,
        middle[-1].last_fy,
        sum(g.years for g in middle),
        sum(g.total for g in middle),
        (groups[-1],),
    )


@dataclass(frozen=True)
class ClassColumn:
    """One column of the SF-424A table by strategy: a strategy, or `others` strategies
    together (their amounts summed, so the table still foots)."""

    strategy: str | None  # None for the column of the other strategies
    others: int
    classes: dict[str, int]
    direct: int
    total: int


def sf424a_columns(
    classes_by_strategy: dict[str, dict[str, int]],
    strategy_totals: dict[str, int],
    keep: int | None = None,
) -> tuple[ClassColumn, ...]:
    """The strategy columns of SF-424A Section B: every strategy, or with `keep` the `keep`
    largest (by total, then in plan order) and one column for all the others."""
    order = list(classes_by_strategy)
    if keep is not None and len(order) > keep + 1:
        largest = sorted(order, key=lambda s: (-strategy_totals[s], order.index(s)))[:keep]
        shown = [s for s in order if s in largest]
    else:
        shown = order
    direct = direct_charges_by_strategy(classes_by_strategy)
    columns = [
        ClassColumn(s, 0, classes_by_strategy[s], direct[s], strategy_totals[s]) for s in shown
    ]
    rest = [s for s in order if s not in shown]
    if rest:
        classes = {c: sum(classes_by_strategy[s][c] for s in rest) for c in OBJECT_CLASSES}
        columns.append(
            ClassColumn(
                None,
                len(rest),
                classes,
                sum(direct[s] for s in rest),
                sum(strategy_totals[s] for s in rest),
            )
        )
    return tuple(columns)


@dataclass(frozen=True)
class ClassLinesShown:
    """The lines a budget category's narrative names: all, or the largest few and the
    others' count and amount together (so the narrative still adds up to the category)."""

    shown: tuple[ClassLine, ...]
    others: int
    others_total: int


def class_lines_shown(lines: tuple[ClassLine, ...], keep: int | None = None) -> ClassLinesShown:
    if keep is None or len(lines) <= keep + 1:
        return ClassLinesShown(tuple(lines), 0, 0)
    order = sorted(range(len(lines)), key=lambda k: (-lines[k].amount, k))[:keep]
    shown = tuple(lines[k] for k in sorted(order))
    rest = [line for k, line in enumerate(lines) if k not in order]
    return ClassLinesShown(shown, len(rest), sum(line.amount for line in rest))
