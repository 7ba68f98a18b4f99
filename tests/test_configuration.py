"""Production configuration: a strong secret key or no start, gunicorn in production unless
told otherwise, no demo account in production, nothing private cached, no versions in the
`Server` header."""

from __future__ import annotations

import base64
import os
import random
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from planner import create_app
from planner.cli import main, quiet_request_handler
from planner.config import ConfigError, secret_key_weakness
from planner.extensions import db
from planner.models import User
from planner.services.demo import DEMO_EMAIL
from tests.test_trust import plan_id
from tests.web import EDITOR, sign_in

ROOT = Path(__file__).resolve().parent.parent
MAKE_KEY = "python -c 'import secrets; print(secrets.token_hex(32))'"

# Random-looking keys, the same in every test process (pytest-xdist collects in each).
_RANDOM = random.Random(2026)  # noqa: S311 - test data, not a secret


def _bytes(n: int) -> bytes:
    return _RANDOM.randbytes(n)


WEAK = [
    "a",
    "x" * 40,  # the old test key
    "changeme-changeme-changeme",
    "0123456789abcdef" * 3,  # 48 hex digits: 24 bytes
    _bytes(31).hex(),  # 62 hex digits
    base64.urlsafe_b64encode(_bytes(31)).decode().rstrip("="),  # 42 base64 characters
    "ab" * 32,  # 64 hex digits, two different
    "Password1!" * 5,  # 50 characters, 9 different
]
STRONG = [
    _bytes(32).hex(),
    base64.urlsafe_b64encode(_bytes(32)).decode().rstrip("="),
    base64.b64encode(_bytes(32)).decode(),
]


@pytest.mark.sqlite_only  # the key is judged before the database is reached
@pytest.mark.parametrize("key", WEAK)
def test_production_refuses_a_weak_secret_key(key, database_url):
    assert secret_key_weakness(key)
    with pytest.raises(ConfigError) as refused:
        create_app({"ENV_NAME": "production", "SECRET_KEY": key, "DATABASE_URL": database_url})
    assert "PLANNER_SECRET_KEY" in str(refused.value)
    assert MAKE_KEY in str(refused.value)  # says exactly how to make one


@pytest.mark.sqlite_only  # the key is judged before the database is reached
@pytest.mark.parametrize("key", STRONG)
def test_production_accepts_a_strong_secret_key(key, database_url):
    assert secret_key_weakness(key) is None
    app = create_app({"ENV_NAME": "production", "SECRET_KEY": key, "DATABASE_URL": database_url})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    with app.app_context():
        db.engine.dispose()


@pytest.mark.sqlite_only  # the key is judged before the database is reached
def test_development_keeps_any_key(database_url):
    app = create_app({"SECRET_KEY": "t", "DATABASE_URL": database_url})
    assert app.config["SECRET_KEY"] == "t"  # noqa: S105 - a test key
    with app.app_context():
        db.engine.dispose()


@pytest.mark.sqlite_only  # the key is judged before the database is reached
def test_the_cli_reports_a_weak_production_key_without_a_traceback(database_url):
    result = CliRunner().invoke(
        main,
        ["db", "upgrade"],
        env={
            "PLANNER_ENV_NAME": "production",
            "PLANNER_SECRET_KEY": "short",
            "PLANNER_DATABASE_URL": database_url,
        },
    )
    assert result.exit_code == 2
    assert MAKE_KEY in result.output
    assert "Traceback" not in result.output


def test_the_demo_refuses_to_run_in_production(app):
    url = app.config["DATABASE_URL"]
    result = CliRunner().invoke(
        main,
        ["demo"],
        env={
            "PLANNER_ENV_NAME": "production",
            "PLANNER_SECRET_KEY": secrets.token_hex(32),
            "PLANNER_DATABASE_URL": url,
        },
    )
    assert result.exit_code == 2
    assert "production" in result.output
    assert "password" not in result.output
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == DEMO_EMAIL)) is None
    # in development it creates the demo account
    result = CliRunner().invoke(
        main,
        ["demo"],
        env={
            "PLANNER_ENV_NAME": "development",
            "PLANNER_SECRET_KEY": "t",
            "PLANNER_DATABASE_URL": url,
        },
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == DEMO_EMAIL)) is not None


@pytest.mark.parametrize(
    ("env", "expected"), [({}, "production"), ({"PLANNER_ENV_NAME": "development"}, "development")]
)
def test_gunicorn_serves_production_unless_told_otherwise(env, expected):
    clean = {k: v for k, v in os.environ.items() if k != "PLANNER_ENV_NAME"}
    code = (
        "import runpy, os; runpy.run_path('gunicorn.conf.py'); "
        "print(os.environ['PLANNER_ENV_NAME'])"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == expected


def test_make_serve_is_production_unless_told_otherwise():
    clean = {k: v for k, v in os.environ.items() if k != "PLANNER_ENV_NAME"}
    database = subprocess.run(
        ["make", "-pn", "serve"],  # noqa: S607
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    assert "serve: PLANNER_ENV_NAME = production" in database.replace("?=", "=")


def test_the_development_server_names_no_versions():
    handler = quiet_request_handler()
    assert handler.version_string(None) == "planner"


@pytest.mark.sqlite_only  # headers the app sets on every response, whatever its database
def test_private_responses_are_never_cached(app, client):
    sign_in(client, EDITOR)
    pid = plan_id(app)
    base = f"/j/orange-county/plans/{pid}"
    urls = [
        "/",
        base,
        base + "/export.json",
        base + "/report.pdf",
        base + "/export.xlsx",
        base + "/export.csv",
        base + "/resolution",
        base + "/resolution?first=FY2026-27&last=FY2027-28&download=1",
        base + "/charts/fund.svg",
        base + "/history",
        base + "/edit/fund",
        f"/j/orange-county/compare?plans={pid}&plans={plan_id(app, 'Orange alternative')}",
        "/healthz",
        "/no-such-page",
    ]
    kinds = set()
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 302, 404), (url, response.status_code)
        assert response.headers["Cache-Control"] == "no-store", url
        if url in urls[2:6]:  # the downloads, each made once
            kinds.add(response.mimetype)
    assert {"application/pdf", "application/json", "text/csv"} <= kinds
    # the sign-in page (it carries a form token) and a post's answer too
    anonymous = app.test_client()
    assert anonymous.get("/sign-in").headers["Cache-Control"] == "no-store"


def test_static_files_keep_their_caching(client):
    response = client.get("/static/style.css")
    response.close()  # WhiteNoise streams the file
    assert response.status_code == 200
    assert "max-age=" in response.headers["Cache-Control"]
    assert "no-store" not in response.headers["Cache-Control"]
