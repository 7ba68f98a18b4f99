"""The services called directly, on a plain SQLAlchemy session over a copy of the seeded
SQLite database: no Flask app, no request (they run in `make test-fast`)."""

from __future__ import annotations

import shutil

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from planner.scenarios import fy_label
from planner.services.accounts import find_user, role_in, visible_jurisdictions
from planner.services.demo import demo_document, jurisdiction
from planner.services.plans import (
    StaleVersion,
    create_plan,
    load_plan,
    plans_of,
    update_plan,
)
from planner.services.receipts import read_receipts_csv
from tests.web import EDITOR, OTHER


@pytest.fixture
def session(template_database, tmp_path):
    path = tmp_path / "services.db"
    shutil.copy(template_database, path)
    engine = create_engine(f"sqlite:///{path}")
    with Session(engine) as session:
        yield session
    engine.dispose()


def test_memberships_decide_what_each_user_sees(session):
    orange = jurisdiction(session, "orange-county")
    durham = jurisdiction(session, "durham-county")
    editor, other = find_user(session, EDITOR), find_user(session, OTHER.upper())
    assert role_in(editor, orange) == "editor"
    assert role_in(editor, durham) is None
    assert [j.slug for j in visible_jurisdictions(session, other)] == ["durham-county"]


def test_a_plan_is_created_updated_and_a_stale_update_refused(session):
    orange = jurisdiction(session, "orange-county")
    editor = find_user(session, EDITOR)
    record = create_plan(session, orange, demo_document(), editor, name="Service test")
    session.flush()
    assert record.name in [r.name for r in plans_of(session, orange)]
    assert load_plan(record).name == "Service test"
    first = record.version

    def rename(document):
        document["name"] = "Renamed"

    update_plan(session, record, editor, rename, expected_version=first, action="renamed")
    session.flush()
    assert load_plan(record).name == "Renamed"
    assert record.version == first + 1
    with pytest.raises(StaleVersion):
        update_plan(session, record, editor, rename, expected_version=first, action="again")


def test_receipts_csv_keeps_good_rows_and_names_the_line_of_each_problem():
    result = read_receipts_csv("fiscal_year,amount\n2026-27,1200.50\nFY2027-28,-5\n")
    assert [(fy_label(r.fiscal_year), str(r.amount)) for r in result.rows] == [
        ("FY2026-27", "1200.50")
    ]
    assert len(result.problems) == 1
    assert result.problems[0].startswith("line 3")
