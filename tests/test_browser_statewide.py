"""A state-level analyst in Chromium (issue 24): the statewide table sorted by a column's
heading, filtered by the form, the chart drawn, the CSV downloaded and read, no serious
accessibility violation, and no edit control on a government's page."""

from __future__ import annotations

import csv
import io
import re
import shutil
from pathlib import Path

import pytest

from planner import create_app
from planner.extensions import db
from planner.services.accounts import create_user
from planner.services.statewide import refresh_governments
from tests.conftest import served
from tests.test_browser import CHROMIUM, serious_violations
from tests.web import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not __import__("os").path.exists(CHROMIUM), reason="Chromium is not installed"
    ),
]

ANALYST = "analyst@state.example"


@pytest.fixture(scope="module")
def server(template_database, tmp_path_factory):
    path = tmp_path_factory.mktemp("statewide") / "planner.db"
    shutil.copy(template_database, path)
    app = create_app({"DATABASE_URL": f"sqlite:///{path}", "SECRET_KEY": "browser-test"})
    with app.app_context():
        create_user(db.session, ANALYST, PASSWORD, is_analyst=True)
        refresh_governments(db.session, ["orange-county", "durham-county", "ashe-county"])
        db.session.commit()
    with served(app) as url:
        yield url


@pytest.fixture
def page(browser, server):  # noqa: F811 - the imported fixture
    # bypass_csp: axe is injected as a script (the page itself runs none)
    context = browser.new_context(
        base_url=server, viewport={"width": 1366, "height": 900}, bypass_csp=True
    )
    page = context.new_page()
    yield page
    context.close()


def names(page) -> list[str]:
    return [n.strip() for n in page.locator("#statewide tbody th").all_inner_texts()]


def test_an_analyst_sorts_filters_and_downloads_the_statewide_table(page):
    page.goto("/sign-in")
    page.get_by_label("Email").fill(ANALYST)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Statewide").click()
    page.wait_for_url(re.compile(r"/statewide$"))
    assert len(names(page)) == 117
    assert serious_violations(page) == []

    page.get_by_label("Show", exact=True).select_option("plan")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(re.compile(r"show=plan"))  # read the new page, not the one leaving
    page.wait_for_load_state()
    assert names(page) == ["Durham County", "Orange County"]
    assert page.locator("figure.chart svg").count() == 1

    page.locator("#statewide thead a[data-sort=name]").click()  # by name, again: descending
    page.wait_for_url(re.compile(r"dir=desc"))
    page.wait_for_load_state()
    assert names(page) == ["Orange County", "Durham County"]
    assert page.locator("#statewide thead th[aria-sort=descending]").count() == 1

    page.get_by_label("Name contains", exact=True).fill("durham")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(re.compile(r"q=durham"))
    page.wait_for_load_state()
    assert names(page) == ["Durham County"]

    with page.expect_download() as download:
        page.get_by_role("link", name="Download these rows (CSV)").click()
    rows = list(
        csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8")))
    )
    assert [r["government"] for r in rows] == ["Durham County"]
    assert int(rows[0]["receipts"]) == 10_976_496  # the demo plan's receipts
    assert rows[0]["plan"] == "Durham plan"

    # Durham County's page: the analyst reads it, with nothing to change.
    page.locator("#statewide tbody th a").first.click()
    page.wait_for_url(re.compile(r"/j/durham-county/$"))
    assert page.get_by_role("link", name="New plan").count() == 0
