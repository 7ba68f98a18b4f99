"""The statewide view (issue 24): every government's settlement money, what it funds, its
LEAD program, who is behind and who cannot afford a fidelity program alone; a chart and a
CSV. Administrators and state-level analysts read every government; everyone else (signed
in or not) the governments with a public plan. Sorting and filtering are query parameters,
so the page works without a script. It reads stored figures only (services/statewide.py).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, render_template, request
from flask_login import current_user

from planner.cost_tables import default_cost_tables
from planner.extensions import db
from planner.present.statewide import CHART_ROWS, runway_svg
from planner.reports.tabular import safe_text
from planner.scenarios.fiscal import fy_label
from planner.services.statewide import Row, sees_everything, statewide_rows
from planner.web.common import today

blueprint = Blueprint("statewide", __name__)

MAX_QUERY = 120  # characters of a name search
KINDS = ("county", "municipality")
SHOWS = {
    "all": "every government",
    "plan": "with a plan",
    "behind": "behind on authorizations or annual reports",
    "short": "cannot afford the smallest fidelity program alone (estimate)",
    "noplan": "without a plan",
}


def _nulls_last(value: Callable[[Row], Any]) -> Callable[[Row], tuple]:
    def key(row: Row) -> tuple:
        found = value(row)
        return (found is None, found if found is not None else 0)

    return key


def _short_by(row: Row) -> int | None:
    """What a government is short a year for the smallest program alone (0: it sustains
    it; None: no estimate)."""
    return None if row.sustains is None else (row.gap_per_year or 0)


# column key → (heading, sort key); a missing figure sorts last either way
SORTS: dict[str, tuple[str, Callable[[Row], Any]]] = {
    "name": ("Government", lambda r: (r.name.lower(),)),
    "receipts": ("Receipts", _nulls_last(lambda r: r.receipts)),
    "balance": ("Balance at the plan's end", _nulls_last(lambda r: r.closing_balance)),
    "runway": ("Years of runway", _nulls_last(lambda r: r.runway_years)),
    "participants": ("Participants", _nulls_last(lambda r: r.participants)),
    "cost": ("Cost per participant", _nulls_last(lambda r: r.cost_per_participant)),
    "fidelity": ("Fidelity rules passing", _nulls_last(lambda r: r.fidelity_passing)),
    "behind": (
        "Behind",
        lambda r: (-(len(r.behind.authorizations) + len(r.behind.reports)), r.name.lower()),
    ),
    "afford": ("Smallest fidelity program alone", _nulls_last(_short_by)),
}


@dataclass(frozen=True)
class Query:
    q: str
    kind: str
    show: str
    sort: str
    direction: str
    errors: dict[str, str]

    def args(self, **changes: str) -> dict[str, str]:
        """The query string's values, with `changes` (for links that keep the filters)."""
        found = {
            "q": self.q,
            "kind": self.kind,
            "show": self.show,
            "sort": self.sort,
            "dir": self.direction,
        }
        found.update(changes)
        return {k: v for k, v in found.items() if v and not (k == "show" and v == "all")}


def _query() -> Query:
    """The filters as typed; an unknown choice is the default, a long search an error."""
    errors = {}
    q = request.args.get("q", "").strip()
    if len(q) > MAX_QUERY:
        errors["q"] = f"at most {MAX_QUERY} characters"
        q = ""
    kind = request.args.get("kind", "")
    show = request.args.get("show", "all")
    sort = request.args.get("sort", "name")
    direction = request.args.get("dir", "asc")
    return Query(
        q,
        kind if kind in KINDS else "",
        show if show in SHOWS else "all",
        sort if sort in SORTS else "name",
        direction if direction in ("asc", "desc") else "asc",
        errors,
    )


