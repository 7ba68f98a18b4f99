"""Who pays the plan, as the documents show it (cost model §16, §17): the SF-424A Section A
split of each strategy's cost into federal, non-federal and settlement-fund columns (the
BJA budget worksheet's federal / non-federal columns, with the settlement fund shown apart),
and each source's payments and end for the executive summary.

Every figure is a sum of the engine's rounded per-line, per-FY amounts (`by_source`), so the
columns foot and cross-foot exactly."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .plan import SETTLEMENT, FundingSource, Plan
from .projection import Projection

FEDERAL = "federal"
NON_FEDERAL = "non_federal"
COLUMNS = (FEDERAL, NON_FEDERAL, SETTLEMENT)
COLUMN_TITLES = {
    FEDERAL: "Federal",
    NON_FEDERAL: "Non-federal (other)",
    SETTLEMENT: "Non-federal: opioid settlement fund",
}


def column_of(source: FundingSource) -> str:
    """A grant is federal money (a BJA, SAMHSA or HRSA award); the general fund, Medicaid's
    local share, a partner's payment and other sources are non-federal."""
    return FEDERAL if source.kind == "grant" else NON_FEDERAL


@dataclass(frozen=True)
class Payer:
    """One source and what it pays over the plan."""

    id: str
    name: str
    kind: str
    column: str
    by_year: tuple[int, ...]
    total: int
    last_fy: int | None  # the last FY it pays anything (None: it pays nothing)
    ends_fy: int | None  # the FY that contains its `end` (None: no end)


@dataclass(frozen=True)
class SourceSplit:
    """The plan's cost by column: per strategy (plan totals), per FY, and in all."""

    by_strategy: dict[str, dict[str, int]]  # strategy -> column -> dollars (plan total)
    by_year: dict[str, tuple[int, ...]]  # column -> dollars per FY
    totals: dict[str, int]  # column -> dollars
    total: int
    payers: tuple[Payer, ...]  # every declared source, in declared order
    settlement_total: int


def _fy_of(day: dt.date) -> int:
    return day.year if day.month >= 7 else day.year - 1


def source_split(plan: Plan, projection: Projection) -> SourceSplit | None:
    """None when the plan declares no source (the settlement fund pays everything)."""
    if not plan.funding:
        return None
    columns = {source.id: column_of(source) for source in plan.funding}
    columns[SETTLEMENT] = SETTLEMENT
    years = len(projection.fiscal_years)
    by_strategy: dict[str, dict[str, int]] = {}
    by_year = {c: [0] * years for c in COLUMNS}
    for line in projection.line_items:
        strategy = line.strategy or "unassigned"
        row = by_strategy.setdefault(strategy, dict.fromkeys(COLUMNS, 0))
        paid = line.by_source or {SETTLEMENT: line.by_year}
        for key, amounts in paid.items():
            column = columns[key]
            row[column] += sum(amounts)
            for k, amount in enumerate(amounts):
                by_year[column][k] += amount
    ordered = {s: by_strategy[s] for s in projection.by_strategy if s in by_strategy}
    ordered.update({s: v for s, v in by_strategy.items() if s not in ordered})
    totals = {c: sum(by_year[c]) for c in COLUMNS}
    payers = []
    for source in plan.funding:
        amounts = projection.by_source.get(source.id, (0,) * years)
        paying = [fy for fy, amount in zip(projection.fiscal_years, amounts, strict=True) if amount]
        payers.append(
            Payer(
                id=source.id,
                name=source.name,
                kind=source.kind,
                column=columns[source.id],
                by_year=tuple(amounts),
                total=sum(amounts),
                last_fy=paying[-1] if paying else None,
                ends_fy=_fy_of(source.end) if source.end else None,
            )
        )
    return SourceSplit(
        by_strategy=ordered,
        by_year={c: tuple(v) for c, v in by_year.items()},
        totals=totals,
        total=sum(totals.values()),
        payers=tuple(payers),
        settlement_total=totals[SETTLEMENT],
    )
