"""`planner backup` writes a file only its owner can read; `planner restore` keeps every
plan's id and version (and the ids of accounts and history entries), checks every plan
document before writing anything, and leaves PostgreSQL's id sequences past the restored
ids. On both database engines."""

from __future__ import annotations

import datetime as dt
import json
import os
import stat

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from planner import create_app
from planner.cli import main
from planner.extensions import db
from planner.models import ActualChange, FundActual, PlanChange, PlanRecord, User
from planner.services.actuals import save_fy
from planner.services.plans import clone_plan, update_plan
from tests.conftest import POSTGRES_URL, _numbers
from tests.web import EDITOR


@pytest.fixture
def empty_url(database_url, tmp_path):
    """An empty database on the same engine as the test's own."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'restored.db'}"
        return
    name = f"planner_restore_{os.getpid()}_{next(_numbers)}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def run(args, url):
    result = CliRunner().invoke(
        main, args, env={"PLANNER_DATABASE_URL": url, "PLANNER_SECRET_KEY": "t"}
    )
    return result


def snapshot(url):
    """Every plan by id (name, version, status, document), history entry ids and account
    ids of the database at `url`."""
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "t"})
    with app.app_context():
        plans = {
            r.id: (r.name, r.version, r.status, r.document)
            for r in db.session.scalars(select(PlanRecord))
        }
        changes = [
            (c.id, c.plan_id, c.action, c.path, c.new_value)
            for c in db.session.scalars(select(PlanChange).order_by(PlanChange.id))
        ]
        users = {u.email: u.id for u in db.session.scalars(select(User))}
        actuals = (
            [
                (a.id, a.fiscal_year, a.entry, a.outcomes, a.version)
                for a in db.session.scalars(select(FundActual).order_by(FundActual.id))
            ],
            [
                (c.id, c.fiscal_year, c.path, c.new_value)
                for c in db.session.scalars(select(ActualChange).order_by(ActualChange.id))
            ],
        )
        db.session.remove()
        db.engine.dispose()
    return plans, changes, users, actuals


def make_history(app):
    """Versions above 1, a gap in the plan ids and a clone that names its source by id."""
    with app.app_context():
        session = db.session
        editor = session.scalar(select(User).where(User.email == EDITOR))
        records = {r.name: r for r in session.scalars(select(PlanRecord))}
        baseline = records["Baseline LEAD plan"]
        for rate in ("0.021", "0.022", "0.023"):

            def change(document, rate=rate):
                document["fund"]["interest_rate"] = rate

            update_plan(
                session,
                baseline,
                editor,
                change,
                expected_version=baseline.version,
                action="edited fund",
            )
        # A row gone from the database (deleted plans are kept, so remove it outright).
        session.delete(records["Orange alternative"])
        session.flush()
        copy = clone_plan(session, baseline, editor, "Copy of the baseline")
        orange = baseline.jurisdiction  # a FY of actuals at version 2, with its history
        entry = {"receipts": "1000", "interest": "5", "spending": {"A:10": "900"}}
        for receipts in ("1000", "1001"):
            save_fy(
                session,
                orange,
                editor,
                2026,
                dict(entry, receipts=receipts),
                expected_version=None,
                as_of=dt.date(2027, 7, 1),
                action="entered",
            )
        session.commit()
        ids = (baseline.id, copy.id, baseline.version)
        db.session.remove()
    return ids


def test_the_backup_file_is_readable_by_its_owner_only(app, tmp_path):
    old = os.umask(0o022)
    try:
        out = tmp_path / "backup.json"
        out.write_text("old")  # an existing, world-readable file is replaced
        out.chmod(0o644)
        for flags in ([], ["--with-password-hashes"]):
            result = run(["backup", str(out), *flags], app.config["DATABASE_URL"])
            assert result.exit_code == 0, result.output
            assert stat.S_IMODE(out.stat().st_mode) == 0o600
            assert json.loads(out.read_text())["schema"] == "planner-backup/1"
        assert not [p for p in tmp_path.iterdir() if p.name.endswith(".partial")]
    finally:
        os.umask(old)


def test_restore_keeps_plan_ids_versions_and_history(app, tmp_path, empty_url):
    baseline_id, copy_id, version = make_history(app)
    assert version == 4
    source = app.config["DATABASE_URL"]
    out = tmp_path / "backup.json"
    assert run(["backup", str(out)], source).exit_code == 0
    result = run(["restore", str(out)], empty_url)
    assert result.exit_code == 0, result.output
    before, after = snapshot(source), snapshot(empty_url)
    assert after[0] == before[0]  # same ids (with the gap), versions, documents
    assert after[1] == before[1]  # history: same ids, same plans
    assert after[2] == before[2]  # account ids
    assert after[3] == before[3]  # actuals: same ids, entries, versions, history
    assert after[3][0][0][4] == 2
    plans = after[0]
    assert plans[baseline_id][1] == 4
    assert copy_id == max(plans)
    assert len(plans) < copy_id  # the deleted plan's gap is kept
    assert any(
        action == f"cloned from plan {baseline_id}" and plan == copy_id
        for _, plan, action, _, _ in after[1]
    )
    # the restored database goes on: optimistic locking from the restored version, and new
    # rows get new ids (PostgreSQL's sequences were moved past the restored ones)
    restored = create_app({"DATABASE_URL": empty_url, "SECRET_KEY": "t"})
    with restored.app_context():
        session = db.session
        record = session.get(PlanRecord, baseline_id)

        def change(document):
            document["fund"]["interest_rate"] = "0.03"

        update_plan(session, record, None, change, expected_version=4, action="edited fund")
        copy = clone_plan(session, record, None, "After the restore")
        session.commit()
        assert record.version == 5
        assert copy.id > max(plans)
        session.remove()
        db.engine.dispose()


def test_restore_checks_every_plan_first(app, tmp_path, empty_url):
    out = tmp_path / "backup.json"
    assert run(["backup", str(out)], app.config["DATABASE_URL"]).exit_code == 0
    data = json.loads(out.read_text())
    document = json.loads(data["plans"][1]["document"])
    document["line_items"][0]["salary"] = "a lot"
    data["plans"][1]["document"] = json.dumps(document)
    data["plans"][2]["version"] = "3"
    out.write_text(json.dumps(data))
    result = run(["restore", str(out)], empty_url)
    assert result.exit_code == 2
    assert "plans[1].document.line_items" in result.output
    assert "salary" in result.output
    assert "plans[2].version" in result.output
    plans, changes, users, _ = snapshot(empty_url)
    assert (plans, changes, users) == ({}, [], {})  # nothing half-restored
