"""The plan (`lead-plan/1`, cost model §8) as frozen, fully resolved objects.

A `Plan` holds every value explicitly: the parser has already filled in and aged every
default, so the projection, the compliance rules and the export read one thing.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .actuals import FyActuals
    from .kinds.base import Params
    from .uncertainty import Uncertainty

SCHEMA = "lead-plan/1"

PATHWAYS = ("arrest_diversion", "social_contact", "community")
OBJECT_CLASSES = (
    "personnel",
    "fringe",
    "travel",
    "equipment",
    "supplies",
    "contractual",
    "construction",
    "other",
    "indirect",
)
LINE_OBJECT_CLASSES = OBJECT_CLASSES[:-1]  # only the engine books `indirect`
ROLES = (
    "program_manager",
    "data_analyst",
    "outreach_worker",
    "clinical_supervisor",
    "peer_specialist",
    "other",
)
WARM_HANDOFF_MODES = ("staffed", "on_call", "contract")
SERVICE_CATEGORIES = (
    "food",
    "medical",
    "housing",
    "benefits",
    "behavioral_health",
    "harm_reduction",
)
SERVICE_STATUSES = ("adequate", "gap", "unknown")
DELIVERIES = ("county", "contract")
JURISDICTION_KINDS = ("county", "municipality")
# Who else pays part of a line (cost model §16); `settlement` is the fund's own key.
FUNDING_KINDS = ("grant", "general_fund", "medicaid", "partner", "other")
SETTLEMENT = "settlement"


@dataclass(frozen=True)
class Assumptions:
    salary_escalation: Decimal
    health_escalation: Decimal
    inflation: Decimal
    fringe_rate: Decimal
    health_per_fte: Decimal
    contract_overhead_rate: Decimal
    productive_hours_per_fte: Decimal
    fte_increment: Decimal
    overtime_multiplier: Decimal
    overtime_fringe_rate: Decimal
    indirect_rate: Decimal
    discount_rate: Decimal


@dataclass(frozen=True)
class Fund:
    opening_balance: Decimal
    interest_rate: Decimal
    moa_executed_on: dt.date | None
    receipts: tuple[tuple[int, Decimal], ...]  # (FY, amount), sorted by FY
    # Months of spending to keep in the fund at each FY's end (§13; 0 spends it down).
    reserve_months: Decimal = Decimal(2)
    # Receipts by settlement stream (§18), when the plan gives them instead of `receipts`:
    # (stream, ((FY, amount), …)); `receipts` then holds each FY's sum of the streams'
    # amounts, each rounded half-up to dollars first.
    receipts_by_stream: tuple[tuple[str, tuple[tuple[int, Decimal], ...]], ...] = ()
    # False when the plan does not state its opening balance (it is then 0, and said so).
    opening_balance_given: bool = True

    def receipts_by_fy(self) -> dict[int, Decimal]:
        return dict(self.receipts)


@dataclass(frozen=True)
class Participants:
    referrals_per_year: MappingProxyType[str, Decimal]
    enrollment_rate: MappingProxyType[str, Decimal]
    ramp: tuple[Decimal, ...]
    average_months_enrolled: int
    initial_active: Decimal


@dataclass(frozen=True)
class Authorization:
    strategy: str
    amount: Decimal
    start: dt.date
    end: dt.date
    adopted_on: dt.date | None
    # The budget ordinance or settlement project ordinance (G.S. 159-13.2) appropriating it.
    budget_ordinance_on: dt.date | None = None

    def adopted_by(self, as_of: dt.date) -> bool:
        """Adopted on or before `as_of`; a later `adopted_on` is only scheduled."""
        return self.adopted_on is not None and self.adopted_on <= as_of


@dataclass(frozen=True)
class Program:
    presented_on: dt.date | None
    authorizations: tuple[Authorization, ...]
    tracks_all_offers: bool
    tracks_ineligible: bool
    tracks_not_offered: bool
    equity_goal_stated: bool
    equity_outreach_plan: str
    allows_supervised_probation: bool
    narrow_disqualifiers: bool


@dataclass(frozen=True)
class FundingSource:
    """One funding source other than the settlement fund (cost model §16)."""

    id: str
    name: str
    kind: str  # one of FUNDING_KINDS
    start: dt.date | None = None  # the first day of a month; None: unbounded
    end: dt.date | None = None  # the last day of a month; None: unbounded
    award: int | None = None  # whole dollars it may pay in all; None: no limit
    jurisdiction: str | None = None  # a government's slug, for `partner` only
    # The award as written (exact decimal), so that an exported plan writes it back.
    award_text: Decimal | None = None

    def months_in(self, fy: int) -> int:
        """`months_k`: how many months of FY `fy` (July–June) lie inside [start, end]."""
        first = fy * 12 + 6  # July of `fy`, as a month index (year × 12 + month − 1)
        last = first + 11
        if self.start is not None:
            first = max(first, self.start.year * 12 + self.start.month - 1)
        if self.end is not None:
            last = min(last, self.end.year * 12 + self.end.month - 1)
        return max(0, last - first + 1)


@dataclass(frozen=True)
class FundingEntry:
    """One entry of a line's `funded_by` (§16): exactly one of `share` and `amounts`."""

    source: str
    share: Decimal | None = None
    # (FY, amount as written), in the order given; the engine rounds each half-up.
    amounts: tuple[tuple[int, Decimal], ...] | None = None


