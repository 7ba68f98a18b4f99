"""The `planner` command line (cost model §10). Commands are thin: they read, call, print."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import click

from planner.cost_tables import default_cost_tables
from planner.scenarios import Plan, PlanError, parse_plan_text, project, projection_to_dict
from planner.scenarios.compliance import check_plan, compliance_to_dict
from planner.tables_text import compliance_text, projection_table

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


@main.command("check")
@click.argument("plan_file", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the lead-compliance/1 JSON.")
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="The date the deadlines are counted from (default: today).")
def check_command(plan_file: str, as_json: bool, as_of: dt.datetime | None) -> None:
    """Check PLAN_FILE against the MOA and LEAD fidelity; exit 1 when a rule fails."""
    plan = read_plan(plan_file)
    tables = default_cost_tables()
    day = as_of.date() if as_of else dt.date.today()  # noqa: DTZ011 - the user's local date
    results = check_plan(plan, project(plan), tables, day)
    if as_json:
        click.echo(json.dumps(compliance_to_dict(results, day), indent=2, ensure_ascii=False))
    else:
        click.echo(compliance_text(plan, results, day))
    if any(r.status == "fail" for r in results):
        sys.exit(1)
