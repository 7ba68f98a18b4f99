"""planner: budget a North Carolina LEAD program funded by opioid settlement money."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict | None = None) -> Flask:
    """Build the app: configuration, extensions, blueprints. No work at import time."""
    from werkzeug.middleware.proxy_fix import ProxyFix
    from whitenoise import WhiteNoise

    from planner import formatting, rate_limits, request_log  # noqa: F401 - registers planner+db://
    from planner.config import configure
    from planner.extensions import csrf, db, limiter, login_manager
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
    request_log.init_app(app)
    hops = app.config["TRUSTED_PROXIES"]
    if hops:  # the client's address and scheme as the trusted proxies saw them
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    # Static files straight from WhiteNoise (compressed, cached for a day), not from Flask.
    app.wsgi_app = WhiteNoise(app.wsgi_app, root=str(ROOT / "static"), prefix="static/",
                              max_age=app.config["STATIC_MAX_AGE"])
    return app
