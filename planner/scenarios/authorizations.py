"""Authorizations from the engine's spending, and whether each still matches the plan
(compliance_rules.md MOA-AUTHORIZATION, amended).

An authorization's period is whole months (start the first of a month, end the last), so a
Nov 1 – Jun 30 resolution or an Oct–Sep grant year is a period like any other. The engine is
annual: a FY's settlement spending (cost model §16; actual in closed FYs, §11) is taken as
spread evenly over its months, and a FY only partly inside a period contributes
`round_half_up(spending × months inside / 12)`. Authorizations of one strategy whose periods
share a month form one group (an original and its supplementals): their amounts add up and
their spending is taken over the union of their periods (`authorization_groups`).

`authorize_fys` drafts one authorization per strategy for FYs X–Y, its amount that
strategy's planned settlement spending over those FYs (a sum of the projection's rounded
amounts, so it equals the by-strategy table to the dollar), its period July 1 of X to June
30 after Y; `authorize_months` drafts one for given months only (the uncovered ones).
`authorization_facts` says, beside each authorization, whether it is adopted, scheduled or
a draft, whether its budget ordinance is in place, and whether its amount is stale.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .fiscal import fy_end, fy_of, fy_start
from .money import dollars, q
from .plan import Authorization, Plan
from .projection import UNASSIGNED, Projection

ADOPTED, SCHEDULED, DRAFT = "adopted", "scheduled", "draft"


# ----------------------------------------------------------------------------- months


def month_index(day: dt.date) -> int:
    """A month as one number: year × 12 + month − 1 (July 2026 is 2026 × 12 + 6)."""
    return day.year * 12 + day.month - 1


def period_months(start: dt.date, end: dt.date) -> range:
    """The months of a period, from start's month to end's month."""
    return range(month_index(start), month_index(end) + 1)


def fy_months(fy: int) -> range:
    """The twelve months of a FY, July to June."""
    return range(fy * 12 + 6, fy * 12 + 18)


def fy_of_month(month: int) -> int:
    return month // 12 if month % 12 >= 6 else month // 12 - 1


def month_start(month: int) -> dt.date:
    return dt.date(month // 12, month % 12 + 1, 1)


def month_end(month: int) -> dt.date:
    following = month + 1
    return dt.date(following // 12, following % 12 + 1, 1) - dt.timedelta(days=1)


def months_by_fy(months: Iterable[int]) -> dict[int, int]:
    """How many of these months fall in each FY (a FY in the order its first month comes)."""
    found: dict[int, int] = {}
    if type(months) is range and months.step == 1:
        # A period (`period_months`): FY by FY, not month by month; the same counts.
        month, stop = months.start, months.stop
        while month < stop:
            fy = (month - 6) // 12
            following = min(stop, fy * 12 + 18)  # the next FY's July, or the period's end
            found[fy] = following - month
            month = following
        return found
    get = found.get
    for month in months:
        fy = (month - 6) // 12  # fy_of_month: July (month % 12 == 6) starts the FY
        found[fy] = get(fy, 0) + 1
    return found


def runs(months: Iterable[int]) -> list[tuple[int, int]]:
    """Consecutive months as (first, last) runs."""
    found: list[tuple[int, int]] = []
    for month in sorted(set(months)):
        if found and month == found[-1][1] + 1:
            found[-1] = (found[-1][0], month)
        else:
            found.append((month, month))
    return found


def covered_fys(start: dt.date, end: dt.date) -> list[int]:
    """The FYs whose July 1 - June 30 lie wholly inside [start, end]."""
    first = fy_of(start) if start <= fy_start(fy_of(start)) else fy_of(start) + 1
    last = fy_of(end) if end >= fy_end(fy_of(end)) else fy_of(end) - 1
    return list(range(first, last + 1))


def status_of(auth: Authorization, as_of: dt.date) -> str:
    """`adopted` (on or before as_of), `scheduled` (a later date) or `draft` (no date)."""
    if auth.adopted_on is None:
        return DRAFT
    return ADOPTED if auth.adopted_on <= as_of else SCHEDULED


def ordinance_status(auth: Authorization, as_of: dt.date) -> str:
    if auth.budget_ordinance_on is None:
        return DRAFT
    return ADOPTED if auth.budget_ordinance_on <= as_of else SCHEDULED


def planned_spending(projection: Projection, strategy: str, fys: list[int]) -> int:
    """A strategy's planned settlement spending (cost model §16) over these FYs."""
    values = projection.settlement_by_strategy.get(strategy)
    if values is None:
        return 0
    by_fy = dict(zip(projection.fiscal_years, values, strict=True))
    return sum(by_fy.get(fy, 0) for fy in fys)


