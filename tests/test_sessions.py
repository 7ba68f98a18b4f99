"""Sessions and sign-in (issue 10): revocable sessions, idle and absolute timeouts, throttling
that counts parallel guesses and cannot keep the owner out, one message and one scrypt for
every refusal, the password policy, the trusted proxies; and the records kept: history
columns long enough for what the app lets in, deleted plans, administrator actions."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import re
import subprocess
import sys
import threading

import pytest
from click.testing import CliRunner
from freezegun import freeze_time
from sqlalchemy import select
from sqlalchemy.orm import Session

from planner import ROOT, create_app
from planner.cli import main
from planner.cost_tables import default_cost_tables
from planner.extensions import db
from planner.models import AdminAction, PlanChange, PlanRecord, User
from planner.scenarios import dump_plan_json, parse_plan
from planner.services import accounts
from planner.services.accounts import (
    AccountError,
    SignInRefused,
    authenticate,
    create_user,
    lock_delay,
    password_problem,
)
from planner.services.demo import demo_document
from tests.web import ADMIN, EDITOR, PASSWORD, form_values, sign_in, text, token

COUNTY = "/j/orange-county/"


def user_id(app, email=EDITOR) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.email == email))


def copy_of(app, client):
    """A second browser holding a copy of `client`'s session cookie (a stolen cookie)."""
    other = app.test_client()
    other.set_cookie("session", client.get_cookie("session").value)
    return other


def signed_in(client) -> bool:
    response = client.get(COUNTY)
    assert response.status_code in (200, 302)
    return response.status_code == 200


def refusal(response) -> str:
    """The message shown beside the password field."""
    found = re.search(
        r'<span class="error" role="alert"[^>]*>([^<]*)</span>', response.get_data(as_text=True)
    )
    assert found, response.get_data(as_text=True)[:300]
    return found.group(1)


def post_sign_in(client, email, password, **kwargs):
    return client.post(
        "/sign-in",
        data={"email": email, "password": password, "csrf_token": token(client, "/sign-in")},
        **kwargs,
    )


def plan_file(document) -> bytes:
    return dump_plan_json(parse_plan(document, default_cost_tables())).encode()


def post_action(client, url, page):
    return client.post(url, data={"csrf_token": token(client, page)})


# ----------------------------------------------------------------------------- revocation


def test_sign_out_ends_every_session_of_the_account_and_a_new_sign_in_works(app, client):
    sign_in(client, EDITOR)
    stolen = copy_of(app, client)
    laptop = app.test_client()
    sign_in(laptop, EDITOR)
    assert signed_in(stolen)
    assert signed_in(laptop)
    assert post_action(client, "/sign-out", COUNTY).status_code == 302
    assert not signed_in(client)
    assert not signed_in(stolen)  # the copied cookie stopped working
    assert not signed_in(laptop)  # and so did the other browser's session
    sign_in(client, EDITOR)
    assert signed_in(client)
    assert not signed_in(stolen)


def test_a_password_change_ends_the_other_sessions_but_not_ones_own(app, client):
    sign_in(client, EDITOR)
    stolen = copy_of(app, client)
    other = app.test_client()
    sign_in(other, EDITOR)
    url = "/account/password"
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
    assert signed_in(client)
    assert not signed_in(stolen)
    assert not signed_in(other)


def test_an_administrators_reset_ends_the_accounts_sessions(app, client):
    sign_in(client, EDITOR)
    admin = app.test_client()
    sign_in(admin, ADMIN)
    page = f"/admin/users/{user_id(app)}"
    assert post_action(admin, page + "/password", page).status_code == 200
    assert not signed_in(client)
    assert signed_in(admin)


def test_deactivation_ends_the_session_and_reactivation_does_not_revive_it(app, client):
    sign_in(client, EDITOR)
    stolen = copy_of(app, client)
    admin = app.test_client()
    sign_in(admin, ADMIN)
    page = f"/admin/users/{user_id(app)}"
    assert post_action(admin, page + "/active", page).status_code == 302
    assert not signed_in(stolen)
    assert post_action(admin, page + "/active", page).status_code == 302  # reactivated
    with app.app_context():
        assert db.session.get(User, user_id(app)).active
    assert not signed_in(stolen)
    assert not signed_in(client)
    sign_in(client, EDITOR)  # the owner signs in again
    assert signed_in(client)


