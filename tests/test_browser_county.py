"""A finance director of a county other than the demo's, in Chromium: from "new plan" on
the county's page to a plan whose checklist has no fail and no warn, counting every action
(each click, field filled and choice made counts one): at most 30 (issue 11)."""

from __future__ import annotations

import datetime as dt
import re
import shutil

import pytest

from planner import create_app
from planner.extensions import db
from planner.services.accounts import create_user, set_membership
from planner.services.demo import jurisdiction
from tests.conftest import served
from tests.test_browser import CHROMIUM
from tests.web import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not __import__("os").path.exists(CHROMIUM), reason="Chromium is not installed"
    ),
]

DIRECTOR = "finance@buncombe.example"
BUDGET = 30


@pytest.fixture(scope="module")
def server(template_database, tmp_path_factory):
    path = tmp_path_factory.mktemp("county") / "planner.db"
    shutil.copy(template_database, path)
    app = create_app({"DATABASE_URL": f"sqlite:///{path}", "SECRET_KEY": "browser-test"})
    with app.app_context():
        user = create_user(db.session, DIRECTOR, PASSWORD)
        set_membership(db.session, user, jurisdiction(db.session, "buncombe-county"), "editor")
        db.session.commit()
    with served(app) as url:
        yield url


class Counted:
    """The page's actions, each counted once: click, fill, check, select."""

    def __init__(self, page):
        self.page = page
        self.actions: list[str] = []

    def click(self, locator, what: str) -> None:
        self.actions.append(f"click {what}")
        locator.click()

    def fill(self, locator, value: str, what: str) -> None:
        self.actions.append(f"fill {what}")
        locator.fill(value)

    def check(self, locator, what: str) -> None:
        self.actions.append(f"check {what}")
        locator.check()

    def choose(self, locator, value: str, what: str) -> None:
        self.actions.append(f"choose {what}")
        locator.select_option(value)


def checklist(page) -> dict[str, int]:
    found = re.search(
        r"(\d+) fail · (\d+) warn · (\d+) pass", page.locator(".summary").inner_text()
    )
    return dict(zip(("fail", "warn", "pass"), map(int, found.groups()), strict=True))


def fix_link(page, rule: str, name: str):
    """The fix link of one checklist rule (the user follows the checklist)."""
    item = (
        page.locator("#compliance li, #compliance tr, #compliance div")
        .filter(has_text=rule)
        .filter(has=page.get_by_role("link", name=name))
        .last
    )
    return item.get_by_role("link", name=name).first


@pytest.fixture
def page(browser, server):  # noqa: F811
    context = browser.new_context(base_url=server, viewport={"width": 1366, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def test_a_county_reaches_an_adoptable_plan_in_30_actions(page):
    today = dt.date.today()  # noqa: DTZ011 - the server's own clock decides what is adopted
    page.goto("/sign-in")
    page.get_by_label("Email").fill(DIRECTOR)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/j/buncombe-county/$"))  # the director's one county

    user = Counted(page)
    # New plan: the starting plan for Buncombe County is the first choice, its name filled
    assert page.get_by_label(re.compile("^The starting LEAD plan")).is_checked()
    assert "Estimates, not CORE-NC figures" in page.locator(".starting-notes").inner_text()
    user.click(page.get_by_role("button", name="Create plan"), "Create plan")
    page.wait_for_url(re.compile(r"/plans/\d+$"))
    assert "Buncombe County" in page.locator("h1").inner_text()

    # MOA execution date (fix link of MOA-EXECUTION-DATE)
    user.click(fix_link(page, "MOA-EXECUTION-DATE", "Edit the fund"), "Edit the fund")
    user.fill(page.get_by_label(re.compile("^MOA executed on")), "2022-05-03", "MOA date")
    user.click(page.get_by_role("button", name="Save", exact=True), "Save")
    page.wait_for_url(re.compile(r"/plans/\d+#fund$"))

    # The program's commitments, one form
    user.click(
        fix_link(page, "LEAD-DATA-COLLECTION", "Edit program settings"), "Edit program settings"
    )
    for name in (
        "tracks_all_offers",
        "tracks_ineligible",
        "tracks_not_offered",
        "goal_stated",
        "allows_supervised_probation",
        "narrow_disqualifiers",
    ):
        user.check(page.locator(f"#{name}"), name)
    user.fill(
        page.locator("#outreach_plan"),
        "Outreach through community health workers and "
        "faith partners in neighbourhoods of color; quarterly review of referral data "
        "by race.",
        "outreach plan",
    )
    user.click(page.get_by_role("button", name="Save", exact=True), "Save")
    page.wait_for_url(re.compile(r"/plans/\d+#program$"))

    # The six services, one form
    user.click(fix_link(page, "LEAD-SERVICES", "Assess the services"), "Assess the services")
    for select in page.locator("form.editor select").all():
        user.choose(select, "adequate", "a service")
    user.click(page.get_by_role("button", name="Save the assessment"), "Save the assessment")
    page.wait_for_url(re.compile(r"/plans/\d+#compliance$"))

    # Authorize the first two FYs from the plan's spending (resolution and budget ordinance)
    user.click(fix_link(page, "MOA-AUTHORIZATION", "Authorize FYs from the plan"), "Authorize FYs")
    authorize = page.locator("#authorize-form")
    user.fill(authorize.get_by_label("Resolution adopted on"), today.isoformat(), "adopted on")
    user.fill(
        authorize.get_by_label("Budget ordinance adopted on"), today.isoformat(), "ordinance on"
    )
    user.click(page.get_by_role("button", name="Authorize these FYs"), "Authorize")
    page.wait_for_url(re.compile(r"/edit/authorizations$"))
    assert page.locator("tr[data-stale=yes]").count() == 0
    user.click(
        page.get_by_role("link", name=re.compile("^LEAD plan for Buncombe County")).first,
        "back to the plan",
    )

    counts = checklist(page)
    assert (counts["fail"], counts["warn"]) == (0, 0), (
        counts,
        page.locator("#compliance").inner_text()[:3000],
    )
    assert len(user.actions) <= BUDGET, user.actions
    print(
        f"\nactions: {len(user.actions)} ({sum(a.startswith('click') for a in user.actions)} "
        f"clicks, {sum(a.startswith('fill') for a in user.actions)} fields, "
        f"{sum(a.startswith(('check', 'choose')) for a in user.actions)} choices)"
    )


def test_accessibility_of_the_county_pages(axe_page):
    from tests.test_browser import serious_violations

    page = axe_page
    page.goto("/sign-in")
    page.get_by_label("Email").fill(DIRECTOR)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/j/buncombe-county/$"))
    found = {"new plan": serious_violations(page)}
    page.get_by_role("button", name="Create plan").click()
    page.wait_for_url(re.compile(r"/plans/\d+$"))
    found["plan page with what the fund can afford"] = serious_violations(page)
    plan_url = page.url
    for name, path in (
        ("authorizations", "/edit/authorizations"),
        ("services", "/services"),
        ("receipts", "/edit/receipts"),
        ("line", "/lines/officer-training"),
    ):
        page.goto(plan_url + path)
        found[name] = serious_violations(page)
    assert {name: v for name, v in found.items() if v} == {}
