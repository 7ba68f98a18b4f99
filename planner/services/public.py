"""Public pages of adopted plans (issue 24): publish a version, withdraw it, find what is
public. Everything a public page shows is computed here once, at publication, and stored
(`Publication`); an anonymous request only reads what is stored.

`public_plans(session)` lists every plan that is public now, the statewide view may reuse it.
Functions take the session and never commit: the view or CLI command owns the transaction.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, select

from planner.cost_tables import default_cost_tables
from planner.models import Jurisdiction, PlanChange, PlanRecord, Publication, User
from planner.models.base import utcnow
from planner.models.public import live_publications
from planner.scenarios import dump_plan_json, projection_to_dict
from planner.scenarios.compliance import compliance_to_dict
from planner.scenarios.exhibits import exhibit_e
from planner.scenarios.schemas import ANNUAL_REPORT_SCHEMA
from planner.scenarios.schemas import DOCUMENTS as SCHEMA_OF_DOCUMENT
from planner.scenarios.summaries import summarize
from planner.services import DbSession, jobs
from planner.services.analyses import PLAN_PDF_JOB, enqueue_simulation, plan_pdf_key, simulation_key
from planner.services.county import spread_total_of
from planner.services.plan_documents import projected_document
from planner.services.plans import PlanView, view_plan

PUBLIC_PDF = "public-pdf"  # its own kind: a signed-in download's newer PDF does not replace it
# Every JSON document of a public page: its file name and its schema (`schemas/<name>/<n>.json`).
DOCUMENTS = SCHEMA_OF_DOCUMENT


class NotPublishable(ValueError):
    """Only an adopted plan, not deleted, can be public."""


@dataclass(frozen=True)
class Snapshot:
    """What a publication stores, before the page is drawn: the plan's view as adopted (with
    the jurisdiction's actuals), its filed annual reports and the JSON texts."""

    view: PlanView
    as_of: dt.date
    reports: tuple[Any, ...]  # ExhibitE of each FY whose report was filed
    plan_json: str
    projection_json: str
    compliance_json: str
    reports_json: str
    summary: dict[str, Any]


def _json(document: Any) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def publishable(record: PlanRecord) -> str | None:
    """Why the plan cannot be published (None: it can)."""
    if record.deleted_at is not None:
        return "a deleted plan cannot be published"
    if record.status != "adopted":
        return f"a {record.status} plan is never public: only an adopted plan can be published"
    return None


def snapshot(record: PlanRecord, as_of: dt.date) -> Snapshot:
    """Compute once what the public page and its files show."""
    problem = publishable(record)
    if problem:
        raise NotPublishable(problem)
    view = view_plan(record, as_of)
    tables = default_cost_tables()
    filed = [entry.fy for entry in view.plan.actuals if entry.reported_on is not None]
    reports = tuple(exhibit_e(view.plan, view.projection, fy, tables) for fy in sorted(filed))
    jurisdiction = _jurisdiction(record.jurisdiction)
    reports_document = {
        "schema": ANNUAL_REPORT_SCHEMA,
        "jurisdiction": jurisdiction,
        "plan": view.plan.name,
        "reports": [report.to_dict() for report in reports],
    }
    totals = summarize(view.projection, view.results)
    summary = {
        "total": totals.total,
        "npv_spending": totals.npv_spending,
        "receipts": totals.receipts,
        "closing_balance": totals.closing_balance,
        "first_deficit_fy": totals.first_deficit_fy,
        "first_fy": view.projection.fiscal_years[0],
        "last_fy": view.projection.fiscal_years[-1],
        "checklist": dict(totals.compliance),
    }
    return Snapshot(
        view=view,
        as_of=as_of,
        reports=reports,
        plan_json=dump_plan_json(view.plan),
        projection_json=_json(projection_to_dict(view.projection)),
        compliance_json=_json(compliance_to_dict(view.results, as_of)),
        reports_json=_json(reports_document),
        summary=summary,
    )


def _jurisdiction(jurisdiction: Jurisdiction) -> dict[str, Any]:
    return {
        "name": jurisdiction.name,
        "kind": jurisdiction.kind,
        "fips": jurisdiction.fips,
        "slug": jurisdiction.slug,
    }


def enqueue_public_pdf(
    session: DbSession, record: PlanRecord, view: PlanView, as_of: dt.date
) -> str:
    """Queue the budget justification of the published version (rendered once by a worker,
    never for a visitor); returns the key its stored result is found under."""
    document = projected_document(record)
    sim = simulation_key(view.plan)
    if sim is not None:
        enqueue_simulation(session, record, view.plan, document)
    key = jobs.content_key(PUBLIC_PDF, plan_pdf_key(document, record, as_of))
    entered = spread_total_of(record)
    jobs.enqueue(
        session,
        PUBLIC_PDF,
        key,
        PLAN_PDF_JOB,
        [
            document,
            record.status,
            record.adopted_on.isoformat() if record.adopted_on else None,
            record.jurisdiction.name,
            as_of.isoformat(),
            None if entered is None else str(entered),
        ],
        plan_id=record.id,
        jurisdiction_id=record.jurisdiction_id,
        needs=[sim] if sim else [],
        retry=True,
    )
    return key


