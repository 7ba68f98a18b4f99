"""`/healthz`: the app is up and its database answers and accepts writes."""

from __future__ import annotations

import sqlite3

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from planner.extensions import db
from planner.web.errors import RETRY_AFTER_SECONDS, database_busy

blueprint = Blueprint("health", __name__)


def _write_probe() -> None:
    """Raise if the database would not accept a write now. On SQLite: take the write lock
    (BEGIN IMMEDIATE) and give it back, waiting at most HEALTH_BUSY_TIMEOUT_MS, so a lock
    held by another process shows as "locked" rather than as OK while every save waits
    and fails. On PostgreSQL: the session must not be read-only (a standby)."""
    connection = db.session.connection()
    raw = connection.connection.driver_connection
    if isinstance(raw, sqlite3.Connection):
        cursor = raw.cursor()
        wait = int(current_app.config["HEALTH_BUSY_TIMEOUT_MS"])
        usual = int(current_app.config["SQLITE_BUSY_TIMEOUT_MS"])
        try:
            cursor.execute(f"PRAGMA busy_timeout={wait}")
            if not raw.in_transaction:
                cursor.execute("BEGIN IMMEDIATE")
                raw.rollback()
        finally:
            cursor.execute(f"PRAGMA busy_timeout={usual}")
            cursor.close()
    elif connection.dialect.name == "postgresql":
        if db.session.execute(text("SHOW transaction_read_only")).scalar() == "on":
            raise RuntimeError("the database is read-only")


@blueprint.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
        db.session.rollback()  # the write probe starts outside any transaction
        _write_probe()
    except Exception as error:  # noqa: BLE001 - any database failure means unhealthy
        db.session.rollback()
        if database_busy(error):
            return (
                jsonify(status="error", database="locked"),
                503,
                {"Retry-After": str(RETRY_AFTER_SECONDS)},
            )
        return jsonify(status="error", database="unavailable"), 503
    finally:
        db.session.rollback()
    return jsonify(status="ok", database="ok")
