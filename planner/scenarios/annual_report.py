"""The annual reports of closed FYs: the MOA-ANNUAL-REPORT rule (compliance_rules.md) and
what is due next for a plan (MOA §F.6; the next authorization to adopt, MOA §E.6).

Pure: every date comes in as `as_of`. The rule is registered in `compliance.RULES` with one
line; its figures are in the result's `facts`.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .actuals import UNASSIGNED, FyActuals
from .authorizations import authorization_facts, authorize_months, uncovered_months
from .compliance_base import RuleContext, RuleResult, direct_result, fy_ranges
from .fiscal import fy_end, fy_label, fy_of, fy_start
from .money import fmt_money
from .plan import Plan
from .projection import Projection
from .tables import CostTables

CITATION = "NC MOA §F.6, Exhibits E and F"
# The states of one FY, worst first within each status.
OVERDUE, DUE, NOT_ENDED = "overdue", "due", "not_ended"  # warn
NO_ACTUALS = "no_actuals"  # info
UPCOMING, REPORTED = "upcoming", "reported"  # pass
WARN_STATES = (OVERDUE, DUE, NOT_ENDED)


def _date(day: dt.date) -> str:
    return f"{calendar.month_name[day.month]} {day.day}, {day.year}"


def report_due(fy: int, tables: CostTables) -> dt.date:
    """September 28 after the FY's June 30: 90 days (MOA §F.6; `cost_tables/compliance.toml`).
    The one home of the due date: MOA-REPORTING, MOA-ANNUAL-REPORT, the exhibits and the pages
    read it here."""
    return fy_end(fy) + dt.timedelta(days=int(tables.threshold("reporting.days_after_fy_end")))


def has_ended(fy: int, as_of: dt.date) -> bool:
    """The FY's June 30 is before `as_of` (on June 30 itself the FY is still running)."""
    return fy_end(fy) < as_of


def _reports(entry: FyActuals | None) -> list[str]:
    """Exhibit E always; Exhibit F for a FY with spending (MOA §F.6)."""
    if entry is None or entry.spent > 0:
        return ["exhibit_e", "exhibit_f"]
    return ["exhibit_e"]


def _names(reports: list[str]) -> str:
    return "Exhibit E and F" if "exhibit_f" in reports else "Exhibit E"


@dataclass(frozen=True)
class FyReport:
    """Where one plan FY stands on its annual reports."""

    fy: int
    state: str
    due_on: dt.date
    days_left: int  # due_on − as_of (negative: overdue)
    reported_on: dt.date | None
    reports: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "fiscal_year": self.fy,
            "state": self.state,
            "due_on": self.due_on.isoformat(),
            "days_left": self.days_left,
            "reported_on": None if self.reported_on is None else self.reported_on.isoformat(),
            "reports": list(self.reports),
        }


def fy_reports(plan: Plan, tables: CostTables, as_of: dt.date) -> tuple[FyReport, ...]:
    """Every plan FY that has ended by `as_of`, and every FY with actuals, with its state."""
    warning = int(tables.threshold("reporting.warning_days"))
    by_fy = {entry.fy: entry for entry in plan.actuals}
    found = []
    for fy in plan.fiscal_years:
        entry = by_fy.get(fy)
        ended = has_ended(fy, as_of)
        if not ended and entry is None:
            continue
        due = report_due(fy, tables)
        left = (due - as_of).days
        if entry is None:
            state = NO_ACTUALS
        elif not ended:
            state = NOT_ENDED
        elif entry.reported_on is not None:
            state = REPORTED
        elif left < 0:
            state = OVERDUE
        elif left <= warning:
            state = DUE
        else:
            state = UPCOMING
        found.append(
            FyReport(
                fy,
                state,
                due,
                left,
                None if entry is None else entry.reported_on,
                tuple(_reports(entry)),
            )
        )
    return tuple(found)


def _fys(items: Iterable[FyReport]) -> str:
    return fy_ranges([item.fy for item in items])


