"""The starting plan of one of the 117 local governments (cost model §14).

Every fidelity element as a line on cost-table defaults, every window following the plan
(null), strategy A:10, justification text written for that government alone, and its
receipt estimates when its total is known. The engine never reads the clock: `today` (or
`start_fy`) is passed in.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from .fiscal import fy_label, fy_of
from .money import fmt_money
from .plan import PATHWAYS, SCHEMA
from .receipts import (
    ReceiptEstimates,
    StreamEstimates,
    estimated_receipts,
    find_government,
    receipt_total,
    stream_estimates,
)
from .tables import CostTables, Jurisdiction, ReceiptTotal

LEAD = "A:10"
STARTING_YEARS = 18  # the settlement horizon (§1, §14)

SERVICES = (  # what each service covers: scenarios/justification.py SERVICE_WORDS
    ("food", "Food"),
    ("medical", "Medical care"),
    ("housing", "Housing"),
    ("benefits", "Benefits enrollment"),
    ("behavioral_health", "Behavioral health"),
    ("harm_reduction", "Harm reduction"),
)


@dataclass(frozen=True)
class StartingPlan:
    document: dict[str, Any]  # a lead-plan/1 document
    government: Jurisdiction
    known_total: ReceiptTotal | None  # what cost_tables/ know of its total
    receipts: ReceiptEstimates | None  # None: ask for the CORE-NC total (spread_total)
    # §18: the receipts by stream the plan was filled with (None: the share is not known)
    streams: StreamEstimates | None = None

    @property
    def estimated(self) -> bool:
        return self.streams is not None or self.receipts is not None

    @property
    def notes(self) -> tuple[str, ...]:
        """What the user should know before relying on the plan."""
        found = []
        if self.streams is not None:
            found.append(self.streams.note)
        elif self.receipts is not None:
            found.append(self.receipts.note)
        else:
            text = (
                f"No settlement total for {self.government.name} is in the shipped "
                "tables: enter the 18-year total CORE-NC shows (ncopioidsettlement.org) "
                "to estimate the receipts, or type them by FY."
            )
            row = self.known_total
            if row is not None and row.caveat:
                text += f" Note: {row.caveat}."
            if row is not None and row.other_figures:
                text += f" Figures found, for comparison: {row.other_figures}."
            found.append(text)
        text = (
            "Enter the fund's opening balance (the settlement money received before the "
            "plan's first FY and not yet spent) and the date the governing body executed "
            "the MOA: until then the plan starts from $0 on hand"
        )
        if self.streams is not None:
            first = self.document["start_fy"]
            text += (
                f" (an estimated {fmt_money(self.streams.received_before(first))} was "
                f"received before {fy_label(first)})"
            )
        found.append(text + ".")
        return tuple(found)


def starting_fy(today: dt.date) -> int:
    """The FY after the one containing `today` (a plan is adopted before its first FY)."""
    return fy_of(today) + 1


def starting_plan(
    tables: CostTables, slug: str, *, today: dt.date | None = None, start_fy: int | None = None
) -> StartingPlan:
    """The §14 starting plan; raises UnknownGovernment (with near matches) for a bad slug.
    Give `start_fy`, or `today` to start in the FY after the one containing it."""
    if start_fy is None:
        if today is None:
            raise ValueError("give start_fy or today (the engine does not read the clock)")
        start_fy = starting_fy(today)
    place = find_government(tables, slug)
    name = place.name
    fiscal_years = range(start_fy, start_fy + STARTING_YEARS)
    estimates = estimated_receipts(tables, place.slug, fiscal_years)
    by_stream = stream_estimates(tables, place.slug)
    streams = by_stream.receipts_by_stream(fiscal_years) if by_stream is not None else {}
    starting = tables.starting

    def start(key: str) -> str:
        return format(starting[key].value, "f")

    document: dict[str, Any] = {
        "schema": SCHEMA,
        "name": f"LEAD plan for {name}",
        "jurisdiction": {"name": name, "kind": place.kind, "fips": place.fips or None},
        "start_fy": start_fy,
        "years": STARTING_YEARS,
        "fund": {
            # Not known: asked for, and documents say it was not given (§14).
            "opening_balance": None,
            "moa_executed_on": None,
            **(
                {"receipts_by_stream": streams}
                if streams
                else {"receipts": estimates.receipts() if estimates is not None else {}}
            ),
        },
        "participants": {
            "referrals_per_year": {
                p: start(f"participants.referrals_per_year.{p}") for p in PATHWAYS
            }
        },
        "program": {
            # A county starts with nothing decided: the checklist asks for each commitment.
            "collaborative_planning": {"presented_on": None},
            "authorizations": [],
            "data_collection": {
                "tracks_all_offers": False,
                "tracks_ineligible": False,
                "tracks_not_offered": False,
            },
            "equity": {"goal_stated": False, "outreach_plan": ""},
            "eligibility": {"allows_supervised_probation": False, "narrow_disqualifiers": False},
        },
        "line_items": starting_lines(tables),
    }
    return StartingPlan(
        document,
        place,
        receipt_total(tables, place.slug),
        None if streams else estimates,
        by_stream if streams else None,
    )


def starting_lines(tables: CostTables) -> list[dict[str, Any]]:
    def line(line_id: str, kind: str, label: str, **params: Any) -> dict[str, Any]:
        # No text of its own: the documents write the justification from the line's numbers
        # (scenarios/justification.py) until the county writes its own.
        return {
            "id": line_id,
            "kind": kind,
            "label": label,
            "strategy": LEAD,
            "justification": "",
            "start_fy": None,
            "end_fy": None,
            **params,
        }

    manager_fte = format(tables.threshold("program_manager.min_fte"), "f")
    analyst_fte = format(tables.threshold("data_analyst.min_fte"), "f")
    officers = int(tables.starting_value("officer_training.officers"))
    lines = [
        line(
            "program-manager",
            "position",
            "LEAD program manager",
            role="program_manager",
            fte=manager_fte,
            independent=True,
        ),
        line(
            "case-managers",
            "case_management",
            "LEAD case managers",
        ),
        line(
            "warm-handoff",
            "warm_handoff",
            "Warm hand-off at all hours",
            mode="on_call",
        ),
        line(
            "officer-training",
            "officer_training",
            "Officer training",
            officers=officers,
        ),
        line(
            "data-analyst",
            "position",
            "Data analyst",
            role="data_analyst",
            fte=analyst_fte,
        ),
        line(
            "phones",
            "participant_phones",
            "Phones for participants",
        ),
        line(
            "participant-support",
            "participant_support",
            "Participant support",
        ),
    ]
    for category, label in SERVICES:
        lines.append(
            line(
                f"service-{category.replace('_', '-')}",
                "service_gap",
                label,
                category=category,
                status="unknown",
            )
        )
    return lines
