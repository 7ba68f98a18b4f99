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
    DEVICE_COOKIE_DAYS = 180
    # Flask-Limiter's counters (docs/deployment.md). Unset: each process's memory in
    # development, the app's database (planner+db://, shared by every worker) in production;
    # or e.g. redis://localhost:6379.
    RATELIMIT_STORAGE_URI: str | None = None
    RATELIMIT_HEADERS_ENABLED = False
    # Reverse proxies in front of the app whose X-Forwarded-For/-Proto are believed.
    TRUSTED_PROXIES = 0


class ConfigError(RuntimeError):
    """The app cannot start with this configuration."""


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
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"pool_pre_ping": True})
    for key in ("SESSION_IDLE_MINUTES", "SESSION_MAX_HOURS", "TRUSTED_PROXIES",
                "LOGIN_MAX_FAILURES", "LOGIN_LOCK_SECONDS", "LOGIN_LOCK_MAX_SECONDS",
                "DEVICE_COOKIE_DAYS"):
        value = app.config[key]
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ConfigError(f"PLANNER_{key} must be a whole number ≥ 0 (got {value!r}).")
    if not app.config.get("RATELIMIT_STORAGE_URI"):
        app.config["RATELIMIT_STORAGE_URI"] = (
            "planner+db://" if app.config["ENV_NAME"] == "production" else "memory://")
    # No signed session cookie is accepted past the absolute lifetime, whatever it says.
    app.config["PERMANENT_SESSION_LIFETIME"] = dt.timedelta(
        hours=app.config["SESSION_MAX_HOURS"])
    if not app.config.get("SECRET_KEY"):
        if app.config["ENV_NAME"] == "production":
            raise ConfigError("PLANNER_SECRET_KEY must be set in production "
                              "(PLANNER_ENV_NAME=production); refusing to start.")
        app.config["SECRET_KEY"] = _development_secret(instance)
    if app.config["ENV_NAME"] == "production":
        # Served over HTTPS (behind the proxy that terminates TLS): cookies never travel in
        # clear text.
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True


def _development_secret(instance: Path) -> str:
    """The dev server keeps a generated key in instance/ so sessions survive restarts."""
    instance.mkdir(parents=True, exist_ok=True)
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()
