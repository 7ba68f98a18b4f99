"""The web layer's plumbing: any line id opens in the editor (a line labelled "New" gets
the id `new`), the rules' fix links tell a line called `new` from "add a line", access is
decided once per request, and the error pages come from their own blueprint. Driven as a
person would: pages and form posts with CSRF tokens."""

from __future__ import annotations

import json

import pytest
from flask import abort
from sqlalchemy import select

from planner.extensions import db
from planner.models import PlanRecord
from planner.scenarios.compliance import RuleResult
from planner.web import BLUEPRINTS
from tests.web import EDITOR, form_values, sign_in, text, token

# Every test here goes through the app: `make test-fast` does not even import this module.
pytestmark = pytest.mark.web


def _plan(app) -> tuple[int, str]:
    with app.app_context():
        pid = db.session.scalar(
            select(PlanRecord.id).where(PlanRecord.name == "Baseline LEAD plan")
        )
    return pid, f"/j/orange-county/plans/{pid}"


def _lines(app, pid) -> dict[str, dict]:
    with app.app_context():
        document = json.loads(db.session.get(PlanRecord, pid).document)
    return {line["id"]: line for line in document["line_items"]}


def _post_page(client, url, changes):
    """The form at `url` posted back with `changes` (its CSRF token and version kept)."""
    page = client.get(url)
    assert page.status_code == 200, page.status_code
    data = form_values(page.get_data(as_text=True))
    assert data.get("csrf_token")
    assert data.get("version")
    data.update(changes)
    return client.post(url, data=data)


def test_a_line_labelled_new_is_added_opened_edited_and_deleted(app, client):
    sign_in(client, EDITOR)
    pid, base = _plan(app)
    before = _lines(app, pid)
    assert "new" not in before

    added = _post_page(
        client, base + "/add-line/create?kind=other", {"label": "New", "annual_amount": "1234"}
    )
    assert added.status_code == 302, text(added)[:400]
    lines = _lines(app, pid)
    assert list(lines) == [*before, "new"]
    assert lines["new"]["label"] == "New"
    assert lines["new"]["annual_amount"] == "1234"

    # the plan page links to the line itself, and its address opens the line's form
    page = client.get(base)
    assert f'href="{base}/lines/new"' in page.get_data(as_text=True)
    opened = client.get(base + "/lines/new")
    assert opened.status_code == 200
    shown = form_values(opened.get_data(as_text=True))
    assert (shown["label"], shown["annual_amount"]) == ("New", "1234")

    edited = _post_page(client, base + "/lines/new", {"annual_amount": "2345"})
    assert edited.status_code == 302, text(edited)[:400]
    assert _lines(app, pid)["new"]["annual_amount"] == "2345"

    # a second line labelled "New" is numbered past the first
    again = _post_page(
        client, base + "/add-line/create?kind=other", {"label": "New", "annual_amount": "1"}
    )
    assert again.status_code == 302
    assert list(_lines(app, pid))[-2:] == ["new", "new-2"]

    with app.app_context():
        version = db.session.get(PlanRecord, pid).version
    deleted = client.post(
        base + "/lines/new/delete", data={"csrf_token": token(client, base), "version": version}
    )
    assert deleted.status_code == 302
    assert list(_lines(app, pid)) == [*before, "new-2"]
    assert client.get(base + "/lines/new").status_code == 404


def test_a_line_called_create_opens_and_saves(app, client):
    sign_in(client, EDITOR)
    pid, base = _plan(app)
    with app.app_context():
        record = db.session.get(PlanRecord, pid)
        document = json.loads(record.document)
        document["line_items"].append(
            {"id": "create", "kind": "other", "label": "Creative", "annual_amount": "20"}
        )
        record.document = json.dumps(document)
        db.session.commit()
    saved = _post_page(client, base + "/lines/create", {"annual_amount": "30"})
    assert saved.status_code == 302
    assert _lines(app, pid)["create"]["annual_amount"] == "30"
    preview = client.post(
        base + "/lines/create/preview",
        data={
            **form_values(client.get(base + "/lines/create").get_data(as_text=True)),
            "annual_amount": "40",
        },
    )
    assert preview.status_code == 200
    assert _lines(app, pid)["create"]["annual_amount"] == "30"  # a preview saves nothing


def _result(rule: str, line_items: tuple[str, ...], inputs: tuple[str, ...]) -> RuleResult:
    return RuleResult(
        rule=rule,
        status="warn",
        message="",
        fiscal_years=(),
        line_items=line_items,
        citation="",
        inputs=inputs,
    )


def test_fix_links_tell_a_line_called_new_from_adding_a_line(app):
    from planner.web.plans import fix_links

    with app.test_request_context():
        record = db.session.get(PlanRecord, _plan(app)[0])
        base = f"/j/orange-county/plans/{record.id}"
        results = [
            _result("A", (), ("line:new",)),
            _result("B", ("new",), ("line:new",)),
            _result(
                "LEAD-SERVICES",
                ("newsletter",),
                ("line:newsletter", "line:new:service_gap:housing"),
            ),
        ]
        links = fix_links(record, results)
    assert links["A"] == [("Add a line item", base + "/add-line")]
    assert links["B"] == [("Edit line 'new'", base + "/lines/new")]
    assert [url for _, url in links["LEAD-SERVICES"]] == [
        base + "/services",
        base + "/lines/newsletter",
        base + "/add-line/create?kind=service_gap&category=housing",
    ]


def test_access_is_decided_once_per_request(app, client, monkeypatch):
    """One look-up of the user's role and one of the plan per request, however many times
    the view asks for them."""
    import planner.web.access as access

    sign_in(client, EDITOR)
    pid, base = _plan(app)
    roles, plans = [], []
    real_role, real_plan = access.role_in, access._plan_or_404
    monkeypatch.setattr(access, "role_in", lambda *a: roles.append(1) or real_role(*a))
    monkeypatch.setattr(access, "_plan_or_404", lambda *a: plans.append(1) or real_plan(*a))
    for url in (base, base + "/edit/assumptions", base + "/lines/food", base + "/rename"):
        roles.clear()
        plans.clear()
        assert client.get(url).status_code == 200, url
        assert (len(roles), len(plans)) == (1, 1), url
    roles.clear()
    plans.clear()
    assert _post_page(client, base + "/rename", {"name": "Renamed"}).status_code == 302
    assert (len(roles), len(plans)) == (2, 2)  # the form's page, then the post


def test_the_error_pages_come_from_their_blueprint(app, client, monkeypatch):
    assert "errors" in BLUEPRINTS
    assert "errors" in app.blueprints
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def broken():
        db.session.get(PlanRecord, 1)
        raise RuntimeError("boom")

    app.add_url_rule("/broken", "health.broken", broken)  # public: no sign-in needed
    app.add_url_rule("/gone", "health.gone", lambda: abort(404))
    import planner.web.access as access

    monkeypatch.setattr(
        access, "PUBLIC_ENDPOINTS", access.PUBLIC_ENDPOINTS | {"health.broken", "health.gone"}
    )
    failed = client.get("/broken")
    missing = client.get("/gone")
    assert failed.status_code == 500
    assert "Something went wrong" in text(failed)
    assert missing.status_code == 404
    assert "Not found" in text(missing)
    assert failed.headers["Cache-Control"] == "no-store"  # the app's headers still apply
