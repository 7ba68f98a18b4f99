"""Structured request logs: one JSON object a line on the `planner.requests` logger."""

from __future__ import annotations

import json
import logging
import time

from flask import Flask, g, request
from flask_login import current_user

logger = logging.getLogger("planner.requests")


def init_app(app: Flask) -> None:
    @app.before_request
    def start_timer() -> None:
        g.request_started = time.perf_counter()

    @app.after_request
    def log_request(response):
        if logger.isEnabledFor(logging.INFO):
            started = g.get("request_started")
            logger.info(
                json.dumps(
                    {
                        "method": request.method,
                        "path": request.path,
                        "endpoint": request.endpoint,
                        "status": response.status_code,
                        "duration_ms": round((time.perf_counter() - started) * 1000, 1)
                        if started
                        else None,
                        "bytes": response.calculate_content_length(),
                        "user": current_user.id if current_user.is_authenticated else None,
                        "remote": request.remote_addr,
                        # a refused sign-in: the account tried (never the password) and why
                        **(
                            {"sign_in_refused": g.sign_in_failure} if "sign_in_failure" in g else {}
                        ),
                    }
                )
            )
        return response