def actual_by_fy(projection: Projection, strategy: str) -> dict[int, int]:
    """A strategy's actual spending in each closed FY (cost model §11; {} without actuals)."""
    block = projection.actuals
    if block is None:
        return {}
    values = block.actual_by_strategy.get(strategy, (0,) * len(block.closed_fys))
    return dict(zip(block.closed_fys, values, strict=True))


def spending_in(projection: Projection, strategy: str, fys: list[int]) -> int:
    """A strategy's spending over these FYs as MOA-AUTHORIZATION judges it: actual spending
    in closed FYs, planned spending in open FYs."""
    actual = actual_by_fy(projection, strategy)
    open_fys = [fy for fy in fys if fy not in actual]
    return sum(actual[fy] for fy in fys if fy in actual) + planned_spending(
        projection, strategy, open_fys
    )


def spending_by_fy(projection: Projection, strategy: str) -> dict[int, int]:
    """A strategy's settlement spending in each plan FY as MOA-AUTHORIZATION judges it:
    actual in closed FYs, planned in open FYs."""
    values = projection.settlement_by_strategy.get(strategy, (0,) * len(projection.fiscal_years))
    found = dict(zip(projection.fiscal_years, values, strict=True))
    found.update(actual_by_fy(projection, strategy))
    return found


def spending_over(projection: Projection, strategy: str, months: Iterable[int]) -> int:
    """A strategy's spending over these months: Σ_k round_half_up(spending_k × months of
    them in FY k / 12) over the plan FYs (each FY's spending spread evenly over its months)."""
    by_fy = spending_by_fy(projection, strategy)
    return sum(
        dollars(q(by_fy[fy]) * count / 12)
        for fy, count in months_by_fy(months).items()
        if fy in by_fy
    )


def unauthorized_actuals(
    projection: Projection, facts: tuple[AuthorizationFacts, ...]
) -> list[dict[str, Any]]:
    """Actual spending on a strategy in a closed FY some months of which no adopted
    authorization covers (MOA §E.6): one entry per strategy and FY, in FY order then the
    §11 strategy order, the amount that of the uncovered months (round_half_up(actual ×
    months / 12)). `unassigned` spending is MOA-STRATEGY's, not listed here."""
    block = projection.actuals
    if block is None:
        return []
    found = []
    for k, fy in enumerate(block.closed_fys):
        for strategy, values in block.actual_by_strategy.items():
            if strategy == UNASSIGNED or values[k] <= 0:
                continue
            missing = uncovered_months(facts, strategy, fy)
            if not missing:
                continue
            found.append(
                {
                    "strategy": strategy,
                    "fiscal_year": fy,
                    "amount": dollars(q(values[k]) * len(missing) / 12),
                    "months": missing,
                }
            )
    return found


def uncovered_months(facts: Iterable[AuthorizationFacts], strategy: str, fy: int) -> list[int]:
    """The months of FY `fy` that no adopted authorization of the strategy covers."""
    covered: set[int] = set()
    for f in facts:
        if f.strategy == strategy and f.status == ADOPTED:
            covered.update(f.months)
    return [m for m in fy_months(fy) if m not in covered]


@dataclass(frozen=True)
class DraftAuthorization:
    strategy: str
    amount: int
    start: dt.date
    end: dt.date
    fiscal_years: tuple[int, ...]

    def to_document(
        self, adopted_on: dt.date | None = None, budget_ordinance_on: dt.date | None = None
    ) -> dict[str, Any]:
        """As a `program.authorizations` entry of a plan file."""
        return {
            "strategy": self.strategy,
            "amount": str(self.amount),
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "adopted_on": adopted_on.isoformat() if adopted_on else None,
            "budget_ordinance_on": (
                budget_ordinance_on.isoformat() if budget_ordinance_on else None
            ),
        }


def authorize_fys(
    plan: Plan, projection: Projection, first_fy: int, last_fy: int
) -> tuple[DraftAuthorization, ...]:
    """One authorization per strategy with spending in FYs first_fy–last_fy (clipped to the
    plan), in by-strategy order; lines without a strategy cannot be authorized and are left
    out (MOA-STRATEGY fails them)."""
    if last_fy < first_fy:
        raise ValueError("the last FY must not be before the first")
    fys = [fy for fy in range(first_fy, last_fy + 1) if fy in projection.fiscal_years]
    drafts = []
    for strategy in projection.settlement_by_strategy:
        if strategy == UNASSIGNED:
            continue
        amount = planned_spending(projection, strategy, fys)
        if amount > 0:
            drafts.append(
                DraftAuthorization(
                    strategy, amount, fy_start(first_fy), fy_end(last_fy), tuple(fys)
                )
            )
    return tuple(drafts)


