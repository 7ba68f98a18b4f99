"""Receipt estimates from what is known of each government's total (cost model §14).

Every government's payments follow one shape (`cost_tables/nc_payment_shape.csv`): its
estimated receipts in FY y are round_half_up(total × fraction_y), on the basis of its
all-settlement total. Each estimate says it is one and where its figures come from, until
the user replaces it with CORE-NC's figure.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from decimal import Decimal

from .fiscal import fy_label
from .money import Q, dollars, fmt_money, q, round_half_up
from .plan import Plan
from .projection import Projection
from .tables import (
    CostTables,
    GovernmentShare,
    Jurisdiction,
    ReceiptTotal,
    SettlementStream,
    ShapeYear,
    SharePool,
)

ALL_SETTLEMENTS = "all_settlements"


class UnknownGovernment(KeyError):
    """A slug that is none of the 117 local governments; `suggestions` are near matches."""

    def __init__(self, slug: str, suggestions: list[str]):
        self.slug = slug
        self.suggestions = suggestions
        super().__init__(slug)

    def __str__(self) -> str:
        text = f"'{self.slug}' is not one of the 117 NC local governments"
        if self.suggestions:
            text += "; did you mean " + ", ".join(self.suggestions) + "?"
        return text


def find_government(tables: CostTables, slug: str) -> Jurisdiction:
    """The government with this slug (as `orange-county`, `city-of-durham`), or
    UnknownGovernment listing the nearest slugs (also matched on the name)."""
    wanted = slug.strip().lower()
    for place in tables.jurisdictions:
        if place.slug == wanted:
            return place
    slugs = [place.slug for place in tables.jurisdictions]
    by_name = {place.name.lower(): place.slug for place in tables.jurisdictions}
    near = difflib.get_close_matches(wanted, slugs, n=5, cutoff=0.6)
    near += [
        by_name[n]
        for n in difflib.get_close_matches(wanted.replace("-", " "), by_name, n=5, cutoff=0.6)
    ]
    near += [s for s in slugs if wanted and wanted in s]
    raise UnknownGovernment(slug, list(dict.fromkeys(near))[:5])


def receipt_total(tables: CostTables, slug: str) -> ReceiptTotal | None:
    """What is known of the government's total (None when the tables hold no row)."""
    return next((row for row in tables.receipt_totals if row.slug == slug), None)


@dataclass(frozen=True)
class ReceiptEstimate:
    fy: int
    amount: int  # round_half_up(total × fraction)
    fraction: Decimal

    @property
    def label(self) -> str:
        return fy_label(self.fy)


@dataclass(frozen=True)
class ReceiptEstimates:
    """Estimated receipts for the FYs the shape covers; every one an estimate."""

    total: Decimal
    total_source: str  # where the total comes from (the government's row, or the user)
    total_status: str  # official | reported | derived | entered
    shape_source: str
    years: tuple[ReceiptEstimate, ...]
    caveat: str = ""
    kind: str = "estimate"

    def receipts(self) -> dict[str, str]:
        """As a plan's `fund.receipts` (FY label → whole dollars)."""
        return {year.label: str(year.amount) for year in self.years}

    @property
    def note(self) -> str:
        """The label a page or the CLI shows beside the figures."""
        first, last = self.years[0].label, self.years[-1].label
        whose = "entered" if self.total_status == "entered" else f"{self.total_status} figure"
        text = (
            f"Estimates, not CORE-NC figures: a {fmt_money(self.total)} total ({whose}) "
            f"× each FY's share of the common payment schedule, {first} to {last}. "
            "Replace them with CORE-NC's payment schedule when you have it."
        )
        if self.caveat:
            text += f" Note: {self.caveat}."
        return text

    @property
    def sources(self) -> tuple[tuple[str, str], ...]:
        """(what, address) of the figures the estimates use, for links beside the note."""
        found = []
        url = self.total_source.rsplit("; ", 1)[-1]
        if url.startswith("http"):
            found.append(("the total", url))
        found.extend(
            ("the payment schedule", u.rstrip(","))
            for u in re.findall(r"https?://\S+", self.shape_source)
        )
        return tuple(found)


def _shape(tables: CostTables, fiscal_years: tuple[int, ...] | range) -> list[ShapeYear]:
    # FYs whose fraction is of the Wave One total only (the 2022 payments) are history: they
    # are in the opening balance, and an all-settlement total cannot be spread over them.
    wanted = set(fiscal_years)
    return [
        row for row in tables.payment_shape if row.fy in wanted and row.of_total == ALL_SETTLEMENTS
    ]