def check_annual_report(c: RuleContext) -> RuleResult:
    """MOA-ANNUAL-REPORT: each ended FY's Exhibit E and F, filed with its actuals."""
    plan, as_of = c.plan, c.as_of
    items = fy_reports(plan, c.tables, as_of)
    facts: dict[str, Any] = {
        "as_of": as_of.isoformat(),
        "fiscal_years": [item.to_dict() for item in items],
        "fixes": [],
    }
    fixes: list[dict[str, Any]] = facts["fixes"]
    warns, infos, passes = [], [], []
    for item in items:
        label = fy_label(item.fy)
        names = _names(list(item.reports))
        if item.state == OVERDUE:
            warns.append(
                f"{label}'s {names} {'are' if 'exhibit_f' in item.reports else 'is'} "
                f"overdue since {_date(item.due_on)}: file {label}'s {names} through "
                "CORE-NC and record the date"
            )
        elif item.state == DUE:
            warns.append(
                f"file {label}'s {names} by {_date(item.due_on)} "
                f"({item.days_left} days from {_date(as_of)})"
            )
        elif item.state == NOT_ENDED:
            warns.append(
                f"{label} has actuals but does not end until {_date(fy_end(item.fy))}: "
                "actuals are for closed FYs; remove them or check the FY"
            )
        elif item.state == REPORTED and item.reported_on is not None:
            passes.append(f"{label}'s {names} filed on {_date(item.reported_on)}")
        elif item.state == UPCOMING:
            passes.append(
                f"{label}'s actuals are entered; its {names} "
                f"{'are' if 'exhibit_f' in item.reports else 'is'} due "
                f"{_date(item.due_on)}"
            )
    no_actuals = [item for item in items if item.state == NO_ACTUALS]
    if no_actuals:
        infos.append(
            f"enter {_fys(no_actuals)}'s actuals to reforecast and pre-fill "
            f"{'its' if len(no_actuals) == 1 else 'their'} Exhibit E"
        )
    to_file = [item.fy for item in items if item.state in (OVERDUE, DUE)]
    if to_file:
        fixes.append({"action": "file_reports", "fiscal_years": to_file})
    not_ended = [item.fy for item in items if item.state == NOT_ENDED]
    if not_ended:
        fixes.append({"action": "review_actuals", "fiscal_years": not_ended})
    if no_actuals:
        fixes.append({"action": "enter_actuals", "fiscal_years": [i.fy for i in no_actuals]})
    facts["fix"] = fixes[0] if fixes else None
    warn_fys = [item.fy for item in items if item.state in WARN_STATES]
    if warns:
        message = _sentence(warns)
        if infos or passes:
            message += " Also " + "; ".join(infos + passes) + "."
        return direct_result(
            "MOA-ANNUAL-REPORT",
            "warn",
            message,
            CITATION,
            fiscal_years=warn_fys,
            inputs=["actuals"],
            facts=facts,
        )
    if infos:
        message = _sentence(infos)
        if passes:
            message += " " + _sentence(passes)
        return direct_result(
            "MOA-ANNUAL-REPORT",
            "info",
            message,
            CITATION,
            fiscal_years=[i.fy for i in no_actuals],
            inputs=["actuals"],
            facts=facts,
        )
    if passes:
        return direct_result("MOA-ANNUAL-REPORT", "pass", _sentence(passes), CITATION, facts=facts)
    first = plan.start_fy
    return direct_result(
        "MOA-ANNUAL-REPORT",
        "pass",
        f"No plan FY has ended by {_date(as_of)}: the first annual reports, "
        f"{fy_label(first)}'s, are due {_date(report_due(first, c.tables))}.",
        CITATION,
        facts=facts,
    )


def _sentence(parts: list[str]) -> str:
    text = "; ".join(parts)
    return text[0].upper() + text[1:] + "."


# ----------------------------------------------------------------------------- MOA-STRATEGY


def unassigned_actuals(plan: Plan) -> list[dict[str, Any]]:
    """Actual spending booked as `unassigned` in a closed FY (MOA-STRATEGY fails it)."""
    return [
        {"fiscal_year": entry.fy, "amount": entry.spending_dollars[UNASSIGNED]}
        for entry in plan.actuals
        if entry.spending_dollars.get(UNASSIGNED, 0) > 0
    ]


