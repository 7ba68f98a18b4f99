"""Frozen view of `cost_tables/`: every default with its source and year.

The engine only reads these objects; `planner.cost_tables` loads them from disk.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType
from typing import Literal

from .money import round_half_up

Escalation = Literal["salary", "health", "inflation"]


@dataclass(frozen=True)
class Default:
    key: str
    value: Decimal | tuple[Decimal, ...]
    source: str
    year: int
    base_fy: int | None = None
    escalation: Escalation | None = None

    @property
    def is_money(self) -> bool:
        return self.base_fy is not None


@dataclass(frozen=True)
class ExhibitAStrategy:
    code: str
    number: int
    title: str
    summary: str
    source_url: str


@dataclass(frozen=True)
class ExhibitBItem:
    code: str  # "B:D.1"
    part: str
    section_letter: str
    section_title: str
    summary: str
    source_url: str
    verified: bool


@dataclass(frozen=True)
class Jurisdiction:
    name: str
    kind: str
    fips: str
    county: str
    slug: str
    note: str


@dataclass(frozen=True)
class ReceiptTotal:
    """What is known of one local government's settlement total (cost model §14):
    `total` on the same basis as the payment shape (all settlements), or None."""

    slug: str
    name: str
    total: Decimal | None
    covers: str  # all_settlements | none
    status: str  # official | reported | derived | none
    basis: str
    source_url: str
    caveat: str
    other_figures: str  # every figure found, for the user to compare with CORE-NC


@dataclass(frozen=True)
class ShapeYear:
    """One FY of the common payment shape: the fraction of a government's total paid."""

    fy: int
    fraction: Decimal
    of_total: str  # all_settlements | wave_one
    basis: str
    source_url: str
    status: str
    note: str


@dataclass(frozen=True)
class SettlementStream:
    """One settlement's money for NC's local governments (cost model §18): its NC total for
    local governments and payment shape (FY → fraction of the total), each with its source;
    `local_total` None: no estimate is made (the user enters what CORE-NC shows)."""

    slug: str  # the key of `fund.receipts_by_stream`
    name: str
    local_total: Decimal | None
    local_total_basis: str
    source: str
    source_url: str
    year: int
    status: str  # official | reported | derived
    shape: tuple[tuple[int, Decimal], ...]  # (FY, fraction), by FY
    shape_basis: str
    shape_source_url: str
    shape_year: int | None
    not_known: str  # what the estimate cannot know, shown beside it


@dataclass(frozen=True)
class SharePool:
    """The local pool a government's figure is a share of: value × ratio[0] / ratio[1]."""

    scope: str  # wave_one | all_settlements | purdue
    value: Decimal
    ratio: tuple[Decimal, Decimal] | None
    source: str
    source_url: str
    year: int


@dataclass(frozen=True)
class GovernmentShare:
    """The one published figure a government's share of every stream rests on
    (`cost_tables/nc_shares.csv`): share = figure ÷ the pool of its scope."""

    slug: str
    name: str
    figure: Decimal
    scope: str  # wave_one | all_settlements | purdue
    status: str  # official | reported | derived
    year: int
    said: str  # what the source says
    source_url: str
    caveat: str


@dataclass(frozen=True)
class ReportingField:
    """One field of an annual report (MOA Exhibit E's figures, Exhibit F's measures), in
    the words of the form (`cost_tables/reporting_fields.csv`)."""

    report: str  # exhibit_e | exhibit_f
    field: str  # "1"…"5", "interest"; a measure's key
    order: int
    words: str
    source: str
    source_url: str
    year: int
    status: str
    note: str