@dataclass(frozen=True)
class JurisdictionRef:
    name: str | None
    kind: str | None
    fips: str | None


@dataclass(frozen=True)
class LineItem:
    """One line item; `params` holds the kind's typed parameters (`kinds/`), every one
    resolved."""

    id: str
    kind: str
    label: str | None
    strategy: str | None
    justification: str
    start_fy: int  # resolved: the plan's first FY when the line gives none
    end_fy: int  # resolved: the plan's last FY when the line gives none
    params: Params
    # The window as the plan file gives it: None means "the plan's first/last FY" and stays
    # so (§5), so that the line follows the plan when its years change.
    stated_start_fy: int | None = None
    stated_end_fy: int | None = None
    # Who else pays part of this line, applied in order (§16); () : the fund pays it all.
    funded_by: tuple[FundingEntry, ...] = ()

    @property
    def mode(self) -> str | None:
        mode = getattr(self.params, "mode", None)
        return mode if isinstance(mode, str) else None

    @property
    def is_staffing(self) -> bool:
        """A staffing line (§3): position, case_management, warm_handoff staffed."""
        return self.params.staffing

    def active_in(self, fy: int) -> bool:
        return self.start_fy <= fy <= self.end_fy


@dataclass(frozen=True)
class Plan:
    name: str
    jurisdiction: JurisdictionRef
    start_fy: int
    years: int
    assumptions: Assumptions
    fund: Fund
    participants: Participants
    program: Program
    line_items: tuple[LineItem, ...]
    uncertainty: Uncertainty | None = None  # §12; None when the plan has no section
    # The closed FYs (cost model §11), sorted: the plan's first len(actuals) FYs.
    actuals: tuple[FyActuals, ...] = ()
    # Funding sources other than the settlement fund, in the order declared (§16).
    funding: tuple[FundingSource, ...] = ()

    @functools.cached_property
    def fiscal_years(self) -> tuple[int, ...]:
        """The plan's FYs (made once per plan object: the engine asks for them often)."""
        return tuple(range(self.start_fy, self.start_fy + self.years))

    @property
    def end_fy(self) -> int:
        return self.start_fy + self.years - 1

    def line(self, line_id: str) -> LineItem:
        for item in self.line_items:
            if item.id == line_id:
                return item
        raise KeyError(line_id)

    def lines_of(self, kind: str) -> tuple[LineItem, ...]:
        """The plan's lines of a kind, in order (kept per plan object: the rules ask again)."""
        known: dict[str, tuple[LineItem, ...]] = self.__dict__.setdefault("_lines_of", {})
        found = known.get(kind)
        if found is None:
            found = known[kind] = tuple(item for item in self.line_items if item.kind == kind)
        return found