def shape_source(tables: CostTables) -> str:
    sources = dict.fromkeys(
        row.source_url for row in tables.payment_shape if row.of_total == ALL_SETTLEMENTS
    )
    return "cost_tables/nc_payment_shape.csv, from " + ", ".join(sources)


def spread_total(
    tables: CostTables,
    total: Decimal | int,
    fiscal_years: tuple[int, ...] | range,
    *,
    source: str = "the 18-year CORE-NC total entered",
    status: str = "entered",
    caveat: str = "",
) -> ReceiptEstimates | None:
    """A total (all settlements, FY2021-22 to FY2038-39) spread over the plan's FYs by the
    common shape; None when none of the FYs has a share (a plan after FY2038-39)."""
    rows = _shape(tables, fiscal_years)
    if not rows:
        return None
    exact = q(Decimal(total))
    years = tuple(
        ReceiptEstimate(row.fy, dollars(exact * q(row.fraction)), row.fraction) for row in rows
    )
    return ReceiptEstimates(Decimal(total), source, status, shape_source(tables), years, caveat)


def estimated_receipts(
    tables: CostTables, slug: str, fiscal_years: tuple[int, ...] | range
) -> ReceiptEstimates | None:
    """The government's estimated receipts, or None when no total is known (ask the user
    for CORE-NC's and call `spread_total`)."""
    row = receipt_total(tables, slug)
    if row is None or row.total is None:
        return None
    return spread_total(
        tables,
        row.total,
        fiscal_years,
        source=f"{row.basis}; {row.source_url}",
        status=row.status,
        caveat=row.caveat,
    )


# --------------------------------------------------------------- by settlement stream (§18)


def share_of(tables: CostTables, slug: str) -> GovernmentShare | None:
    """The figure the government's share of every stream rests on (None: not known)."""
    return next((row for row in tables.shares if row.slug == slug), None)


def pool_value(pool: SharePool) -> Q:
    """The pool, exact: value × ratio[0] / ratio[1]."""
    value = q(pool.value)
    return value if pool.ratio is None else value * q(pool.ratio[0]) / q(pool.ratio[1])


@dataclass(frozen=True)
class StreamEstimate:
    """One stream's estimated receipts for one government: the stream's NC total for local
    governments × the government's share × each FY's fraction of the stream's shape."""

    stream: SettlementStream
    years: tuple[ReceiptEstimate, ...]  # every FY of the stream's shape
    total: int  # round_half_up(local total × share): the government's estimated total

    def in_fys(self, fiscal_years: tuple[int, ...] | range) -> tuple[ReceiptEstimate, ...]:
        wanted = set(fiscal_years)
        return tuple(year for year in self.years if year.fy in wanted)

    def before(self, fy: int) -> tuple[ReceiptEstimate, ...]:
        """The FYs already paid before `fy` (they belong in the opening balance)."""
        return tuple(year for year in self.years if year.fy < fy)

    @property
    def sources(self) -> tuple[tuple[str, str], ...]:
        """(what, address) of each figure the estimate uses."""
        found = [(f"{self.stream.source} ({self.stream.year})", self.stream.source_url)]
        if self.stream.shape_source_url and self.stream.shape_source_url != self.stream.source_url:
            found.append(
                (f"payment shape ({self.stream.shape_year})", self.stream.shape_source_url)
            )
        return tuple(found)


@dataclass(frozen=True)
class StreamEstimates:
    """A government's estimated receipts by stream (§18), every one labelled an estimate
    until the user replaces it; `share` is the figure they rest on."""

    share: GovernmentShare
    pool: SharePool
    fraction: Q  # the government's share of each stream's local total: figure ÷ pool
    streams: tuple[StreamEstimate, ...]
    entered: bool = False  # True: the share comes from a CORE-NC total the user entered
    kind: str = "estimate"

    @property
    def percent(self) -> str:
        """The share as a percentage, four decimals (for reading)."""
        return format(round_half_up(self.fraction * 100, 4), "f")

    def receipts_by_stream(
        self, fiscal_years: tuple[int, ...] | range
    ) -> dict[str, dict[str, str]]:
        """As a plan's `fund.receipts_by_stream` over these FYs (streams with none left out)."""
        found = {}
        for estimate in self.streams:
            years = estimate.in_fys(fiscal_years)
            if years:
                found[estimate.stream.slug] = {year.label: str(year.amount) for year in years}
        return found

    def received_before(self, fy: int) -> int:
        """The estimated receipts of every stream in the FYs before `fy` (a hint for the
        opening balance: it is what came in, not what is left after spending)."""
        return sum(year.amount for estimate in self.streams for year in estimate.before(fy))

    def stream(self, slug: str) -> StreamEstimate | None:
        return next((s for s in self.streams if s.stream.slug == slug), None)

    @property
    def note(self) -> str:
        """One plain sentence for the CLI and the pages (the sources are listed apart)."""
        figure = (
            "the 18-year CORE-NC total you entered"
            if self.entered
            else f"{self.share.status} figure of {fmt_money(self.share.figure)} "
            f"({SCOPE_WORDS.get(self.share.scope, self.share.scope)}, {self.share.year})"
        )
        return (
            f"Estimates, not CORE-NC figures: each settlement's total for NC's local "
            f"governments × {self.percent}% (the share implied by the {figure}) × the "
            "settlement's payment schedule. Replace them with CORE-NC's payment schedule "
            "when you have it."
        )


