"""Changing named inputs of the workbook gives, once LibreOffice recalculates it, the engine's
projection of the plan file changed the same way, to the dollar: for the 4 example plans and
20 generated plans with every named input changed together, and for the inputs a blank default
follows (an escalation ages the salaries the plan leaves blank) changed one at a time. The
plan file is the county's own (what it leaves blank stays blank), not `plan_to_dict`, which
writes every default as a fixed value.

All the workbooks are recalculated in one LibreOffice run (a module fixture)."""

from __future__ import annotations

import copy
import datetime as dt
import io
import json
import random
import re
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from planner.cost_tables import default_cost_tables
from planner.reports.context import plan_document
from planner.reports.workbook import plan_workbook
from planner.scenarios import parse_plan
from planner.scenarios.fields import Field
from planner.scenarios.kinds import REGISTRY
from planner.scenarios.parse import ASSUMPTION_FIELDS, FUND_FIELDS
from tests.test_kinds import every_variant
from tests.test_workbook_live import EXAMPLES, _recalculate, assert_equals_engine

pytestmark = [
    pytest.mark.slow,
    # One LibreOffice run serves every test here (a module fixture): all on one worker, so it
    # runs once (make test distributes by these groups, `--dist loadgroup`).
    pytest.mark.xdist_group("libreoffice-recalc"),
    pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed"),
]
EXAMPLE_NAMES = ("demo-orange-county", "option-b-durham", "all-rules-pass", "minimal")
# One at a time: the inputs a blank default follows (cost model §2 'Aging defaults'; §5 the
# call-out rate follows the case-management salary).
SINGLES = {
    "minimal": ("assumptions.salary_escalation", "assumptions.health_escalation"),
    "demo-orange-county": ("line_items.case_managers.salary",),
}
PATH = re.compile(r"(FY\d{4}-\d{2}|[A-Za-z_][A-Za-z0-9_]*|\d+)|\[(\d+)\]")


def parsed(doc: dict[str, Any]):
    return parse_plan(doc, default_cost_tables())


def workbook(doc: dict[str, Any]) -> bytes:
    return plan_workbook(plan_document(parsed(doc), prepared_on=dt.date(2026, 11, 28)))


def generated(count: int, seed: int = 2026) -> list[dict[str, Any]]:
    """`count` small plans (2–4 FYs, 1–4 lines) drawn from every kind and variant, each
    line with some of its inputs left blank (their defaults), a line window sometimes."""
    rng = random.Random(seed)  # noqa: S311 - test plans, not secrets
    # A contribution (§17) names another government and pays the lead's figures as stated:
    # no input of it is a rate or a default to follow; the stored-values property covers it.
    variants = [v for v in every_variant() if v["kind"] != "contribution"]
    docs = []
    for n in range(count):
        start, years = rng.randint(2024, 2032), rng.randint(2, 4)
        lines = []
        has_cm = False
        for index in range(rng.randint(1, 4)):
            line = copy.deepcopy(rng.choice(variants))
            if line["kind"] == "case_management":
                if has_cm:
                    continue
                has_cm = True
            kind = REGISTRY[line["kind"]]
            keep = {"kind", "strategy", "justification", kind.choice or "kind"}
            keep |= {f.name for f in kind.fields(line.get(kind.choice or "")) if f.required}
            if line.get("status") == "gap":
                keep |= {"units", "unit_cost"}
            line = {k: v for k, v in line.items() if k in keep or rng.random() < 0.5}
            line.pop("start_fy", None)
            line.pop("end_fy", None)
            if rng.random() < 0.3:
                line["start_fy"] = start + rng.randint(0, years - 1)
            line["id"] = f"l{index}"
            lines.append(line)
        assumptions = {
            "salary_escalation": str(rng.choice(["-0.02", "0.03", "0.045"])),
            "indirect_rate": str(rng.choice(["0", "0.1"])),
        }
        docs.append(
            {
                "schema": "lead-plan/1",
                "name": f"generated {n}",
                "start_fy": start,
                "years": years,
                "assumptions": {k: v for k, v in assumptions.items() if rng.random() < 0.6},
                "fund": {"opening_balance": "100000.5", "receipts": {str(start): "750000"}},
                "participants": {"referrals_per_year": {"community": str(rng.randint(5, 90))}},
                "line_items": lines,
            }
        )
    return docs


# ----------------------------------------------------------------------------- changes


