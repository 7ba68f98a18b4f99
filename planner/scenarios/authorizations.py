"""Authorizations from the engine's spending, and whether each still matches the plan
(compliance_rules.md MOA-AUTHORIZATION, amended).

`authorize_fys` drafts one authorization per strategy for FYs X–Y, its amount that
strategy's planned spending over those FYs (a sum of the projection's rounded amounts, so
it equals the by-strategy table to the dollar), its period July 1 of X to June 30 after Y.
`authorization_facts` says, beside each authorization, whether it is adopted, scheduled or
a draft, whether its budget ordinance is in place, and whether its amount is stale.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .fiscal import fy_end, fy_of, fy_start
from .plan import Authorization, Plan
from .projection import UNASSIGNED, Projection

ADOPTED, SCHEDULED, DRAFT = "adopted", "scheduled", "draft"


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
    values = projection.by_strategy.get(strategy)
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


def unauthorized_actuals(
    projection: Projection, facts: tuple[AuthorizationFacts, ...]
) -> list[dict[str, Any]]:
    """Actual spending on a strategy in a closed FY that no adopted authorization covers
    (MOA §E.6): one entry per strategy and FY, in FY order then the §11 strategy order.
    `unassigned` spending is MOA-STRATEGY's, not listed here."""
    block = projection.actuals
    if block is None:
        return []
    found = []
    for k, fy in enumerate(block.closed_fys):
        for strategy, values in block.actual_by_strategy.items():
            if strategy == UNASSIGNED or values[k] <= 0:
                continue
            if any(
                f.strategy == strategy and f.status == ADOPTED and fy in f.fiscal_years
                for f in facts
            ):
                continue
            found.append({"strategy": strategy, "fiscal_year": fy, "amount": values[k]})
    return found


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
    for strategy in projection.by_strategy:
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
    fiscal_years: tuple[int, ...]  # the plan FYs its period covers
    planned: int  # the plan's spending of its strategy in those FYs (actual when closed)
    status: str  # adopted | scheduled | draft
    budget_ordinance: str  # adopted | scheduled | draft (none recorded)
    overlaps: tuple[int, ...]  # other authorizations of the strategy whose FYs overlap
    group_amount: Decimal  # this and the overlapping ones (an original and supplementals)
    group_planned: int  # the plan's spending over all their FYs

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
    plan: Plan, projection: Projection, as_of: dt.date
) -> tuple[AuthorizationFacts, ...]:
    auths = plan.program.authorizations
    in_plan = set(projection.fiscal_years)
    fys = [[fy for fy in covered_fys(a.start, a.end) if fy in in_plan] for a in auths]
    found = []
    for i, auth in enumerate(auths):
        overlaps = tuple(
            j
            for j, other in enumerate(auths)
            if j != i and other.strategy == auth.strategy and set(fys[j]) & set(fys[i])
        )
        group = (i, *overlaps)
        union = sorted({fy for j in group for fy in fys[j]})
        found.append(
            AuthorizationFacts(
                index=i,
                strategy=auth.strategy,
                amount=auth.amount,
                fiscal_years=tuple(fys[i]),
                planned=spending_in(projection, auth.strategy, fys[i]),
                status=status_of(auth, as_of),
                budget_ordinance=ordinance_status(auth, as_of),
                overlaps=overlaps,
                group_amount=sum((auths[j].amount for j in group), Decimal(0)),
                group_planned=spending_in(projection, auth.strategy, union),
            )
        )
    return tuple(found)
