"""The schema: migrations from empty, no drift between models and migrations, and the
optimistic lock, on every engine under test."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from planner.extensions import db
from planner.models import Base, Jurisdiction, PlanRecord

# Every test here goes through the app: `make test-fast` does not even import this module.
pytestmark = pytest.mark.web


def test_upgrade_from_empty_builds_every_table(app):
    with app.app_context():
        names = set(inspect(db.engine).get_table_names())
    assert {
        "users",
        "memberships",
        "jurisdictions",
        "plans",
        "plan_changes",
        "alembic_version",
    } <= names


def test_models_and_migrations_do_not_drift(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_the_117_local_governments_are_seeded(app):
    with app.app_context():
        rows = list(db.session.scalars(select(Jurisdiction)))
    assert len(rows) == 117
    assert sum(1 for j in rows if j.kind == "county") == 100
    orange = next(j for j in rows if j.slug == "orange-county")
    assert orange.fips == "37135"
    assert any(j.slug == "city-of-durham" for j in rows)


def test_a_concurrent_save_loses_to_the_first(app, database_url):
    engine = create_engine(database_url)
    with Session(engine) as first, Session(engine) as second:
        a = first.scalars(select(PlanRecord).order_by(PlanRecord.id)).first()
        b = second.get(PlanRecord, a.id)
        a.name = "first"
        first.commit()
        b.name = "second"
        with pytest.raises(StaleDataError):
            second.commit()
    engine.dispose()