def publish(
    session: DbSession,
    record: PlanRecord,
    user: User | None,
    shot: Snapshot,
    *,
    page: str,
    fund_svg: str,
) -> Publication:
    """Make the plan's adopted version public with what `shot` computed and the page drawn
    from it. Publishing again (later actuals, a filed report) replaces what is shown."""
    problem = publishable(record)
    if problem:
        raise NotPublishable(problem)
    found = session.scalar(
        select(Publication).where(
            Publication.plan_id == record.id, Publication.plan_version == record.version
        )
    )
    pdf_key = enqueue_public_pdf(session, record, shot.view, shot.as_of)
    row = found or Publication(plan_id=record.id, plan_version=record.version)
    row.jurisdiction_id = record.jurisdiction_id
    row.name = record.name
    row.adopted_on = record.adopted_on
    row.as_of = shot.as_of
    row.published_at = utcnow()
    row.published_by_id = user.id if user else None
    row.withdrawn_at = None
    row.summary = json.dumps(shot.summary)
    row.page = page
    row.fund_svg = fund_svg
    row.plan_json = shot.plan_json
    row.projection_json = shot.projection_json
    row.compliance_json = shot.compliance_json
    row.reports_json = shot.reports_json
    row.pdf_key = pdf_key
    if found is None:
        session.add(row)
    _record(session, record, user, "published", None, f"version {record.version}")
    session.flush()
    return row


def withdraw(session: DbSession, record: PlanRecord, user: User | None) -> bool:
    """Take the plan's public page down (it answers 404 from now on). False: none was up."""
    live = live_publication_of(session, record)
    if live is None:
        return False
    live.withdrawn_at = utcnow()
    _record(session, record, user, "publication withdrawn", f"version {live.plan_version}", None)
    session.flush()
    return True


def _record(session: DbSession, record: PlanRecord, user: User | None, action: str, old, new):
    session.add(
        PlanChange(
            plan_id=record.id,
            user_id=user.id if user else None,
            user_email=user.email if user else None,
            action=action,
            path="public page",
            old_value=old,
            new_value=new,
        )
    )


def _live():
    """Publications shown now (models.public.live_publications)."""
    return live_publications()


def live_publication_of(session: DbSession, record: PlanRecord) -> Publication | None:
    return session.scalar(_live().where(Publication.plan_id == record.id))


@functools.cache
def _at_url():
    """The look-up of every anonymous request, built once (its values are bound per call)."""
    return (
        _live()
        .join(Jurisdiction, Jurisdiction.id == Publication.jurisdiction_id)
        .where(
            Jurisdiction.slug == bindparam("slug"),
            Publication.plan_id == bindparam("plan_id"),
            Publication.plan_version == bindparam("version"),
        )
    )


def find_public(session: DbSession, slug: str, plan_id: int, version: int) -> Publication | None:
    """The public page at this URL, or None (withdrawn, never published, not adopted)."""
    return session.scalar(_at_url(), {"slug": slug, "plan_id": plan_id, "version": version})


@dataclass(frozen=True)
class PublicPlan:
    """One entry of the index of public plans."""

    publication_id: int
    slug: str
    jurisdiction: str
    kind: str
    fips: str | None
    plan_id: int
    version: int
    name: str
    adopted_on: dt.date | None
    published_at: dt.datetime
    as_of: dt.date
    summary: dict[str, Any]


def public_plans(session: DbSession, jurisdiction: Jurisdiction | None = None) -> list[PublicPlan]:
    """Every plan public now (one jurisdiction's, given it), by government and name."""
    query = _live().join(Jurisdiction, Jurisdiction.id == Publication.jurisdiction_id)
    if jurisdiction is not None:
        query = query.where(Publication.jurisdiction_id == jurisdiction.id)
    query = query.add_columns(Jurisdiction).order_by(
        Jurisdiction.name, Publication.name, Publication.id
    )
    return [
        PublicPlan(
            publication_id=row.id,
            slug=place.slug,
            jurisdiction=place.name,
            kind=place.kind,
            fips=place.fips,
            plan_id=row.plan_id,
            version=row.plan_version,
            name=row.name,
            adopted_on=row.adopted_on,
            published_at=row.published_at,
            as_of=row.as_of,
            summary=json.loads(row.summary),
        )
        for row, place in session.execute(query).all()
    ]
