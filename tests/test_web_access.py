"""Nobody gets in where they don't belong: every route of the app, walked as an anonymous
visitor, as a member of another county, and as a viewer. New routes are covered
automatically: the walk reads the app's URL map."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from planner.extensions import db
from planner.models import PlanRecord
from tests.web import ADMIN, EDITOR, OTHER, VIEWER, sign_in, text, token

# Endpoints that only read: a viewer may use them.
READ_ENDPOINTS = {
    "jurisdictions.index",
    "jurisdictions.show",
    "plans.show",
    "plans.chart",
    "plans.export_json",
    "plans.history",
    "options.page",
    "reports.report_pdf",
    "reports.export_xlsx",
    "reports.export_csv",
    "reports.resolution",
    "reports.ordinance",
    "reports.board_packet_zip",
    "reports.compare_page",
    "reports.compare_chart",
    "reports.compare_pdf",
    "uncertainty.chart",
    "actuals.index",
    "actuals.history",
    "actuals.template_csv",
    "actuals.fy",
    "actuals.exhibit_e",
    "actuals.exhibit_f",
    "funding.page",
    "funding.shared",
}
# Published adopted plans, their files, their index and the schemas (issue 24): anyone.
PUBLIC_PAGES = {
    "public.index",
    "public.index_json",
    "public.page",
    "public.fund_chart",
    "public.document",
    "public.report_pdf",
    "public.schema",
}
PUBLIC = {
    "auth.sign_in",
    "static",
    "health.healthz",
    "statewide.page",
    "statewide.export_csv",
} | PUBLIC_PAGES
ACCOUNT = {"auth.sign_out"}


def orange_plan(app, name="Baseline LEAD plan") -> int:
    with app.app_context():
        return db.session.scalar(select(PlanRecord.id).where(PlanRecord.name == name))


def _user_id(app, email) -> int:
    from planner.models import User

    with app.app_context():
        return db.session.scalar(select(User.id).where(User.email == email))


def _orange_share(app) -> int:
    """A program Durham County shares with Orange County (cost model §17): Orange's shared
    program page exists."""
    from planner.models import SharedProgram
    from planner.services.demo import jurisdiction

    with app.app_context():
        found = db.session.scalar(select(SharedProgram.id))
        if found is None:
            durham = db.session.scalar(select(PlanRecord).where(PlanRecord.name == "Durham plan"))
            share = SharedProgram(
                lead_plan_id=durham.id,
                partner_jurisdiction_id=jurisdiction(db.session, "orange-county").id,
                source_id="orange-county",
                program="Durham plan",
                status="invited",
            )
            db.session.add(share)
            db.session.commit()
            found = share.id
        return found


def _version(app) -> int:
    with app.app_context():
        return db.session.get(PlanRecord, orange_plan(app)).version


def routes(app):
    """Every (endpoint, method, url) of the app, with real values for its parameters."""
    values = {
        "slug": "orange-county",
        "plan_id": orange_plan(app),
        "line_id": "case-managers",
        "section": "fund",
        "kind": "fund",
        "index": 0,
        "direction": "up",
        "filename": "style.css",
        "user_id": _user_id(app, VIEWER),
        "fy_text": "FY2026-27",
        "ext": "csv",
        "change_id": 1,  # a history entry (issue 22: restore)
        "source_id": "general-fund",
        "share_id": _orange_share(app),
        "version": _version(app),  # a public page's plan version (issue 24)
        "name": "lead-plan",  # a published schema
        "number": 1,
    }
    # query values the read-only pages take (harmless elsewhere)
    query = (
        f"?plans={values['plan_id']}&plans={orange_plan(app, 'Orange alternative')}"
        "&first=FY2026-27&last=FY2027-28"
    )
    found = []
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods & {"GET", "POST"}):
            url = rule.build({name: values[name] for name in rule.arguments}, append_unknown=False)[
                1
            ]
            found.append((rule.endpoint, method, url + (query if method == "GET" else "")))
    return found


def call(client, method, url, csrf):
    if method == "GET":
        return client.get(url)
    return client.post(url, data={"csrf_token": csrf, "name": "x", "version": ""})


def test_the_walk_sees_every_blueprint(app):
    endpoints = {endpoint for endpoint, _, _ in routes(app)}
    for blueprint in (
        "auth",
        "account",
        "admin",
        "jurisdictions",
        "plans",
        "editor",
        "reports",
        "health",
        "actuals",
        "funding",
        "public",
    ):
        assert any(e.startswith(blueprint + ".") for e in endpoints), blueprint
    assert len(endpoints) >= 20


def test_anonymous_visitors_are_sent_to_sign_in(app, client):
    for endpoint, method, url in routes(app):
        if endpoint in PUBLIC:
            continue
        response = call(client, method, url, "")
        if method == "POST":  # no session, no token: refused before anything runs
            assert response.status_code in (302, 400), (endpoint, url)
        else:
            assert response.status_code == 302, (endpoint, url)
            assert response.headers["Location"].startswith("/sign-in"), (endpoint, url)


@pytest.mark.parametrize("who", [None, EDITOR, ADMIN])
def test_a_plan_not_published_has_no_public_url(app, client, who):
    """Issue 24: a draft (or any plan not published) has no public page or file, for
    anyone, signed in or not; the index and the schemas are open to all."""
    if who:
        sign_in(client, who)
    with app.app_context():
        assert db.session.get(PlanRecord, orange_plan(app)).status == "draft"
    checked = 0
    for endpoint, _method, url in routes(app):
        if endpoint not in PUBLIC_PAGES:
            continue
        response = client.get(url)
        if endpoint in ("public.index", "public.index_json", "public.schema"):
            assert response.status_code == 200, (endpoint, url)
            assert response.headers["Cache-Control"].startswith("public"), endpoint
        else:
            assert response.status_code == 404, (endpoint, url, response.status_code)
            checked += 1
        for kind in ("plan", "projection", "compliance", "annual-reports"):
            if endpoint == "public.document":
                assert client.get(url.replace("/fund.json", f"/{kind}.json")).status_code == 404
    assert checked == 4
    assert "Baseline LEAD plan" not in client.get("/public").get_data(as_text=True)


def test_members_of_another_county_get_404_everywhere(app, client):
    sign_in(client, OTHER)
    csrf = token(client, "/j/durham-county/")
    checked = 0
    for endpoint, method, url in routes(app):
        if "/j/orange-county/" not in url:
            continue
        response = call(client, method, url, csrf)
        assert response.status_code == 404, (endpoint, method, url, response.status_code)
        checked += 1
    assert checked >= 20


def record_closed_fy(app) -> None:
    """Orange County's FY2026-27 actuals, so that the plans' Exhibit E and F pages exist."""
    from planner.services.actuals import save_fy
    from planner.services.demo import jurisdiction

    with app.app_context():
        save_fy(
            db.session,
            jurisdiction(db.session, "orange-county"),
            None,
            2026,
            {"receipts": "1", "interest": "0", "spending": {"A:10": "1"}},
            expected_version=0,
            as_of=dt.date(2027, 7, 1),
            action="entered",
        )
        db.session.commit()


def test_viewers_read_but_get_403_on_every_change(app, client):
    record_closed_fy(app)
    sign_in(client, VIEWER)
    csrf = token(client, "/j/orange-county/")
    before = _documents(app)
    for endpoint, method, url in routes(app):
        if endpoint in PUBLIC | ACCOUNT or "/j/" not in url:
            continue
        response = call(client, method, url, csrf)
        if endpoint in READ_ENDPOINTS and method == "GET":
            assert response.status_code in (200, 304), (endpoint, url, response.status_code)
        else:
            assert response.status_code == 403, (endpoint, method, url, response.status_code)
    assert _documents(app) == before


def test_analysts_read_every_government_and_change_nothing(app, client):
    """A state-level analyst (issue 24), a member of no government: every read-only page of
    Orange County's is there, the administrators' pages are not, and every change anywhere
    is refused (403) — but signing out and their own password."""
    from planner.services.accounts import create_user
    from planner.web.access import ANALYST_OWN, READ_ONLY_ENDPOINTS

    ADMIN_READ = {e for e in READ_ONLY_ENDPOINTS if e.startswith("admin.")}  # noqa: N806

    record_closed_fy(app)
    with app.app_context():
        create_user(db.session, "analyst@state.example", "correct horse battery", is_analyst=True)
        db.session.commit()
    sign_in(client, "analyst@state.example")
    csrf = token(client, "/j/orange-county/")
    before = _documents(app)
    read = refused = 0
    for endpoint, method, url in routes(app):
        if endpoint in ANALYST_OWN | PUBLIC:  # signing in is anyone's, a change to no one's
            continue
        response = call(client, method, url, csrf)
        if method == "GET" and endpoint in READ_ENDPOINTS:
            assert response.status_code in (200, 304), (endpoint, url, response.status_code)
            read += 1
        elif method == "GET" and endpoint in ADMIN_READ:  # not there for anyone but admins
            assert response.status_code == 404, (endpoint, url, response.status_code)
        else:
            assert response.status_code == 403, (endpoint, method, url, response.status_code)
            refused += 1
    assert read >= 20
    assert refused >= 40
    assert _documents(app) == before
    assert client.get("/statewide").status_code == 200
    html = client.get(f"/j/orange-county/plans/{orange_plan(app)}").get_data(as_text=True)
    assert "/edit/" not in html  # no edit control is offered
    assert "Clone" not in html


def _documents(app):
    with app.app_context():
        return [(r.id, r.version, r.document) for r in db.session.scalars(select(PlanRecord))]


def test_a_viewer_sees_no_edit_controls(app, client):
    sign_in(client, VIEWER)
    page = client.get(f"/j/orange-county/plans/{orange_plan(app)}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "/edit/" not in html
    assert "Clone" not in html
    assert "LEAD-CASELOAD" in html


def test_a_plan_id_of_another_county_is_not_found_under_yours(app, client):
    sign_in(client, EDITOR)
    with app.app_context():
        durham = db.session.scalar(select(PlanRecord.id).where(PlanRecord.name == "Durham plan"))
    assert client.get(f"/j/orange-county/plans/{durham}").status_code == 404
    assert client.get(f"/j/durham-county/plans/{durham}").status_code == 404


def test_each_user_sees_only_their_jurisdictions(app, client):
    sign_in(client, OTHER)
    response = client.get("/", follow_redirects=True)
    assert "Durham County" in text(response)
    assert "Orange County" not in text(response)
    client.post("/sign-out", data={"csrf_token": token(client, "/j/durham-county/")})
    sign_in(client, ADMIN)
    listing = client.get("/")
    assert "117 local governments" in text(listing)
    # An administrator sees every government, cities as well as counties.
    assert "City of Durham" in text(listing)
    assert "Durham County" in text(listing)


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/x"])
def test_sign_in_never_redirects_off_site(app, client, next_url):
    response = client.post(
        "/sign-in",
        data={
            "email": EDITOR,
            "password": "correct horse battery",
            "next": next_url,
            "csrf_token": token(client, "/sign-in"),
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_wrong_password_and_security_headers(app, client):
    response = client.post(
        "/sign-in",
        data={"email": EDITOR, "password": "nope", "csrf_token": token(client, "/sign-in")},
    )
    assert response.status_code == 401
    assert "Wrong email or password." in text(response)
    assert 'value="nope"' not in response.get_data(as_text=True)
    headers = client.get("/sign-in").headers
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"


def test_healthz_checks_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


@pytest.mark.parametrize("email", [EDITOR, VIEWER, OTHER])
def test_only_administrators_reach_the_admin_pages(app, client, email):
    sign_in(client, email)
    csrf = token(client, "/account/password")
    admin_routes = [(e, m, u) for e, m, u in routes(app) if e.startswith("admin.")]
    assert len(admin_routes) >= 5
    for endpoint, method, url in admin_routes:
        response = call(client, method, url, csrf)
        assert response.status_code == 404, (endpoint, method, url, response.status_code)


def test_administrators_see_every_jurisdiction_and_the_accounts(app, client):
    sign_in(client, ADMIN)
    assert client.get("/admin/users").status_code == 200
    assert client.get(f"/j/orange-county/plans/{orange_plan(app)}").status_code == 200
    assert client.get("/j/durham-county/").status_code == 200


def test_healthz_reports_an_unavailable_database(tmp_path):
    from planner import create_app

    app = create_app(
        {"DATABASE_URL": f"sqlite:///{tmp_path}/missing/dir/planner.db", "SECRET_KEY": "t"}
    )
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "unavailable"}


def test_a_nul_character_anywhere_in_a_request_is_refused(app, client):
    sign_in(client, EDITOR)
    pid = orange_plan(app)
    csrf = token(client, f"/j/orange-county/plans/{pid}/rename")
    response = client.post(
        f"/j/orange-county/plans/{pid}/rename", data={"csrf_token": csrf, "name": "a\x00b"}
    )
    assert response.status_code == 400
    assert "NUL character" in text(response)
    assert client.get("/j/orange-county/?q=%00").status_code == 400
