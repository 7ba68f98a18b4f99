"""Database trouble is answered, not a traceback: a write lock held by another process
makes a save 503 with Retry-After (nothing saved) and `/healthz` say "locked"; statement
parameters (plan text, emails) never reach the error log; static files carry the app's
security headers."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import text as sql
from sqlalchemy.engine import make_url
from sqlalchemy.exc import StatementError

from planner import create_app
from planner.extensions import db
from planner.models import PlanRecord
from tests.test_trust import plan_id
from tests.web import EDITOR, sign_in, token

# Every test here goes through the app: `make test-fast` does not even import this module.
pytestmark = pytest.mark.web


@pytest.fixture
def quick_app(database_url, tmp_path):
    """The app with a short SQLite busy timeout (100 ms) so that a held lock shows at once."""
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite's file lock")
    app = create_app(
        {
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test",
            "TESTING": True,
            "SQLITE_BUSY_TIMEOUT_MS": 100,
            "HEALTH_BUSY_TIMEOUT_MS": 100,
        }
    )
    app.instance_path = str(tmp_path / "instance")
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_a_held_write_lock_is_503_with_retry_after_and_healthz_says_locked(quick_app):
    client = quick_app.test_client()
    sign_in(client, EDITOR)
    pid = plan_id(quick_app)
    url = f"/j/orange-county/plans/{pid}/rename"
    csrf = token(client, url)
    assert client.get("/healthz").get_json()["database"] == "ok"
    holder = sqlite3.connect(make_url(quick_app.config["DATABASE_URL"]).database)
    holder.isolation_level = None
    holder.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    try:
        response = client.post(url, data={"csrf_token": csrf, "name": "Renamed", "version": "1"})
        assert response.status_code == 503
        assert int(response.headers["Retry-After"]) > 0
        health = client.get("/healthz")
        assert health.status_code == 503
        assert health.get_json() == {"status": "error", "database": "locked"}
        assert client.get(f"/j/orange-county/plans/{pid}").status_code == 200  # reads go on
    finally:
        holder.rollback()
        holder.close()
    assert client.get("/healthz").status_code == 200
    with quick_app.app_context():
        assert db.session.get(PlanRecord, pid).name == "Baseline LEAD plan"  # nothing saved


def test_statement_parameters_stay_out_of_error_messages(app):
    plan_text = "Plan text of Orange County 4242424.42"
    with app.app_context():
        with pytest.raises(StatementError) as caught:
            db.session.execute(sql("SELECT * FROM no_such_table WHERE x = :x"), {"x": plan_text})
        db.session.rollback()
    assert plan_text not in str(caught.value)


def test_static_files_carry_csp_and_nosniff(client):
    response = client.get("/static/style.css")
    response.close()  # WhiteNoise streams the file
    assert response.status_code == 200
    assert "default-src" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