SCOPE_WORDS = {
    "wave_one": "Wave One total",
    "all_settlements": "all-settlement total",
    "purdue": "Purdue estimate",
}


def _stream_estimates(
    tables: CostTables, share: GovernmentShare, *, entered: bool = False
) -> StreamEstimates | None:
    pool = tables.share_pools.get(share.scope)
    if pool is None:
        return None
    fraction = q(share.figure) / pool_value(pool)
    found = []
    for stream in tables.streams:
        if stream.local_total is None or not stream.shape:
            continue
        total = q(stream.local_total) * fraction
        years = tuple(
            ReceiptEstimate(fy, dollars(total * q(part)), part) for fy, part in stream.shape
        )
        found.append(StreamEstimate(stream, years, dollars(total)))
    return StreamEstimates(share, pool, fraction, tuple(found), entered)


def stream_estimates(tables: CostTables, slug: str) -> StreamEstimates | None:
    """The government's estimates by stream, or None when its share is not known."""
    share = share_of(tables, slug)
    return None if share is None else _stream_estimates(tables, share)


def stream_estimates_from_total(
    tables: CostTables, slug: str, name: str, total: Decimal | int
) -> StreamEstimates | None:
    """Estimates by stream from an 18-year all-settlement CORE-NC total the user entered:
    its share of the all-settlement pool applied to every stream."""
    share = GovernmentShare(
        slug=slug,
        name=name,
        figure=Decimal(total),
        scope="all_settlements",
        status="entered",
        year=0,
        said="the 18-year CORE-NC total entered",
        source_url="",
        caveat="",
    )
    return _stream_estimates(tables, share, entered=True)


@dataclass(frozen=True)
class EstimateRow:
    """One FY of a government's estimates by stream: each stream's amount (None: the stream
    pays nothing that FY), their sum, and whether the FY is before the plan (received)."""

    fy: int
    amounts: tuple[int | None, ...]  # in the order of `StreamEstimates.streams`
    total: int
    received: bool

    @property
    def label(self) -> str:
        return fy_label(self.fy)


def estimate_rows(
    estimates: StreamEstimates, first_fy: int, last_fy: int
) -> tuple[EstimateRow, ...]:
    """Every FY any stream pays up to `last_fy`, the FYs before `first_fy` marked received."""
    fys = sorted({y.fy for s in estimates.streams for y in s.years if y.fy <= last_fy})
    rows = []
    for fy in fys:
        amounts = tuple(
            next((y.amount for y in s.years if y.fy == fy), None) for s in estimates.streams
        )
        rows.append(EstimateRow(fy, amounts, sum(a or 0 for a in amounts), fy < first_fy))
    return tuple(rows)


# ------------------------------------------------------------ what a document says (§14, §18)


@dataclass(frozen=True)
class ReceiptsBasis:
    """Which of a plan's in-plan receipts are still the estimates of its government (by
    stream for a plan by stream), for documents that must never state an estimate as a
    fact; and whether the opening balance was given."""

    streams: StreamEstimates | None  # the estimates by stream the plan was filled with
    stream_fys: dict[str, frozenset[int]]  # stream -> FYs still at their estimate
    plain: ReceiptEstimates | None  # a plan without streams: the common-shape estimates
    plain_fys: frozenset[int]
    estimated_total: int  # the in-plan receipts that are estimates, whole dollars
    opening_given: bool
    received_before: int | None  # estimated receipts before the first FY (by stream)
    first_fy: int

    @property
    def any_estimate(self) -> bool:
        return bool(self.plain_fys) or any(self.stream_fys.values())

    def stream_is_estimate(self, stream: str) -> bool:
        return bool(self.stream_fys.get(stream))

    @property
    def note(self) -> str:
        if self.streams is not None:
            return self.streams.note
        return self.plain.note if self.plain is not None else ""

    @property
    def sources(self) -> tuple[tuple[str, str], ...]:
        """(what, address) of every figure the estimates use."""
        if self.streams is not None:
            share = self.streams.share
            found = [] if self.streams.entered else [(f"{share.name}'s figure", share.source_url)]
            found.append(("the share's pool", self.streams.pool.source_url))
            for estimate in self.streams.streams:
                if self.stream_is_estimate(estimate.stream.slug):
                    found.extend(
                        (f"{estimate.stream.name}: {what}", url) for what, url in estimate.sources
                    )
            return tuple(dict.fromkeys(found))
        return self.plain.sources if self.plain is not None else ()