def authorize_months(
    projection: Projection, strategy: str, months: Iterable[int]
) -> tuple[DraftAuthorization, ...]:
    """Drafts covering these months of one strategy, one per run of consecutive months, each
    its planned settlement spending over them (months of a FY prorated, as the rule)."""
    values = projection.settlement_by_strategy.get(strategy)
    by_fy = {} if values is None else dict(zip(projection.fiscal_years, values, strict=True))
    drafts = []
    for first, last in runs(months):
        counts = months_by_fy(range(first, last + 1))
        # each FY's planned spending (`planned_spending` of that FY), prorated by its months
        amount = sum(dollars(q(by_fy.get(fy, 0)) * count / 12) for fy, count in counts.items())
        fys = tuple(sorted(counts))
        drafts.append(
            DraftAuthorization(strategy, amount, month_start(first), month_end(last), fys)
        )
    return tuple(d for d in drafts if d.amount > 0)


def with_authorizations(
    document: dict[str, Any],
    drafts: tuple[DraftAuthorization, ...],
    as_of: dt.date,
    adopted_on: dt.date | None = None,
    budget_ordinance_on: dt.date | None = None,
) -> dict[str, Any]:
    """The plan document with the drafts added. An authorization not adopted by `as_of`
    (a draft or a scheduled one) of the same strategy and period is replaced: it is the
    earlier draft of the same resolution. Adopted ones are facts and stay."""
    program = dict(document.get("program") or {})
    kept = []
    replaced = {(d.strategy, d.start.isoformat(), d.end.isoformat()) for d in drafts}
    for entry in program.get("authorizations") or []:
        adopted = entry.get("adopted_on")
        key = (entry.get("strategy"), str(entry.get("start")), str(entry.get("end")))
        if key in replaced and (adopted is None or dt.date.fromisoformat(str(adopted)) > as_of):
            continue
        kept.append(entry)
    program["authorizations"] = kept + [
        d.to_document(adopted_on, budget_ordinance_on) for d in drafts
    ]
    return {**document, "program": program}


@dataclass(frozen=True)
class AuthorizationFacts:
    """What a page shows beside one authorization."""

    index: int
    strategy: str
    amount: Decimal
    fiscal_years: tuple[int, ...]  # the plan FYs its period reaches (a month or more)
    planned: int  # the settlement spending of its strategy over its months (actual when closed)
    status: str  # adopted | scheduled | draft
    budget_ordinance: str  # adopted | scheduled | draft (none recorded)
    overlaps: tuple[int, ...]  # the others of its group (same strategy, a month shared)
    group_amount: Decimal  # this and the overlapping ones (an original and supplementals)
    group_planned: int  # the spending over the union of their periods
    months: tuple[int, ...] = ()  # its months (month_index)

    @property
    def stale(self) -> bool:
        """The amount no longer equals the plan's spending for its strategy and period."""
        return self.group_amount != self.group_planned

    @property
    def difference(self) -> Decimal:
        """Planned minus authorized: > 0 short (the plan spends more), < 0 to spare."""
        return self.group_planned - self.group_amount

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "strategy": self.strategy,
            "amount": format(self.amount, "f"),
            "fiscal_years": list(self.fiscal_years),
            "planned": self.planned,
            "status": self.status,
            "budget_ordinance": self.budget_ordinance,
            "overlaps": list(self.overlaps),
            "stale": self.stale,
            "difference": format(self.difference, "f"),
        }


def authorization_facts(
    plan: Plan,
    projection: Projection,
    as_of: dt.date,
    groups: tuple[AuthorizationGroup, ...] | None = None,
) -> tuple[AuthorizationFacts, ...]:
    """Each authorization's facts; `groups`: `authorization_groups(plan, projection)` when
    the caller has them already."""
    auths = plan.program.authorizations
    in_plan = set(projection.fiscal_years)
    if groups is None:
        groups = authorization_groups(plan, projection)
    group_of = {i: group for group in groups for i in group.members}
    found = []
    for i, auth in enumerate(auths):
        months = period_months(auth.start, auth.end)
        group = group_of[i]
        found.append(
            AuthorizationFacts(
                index=i,
                strategy=auth.strategy,
                amount=auth.amount,
                fiscal_years=tuple(fy for fy in sorted(months_by_fy(months)) if fy in in_plan),
                planned=spending_over(projection, auth.strategy, months),
                status=status_of(auth, as_of),
                budget_ordinance=ordinance_status(auth, as_of),
                overlaps=tuple(j for j in group.members if j != i),
                group_amount=group.amount,
                group_planned=group.planned,
                months=tuple(months),
            )
        )
    return tuple(found)