def test_a_cookie_without_the_session_epoch_signs_nobody_in(app, client):
    """A session from before this release (user id only) or with an edited epoch."""
    sign_in(client, EDITOR)
    with client.session_transaction() as session:
        session["_user_id"] = str(user_id(app))
    assert not signed_in(client)
    sign_in(client, EDITOR)
    with client.session_transaction() as session:
        ident, epoch = session["_user_id"].split(":")
        session["_user_id"] = f"{ident}:{int(epoch) + 1}"
    assert not signed_in(client)


# ----------------------------------------------------------------------------- timeouts


def test_a_session_ends_after_eight_idle_hours(app, client):
    assert app.config["SESSION_IDLE_MINUTES"] == 480
    with freeze_time("2026-11-28 08:00:00") as frozen:
        sign_in(client, EDITOR)
        frozen.tick(dt.timedelta(hours=8) - dt.timedelta(seconds=30))
        assert signed_in(client)  # 7 h 59 min 30 s idle: still on; the request counts
        frozen.tick(dt.timedelta(hours=3))
        assert signed_in(client)  # 3 h after the last request
        frozen.tick(dt.timedelta(hours=8, seconds=1))
        assert not signed_in(client)  # 8 h 0 min 1 s idle: ended
        sign_in(client, EDITOR)
        assert signed_in(client)


def test_a_session_ends_twelve_hours_after_signing_in_however_busy(app, client):
    assert app.config["SESSION_MAX_HOURS"] == 12
    with freeze_time("2026-11-28 07:00:00") as frozen:
        sign_in(client, EDITOR)
        for _ in range(11):
            frozen.tick(dt.timedelta(hours=1))
            assert signed_in(client)
        frozen.tick(dt.timedelta(minutes=59, seconds=59))
        assert signed_in(client)  # 11 h 59 min 59 s
        frozen.tick(dt.timedelta(seconds=2))
        assert not signed_in(client)  # 12 h 0 min 1 s


def test_the_idle_timeout_is_configurable(database_url, tmp_path):
    app = create_app(
        {"DATABASE_URL": database_url, "SECRET_KEY": "test", "SESSION_IDLE_MINUTES": 30}
    )
    client = app.test_client()
    with freeze_time("2026-11-28 08:00:00") as frozen:
        sign_in(client, EDITOR)
        frozen.tick(dt.timedelta(minutes=29))
        assert signed_in(client)
        frozen.tick(dt.timedelta(minutes=30, seconds=1))
        assert not signed_in(client)
    with app.app_context():
        db.engine.dispose()


# ----------------------------------------------------------------------------- throttling


def test_parallel_wrong_passwords_are_all_counted_and_none_checked_past_the_limit(app):
    """Twelve simultaneous guesses on one account, each in its own database session: the
    count is taken before the password is checked, in one UPDATE, so exactly
    LOGIN_MAX_FAILURES (5) passwords are checked and the other 7 are refused unchecked."""
    attempts = 12
    with app.app_context():
        engine = db.engine
        accounts._dummy_hash()  # made once, before the race
    barrier = threading.Barrier(attempts)
    reasons: list[str] = []

    def guess(number: int) -> None:
        with Session(engine) as session:
            barrier.wait()
            try:
                authenticate(
                    session,
                    EDITOR,
                    f"guess number {number}",
                    max_failures=5,
                    lock_seconds=60,
                    lock_max_seconds=900,
                )
            except SignInRefused as error:
                reasons.append(error.reason)

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    assert sorted(reasons) == ["locked"] * 7 + ["wrong"] * 5
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == EDITOR))
        assert user.failed_logins == 5
        assert user.locked_until is not None


def test_the_wait_doubles_from_one_minute_to_at_most_fifteen():
    waits = [
        lock_delay(n, max_failures=5, lock_seconds=60, lock_max_seconds=900).total_seconds()
        for n in range(1, 12)
    ]
    # failures 1-4: no wait; the 5th: 60 s; then 120, 240, 480, 900 (capped), 900 ...
    assert waits == [0, 0, 0, 0, 60, 120, 240, 480, 900, 900, 900]


