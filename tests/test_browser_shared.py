"""A small county and its neighbour build one shared LEAD program in Chromium (cost model
§17): Ashe County runs it, Alleghany County pays 30% of its LEAD lines. Each government's
checklist has no fail and no warn (Ashe's LEAD rules judge the program; Alleghany's report
info, judged on Ashe's program), and each government's PDF shows its own share. Every
action is counted (each click, field filled and choice made counts one)."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil

import pytest
from pypdf import PdfReader

from planner import create_app
from planner.extensions import db
from planner.services.accounts import create_user, set_membership
from planner.services.demo import jurisdiction
from tests.conftest import served
from tests.test_browser import CHROMIUM
from tests.test_browser_county import Counted, checklist, fix_link
from tests.web import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not __import__("os").path.exists(CHROMIUM), reason="Chromium is not installed"
    ),
]

ASHE = "finance@ashe.example"
ALLEGHANY = "finance@alleghany.example"
LEAD_BUDGET = 32  # the county test's 30, and the share: a link, a choice and a field
PARTNER_BUDGET = 14


@pytest.fixture(scope="module")
def server(template_database, tmp_path_factory):
    path = tmp_path_factory.mktemp("shared") / "planner.db"
    shutil.copy(template_database, path)
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{path}",
            "SECRET_KEY": "browser-test",
            # the PDFs are made at once, in this process (the queue is tests/test_jobs.py's)
            "QUEUE_URL": "memory://",
            "JOBS_IMMEDIATE": True,
            "JOBS_ISOLATE": False,
        }
    )
    with app.app_context():
        for email, slug in ((ASHE, "ashe-county"), (ALLEGHANY, "alleghany-county")):
            user = create_user(db.session, email, PASSWORD)
            set_membership(db.session, user, jurisdiction(db.session, slug), "editor")
        db.session.commit()
    with served(app) as url:
        yield url


def _sign_in(page, email: str, slug: str) -> None:
    page.goto("/sign-in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(rf"/j/{slug}/$"))


def _authorize(user: Counted, page, today: dt.date, back: str) -> None:
    user.click(fix_link(page, "MOA-AUTHORIZATION", "Authorize FYs from the plan"), "Authorize FYs")
    authorize = page.locator("#authorize-form")
    user.fill(authorize.get_by_label("Resolution adopted on"), today.isoformat(), "adopted on")
    user.fill(
        authorize.get_by_label("Budget ordinance adopted on"), today.isoformat(), "ordinance on"
    )
    user.click(page.get_by_role("button", name="Authorize these FYs"), "Authorize")
    page.wait_for_url(re.compile(r"/edit/authorizations$"))
    user.click(page.get_by_role("link", name=re.compile(f"^{back}")).first, "back to the plan")


def _moa_date(user: Counted, page) -> None:
    user.click(fix_link(page, "MOA-EXECUTION-DATE", "Edit the fund"), "Edit the fund")
    user.fill(page.get_by_label(re.compile("^MOA executed on")), "2022-05-03", "MOA date")
    user.click(page.get_by_role("button", name="Save", exact=True), "Save")
    page.wait_for_url(re.compile(r"/plans/\d+#fund$"))


def _pdf_text(page, plan_url: str) -> str:
    """The plan's PDF as a person gets it: while the worker renders it the address answers
    202 with a page that refreshes itself; then the stored PDF (bounded: 60 tries)."""
    for _ in range(60):
        response = page.request.get(f"{plan_url}/report.pdf")
        if response.status != 202:
            break
        page.wait_for_timeout(1000)
    assert response.status == 200
    reader = PdfReader(io.BytesIO(response.body()))
    return re.sub(r"\s+", " ", " ".join(p.extract_text() for p in reader.pages))


def _no_fail_no_warn(page) -> None:
    counts = checklist(page)
    assert (counts["fail"], counts["warn"]) == (0, 0), (
        counts,
        page.locator("#compliance").inner_text()[:4000],
    )


def test_two_governments_build_one_shared_program(browser, server):  # noqa: F811
    today = dt.date.today()  # noqa: DTZ011 - the server's own clock decides what is adopted
    context = browser.new_context(base_url=server, viewport={"width": 1366, "height": 900})
    page = context.new_page()

    # ---- Ashe County, the lead: its starting plan, made adoptable, shared with Alleghany
    _sign_in(page, ASHE, "ashe-county")
    lead = Counted(page)
    lead.fill(page.get_by_label(re.compile("^Its 18-year CORE-NC total")), "9000000", "total")
    lead.click(page.get_by_role("button", name="Create plan"), "Create plan")
    page.wait_for_url(re.compile(r"/plans/\d+$"))
    lead_url = page.url
    _moa_date(lead, page)
    lead.click(
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
        lead.check(page.locator(f"#{name}"), name)
    lead.fill(
        page.locator("#outreach_plan"),
        "Outreach through the High Country's churches and health departments; quarterly "
        "review of referral data by race.",
        "outreach plan",
    )
    lead.click(page.get_by_role("button", name="Save", exact=True), "Save")
    page.wait_for_url(re.compile(r"/plans/\d+#program$"))
    lead.click(fix_link(page, "LEAD-SERVICES", "Assess the services"), "Assess the services")
    for select in page.locator("form.editor select").all():
        lead.choose(select, "adequate", "a service")
    lead.click(page.get_by_role("button", name="Save the assessment"), "Save the assessment")
    page.wait_for_url(re.compile(r"/plans/\d+#compliance$"))

    # Share: Alleghany County pays 30% of every LEAD line (the default choice of lines).
    lead.click(page.get_by_role("link", name="Share this program with another government"), "Share")
    lead.choose(page.get_by_label("Partner government"), "alleghany-county", "partner")
    lead.fill(page.get_by_label("Its share (%)"), "30", "share")
    lead.click(page.get_by_role("button", name="Invite"), "Invite")
    page.wait_for_url(re.compile(r"/funding$"))
    assert page.locator("#partners [data-partner=alleghany-county]").count() == 1
    page.goto(lead_url)  # back to the plan (not counted: the checklist's fix link is next)
    _authorize(lead, page, today, "LEAD plan for Ashe County")
    _no_fail_no_warn(page)
    ashe_share = page.locator("#funding-by-source tr[data-source=alleghany-county]").inner_text()
    assert len(lead.actions) <= LEAD_BUDGET, lead.actions

    # ---- Alleghany County, the partner: accept into a new plan, make it adoptable
    page.goto("/sign-out")
    _sign_in(page, ALLEGHANY, "alleghany-county")
    partner = Counted(page)
    assert "invitation to accept" in page.locator("#shared-programs").inner_text()
    partner.click(page.locator("#shared-programs a").first, "the invitation")
    page.wait_for_url(re.compile(r"/j/alleghany-county/shared/\d+$"))  # not the page left
    page.wait_for_load_state()
    assert page.locator("#lead-checklist [data-rule=LEAD-CASELOAD]").count() == 1
    assert page.get_by_label("A new plan").is_checked()
    partner.fill(page.get_by_label(re.compile("^Its 18-year CORE-NC total")), "4000000", "total")
    partner.click(page.get_by_role("button", name="Accept"), "Accept")
    page.wait_for_url(re.compile(r"/j/alleghany-county/plans/\d+$"))
    partner_url = page.url
    _moa_date(partner, page)
    _authorize(partner, page, today, "Share of LEAD plan for Ashe County")
    _no_fail_no_warn(page)
    lead_rules = page.locator("#compliance li, #compliance tr").filter(has_text="LEAD-CASELOAD")
    assert "Ashe County" in lead_rules.first.inner_text()
    assert len(partner.actions) <= PARTNER_BUDGET, partner.actions

    # ---- Each government's documents show its own share.
    partner_pdf = _pdf_text(page, partner_url)
    figures = re.findall(r"\$[\d,]+|[\d,]{5,}", ashe_share)
    assert figures
    first_year = figures[0].lstrip("$")
    assert first_year in partner_pdf  # Alleghany's contribution, FY by FY
    assert "Share of LEAD plan for Ashe County" in partner_pdf
    page.goto("/sign-out")
    _sign_in(page, ASHE, "ashe-county")
    lead_pdf = _pdf_text(page, lead_url)
    assert "Alleghany County (interlocal agreement)" in lead_pdf
    assert first_year in lead_pdf
    assert "Section A" in lead_pdf
    context.close()
    print(f"\nactions: Ashe County {len(lead.actions)}, Alleghany County {len(partner.actions)}")