def government_of(tables: CostTables, name: str | None) -> Jurisdiction | None:
    """The government a plan is for, by its name (None when it is none of the 117)."""
    wanted = (name or "").strip().lower()
    return next((p for p in tables.jurisdictions if p.name.lower() == wanted), None)


def receipts_basis(
    tables: CostTables,
    plan: Plan,
    *,
    entered_total: Decimal | None = None,
    government: str | None = None,
) -> ReceiptsBasis:
    """A receipt is an estimate while it equals the estimate of the plan's government (or
    of the CORE-NC total `entered_total` the user spread); `government` names it when the
    plan file does not (the web's jurisdiction)."""
    fys = plan.fiscal_years
    fund = plan.fund
    place = government_of(tables, plan.jurisdiction.name) or government_of(tables, government)
    slug = place.slug if place is not None else ""
    by_stream = None
    if entered_total is not None:
        by_stream = stream_estimates_from_total(
            tables, slug, plan.jurisdiction.name or "", entered_total
        )
    elif place is not None:
        by_stream = stream_estimates(tables, slug)
    received = by_stream.received_before(plan.start_fy) if by_stream is not None else None
    stream_fys: dict[str, frozenset[int]] = {}
    plain, plain_fys = None, frozenset[int]()
    total = 0
    if fund.receipts_by_stream and by_stream is not None:
        for stream, amounts in fund.receipts_by_stream:
            estimate = by_stream.stream(stream)
            if estimate is None:
                continue
            stored = dict(amounts)
            same = [y for y in estimate.in_fys(fys) if stored.get(y.fy) == Decimal(y.amount)]
            stream_fys[stream] = frozenset(y.fy for y in same)
            total += sum(y.amount for y in same)
    elif not fund.receipts_by_stream:
        plain = (
            spread_total(tables, entered_total, fys)
            if entered_total is not None
            else (estimated_receipts(tables, slug, fys) if place is not None else None)
        )
        if plain is not None:
            stored = dict(fund.receipts)
            same = [y for y in plain.years if stored.get(y.fy) == Decimal(y.amount)]
            plain_fys = frozenset(y.fy for y in same)
            total = sum(y.amount for y in same)
    return ReceiptsBasis(
        by_stream if any(stream_fys.values()) else None,
        stream_fys,
        plain if plain_fys else None,
        plain_fys,
        total,
        fund.opening_balance_given,
        received,
        plan.start_fy,
    )


@dataclass(frozen=True)
class StreamTotal:
    """One stream's receipts over a run of plan FYs, and whether any of them is still an
    estimate."""

    stream: str
    name: str
    amount: int  # the sum of the stream's whole-dollar amounts in those FYs
    estimate: bool


def stream_totals(
    tables: CostTables,
    projection: Projection,
    basis: ReceiptsBasis | None,
    first_fy: int,
    last_fy: int,
) -> tuple[StreamTotal, ...] | None:
    """Each stream's receipts from `first_fy` to `last_fy` (streams with none left out);
    None for a plan without streams, or when a closed FY's actual receipts differ from the
    streams' sum (the streams would not add up to the fund's receipts)."""
    by_stream = projection.fund.receipts_by_stream
    if by_stream is None:
        return None
    ks = [k for k, fy in enumerate(projection.fiscal_years) if first_fy <= fy <= last_fy]
    for k in ks:
        if sum(values[k] for values in by_stream.values()) != projection.fund.receipts[k]:
            return None
    found = []
    for stream, values in by_stream.items():
        amount = sum(values[k] for k in ks)
        if not amount:
            continue
        entry = tables.stream(stream)
        fys = basis.stream_fys.get(stream, frozenset()) if basis is not None else frozenset()
        estimate = any(projection.fiscal_years[k] in fys for k in ks)
        found.append(StreamTotal(stream, entry.name if entry else stream, amount, estimate))
    return tuple(found)