def test_a_strangers_failures_slow_the_stranger_but_not_the_owners_browser(app, client):
    """The owner's browser signed in before (it holds the device cookie): it signs in at once
    while the account waits out a stranger's failures. Any other browser waits at most
    LOGIN_LOCK_MAX_SECONDS after the stranger stops."""
    with freeze_time("2026-11-28 09:00:00") as frozen:
        sign_in(client, EDITOR)
        assert post_action(client, "/sign-out", COUNTY).status_code == 302
        stranger = app.test_client()
        for _ in range(9):  # failures 5-9 lock for 60, 120, 240, 480, 900 s
            post_sign_in(stranger, EDITOR, "a wrong guess")
            frozen.tick(dt.timedelta(seconds=901))
        post_sign_in(stranger, EDITOR, "a wrong guess")  # the 10th: 900 s again
        refused = post_sign_in(stranger, EDITOR, PASSWORD)
        assert refused.status_code == 401  # the right password from elsewhere waits
        sign_in(client, EDITOR)  # the owner's own browser does not
        assert signed_in(client)
        assert post_action(client, "/sign-out", COUNTY).status_code == 302
        for _ in range(6):  # the stranger again, to the longest wait
            post_sign_in(stranger, EDITOR, "a wrong guess")
            frozen.tick(dt.timedelta(seconds=901))
        post_sign_in(stranger, EDITOR, "a wrong guess")
        new_browser = app.test_client()
        assert post_sign_in(new_browser, EDITOR, PASSWORD).status_code == 401
        frozen.tick(dt.timedelta(seconds=901))  # the longest wait, and a second
        sign_in(new_browser, EDITOR)


def test_a_device_cookie_for_another_account_or_forged_does_not_skip_the_wait(app, client):
    with freeze_time("2026-11-28 09:00:00"):
        sign_in(client, ADMIN)  # this browser is trusted for the administrator only
        assert post_action(client, "/sign-out", COUNTY).status_code == 302
        for _ in range(5):
            post_sign_in(client, EDITOR, "a wrong guess")
        assert post_sign_in(client, EDITOR, PASSWORD).status_code == 401
        forged = app.test_client()
        forged.set_cookie("planner_device", "eyJ1IjoyfQ.forged.signature", path="/sign-in")
        assert post_sign_in(forged, EDITOR, PASSWORD).status_code == 401


def test_too_many_attempts_from_one_address_answer_429(app):
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    client = app.test_client()
    for number in range(3):
        assert post_sign_in(client, f"nobody{number}@x.example", "a wrong guess").status_code == 401
    limited = post_sign_in(client, "nobody9@x.example", "a wrong guess")
    assert limited.status_code == 429
    assert post_sign_in(client, EDITOR, PASSWORD).status_code == 429  # even the right one
    elsewhere = app.test_client()
    answered = post_sign_in(
        elsewhere, "nobody@x.example", "a wrong guess", environ_base={"REMOTE_ADDR": "192.0.2.7"}
    )
    assert answered.status_code == 401
    assert client.get("/sign-in").status_code == 200  # only the posts are limited


def test_the_limit_counts_the_client_behind_a_trusted_proxy(database_url):
    app = create_app(
        {
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test",
            "TRUSTED_PROXIES": 1,
            "LOGIN_RATE_LIMIT": "2 per minute",
        }
    )
    client = app.test_client()
    for _ in range(2):
        post_sign_in(
            client, "nobody@x.example", "a wrong guess", headers={"X-Forwarded-For": "198.51.100.1"}
        )
    third = post_sign_in(
        client, "nobody@x.example", "a wrong guess", headers={"X-Forwarded-For": "198.51.100.1"}
    )
    assert third.status_code == 429
    other = post_sign_in(
        client, "nobody@x.example", "a wrong guess", headers={"X-Forwarded-For": "198.51.100.2"}
    )
    assert other.status_code == 401  # another client behind the same proxy
    with app.app_context():
        db.engine.dispose()


