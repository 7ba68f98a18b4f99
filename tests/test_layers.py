"""The layers at run time (issue 15): the engine, and the CLI's engine commands, load no web
framework, database, PDF or locale library. import-linter (setup.cfg) checks the import
statements; this checks what a fresh interpreter actually has in `sys.modules`, which also
catches a package `__init__` that pulls a framework in."""

from __future__ import annotations

import ast
import functools
import json
import subprocess
import sys
from collections.abc import Iterator
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


# What each check runs, in one new interpreter, in this order: each step's heavy packages are
# read after it runs. A step also imports what the steps before it import, so a package that
# one step wrongly loads shows in that step and the later ones.
STEPS = {
    "planner": "import planner",
    "planner.paths": "import planner.paths",
    "planner.scenarios": "import planner.scenarios",
    # The engine at work (parse, project, check, fit), and the CLI module `planner project` runs.
    "at work": (
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
    ),
}


@functools.cache
def _loaded_by_step() -> dict[str, list[str]]:
    """The HEAVY top-level packages in sys.modules after each step of STEPS, run in turn in
    one new interpreter (one start instead of one a check)."""
    script = ["import json, sys", "found = {}"]
    for name, code in STEPS.items():
        script.append(code)
        script.append(
            f"found[{name!r}] = sorted({{m.split('.')[0] for m in sys.modules}} & {set(HEAVY)!r})"
        )
    script.append("print(json.dumps(found))")
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", "\n".join(script)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=str(ROOT),
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_importing_the_engine_loads_no_framework():
    assert _loaded_by_step()["planner.scenarios"] == []


def test_projecting_and_checking_a_plan_loads_no_framework():
    """The engine at work (parse, project, check, fit), not only imported; and the CLI
    module that `planner project` runs."""
    assert _loaded_by_step()["at work"] == []


@pytest.mark.parametrize("module", ["planner", "planner.paths"])
def test_the_package_and_its_paths_load_no_framework(module):
    assert _loaded_by_step()[module] == []


def test_the_job_workers_processes_start_with_the_pdf_writer_loaded():
    """Each job runs in a process forked from the worker's forkserver, which imports
    JOB_MODULES once: the PDF writer (WeasyPrint, ≈0.8 s to import) must be among them, since
    the web modules no longer import it (planner.reports.templates loads it at the first PDF)."""
    from planner.app import JOB_MODULES

    assert "planner.reports.pdf" in JOB_MODULES
    pdf = (ROOT / "planner" / "reports" / "pdf.py").read_text(encoding="utf-8")
    assert "\nimport weasyprint" in pdf or "\nfrom weasyprint import" in pdf


def test_the_app_factory_is_still_importable_from_the_package():
    """`from planner import create_app` (wsgi.py of older deployments, scripts) imports the
    factory only when asked for it."""
    import planner
    from planner.app import create_app

    assert planner.create_app is create_app
    with pytest.raises(AttributeError):
        planner.no_such_name  # noqa: B018 - the attribute lookup is the test


# ------------------------------------------------------------------------ import cycles

PACKAGE = ROOT / "planner"
# Cycles still held open by an import inside a function, each waiting for a move; remove a set
# when its move lands; none may be added. (Issue 19's four are broken: `_Reader` in
# scenarios/reader.py, `direct_result` in compliance_base.py, `Outcome` in vectorized.py, and
# the contribution lines' sync of §17 in services/plans.py beside the save it follows.)
PENDING_CYCLES: set[frozenset[str]] = set()


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@functools.cache
def runtime_imports() -> dict[str, set[str]]:
    """Each planner module's imports of planner modules that run: at module level or inside
    a function (where a cycle hides), not those under `if TYPE_CHECKING:`."""
    files = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    edges: dict[str, set[str]] = {name: set() for name in files}
    for name, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        for node in _statements(tree.body, top=True):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = package[: len(package) - (node.level - 1)]
                    base = ".".join(up + ([node.module] if node.module else []))
                subs = [f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in files]
                # `from planner.present import charts` names a module, not the package's body
                targets = subs + ([base] if len(subs) < len(node.names) else [])
            else:
                continue
            for target in targets:
                while target and target not in files:  # the longest module named
                    target = target.rpartition(".")[0]
                if target and target != name:
                    edges[name].add(target)
    return edges


def _statements(body: list[ast.stmt], top: bool = False) -> Iterator[ast.stmt]:
    """Every statement in `body` and in the blocks nested in it (functions, classes, if,
    try, with, loops, match cases), where an import can stand; not the blocks of a
    module-level `if TYPE_CHECKING:`. Expressions are not walked: no import is in one, and
    they are most of a module's nodes."""
    for stmt in body:
        if top and isinstance(stmt, ast.If) and "TYPE_CHECKING" in ast.dump(stmt.test):
            continue
        yield stmt
        for field in ("body", "orelse", "finalbody"):
            block = getattr(stmt, field, None)
            if isinstance(block, list):
                yield from _statements(block)
        for handler in getattr(stmt, "handlers", ()):  # try: except
            yield from _statements(handler.body)
        for case in getattr(stmt, "cases", ()):  # match
            yield from _statements(case.body)


def import_cycles(edges: dict[str, set[str]]) -> set[frozenset[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: set[frozenset[str]] = set()

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in edges.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = set()
            while True:
                top = stack.pop()
                component.add(top)
                if top == node:
                    break
            if len(component) > 1:
                found.add(frozenset(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_the_cycle_finder_sees_an_import_inside_a_function():
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert import_cycles(edges) == {frozenset({"a", "b", "c"})}
    found = runtime_imports()
    # services/actuals imports plans_of at module level; plans imports no actuals service
    assert "planner.services.plans" in found["planner.services.actuals"]
    assert "planner.services.actuals" not in found["planner.services.plans"]


def test_no_import_cycles_within_planner():
    """A module that reaches back into a module importing it (typically through an import
    inside a function) makes the two one knot: the helper it reaches for belongs in a module
    both import."""
    cycles = import_cycles(runtime_imports())
    new = {tuple(sorted(c)) for c in cycles - PENDING_CYCLES}
    assert new == set()


def test_every_planner_module_is_in_the_layers_contract():
    """setup.cfg's layers name every package and root module of planner, so import-linter
    checks the direction of each of their imports."""
    import configparser

    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    layers = config["importlinter:contract:layers"]["layers"]
    named = {part.strip() for line in layers.split("\n") for part in line.split("|")} - {""}
    top = {
        f"planner.{p.stem if p.is_file() else p.name}"
        for p in PACKAGE.iterdir()
        if (p.suffix == ".py" and p.name != "__init__.py") or (p / "__init__.py").is_file()
    }
    assert top - named == set()
