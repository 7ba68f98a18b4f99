"""The plan page keeps each saved version's figures (`planner/web/views.py`,
`planner/services/evaluated.py`): made once, by the request that saved the version, and read
by the page. Kept by content, so whatever changes what the page shows is on the next page at
once: a new version, an edited actual, a changed authorization, an adoption, a new analysis.
Each case goes through the app's own forms with their CSRF tokens, and compares the page with
the figures computed afresh from the stored plan (no cache) — and a county sees only its own
plans, however alike the documents are."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest
from sqlalchemy import select

import planner.web.actuals
import planner.web.common
import planner.web.plans
from planner.extensions import db
from planner.models import PlanRecord
from planner.present.formatting import money
from planner.services.evaluated import VERSIONS
from planner.services.plans import view_plan
from planner.web import views
from tests.web import EDITOR, OTHER, form_values, sign_in

# Every test here goes through the app: `make test-fast` does not even import this module.
pytestmark = pytest.mark.web

TODAY = dt.date(2027, 8, 1)  # FY2026-27, the demo plan's first FY, has ended


@pytest.fixture(autouse=True)
def later(monkeypatch):
    """One clock for the pages and the fresh figures they are compared with."""
    monkeypatch.setattr(planner.web.actuals, "today", lambda: TODAY)
    monkeypatch.setattr(planner.web.plans, "today", lambda: TODAY)
    monkeypatch.setattr(planner.web.common, "today", lambda: TODAY)  # the saves' clock


def plan_id(app, name: str = "Baseline LEAD plan") -> int:
    with app.app_context():
        return db.session.scalar(select(PlanRecord.id).where(PlanRecord.name == name))


def fresh(app, plan: int):
    """What the page must show: the stored plan viewed with every cache emptied."""
    views._cached_view.cache_clear()
    VERSIONS.clear()
    with app.app_context():
        record = db.session.get(PlanRecord, plan)
        found = view_plan(record, TODAY)
        return (
            record.version,
            found.projection,
            {r.rule: (r.status, r.message) for r in found.results},
        )


def shown(client, plan: int, slug: str = "orange-county"):
    """The page's version (its forms carry it), closing balances, total and checklist."""
    page = client.get(f"/j/{slug}/plans/{plan}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    found = re.search(r'name="version" value="(\d+)"', html)  # none on an adopted plan
    version = int(found.group(1)) if found else None
    closing = re.search(r'<th scope="row">Closing balance</th>(.*?)</tr>', html, re.S).group(1)
    total = re.search(r'<th scope="row">Total spending</th>(.*?)</tr>', html, re.S).group(1)
    checklist = re.findall(
        r'<li class="result (\w+)" id="rule-([A-Z0-9-]+)">.*?</strong>\s*<p>(.*?)</p>', html, re.S
    )
    return (
        version,
        re.findall(r"<td[^>]*>([^<]*)</td>", closing),
        re.findall(r"<td[^>]*>([^<]*)</td>", total),
        {rule: (status, unescape(message)) for status, rule, message in checklist},
        html,
    )


def assert_current(app, client, plan: int) -> str:
    """The page shows the stored plan as it is now; returns the page."""
    version, projection, statuses = fresh(app, plan)
    page_version, closing, total, checklist, html = shown(client, plan)
    assert page_version in (version, None)
    assert closing[: len(projection.fund.closing)] == [money(v) for v in projection.fund.closing]
    assert total[-1] == money(projection.total)
    assert checklist == statuses
    return html


def views_made() -> tuple[int, int]:
    info = views._cached_view.cache_info()
    return info.hits, info.misses


def test_a_saved_line_is_on_the_page_at_once_and_made_by_the_save(app, client):
    sign_in(client, EDITOR)
    plan = plan_id(app)
    before = shown(client, plan)
    url = f"/j/orange-county/plans/{plan}/lines/case-managers"
    form = form_values(client.get(url).get_data(as_text=True))
    form["salary"] = str(int(float(form["salary"].replace(",", ""))) + 9000)
    assert client.post(url, data=form).status_code == 302
    # the save made the new version's view: the page finds it (a hit, no miss)
    hits, misses = views_made()
    after = shown(client, plan)
    assert views_made() == (hits + 1, misses)
    assert after[0] == before[0] + 1
    assert after[2][-1] != before[2][-1]  # the total moved
    assert_current(app, client, plan)


def test_a_refused_save_makes_nothing_and_changes_nothing(app, client):
    sign_in(client, EDITOR)
    plan = plan_id(app)
    before = shown(client, plan)
    url = f"/j/orange-county/plans/{plan}/lines/case-managers"
    form = form_values(client.get(url).get_data(as_text=True))
    form["salary"] = "-5"
    assert client.post(url, data=form).status_code == 422
    del form["csrf_token"]  # no token: refused before anything is read
    form["salary"] = "99999"
    assert client.post(url, data=form).status_code in (400, 422)
    assert shown(client, plan)[:4] == before[:4]
    assert_current(app, client, plan)


def test_an_edited_actual_is_on_the_page_at_once(app, client):
    sign_in(client, EDITOR)
    plan = plan_id(app)
    before = shown(client, plan)
    url = "/j/orange-county/actuals/FY2026-27"
    values = form_values(client.get(url).get_data(as_text=True))
    values.update(receipts="1019496", interest="31250", spending_A_10="402113")
    assert client.post(url, data=values).status_code == 302
    first = assert_current(app, client, plan)
    assert 'id="reforecast"' in first
    first_closing = shown(client, plan)[1]
    assert first_closing != before[1]  # the closing balances follow the actuals
    # corrected: the page follows the correction, not the first entry
    values = form_values(client.get(url).get_data(as_text=True))
    values.update(receipts="2019496")
    assert client.post(url, data=values).status_code == 302
    assert shown(client, plan)[1][0] != first_closing[0]  # $1,000,000 more received
    assert_current(app, client, plan)


def test_a_changed_authorization_is_on_the_page_at_once(app, client):
    sign_in(client, EDITOR)
    plan = plan_id(app)
    before = shown(client, plan)
    url = f"/j/orange-county/plans/{plan}/edit/authorizations"
    listing = client.get(url).get_data(as_text=True)
    data = form_values(listing)
    data.update(
        strategy="A:10",
        amount="560000",
        start="2027-07-01",
        end="2028-06-30",
        adopted_on="2027-06-01",
    )
    assert client.post(url, data=data).status_code == 302
    assert_current(app, client, plan)
    assert shown(client, plan)[0] == before[0] + 1
    # and removed again: the page follows
    listing = client.get(url).get_data(as_text=True)
    delete = re.findall(r'action="([^"]*/authorizations/\d+/delete)"', listing)[-1]
    data = form_values(listing)
    response = client.post(
        delete, data={"csrf_token": data["csrf_token"], "version": data["version"]}
    )
    assert response.status_code == 302
    assert shown(client, plan)[0] == before[0] + 2
    assert_current(app, client, plan)


def test_an_adoption_is_on_the_page_at_once(app, client):
    sign_in(client, EDITOR)
    plan = plan_id(app)
    assert 'id="move-plan"' in shown(client, plan)[4]  # an editor's tools on a draft
    # draft → proposed → adopted, each from the page it shows
    for action, status in (("propose", "proposed"), ("adopt", "adopted")):
        html = shown(client, plan)[4]
        data = form_values(html[html.index('id="status"') :])
        response = client.post(
            f"/j/orange-county/plans/{plan}/status",
            data={
                "csrf_token": data["csrf_token"],
                "version": data["version"],
                "seen": data["seen"],
                "action": action,
                "adopted_on": "2026-06-01" if action == "adopt" else "",
            },
        )
        assert response.status_code == 302
        html = assert_current(app, client, plan)
        assert f'class="status {status}"' in html
    assert 'id="move-plan"' not in html  # an adopted plan is never changed


def test_a_new_analysis_is_on_the_page_at_once(app, client):
    sign_in(client, EDITOR)
    plan = plan_id(app)
    base = f"/j/orange-county/plans/{plan}"
    assert 'id="uncertainty-any"' not in shown(client, plan)[4]
    form = form_values(client.get(base + "/uncertainty?offered=1").get_data(as_text=True))
    form["draws"] = "500"
    assert client.post(base + "/uncertainty", data=form).status_code == 302
    first = shown(client, plan)[4]
    assert 'id="uncertainty-any"' in first  # the queue ran it at once (JOBS_IMMEDIATE)
    key = re.search(r"uncertainty-fund\.svg\?v=(\w+)", first).group(1)
    url = base + "/lines/case-managers"
    line = form_values(client.get(url).get_data(as_text=True))
    line["caseload_average"] = "17"
    assert client.post(url, data=line).status_code == 302
    second = shown(client, plan)[4]
    assert re.search(r"uncertainty-fund\.svg\?v=(\w+)", second).group(1) != key
    assert_current(app, client, plan)


def test_a_county_reads_only_its_own_plans_however_alike(app, client):
    """Orange's and Durham's plans start from the same demo document: kept by content, their
    figures may be shared; their pages, names and links never are."""
    sign_in(client, EDITOR)
    orange = plan_id(app)
    durham = plan_id(app, "Durham plan")
    assert_current(app, client, orange)
    url = f"/j/orange-county/plans/{orange}/lines/case-managers"
    form = form_values(client.get(url).get_data(as_text=True))
    form["caseload_average"] = "16"
    assert client.post(url, data=form).status_code == 302
    assert client.get(f"/j/durham-county/plans/{durham}").status_code == 404
    assert client.get(f"/j/orange-county/plans/{durham}").status_code == 404
    client.post("/sign-out", data={"csrf_token": form["csrf_token"]})
    other = app.test_client()
    sign_in(other, OTHER)
    assert other.get(f"/j/orange-county/plans/{orange}").status_code == 404
    assert other.get(f"/j/durham-county/plans/{orange}").status_code == 404
    page = other.get(f"/j/durham-county/plans/{durham}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Durham plan" in html
    assert "Baseline LEAD plan" not in html
    assert f"/plans/{orange}" not in html
    assert "orange-county" not in html


def test_the_page_reads_the_same_few_queries_however_long_the_history(app, client):
    """The page's SQL, echoed: the same statements after more saves (no query a history
    entry, no whole history loaded: its last id is one aggregate)."""
    from sqlalchemy import event

    sign_in(client, EDITOR)
    plan = plan_id(app)
    with app.app_context():
        engine = db.engine
    statements: list[str] = []

    def echo(conn, cursor, statement, parameters, context, executemany):  # noqa: ARG001
        statements.append(" ".join(statement.split()))

    def page_sql() -> list[str]:
        statements.clear()
        event.listen(engine, "before_cursor_execute", echo)
        try:
            assert client.get(f"/j/orange-county/plans/{plan}").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", echo)
        return list(statements)

    url = f"/j/orange-county/plans/{plan}/lines/case-managers"
    first = page_sql()
    for caseload in ("16", "17", "18"):
        form = form_values(client.get(url).get_data(as_text=True))
        form["caseload_average"] = caseload
        assert client.post(url, data=form).status_code == 302
    later_sql = page_sql()
    assert later_sql == first
    assert len(first) <= 12
    history = [s for s in first if "plan_changes" in s]
    assert len(history) == 1
    assert history[0].startswith("SELECT max(plan_changes.id)")
