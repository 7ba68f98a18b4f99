"""Changing named inputs of the workbook gives, once LibreOffice recalculates it, the engine's
projection of the plan file changed the same way, to the dollar: for the 4 example plans and
20 generated plans, every named input of the Inputs sheet changed alone (up, or down where up
breaks a rule of the plan file) and all of them together. The plan file is the county's own
(what it leaves blank stays blank), not `plan_to_dict`, which writes every default as a fixed
value; a value the workbook writes as its default's formula is left blank in it (the same plan).

One LibreOffice serves the whole sweep, in one test: tests/uno_calc.py, run by the
system Python with its UNO bridge, loads each workbook once and, for each case, sets the
cells, recalculates, reads the sheets and puts the cells back (about 1,400 recalculations).
Not changed: the MOA's date (`fund.moa_executed_on`: no figure reads it) and a closed FY's
actuals (none of these plans has any)."""

from __future__ import annotations

import copy
import datetime as dt
import io
import json
import random
import re
import shutil
import subprocess
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.utils.cell import coordinate_to_tuple

from planner.cost_tables import default_cost_tables
from planner.reports.context import plan_document
from planner.reports.workbook import plan_workbook
from planner.scenarios import parse_plan
from planner.scenarios.fields import Field
from planner.scenarios.kinds import REGISTRY
from planner.scenarios.parse import ASSUMPTION_FIELDS, FUND_FIELDS, PlanError
from tests.test_kinds import every_variant
from tests.test_workbook_live import EXAMPLES, assert_equals_engine

pytestmark = [
    pytest.mark.slow,
    # The LibreOffice tests share a worker (make test: `--dist loadgroup`).
    pytest.mark.xdist_group("libreoffice-recalc"),
    pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed"),
]
EXAMPLE_NAMES = ("demo-orange-county", "option-b-durham", "all-rules-pass", "minimal")
# Inputs no figure of the projection reads (the MOA's date: the compliance checks' input).
LEFT_OUT = frozenset({"fund.moa_executed_on"})
# Debian's python3-uno is for the system Python; the driver runs there, the test talks to it.
SYSTEM_PYTHON = "/usr/bin/python3"
DRIVER = Path(__file__).resolve().parent / "uno_calc.py"
# The sheets assert_equals_engine reads (the driver skips those a workbook does not have).
SHEETS = [
    "Summary",
    "Projection",
    "Object classes",
    "Strategies",
    "Fund",
    "Participants",
    "Calculation",
    "Funding sources",
    "Actuals",
]
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
    if unit == "year":  # a line's first or last FY (changed alone: else _keep_windows)
        return int(number + 1)
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


def unset(doc: dict[str, Any], path: str) -> bool:
    """Leave the input at a path blank; False when the plan file does not state it."""
    keys = [m.group(1) or int(m.group(2)) for m in PATH.finditer(path)]
    target: Any = doc
    for key in keys[:-1]:
        if isinstance(key, str) and key not in target:
            return False
        target = target[key]
    if keys[-1] not in target:
        return False
    del target[keys[-1]]
    return True


def as_the_workbook_reads(doc: dict[str, Any], inputs: Inputs) -> dict[str, Any]:
    """The plan file with the values the workbook writes as default formulas left blank:
    a value equal to its aged default to the cent (or the on-call rate equal to the
    case-manager salary ÷ paid hours) follows its escalation in the workbook (docs/
    decisions.md, issue 19: the Plan does not record which inputs the file states). The
    same plan to the engine: the parser fills the same value in."""
    found = copy.deepcopy(doc)
    for path, cell in inputs.named.values():
        if cell in inputs.formulas:
            unset(found, path)
    assert parsed(found) == parsed(doc)
    return found


@dataclass
class Inputs:
    """The Inputs sheet: defined name -> (its plan-file path, its cell), the stored value
    of each cell, the cells holding a default's formula."""

    named: dict[str, tuple[str, str]]
    stored: dict[str, Cell]
    formulas: set[str]


def inputs_of(data: bytes) -> Inputs:
    """The workbook's Inputs sheet (read-only loads: the other sheets are not read)."""
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    values = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    named, formulas = {}, set()
    for r, row in enumerate(book["Inputs"].iter_rows(min_row=2, max_col=4, values_only=True), 2):
        name, path = (row[2], row[3]) if len(row) >= 4 else (None, None)
        if name and path and name in book.defined_names:
            named[name] = (path, f"B{r}")
        if isinstance(row[1], str) and row[1].startswith("="):
            formulas.add(f"B{r}")
    stored = {
        f"B{r}": Cell(row[1] if len(row) > 1 else None)
        for r, row in enumerate(
            values["Inputs"].iter_rows(min_row=2, max_col=2, values_only=True), 2
        )
    }
    book.close()
    values.close()
    return Inputs(named, stored, formulas)


