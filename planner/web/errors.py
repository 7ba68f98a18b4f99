"""The error pages: every error the app answers is a page that says what happened and what
to do, never a traceback. A blueprint of its own (`app_errorhandler` applies its handlers to
the whole app); a handler for an error raised mid-change rolls the session back."""

from __future__ import annotations

import logging

from flask import Blueprint, render_template
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError

from planner.extensions import db
from planner.scenarios import PlanError

blueprint = Blueprint("errors", __name__)
logger = logging.getLogger("planner.errors")

RETRY_AFTER_SECONDS = 10
# What the databases say when a lock was not granted in time: SQLite's busy timeout ran
# out; PostgreSQL's lock_timeout (55P03) or a deadlock (40P01).
_BUSY_MESSAGES = ("database is locked", "database table is locked", "database is busy")
_BUSY_CODES = ("55P03", "40P01")


def database_busy(error: BaseException) -> bool:
    """Whether a database error is a lock that was not granted in time (try again), not a
    fault."""
    original = getattr(error, "orig", None)
    if getattr(original, "sqlstate", None) in _BUSY_CODES:
        return True
    if getattr(original, "pgcode", None) in _BUSY_CODES:
        return True
    text = str(original if original is not None else error).lower()
    return any(message in text for message in _BUSY_MESSAGES)


def error_page(status: int, title: str, message: str):
    return render_template("errors/error.html", status=status, title=title, message=message), status


@blueprint.app_errorhandler(400)
def bad_request(error):
    return error_page(
        400,
        "Bad request",
        getattr(error, "description", "") or "The request could not be understood.",
    )


@blueprint.app_errorhandler(CSRFError)
def csrf_error(error):
    return error_page(
        400,
        "The form expired",
        "The form was missing its security token or it expired. Go back, "
        "reload the page and submit again.",
    )


@blueprint.app_errorhandler(403)
def forbidden(error):
    return error_page(
        403,
        "Not allowed",
        "Your role in this jurisdiction lets you read and export plans, not change them.",
    )


@blueprint.app_errorhandler(404)
def not_found(error):
    return error_page(
        404,
        "Not found",
        "There is no such page, or it belongs to a jurisdiction you are not a member of.",
    )


@blueprint.app_errorhandler(405)
def method_not_allowed(error):
    return error_page(405, "Not allowed", "This address does not accept that request.")


@blueprint.app_errorhandler(413)
def too_large(error):
    return error_page(413, "File too large", "Plan files and CSV files must be under 2 MB.")


@blueprint.app_errorhandler(PlanError)
def stored_plan_error(error):
    """A stored plan that no longer passes the engine (saved before a limit of cost model
    §15 existed): say which values break it rather than fail with a 500."""
    db.session.rollback()
    shown = "; ".join(str(p) for p in error.problems[:5])
    return error_page(
        422,
        "This plan breaks a limit",
        "The stored plan has values the "
        f"planner no longer accepts ({shown}). An administrator can take its "
        "file from a backup, correct it and import it again.",
    )


@blueprint.app_errorhandler(StaleDataError)
def stale(error):
    db.session.rollback()
    return error_page(
        409,
        "Changed by someone else",
        "Another person saved this plan at the "
        "same moment. Reload the page to see their change, then try again.",
    )


@blueprint.app_errorhandler(OperationalError)
def database_error(error):
    """A database lock held too long by another process (a backup, a long write) is a 503
    with Retry-After: nothing was saved and trying again shortly will work. Any other
    operational failure is the generic 500, logged (without the statement's parameters:
    the engine hides them)."""
    db.session.rollback()
    if database_busy(error):
        logger.warning("database busy: %s", type(getattr(error, "orig", error)).__name__)
        page, status = error_page(
            503,
            "The database is busy",
            "Another task is writing to the database. Nothing was saved; wait a few "
            "seconds and submit again.",
        )
        return page, status, {"Retry-After": str(RETRY_AFTER_SECONDS)}
    logger.error("database error", exc_info=error)
    return server_error(error)


@blueprint.app_errorhandler(500)
def server_error(error):
    db.session.rollback()  # nothing half-done is committed by a later use of the session
    return error_page(
        500,
        "Something went wrong",
        "The error was logged. Nothing was saved; go back and try again.",
    )
