"""The Flask app factory: configuration, extensions, blueprints. No work at import time.

It lives here, not in `planner/__init__.py`, so that importing the engine
(`planner.scenarios`) loads no Flask (issue 15)."""

from __future__ import annotations

from typing import Any

from flask import Flask

from planner.paths import ROOT


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app: configuration, extensions, blueprints. No work at import time."""
    from werkzeug.middleware.proxy_fix import ProxyFix
    from whitenoise import WhiteNoise

    from planner import rate_limits, request_log  # noqa: F401 - registers planner+db://
    from planner.config import configure
    from planner.extensions import csrf, db, limiter, login_manager
    from planner.present import formatting  # noqa: F401
    from planner.web import register_blueprints

    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    configure(app, config)
    db.init_app(app)
    csrf.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)
    formatting.init_app(app)
    register_blueprints(app)
    init_jobs(app)
    request_log.init_app(app)
    hops = app.config["TRUSTED_PROXIES"]
    # WSGI middleware wraps `app.wsgi_app`, as Flask's documentation does; mypy reads the
    # assignment as replacing a method.
    if hops:  # the client's address and scheme as the trusted proxies saw them
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops
        )
    # Static files straight from WhiteNoise (compressed, cached for a day), not from Flask.
    app.wsgi_app = WhiteNoise(  # type: ignore[method-assign]
        app.wsgi_app,
        root=str(ROOT / "static"),
        prefix="static/",
        max_age=app.config["STATIC_MAX_AGE"],
        add_headers_function=static_headers,
    )
    return app


def static_headers(headers, path: str, url: str) -> None:  # noqa: ARG001 - WhiteNoise's call
    """Static files get the app's own Content-Security-Policy and nosniff (WhiteNoise
    answers them before the app's `security_headers` runs)."""
    from planner.web import CONTENT_SECURITY_POLICY

    headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    headers["X-Content-Type-Options"] = "nosniff"


# The modules whose functions the job worker runs: its forkserver imports them once, and each
# job's process is forked with them loaded. The PDF writer is one of them: the web modules draw
# documents' HTML without WeasyPrint (planner.reports.templates), and a PDF job would otherwise
# import it again in each process (about 0.8 s a PDF).
JOB_MODULES = ("planner.web.uncertainty", "planner.web.reports", "planner.reports.pdf")


def init_jobs(app: Flask) -> None:
    """The job queue (planner.services.jobs) on this app's database; every save queues the
    analysis and the PDF of what it changed; a request reads what the worker stored and
    never simulates (issue 20 M1). No template global computes: the views build the pages'
    models (planner.web.uncertainty.uncertainty_model)."""
    from pathlib import Path

    from flask import has_app_context, has_request_context

    from planner.extensions import db
    from planner.services import analyses, jobs

    config = app.config
    url = config.get("QUEUE_URL")
    if not url:  # beside a SQLite database (its own file: Huey's tables), else in instance/
        database = str(config["DATABASE_URL"])
        beside = database[len("sqlite:///") :] if database.startswith("sqlite:///") else ""
        path = f"{beside}.queue" if beside else str(Path(app.instance_path) / "queue.db")
        url = f"sqlite:///{path}"
    with app.app_context():
        engine = db.engine
    jobs.configure(
        str(url),
        engine=engine,
        immediate=bool(config.get("JOBS_IMMEDIATE", False)),
        isolate=bool(config.get("JOBS_ISOLATE", True)),
        workers=int(config.get("JOB_WORKERS", 2)),
        time_limit=float(config.get("JOB_TIME_LIMIT", 300)),
        memory_mb=int(config.get("JOB_MEMORY_MB", 2048)),
        preload=JOB_MODULES,
    )
    analyses.READER["read"] = lambda key: (
        jobs.result(db.session, key) if has_app_context() else None
    )
    analyses.FORBIDDEN["here"] = has_request_context
    analyses.watch()
