"""Issue 22 in Chromium: a finance director opens the ways to fit the demo plan, applies
"Fewer referrals" to the plan, reads the new numbers on the plan page, and undoes it from the
history; the plan file is then exactly what it was."""

from __future__ import annotations

import re

import pytest

from tests.test_browser import CHROMIUM, page, server  # noqa: F401 - fixtures
from tests.web import EDITOR, PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not __import__("os").path.exists(CHROMIUM), reason="Chromium is not installed"
    ),
]


def plan_file(tab, plan_url: str) -> str:
    response = tab.request.get(plan_url + "/export.json")
    assert response.ok
    return response.text()


def test_apply_an_option_and_undo_it_from_the_history(page):  # noqa: F811
    page.goto("/sign-in")
    page.get_by_label("Email").fill(EDITOR)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto("/j/orange-county/")
    page.get_by_role("link", name="Baseline LEAD plan").first.click()
    page.wait_for_url(re.compile(r"/plans/\d+$"))
    plan_url = page.url
    before = plan_file(page, plan_url)
    participants_before = page.locator("#buys-participants").inner_text()

    page.get_by_role("link", name=re.compile("ways to fit the plan")).click()
    page.wait_for_url(re.compile(r"/options"))
    row = page.locator("#option-fewer_referrals")
    assert "Fewer referrals" in row.inner_text()
    assert page.locator("#option-extra_money").count() == 1
    assert "smallest fidelity program" in page.locator("#smallest").inner_text().lower()
    row.get_by_role("button", name="Apply to this plan").click()
    page.wait_for_url(re.compile(r"/plans/\d+(#afford)?$"))
    flash = page.locator(".flash, [role=status], .success").first.inner_text()
    assert "referrals 40/30/20 → " in flash
    assert page.locator("#buys-participants").inner_text() != participants_before
    applied = plan_file(page, plan_url)
    assert applied != before

    page.goto(plan_url + "/history")
    entry = page.locator("tr", has_text="applied the option 'Fewer referrals'").last
    entry.get_by_role("button", name="Restore the version before").click()
    page.wait_for_url(re.compile(r"/history$"))
    assert plan_file(page, plan_url) == before
    # The restore is a version of its own, and can be undone the same way.
    page.locator("tr", has_text="restored the version before").last.get_by_role(
        "button", name="Restore the version before"
    ).click()
    page.wait_for_url(re.compile(r"/history$"))
    assert plan_file(page, plan_url) == applied
