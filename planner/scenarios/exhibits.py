"""The annual reports of a closed FY, pre-filled (cost model §11; MOA §F.6, Exhibits E and F).

`exhibit_e` gives the annual financial report: the five figures of §11 in the order and
words of the Exhibit E form (`cost_tables/reporting_fields.csv`), interest on its own line,
the spending by strategy with its Exhibit A/B code and title, and the fund identity
(1) + (2) + interest − (3) − (4) = (5) checked exactly.

`exhibit_f` gives the impact report's scaffolding: for each strategy funded in the FY, the
participants the program recorded beside what the plan expected (§4), and the outcome
measures CORE-NC's impact report asks about, as fields to fill (the web keeps the values).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .actuals import (  # noqa: F401 - the variance words are part of this interface too
    EXHIBIT_A_CODE,
    EXHIBIT_B_CODE,
    UNASSIGNED,
    FyActuals,
    actuals_of,
    strategy_order,
    variance_percent_text,
    variance_word,
)
from .annual_report import report_due
from .fiscal import fy_label
from .money import q, quantize6
from .participants import ramp_factor
from .plan import PATHWAYS, Plan
from .projection import Projection
from .tables import CostTables, ReportingField

# A line of these kinds is not the LEAD program: its strategy's impact report has no LEAD
# participants (`other_strategy` is a non-LEAD commitment from the same fund, §5).
NOT_PROGRAM_KINDS = ("other_strategy",)
UNASSIGNED_TITLE = "Not assigned to an MOA strategy (assign it before filing: MOA-STRATEGY)"


class ExhibitError(ValueError):
    """A report asked of a FY that is not closed; the message says which FYs are."""


@dataclass(frozen=True)
class StrategyRef:
    """A strategy as the reports name it: `A:10`, Exhibit A item 10, its title."""

    code: str  # "A:10", "B:D.1.4" or "unassigned"
    exhibit: str | None  # "A" | "B" | None (unassigned)
    item: str | None  # "10" | "D.1.4"
    title: str
    listed: bool  # the code is in the shipped Exhibit A / B list

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "exhibit": self.exhibit,
            "item": self.item,
            "title": self.title,
            "listed": self.listed,
        }


def strategy_ref(code: str, tables: CostTables) -> StrategyRef:
    if code == UNASSIGNED:
        return StrategyRef(code, None, None, UNASSIGNED_TITLE, False)
    title = tables.strategy_title(code)
    a = EXHIBIT_A_CODE.match(code)
    if a:
        return StrategyRef(code, "A", a.group(1), title or "", title is not None)
    b = EXHIBIT_B_CODE.match(code)
    item = code[2:] if b else None
    return StrategyRef(
        code,
        "B" if b else None,
        item,
        title or "Not in the shipped Exhibit B list: check it against the current Exhibit B",
        title is not None,
    )


def _closed(plan: Plan, fy: int) -> FyActuals:
    try:
        return actuals_of(plan, fy)
    except ValueError as exc:
        raise ExhibitError(str(exc)) from exc


# ----------------------------------------------------------------------------- Exhibit E


@dataclass(frozen=True)
class ExhibitELine:
    field: str  # "1", "2", "interest", "3", "4", "5" (cost_tables/reporting_fields.csv)
    words: str  # the form's words
    amount: int


@dataclass(frozen=True)
class ExhibitEStrategy:
    strategy: StrategyRef
    amount: int


@dataclass(frozen=True)
class ExhibitE:
    """The annual financial report of one closed FY, whole dollars."""

    fy: int
    plan_name: str
    jurisdiction: str | None
    beginning_balance: int  # (1) begin_k
    received: int  # (2) actual receipts
    interest: int  # actual interest (MOA §D.3), its own line
    spent_by_strategy: tuple[ExhibitEStrategy, ...]  # (3)
    audit_costs: int  # (4)
    ending_balance: int  # (5) closing_k
    words: tuple[tuple[str, str], ...]  # field -> the form's words, in the form's order
    due_on: dt.date
    reported_on: dt.date | None

    @property
    def label(self) -> str:
        return fy_label(self.fy)

    @property
    def spent(self) -> int:
        """(3): the sum of the rounded amounts by strategy."""
        return sum(row.amount for row in self.spent_by_strategy)

    @property
    def computed_ending_balance(self) -> int:
        """(1) + (2) + interest − (3) − (4)."""
        return (
            self.beginning_balance + self.received + self.interest - self.spent - self.audit_costs
        )

    @property
    def balanced(self) -> bool:
        """The fund identity holds exactly: (1) + (2) + interest − (3) − (4) = (5)."""
        return self.computed_ending_balance == self.ending_balance

    @property
    def has_unassigned(self) -> bool:
        return any(row.strategy.code == UNASSIGNED and row.amount for row in self.spent_by_strategy)

    def word(self, field: str) -> str:
        return dict(self.words)[field]

    @property
    def lines(self) -> tuple[ExhibitELine, ...]:
        """The form's lines in its order: (1), (2), interest, (3), (4), (5)."""
        amounts = {
            "1": self.beginning_balance,
            "2": self.received,
            "interest": self.interest,
            "3": self.spent,
            "4": self.audit_costs,
            "5": self.ending_balance,
        }
        return tuple(ExhibitELine(field, words, amounts[field]) for field, words in self.words)

    def rows(self) -> list[tuple[str, str, str, str, int]]:
        """Flat rows for a CSV or a sheet: (field, words, strategy code, strategy title,
        amount); (3) comes once per strategy, then its total."""
        found: list[tuple[str, str, str, str, int]] = []
        for line in self.lines:
            if line.field == "3":
                for row in self.spent_by_strategy:
                    found.append(
                        ("3", line.words, row.strategy.code, row.strategy.title, row.amount)
                    )
                found.append(("3", f"{line.words}: total", "", "", line.amount))
            else:
                found.append((line.field, line.words, "", "", line.amount))
        return found

    def to_dict(self) -> dict[str, Any]:
        return {
            "fiscal_year": self.fy,
            "label": self.label,
            "plan": self.plan_name,
            "jurisdiction": self.jurisdiction,
            "lines": [
                {"field": line.field, "words": line.words, "amount": line.amount}
                for line in self.lines
            ],
            "spent_by_strategy": [
                {**row.strategy.to_dict(), "amount": row.amount} for row in self.spent_by_strategy
            ],
            "balanced": self.balanced,
            "due_on": self.due_on.isoformat(),
            "reported_on": None if self.reported_on is None else self.reported_on.isoformat(),
        }


