"""Receipt estimates from what is known of each government's total (cost model §14).

Every government's payments follow one shape (`cost_tables/nc_payment_shape.csv`): its
estimated receipts in FY y are round_half_up(total × fraction_y), on the basis of its
all-settlement total. Each estimate says it is one and where its figures come from, until
the user replaces it with CORE-NC's figure.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from decimal import Decimal

from .fiscal import fy_label
from .money import dollars, fmt_money, q
from .tables import CostTables, Jurisdiction, ReceiptTotal, ShapeYear

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
        text = (
            f"Estimates, not CORE-NC figures: {fmt_money(self.total)} total "
            f"({self.total_status}: {self.total_source}) × each FY's share of the common "
            f"payment shape ({self.shape_source}), {first} to {last}. Replace them with "
            "CORE-NC's payment schedule when you have it."
        )
        if self.caveat:
            text += f" Note: {self.caveat}."
        return text


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