def unassigned_text(found: list[dict[str, Any]]) -> str:
    return (
        "actual spending is booked with no strategy: "
        + "; ".join(
            f"{fmt_money(item['amount'])} in {fy_label(item['fiscal_year'])}" for item in found
        )
        + " (assign it to the MOA strategies it paid for before filing Exhibit E)"
    )


# ----------------------------------------------------------------------------- deadlines


@dataclass(frozen=True)
class Deadline:
    """One thing due for a plan: the annual reports of a FY, or an authorization to adopt."""

    kind: str  # "annual_reports" | "authorization"
    fiscal_year: int
    due_on: dt.date
    title: str
    overdue: bool
    facts: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "fiscal_year": self.fiscal_year,
            "due_on": self.due_on.isoformat(),
            "title": self.title,
            "overdue": self.overdue,
            "facts": self.facts,
        }


def deadlines(
    plan: Plan, projection: Projection, tables: CostTables, as_of: dt.date
) -> tuple[Deadline, ...]:
    """What is due next for the plan as of `as_of`, soonest first: the annual reports
    (Exhibit E, and F for a FY with spending) of the next plan FY whose reports fall due on or
    after `as_of` (the FY just ended, once it is in the plan), those of earlier closed FYs
    not yet filed (overdue), and the next authorization to adopt: the first FY from the
    current one on with planned spending on a strategy that no adopted authorization covers
    (due by that FY's July 1)."""
    by_fy = {entry.fy: entry for entry in plan.actuals}
    found: list[Deadline] = []
    for fy in plan.fiscal_years:
        entry = by_fy.get(fy)
        due = report_due(fy, tables)
        if entry is not None and entry.reported_on is not None:
            continue
        reports = _reports(entry)
        title = f"{fy_label(fy)} annual financial report (Exhibit E)" + (
            " and impact report (Exhibit F)" if "exhibit_f" in reports else ""
        )
        if due < as_of:
            if entry is not None:
                found.append(
                    Deadline(
                        "annual_reports",
                        fy,
                        due,
                        title,
                        True,
                        {"reports": reports, "has_actuals": True},
                    )
                )
            continue
        found.append(
            Deadline(
                "annual_reports",
                fy,
                due,
                title,
                False,
                {"reports": reports, "has_actuals": entry is not None},
            )
        )
        break
    authorization = next_authorization(plan, projection, as_of)
    if authorization is not None:
        found.append(authorization)
    return tuple(sorted(found, key=lambda d: (d.due_on, d.kind)))


def next_authorization(plan: Plan, projection: Projection, as_of: dt.date) -> Deadline | None:
    """The first FY from the current one on whose planned spending on some strategy no
    adopted authorization covers, with the drafts that would cover it (authorize_fys)."""
    facts = authorization_facts(plan, projection, as_of)
    closed = {entry.fy for entry in plan.actuals}
    for k, fy in enumerate(projection.fiscal_years):
        if fy < fy_of(as_of) or fy in closed:
            continue
        missing = [
            s
            for s, values in projection.settlement_by_strategy.items()
            if s != UNASSIGNED
            and values[k] > 0
            and uncovered_months(facts, s, fy)  # some month of it is not authorized
        ]
        if not missing:
            continue
        # Drafts for the uncovered months only (a FY partly authorized keeps its part).
        drafts = [
            d
            for s in missing
            for d in authorize_months(projection, s, uncovered_months(facts, s, fy))
        ]
        total = sum(d.amount for d in drafts)
        return Deadline(
            "authorization",
            fy,
            fy_start(fy),
            f"Adopt a resolution and budget ordinance for {fy_label(fy)}: "
            + ", ".join(f"{d.strategy} {fmt_money(d.amount)}" for d in drafts)
            + (f" ({fmt_money(total)} in all)" if len(drafts) > 1 else ""),
            fy_start(fy) <= as_of,
            {
                "action": "authorize_fys",
                "first_fy": fy,
                "last_fy": fy,
                "strategies": missing,
                "authorizations": [d.to_document() for d in drafts],
                # MOA-AUTHORIZATION warns from the FY before (the current or next FY): the
                # list of what is due says so as the checklist does (issue 23)
                "checklist_warns": fy <= fy_of(as_of) + 1,
            },
        )
    return None
