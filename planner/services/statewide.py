"""The statewide view's stored figures (issue 24): kept when a plan is saved, read by the page.

A plan's figures (`PlanSummary`) are computed by the engine (`scenarios/statewide.py`) when a
session that changed the plan — or its government's actuals — commits: one listener on every
SQLAlchemy session, so every way of saving (a page, the CLI, an import, a restore) keeps
them. `refresh_plans` fills them for plans saved before (`planner statewide refresh`).
A government's means against the smallest fidelity program (`GovernmentFigures`) come from
the cost tables alone and are kept by `refresh_governments`.

The page (`statewide_rows`) reads two indexed queries and projects nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from planner.cost_tables import default_cost_tables
from planner.models import FundActual, GovernmentFigures, Jurisdiction, PlanRecord, PlanSummary
from planner.models.base import utcnow
from planner.models.public import Publication, live_publications
from planner.scenarios.starting import starting_fy
from planner.scenarios.statewide import (
    Behind,
    PlanFigures,
    ReportDue,
    affordability,
    behind,
    plan_figures,
)
from planner.services import DbSession
from planner.services.evaluated import evaluated
from planner.services.plan_documents import projected_document

log = logging.getLogger(__name__)
_PENDING = "statewide_pending"  # Session.info: plans (and governments) to summarize on commit


def public_plan_ids(session: DbSession) -> set[int]:
    """The ids of the plans published for everyone to read (the public pages' set)."""
    query = live_publications().with_only_columns(Publication.plan_id)
    return set(session.scalars(query))


def sees_everything(user: Any) -> bool:
    """An administrator or a state-level analyst reads every government's figures."""
    return bool(
        getattr(user, "is_authenticated", False)
        and (getattr(user, "is_admin", False) or getattr(user, "is_analyst", False))
    )


# ----------------------------------------------------------------------------- computing


def _today() -> dt.date:
    return dt.date.today()  # noqa: DTZ011 - the rules' as-of date is the local date


_BIGGEST = 2**62  # a BIGINT column holds less than 2^63: a figure beyond is not kept


class FigureTooLarge(ValueError):
    """A plan's figure is beyond what the table keeps (a plan of absurd amounts)."""


def _figures(record: PlanRecord, as_of: dt.date) -> PlanFigures:
    # As services/plans.py `view_plan` reads it: the plan page and the queued jobs read the
    # same version next, parsed and projected once (`services/evaluated.py`)
    plan, projection = evaluated(projected_document(record))
    figures = plan_figures(plan, projection, default_cost_tables(), as_of)
    amounts = (
        figures.receipts,
        figures.opening_balance,
        figures.spending,
        figures.closing_balance,
        figures.lead_cost,
        figures.cost_per_participant or 0,
        *figures.by_strategy.values(),
    )
    if any(abs(amount) >= _BIGGEST for amount in amounts) or figures.participants >= 10**17:
        raise FigureTooLarge(f"plan {record.id}: a figure is beyond what is kept")
    return figures


def summarize_plan(session: DbSession, record: PlanRecord, as_of: dt.date) -> PlanSummary:
    """Compute and keep one plan's figures (the plan with its government's actuals)."""
    return _keep(session, record, _figures(record, as_of), as_of)


def _keep(
    session: DbSession, record: PlanRecord, figures: PlanFigures, as_of: dt.date
) -> PlanSummary:
    row = session.get(PlanSummary, record.id) or PlanSummary(plan_id=record.id)
    row.jurisdiction_id = record.jurisdiction_id
    row.plan_version = record.version
    row.computed_at = utcnow()
    row.computed_on = as_of
    row.first_fy = figures.first_fy
    row.last_fy = figures.last_fy
    row.receipts = figures.receipts
    row.opening_balance = figures.opening_balance
    row.spending = figures.spending
    row.closing_balance = figures.closing_balance
    row.first_deficit_fy = figures.first_deficit_fy
    row.runway_years = figures.runway_years
    row.participants = figures.participants
    row.cost_per_participant = figures.cost_per_participant
    row.lead_cost = figures.lead_cost
    row.fidelity_passing = figures.fidelity_passing
    row.fidelity_rules = figures.fidelity_rules
    row.by_strategy = json.dumps(figures.by_strategy)
    row.unauthorized_fys = json.dumps(list(figures.unauthorized_fys))
    row.reports = json.dumps([[r.fy, r.due_on.isoformat(), r.reported] for r in figures.reports])
    session.add(row)
    return row


def refresh_plans(session: DbSession, *, every: bool = False, as_of: dt.date | None = None) -> int:
    """Summarize the plans whose figures are missing or older than their version (`every`:
    all of them); returns how many."""
    day = as_of or _today()
    kept = dict(session.execute(select(PlanSummary.plan_id, PlanSummary.plan_version)).all())
    done = 0
    for record in session.scalars(select(PlanRecord).where(PlanRecord.deleted_at.is_(None))):
        if every or kept.get(record.id) != record.version:
            summarize_plan(session, record, day)
            done += 1
    return done


def refresh_governments(
    session: DbSession, slugs: Iterable[str] | None = None, *, as_of: dt.date | None = None
) -> int:
    """Compute each government's means against the smallest fidelity program (its starting
    plan from the next FY on); `slugs`: only these. Returns how many."""
    day = as_of or _today()
    tables = default_cost_tables()
    wanted = None if slugs is None else set(slugs)
    done = 0
    for place in session.scalars(select(Jurisdiction).order_by(Jurisdiction.id)):
        if wanted is not None and place.slug not in wanted:
            continue
        found = affordability(tables, place.slug, start_fy=starting_fy(day), as_of=day)
        row = session.get(GovernmentFigures, place.id) or GovernmentFigures(
            jurisdiction_id=place.id
        )
        row.computed_at = utcnow()
        row.start_fy = found.start_fy
        row.estimated = found.estimated
        row.receipts = found.receipts
        row.smallest_yearly = found.smallest_yearly
        row.sustains = found.sustains
        row.gap_per_year = found.gap_per_year
        row.note = found.note[:500]
        session.add(row)
        done += 1
    return done


# ----------------------------------------------------------------------------- the save hook


def track_saves() -> None:
    """Keep each plan's figures when a session that changed it commits (idempotent)."""
    for name, listener in (
        ("before_flush", _note_changes),
        ("before_commit", _summarize_changes),
        ("after_rollback", _forget_changes),
    ):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)