def exhibit_e(plan: Plan, projection: Projection, fy: int, tables: CostTables) -> ExhibitE:
    """The annual financial report (MOA Exhibit E) of closed FY `fy`, from the reforecast
    fund (§11). Raises ExhibitError for a FY that is not closed."""
    entry = _closed(plan, fy)
    k = fy - plan.start_fy
    fund = projection.fund
    order = strategy_order(projection.by_strategy, (entry,))
    spent = entry.spending_dollars
    report = ExhibitE(
        fy=fy,
        plan_name=plan.name,
        jurisdiction=plan.jurisdiction.name,
        beginning_balance=fund.begin[k],
        received=entry.receipts_dollars,
        interest=entry.interest_dollars,
        spent_by_strategy=tuple(
            ExhibitEStrategy(strategy_ref(code, tables), spent[code])
            for code in order
            if code in spent
        ),
        audit_costs=entry.audit_costs_dollars,
        ending_balance=fund.closing[k],
        words=tuple((f.field, f.words) for f in tables.report_fields("exhibit_e")),
        due_on=report_due(fy, tables),
        reported_on=entry.reported_on,
    )
    if not report.balanced:  # pragma: no cover - the fund computes (5) the same way
        raise AssertionError(f"Exhibit E of {fy_label(fy)} does not balance")
    return report


# ----------------------------------------------------------------------------- Exhibit F