@dataclass(frozen=True)
class Limits:
    """The limits on input of cost model §15 (`cost_tables/limits.toml`)."""

    number_text_max: int
    number_exponent_min: int
    number_exponent_max: int
    line_items_max: int
    authorizations_max: int
    receipts_max: int
    ramp_max: int
    nesting_max: int
    short_text_max: int
    long_text_max: int
    date_year_min: int
    date_year_max: int
    csv_rows_max: int
    csv_problems_shown: int
    problems_listed_max: int
    text_total_max: int
    pdf_line_years_max: int
    pdf_period_years: int
    pdf_basis_years_shown: int
    id_max: int
    actuals_max: int = 40  # FYs of actuals in a plan (cost model §11, §15)
    actual_strategies_max: int = 200  # strategies in one FY's actual spending
    funding_sources_max: int = 20  # funding.sources (cost model §16)
    funded_by_max: int = 10  # funded_by entries of one line (§16)
    entries: MappingProxyType[str, Default] = field(
        default_factory=lambda: MappingProxyType({}), compare=False, repr=False
    )


@dataclass(frozen=True)
class CostTables:
    defaults: MappingProxyType[str, Default]
    exhibit_a: tuple[ExhibitAStrategy, ...] = ()
    exhibit_b: tuple[ExhibitBItem, ...] = ()
    thresholds: MappingProxyType[str, Default] = field(default_factory=lambda: MappingProxyType({}))
    jurisdictions: tuple[Jurisdiction, ...] = ()
    receipt_totals: tuple[ReceiptTotal, ...] = ()
    starting: MappingProxyType[str, Default] = field(  # starting_plan.toml (§14)
        default_factory=lambda: MappingProxyType({})
    )
    payment_shape: tuple[ShapeYear, ...] = ()
    limits: Limits | None = None  # always loaded; None only in hand-built tables
    reporting_fields: tuple[ReportingField, ...] = ()  # Exhibits E and F (cost model §11)
    streams: tuple[SettlementStream, ...] = ()  # settlement streams (cost model §18)
    share_pools: MappingProxyType[str, SharePool] = field(
        default_factory=lambda: MappingProxyType({})
    )
    shares: tuple[GovernmentShare, ...] = ()  # each government's share figure (§18)

    def value(self, key: str) -> Decimal:
        found = self.defaults[key].value
        assert isinstance(found, Decimal), key  # noqa: S101 - a table shape error is a bug
        return found

    def values(self, key: str) -> tuple[Decimal, ...]:
        found = self.defaults[key].value
        assert isinstance(found, tuple), key  # noqa: S101
        return found

    def aged(self, key: str, rates: dict[str, Decimal], start_fy: int) -> Decimal:
        """A money default aged to the plan's start FY, to the cent (§2 'Aging defaults')."""
        entry = self.defaults[key]
        value = self.value(key)
        if entry.base_fy is None or entry.escalation is None:
            return value
        rate = rates[entry.escalation]
        # Each (default, rate, FY) is aged once: every line of every plan asks again.
        memo: dict[tuple[str, Decimal, int], Decimal] = self.__dict__.setdefault("_aged", {})
        known = memo.get((key, rate, start_fy))
        if known is not None:
            return known
        from .formulas import aged  # the formula over Ops (the workbook writes it too)
        from .kinds import EXACT

        found = aged(EXACT, EXACT.num(value), EXACT.num(rate), start_fy - entry.base_fy)
        if len(memo) >= 4096:  # bounded: plans of a server's whole life pass through here
            memo.clear()
        memo[(key, rate, start_fy)] = result = round_half_up(found, 2)
        return result

    def starting_value(self, key: str) -> Decimal:
        found = self.starting[key].value
        assert isinstance(found, Decimal), key  # noqa: S101
        return found

    def threshold(self, key: str) -> Decimal:
        found = self.thresholds[key].value
        assert isinstance(found, Decimal), key  # noqa: S101
        return found

    def stream(self, slug: str) -> SettlementStream | None:
        return next((s for s in self.streams if s.slug == slug), None)

    @property
    def stream_slugs(self) -> tuple[str, ...]:
        return tuple(s.slug for s in self.streams)

    def report_fields(self, report: str) -> tuple[ReportingField, ...]:
        return tuple(
            sorted((f for f in self.reporting_fields if f.report == report), key=lambda f: f.order)
        )

    def strategy_title(self, code: str) -> str | None:
        for strategy in self.exhibit_a:
            if strategy.code == code:
                return strategy.title
        for item in self.exhibit_b:
            if item.code == code:
                return item.summary
        return None
