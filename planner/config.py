"""Configuration: defaults here, overrides from `PLANNER_*` environment variables."""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path

from flask import Flask


class Defaults:
    # The database: SQLite in instance/ unless PLANNER_DATABASE_URL says otherwise.
    DATABASE_URL: str | None = None
    SECRET_KEY: str | None = None
    ENV_NAME = "development"  # PLANNER_ENV_NAME=production refuses to start without a secret
    WTF_CSRF_TIME_LIMIT = None  # a long editing session must not lose its form
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024  # plan files and CSVs are small
    STATIC_MAX_AGE = 86400
    # Sessions end after this long without a request, and this long after signing in.
    SESSION_IDLE_MINUTES = 480
    SESSION_MAX_HOURS = 12
    # Sign-in throttling per account: failures in a row before the account waits, the first
    # wait, doubling with each further failure up to the longest wait (seconds).
    LOGIN_MAX_FAILURES = 5
    LOGIN_LOCK_SECONDS = 60
    LOGIN_LOCK_MAX_SECONDS = 900
    # Per client address, and per browser that signed in before (its device cookie).
    LOGIN_RATE_LIMIT = "20 per minute;200 per hour"
    LOGIN_DEVICE_RATE_LIMIT = "30 per hour"
    # Ceilings across addresses (a botnet, an IPv6 range): per account tried, and for the
    # whole site. A browser with a valid device cookie is held by its own limit instead.
    LOGIN_ACCOUNT_RATE_LIMIT = "30 per minute;300 per hour"
    LOGIN_GLOBAL_RATE_LIMIT = "120 per minute;2000 per hour"
    DEVICE_COOKIE_DAYS = 180
    # Downloads of a public page's PDF and JSON files, per client address (issue 24).
    PUBLIC_DOWNLOAD_RATE_LIMIT = "30 per minute;300 per hour"
    # Flask-Limiter's counters (docs/deployment.md). Unset: each process's memory in
    # development, the app's database (planner+db://, shared by every worker) in production;
    # or e.g. redis://localhost:6379.
    RATELIMIT_STORAGE_URI: str | None = None
    RATELIMIT_HEADERS_ENABLED = False
    # Reverse proxies in front of the app whose X-Forwarded-For/-Proto are believed.
    TRUSTED_PROXIES = 0
    # How long a request waits for another process's SQLite write lock before it is
    # answered 503 "busy, try again" (milliseconds); and the shorter wait of /healthz's
    # write probe.
    SQLITE_BUSY_TIMEOUT_MS = 15000
    HEALTH_BUSY_TIMEOUT_MS = 2000


class ConfigError(RuntimeError):
    """The app cannot start with this configuration."""


MAKE_KEY = (
    "Make a key of 32 random bytes with: python -c 'import secrets; print(secrets.token_hex(32))'"
)
HEX_DIGITS = frozenset("0123456789abcdefABCDEF")


def secret_key_weakness(key: str) -> str | None:
    """Why `key` is not a production secret (None when it is): 32 random bytes or more,
    written as at least 64 hex digits or 43 other characters (32 bytes in base64), not a
    few characters repeated."""
    if set(key) <= HEX_DIGITS:
        if len(key) < 64:
            return f"{len(key)} hex digits, fewer than 64 (32 bytes)"
    elif len(key) < 43:
        return f"{len(key)} characters, fewer than 43 (32 bytes in base64)"
    if len(set(key)) < 10:
        return f"only {len(set(key))} different characters (not random)"
    return None


def configure(app: Flask, overrides: dict | None) -> None:
    app.config.from_object(Defaults)
    app.config.from_prefixed_env("PLANNER")
    if overrides:
        app.config.update(overrides)
    instance = Path(app.instance_path)
    if not app.config.get("DATABASE_URL"):
        instance.mkdir(parents=True, exist_ok=True)
        app.config["DATABASE_URL"] = f"sqlite:///{instance / 'planner.db'}"
    app.config["SQLALCHEMY_DATABASE_URI"] = app.config["DATABASE_URL"]
    for key in (
        "SQLITE_BUSY_TIMEOUT_MS",
        "HEALTH_BUSY_TIMEOUT_MS",
        "SESSION_IDLE_MINUTES",
        "SESSION_MAX_HOURS",
        "TRUSTED_PROXIES",
        "LOGIN_MAX_FAILURES",
        "LOGIN_LOCK_SECONDS",
        "LOGIN_LOCK_MAX_SECONDS",
        "DEVICE_COOKIE_DAYS",
    ):
        value = app.config[key]
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ConfigError(f"PLANNER_{key} must be a whole number ≥ 0 (got {value!r}).")
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(app)
    if not app.config.get("RATELIMIT_STORAGE_URI"):
        app.config["RATELIMIT_STORAGE_URI"] = (
            "planner+db://" if app.config["ENV_NAME"] == "production" else "memory://"
        )
    # No signed session cookie is accepted past the absolute lifetime, whatever it says.
    app.config["PERMANENT_SESSION_LIFETIME"] = dt.timedelta(hours=app.config["SESSION_MAX_HOURS"])
    if not app.config.get("SECRET_KEY"):
        if app.config["ENV_NAME"] == "production":
            raise ConfigError(
                "PLANNER_SECRET_KEY must be set in production "
                "(PLANNER_ENV_NAME=production); refusing to start. " + MAKE_KEY
            )
        app.config["SECRET_KEY"] = _development_secret(instance)
    elif app.config["ENV_NAME"] == "production":
        weakness = secret_key_weakness(str(app.config["SECRET_KEY"]))
        if weakness:
            raise ConfigError(
                f"PLANNER_SECRET_KEY is too weak for production: {weakness}; "
                "refusing to start. " + MAKE_KEY
            )
    if app.config["ENV_NAME"] == "production":
        # Served over HTTPS (behind the proxy that terminates TLS): cookies never travel in
        # clear text.
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True


def engine_options(app: Flask) -> dict:
    """SQLAlchemy's engine options: connections checked before use; statement parameters
    (plan documents, emails, client addresses) never written into error messages and so
    never into the logs (ASVS 7.1.1); SQLite's wait for a write lock (sqlite3's `timeout`,
    its busy timeout) from SQLITE_BUSY_TIMEOUT_MS."""
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    options.setdefault("pool_pre_ping", True)
    options.setdefault("hide_parameters", True)
    if str(app.config["SQLALCHEMY_DATABASE_URI"]).startswith("sqlite"):
        connect_args = dict(options.get("connect_args") or {})
        connect_args.setdefault("timeout", app.config["SQLITE_BUSY_TIMEOUT_MS"] / 1000)
        options["connect_args"] = connect_args
    return options


def _development_secret(instance: Path) -> str:
    """The dev server keeps a generated key in instance/ so sessions survive restarts."""
    instance.mkdir(parents=True, exist_ok=True)
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()
