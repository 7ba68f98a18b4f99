"""The job queue (planner.services.jobs, issue 20 M1–M3, issue 25.2): a save queues the
analysis and the PDF under keys of their content; a changed input is another key, so a
stale result is never served; failures (an error, the time limit, the memory limit) are
reported with their reason; a viewer sees the state and never starts a simulation."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from sqlalchemy import select

from planner.extensions import db
from planner.models import Job, PlanRecord
from planner.services import actuals as actuals_service
from planner.services import jobs
from planner.services.analyses import SIMULATION, plan_pdf_key, simulation_key
from planner.services.plans import load_plan, plans_of
from planner.services.uncertainty import save_ranges
from tests.web import EDITOR, VIEWER, sign_in

# Every test here goes through the app: `make test-fast` does not even import this module.
pytestmark = pytest.mark.web

RANGES = {"draws": 60, "seed": 5, "receipts": {"low": "0.8", "mode": "1", "high": "1.1"}}


def _queue_only(isolate: bool = False) -> None:
    """A real queue that only rings (nothing runs until the test says so)."""
    jobs.configure("memory://", engine=db.engine, immediate=False, isolate=isolate)


def _baseline() -> PlanRecord:
    return db.session.scalar(select(PlanRecord).where(PlanRecord.name == "Baseline LEAD plan"))


def _rows() -> dict[str, str]:
    db.session.expire_all()
    return {row.kind: row.state for row in db.session.scalars(select(Job))}


def _set_ranges(record: PlanRecord, ranges=RANGES) -> None:
    save_ranges(db.session, record, None, ranges, expected_version=record.version)
    db.session.commit()


# --- Jobs a test runs: importable by the worker's process -----------------------------------


def boom(text: str) -> str:
    raise ValueError(f"no good: {text}")


def sleepy(seconds: float) -> str:
    time.sleep(seconds)
    return "woke"


def hungry(megabytes: int) -> int:
    block = bytearray(megabytes * 1024 * 1024)
    return len(block)


def add(a: int, b: int) -> int:
    jobs.progress(0.5)
    return a + b


# --- Services ---------------------------------------------------------------------------------


@pytest.mark.slow  # renders a PDF
def test_a_save_queues_the_analysis_and_the_pdf_under_their_content(app):
    with app.app_context():
        _queue_only()
        record = _baseline()
        db.session.execute(db.delete(Job))
        db.session.commit()
        _set_ranges(record)
        assert _rows() == {"simulation": "queued", "plan-pdf": "queued"}
        plan = load_plan(record, actuals=True)
        key = simulation_key(plan)
        assert jobs.state(db.session, key).state == "queued"
        assert jobs.result(db.session, key) is None  # nothing before the worker ran
        assert jobs.run_pending() == 2
        stored = jobs.result(db.session, key)
        assert stored.result.draws == 60
        assert stored.fan_svg.startswith("<svg")
        assert stored.tornado_svg.startswith("<svg")
        # The PDF waited for the analysis, and is stored under the plan, status, date…
        from planner.services.plan_documents import projected_document

        pdf_key = plan_pdf_key(projected_document(record), record, dt.date.today())  # noqa: DTZ011
        assert jobs.result(db.session, pdf_key).startswith(b"%PDF")
        # Saved again with the same content: nothing new to do.
        db.session.commit()
        assert jobs.run_pending() == 0


def test_a_changed_input_is_a_new_key_and_the_old_result_is_never_served(app):
    """Actuals entered for a closed FY change the plan as shown: a new key, queued; the
    analysis of the plan without them is not read for it, and goes once the new one is in."""
    with app.app_context():
        _queue_only()
        record = _baseline()
        _set_ranges(record)
        jobs.run_pending(kinds=[SIMULATION])
        before = simulation_key(load_plan(record, actuals=True))
        orange = record.jurisdiction
        entry = {"receipts": "1000", "interest": "0", "spending": {"A:10": "250"}}
        actuals_service.save_fy(
            db.session,
            orange,
            None,
            load_plan(record).start_fy,
            entry,
            expected_version=0,
            as_of=dt.date(2040, 1, 1),
            action="form",
        )
        db.session.commit()
        after = simulation_key(load_plan(record, actuals=True))
        assert after != before
        assert jobs.state(db.session, after).state == "queued"  # queued by the actuals' save
        assert jobs.result(db.session, after) is None  # not the old analysis
        jobs.run_pending(kinds=[SIMULATION])
        assert jobs.result(db.session, after) is not None
        assert jobs.state(db.session, before) is None  # the older result of the plan is gone


def test_queued_jobs_of_older_content_are_dropped(app):
    """Two saves before the worker runs: only the last version is simulated."""
    with app.app_context():
        _queue_only()
        record = _baseline()
        _set_ranges(record)
        _set_ranges(record, {**RANGES, "seed": 6})
        simulations = db.session.scalars(select(Job).where(Job.kind == SIMULATION)).all()
        assert len(simulations) == 1
        assert simulations[0].key == simulation_key(load_plan(record, actuals=True))


def test_a_job_runs_once_and_a_failure_is_reported_with_its_reason(app):
    with app.app_context():
        _queue_only()
        ok = jobs.content_key("test", "add", 2, 3)
        jobs.enqueue(db.session, "test", ok, "tests.test_jobs:add", [2, 3])
        bad = jobs.content_key("test", "boom")
        jobs.enqueue(db.session, "test", bad, "tests.test_jobs:boom", ["x"])
        db.session.commit()
        assert jobs.run_job(ok) == "done"
        assert jobs.run_job(ok) == "done"  # a second message finds it done: not run again
        assert jobs.result(db.session, ok) == 5
        assert jobs.run_job(bad) == "failed"
        failed = jobs.state(db.session, bad)
        assert failed.failed
        assert failed.error.startswith("ValueError")
        # Not queued again unless asked (an editor's "Compute again")
        jobs.enqueue(db.session, "test", bad, "tests.test_jobs:boom", ["x"])
        assert jobs.state(db.session, bad).failed
        jobs.enqueue(db.session, "test", bad, "tests.test_jobs:boom", ["x"], retry=True)
        assert jobs.state(db.session, bad).state == "queued"


@pytest.mark.slow
def test_a_job_process_is_stopped_at_its_time_and_memory_limits(app):
    """Real child processes: a job over its time limit is killed; one over its address
    space gets a MemoryError; both are reported, and the worker goes on."""
    with app.app_context():
        _queue_only(isolate=True)
        jobs.SETTINGS.time_limit = 20.0
        jobs.SETTINGS.memory_mb = 600
        keys = {}
        for name, fn, args in (
            ("sleepy", "tests.test_jobs:sleepy", [120]),
            ("hungry", "tests.test_jobs:hungry", [2000]),
            ("add", "tests.test_jobs:add", [20, 22]),
        ):
            keys[name] = jobs.content_key("test", name, *args)
            jobs.enqueue(db.session, "test", keys[name], fn, args)
        db.session.commit()
        started = time.monotonic()
        assert jobs.run_job(keys["sleepy"]) == "failed"
        assert time.monotonic() - started < 60  # 20 s and the child's start, not 120 s
        assert "time limit" in jobs.state(db.session, keys["sleepy"]).error
        assert jobs.run_job(keys["hungry"]) == "failed"
        assert "memory" in jobs.state(db.session, keys["hungry"]).error
        assert jobs.run_job(keys["add"]) == "done"
        assert jobs.result(db.session, keys["add"]) == 42
        assert jobs.state(db.session, keys["add"]).progress == 100


# --- Pages ------------------------------------------------------------------------------------


def test_a_viewer_sees_the_state_and_never_starts_a_simulation(app, client):
    with app.app_context():
        _queue_only()
        record = _baseline()
        _set_ranges(record)
        pid = record.id
        key = simulation_key(load_plan(record, actuals=True))
        db.session.execute(db.delete(Job))  # as for a plan saved before the queue
        db.session.commit()
    sign_in(client, VIEWER)
    page = client.get(f"/j/orange-county/plans/{pid}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'data-state="none"' in html
    assert "uncertainty-compute" not in html  # no button for a viewer
    assert client.post(f"/j/orange-county/plans/{pid}/uncertainty/compute").status_code in (
        400,
        403,
    )
    for kind in ("fund", "tornado"):  # the charts are placeholders, never computed
        assert (
            client.get(f"/j/orange-county/plans/{pid}/charts/uncertainty-{kind}.svg").status_code
            == 200
        )
    with app.app_context():
        assert db.session.scalars(select(Job)).all() == []  # nothing queued, nothing run

    # An editor's visit queues it; everyone then sees "queued" and the page refreshes itself.
    client.post("/sign-out")
    sign_in(client, EDITOR)
    html = client.get(f"/j/orange-county/plans/{pid}").get_data(as_text=True)
    assert 'data-state="queued"' in html
    assert 'http-equiv="refresh"' in html
    with app.app_context():
        assert jobs.state(db.session, key).state == "queued"
        jobs.run_pending(kinds=[SIMULATION])
    html = client.get(f"/j/orange-county/plans/{pid}").get_data(as_text=True)
    assert 'id="uncertainty-table"' in html
    assert 'http-equiv="refresh"' not in html


def test_a_failed_analysis_is_shown_with_its_reason(app, client):
    with app.app_context():
        _queue_only()
        record = _baseline()
        _set_ranges(record)
        pid = record.id
        key = simulation_key(load_plan(record, actuals=True))
        row = db.session.get(Job, key)
        row.state, row.error = "failed", "stopped after 300 s, the time limit for a job"
        db.session.commit()
    sign_in(client, EDITOR)
    html = client.get(f"/j/orange-county/plans/{pid}").get_data(as_text=True)
    assert 'data-state="failed"' in html
    assert "time limit" in html
    assert 'id="uncertainty-compute"' in html  # an editor may queue it again


@pytest.mark.slow  # renders a PDF
def test_the_pdf_is_made_once_off_the_request_then_served_as_stored(app, client):
    with app.app_context():
        _queue_only()
        pid = _baseline().id
        db.session.execute(db.delete(Job))
        db.session.commit()
    sign_in(client, VIEWER)
    url = f"/j/orange-county/plans/{pid}/report.pdf"
    waiting = client.get(url)
    assert waiting.status_code == 202
    assert 'http-equiv="refresh"' in waiting.get_data(as_text=True)
    with app.app_context():
        assert _rows() == {"plan-pdf": "queued"}
        jobs.run_pending()
    first = client.get(url)
    assert first.status_code == 200
    assert first.mimetype == "application/pdf"
    again = client.get(url)
    assert again.get_data() == first.get_data()  # the stored file, not a new render


@pytest.mark.slow  # renders a PDF
def test_the_comparison_pdf_is_queued_and_stored(app, client):
    with app.app_context():
        _queue_only()
        ids = [r.id for r in plans_of(db.session, _baseline().jurisdiction)][:2]
    sign_in(client, VIEWER)
    url = f"/j/orange-county/compare.pdf?plans={ids[0]}&plans={ids[1]}"
    assert client.get(url).status_code == 202
    with app.app_context():
        assert _rows().get("compare-pdf") == "queued"
        jobs.run_pending(kinds=["compare-pdf"])
    done = client.get(url)
    assert done.status_code == 200
    assert done.get_data().startswith(b"%PDF")


def test_the_charts_are_drawn_again_when_actuals_change(app, client):
    """Issue 20 M3: the fan chart and the tornado are those of the analysis of the plan
    with its actuals, so entering actuals gives new charts (the test queue runs at once)."""
    with app.app_context():
        record = _baseline()
        _set_ranges(record)
        pid = record.id
        orange = record.jurisdiction
        start = load_plan(record).start_fy
    sign_in(client, EDITOR)
    base = f"/j/orange-county/plans/{pid}/charts/uncertainty-"
    before = {kind: client.get(base + kind + ".svg").get_data() for kind in ("fund", "tornado")}
    with app.app_context():
        actuals_service.save_fy(
            db.session,
            db.session.merge(orange),
            None,
            start,
            {"receipts": "750000", "interest": "0", "spending": {"A:10": "250"}},
            expected_version=0,
            as_of=dt.date(2040, 1, 1),
            action="form",
        )
        db.session.commit()
        stored = jobs.result(db.session, simulation_key(load_plan(_baseline(), actuals=True)))
    after = {kind: client.get(base + kind + ".svg").get_data() for kind in ("fund", "tornado")}
    assert after["fund"] != before["fund"]
    assert after["fund"].decode() == stored.fan_svg
    assert after["tornado"].decode() == stored.tornado_svg
