"""A restore carries the session epochs (moved on: no cookie of the backed-up database signs
anyone in) and the administrators' action log (review L1); a tampered backup is refused with
each problem named by its path and nothing written, never a traceback (review L7)."""

from __future__ import annotations

import copy
import json

import pytest
from sqlalchemy import func, select

from planner import create_app
from planner.extensions import db
from planner.models import AdminAction, FundActual, PlanChange, PlanRecord, User
from planner.services.accounts import record_admin_action
from planner.services.backup import BackupError, restore
from tests.test_backup_restore import empty_url, make_history, run  # noqa: F401 - fixture
from tests.web import ADMIN, EDITOR, VIEWER, sign_in

# Every test here goes through the app: `make test-fast` does not even import this module.
pytestmark = pytest.mark.web


def actions(url):
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "test"})
    with app.app_context():
        found = [
            (a.id, a.actor_id, a.actor_email, a.action, a.target_id, a.target_email, a.detail)
            for a in db.session.scalars(select(AdminAction).order_by(AdminAction.id))
        ]
        epochs = {u.email: u.session_epoch for u in db.session.scalars(select(User))}
        db.session.remove()
        db.engine.dispose()
    return found, epochs


def test_a_restore_keeps_the_action_log_and_ends_every_session(app, tmp_path, request):
    target_url = request.getfixturevalue("empty_url")
    client = app.test_client()
    sign_in(client, VIEWER)
    cookie = client.get_cookie("session").value  # a session signed in before the backup
    assert client.get("/j/orange-county/").status_code == 200
    with app.app_context():
        admin = db.session.scalar(select(User).where(User.email == ADMIN))
        editor = db.session.scalar(select(User).where(User.email == EDITOR))
        record_admin_action(db.session, admin, "deactivated", editor, "left the county")
        record_admin_action(db.session, None, "reset password", editor)
        editor.end_sessions()
        db.session.commit()
    out = tmp_path / "backup.json"
    assert (
        run(["backup", str(out), "--with-password-hashes"], app.config["DATABASE_URL"]).exit_code
        == 0
    )
    result = run(["restore", str(out)], target_url)
    assert result.exit_code == 0, result.output
    before, old_epochs = actions(app.config["DATABASE_URL"])
    after, new_epochs = actions(target_url)
    assert len(before) == 2
    assert after == before  # ids, who, what, to whom
    assert {email: new_epochs[email] - 1 for email in new_epochs} == old_epochs
    restored = create_app({"DATABASE_URL": target_url, "SECRET_KEY": "test", "TESTING": True})
    replay = restored.test_client()
    replay.set_cookie("session", cookie)
    assert replay.get("/j/orange-county/").status_code == 302  # to the sign-in page
    sign_in(replay, VIEWER)  # the account itself works (its hash was restored)
    assert replay.get("/j/orange-county/").status_code == 200
    with restored.app_context():
        db.engine.dispose()


def first_plan(data):
    return next(p for p in data["plans"] if p["status"] == "draft" and p["history"])


def edit(change):
    def apply(data):
        change(data)
        return data

    return apply


def user(data, email):
    return next(u for u in data["users"] if u["email"] == email)


CASES = {  # each tampered copy: the path the refusal must name
    "plans[": edit(lambda d: first_plan(d).update(status="adopted", adopted_on="0001-01-01")),
    ".adopted_on": edit(lambda d: first_plan(d).update(adopted_on="yesterday")),
    ".name": edit(lambda d: first_plan(d).update(name="n" * 10_000)),
    ".jurisdiction": edit(lambda d: first_plan(d).update(jurisdiction="atlantis")),
    ".id": edit(lambda d: d["plans"].append(copy.deepcopy(first_plan(d)))),
    "history[": edit(lambda d: first_plan(d)["history"].append(dict(first_plan(d)["history"][0]))),
    ".at": edit(lambda d: first_plan(d)["history"][0].update(at="noon")),
    "users[0].id": edit(lambda d: d["users"][0].update(id=2**40)),
    ".email": edit(lambda d: d["users"].append(dict(d["users"][0], id=99_999))),
    "users[1].email": edit(lambda d: d["users"][1].update(email="<svg onload=1>" + "x" * 280)),
    ".password_hash": edit(lambda d: d["users"][1].update(password_hash="garbage")),  # noqa: S106
    ".is_admin": edit(lambda d: d["users"][1].update(is_admin="yes")),
    ".session_epoch": edit(lambda d: d["users"][1].update(session_epoch=-1)),
    "memberships[0].role": edit(lambda d: d["memberships"][0].update(role="admin")),
    "memberships[": edit(
        lambda d: d["memberships"].append(dict(d["memberships"][0], email="x@y.example"))
    ),
    "actuals[0].entry": edit(lambda d: d["actuals"][0]["entry"].update(receipts="1e999999999")),
    "actuals[0].fiscal_year": edit(lambda d: d["actuals"][0].update(fiscal_year=9999)),
    "actuals[0].outcomes": edit(lambda d: d["actuals"][0].update(outcomes=[1, 2])),
    "referred": edit(
        lambda d: d["actuals"][0].update(outcomes={"A:10": {"referred": "m" * 5_000_000}})
    ),
    "admin_actions[0].target_id": edit(lambda d: d["admin_actions"][0].update(target_id=77_777)),
    "admin_actions[0].action": edit(lambda d: d["admin_actions"][0].update(action="x" * 41)),
    "actuals_history[0].jurisdiction": edit(
        lambda d: d["actuals_history"][0].update(jurisdiction="atlantis")
    ),
    "users": edit(lambda d: d.update(users="everyone")),
}


def test_a_tampered_backup_is_refused_with_its_path_and_nothing_written(app, tmp_path, request):
    target_url = request.getfixturevalue("empty_url")
    make_history(app)
    with app.app_context():
        editor = db.session.scalar(select(User).where(User.email == EDITOR))
        record_admin_action(db.session, None, "reset password", editor)
        db.session.commit()
    out = tmp_path / "backup.json"
    assert (
        run(["backup", str(out), "--with-password-hashes"], app.config["DATABASE_URL"]).exit_code
        == 0
    )
    good = json.loads(out.read_text())
    assert run(["db", "upgrade"], target_url).exit_code == 0
    target = create_app({"DATABASE_URL": target_url, "SECRET_KEY": "test"})
    with target.app_context():
        session = db.session
        for where, tamper in CASES.items():
            with pytest.raises(BackupError) as refused:
                restore(session, tamper(copy.deepcopy(good)))
            session.rollback()
            assert where in str(refused.value), (where, str(refused.value)[:300])
            assert len(str(refused.value)) < 20_000  # named, not echoed
            for table in (User, PlanRecord, PlanChange, FundActual, AdminAction):
                assert session.scalar(select(func.count()).select_from(table)) == 0
        restore(session, good)  # the untouched copy restores
        session.rollback()
        session.remove()
        db.engine.dispose()


def test_a_backup_nested_thousands_deep_is_a_message_not_a_traceback(app, tmp_path, request):
    target_url = request.getfixturevalue("empty_url")
    out = tmp_path / "deep.json"
    out.write_text("[" * 100_000 + "]" * 100_000)
    result = run(["restore", str(out)], target_url)
    assert result.exit_code == 2
    assert "nested too deeply" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
