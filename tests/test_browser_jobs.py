"""An editor in Chromium (issue 20 M1/M3): saves uncertainty ranges, sees the analysis queued,
then done when the worker has run it (the page refreshes itself, no JavaScript), then new
charts after entering a closed FY's actuals."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import threading

import pytest
from werkzeug.serving import make_server

import planner.web.actuals
import planner.web.plans
from planner import create_app
from planner.extensions import db
from planner.services import jobs
from tests.test_browser import CHROMIUM
from tests.web import EDITOR, PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM) and not os.environ.get("CI"),
        reason="Chromium is not installed",
    ),
]

TODAY = dt.date(2027, 8, 2)  # FY2026-27 ended on June 30


@pytest.fixture(scope="module")
def server(template_database, tmp_path_factory):
    path = tmp_path_factory.mktemp("jobs") / "planner.db"
    shutil.copy(template_database, path)
    patch = pytest.MonkeyPatch()
    patch.setattr(planner.web.actuals, "today", lambda: TODAY)
    patch.setattr(planner.web.plans, "today", lambda: TODAY)
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{path}",
            "SECRET_KEY": "browser-test",
            "QUEUE_URL": "memory://",  # Huey's in-process queue: the worker is a thread here
            "JOBS_ISOLATE": False,
        }
    )
    http = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    workers: list = []
    yield f"http://127.0.0.1:{http.server_port}", workers
    for consumer in workers:
        consumer.stop(graceful=False)
    http.shutdown()
    patch.undo()
    with app.app_context():
        db.engine.dispose()


def _chart(page, selector: str) -> bytes:
    return page.request.get(page.locator(selector).get_attribute("src")).body()


def test_ranges_queued_then_done_then_new_charts_after_actuals(browser, server):  # noqa: F811
    base_url, workers = server
    context = browser.new_context(base_url=base_url, viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.goto("/sign-in")
    page.get_by_label("Email").fill(EDITOR)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Baseline LEAD plan").click()
    plan_url = page.url

    # Save the offered ranges (fewer draws: the test's worker is a thread of the server).
    page.locator("#uncertainty-edit").click()
    page.locator("#draws").fill("2000")
    page.get_by_role("button", name=re.compile("Save", re.IGNORECASE)).first.click()
    page.wait_for_url(re.compile(re.escape(plan_url) + r"#uncertainty$"))
    state = page.locator("#uncertainty-state")
    assert state.get_attribute("data-state") == "queued"  # no worker yet: queued
    assert page.locator('meta[http-equiv="refresh"]').count() == 1
    assert page.locator("#uncertainty-table").count() == 0

    # The worker starts; the page asks again by itself until the analysis is shown.
    workers.append(jobs.start_consumer(1))
    page.locator("#uncertainty-table").wait_for(timeout=180_000)
    assert page.locator('meta[http-equiv="refresh"]').count() == 0
    fan = _chart(page, 'img[src*="uncertainty-fund"]')
    tornado = _chart(page, 'img[src*="uncertainty-tornado"]')
    assert fan.startswith(b"<svg")

    # A closed FY's actuals: a new analysis, queued and run; new charts beside it.
    page.get_by_role("link", name="Enter FY2026-27's actuals").click()
    page.get_by_label("Settlement funds received (2)").fill("250,000")
    page.get_by_label("Interest earned").fill("31250")
    page.get_by_label("Audit costs (4)").fill("2500")
    page.locator("#spending_A_10").fill("402113")
    page.locator("#spending_A_7").fill("44870")
    page.get_by_role("button", name="Save FY2026-27's actuals").click()
    page.wait_for_url(re.compile(re.escape(plan_url) + r"#actuals$"))
    page.locator("#uncertainty-table").wait_for(timeout=180_000)
    assert _chart(page, 'img[src*="uncertainty-fund"]') != fan
    assert _chart(page, 'img[src*="uncertainty-tornado"]') != tornado
    context.close()