# ----------------------------------------------------------------------------- enumeration


def test_unknown_wrong_and_locked_get_the_same_message_and_one_scrypt_each(
    app, client, monkeypatch
):
    calls: list[str] = []
    real = accounts.check_password_hash

    def counting(stored: str, password: str) -> bool:
        calls.append(stored)
        return real(stored, password)

    with app.app_context():
        accounts._dummy_hash()
    monkeypatch.setattr(accounts, "check_password_hash", counting)
    unknown = post_sign_in(client, "nobody@orange.example", "a wrong guess")
    assert len(calls) == 1
    wrong = post_sign_in(client, EDITOR, "a wrong guess")
    assert len(calls) == 2
    for _ in range(4):
        post_sign_in(client, EDITOR, "a wrong guess")
    calls.clear()
    locked = post_sign_in(client, EDITOR, PASSWORD)
    assert len(calls) == 1  # the dummy hash: the same work as a check
    assert {unknown.status_code, wrong.status_code, locked.status_code} == {401}
    assert refusal(unknown) == refusal(wrong) == refusal(locked)
    assert "Too many" not in text(locked)


def test_failed_sign_ins_are_logged_with_the_account_not_the_password(app, client, caplog):
    caplog.set_level(logging.INFO, logger="planner.requests")
    caplog.set_level(logging.INFO, logger="planner.auth")
    post_sign_in(client, "Editor@Orange.example", "my secret guess")
    lines = [r.getMessage() for r in caplog.records]
    assert all("my secret guess" not in line for line in lines)
    request_line = next(
        json.loads(line)
        for line in lines
        if '"endpoint": "auth.sign_in"' in line and '"status": 401' in line
    )
    assert request_line["sign_in_refused"] == {"account": EDITOR, "reason": "wrong"}
    assert any(r.name == "planner.auth" and EDITOR in r.getMessage() for r in caplog.records)


# ----------------------------------------------------------------------------- passwords


@pytest.mark.parametrize(
    "password",
    [
        "aaaaaaaaaaaa",
        "123456789012",
        "password1234",
        "Password123!",
        "qwertyuiopas",
        "abcdefghijkl",
        "letmeinletmein",
        "short pass",
        "x" * 201,
    ],
)
def test_weak_passwords_are_refused(password):
    assert password_problem(password, "someone@county.example") is not None


def test_the_email_is_not_a_password():
    assert password_problem("someone@county.example", "someone@county.example")


@pytest.mark.parametrize(
    "password",
    [PASSWORD, "a long enough secret", "a new long password", "kettle umbrella 1987 quietly"],
)
def test_ordinary_passphrases_are_accepted(password):
    assert password_problem(password, "someone@county.example") is None


def test_a_weak_new_password_is_refused_beside_the_field(app, client):
    sign_in(client, EDITOR)
    url = "/account/password"
    response = client.post(
        url,
        data={
            "csrf_token": token(client, url),
            "current": PASSWORD,
            "new": "aaaaaaaaaaaa",
            "confirm": "aaaaaaaaaaaa",
        },
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    field = html[html.index('id="new"') :]
    assert "too easy to guess" in field[: field.index("</div>")]
    sign_in(app.test_client(), EDITOR)  # unchanged


def test_the_command_line_refuses_weak_passwords(tmp_path):
    env = {
        "PLANNER_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        "PLANNER_SECRET_KEY": "cli-test",
    }
    runner = CliRunner()
    assert runner.invoke(main, ["db", "upgrade"], env=env).exit_code == 0
    weak = runner.invoke(main, ["user", "add", "a@b.example"], input="1234567890ab\n", env=env)
    assert weak.exit_code != 0
    assert "too easy to guess" in weak.output
    made = runner.invoke(
        main, ["user", "add", "a@b.example"], input="a long enough secret\n", env=env
    )
    assert made.exit_code == 0, made.output
    again = runner.invoke(
        main, ["user", "password", "a@b.example"], input="aaaaaaaaaaaaaa\n", env=env
    )
    assert again.exit_code != 0
    assert "too easy to guess" in again.output


def test_create_user_applies_the_policy(app):
    with app.app_context(), pytest.raises(AccountError, match="at least 12"):
        create_user(db.session, "new@county.example", "elevenchars")


# ----------------------------------------------------------------------------- proxies


@pytest.mark.parametrize(
    ("hops", "remote", "https"),
    [(0, "127.0.0.1", False), (1, "10.0.0.3", True), (2, "10.0.0.2", True)],
)
def test_forwarded_headers_are_believed_from_exactly_the_configured_proxies(
    database_url, caplog, hops, remote, https
):
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "test", "TRUSTED_PROXIES": hops})
    caplog.set_level(logging.INFO, logger="planner.requests")
    response = app.test_client().get(
        "/healthz",
        headers={
            "X-Forwarded-For": "10.0.0.1, 10.0.0.2, 10.0.0.3",
            "X-Forwarded-Proto": "http, https, https",
        },
    )
    line = next(json.loads(r.getMessage()) for r in caplog.records if r.name == "planner.requests")
    assert line["remote"] == remote
    assert ("Strict-Transport-Security" in response.headers) is https
    with app.app_context():
        db.engine.dispose()


