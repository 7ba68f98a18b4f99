"""Trust: accounts and memberships managed by administrators, one's own password, the plan
history, adoption and the adopted-plan freeze, sign-in throttling, cookies, production
configuration, and backups."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from click.testing import CliRunner
from freezegun import freeze_time
from sqlalchemy import select

from planner import create_app
from planner.config import ConfigError
from planner.extensions import db
from planner.models import PlanChange, PlanRecord, User
from planner.models.plans import HistoryIsReadOnly
from planner.scenarios import project, projection_to_dict
from planner.services.plans import load_plan
from tests.web import ADMIN, EDITOR, PASSWORD, VIEWER, form_values, sign_in, text, token

# Every test here goes through the app: `make test-fast` does not even import this module.
pytestmark = pytest.mark.web


def plan_id(app, name="Baseline LEAD plan") -> int:
    with app.app_context():
        return db.session.scalar(select(PlanRecord.id).where(PlanRecord.name == name))


def changes(app, pid):
    with app.app_context():
        return [
            (c.action, c.path, c.old_value, c.new_value, c.user_email)
            for c in db.session.scalars(
                select(PlanChange).where(PlanChange.plan_id == pid).order_by(PlanChange.id)
            )
        ]


# ----------------------------------------------------------------------------- accounts


def test_admin_invites_a_user_who_signs_in_with_the_one_time_password(app, client):
    sign_in(client, ADMIN)
    response = client.post(
        "/admin/users",
        data={
            "csrf_token": token(client, "/admin/users"),
            "email": "New.Person@Chatham.example",
            "jurisdiction": "orange-county",
            "role": "viewer",
        },
    )
    assert response.status_code == 200
    password = re.search(r"<code>([^<]+)</code>", response.get_data(as_text=True)).group(1)
    assert "It is shown only now" in text(response)
    other = app.test_client()
    sign_in(other, "new.person@chatham.example", password)
    assert other.get("/j/orange-county/").status_code == 200
    assert other.get("/j/durham-county/").status_code == 404
    # the same email twice is refused next to the field
    again = client.post(
        "/admin/users",
        data={
            "csrf_token": token(client, "/admin/users"),
            "email": "new.person@chatham.example",
            "jurisdiction": "",
            "role": "viewer",
        },
    )
    assert again.status_code == 422
    assert "already exists" in text(again)


def test_admin_sets_roles_removes_memberships_and_deactivates(app, client):
    sign_in(client, ADMIN)
    with app.app_context():
        viewer_id = db.session.scalar(select(User.id).where(User.email == VIEWER))
    url = f"/admin/users/{viewer_id}"
    promoted = client.post(
        url,
        data={"csrf_token": token(client, url), "jurisdiction": "orange-county", "role": "editor"},
    )
    assert promoted.status_code == 302
    viewer = app.test_client()
    sign_in(viewer, VIEWER)
    pid = plan_id(app)
    assert viewer.get(f"/j/orange-county/plans/{pid}/edit/fund").status_code == 200
    removed = client.post(
        f"{url}/memberships/orange-county/delete", data={"csrf_token": token(client, url)}
    )
    assert removed.status_code == 302
    assert viewer.get(f"/j/orange-county/plans/{pid}").status_code == 404
    deactivated = client.post(f"{url}/active", data={"csrf_token": token(client, url)})
    assert deactivated.status_code == 302
    # the signed-in session ends, and signing in again is refused
    assert viewer.get("/").status_code == 302
    refused = viewer.post(
        "/sign-in",
        data={"email": VIEWER, "password": PASSWORD, "csrf_token": token(viewer, "/sign-in")},
    )
    assert refused.status_code == 401
    assert "deactivated" in text(refused)


def test_admin_resets_a_password(app, client):
    sign_in(client, ADMIN)
    with app.app_context():
        editor_id = db.session.scalar(select(User.id).where(User.email == EDITOR))
    url = f"/admin/users/{editor_id}"
    response = client.post(f"{url}/password", data={"csrf_token": token(client, url)})
    password = re.search(r"<code>([^<]+)</code>", response.get_data(as_text=True)).group(1)
    fresh = app.test_client()
    sign_in(fresh, EDITOR, password)


def test_users_change_their_own_password(app, client):
    sign_in(client, EDITOR)
    url = "/account/password"
    wrong = client.post(
        url,
        data={
            "csrf_token": token(client, url),
            "current": "nope",
            "new": "a new long password",
            "confirm": "a new long password",
        },
    )
    assert wrong.status_code == 422
    assert "The current password is wrong." in text(wrong)
    mismatch = client.post(
        url,
        data={
            "csrf_token": token(client, url),
            "current": PASSWORD,
            "new": "a new long password",
            "confirm": "different!!",
        },
    )
    assert mismatch.status_code == 422
    assert "The two new passwords differ." in text(mismatch)
    done = client.post(
        url,
        data={
            "csrf_token": token(client, url),
            "current": PASSWORD,
            "new": "a new long password",
            "confirm": "a new long password",
        },
    )
    assert done.status_code == 302
    sign_in(app.test_client(), EDITOR, "a new long password")


def test_passwords_are_hashed_with_scrypt(app):
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == EDITOR))
        assert user.password_hash.startswith("scrypt:")
        assert PASSWORD not in user.password_hash


# ----------------------------------------------------------------------------- throttling


def test_sign_in_is_throttled_after_repeated_failures(app, client):
    """Five failures in a row: the account waits LOGIN_LOCK_SECONDS (60), even for the right
    password, and is told the same as for a wrong one (tests/test_sessions.py has the
    growing waits, parallel guesses and the owner's own browser)."""
    with freeze_time("2026-11-28 10:00:00") as frozen:
        for _ in range(5):
            client.post(
                "/sign-in",
                data={
                    "email": EDITOR,
                    "password": "wrong",
                    "csrf_token": token(client, "/sign-in"),
                },
            )
        locked = client.post(
            "/sign-in",
            data={"email": EDITOR, "password": PASSWORD, "csrf_token": token(client, "/sign-in")},
        )
        assert locked.status_code == 401
        assert "Wrong email or password." in text(locked)
        frozen.tick(dt.timedelta(seconds=61))
        sign_in(client, EDITOR)


# ----------------------------------------------------------------------------- cookies, config


def test_session_cookie_flags(app, client):
    response = sign_in(client, EDITOR)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_production_needs_a_secret_and_sets_secure_cookies(tmp_path, database_url):
    with pytest.raises(ConfigError, match="PLANNER_SECRET_KEY must be set"):
        create_app({"ENV_NAME": "production", "DATABASE_URL": database_url})
    app = create_app(
        {
            "ENV_NAME": "production",
            "SECRET_KEY": "7f" * 16 + "0123456789abcdef" * 2,
            "DATABASE_URL": database_url,
        }
    )
    assert app.config["SESSION_COOKIE_SECURE"] is True
    client = app.test_client()
    response = sign_in(client, EDITOR)
    assert "Secure" in response.headers["Set-Cookie"]
    with app.app_context():
        db.engine.dispose()


# ----------------------------------------------------------------------------- history


def test_every_kind_of_change_is_in_the_history(app, client):
    sign_in(client, EDITOR)
    pid = plan_id(app)
    base = f"/j/orange-county/plans/{pid}"

    def post(url, changes_):
        data = form_values(client.get(url).get_data(as_text=True))
        data.update(changes_)
        assert client.post(url, data=data).status_code == 302

    post(base + "/edit/fund", {"interest_rate": "0.025"})
    post(base + "/edit/receipts", {"fy_2030": "1"})
    post(
        base + "/add-line/create?kind=participant_support",
        {"label": "Bus passes", "per_participant_year": "100"},
    )
    post(base + "/lines/bus-passes", {"per_participant_year": "150"})
    with app.app_context():
        version = db.session.get(PlanRecord, pid).version
    assert (
        client.post(
            base + "/lines/bus-passes/move/up",
            data={"csrf_token": token(client, base), "version": version},
        ).status_code
        == 302
    )
    with app.app_context():
        version = db.session.get(PlanRecord, pid).version
    assert (
        client.post(
            base + "/lines/bus-passes/delete",
            data={"csrf_token": token(client, base), "version": version},
        ).status_code
        == 302
    )
    post(base + "/rename", {"name": "Baseline, revised"})
    assert post_status(client, base, "propose").status_code == 302
    found = changes(app, pid)
    actions = [c[0] for c in found]
    assert ("edited fund", "fund.interest_rate", "0.02", "0.025", EDITOR) in found
    assert ("edited receipts", "fund.receipts.FY2030-31", "948000", "1", EDITOR) in found
    assert "added a line item" in actions
    assert (
        "edited line bus-passes",
        "line_items[bus-passes].per_participant_year",
        "100",
        "150",
        EDITOR,
    ) in found
    assert any(a == "moved line bus-passes up" and p == "line_items (order)" for a, p, *_ in found)
    assert any(
        a == "deleted line bus-passes" and p == "line_items[bus-passes]" and new is None
        for a, p, _, new, _ in found
    )
    assert ("renamed", "name", "Baseline LEAD plan", "Baseline, revised", EDITOR) in found
    assert ("status: proposed", "status", "draft", "proposed", EDITOR) in found
    page = client.get(base + "/history")
    # in the user's words: the field's label, the values as the editor shows them
    assert "Fund: Interest rate a year 2% 2.5%" in text(page)
    assert "Baseline, revised" in text(page)


def test_history_cannot_be_edited(app):
    with app.app_context():
        change = db.session.scalars(select(PlanChange)).first()
        change.new_value = "rewritten"
        with pytest.raises(HistoryIsReadOnly):
            db.session.flush()
        db.session.rollback()


# ----------------------------------------------------------------------------- adoption


def post_status(client, base, action, **fields):
    """Press a status button of the plan page at `base`, as shown now (with its CSRF token,
    the version and the last history entry the page showed)."""
    values = form_values(client.get(base).get_data(as_text=True))
    return client.post(
        base + "/status",
        data={
            "csrf_token": values["csrf_token"],
            "version": values["version"],
            "seen": values["seen"],
            "action": action,
            **fields,
        },
    )


def adopt(client, app, pid, day="2026-06-02"):
    return post_status(client, f"/j/orange-county/plans/{pid}", "adopt", adopted_on=day)


def test_an_adopted_plan_is_frozen_on_every_mutating_route(app, client):
    from tests.test_web_access import call, record_closed_fy, routes

    record_closed_fy(app)
    sign_in(client, EDITOR)
    pid = plan_id(app)
    assert adopt(client, app, pid).status_code == 302
    with app.app_context():
        record = db.session.get(PlanRecord, pid)
        assert (record.status, record.adopted_on) == ("adopted", dt.date(2026, 6, 2))
        before = (record.version, record.document)
    csrf = token(client, "/j/orange-county/")
    checked = 0
    for endpoint, method, url in routes(app):
        if f"/plans/{pid}" not in url:
            continue
        if method == "GET" and endpoint.startswith("public."):
            continue  # the public pages read what was published (tests/test_web_public.py)
        response = call(client, method, url, csrf)
        from planner.web.access import READ_ONLY_ENDPOINTS

        if method == "GET" and endpoint in READ_ONLY_ENDPOINTS:
            assert response.status_code in (200, 304), (endpoint, url)
        elif endpoint == "plans.clone":
            assert response.status_code == 302  # cloned into a new draft
        elif endpoint in ("public.publish", "public.withdraw"):
            # its public page goes up or down (issue 24); the plan itself stays as adopted
            assert response.status_code == 302, (endpoint, response.status_code)
        else:
            assert response.status_code == 403, (endpoint, method, url, response.status_code)
            checked += 1
    assert checked >= 15
    with app.app_context():
        record = db.session.get(PlanRecord, pid)
        assert (record.version, record.document, record.status) == (*before, "adopted")
        copy = db.session.scalar(select(PlanRecord).where(PlanRecord.name == "x"))
        assert copy.status == "draft"
    page = client.get(f"/j/orange-county/plans/{pid}")
    assert "Adopted June 2, 2026." in text(page)
    assert "/edit/" not in page.get_data(as_text=True)


@pytest.mark.sqlite_only  # what the PDF says (adoption itself runs on both engines)
def test_the_pdf_of_an_adopted_plan_states_its_adoption(app, client):
    import io

    from pypdf import PdfReader

    sign_in(client, EDITOR)
    pid = plan_id(app)
    adopt(client, app, pid, "2026-06-16")
    pdf = client.get(f"/j/orange-county/plans/{pid}/report.pdf")
    first = PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text()
    assert "Adopted, adopted June 16, 2026" in first


def test_status_changes_follow_the_workflow(app, client):
    sign_in(client, EDITOR)
    pid = plan_id(app)
    base = f"/j/orange-county/plans/{pid}"
    refused = post_status(client, base, "return")
    assert refused.status_code == 302
    assert "a draft plan cannot be draft" in text(client.get(base))
    missing_date = post_status(client, base, "adopt")
    assert missing_date.status_code == 302
    assert "give the date the governing body adopted the plan" in text(client.get(base))
    with app.app_context():
        assert db.session.get(PlanRecord, pid).status == "draft"
    for action, status in (("propose", "proposed"), ("return", "draft")):
        response = post_status(client, base, action)
        assert response.status_code == 302
        assert f"is now {status}" in text(client.get(base))
    assert [c[1:4] for c in changes(app, pid) if c[1] == "status"] == [
        ("status", "draft", "proposed"),
        ("status", "proposed", "draft"),
    ]


# ----------------------------------------------------------------------------- backups


def test_backup_and_restore_reproduce_every_projection(app, client, tmp_path):
    sign_in(client, EDITOR)
    adopt(client, app, plan_id(app))
    runner = CliRunner()
    out = tmp_path / "backup.json"
    from planner.cli import main

    env = {"PLANNER_DATABASE_URL": app.config["DATABASE_URL"], "PLANNER_SECRET_KEY": "t"}
    result = runner.invoke(main, ["backup", str(out)], env=env)
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    assert data["schema"] == "planner-backup/1"
    assert all("password_hash" not in u for u in data["users"])
    with app.app_context():
        originals = {
            r.name: projection_to_dict(project(load_plan(r)))
            for r in db.session.scalars(select(PlanRecord))
        }
        history = db.session.scalar(select(db.func.count(PlanChange.id)))
    empty = f"sqlite:///{tmp_path / 'restored.db'}"
    result = runner.invoke(
        main, ["restore", str(out)], env={"PLANNER_DATABASE_URL": empty, "PLANNER_SECRET_KEY": "t"}
    )
    assert result.exit_code == 0, result.output
    restored = create_app({"DATABASE_URL": empty, "SECRET_KEY": "t"})
    with restored.app_context():
        records = list(db.session.scalars(select(PlanRecord)))
        assert {r.name: projection_to_dict(project(load_plan(r))) for r in records} == originals
        assert db.session.scalar(select(db.func.count(PlanChange.id))) == history
        adopted = next(r for r in records if r.status == "adopted")
        assert adopted.adopted_on == dt.date(2026, 6, 2)
        assert db.session.scalar(select(db.func.count(User.id))) == 4
        db.engine.dispose()
    # a second restore into a database that has data is refused
    again = runner.invoke(
        main, ["restore", str(out)], env={"PLANNER_DATABASE_URL": empty, "PLANNER_SECRET_KEY": "t"}
    )
    assert again.exit_code == 2
    assert "restore into an empty database" in again.output


def test_backup_with_password_hashes_restores_sign_in(app, tmp_path):
    from planner.cli import main

    runner = CliRunner()
    out = tmp_path / "backup.json"
    env = {"PLANNER_DATABASE_URL": app.config["DATABASE_URL"], "PLANNER_SECRET_KEY": "t"}
    assert (
        runner.invoke(main, ["backup", str(out), "--with-password-hashes"], env=env).exit_code == 0
    )
    empty = f"sqlite:///{tmp_path / 'restored.db'}"
    assert (
        runner.invoke(
            main,
            ["restore", str(out)],
            env={"PLANNER_DATABASE_URL": empty, "PLANNER_SECRET_KEY": "t"},
        ).exit_code
        == 0
    )
    restored = create_app({"DATABASE_URL": empty, "SECRET_KEY": "t"})
    sign_in(restored.test_client(), EDITOR)
    with restored.app_context():
        db.engine.dispose()
