"""A finance officer in Chromium after FY2026-27 closed (issue 13): enters the FY's actuals
from the plan page, sees the reforecast beside the plan and downloads the Exhibit E."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

import planner.web.actuals
import planner.web.plans
from planner import create_app
from planner.extensions import db
from tests.test_browser import CHROMIUM, serious_violations
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
    path = tmp_path_factory.mktemp("actuals") / "planner.db"
    shutil.copy(template_database, path)
    patch = pytest.MonkeyPatch()
    patch.setattr(planner.web.actuals, "today", lambda: TODAY)
    patch.setattr(planner.web.plans, "today", lambda: TODAY)
    app = create_app({"DATABASE_URL": f"sqlite:///{path}", "SECRET_KEY": "browser-test"})
    http = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{http.server_port}"
    http.shutdown()
    patch.undo()
    with app.app_context():
        db.engine.dispose()


def test_enter_a_fys_actuals_see_the_reforecast_and_the_exhibit_e(browser, server):  # noqa: F811
    context = browser.new_context(
        base_url=server,
        viewport={"width": 1366, "height": 900},
        accept_downloads=True,
        bypass_csp=True,
    )  # axe's script
    found: dict[str, list[str]] = {}
    page = context.new_page()
    page.goto("/sign-in")
    page.get_by_label("Email").fill(EDITOR)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Baseline LEAD plan").click()
    plan_url = page.url
    planned_closing = (
        page.locator("#fund tr", has_text="Closing balance").first.locator("td").first.inner_text()
    )

    page.get_by_role("link", name="Enter FY2026-27's actuals").click()
    page.get_by_label("Settlement funds received (2)").fill("1,019,496")
    page.get_by_label("Interest earned").fill("31250")
    page.get_by_label("Audit costs (4)").fill("2500")
    page.locator("#spending_A_10").fill("-402113")  # a slip of the keyboard
    page.get_by_role("button", name="Save FY2026-27's actuals").click()
    found["FY form with an error"] = serious_violations(page)
    field = page.locator(".field", has=page.locator("#spending_A_10"))
    assert field.locator(".error").count() == 1  # beside its field, the input kept
    assert page.locator("#spending_A_10").input_value() == "-402113"
    page.locator("#spending_A_10").fill("402113")
    page.locator("#spending_A_7").fill("44870")
    page.get_by_role("button", name="Save FY2026-27's actuals").click()
    page.wait_for_url(re.compile(re.escape(plan_url) + r"#actuals$"))

    found["plan page with actuals"] = serious_violations(page)
    section = page.locator("#actuals")
    row = section.locator('tr[data-strategy="A:10"]')
    assert row.locator("td").nth(1).inner_text() == "$402,113"
    assert "over plan by" in row.inner_text() or "under plan by" in row.inner_text()
    reforecast = page.locator("#reforecast")
    assert (
        reforecast.locator("tr", has_text="As planned").locator("td").first.inner_text()
        == planned_closing
    )
    reforecast_closing = (
        reforecast.locator("tr", has_text="Reforecast").locator("td").first.inner_text()
    )
    assert reforecast_closing != planned_closing
    assert (
        page.locator("#fund tr", has_text="Closing balance").first.locator("td").first.inner_text()
        == reforecast_closing
    )  # the fund table is the reforecast

    with page.expect_download() as download:
        section.get_by_role("link", name="CSV").first.click()
    rows = Path(download.value.path()).read_text(encoding="utf-8")
    assert "402113" in rows
    assert "1019496" in rows
    section.get_by_role("link", name="Exhibit F impact report").click()
    assert page.locator('section[data-strategy="A:10"]').count() == 1
    found["Exhibit F"] = serious_violations(page)
    page.goto("/j/orange-county/actuals/")
    found["actuals"] = serious_violations(page)
    page.goto("/j/orange-county/")
    assert page.locator('#due li[data-fy="2026"]').count() == 1  # its reports, due Sept. 28
    assert {name: v for name, v in found.items() if v} == {}
    context.close()