@dataclass(frozen=True)
class AuthorizationGroup:
    """Authorizations of one strategy whose periods overlap, directly or through another
    (an original and its supplementals): judged as one, over the union of their periods."""

    strategy: str
    members: tuple[int, ...]  # indices into program.authorizations, in order
    periods: tuple[tuple[dt.date, dt.date], ...]  # each member's (start, end)
    months: tuple[int, ...]  # the union of their months, sorted
    amount: Decimal  # their amounts added up
    planned: int  # the settlement spending over the union (actual in closed FYs)
    fiscal_years: tuple[int, ...]  # the plan FYs the union reaches

    @property
    def remaining(self) -> Decimal:
        """Authorized minus spent: < 0 when the group is over."""
        return self.amount - self.planned

    @property
    def months_by_fy(self) -> dict[int, int]:
        return months_by_fy(self.months)


def authorization_groups(
    plan: Plan, projection: Projection, indices: Iterable[int] | None = None
) -> tuple[AuthorizationGroup, ...]:
    """The groups among these authorizations (default: every one), in the order of their
    first member; consecutive periods that share no month stay apart."""
    auths = plan.program.authorizations
    wanted = list(range(len(auths)) if indices is None else indices)
    months = {i: set(period_months(auths[i].start, auths[i].end)) for i in wanted}
    in_plan = set(projection.fiscal_years)
    seen: set[int] = set()
    found = []
    for i in wanted:
        if i in seen:
            continue
        group, frontier = {i}, [i]
        while frontier:
            here = frontier.pop()
            for j in wanted:
                if (
                    j not in group
                    and auths[j].strategy == auths[here].strategy
                    and months[j] & months[here]
                ):
                    group.add(j)
                    frontier.append(j)
        seen |= group
        members = tuple(sorted(group))
        union = sorted(set().union(*(months[j] for j in members)))
        strategy = auths[i].strategy
        # The months in order, each once: with none missing between, the range they span
        # (what `months_by_fy` counts FY by FY).
        span: Iterable[int] = (
            range(union[0], union[-1] + 1)
            if union and union[-1] - union[0] + 1 == len(union)
            else union
        )
        found.append(
            AuthorizationGroup(
                strategy=strategy,
                members=members,
                periods=tuple((auths[j].start, auths[j].end) for j in members),
                months=tuple(union),
                amount=sum((auths[j].amount for j in members), Decimal(0)),
                planned=spending_over(projection, strategy, span),
                fiscal_years=tuple(fy for fy in sorted(months_by_fy(span)) if fy in in_plan),
            )
        )
    return tuple(found)


def scheduled_adoptions(plan: Plan, as_of: dt.date) -> tuple[dt.date, ...]:
    """The dates after `as_of` on which a resolution or budget ordinance of the plan's
    authorizations is scheduled to be adopted, earliest first (issue 23: the checklist once
    they take place)."""
    found = {
        day
        for auth in plan.program.authorizations
        for day in (auth.adopted_on, auth.budget_ordinance_on)
        if day is not None and day > as_of
    }
    return tuple(sorted(found))


def pending_authorizations(
    plan: Plan, as_of: dt.date
) -> tuple[int, int, dt.date | None, dt.date | None] | None:
    """The FYs and dates of the plan's authorizations not yet adopted by `as_of` (drafts and
    scheduled ones): first FY, last FY, the resolution's and the budget ordinance's date
    (the earliest given of each). None when every authorization is adopted. The one-page
    setup shows them back, so that saving it again keeps them (issue 23)."""
    pending = [a for a in plan.program.authorizations if not a.adopted_by(as_of)]
    if not pending:
        return None
    first = min(fy_of(a.start) for a in pending)
    last = max(fy_of(a.end) for a in pending)
    adopted = sorted(a.adopted_on for a in pending if a.adopted_on is not None)
    ordinance = sorted(a.budget_ordinance_on for a in pending if a.budget_ordinance_on is not None)
    return first, last, adopted[0] if adopted else None, ordinance[0] if ordinance else None