# ----------------------------------------------------------------------------- columns


def test_the_longest_ids_names_labels_and_file_names_can_be_imported_edited_and_deleted(
    app, client
):
    """At the parser's limits: a 64-character line id, 200-character plan name and label,
    and a long uploaded file name. On PostgreSQL a 40-character history column refused
    them (the edit and the delete answered 500)."""
    sign_in(client, EDITOR)
    line_id = "a" + "-very-long-line-id" * 3 + "x" * 9
    assert len(line_id) == 64
    document = demo_document()
    document["name"] = ("Long plan name " * 14)[:200]
    line = dict(document["line_items"][0], id=line_id, label=("Label " * 40)[:200])
    document["line_items"].append(line)
    file_name = "orange-county-fy2027-budget-draft-" + "y" * 200 + ".json"
    imported = client.post(
        "/j/orange-county/plans/import",
        data={
            "csrf_token": token(client, COUNTY),
            "name": "",
            "file": (io.BytesIO(plan_file(document)), file_name),
        },
        content_type="multipart/form-data",
    )
    assert imported.status_code == 302, text(imported)[:400]
    with app.app_context():
        record = db.session.scalar(select(PlanRecord).where(PlanRecord.name == document["name"]))
        pid = record.id
    base = f"/j/orange-county/plans/{pid}"
    url = f"{base}/lines/{line_id}"
    data = form_values(client.get(url).get_data(as_text=True))
    data["label"] = ("Changed label " * 20)[:200]
    assert client.post(url, data=data).status_code == 302
    for action in ("/move/up", "/delete"):
        with app.app_context():
            version = db.session.get(PlanRecord, pid).version
        response = client.post(
            url + action, data={"csrf_token": token(client, base), "version": version}
        )
        assert response.status_code == 302, action
    with app.app_context():
        actions = [
            c.action
            for c in db.session.scalars(
                select(PlanChange).where(PlanChange.plan_id == pid).order_by(PlanChange.id)
            )
        ]
    assert actions[0] == f"imported from {file_name}"
    assert {f"edited line {line_id}", f"moved line {line_id} up", f"deleted line {line_id}"} <= set(
        actions
    )


