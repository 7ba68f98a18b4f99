"""Blueprints, and what applies to every request: sign-in, security headers, error pages."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.routing import IntegerConverter, ValidationError

from planner.extensions import db, login_manager
from planner.forms.auth import id_of
from planner.models import User
from planner.scenarios import PlanError

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


class IdConverter(IntegerConverter):
    """`<int:…>` in every route: ASCII digits only and at most the 64-bit id maximum, so
    that `²`, a 5,000-digit id or 2^63 is a 404 rather than an error in int() or SQLite."""

    regex = r"[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = id_of(value)
        if number is None:
            raise ValidationError()
        return number


def register_blueprints(app: Flask) -> None:
    from planner.web import (
        account,
        actuals,
        admin,
        auth,
        county,
        editor,
        health,
        jurisdictions,
        plans,
        reports,
    )

    app.url_map.converters["int"] = IdConverter  # before any route is added
    for module in (auth, account, admin, jurisdictions, plans, editor, county, reports,
                   health, actuals):
        app.register_blueprint(module.blueprint)

    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = "Please sign in to continue."

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        """The session's account, if it is active and the session was signed in at the
        account's current epoch (sign-out, a new password or deactivation move it on)."""
        ident, _, epoch = user_id.partition(":")
        number = id_of(ident)
        if number is None or not (epoch.isascii() and epoch.isdecimal() and len(epoch) <= 18):
            return None
        user = db.session.get(User, number)
        if user is None or not user.active or user.session_epoch != int(epoch):
            return None
        return user

    auth.init_sessions(app)

    from planner.web.access import authorize_request

    @app.before_request
    def refuse_nul_characters():
        """No text with NUL reaches a form, the engine or the database (PostgreSQL refuses
        it): such a request is answered 400 before anything runs."""
        values = [request.path, *request.args.values(), *request.form.values(),
                  *(upload.filename or "" for upload in request.files.values())]
        if any("\x00" in value for value in values):
            return error_page(400, "Bad request", "The request contains a NUL character.")
        return None

    app.before_request(authorize_request)  # the one place that decides who gets in

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        # Every page, download and chart the app answers is private to who asked (plans,
        # accounts, forms with their token): no browser or proxy keeps a copy (ASVS 8.2.1).
        # Static files are answered by WhiteNoise before the app, and keep their caching.
        response.headers["Cache-Control"] = "no-store"
        return response

    def error_page(status: int, title: str, message: str):
        return render_template("errors/error.html", status=status, title=title,
                               message=message), status

    @app.errorhandler(400)
    def bad_request(error):
        return error_page(400, "Bad request", getattr(error, "description", "") or
                          "The request could not be understood.")

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return error_page(400, "The form expired",
                          "The form was missing its security token or it expired. Go back, "
                          "reload the page and submit again.")

    @app.errorhandler(403)
    def forbidden(error):
        return error_page(403, "Not allowed", "Your role in this jurisdiction lets you read and "
                          "export plans, not change them.")

    @app.errorhandler(404)
    def not_found(error):
        return error_page(404, "Not found", "There is no such page, or it belongs to a "
                          "jurisdiction you are not a member of.")

    @app.errorhandler(405)
    def method_not_allowed(error):
        return error_page(405, "Not allowed", "This address does not accept that request.")

    @app.errorhandler(413)
    def too_large(error):
        return error_page(413, "File too large", "Plan files and CSV files must be under 2 MB.")

    @app.errorhandler(PlanError)
    def stored_plan_error(error):
        """A stored plan that no longer passes the engine (saved before a limit of cost
        model §15 existed): say which values break it rather than fail with a 500."""
        db.session.rollback()
        shown = "; ".join(str(p) for p in error.problems[:5])
        return error_page(422, "This plan breaks a limit", "The stored plan has values the "
                          f"planner no longer accepts ({shown}). An administrator can take "
                          "its file from a backup, correct it and import it again.")

    @app.errorhandler(StaleDataError)
    def stale(error):
        db.session.rollback()
        return error_page(409, "Changed by someone else", "Another person saved this plan at "
                          "the same moment. Reload the page to see their change, then try "
                          "again.")

    @app.errorhandler(500)
    def server_error(error):
        return error_page(500, "Something went wrong", "The error was logged. Nothing was "
                          "saved; go back and try again.")
