"""planner: budget a North Carolina LEAD program funded by opioid settlement money.

Importing the package loads nothing heavy: the engine (`planner.scenarios`) runs without
Flask, SQLAlchemy or WeasyPrint. The web app's factory is `planner.app.create_app`;
`from planner import create_app` still works and imports it only when asked for."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from planner.paths import ROOT

if TYPE_CHECKING:
    from planner.app import create_app

__all__ = ["ROOT", "create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from planner.app import create_app

        return create_app
    raise AttributeError(f"module 'planner' has no attribute {name!r}")