@dataclass(frozen=True)
class Participation:
    """Referrals by pathway and enrollments: recorded (actuals) and expected (§4)."""

    referrals_recorded: tuple[tuple[str, int], ...] | None  # None: not recorded
    referrals_expected: tuple[tuple[str, Decimal], ...]  # ramp_k × referrals_per_year
    enrolled_recorded: int | None
    enrolled_expected: Decimal  # N_k (§4, 6 places)

    def recorded_by_pathway(self) -> dict[str, int] | None:
        return None if self.referrals_recorded is None else dict(self.referrals_recorded)

    def expected_by_pathway(self) -> dict[str, Decimal]:
        return dict(self.referrals_expected)

    def to_dict(self) -> dict[str, Any]:
        return {
            "referrals_recorded": (
                None if self.referrals_recorded is None else dict(self.referrals_recorded)
            ),
            "referrals_expected": {p: format(v, "f") for p, v in self.referrals_expected},
            "enrolled_recorded": self.enrolled_recorded,
            "enrolled_expected": format(self.enrolled_expected, "f"),
        }


@dataclass(frozen=True)
class ExhibitFStrategy:
    strategy: StrategyRef
    spent: int  # actual spending of the FY
    participation: Participation | None  # the LEAD program's strategies only
    measures: tuple[ReportingField, ...]  # the fields to fill

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.strategy.to_dict(),
            "spent": self.spent,
            "participation": (None if self.participation is None else self.participation.to_dict()),
            "measures": [
                {"field": m.field, "words": m.words, "source": m.source, "year": m.year}
                for m in self.measures
            ],
        }


@dataclass(frozen=True)
class ExhibitF:
    fy: int
    strategies: tuple[ExhibitFStrategy, ...]
    unassigned: int  # actual spending with no strategy: it cannot be reported until assigned
    due_on: dt.date

    @property
    def label(self) -> str:
        return fy_label(self.fy)

    def to_dict(self) -> dict[str, Any]:
        return {
            "fiscal_year": self.fy,
            "label": self.label,
            "strategies": [s.to_dict() for s in self.strategies],
            "unassigned": self.unassigned,
            "due_on": self.due_on.isoformat(),
        }


def participation(plan: Plan, projection: Projection, entry: FyActuals) -> Participation:
    k = entry.fy - plan.start_fy
    ramp = ramp_factor(plan.participants, k)
    expected = tuple(
        (p, quantize6(ramp * q(plan.participants.referrals_per_year[p]))) for p in PATHWAYS
    )
    return Participation(
        referrals_recorded=entry.referrals,
        referrals_expected=expected,
        enrolled_recorded=entry.enrolled,
        enrolled_expected=projection.participants.new_enrollees[k],
    )


def program_strategies(plan: Plan) -> tuple[str, ...]:
    """The strategies of the plan's LEAD program lines (every kind but `other_strategy`)."""
    return tuple(
        dict.fromkeys(
            line.strategy
            for line in plan.line_items
            if line.strategy and line.kind not in NOT_PROGRAM_KINDS
        )
    )


def exhibit_f(plan: Plan, projection: Projection, fy: int, tables: CostTables) -> ExhibitF:
    """The impact report's scaffolding (MOA Exhibit F) of closed FY `fy`: one entry per
    funded strategy (actual spending > 0 in the FY), in the §11 strategy order. Raises
    ExhibitError for a FY that is not closed."""
    entry = _closed(plan, fy)
    spent = entry.spending_dollars
    order = strategy_order(projection.by_strategy, (entry,))
    program = set(program_strategies(plan))
    people = participation(plan, projection, entry)
    measures = tables.report_fields("exhibit_f")
    strategies = tuple(
        ExhibitFStrategy(
            strategy_ref(code, tables), spent[code], people if code in program else None, measures
        )
        for code in order
        if code != UNASSIGNED and spent.get(code, 0) > 0
    )
    return ExhibitF(
        fy=fy,
        strategies=strategies,
        unassigned=spent.get(UNASSIGNED, 0),
        due_on=report_due(fy, tables),
    )