def _note_changes(session: Session, flush_context: Any, instances: Any) -> None:  # noqa: ARG001
    pending = session.info.setdefault(_PENDING, {"plans": set(), "places": set()})
    for obj in (*session.new, *session.dirty):
        if isinstance(obj, PlanRecord):
            pending["plans"].add(obj)
        elif isinstance(obj, FundActual):
            pending["places"].add(obj.jurisdiction_id)


def _summarize_changes(session: Session) -> None:
    if not session.info.get(_PENDING) and not (session.new or session.dirty):
        return
    session.flush()  # notes what the commit is about to write
    pending = session.info.pop(_PENDING, None)
    if not pending or not (pending["plans"] or pending["places"]):
        return
    records = {r.id: r for r in pending["plans"] if r.id is not None and r.deleted_at is None}
    if pending["places"]:
        for record in session.scalars(
            select(PlanRecord).where(
                PlanRecord.jurisdiction_id.in_(pending["places"]), PlanRecord.deleted_at.is_(None)
            )
        ):
            records.setdefault(record.id, record)
    day = _today()
    for record in records.values():
        try:
            figures = _figures(record, day)
        except Exception:  # a summary never stops a save: refresh_plans fills it later
            log.exception("statewide figures of plan %s not computed", record.id)
            continue
        _keep(session, record, figures, day)
    session.info.pop(_PENDING, None)  # the summaries' own flush noted nothing to do


def _forget_changes(session: Session) -> None:
    session.info.pop(_PENDING, None)


# ----------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class Row:
    """One government on the statewide page: its plan of record's figures (its latest
    adopted plan, else its latest saved plan) and its means against the smallest program."""

    slug: str
    name: str
    kind: str
    plans: int  # its plans the reader may see
    plan_id: int | None
    plan_name: str | None
    status: str | None
    first_fy: int | None
    last_fy: int | None
    receipts: int | None
    opening_balance: int | None
    closing_balance: int | None
    runway_years: int | None
    years: int | None
    participants: Decimal | None
    cost_per_participant: int | None
    fidelity_passing: int | None
    fidelity_rules: int | None
    by_strategy: dict[str, int]
    behind: Behind
    estimated_receipts: int | None  # the cost tables' estimate (18 FYs)
    smallest_yearly: int | None
    sustains: bool | None  # the smallest fidelity program alone (estimate); None: unknown
    gap_per_year: int | None

    @property
    def short(self) -> bool:
        """Cannot afford the smallest fidelity program alone (on the estimate)."""
        return self.sustains is False


