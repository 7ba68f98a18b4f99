"""End to end in a real browser (Debian's chromium, driven by Playwright): sign in, clone the
demo plan, lower the caseload limit, and watch the FTE, totals and checklist change."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from planner import create_app
from tests.conftest import served
from tests.web import EDITOR, PASSWORD

CHROMIUM = os.environ.get("PLANNER_CHROMIUM", "/usr/bin/chromium")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM) and not os.environ.get("CI"),
        reason="Chromium is not installed (apt-get install chromium); CI always runs this test",
    ),
]


@pytest.fixture(scope="module")
def server(template_database, tmp_path_factory):
    path = tmp_path_factory.mktemp("browser") / "planner.db"
    shutil.copy(template_database, path)
    app = create_app({"DATABASE_URL": f"sqlite:///{path}", "SECRET_KEY": "browser-test"})
    with served(app) as url:
        yield url


@pytest.fixture
def page(browser, server):
    context = browser.new_context(base_url=server, viewport={"width": 1366, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def cell_after(page, row_label: str) -> list[str]:
    """The cells of the first table row whose header starts with `row_label`."""
    row = page.locator(
        "tr", has=page.locator("th", has_text=re.compile("^" + re.escape(row_label)))
    ).first
    return [c.strip() for c in row.locator("td").all_inner_texts()]


def test_clone_lower_the_caseload_and_see_everything_change(page):
    page.goto("/")
    assert "/sign-in" in page.url
    page.get_by_label("Email").fill(EDITOR)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Baseline LEAD plan").click()
    page.get_by_label("Clone as").fill("Smaller caseloads")
    page.get_by_role("button", name="Clone").click()
    page.wait_for_url(re.compile(r"/plans/\d+$"))
    assert page.get_by_role("heading", level=1).inner_text().startswith("Smaller caseloads")

    fte_before = cell_after(page, "FTE: LEAD case managers")
    total_before = page.locator(".summary dd").first.inner_text()
    caseload_before = page.locator("#rule-LEAD-CASELOAD").inner_text()
    assert fte_before[-1] == "3.50"
    assert "PASS" in caseload_before

    page.get_by_role("link", name="LEAD case managers").click()
    page.get_by_label("Average caseload limit").fill("15")
    page.get_by_label("Maximum FTE (cap)").fill("4")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/plans/\d+#line-items$"))

    fte_after = cell_after(page, "FTE: LEAD case managers")
    total_after = page.locator(".summary dd").first.inner_text()
    caseload_after = page.locator("#rule-LEAD-CASELOAD")
    # 69 active ÷ 15 = 4.6 -> 5.0 FTE wanted, capped at 4.0
    assert fte_after[-1] == "4.00"
    assert total_after != total_before
    assert _dollars(total_after) > _dollars(total_before)
    assert "FAIL" in caseload_after.inner_text()
    assert "raise max_fte to 5.0" in caseload_after.inner_text()
    # the failing rule links to the input that fixes it
    caseload_after.get_by_role("link", name="Edit line 'case-managers'").click()
    assert page.get_by_label("Maximum FTE (cap)").input_value() == "4"


def test_invalid_input_is_shown_beside_the_field_in_the_browser(page):
    page.goto("/sign-in")
    page.get_by_label("Email").fill(EDITOR)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Baseline LEAD plan").click()
    page.get_by_role("link", name="Assumptions").click()
    field = page.get_by_label("Inflation a year (other costs)")
    field.fill("2")
    page.get_by_role("button", name="Save").click()
    assert field.input_value() == "2"
    assert field.get_attribute("aria-invalid") == "true"
    assert "must be between −0.5 and 1" in page.locator(".field.has-error").inner_text()


def _dollars(text: str) -> int:
    return int(re.sub(r"[^\d]", "", text))


# ----------------------------------------------------------------------------- accessibility

AXE = Path(__file__).resolve().parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"


def serious_violations(page) -> list[str]:
    assert AXE.exists(), "run `make axe` (make test does) to install axe-core"
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(n["target"][0] for n in v["nodes"][:3])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def _sign_in(page, email):
    page.goto("/sign-in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_accessibility_of_the_main_pages(axe_page):
    from tests.web import ADMIN

    page = axe_page
    found: dict[str, list[str]] = {}
    page.goto("/sign-in")
    found["sign-in"] = serious_violations(page)
    _sign_in(page, ADMIN)
    page.goto("/")
    found["jurisdiction list"] = serious_violations(page)
    page.goto("/j/orange-county/")
    found["jurisdiction"] = serious_violations(page)
    page.get_by_role("link", name="Baseline LEAD plan").click()
    found["plan page"] = serious_violations(page)
    plan_url = page.url
    page.goto(plan_url + "/edit/assumptions")
    found["editor: assumptions"] = serious_violations(page)
    page.goto(plan_url + "/lines/case-managers")
    found["editor: line item"] = serious_violations(page)
    page.goto(plan_url + "/edit/receipts")
    found["editor: receipts"] = serious_violations(page)
    page.goto("/j/orange-county/")
    page.get_by_role("link", name="Compare plans side by side").click()
    for box in page.get_by_role("checkbox").all()[:2]:
        box.check()
    page.get_by_role("button", name="Compare").click()
    assert page.get_by_role("heading", name="The plans at a glance").is_visible()
    found["compare"] = serious_violations(page)
    assert {name: v for name, v in found.items() if v} == {}
