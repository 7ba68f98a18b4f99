"""The published JSON Schemas (issue 24): the files under schemas/ are what
planner/scenarios/schemas.py builds from the parser's tables; every plan file the parser
reads and every document the engine and the CLI write validate against theirs."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner
from hypothesis import given, settings

from planner.cli import main as cli
from planner.cost_tables import default_cost_tables
from planner.scenarios import PlanError, dump_plan_json, parse_plan, project, projection_to_dict
from planner.scenarios.compliance import check_plan, compliance_to_dict
from planner.scenarios.schemas import all_schemas
from tests.strategies import examples, plan_documents

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.json")) + sorted(
    (ROOT / "examples" / "real").glob("*.json")
)
SCHEMAS = all_schemas()
VALIDATORS = {name: jsonschema.Draft202012Validator(s) for name, s in SCHEMAS.items()}
AS_OF = dt.date(2027, 10, 1)


def errors(name: str, document) -> list:
    return [(list(e.absolute_path), e.message) for e in VALIDATORS[name].iter_errors(document)]


def test_the_published_files_are_what_the_module_builds():
    for name, schema in SCHEMAS.items():
        kind, version = name.split("/")
        path = ROOT / "schemas" / kind / f"{version}.json"
        assert json.loads(path.read_text(encoding="utf-8")) == schema, (
            f"{path} is stale: run scripts/write_schemas.py"
        )
        jsonschema.Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_example_and_its_documents_validate(path):
    text = path.read_text(encoding="utf-8")
    assert errors("lead-plan/1", json.loads(text)) == []
    runner = CliRunner()
    written = runner.invoke(cli, ["project", str(path), "--json"])
    assert written.exit_code == 0, written.output
    assert errors("lead-projection/1", json.loads(written.output)) == []
    checked = runner.invoke(cli, ["check", str(path), "--json", "--as-of", AS_OF.isoformat()])
    assert checked.exit_code in (0, 1), checked.output
    assert errors("lead-compliance/1", json.loads(checked.output)) == []


@settings(max_examples=examples(60), deadline=None)
@given(plan_documents(funding=True))
def test_a_plan_the_parser_reads_validates_and_so_does_what_it_writes(document):
    tables = default_cost_tables()
    try:
        plan = parse_plan(document, tables)
    except PlanError:
        return
    assert errors("lead-plan/1", document) == []
    assert errors("lead-plan/1", json.loads(dump_plan_json(plan))) == []
    projection = project(plan)
    assert errors("lead-projection/1", projection_to_dict(projection)) == []
    results = check_plan(plan, projection, tables, AS_OF)
    assert errors("lead-compliance/1", compliance_to_dict(results, AS_OF)) == []


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (lambda d: d.update(colour="blue"), []),  # an unknown key
        (lambda d: d["line_items"][0].update(salary_typo="1"), ["line_items", 0]),
        (lambda d: d["line_items"][0].update(kind="wizard"), ["line_items", 0, "kind"]),
        (lambda d: d["fund"].update(interest_rate=True), ["fund", "interest_rate"]),
        (lambda d: d.update(schema="lead-plan/2"), ["schema"]),
    ],
)
def test_what_the_parser_refuses_the_schema_refuses(change, path):
    """A few refusals of each kind, found by both: the schema describes the same file."""
    document = json.loads((ROOT / "examples" / "closed-fys.json").read_text(encoding="utf-8"))
    change(document)
    with pytest.raises(PlanError):
        parse_plan(document, default_cost_tables())
    assert path in [p for p, _ in errors("lead-plan/1", document)]
