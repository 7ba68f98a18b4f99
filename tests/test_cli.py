"""The `planner` command line: tables, JSON and exit codes (cost model §10)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from planner.cli import main
from planner.scenarios import project, projection_to_dict
from tests.plans import EXAMPLES, example

SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"
PLAN_FILES = sorted(p.name for p in EXAMPLES.glob("*.json"))


@pytest.fixture
def runner():
    return CliRunner()


@pytest.mark.parametrize("name", PLAN_FILES)
def test_project_table_shows_every_fy_line_and_total(runner, name):
    result = runner.invoke(main, ["project", str(EXAMPLES / name)])
    assert result.exit_code == 0, result.output
    plan = example(name)
    p = project(plan)
    for label in p.labels:
        assert label in result.output
    for line in plan.line_items:
        assert (line.label or line.id) in result.output
    total_row = next(r for r in result.output.splitlines() if r.startswith("Total spending"))
    assert total_row.split()[-1] == f"{p.total:,}"
    assert "Fund: begin" in result.output


@pytest.mark.parametrize("name", PLAN_FILES)
def test_project_json_is_the_engine_projection(runner, name):
    result = runner.invoke(main, ["project", str(EXAMPLES / name), "--json"])
    assert result.exit_code == 0
    out = json.loads(result.output)
    assert out["schema"] == "lead-projection/1"
    assert out == projection_to_dict(project(example(name)))


def test_demo_projection_snapshot(runner):
    result = runner.invoke(main, ["project", str(EXAMPLES / "demo-orange-county.json"), "--json"])
    snapshot = SNAPSHOTS / "demo-orange-county.projection.json"
    if os.environ.get("UPDATE_SNAPSHOTS"):
        snapshot.write_text(result.output)
    assert json.loads(result.output) == json.loads(snapshot.read_text())


def test_bad_file_lists_every_problem_and_exits_2(runner, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            {
                "schema": "lead-plan/1",
                "start_fy": "FY2027",
                "line_items": [
                    {"id": "pm", "kind": "position", "role": "program_manager", "fte": "-1"}
                ],
            }
        )
    )
    result = runner.invoke(main, ["project", str(bad)])
    assert result.exit_code == 2
    assert "2 problem(s)" in result.output
    assert "start_fy: 'FY2027' is ambiguous: write FY2026-27 or FY2027-28" in result.output
    assert "line_items[0].fte: must be ≥ 0" in result.output
    assert "Traceback" not in result.output


def test_unreadable_and_non_json_files_exit_2(runner, tmp_path):
    result = runner.invoke(main, ["project", str(tmp_path / "missing.json")])
    assert result.exit_code == 2
    assert "cannot read the file" in result.output
    binary = tmp_path / "plan.json"
    binary.write_bytes(b"\xff\xfe\x00")
    result = runner.invoke(main, ["project", str(binary)])
    assert result.exit_code == 2
    assert "(file):" in result.output
