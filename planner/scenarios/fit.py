"""What the fund can afford (cost model §13): the reserve, headroom per FY, and the largest
value of a driver (the referrals multiplier, or one line's driver) that keeps the reserve.

Every candidate is judged with the exact engine: the lines a candidate changes are costed
again with the projection's own calculators (`line_by_year`), the others keep the amounts of
the plan's projection, and the fund is recomputed as §6 does it. So a value found here
projects to the same dollars as `project()` of the plan with that value (the tests check it).
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from types import MappingProxyType
from typing import Any, TypedDict

from .fiscal import fy_label
from .funding import has_funding, settlement_spending
from .kinds import REGISTRY
from .kinds.base import Driver
from .lines import Context, required_case_manager_fte
from .money import Q, dollars, fmt_money, q
from .participants import ParticipantYears, ScaledParticipants
from .plan import PATHWAYS, LineItem, Plan
from .projection import Projection, line_by_year, project

FIT_SCHEMA = "lead-fit/1"
REFERRALS = "referrals"
MULTIPLIER_STEPS = 10_000  # m = n / 100, 0 ≤ n ≤ 10,000 (§13)


class FitError(ValueError):
    """A target that names no line of the plan, or is not `referrals` / `line:ID`."""


# ----------------------------------------------------------------------------- the reserve


def reserves(reserve_months: Decimal, spending: tuple[int, ...]) -> tuple[int, ...]:
    """reserve_k = round_half_up(reserve_months / 12 × spending_k) (§13)."""
    months = q(reserve_months) / 12
    return tuple(dollars(months * s) for s in spending)  # spending is ≥ 0


def first_open_year(plan: Plan) -> int:
    """The plan year of the first open FY. Closed FYs (actuals, §11) are facts and come
    first, without gaps: their number is the first open year, and every judgement below
    starts there."""
    return len(plan.actuals)


@dataclass(frozen=True)
class FundPath:
    """The fund's closing balances for one spending path (the §6 recursion, whole dollars)."""

    closing: tuple[int, ...]
    reserve: tuple[int, ...]

    def misses(self, start: int = 0) -> list[int]:
        """Plan years from `start` on that end below their reserve."""
        return [k for k in range(start, len(self.closing)) if self.closing[k] < self.reserve[k]]


class _Fund:
    """The fund inputs of one plan, read once, to re-run §6 for many spending paths."""

    def __init__(self, plan: Plan, projection: Projection):
        rate = q(plan.fund.interest_rate)
        months = q(plan.fund.reserve_months) / 12
        # Exact rationals as integer pairs: round_half_up(x × n / d) for whole x ≥ 0 is
        # (2xn + d) // 2d, the same value `dollars` gives, without building rationals.
        self.rate = (int(rate.numerator), int(rate.denominator))
        self.months = (int(months.numerator), int(months.denominator))
        self.receipts = projection.fund.receipts
        self.begin = projection.fund.begin
        self.first_open = first_open_year(plan)
        # Closed FYs are facts (§11): their closing balances and the fund's spending stay.
        self.closed_closing = projection.fund.closing[: self.first_open]
        self.closed_spending = projection.fund.spending[: self.first_open]

    def path(self, spending: tuple[int, ...]) -> FundPath:
        """The fund for a path of planned spending: closed FYs keep their actual figures
        and open FYs run from the last actual closing balance."""
        start = self.first_open
        spending = (*self.closed_spending, *spending[start:])
        closing = list(self.closed_closing)
        balance = self.begin[start] if start < len(spending) else 0
        for k in range(start, len(spending)):
            spent = spending[k]
            balance = balance + self.receipts[k] + _times(max(balance, 0), self.rate) - spent
            closing.append(balance)
        return FundPath(tuple(closing), tuple(_times(s, self.months) for s in spending))

    def keeps_from(self, start: int, spending: list[int], extra: int) -> bool:
        """Adding `extra` to the spending of every FY from plan year `start` on, does every
        FY from `start` on keep its reserve? (The years before are unchanged.)"""
        balance = self.begin[start]
        rate, months, receipts = self.rate, self.months, self.receipts
        for k in range(start, len(spending)):
            spent = spending[k] + extra
            balance = balance + receipts[k] + _times(max(balance, 0), rate) - spent
            if balance < _times(spent, months):
                return False
        return True


