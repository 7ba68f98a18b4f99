"""The line editor live in Chromium: switching the warm hand-off to a contract hides the
on-call fields, and the preview follows the rate as it is typed — with the page's own
script under the app's CSP (no violation reported)."""

from __future__ import annotations

import re

import pytest

from planner.cost_tables import default_cost_tables
from planner.present.formatting import money
from planner.scenarios import parse_plan, plan_to_dict, project
from planner.services.demo import demo_document
from tests.test_browser import CHROMIUM, server  # noqa: F401 - fixture
from tests.web import EDITOR, PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not __import__("os").path.exists(CHROMIUM), reason="Chromium is not installed"
    ),
]


@pytest.fixture
def page(browser, server):  # noqa: F811 - the fixtures imported above
    context = browser.new_context(base_url=server, viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.problems = []
    page.on("console", lambda m: page.problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.problems.append(str(e)))
    # record every CSP violation of every page (Playwright's init script is not the page's)
    page.add_init_script("""window.cspViolations = [];
        document.addEventListener('securitypolicyviolation',
            e => window.cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));""")
    yield page
    context.close()


def contract_total(rate: str) -> int:
    """The engine's total for the demo's warm hand-off as a 128-hour contract at `rate`."""
    doc = plan_to_dict(parse_plan(demo_document(), default_cost_tables()))
    for line in doc["line_items"]:
        if line["id"] == "warm-handoff":
            keep = {
                k: line[k]
                for k in (
                    "id",
                    "kind",
                    "label",
                    "strategy",
                    "justification",
                    "start_fy",
                    "end_fy",
                    "hours_per_week",
                )
            }
            line.clear()
            line.update(keep, mode="contract", rate_per_hour=rate)
    return project(parse_plan(doc, default_cost_tables())).line("warm-handoff").total


def test_contract_mode_hides_on_call_fields_and_the_preview_follows_the_rate(page):
    page.goto("/sign-in")
    page.get_by_label("Email").fill(EDITOR)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Baseline LEAD plan").click()
    page.get_by_role("link", name="After-hours warm hand-off (on call)").click()
    panel = page.locator("#line-preview")
    # the script previews the saved line as soon as the page is up
    panel.locator("[data-figure=total]").wait_for()
    stipend = page.get_by_label("On-call stipend per hour ($)")
    assert stipend.is_visible()
    assert page.get_by_role("button", name="Show the fields for this choice").is_hidden()

    page.get_by_label("Coverage model").select_option("contract")
    assert stipend.is_hidden()
    rate = page.get_by_label("Contract rate per covered hour ($)")
    assert rate.is_visible()
    assert "CAHOOTS" in page.locator("#rate_per_hour-default").inner_text()

    rate.press_sequentially("35", delay=40)
    expected = money(contract_total("35"))
    page.wait_for_function(
        "t => document.querySelector('#line-preview [data-figure=total]')"
        " && document.querySelector('#line-preview [data-figure=total]')"
        ".textContent.startsWith(t)",
        arg=expected,
        timeout=10_000,
    )
    rate.fill("")
    rate.press_sequentially("60", delay=40)
    page.wait_for_function(
        "t => document.querySelector('#line-preview [data-figure=total]')"
        ".textContent.startsWith(t)",
        arg=money(contract_total("60")),
        timeout=10_000,
    )
    assert page.evaluate("window.cspViolations") == []
    assert [p for p in page.problems if re.search("Content Security Policy|Refused", p)] == []
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/plans/\d+#line-items$"))
    row = page.locator("tr", has=page.locator("th", has_text="After-hours warm hand-off"))
    assert money(contract_total("60")) in row.inner_text()