def change(
    doc: dict[str, Any],
    plan: Any,
    inputs: dict[str, tuple[str, str]],
    stored: Any,
    names: tuple[str, ...] | None,
    down: bool = False,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The plan with these named inputs changed (None: all of them; `down`: to a smaller
    value) and the Inputs sheet's cells to change the same way: cell -> its new number,
    word or yes/no (none when there is no smaller value)."""
    changed = copy.deepcopy(doc)
    values: dict[str, Any] = {}
    for name, (path, cell) in inputs.items():
        if names is not None and name not in names:
            continue
        if name in LEFT_OUT or name.startswith("actuals."):
            continue
        field, unit = field_at(changed, path)
        old = stored[cell].value
        value = lower_value(field, unit, old) if down else new_value(field, unit, old)
        if value is not None:
            values[name] = value
    if not values:
        return changed, {}
    if any(inputs[name][0].startswith("participants.ramp") for name in values):
        # the ramp the plan leaves to the tables becomes its own when a step changes
        people = changed.setdefault("participants", {})
        people.setdefault("ramp", [format(v, "f") for v in plan.participants.ramp])
    if names is None:
        _keep_windows(values, inputs, plan)
    _keep_rules(values, inputs, stored)
    cells: dict[str, Any] = {}
    for name, value in values.items():
        path, cell = inputs[name]
        set_in(changed, path, value)
        number = (
            float(value)
            if isinstance(value, Decimal | int) and not isinstance(value, bool)
            else value
        )
        cells[f"Inputs!{cell}"] = number
    return changed, cells


def alone(
    doc: dict[str, Any], plan: Any, inputs: dict[str, tuple[str, str]], stored: Any, name: str
) -> tuple[Any, dict[str, Any]] | None:
    """The plan (parsed) and the cells with one named input changed: up, or down where up breaks a
    rule of the plan file (a line's first FY after its last, a minimum above the maximum);
    None when neither is a valid plan. A line turned into a gap states its units and unit
    cost too (§8: a gap has them), the only companions of a change alone."""
    for down in (False, True):
        changed, cells = change(doc, plan, inputs, stored, (name,), down)
        if not cells:
            continue
        try:
            return parsed(changed), cells
        except PlanError:
            continue
    return None


def lower_value(field: Field | None, unit: str, old: Any) -> Decimal | int | None:
    """A smaller valid value of a number input (None: a word, a yes/no, or 0)."""
    if (field is not None and field.type in ("bool", "choice")) or old in (None, "", 0):
        return None
    if isinstance(old, str):
        return None
    number = Decimal(str(old))
    if unit in ("whole", "months", "year"):
        return int(number - 1)
    return number * Decimal("0.9")


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


class Cell:
    __slots__ = ("value",)

    def __init__(self, value: Any):
        self.value = value


class Sheet:
    """A recalculated sheet's values, read as openpyxl reads a data_only sheet (the calls
    assert_equals_engine makes): cell(row, column), ["B7"], iter_rows."""

    def __init__(self, rows: list[list[Any]]):
        self.rows = rows

    def cell(self, row: int, column: int) -> Cell:
        inside = row <= len(self.rows) and column <= len(self.rows[row - 1])
        return Cell(_value(self.rows[row - 1][column - 1]) if inside else None)

    def __getitem__(self, ref: str) -> Cell:
        return self.cell(*coordinate_to_tuple(ref))

    def iter_rows(self, min_row: int = 1, values_only: bool = False):
        for raw in self.rows[min_row - 1 :]:
            row = [_value(v) for v in raw]
            yield tuple(row) if values_only else tuple(Cell(v) for v in row)


class Values:
    """The sheets LibreOffice recalculated, by name."""

    def __init__(self, sheets: dict[str, list[list[Any]]]):
        self.sheets = {name: Sheet(rows) for name, rows in sheets.items()}
        self.sheetnames = list(self.sheets)

    def __getitem__(self, name: str) -> Sheet:
        return self.sheets[name]


def _value(value: Any) -> Any:
    """A number to the 15 significant digits LibreOffice writes in a file (an FTE of
    7.800000000000001 is 7.8 there, as openpyxl would read the saved workbook)."""
    if type(value) is float and not value.is_integer():
        return float(f"{value:.15g}")
    return value


class Office:
    """tests/uno_calc.py under the system Python: one LibreOffice for the session."""

    def __init__(self, profile: Path):
        self.process = subprocess.Popen(  # noqa: S603 - the driver next to this file
            [SYSTEM_PYTHON, str(DRIVER), str(profile)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def send(self, path: Path, cases: list[dict[str, Any]]) -> None:
        """Ask for a workbook's cases; LibreOffice works on them while the test goes on."""
        assert self.process.stdin is not None
        request = {"op": "sweep", "path": str(path), "sheets": SHEETS, "cases": cases}
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()

    def receive(self) -> list[Values]:
        """The values of each case of the earliest workbook sent and not received."""
        assert self.process.stdout is not None
        answer = json.loads(self.process.stdout.readline() or '{"ok": false, "error": "gone"}')
        assert answer["ok"], answer["error"]
        return [Values(result) for result in answer["results"]]

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write('{"op": "quit"}\n')
        self.process.stdin.close()
        self.process.wait(timeout=120)
        assert self.process.stdout is not None
        self.process.stdout.close()


def has_uno() -> bool:
    if not Path(SYSTEM_PYTHON).exists():
        return False
    found = subprocess.run(  # noqa: S603 - the system Python importing its UNO bridge
        [SYSTEM_PYTHON, "-c", "import uno"], capture_output=True, check=False
    )
    return found.returncode == 0


@dataclass
class Swept:
    """A plan's workbook swept: the cases (all, then each input alone), its named inputs,
    the inputs it left alone, and the cases LibreOffice recalculated to other figures than
    the engine's projection of the changed plan."""

    cases: list[str]
    inputs: list[str]
    left: list[str]
    wrong: list[str]


def plans() -> dict[str, dict[str, Any]]:
    docs = {
        name: json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))
        for name in EXAMPLE_NAMES
    }
    docs.update({f"generated-{i}": doc for i, doc in enumerate(generated(20))})
    return docs