def _times(value: int, ratio: tuple[int, int]) -> int:
    """round_half_up(value × n / d), half away from zero, for a whole value ≥ 0."""
    n, d = ratio
    if n >= 0:
        return (2 * value * n + d) // (2 * d)
    return -((2 * value * -n + d) // (2 * d))  # a negative interest rate (§8 allows −0.5)


def headroom(
    plan: Plan, projection: Projection, only: Iterable[int] | None = None
) -> tuple[int | None, ...]:
    """For each open FY k, the largest whole-dollar X that can be added to the spending of
    every FY from k to the last with every FY from k on keeping its reserve (§13); negative
    when the plan must cut; None when even cutting the lowest of those FYs' spending fails,
    and for closed FYs. `only` limits the work to those plan years (the others are None)."""
    fund = _Fund(plan, projection)
    spending = list(projection.fund.spending)
    wanted = set(range(len(spending)) if only is None else only)
    found: list[int | None] = []
    for k in range(len(spending)):
        if k < fund.first_open or k not in wanted:
            found.append(None)
            continue
        low = -min(spending[k:])
        if not fund.keeps_from(k, spending, low):
            found.append(None)
            continue
        # closing_k falls by X one for one (begin_k and interest_k do not move), and the
        # reserve is ≥ 0, so no X above closing_k at X = 0 can keep FY k's reserve.
        high = projection.fund.closing[k]
        found.append(_largest(low, max(high, low), functools.partial(fund.keeps_from, k, spending)))
    return tuple(found)


def _largest_by_margin(start: int, top: int, margin: Callable[[int], int]) -> tuple[int, bool]:
    """The largest n in [0, top] with margin(n) ≥ 0, given margin(0) ≥ 0 and margin
    non-increasing; and whether it is `top`. Every step is an exact evaluation; the steps
    are placed by regula falsi (the Illinois variant) on the margin, which is close to
    linear in a driver (FTE rounding makes steps), so a fit takes a handful of projections
    instead of a dozen; a bisection step is taken whenever falsi would not halve the
    bracket within two steps, so the count stays bounded by about twice a bisection's."""
    low, m_low = 0, margin(0)
    high: int | None = None
    m_high = 0
    # A bracket: low feasible, high infeasible (or top feasible: the answer is top).
    if start > 0:
        m_start = margin(start)
        if m_start >= 0:
            low, m_low = start, m_start
        else:
            high, m_high = start, m_start
    if high is None:
        slope = Fraction(m_low - margin(0), low) if low > 0 else None
        while high is None:
            if low == top:
                return top, True
            if slope is None:
                step = 1
            elif slope < 0:  # aim 10% past where the straight line crosses 0
                step = max(1, math.ceil(m_low / -slope * Fraction(11, 10)))
            else:  # the driver does not move the margin (an inactive line): try the top
                step = top - low
            candidate = min(top, low + step)
            m_candidate = margin(candidate)
            if m_candidate >= 0:
                slope = Fraction(m_candidate - m_low, candidate - low)
                low, m_low = candidate, m_candidate
            else:
                high, m_high = candidate, m_candidate
    side = 0  # which end stayed last time (Illinois: halve its weight when it stays twice)
    w_low, w_high = Fraction(m_low), Fraction(m_high)
    falsi = True
    while high - low > 1:
        width = high - low
        if falsi and w_low != w_high:
            guess = low + int(width * w_low / (w_low - w_high))
            guess = min(high - 1, max(low + 1, guess))
        else:
            guess = (low + high) // 2
        m_guess = margin(guess)
        if m_guess >= 0:
            low, w_low = guess, Fraction(m_guess)
            if side == -1:
                w_high /= 2
            side = -1
        else:
            high, w_high = guess, Fraction(m_guess)
            if side == 1:
                w_low /= 2
            side = 1
        # Fall back to halving when falsi shrank the bracket by less than half.
        falsi = (high - low) * 2 <= width
    return low, False


def _largest(low: int, high: int, ok: Callable[[int], bool]) -> int:
    """The largest n in [low, high] with ok(n), given ok(low) and ok monotone (true, then
    false)."""
    while low < high:
        middle = (low + high + 1) // 2
        if ok(middle):
            low = middle
        else:
            high = middle - 1
    return low


# ----------------------------------------------------------------------------- the fit


@dataclass(frozen=True)
class FitResult:
    target: str  # "referrals" | "line:ID"
    driver: str  # "referrals_per_year" | the line's parameter
    current: str
    value: str | None
    reason: str | None
    total_at_value: int | None
    reserve_months: Decimal
    headroom: tuple[int | None, ...]
    # Structured facts for pages and rules (not in the lead-fit/1 JSON):
    fiscal_years: tuple[int, ...] = ()
    value_number: Decimal | None = None  # the value as a number, to write into the plan
    current_number: Decimal | None = None
    short_fy: int | None = None  # when value is None: the first open FY missing its reserve
    at_upper_bound: bool = False

    def to_dict(self) -> dict[str, Any]:
        """The lead-fit/1 document, with exactly the keys of §13."""
        return {
            "target": self.target,
            "driver": self.driver,
            "current": self.current,
            "value": self.value,
            "reason": self.reason,
            "total_at_value": self.total_at_value,
            "reserve_months": format(self.reserve_months, "f"),
            "headroom": list(self.headroom),
        }


_Driver = Driver  # a driver on a grid of whole steps (the line kinds say which)


class _Common(TypedDict):
    """The fields every FitResult of one fit shares."""

    reserve_months: Decimal
    headroom: tuple[int | None, ...]
    fiscal_years: tuple[int, ...]


class _Searches:
    """The §13 searches of recent plan versions, each done once and shared by every caller
    (PLAN-RESERVE, the plan page, the options, the CLI): a plan's fit is a function of the
    plan alone (`projection` is always `project(plan)`), so a plan equal to one already
    searched (the same version parsed again) gets the same result. Kept per plan version:
    each target's result without its headroom, and each plan year's headroom."""

    SIZE = 16

    def __init__(self) -> None:
        self.entries: OrderedDict[tuple[Any, ...], list[tuple[Plan, _Memo]]] = OrderedDict()
        self.count = 0

    @staticmethod
    def _bucket(plan: Plan) -> tuple[Any, ...]:
        """A cheap fingerprint: plans in one bucket are compared field by field."""
        return (
            plan.name,
            plan.start_fy,
            plan.years,
            tuple(item.id for item in plan.line_items),
            len(plan.actuals),
        )

    def of(self, plan: Plan) -> _Memo:
        found: _Memo | None = plan.__dict__.get(_MEMO)
        if found is not None:
            return found
        key = self._bucket(plan)
        bucket = self.entries.get(key)
        if bucket is not None:
            self.entries.move_to_end(key)
            for other, memo in bucket:
                if other == plan:
                    object.__setattr__(plan, _MEMO, memo)  # noqa: PLC2801 - a frozen cache
                    return memo
        memo = _Memo()
        object.__setattr__(plan, _MEMO, memo)  # noqa: PLC2801 - a frozen cache
        self.entries.setdefault(key, []).insert(0, (plan, memo))
        self.count += 1
        bucket = self.entries[key]
        del bucket[4:]
        while len(self.entries) > self.SIZE:
            self.entries.popitem(last=False)
        return memo

    def clear(self) -> None:
        self.entries.clear()


@dataclass
class _Memo:
    """One plan version's searches: target → result (headroom left empty); year → headroom."""

    results: dict[str, FitResult] = dataclasses.field(default_factory=dict)
    rooms: dict[int, int | None] = dataclasses.field(default_factory=dict)


_MEMO = "_fit_memo"
SEARCHES = _Searches()


def fit(
    plan: Plan,
    target: str = REFERRALS,
    projection: Projection | None = None,
    headroom_years: Iterable[int] | None = None,
) -> FitResult:
    """The §13 fit for `referrals` or `line:ID`; raises FitError for an unknown target.
    `headroom_years` limits the headroom to those plan years (default: every FY).

    The search is done once per plan version (`SEARCHES`): a second call for the same plan
    (or an equal one) reuses it, and only headroom years not yet computed are computed."""
    memo = SEARCHES.of(plan)
    wanted = (
        range(plan.years)
        if headroom_years is None
        else sorted(k for k in set(headroom_years) if 0 <= k < plan.years)
    )
    missing = [k for k in wanted if k not in memo.rooms]
    found = memo.results.get(target)
    if found is None or missing:
        projection = projection or project(plan)
        if missing:
            rooms = headroom(plan, projection, missing)
            for k in missing:
                memo.rooms[k] = rooms[k]
        if found is None:
            found = _search(plan, target, projection)
            memo.results[target] = found
    wanted_set = set(wanted)
    current = found.current_number
    if target.startswith("line:") and current is not None:
        driver = _line_driver(plan, plan.line(target[len("line:") :]))
        current = driver.current if isinstance(driver, Driver) else current
    return dataclasses.replace(
        found,
        # The plan's own figures as it writes them (an equal plan may write 2.0 for 2)
        reserve_months=plan.fund.reserve_months,
        current_number=current,
        headroom=tuple(memo.rooms[k] if k in wanted_set else None for k in range(plan.years)),
    )


def _search(plan: Plan, target: str, projection: Projection) -> FitResult:
    """The §13 search itself (headroom left empty: `fit` adds it)."""
    fund = _Fund(plan, projection)
    common: _Common = {
        "reserve_months": plan.fund.reserve_months,
        "headroom": (),
        "fiscal_years": projection.fiscal_years,
    }

    if target == REFERRALS:
        driver = _Driver("referrals_per_year", Decimal("0.01"), MULTIPLIER_STEPS, Decimal(1), 2)
        if all(plan.participants.referrals_per_year[p] == 0 for p in PATHWAYS):
            return FitResult(
                REFERRALS,
                driver.name,
                driver.text(driver.current),
                None,
                "The plan has no referrals in any pathway, so there is no referral volume to fit.",
                None,
                current_number=driver.current,
                **common,
            )
        spend = _referrals_spending(plan, projection)
        # LEAD-CASELOAD: never participants without the case managers they need. The
        # largest multiplier the case-management line's funded FTE carries bounds the fit.
        carried = caseload_cap(plan, driver.top)
        if carried is None:
            return FitResult(
                REFERRALS,
                driver.name,
                driver.text(driver.current),
                None,
                "No referral level keeps the caseload within its limits: "
                + caseload_shortfall(plan),
                None,
                current_number=driver.current,
                **common,
            )
        if carried < driver.top:
            driver = dataclasses.replace(driver, top=carried)
    elif target.startswith("line:"):
        line_id = target[len("line:") :]
        try:
            line = plan.line(line_id)
        except KeyError as exc:
            ids = ", ".join(item.id for item in plan.line_items) or "none"
            raise FitError(f"the plan has no line '{line_id}' (its lines: {ids})") from exc
        found = _line_driver(plan, line)
        if isinstance(found, str):
            return FitResult(target, "", "", None, found, None, **common)
        driver = found
        spend = _line_spending(plan, projection, line, driver)
    else:
        raise FitError(f"the target must be 'referrals' or 'line:ID' (got '{target}')")

    # n -> (the program's whole cost per FY, the fund's path on its settlement spending)
    known: dict[int, tuple[tuple[int, ...], FundPath]] = {}

    def path(n: int) -> tuple[tuple[int, ...], FundPath]:
        if n not in known:
            whole, settlement = spend(driver.value(n))
            known[n] = (whole, fund.path(settlement))
        return known[n]

    def margin(n: int) -> int:
        """The smallest closing balance above its reserve over the open FYs (< 0: missed)."""
        found = path(n)[1]
        return min(
            (found.closing[k] - found.reserve[k] for k in range(fund.first_open, plan.years)),
            default=0,
        )

    current = driver.text(driver.current)
    caseload_bound = target == REFERRALS and driver.top < MULTIPLIER_STEPS
    if driver.value(driver.start()) == driver.current:  # the plan itself: already projected
        known[driver.start()] = (projection.by_year, fund.path(projection.settlement_by_year))
    _, lowest = path(0)
    missed = lowest.misses(fund.first_open)
    if missed:
        fy = projection.fiscal_years[missed[0]]
        return FitResult(
            target,
            driver.name,
            current,
            None,
            (
                "Even with no referrals at all (× 0.00 of today's), the fund misses its reserve"
                if target == REFERRALS
                else f"Even with {driver.name.replace('_', ' ')} at "
                f"{driver.text(Decimal(0))}, the fund misses its reserve"
            )
            + f" in {fy_label(fy)} (closing {fmt_money(lowest.closing[missed[0]])} against "
            f"a reserve of {fmt_money(lowest.reserve[missed[0]])}): the other lines alone "
            "cost more than the fund carries.",
            None,
            current_number=driver.current,
            short_fy=fy,
            **common,
        )
    n, top_ok = _largest_by_margin(driver.start(), driver.top, margin)
    number = driver.value(n)
    reason = (
        f"The case managers limit it: beyond × {driver.text(number)} the case-management "
        "line's funded FTE could not carry the caseload (LEAD-CASELOAD); "
        + caseload_shortfall(plan)
        if top_ok and caseload_bound
        else f"The fund keeps its reserve even at the upper bound, {driver.text(number)}."
        if top_ok
        else None
    )
    top_ok = top_ok and not caseload_bound
    total = sum(path(n)[0])
    return FitResult(
        target,
        driver.name,
        current,
        driver.text(number),
        reason,
        total,
        value_number=number,
        current_number=driver.current,
        at_upper_bound=top_ok,
        **common,
    )


# A driver's value -> (the program's whole cost per FY, the settlement fund's spending, §16).
_Spend = Callable[[Decimal], tuple[tuple[int, ...], tuple[int, ...]]]


def _referrals_spending(plan: Plan, projection: Projection) -> _Spend:
    """Spending per FY with every pathway's referrals × m: only the lines that depend on the
    participants are costed again."""
    # Kinds whose cost depends on the participants (§4): a referrals multiplier re-costs them.
    dependent = [
        i for i, line in enumerate(plan.line_items) if REGISTRY[line.kind].uses_participants
    ]
    fixed = [0] * plan.years
    for i, line in enumerate(projection.line_items):
        if i not in dependent:
            for k, amount in enumerate(line.by_year):
                fixed[k] += amount
    people = ScaledParticipants(plan.participants, plan.years)
    base = Context.build(plan, projection.participants)
    per_line = [line.by_year for line in projection.line_items]

    def spending(multiplier: Decimal) -> tuple[tuple[int, ...], tuple[int, ...]]:
        # Calculators read the participants and the plan's assumptions, never its
        # referrals: the plan's own context with the scaled participants costs the lines.
        ctx = dataclasses.replace(base, participants=people.at(q(multiplier)))
        total = list(fixed)
        for i in dependent:
            own = line_by_year(plan.line_items[i], ctx)
            per_line[i] = own
            for k, amount in enumerate(own):
                total[k] += amount
        return tuple(total), _settlement(plan, per_line, total)

    return spending


def _settlement(plan: Plan, per_line: list[tuple[int, ...]], total: list[int]) -> tuple[int, ...]:
    """The settlement fund's spending (§16) for these line totals (the whole cost when no
    line names another source)."""
    return settlement_spending(plan, per_line) if has_funding(plan) else tuple(total)


def _line_spending(plan: Plan, projection: Projection, line: LineItem, driver: _Driver) -> _Spend:
    index = plan.line_items.index(line)
    others = [
        projection.by_year[k] - projection.line_items[index].by_year[k] for k in range(plan.years)
    ]
    ctx = Context.build(plan, projection.participants)

    per_line = [item.by_year for item in projection.line_items]

    def spending(value: Decimal) -> tuple[tuple[int, ...], tuple[int, ...]]:
        own = line_by_year(_with_value(line, driver.name, value), ctx)
        per_line[index] = own
        total = [others[k] + own[k] for k in range(plan.years)]
        return tuple(total), _settlement(plan, per_line, total)

    return spending


def _line_driver(plan: Plan, line: LineItem) -> _Driver | str:
    """The driver of a line (§13), or the reason it has none."""
    return REGISTRY[line.kind].driver(line.params, line.id, plan.assumptions)


def scaled_referrals(plan: Plan, multiplier: Decimal) -> Plan:
    """The plan with every pathway's referrals × multiplier (what `apply` writes)."""
    base = plan.participants
    return dataclasses.replace(
        plan,
        participants=dataclasses.replace(
            base,
            referrals_per_year=MappingProxyType(
                {p: v * multiplier for p, v in base.referrals_per_year.items()}
            ),
        ),
    )


def with_driver(plan: Plan, line_id: str, name: str, value: Decimal) -> Plan:
    """The plan with one line's driver set (what `apply` writes)."""
    lines = tuple(
        _with_value(item, name, value) if item.id == line_id else item for item in plan.line_items
    )
    return dataclasses.replace(plan, line_items=lines)


def _with_value(line: LineItem, name: str, value: Decimal) -> LineItem:
    """The line with one parameter set (a whole number stays whole)."""
    number: Any = int(value) if isinstance(getattr(line.params, name), int) else value
    return dataclasses.replace(line, params=dataclasses.replace(line.params, **{name: number}))


# ----------------------------------------------------------------------------- LEAD-CASELOAD


def caseload_carried(plan: Plan, participants: ParticipantYears) -> bool:
    """LEAD-CASELOAD's staffing test (compliance_rules.md) for these participants: in every
    FY the first case-management line's funded FTE (0 outside its window, capped at
    `max_fte`) carries `avg_active ≤ caseload_average × fte` and `peak_active ≤
    caseload_max × fte`. Without a case-management line, only a plan with nobody active
    passes it."""
    lines = plan.lines_of("case_management")
    if not lines:
        return all(p == 0 for p in participants.peak_active)
    item = lines[0]
    params: Any = item.params
    ctx = Context.make(plan, participants)  # a passing multiplier: not kept on the plan
    for k, fy in enumerate(plan.fiscal_years):
        avg, peak = participants.avg_active[k], participants.peak_active[k]
        if avg == 0 and peak == 0:
            continue
        if not item.active_in(fy):
            return False
        fte = required_case_manager_fte(item, k, ctx)
        if params.max_fte is not None:
            fte = min(fte, q(params.max_fte))
        if q(avg) > q(params.caseload_average) * fte or q(peak) > q(params.caseload_max) * fte:
            return False
    return True


def caseload_cap(plan: Plan, top: int = MULTIPLIER_STEPS) -> int | None:
    """The largest n in [0, top] such that the plan with every pathway's referrals × n/100
    passes the caseload staffing test; None when even n = 0 fails it (participants already
    active with no case manager to carry them)."""
    people = ScaledParticipants(plan.participants, plan.years)

    def ok(n: int) -> bool:
        return caseload_carried(plan, people.at(Q(n, 100)))

    if ok(top):
        return top
    if not ok(0):
        return None
    return _largest(0, top, ok)


def caseload_shortfall(plan: Plan) -> str:
    """Why the case managers limit the participants, in words (for a fit's reason)."""
    lines = plan.lines_of("case_management")
    if not lines:
        return "the plan has no case-management line: add one to serve participants."
    item = lines[0]
    params: Any = item.params
    parts = []
    if params.max_fte is not None:
        parts.append(f"its maximum of {params.max_fte.normalize():f} FTE caps the case managers")
    if item.start_fy > plan.start_fy or item.end_fy < plan.end_fy:
        parts.append(
            f"it runs only {fy_label(item.start_fy)} to {fy_label(item.end_fy)} while "
            "participants are enrolled"
        )
    what = " and ".join(parts) or "its caseload limits leave participants uncarried"
    return f"on case-management line '{item.id}', {what}."