def field_at(doc: dict[str, Any], path: str) -> tuple[Field | None, str]:
    """The plan-file field at a path and its unit (participants and receipts: by section)."""
    keys = [m.group(1) or int(m.group(2)) for m in PATH.finditer(path)]
    if keys[0] == "assumptions":
        field = next(f for f in ASSUMPTION_FIELDS if f.name == keys[1])
        return field, field.measure
    if keys[0] == "fund" and keys[1] != "receipts":
        field = next(f for f in FUND_FIELDS if f.name == keys[1])
        return field, field.measure
    if keys[0] == "line_items":
        line = doc["line_items"][keys[1]]
        kind = REGISTRY[line["kind"]]
        choice = line.get(kind.choice) if kind.choice else None
        for field in kind.fields(choice):
            if field.name == keys[2]:
                return field, field.measure
        return None, "year"  # start_fy, end_fy
    units = {"referrals_per_year": "count", "enrollment_rate": "rate", "ramp": "multiplier"}
    return None, units.get(
        str(keys[1]),
        {"average_months_enrolled": "months"}.get(
            str(keys[1]), "dollars" if keys[0] == "fund" else "count"
        ),
    )


def new_value(field: Field | None, unit: str, old: Any) -> Any:
    """Another valid value of the input, by its unit."""
    if field is not None and field.type == "bool":
        return not old
    if field is not None and field.type == "choice":
        others = [c for c in field.choices if c != old]
        return "gap" if "gap" in others else others[len(others) // 2]
    number = Decimal(0) if old in (None, "") else Decimal(str(old))
    if unit in ("whole", "months"):
        top = field.high if field is not None and field.high is not None else None
        value = number + 1 if top is None or number + 1 <= top else number - 1
        return int(value)
    if unit == "rate":
        high = field.high if field is not None and field.high is not None else Decimal(1)
        return min(high, number * Decimal("0.8") + Decimal("0.013"))
    if unit == "dollars":
        return number * Decimal("1.07") + Decimal("123.45")
    value = number * Decimal("1.1") + Decimal("0.5")
    if field is not None and field.high is not None:
        value = min(value, field.high)
    return value


def set_in(doc: dict[str, Any], path: str, value: Any) -> None:
    keys = [m.group(1) or int(m.group(2)) for m in PATH.finditer(path)]
    if keys[:2] == ["fund", "receipts"]:
        receipts = doc.setdefault("fund", {}).setdefault("receipts", {})
        fy = keys[2][2:6]
        for key in [k for k in receipts if k in (keys[2], fy)]:
            del receipts[key]
        receipts[keys[2]] = format(value, "f")
        return
    target: Any = doc
    for key in keys[:-1]:
        if isinstance(key, str) and key not in target:
            target[key] = {}
        target = target[key]
    if isinstance(value, Decimal):
        value = format(value, "f")
    target[keys[-1]] = value


def inputs_of(book: openpyxl.Workbook) -> dict[str, tuple[str, str]]:
    """Defined name -> (its plan-file path, its cell on the Inputs sheet)."""
    sheet = book["Inputs"]
    found = {}
    for row in sheet.iter_rows(min_row=2):
        name, path = row[2].value, row[3].value
        if name and path and name in book.defined_names:
            found[name] = (path, row[1].coordinate)
    return found


def change(
    doc: dict[str, Any], data: bytes, names: tuple[str, ...] | None
) -> tuple[dict[str, Any], openpyxl.Workbook]:
    """The plan and its workbook with these named inputs changed (None: all of them)."""
    plan = parsed(doc)
    changed = copy.deepcopy(doc)
    book = openpyxl.load_workbook(io.BytesIO(data))
    stored = openpyxl.load_workbook(io.BytesIO(data), data_only=True)["Inputs"]
    inputs = inputs_of(book)
    values: dict[str, Any] = {}
    for name, (path, cell) in inputs.items():
        if names is not None and name not in names:
            continue
        if name == "fund.moa_executed_on" or name.startswith("actuals."):
            continue
        field, unit = field_at(changed, path)
        values[name] = new_value(field, unit, stored[cell].value)
    if any(path.startswith("participants.ramp") for path, _ in inputs.values()):
        # the ramp the plan leaves to the tables becomes its own when a step changes
        people = changed.setdefault("participants", {})
        people.setdefault("ramp", [format(v, "f") for v in plan.participants.ramp])
    _keep_windows(values, inputs, plan)
    _keep_rules(values, inputs, stored)
    for name, value in values.items():
        path, cell = inputs[name]
        set_in(changed, path, value)
        number = (
            float(value)
            if isinstance(value, Decimal | int) and not isinstance(value, bool)
            else value
        )
        book["Inputs"][cell] = number
    return changed, book


def _keep_windows(values: dict[str, Any], inputs: dict[str, tuple[str, str]], plan: Any) -> None:
    """A line's window moves inside the plan and keeps start ≤ end."""
    for line, stem in zip(plan.line_items, _stems(inputs), strict=False):
        start, end = f"{stem}.start_fy", f"{stem}.end_fy"
        if start not in values:
            continue
        s, e = line.start_fy, line.end_fy
        values[start] = s + 1 if s + 1 <= e else s
        values[end] = e - 1 if e - 1 >= values[start] else e


def _stems(inputs: dict[str, tuple[str, str]]) -> list[str]:
    return [name[: -len(".start_fy")] for name in inputs if name.endswith(".start_fy")]


def _keep_rules(values: dict[str, Any], inputs: dict[str, tuple[str, str]], stored: Any) -> None:
    """Cross-field rules (§8): max_fte ≥ min_fte; a gap states its units and unit cost."""
    for name in list(values):
        stem, _, field = name.rpartition(".")
        if field == "max_fte":
            low = values.get(f"{stem}.min_fte", stored[inputs[f"{stem}.min_fte"][1]].value)
            values[name] = max(Decimal(str(values[name])), Decimal(str(low)) + 1)
        if field == "status" and values[name] == "gap":
            for key, amount in (("units", Decimal("2.5")), ("unit_cost", Decimal("1500.25"))):
                if (
                    stored[inputs[f"{stem}.{key}"][1]].value in (None, "")
                    and f"{stem}.{key}" in inputs
                ):
                    values.setdefault(f"{stem}.{key}", amount)


# ----------------------------------------------------------------------------- the run


@pytest.fixture(scope="session")
def recalculated(tmp_path_factory) -> dict[str, tuple[dict[str, Any], Path, int]]:
    """name -> (the changed plan file, its recalculated workbook, inputs changed)."""
    root = tmp_path_factory.mktemp("recalc")
    src = root / "in"
    src.mkdir()
    cases: dict[str, tuple[dict[str, Any], Path, int]] = {}
    docs = {
        name: json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))
        for name in EXAMPLE_NAMES
    }
    docs.update({f"generated-{i}": doc for i, doc in enumerate(generated(20))})
    for name, doc in docs.items():
        data = workbook(doc)
        runs: dict[str, tuple[str, ...] | None] = {"all": None}
        runs.update({single: (single,) for single in SINGLES.get(name, ())})
        for run, names in runs.items():
            changed, book = change(doc, data, names)
            path = src / f"{name}--{run}.xlsx"
            book.save(path)
            cases[path.stem] = (changed, root / "out" / path.name, len(names or inputs_of(book)))
    # one run for every workbook; on a busy 2-core machine it takes minutes, not seconds
    _recalculate(sorted(src.glob("*.xlsx")), root / "out", root / "profile", timeout=1200)
    return cases


def test_every_case_was_written(recalculated):
    assert len(recalculated) == 4 + 20 + sum(len(v) for v in SINGLES.values())
    # the generated plans are not all empty: together they change hundreds of inputs
    assert sum(n for _, _, n in recalculated.values()) > 300


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_an_example_with_every_input_changed(recalculated, name):
    changed, path, _ = recalculated[f"{name}--all"]
    book = openpyxl.load_workbook(path, data_only=True)
    assert_equals_engine(book, parsed(changed))


@pytest.mark.parametrize("index", range(20))
def test_a_generated_plan_with_every_input_changed(recalculated, index):
    changed, path, _ = recalculated[f"generated-{index}--all"]
    assert_equals_engine(openpyxl.load_workbook(path, data_only=True), parsed(changed))


@pytest.mark.parametrize(
    ("name", "single"), [(name, single) for name, names in SINGLES.items() for single in names]
)
def test_an_input_a_default_follows_changed_alone(recalculated, name, single):
    changed, path, _ = recalculated[f"{name}--{single}"]
    assert_equals_engine(openpyxl.load_workbook(path, data_only=True), parsed(changed))
