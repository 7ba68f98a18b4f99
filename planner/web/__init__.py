"""Blueprints, and what applies to every request: sign-in, who gets in, security headers."""

from __future__ import annotations

from importlib import import_module

from flask import Flask, request, session
from werkzeug.routing import IntegerConverter, ValidationError

from planner.forms.auth import id_of

# The blueprints, one module of planner.web each (its `blueprint`), registered in this order:
# a new blueprint is one line here.
BLUEPRINTS = (
    "errors",
    "auth",
    "account",
    "admin",
    "jurisdictions",
    "plans",
    "editor",
    "county",
    "reports",
    "health",
    "uncertainty",
    "actuals",
    "options",
    "funding",
    "statewide",
    "public",
)

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
    from planner.web import access, auth

    app.url_map.converters["int"] = IdConverter  # before any route is added
    for name in BLUEPRINTS:
        app.register_blueprint(import_module(f"planner.web.{name}").blueprint)
    auth.init_sessions(app)  # the signed-in account, and when its session ends
    app.before_request(refuse_nul_characters)
    app.before_request(access.authorize_request)  # the one place that decides who gets in
    app.after_request(security_headers)


def refuse_nul_characters():
    """No text with NUL reaches a form, the engine or the database (PostgreSQL refuses it):
    such a request is answered 400 before anything runs."""
    from planner.web.errors import error_page

    values = [
        request.path,
        *request.args.values(),
        *request.form.values(),
        *(upload.filename or "" for upload in request.files.values()),
    ]
    if any("\x00" in value for value in values):
        return error_page(400, "Bad request", "The request contains a NUL character.")
    return None


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
    # A published public page (issue 24) is the same for everyone and says how it may be
    # kept (`public_cache`); not when the request changed the visitor's own session.
    shared = getattr(response, "public_cache", None)
    if shared is not None and not session.modified:
        response.headers["Cache-Control"] = shared
    else:
        response.headers["Cache-Control"] = "no-store"
    return response
