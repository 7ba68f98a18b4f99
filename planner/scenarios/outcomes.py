"""What the program buys (issue 22): participants served, cost per participant and per
participant-year, and the returns other places measured, stated as ranges of estimates
with their sources (`cost_tables/outcomes.toml`), never as promises.

The returns are three overlapping framings, each shown alone: jail days avoided (Collins et
al. 2019) priced at the county's jail bed-day cost, legal-system costs (Collins et al. 2019)
and WSIPP's benefits per participant for pre-arrest diversion. Each takes a low, middle and
high share of the published effect (the planner's assumption, adjustable in the table).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .money import dollars, q, round_half_up
from .plan import Plan
from .projection import Projection

SHARES = ("low", "middle", "high")


@dataclass(frozen=True)
class Figure:
    """One sourced figure of the outcomes table."""

    key: str
    value: Decimal
    unit: str
    source: str
    year: int


@dataclass(frozen=True)
class ReturnAssumptions:
    figures: Mapping[str, Figure]
    effect_share: tuple[Decimal, Decimal, Decimal]  # low, middle, high

    @classmethod
    def from_table(cls, raw: Mapping[str, Any]) -> ReturnAssumptions:
        figures = {}
        for key, entry in raw.items():
            if key == "effect_share":
                continue
            figures[key] = Figure(
                key, Decimal(entry["value"]), entry["unit"], entry["source"], int(entry["year"])
            )
        low, middle, high = (Decimal(v) for v in raw["effect_share"]["value"])
        if not 0 <= low <= middle <= high <= 1:
            raise ValueError("outcomes.toml: effect_share must be 0 ≤ low ≤ middle ≤ high ≤ 1")
        return cls(figures, (low, middle, high))

    def value(self, key: str) -> Decimal:
        return self.figures[key].value


@dataclass(frozen=True)
class Estimate:
    """A range: low, middle, high (whole units)."""

    low: int
    middle: int
    high: int


@dataclass(frozen=True)
class ProgramBuys:
    participants: Decimal  # enrolled over the plan (Σ new enrollees), 2 places
    participant_years: Decimal  # Σ participant-months / 12, 2 places
    lead_cost: int
    cost_per_participant: int | None
    cost_per_participant_year: int | None
    jail_day_cost: Decimal  # the county's, or the table's
    jail_day_cost_is_default: bool
    jail_days_avoided: Estimate
    jail_cost_avoided: Estimate
    legal_cost_avoided: Estimate
    wsipp_benefits: Estimate
    wsipp_taxpayer_benefits: Estimate
    assumptions: ReturnAssumptions


def _range(base: Decimal, shares: tuple[Decimal, Decimal, Decimal]) -> Estimate:
    low, middle, high = (dollars(q(base) * q(share)) for share in shares)
    return Estimate(low, middle, high)


def program_buys(
    plan: Plan,
    projection: Projection,
    assumptions: ReturnAssumptions,
    jail_day_cost: Decimal | None = None,
) -> ProgramBuys:
    """The program's size, unit costs and returns (ranges), from the plan's projection."""
    from .options import is_lead_line  # the §17 LEAD line, one definition

    people = projection.participants
    enrolled = sum(people.new_enrollees, Decimal(0))
    years = sum(people.participant_months, Decimal(0)) / 12
    lead = sum(
        line.total
        for item, line in zip(plan.line_items, projection.line_items, strict=True)
        if is_lead_line(item)
    )
    cost = assumptions.value("jail_day_cost") if jail_day_cost is None else jail_day_cost
    shares = assumptions.effect_share
    days = years * assumptions.value("jail_days_avoided")
    return ProgramBuys(
        participants=round_half_up(enrolled, 2),
        participant_years=round_half_up(years, 2),
        lead_cost=lead,
        cost_per_participant=int(round_half_up(Decimal(lead) / enrolled)) if enrolled else None,
        cost_per_participant_year=int(round_half_up(Decimal(lead) / years)) if years else None,
        jail_day_cost=cost,
        jail_day_cost_is_default=jail_day_cost is None,
        jail_days_avoided=_range(days, shares),
        jail_cost_avoided=_range(days * cost, shares),
        legal_cost_avoided=_range(enrolled * assumptions.value("legal_cost_difference"), shares),
        wsipp_benefits=_range(enrolled * assumptions.value("wsipp_benefits"), shares),
        wsipp_taxpayer_benefits=_range(
            enrolled * assumptions.value("wsipp_taxpayer_benefits"), shares
        ),
        assumptions=assumptions,
    )
