"""The `planner` command line (cost model §10). Commands are thin: they read, call, print."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from planner.cost_tables import default_cost_tables
from planner.scenarios import Plan, PlanError, parse_plan_text, project, projection_to_dict
from planner.tables_text import projection_table

EXIT_BAD_FILE = 2


def read_plan(path: str) -> Plan:
    """Parse a plan file; on any problem print every path and exit 2."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        click.echo(f"{path}: cannot read the file ({exc.strerror})", err=True)
        sys.exit(EXIT_BAD_FILE)
    try:
        return parse_plan_text(data, default_cost_tables())
    except PlanError as exc:
        click.echo(f"{path}: {len(exc.problems)} problem(s) in the plan file:", err=True)
        for problem in exc.problems:
            click.echo(f"  {problem}", err=True)
        sys.exit(EXIT_BAD_FILE)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Plan, check and justify a North Carolina LEAD program funded by opioid settlement money."""


@main.command("project")
@click.argument("plan_file", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the lead-projection/1 JSON.")
def project_command(plan_file: str, as_json: bool) -> None:
    """Print the 18-year projection of PLAN_FILE."""
    plan = read_plan(plan_file)
    projection = project(plan)
    if as_json:
        click.echo(json.dumps(projection_to_dict(projection), indent=2, ensure_ascii=False))
    else:
        click.echo(projection_table(plan, projection))