def test_a_nul_in_a_file_name_or_a_path_is_refused(app, client):
    sign_in(client, EDITOR)
    response = client.post(
        "/j/orange-county/plans/import",
        data={
            "csrf_token": token(client, COUNTY),
            "name": "",
            "file": (io.BytesIO(plan_file(demo_document())), "plan\x00.json"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert client.get("/j/orange%00county/").status_code == 400


# ----------------------------------------------------------------------------- records kept


def test_a_deleted_plan_keeps_its_history_and_document_for_administrators(app, client):
    sign_in(client, EDITOR)
    with app.app_context():
        record = db.session.scalar(
            select(PlanRecord).where(PlanRecord.name == "Orange alternative")
        )
        pid, document, version = record.id, record.document, record.version
        before = len(record.changes)
    url = f"/j/orange-county/plans/{pid}"
    deleted = client.post(
        url + "/delete", data={"csrf_token": token(client, url + "/delete"), "version": version}
    )
    assert deleted.status_code == 302
    assert client.get(url).status_code == 404
    assert client.get(url + "/history").status_code == 404
    assert "Orange alternative" not in text(client.get(COUNTY))
    with app.app_context():
        kept = db.session.get(PlanRecord, pid)
        assert kept.deleted_at is not None
        assert kept.document == document
        assert len(kept.changes) == before + 1
        last = kept.changes[-1]
        assert (last.action, last.user_email) == ("deleted", EDITOR)
    assert client.get(f"/admin/deleted-plans/{pid}").status_code == 404  # editors: no
    admin = app.test_client()
    sign_in(admin, ADMIN)
    listing = admin.get("/admin/deleted-plans")
    assert "Orange alternative" in text(listing)
    page = admin.get(f"/admin/deleted-plans/{pid}")
    assert page.status_code == 200
    assert "deleted" in text(page)
    assert EDITOR in text(page)
    other = db_plan_id(app, "Baseline LEAD plan")
    assert admin.get(f"/admin/deleted-plans/{other}").status_code == 404  # not deleted


def db_plan_id(app, name):
    with app.app_context():
        return db.session.scalar(select(PlanRecord.id).where(PlanRecord.name == name))


def test_administrator_actions_are_recorded_with_who_and_when(app, client):
    with freeze_time("2026-11-28 14:30:00", tick=True):
        sign_in(client, ADMIN)
        invited = client.post(
            "/admin/users",
            data={
                "csrf_token": token(client, "/admin/users"),
                "email": "clerk@chatham.example",
                "jurisdiction": "orange-county",
                "role": "viewer",
            },
        )
        assert invited.status_code == 200
        target = user_id(app, "clerk@chatham.example")
        page = f"/admin/users/{target}"
        assert (
            client.post(
                page,
                data={
                    "csrf_token": token(client, page),
                    "jurisdiction": "orange-county",
                    "role": "editor",
                },
            ).status_code
            == 302
        )
        assert (
            post_action(client, f"{page}/memberships/orange-county/delete", page).status_code == 302
        )
        assert post_action(client, f"{page}/active", page).status_code == 302
        assert post_action(client, f"{page}/active", page).status_code == 302
        assert post_action(client, f"{page}/password", page).status_code == 200
        listing = text(client.get("/admin/actions"))
        assert "reset password" in listing
        assert "2026-11-28 14:30" in listing
        assert "removed membership" in text(client.get(page))
    with app.app_context():
        rows = list(db.session.scalars(select(AdminAction).order_by(AdminAction.id)))
        assert [(r.action, r.actor_email, r.target_email) for r in rows] == [
            (action, ADMIN, "clerk@chatham.example")
            for action in (
                "invited",
                "set role",
                "removed membership",
                "deactivated",
                "reactivated",
                "reset password",
            )
        ]
        assert rows[1].detail == "editor of Orange County"
        assert all(
            r.at.replace(tzinfo=dt.UTC) >= dt.datetime(2026, 11, 28, 14, 30, tzinfo=dt.UTC)
            for r in rows
        )
    editor = app.test_client()
    sign_in(editor, EDITOR)
    assert editor.get("/admin/actions").status_code == 404


# ----------------------------------------------------------------------------- shared limits


def _db_limited_app(database_url, limit):
    return create_app(
        {
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test",
            "RATELIMIT_STORAGE_URI": "planner+db://",
            "LOGIN_RATE_LIMIT": limit,
        }
    )


def test_the_database_storage_counts_parallel_attempts_exactly(database_url):
    """Twelve simultaneous sign-ins from one address against a limit of 5 a minute, counted
    in the app's database: exactly 5 are answered, 7 refused with 429."""
    app = _db_limited_app(database_url, "5 per minute")
    clients = [app.test_client() for _ in range(12)]
    tokens = [token(c, "/sign-in") for c in clients]
    barrier = threading.Barrier(len(clients))
    statuses: list[int] = []

    def attempt(client, csrf) -> None:
        barrier.wait()
        statuses.append(
            client.post(
                "/sign-in",
                data={"email": "nobody@x.example", "password": "a wrong guess", "csrf_token": csrf},
            ).status_code
        )

    threads = [
        threading.Thread(target=attempt, args=pair) for pair in zip(clients, tokens, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(statuses) == [401] * 5 + [429] * 7
    with app.app_context():
        db.engine.dispose()


def test_the_database_storage_is_shared_by_separate_processes(database_url):
    """Another process (a second gunicorn worker) spends the address's attempts; this one
    is then refused."""
    script = (
        "import sys\n"
        "from planner import create_app\n"
        "from planner.services import accounts\n"
        "accounts.PASSWORD_HASH_METHOD = 'scrypt:1024:8:1'  # as tests/conftest.py\n"
        "from tests.web import token\n"
        "app = create_app({'DATABASE_URL': sys.argv[1], 'SECRET_KEY': 'test',\n"
        "                  'RATELIMIT_STORAGE_URI': 'planner+db://',\n"
        "                  'LOGIN_RATE_LIMIT': '3 per minute'})\n"
        "client = app.test_client()\n"
        "for _ in range(3):\n"
        "    r = client.post('/sign-in', data={'email': 'nobody@x.example',\n"
        "        'password': 'a wrong guess', 'csrf_token': token(client, '/sign-in')})\n"
        "    print(r.status_code)\n"
    )
    worker = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", script, database_url],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=str(ROOT),
        check=False,
    )
    assert worker.stdout.split() == ["401"] * 3, worker.stderr[-2000:]
    app = _db_limited_app(database_url, "3 per minute")
    client = app.test_client()
    assert post_sign_in(client, "nobody@x.example", "a wrong guess").status_code == 429
    with app.app_context():
        db.engine.dispose()


def test_production_counts_in_the_database_unless_told_otherwise(database_url):
    app = create_app(
        {
            "DATABASE_URL": database_url,
            "SECRET_KEY": "0123456789abcdef" * 4,
            "ENV_NAME": "production",
        }
    )
    assert app.config["RATELIMIT_STORAGE_URI"] == "planner+db://"
    assert (
        create_app({"DATABASE_URL": database_url, "SECRET_KEY": "test"}).config[
            "RATELIMIT_STORAGE_URI"
        ]
        == "memory://"
    )
    with app.app_context():
        db.engine.dispose()


def test_the_upgrade_to_0002_keeps_accounts_plans_and_history(tmp_path):
    """Migration 0002 rebuilds plan_changes on SQLite (a column type changes): every row
    survives, and existing accounts start at session epoch 0."""
    from sqlalchemy import create_engine
    from sqlalchemy import text as sql

    from planner.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0001")
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(
            sql(
                "INSERT INTO users (id, email, password_hash, is_admin, active, failed_logins,"
                " created_at) VALUES (1, 'a@b.example', 'x', 0, 1, 0, '2026-11-01 00:00:00')"
            )
        )
        connection.execute(
            sql("INSERT INTO jurisdictions (id, slug, name, kind) VALUES (1, 'c', 'C', 'county')")
        )
        connection.execute(
            sql(
                "INSERT INTO plans (id, jurisdiction_id, name, status, document, version,"
                " created_at, updated_at) VALUES (7, 1, 'P', 'draft', '{}', 3,"
                " '2026-11-01 00:00:00', '2026-11-01 00:00:00')"
            )
        )
        connection.execute(
            sql(
                "INSERT INTO plan_changes (plan_id, user_id, user_email, at, action, path)"
                " VALUES (7, 1, 'a@b.example', '2026-11-01 00:00:00', 'created', '')"
            )
        )
    upgrade(url)
    with engine.connect() as connection:
        assert connection.execute(sql("SELECT session_epoch FROM users")).scalar_one() == 0
        assert connection.execute(sql("SELECT plan_id, action FROM plan_changes")).all() == [
            (7, "created")
        ]
        assert connection.execute(sql("SELECT version, deleted_at FROM plans")).one() == (3, None)
    engine.dispose()
