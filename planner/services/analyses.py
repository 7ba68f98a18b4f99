"""The uncertainty analysis of a plan (cost model §12), computed by the job queue
(`planner.services.jobs`) when a plan, its ranges or its jurisdiction's actuals are saved,
and stored by content: the page, its charts, the PDF, the workbook and the comparison read
the stored result; none of them simulates inside a request (issue 20 M1).

One key for every reader: the SHA-256 of the plan's explicit JSON text with its actuals
(`simulation_key`), whether the plan came from the page's projected document or from the
PDF's parsed plan, so the same content is simulated once."""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from planner.cost_tables import default_cost_tables
from planner.scenarios import Plan, PlanError, Projection, dump_plan_json, parse_plan_text, project
from planner.scenarios.simulation import Simulation, simulate
from planner.services import DbSession, jobs
from planner.services.county import spread_total_of
from planner.services.evaluated import parsed
from planner.services.plan_documents import projected_document

log = logging.getLogger("planner.jobs")

SIMULATION = "simulation"
PLAN_PDF = "plan-pdf"
COMPARE_PDF = "compare-pdf"
# The functions the worker runs, named (they draw and render: layers above this one).
SIMULATION_JOB = "planner.web.uncertainty:simulation_job"
PLAN_PDF_JOB = "planner.web.reports:plan_pdf_job"
COMPARE_PDF_JOB = "planner.web.reports:compare_pdf_job"
# A burst of saves (an editor at work) renders the PDF of the last one only.
PDF_DELAY = 5.0


@dataclass(frozen=True)
class Analysis:
    plan: Plan
    projection: Projection
    result: Simulation


@dataclass(frozen=True)
class StoredAnalysis:
    """What the simulation job stores: the simulation, the projection it was made on, and
    the two charts drawn from them (so a chart is the same content as the figures beside
    it, issue 20 M3). The plan itself is the reader's: it has the same key."""

    projection: Projection
    result: Simulation
    fan_svg: str
    tornado_svg: str
    fan_alt: str
    tornado_alt: str


@functools.lru_cache(maxsize=512)
def _key_of_json(text: str) -> str:
    return jobs.content_key(SIMULATION, text)


_KEYS: OrderedDict[int, tuple[Plan, str]] = OrderedDict()  # by the plan object (kept alive)


def simulation_key(plan: Plan) -> str | None:
    """The key of the plan's analysis, or None when it has no ranges. The plan page's plan
    is the same object while its document is unchanged (`cached_view`): its key is kept."""
    if plan.uncertainty is None:
        return None
    found = _KEYS.get(id(plan))
    if found is not None and found[0] is plan:
        return found[1]
    key = _key_of_json(dump_plan_json(plan))
    _KEYS[id(plan)] = (plan, key)
    while len(_KEYS) > 64:
        _KEYS.popitem(last=False)
    return key


# Where a stored analysis is read in a request: set by the app (the request's session).
READER: dict[str, Callable[[str], Any]] = {}


def stored(key: str) -> StoredAnalysis | None:
    """The stored result of `key`: given to a running job, or read from the database."""
    found = jobs.given(key)
    if found is None and "read" in READER:
        found = READER["read"](key)
    return found


class _Local:
    """Analyses computed in this process where no queue serves (the CLI, scripts, tests of
    the documents alone): a small LRU by key."""

    def __init__(self, size: int = 8):
        self.size = size
        self.items: OrderedDict[str, Analysis] = OrderedDict()

    def get(self, key: str, compute: Callable[[], Analysis]) -> Analysis:
        found = self.items.get(key)
        if found is None:
            found = self.items[key] = compute()
            while len(self.items) > self.size:
                self.items.popitem(last=False)
        return found


LOCAL = _Local()
# Set by the app: inside a request nothing simulates; it reads what the worker stored.
FORBIDDEN: dict[str, Callable[[], bool]] = {}


def compute(plan: Plan, projection: Projection | None = None) -> Analysis:
    projection = projection or project(plan)
    return Analysis(plan, projection, simulate(plan, base_projection=projection))


def analysis_of_plan(plan: Plan, projection: Projection | None = None) -> Analysis | None:
    """The plan's analysis for a document (the PDF, the workbook, the comparison): the stored
    one; computed here only outside the web app and outside a job (the CLI). None when the
    plan has no ranges, or when its analysis is not stored yet (the page says so)."""
    key = simulation_key(plan)
    if key is None:
        return None
    found = stored(key)
    if found is not None:
        return Analysis(plan, found.projection, found.result)
    if jobs.in_job() or any(forbidden() for forbidden in FORBIDDEN.values()):
        return None
    return LOCAL.get(key, lambda: compute(plan, projection))


def analysis_of_document(document: str) -> Analysis | None:
    """The same for a plan file's text (the CLI)."""
    return analysis_of_plan(parse_plan_text(document, default_cost_tables()))


def deficit_chances(comparison: Any) -> tuple[float | None, ...] | None:
    """Each compared plan's chance of a deficit in at least one FY (None for a plan without
    ranges or whose analysis is not stored yet); None when no plan has a stored analysis
    (the comparison then shows no such row)."""
    found = []
    for compared in comparison.plans:
        analysis = analysis_of_plan(compared.plan, compared.projection)
        found.append(None if analysis is None else analysis.result.p_any_deficit)
    return tuple(found) if any(c is not None for c in found) else None