def _chosen(rows: list[Row], query: Query) -> list[Row]:
    needle = query.q.lower()
    found = [
        row
        for row in rows
        if (not needle or needle in row.name.lower())
        and (not query.kind or row.kind == query.kind)
        and (
            query.show == "all"
            or (query.show == "plan" and row.plan_id is not None)
            or (query.show == "noplan" and row.plan_id is None)
            or (query.show == "behind" and row.behind.any)
            or (query.show == "short" and row.short)
        )
    ]
    _, key = SORTS[query.sort]
    missing = [row for row in found if key(row)[0] is True] if query.sort != "name" else []
    present = [row for row in found if row not in missing] if missing else found
    present.sort(key=key, reverse=query.direction == "desc")
    return present + missing  # a missing figure last, whichever the direction


def _rows() -> tuple[list[Row], bool]:
    everything = sees_everything(current_user)
    return statewide_rows(db.session, everything=everything, as_of=today()), everything


def _strategy_totals(rows: list[Row]) -> list[tuple[str, str, int, int]]:
    """Each MOA strategy the shown plans fund: code, title, dollars, governments."""
    tables = default_cost_tables()
    dollars: dict[str, int] = {}
    places: dict[str, int] = {}
    for row in rows:
        for code, amount in row.by_strategy.items():
            dollars[code] = dollars.get(code, 0) + amount
            places[code] = places.get(code, 0) + 1
    return sorted(
        ((c, tables.strategy_title(c) or "", dollars[c], places[c]) for c in dollars),
        key=lambda item: -item[2],
    )


@blueprint.get("/statewide")
def page():
    rows, everything = _rows()
    query = _query()
    shown = _chosen(rows, query)
    return render_template(
        "statewide/page.html",
        rows=shown,
        total=len(rows),
        everything=everything,
        query=query,
        sorts=SORTS,
        shows=SHOWS,
        kinds=KINDS,
        chart=runway_svg(shown),
        chart_rows=CHART_ROWS,
        strategies=_strategy_totals(shown),
        as_of=today(),
    ), 400 if query.errors else 200


CSV_COLUMNS = (
    "government",
    "kind",
    "plan",
    "status",
    "first_fy",
    "last_fy",
    "receipts",
    "opening_balance",
    "closing_balance",
    "runway_years",
    "plan_years",
    "participants",
    "cost_per_participant",
    "fidelity_rules_passing",
    "fidelity_rules",
    "settlement_by_strategy",
    "fys_unauthorized",
    "annual_reports_overdue",
    "estimated_receipts_18_years",
    "smallest_fidelity_program_a_year",
    "sustains_smallest_program_alone",
    "short_a_year",
)


def _fys(fys: tuple[int, ...]) -> str:
    return " ".join(fy_label(fy) for fy in fys)


def statewide_csv(rows: list[Row]) -> str:
    """One row a government; numbers as numbers, every text cell safe from formulas."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for r in rows:
        writer.writerow(
            [
                safe_text(r.name),
                r.kind,
                safe_text(r.plan_name),
                r.status or "",
                fy_label(r.first_fy) if r.first_fy else "",
                fy_label(r.last_fy) if r.last_fy else "",
                _number(r.receipts),
                _number(r.opening_balance),
                _number(r.closing_balance),
                _number(r.runway_years),
                _number(r.years),
                "" if r.participants is None else format(r.participants, "f"),
                _number(r.cost_per_participant),
                _number(r.fidelity_passing),
                _number(r.fidelity_rules),
                safe_text("; ".join(f"{c} {v}" for c, v in r.by_strategy.items())),
                _fys(r.behind.authorizations),
                _fys(r.behind.reports),
                _number(r.estimated_receipts),
                _number(r.smallest_yearly),
                "" if r.sustains is None else ("yes" if r.sustains else "no"),
                _number(r.gap_per_year),
            ]
        )
    return out.getvalue()


def _number(value: int | None) -> str:
    return "" if value is None else str(value)


@blueprint.get("/statewide.csv")
def export_csv():
    rows, _ = _rows()
    shown = _chosen(rows, _query())
    return Response(
        statewide_csv(shown),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="statewide_{today().isoformat()}.csv"'
        },
    )
