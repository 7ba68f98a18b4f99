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

# Every test here goes through the app: `make test-fast` does not even import this module.
pytestmark = pytest.mark.web


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


def test_restore_publishes_the_public_pages_again_and_keeps_the_analysts(
    app, tmp_path, empty_url, monkeypatch
):
    """A page public at the backup is public after the restore at the same address, with the
    same figures (drawn again from the restored plan and actuals, judged as of the same
    date); the analyst role and the statewide figures come back; a backup naming a page of
    a plan that is not adopted at that version is refused, naming the row."""
    from planner.models import GovernmentFigures, Jurisdiction, PlanSummary, Publication
    from planner.services import jobs
    from planner.services.statewide import refresh_governments
    from tests.test_web_public import adopt_with_a_filed_report, publish
    from tests.web import VIEWER, sign_in

    def figures_of_governments():
        found = db.session.execute(
            select(Jurisdiction.slug, GovernmentFigures).join(
                GovernmentFigures, GovernmentFigures.jurisdiction_id == Jurisdiction.id
            )
        )
        return sorted(
            (slug, r.computed_at, r.receipts, r.smallest_yearly, r.sustains) for slug, r in found
        )

    plan_id, version = adopt_with_a_filed_report(app)
    # The pages' PDFs stay queued (a worker renders them; tests/test_web_public.py reads one).
    monkeypatch.setattr(jobs.SETTINGS, "immediate", False)
    client = app.test_client()
    sign_in(client, EDITOR)
    assert publish(client, plan_id).status_code == 302
    with app.app_context():
        db.session.scalar(select(User).where(User.email == VIEWER)).is_analyst = True
        refresh_governments(db.session, ["orange-county", "city-of-durham"])
        db.session.commit()
        means = figures_of_governments()
        published = db.session.scalar(select(Publication))
        before = (published.as_of, published.projection_json, published.compliance_json)
        page = f"/public/orange-county/plans/{plan_id}/v{version}/"
        assert client.get(page).status_code == 200
        db.session.remove()
    out = tmp_path / "backup.json"
    assert run(["backup", str(out)], app.config["DATABASE_URL"]).exit_code == 0
    data = json.loads(out.read_text())
    assert [(p["plan"], p["version"]) for p in data["publications"]] == [(plan_id, version)]
    assert {u["email"]: u["is_analyst"] for u in data["users"]}[VIEWER] is True

    bad = dict(data, publications=[dict(data["publications"][0], version=version + 1)])
    refused = tmp_path / "bad.json"
    refused.write_text(json.dumps(bad))
    result = run(["restore", str(refused)], empty_url)
    assert result.exit_code == 2
    assert "publications[0].version" in result.output
    assert snapshot(empty_url)[0] == {}  # nothing half-restored

    result = run(["restore", str(out)], empty_url)
    assert result.exit_code == 0, result.output
    restored = create_app({"DATABASE_URL": empty_url, "SECRET_KEY": "t"})
    with restored.app_context():
        session = db.session
        row = session.scalar(select(Publication))
        assert (row.plan_id, row.plan_version) == (plan_id, version)
        assert (row.as_of, row.projection_json, row.compliance_json) == before
        assert session.scalar(select(User).where(User.email == VIEWER)).is_analyst
        live_plans = session.scalars(select(PlanRecord).where(PlanRecord.deleted_at.is_(None)))
        summaries = {s.plan_id: s.plan_version for s in session.scalars(select(PlanSummary))}
        assert summaries == {r.id: r.version for r in live_plans}
        assert figures_of_governments() == means
        reader = restored.test_client()  # anonymous
        response = reader.get(page)
        assert response.status_code == 200
        assert b"Orange County" in response.data
        session.remove()
        db.engine.dispose()