# --- What a save queues -------------------------------------------------------------------


def plan_pdf_key(document: str, record: Any, prepared_on: dt.date) -> str:
    """The budget justification's key: everything the PDF prints (the plan with its actuals
    and ranges, status, adoption date, jurisdiction, the date it is prepared on)."""
    adopted = record.adopted_on.isoformat() if record.adopted_on else ""
    entered = spread_total_of(record)  # receipts spread from a CORE-NC total are estimates
    return jobs.content_key(
        PLAN_PDF,
        document,
        record.status,
        adopted,
        record.jurisdiction.name,
        prepared_on.isoformat(),
        "" if entered is None else str(entered),
    )


def enqueue_simulation(session: DbSession, record: Any, plan: Plan, document: str) -> str | None:
    """Queue the plan's analysis unless it is stored or queued. Returns its key."""
    key = simulation_key(plan)
    if key is not None:
        jobs.enqueue(
            session,
            SIMULATION,
            key,
            SIMULATION_JOB,
            [document],
            plan_id=record.id,
            jurisdiction_id=record.jurisdiction_id,
        )
    return key


def enqueue_plan_pdf(
    session: DbSession,
    record: Any,
    prepared_on: dt.date,
    *,
    document: str | None = None,
    plan: Plan | None = None,
    delay: float = 0,
) -> str:
    """Queue the plan's PDF for `prepared_on` (after its analysis, when it has ranges)."""
    document = document if document is not None else projected_document(record)
    plan = plan or parse_plan_text(document, default_cost_tables())
    key = plan_pdf_key(document, record, prepared_on)
    sim = simulation_key(plan)
    adopted = record.adopted_on.isoformat() if record.adopted_on else None
    entered = spread_total_of(record)
    jobs.enqueue(
        session,
        PLAN_PDF,
        key,
        PLAN_PDF_JOB,
        [
            document,
            record.status,
            adopted,
            record.jurisdiction.name,
            prepared_on.isoformat(),
            None if entered is None else str(entered),
        ],
        plan_id=record.id,
        jurisdiction_id=record.jurisdiction_id,
        needs=[sim] if sim else [],
        delay=delay,
    )
    return key


def enqueue_plan(session: DbSession, record: Any, prepared_on: dt.date) -> None:
    """Everything a saved plan version needs made: its analysis, its PDF."""
    if record.deleted_at is not None:
        return
    document = projected_document(record)
    try:
        plan = parsed(document)  # the save's statewide figures parsed this version already
    except PlanError:  # a stored plan the engine no longer reads: its page says why
        return
    enqueue_simulation(session, record, plan, document)
    enqueue_plan_pdf(session, record, prepared_on, document=document, plan=plan, delay=PDF_DELAY)


# Saves: any commit that wrote a plan or a jurisdiction's actuals queues the jobs of the
# plans it changed, in the same transaction (a save that is rolled back queues nothing).
TOUCHED = "planner_jobs_touched"
WATCHING = {"on": False}


def watch() -> None:
    """Queue jobs on every save (the app factory turns it on; the CLI's saves too)."""
    WATCHING["on"] = True


@event.listens_for(Session, "after_flush")
def _collect(session: DbSession, _context: Any) -> None:
    if not WATCHING["on"]:
        return
    from planner.models import FundActual, PlanRecord

    touched = session.info.setdefault(TOUCHED, (set(), set()))
    for obj in (*session.new, *session.dirty):
        if isinstance(obj, PlanRecord) and obj.id is not None:
            touched[0].add(obj.id)
        elif isinstance(obj, FundActual) and obj.jurisdiction_id is not None:
            touched[1].add(obj.jurisdiction_id)
    for obj in session.deleted:
        if isinstance(obj, FundActual) and obj.jurisdiction_id is not None:
            touched[1].add(obj.jurisdiction_id)


@event.listens_for(Session, "before_commit")
def _enqueue_touched(session: DbSession) -> None:
    if not WATCHING["on"]:
        return
    session.flush()
    touched = session.info.pop(TOUCHED, None)
    if not touched:
        return
    from planner.models import PlanRecord

    plan_ids, jurisdiction_ids = touched
    records = {}
    for plan_id in plan_ids:
        record = session.get(PlanRecord, plan_id)
        if record is not None:
            records[plan_id] = record
    if jurisdiction_ids:
        for record in session.scalars(
            select(PlanRecord).where(
                PlanRecord.jurisdiction_id.in_(jurisdiction_ids), PlanRecord.deleted_at.is_(None)
            )
        ):
            records[record.id] = record
    today = dt.date.today()  # noqa: DTZ011 - the user's local date, as the pages use
    for record in records.values():
        try:
            enqueue_plan(session, record, today)
        except Exception:  # the save stands; its page offers to compute later
            log.exception("could not queue the jobs of plan %s", record.id)
    session.info.pop(TOUCHED, None)


@event.listens_for(Session, "after_rollback")
def _forget(session: DbSession) -> None:
    session.info.pop(TOUCHED, None)
