"""The layers at run time (issue 15): the engine, and the CLI's engine commands, load no web
framework, database, PDF or locale library. import-linter (setup.cfg) checks the import
statements; this checks what a fresh interpreter actually has in `sys.modules`, which also
catches a package `__init__` that pulls a framework in."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HEAVY = (
    "flask",
    "werkzeug",
    "jinja2",
    "sqlalchemy",
    "alembic",
    "weasyprint",
    "babel",
    "matplotlib",
    "openpyxl",
    "xlsxwriter",
    "docx",
)


def _loaded_after(code: str) -> list[str]:
    """The HEAVY top-level packages in sys.modules after `code` runs in a new interpreter."""
    script = (
        f"{code}\n"
        "import json, sys\n"
        "top = {name.split('.')[0] for name in sys.modules}\n"
        f"print(json.dumps(sorted(top & {set(HEAVY)!r})))\n"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=str(ROOT),
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_importing_the_engine_loads_no_framework():
    assert _loaded_after("import planner.scenarios") == []


def test_projecting_and_checking_a_plan_loads_no_framework():
    """The engine at work (parse, project, check, fit), not only imported; and the CLI
    module that `planner project` runs."""
    code = (
        "import planner.cli\n"
        "import datetime as dt\n"
        "from planner.cost_tables import default_cost_tables\n"
        "from planner.scenarios import parse_plan_text, project\n"
        "from planner.scenarios.compliance import check_plan\n"
        "from planner.scenarios.fit import fit\n"
        "tables = default_cost_tables()\n"
        "plan = parse_plan_text(open('examples/demo-orange-county.json').read(), tables)\n"
        "projection = project(plan)\n"
        "check_plan(plan, projection, tables, dt.date(2026, 7, 1))\n"
        "fit(plan, projection=projection)\n"
    )
    assert _loaded_after(code) == []


@pytest.mark.parametrize("module", ["planner", "planner.paths"])
def test_the_package_and_its_paths_load_no_framework(module):
    assert _loaded_after(f"import {module}") == []


def test_the_app_factory_is_still_importable_from_the_package():
    """`from planner import create_app` (wsgi.py of older deployments, scripts) imports the
    factory only when asked for it."""
    import planner
    from planner.app import create_app

    assert planner.create_app is create_app
    with pytest.raises(AttributeError):
        planner.no_such_name  # noqa: B018 - the attribute lookup is the test