def _plan_key(found: Any) -> tuple:
    """The plan of record first: adopted (latest adoption), then the latest saved."""
    adopted = found.status == "adopted"
    return (
        not adopted,
        -(found.adopted_on.toordinal() if adopted and found.adopted_on else 0),
        -found.updated_at.timestamp(),
        -found.plan_id,
    )


# What the page reads of each plan: its summary's columns (not the ORM objects: 351 rows of
# columns are a fraction of the time of 351 objects) and what picks the plan of record.
_SUMMARY_COLUMNS = (
    PlanSummary.first_fy,
    PlanSummary.last_fy,
    PlanSummary.receipts,
    PlanSummary.opening_balance,
    PlanSummary.closing_balance,
    PlanSummary.runway_years,
    PlanSummary.participants,
    PlanSummary.cost_per_participant,
    PlanSummary.fidelity_passing,
    PlanSummary.fidelity_rules,
    PlanSummary.by_strategy,
    PlanSummary.unauthorized_fys,
    PlanSummary.reports,
)


def statewide_rows(session: DbSession, *, everything: bool, as_of: dt.date) -> list[Row]:
    """Every government (`everything`: an administrator or analyst), or only those with a
    public plan and only their public plans; in the order of their names. Two queries."""
    public = None if everything else public_plan_ids(session)
    if public is not None and not public:
        return []
    plans_query = (
        select(
            PlanRecord.id.label("plan_id"),
            PlanRecord.jurisdiction_id,
            PlanRecord.name,
            PlanRecord.status,
            PlanRecord.adopted_on,
            PlanRecord.updated_at,
            *_SUMMARY_COLUMNS,
        )
        .join(PlanSummary, PlanSummary.plan_id == PlanRecord.id)
        .where(PlanRecord.deleted_at.is_(None))
    )
    if public is not None:
        plans_query = plans_query.where(PlanRecord.id.in_(public))
    by_place: dict[int, list[Any]] = {}
    for plan_row in session.execute(plans_query):
        by_place.setdefault(plan_row.jurisdiction_id, []).append(plan_row)
    places = session.execute(
        select(
            Jurisdiction.id,
            Jurisdiction.slug,
            Jurisdiction.name,
            Jurisdiction.kind,
            GovernmentFigures.receipts,
            GovernmentFigures.smallest_yearly,
            GovernmentFigures.sustains,
            GovernmentFigures.gap_per_year,
        )
        .outerjoin(GovernmentFigures, GovernmentFigures.jurisdiction_id == Jurisdiction.id)
        .order_by(Jurisdiction.name)
    )
    rows = []
    for place in places:
        found = by_place.get(place.id, [])
        if public is not None and not found:
            continue
        rows.append(_row(place, found, as_of))
    return rows


def _row(place: Any, plans: list[Any], as_of: dt.date) -> Row:
    s = min(plans, key=_plan_key) if plans else None
    late = (
        behind(
            tuple(json.loads(s.unauthorized_fys)),
            tuple(
                ReportDue(fy, dt.date.fromisoformat(due), reported)
                for fy, due, reported in json.loads(s.reports)
            ),
            as_of,
        )
        if s is not None
        else Behind((), ())
    )
    return Row(
        slug=place.slug,
        name=place.name,
        kind=place.kind,
        plans=len(plans),
        plan_id=s.plan_id if s else None,
        plan_name=s.name if s else None,
        status=s.status if s else None,
        first_fy=s.first_fy if s else None,
        last_fy=s.last_fy if s else None,
        receipts=s.receipts if s else None,
        opening_balance=s.opening_balance if s else None,
        closing_balance=s.closing_balance if s else None,
        runway_years=s.runway_years if s else None,
        years=(s.last_fy - s.first_fy + 1) if s else None,
        participants=Decimal(s.participants) if s else None,
        cost_per_participant=s.cost_per_participant if s else None,
        fidelity_passing=s.fidelity_passing if s else None,
        fidelity_rules=s.fidelity_rules if s else None,
        by_strategy=json.loads(s.by_strategy) if s else {},
        behind=late,
        estimated_receipts=place.receipts,
        smallest_yearly=place.smallest_yearly,
        sustains=place.sustains,
        gap_per_year=place.gap_per_year,
    )
