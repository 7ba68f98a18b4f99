"""The reference data every database holds (the 117 local governments) and the demo data."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from planner.cost_tables import default_cost_tables
from planner.models import Jurisdiction, PlanRecord, User
from planner.scenarios import load_plan_json
from planner.services import DbSession
from planner.services.accounts import create_user, find_user, generate_password, set_membership
from planner.services.plans import create_plan

EXAMPLES_DIR = Path(__file__).resolve().parent.parent.parent / "examples"
DEMO_PLAN = EXAMPLES_DIR / "demo-orange-county.json"
DEMO_EMAIL = "demo@planner.example"
DEMO_JURISDICTION = "orange-county"


def seed_jurisdictions(session: DbSession) -> int:
    """Add any of the 117 local governments that are missing; returns how many were added."""
    existing = set(session.scalars(select(Jurisdiction.slug)))
    allocations = _allocations()
    added = 0
    for row in default_cost_tables().jurisdictions:
        if row.slug in existing:
            continue
        estimate = allocations.get(row.name)
        session.add(
            Jurisdiction(
                slug=row.slug,
                name=row.name,
                kind=row.kind,
                fips=row.fips or None,
                county=row.county or None,
                allocation_estimate=estimate[0] if estimate else None,
                allocation_basis=estimate[1] if estimate else None,
                allocation_source=estimate[2] if estimate else None,
            )
        )
        added += 1
    session.flush()
    return added


def _allocations() -> dict[str, tuple[Decimal, str, str]]:
    """Each government's all-settlement total, as the receipt estimates use it (§14)."""
    return {
        row.name: (row.total, f"{row.status}: {row.basis}", row.source_url)
        for row in default_cost_tables().receipt_totals
        if row.total is not None
    }


def jurisdiction(session: DbSession, slug: str) -> Jurisdiction | None:
    return session.scalar(select(Jurisdiction).where(Jurisdiction.slug == slug))


def demo_document() -> dict:
    return load_plan_json(DEMO_PLAN.read_bytes())


def seed_demo(session: DbSession) -> tuple[User, str | None]:
    """The demo account (editor of Orange County) and its demo plan. Returns the user and
    the generated password when the account was created now (it is shown only once)."""
    seed_jurisdictions(session)
    user = find_user(session, DEMO_EMAIL)
    password = None
    orange = jurisdiction(session, DEMO_JURISDICTION)
    assert orange is not None  # noqa: S101 - the shipped list has Orange County
    if user is None:
        password = generate_password()
        user = create_user(session, DEMO_EMAIL, password)
        set_membership(session, user, orange, "editor")
    has_plan = session.scalar(
        select(PlanRecord.id).where(PlanRecord.jurisdiction_id == orange.id).limit(1)
    )
    if not has_plan:
        create_plan(session, orange, demo_document(), user, action="created from the demo")
    return user, password
