"""Issue 24 in Chromium: an editor publishes an adopted plan; a visitor who never signed in
reads its public page and downloads its PDF and plan file; the editor withdraws it and the
page is gone. A draft's public URL never exists."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil

import pytest
from sqlalchemy import select

from planner import create_app
from planner.cost_tables import default_cost_tables
from planner.extensions import db
from planner.models import PlanRecord
from planner.scenarios import parse_plan_text, project
from planner.services.plans import set_status
from tests.conftest import served
from tests.test_browser import CHROMIUM
from tests.test_web_public import PLAN
from tests.web import EDITOR, PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not __import__("os").path.exists(CHROMIUM), reason="Chromium is not installed"
    ),
]


@pytest.fixture(scope="module")
def server(template_database, tmp_path_factory):
    path = tmp_path_factory.mktemp("public") / "planner.db"
    shutil.copy(template_database, path)
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{path}",
            "SECRET_KEY": "browser-test",
            "QUEUE_URL": "memory://",
            "JOBS_IMMEDIATE": True,  # the publication's PDF is made at once, in this process
            "JOBS_ISOLATE": False,
        }
    )
    with app.app_context():
        record = db.session.scalar(select(PlanRecord).where(PlanRecord.name == PLAN))
        set_status(db.session, record, None, "adopt", dt.date(2026, 6, 2), expected_version=None)
        draft = db.session.scalar(select(PlanRecord).where(PlanRecord.name == "Orange alternative"))
        db.session.commit()
        ids = {"adopted": (record.id, record.version), "draft": (draft.id, draft.version)}
    with served(app) as url:
        yield url, ids


def test_publish_read_download_withdraw(browser, server, tmp_path):  # noqa: F811
    base, ids = server
    plan_id, version = ids["adopted"]
    editor = browser.new_context(base_url=base, viewport={"width": 1366, "height": 900})
    page = editor.new_page()
    page.goto("/sign-in")
    page.get_by_label("Email").fill(EDITOR)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/j/orange-county/$"))
    page.goto(f"/j/orange-county/plans/{plan_id}")
    # the queue of this server runs at once: the click waits for the PDF to be rendered
    page.get_by_role("button", name="Publish a public page").click(timeout=180_000)
    link = page.locator("#public-url")
    public = f"/public/orange-county/plans/{plan_id}/v{version}/"
    assert link.get_attribute("href") == public

    visitor = browser.new_context(
        base_url=base, viewport={"width": 1366, "height": 900}, accept_downloads=True
    )
    reader = visitor.new_page()
    reader.goto("/public")
    reader.get_by_role("link", name=PLAN).click()
    reader.wait_for_url(re.compile(re.escape(public) + "$"))
    assert reader.get_by_role("heading", level=1).inner_text().startswith(PLAN)
    assert "Sign in" not in reader.content()
    shown_total = reader.locator("#total-spending").inner_text()
    assert reader.locator("#fund img").evaluate("img => img.naturalWidth") > 0  # the chart
    assert reader.locator("#compliance li").count() > 5

    with reader.expect_download() as pdf:
        reader.locator("#download-pdf").click()
    assert pdf.value.path().read_bytes().startswith(b"%PDF")
    with reader.expect_download() as plan_file:
        reader.locator("#download-plan").click()
    text = plan_file.value.path().read_text(encoding="utf-8")
    assert json.loads(text)["schema"] == "lead-plan/1"
    projected = project(parse_plan_text(text, default_cost_tables()))
    assert shown_total == f"${projected.total:,}"  # the plan file gives the page's figure

    # The editor withdraws the page: the visitor's next look finds nothing.
    page.reload()
    page.get_by_role("button", name="Withdraw the public page").click()
    page.get_by_role("button", name="Publish a public page").wait_for()
    assert reader.goto(public).status == 404
    assert reader.goto(public + "plan.json").status == 404
    reader.goto("/public")
    assert reader.locator("#no-public-plans").is_visible()

    # A draft has no public URL, published or not.
    draft_id, draft_version = ids["draft"]
    assert reader.goto(f"/public/orange-county/plans/{draft_id}/v{draft_version}/").status == 404
    editor.close()
    visitor.close()