@dataclass
class Sent:
    """A workbook sent to LibreOffice: its cases (name, the changed plan, the cells)."""

    cases: list[tuple[str, Any, dict[str, Any]]]
    inputs: list[str]
    left: list[str]


def send_plan(office: Office, root: Path, name: str, doc: dict[str, Any]) -> Sent:
    """Every named input changed together, then each alone, in one load of the workbook."""
    data = workbook(doc)
    path = root / f"{name}.xlsx"
    path.write_bytes(data)
    sheet = inputs_of(data)
    inputs, stored = sheet.named, sheet.stored
    doc = as_the_workbook_reads(doc, sheet)
    plan = parsed(doc)
    changed, cells = change(doc, plan, inputs, stored, None)
    cases = [("all", parsed(changed), cells)]
    left = []
    for input_name in inputs:
        one = None
        if not (input_name in LEFT_OUT or input_name.startswith("actuals.")):
            one = alone(doc, plan, inputs, stored, input_name)
        if one is None:
            left.append(input_name)
            continue
        cases.append((input_name, *one))
    office.send(path, [cells for _, _, cells in cases])
    return Sent(cases, list(inputs), left)


def receive_plan(office: Office, sent: Sent) -> Swept:
    """Each recalculation compared with the engine's projection of the plan changed so."""
    wrong = []
    for (case, changed_plan, _), values in zip(sent.cases, office.receive(), strict=True):
        try:
            assert_equals_engine(values, changed_plan)  # type: ignore[arg-type]
        except AssertionError as error:
            wrong.append(f"{case}: {error}")
    return Swept([case for case, _, _ in sent.cases], sent.inputs, sent.left, wrong)


def sweep_all(root: Path) -> dict[str, Swept]:
    """Plan name -> its sweep: one LibreOffice (UNO) for all of them. The test writes the
    next workbook's cases while LibreOffice recalculates one, and compares one while
    LibreOffice recalculates the next."""
    office = Office(root / "profile")
    found: dict[str, Swept] = {}
    try:
        waiting: list[tuple[str, Sent]] = []
        for name, doc in plans().items():
            waiting.append((name, send_plan(office, root, name, doc)))
            if len(waiting) > 1:
                first, sent = waiting.pop(0)
                found[first] = receive_plan(office, sent)
        for first, sent in waiting:
            found[first] = receive_plan(office, sent)
    finally:
        office.close()
    return found


def test_every_input_changed_alone_and_together_recalculates_to_the_engine(tmp_path):
    # One test, not one per plan: the sweep runs once whichever worker takes it.
    if not has_uno():
        pytest.skip("the system Python has no UNO bridge (Debian package python3-uno)")
    swept = sweep_all(tmp_path)
    assert list(swept) == [*EXAMPLE_NAMES, *(f"generated-{i}" for i in range(20))]
    for name, sweep in swept.items():
        # every named input but the MOA date is changed alone; all together first
        assert sweep.cases[0] == "all"
        assert sweep.cases[1:] == [i for i in sweep.inputs if i not in sweep.left], name
        assert set(sweep.left) <= LEFT_OUT | {
            i for i in sweep.inputs if i.startswith("actuals.")
        }, name
    # the plans are not all empty: 1,381 inputs changed alone when this was written
    assert sum(len(s.cases) - 1 for s in swept.values()) > 1000
    # each recalculated workbook equals the engine's projection of the changed plan
    assert {name: s.wrong for name, s in swept.items() if s.wrong} == {}
