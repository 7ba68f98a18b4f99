"""The Inputs sheet: every input of the projection in one row, its cell under a defined
name made from its plan-file path (`assumptions.salary_escalation`,
`line_items.program_manager.fte`, `fund.receipts.FY2027_28`), named and formatted
as the editor names them (planner/present/labels.py, by the field's unit).

A default the plan file leaves blank is a formula of the named inputs it follows (cost
model §2): an aged salary is the cost table's amount × (1 + escalation)^years, to the cent;
the on-call rate is the case-manager salary ÷ the paid hours. Changing an escalation or the
case-management salary in the workbook moves them as the engine would.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from planner.present.labels import label_of
from planner.scenarios import fy_label
from planner.scenarios.fields import Field
from planner.scenarios.formulas import aged, call_out_rate
from planner.scenarios.kinds import REGISTRY, LineKind, plan_values
from planner.scenarios.kinds.case_management import CaseManagementParams
from planner.scenarios.kinds.warm_handoff import OnCallParams, on_call_hourly_rate
from planner.scenarios.money import q
from planner.scenarios.parse import ASSUMPTION_FIELDS, FUND_FIELDS
from planner.scenarios.plan import PATHWAYS, LineItem, Plan
from planner.scenarios.receipts import ReceiptsBasis
from planner.scenarios.tables import CostTables

from .sheet_ops import SHEET
from .xlsx import Writer, X, cached, literal, print_setup

LINE_TEXT_FIELDS = ("id", "kind", "label", "strategy", "justification")
# Inputs that may be blank and mean "use the plan-wide value" or "none" (tested by ISNUMBER).
RATE_OF = {"salary": "salary_escalation", "health": "health_escalation", "inflation": "inflation"}
PATHWAY_WORDS = {
    "arrest_diversion": "arrest diversion",
    "social_contact": "social contact",
    "community": "community",
}


@dataclass
class LineCells:
    """One line's named inputs: field name -> its cell (numbers, choices, yes/no, FYs)."""

    line: LineItem
    stem: str
    cells: dict[str, X] = field(default_factory=dict)


class Inputs:
    """The Inputs sheet: one row per input, its cell under a defined name."""

    def __init__(self, w: Writer, sheet: Any):
        self.w, self.sheet, self.row = w, sheet, 2
        self.x: dict[str, X] = {}
        w.header(sheet, 0, ["Input", "Value", "Defined name", "Plan-file path", "Default"])
        w.text(
            sheet,
            1,
            0,
            "Change a value in column B and every sheet follows "
            "(recalculate if your program does not do it by itself).",
        )

    def section(self, title: str) -> None:
        self.row += 1
        self.w.text(self.sheet, self.row, 0, title, bold=True)
        self.row += 1

    def note(self, label: str, text: str) -> None:
        """A row that is not an input (a line's mode or role: it decides its inputs)."""
        self.w.text(self.sheet, self.row, 0, label)
        self.w.text(self.sheet, self.row, 1, text)
        self.w.text(self.sheet, self.row, 4, "structure: change it in the plan")
        self.row += 1

    def add(
        self,
        path: str,
        name: str,
        label: str,
        value: Any,
        unit: str,
        default: tuple[X, str] | None = None,
    ) -> X:
        w, sheet, row = self.w, self.sheet, self.row
        w.text(sheet, row, 0, label)
        fmt = w.fmt(unit or None)
        if default is not None:
            formula, why = default
            sheet.write_formula(row, 1, "=" + formula.t, fmt, cached(value))
            w.text(sheet, row, 4, why)
            x = X(name, q(value))
        elif isinstance(value, bool):
            sheet.write_boolean(row, 1, value)
            x = X(name, value)
        elif isinstance(value, str):
            w.text(sheet, row, 1, value)
            x = X(name, value)
        elif isinstance(value, dt.date):
            sheet.write_datetime(row, 1, dt.datetime.combine(value, dt.time()), fmt)
            x = X(name, None)
        elif value is None:
            sheet.write_blank(row, 1, None, fmt)
            x = X(name, None)
        else:
            sheet.write_number(row, 1, float(value), fmt)
            x = X(name, q(value))
        w.text(sheet, row, 2, name)
        w.text(sheet, row, 3, path)
        w.name(name, sheet, row, 1)
        self.x[name] = x
        self.row += 1
        return x


def line_names(line_ids: Sequence[str]) -> list[str]:
    """The defined-name stem of each line: `line_items.<id>` with `-` written as `_`. Excel
    names ignore case, so an id that collides with an earlier one (`PM` and `pm`, `a-b` and
    `a_b`) is named by its position instead, as in the plan file's error paths
    (`line_items.3`), or, when a line's id took that name (ids `2`, `x`, `X`), by its
    position and a number (`line_items.2_1`)."""
    natural = ["line_items." + line_id.replace("-", "_") for line_id in line_ids]
    used: set[str] = set()
    first = set()
    for index, stem in enumerate(natural):
        if stem.lower() not in used:
            used.add(stem.lower())
            first.add(index)
    stems = []
    for index, stem in enumerate(natural):
        if index not in first:
            stem, n = f"line_items.{index}", 0
            while stem.lower() in used:
                n += 1
                stem = f"line_items.{index}_{n}"
            used.add(stem.lower())
        stems.append(stem)
    return stems


class Defaults:
    """The formulas of the defaults a plan leaves blank (cost model §2, §5)."""

    def __init__(self, plan: Plan, tables: CostTables):
        self.plan, self.tables = plan, tables
        a = plan.assumptions
        self.rates = {key: getattr(a, name) for key, name in RATE_OF.items()}

    def aged(self, key: str | None, value: Any) -> tuple[X, str] | None:
        """A money default as a formula of its escalation, when the plan's value is it."""
        if key is None or key not in self.tables.defaults or value is None:
            return None
        entry = self.tables.defaults[key]
        if entry.base_fy is None or entry.escalation is None:
            return None
        if q(value) != q(self.tables.aged(key, self.rates, self.plan.start_fy)):
            return None  # the plan gives its own amount
        rate = RATE_OF[entry.escalation]
        years = self.plan.start_fy - entry.base_fy
        rate_x = X(f"assumptions.{rate}", q(self.rates[entry.escalation]))
        formula = aged(SHEET, literal(Decimal(str(entry.value))), rate_x, years)
        why = f"{key}, {fy_label(entry.base_fy)} dollars aged with {rate}"
        return formula, why

    def call_out(self, params: Any, stems: dict[int, str]) -> tuple[X, str] | None:
        """§5 on_call: the case-manager salary ÷ paid hours, when the plan's rate is it."""
        if not isinstance(params, OnCallParams):
            return None
        managers = [
            i for i, line in enumerate(self.plan.line_items) if line.kind == "case_management"
        ]
        paid = Decimal(str(self.tables.value("constants.paid_hours_per_fte")))
        if managers:
            manager = self.plan.line_items[managers[0]].params
            assert isinstance(manager, CaseManagementParams)  # noqa: S101
            salary_value = manager.salary
            salary = X(f"{stems[managers[0]]}.salary", q(salary_value))
        else:
            salary_value = self.tables.aged("salary.case_manager", self.rates, self.plan.start_fy)
            found = self.aged("salary.case_manager", salary_value)
            assert found is not None  # noqa: S101 - the table's salary is aged
            salary = found[0]
        if on_call_hourly_rate(salary_value, paid) != params.hourly_rate:
            return None
        return call_out_rate(SHEET, salary, literal(paid)), "case-manager salary ÷ paid hours"


@dataclass
class InputCells:
    """The named inputs the other sheets read."""

    inputs: Inputs
    assumptions: dict[str, X]
    receipts: list[X]  # per plan year
    participants: dict[str, X]
    lines: list[LineCells]


def inputs_sheet(
    w: Writer, plan: Plan, tables: CostTables, basis: ReceiptsBasis | None = None
) -> InputCells:
    """The Inputs sheet; `basis` says which receipts are still estimates and whether the
    opening balance was given (issue 23: a document never states an estimate as a fact)."""
    inputs = Inputs(w, w.add_worksheet("Inputs"))
    defaults = Defaults(plan, tables)
    inputs.section("Assumptions (the whole plan)")
    assumptions = {
        f.name: inputs.add(
            f"assumptions.{f.name}",
            f"assumptions.{f.name}",
            _label(f),
            getattr(plan.assumptions, f.name),
            f.measure,
            defaults.aged(f.default, getattr(plan.assumptions, f.name)),
        )
        for f in ASSUMPTION_FIELDS
    }
    inputs.section("The fund")
    for f in FUND_FIELDS:
        value = getattr(plan.fund, f.name)
        label = _label(f)
        if f.name == "opening_balance" and basis is not None and not basis.opening_given:
            label += " (not given: projected from $0)"
        inputs.add(f"fund.{f.name}", f"fund.{f.name}", label, value, f.measure)
    receipts = _receipts(inputs, plan, basis)
    people = _participants(inputs, plan)
    lines = _lines(inputs, plan, defaults)
    return InputCells(inputs, assumptions, receipts, people, lines)


def finish(inputs: Inputs) -> None:
    sheet = inputs.sheet
    sheet.set_column(0, 0, 46)
    sheet.set_column(1, 1, 16)
    sheet.set_column(2, 3, 50)
    sheet.set_column(4, 4, 40)
    print_setup(sheet, inputs.row, 5, freeze=(1, 0))


def _label(f: Field) -> str:
    return f.label or label_of(f.name)


def _receipts(inputs: Inputs, plan: Plan, basis: ReceiptsBasis | None) -> list[X]:
    by_fy = plan.fund.receipts_by_fy()
    estimated = (
        set(basis.plain_fys).union(*basis.stream_fys.values()) if basis is not None else set()
    )
    inputs.section("Receipts by FY (settlement payments; blank or 0 when none)")
    found = []
    for fy in plan.fiscal_years:
        label = fy_label(fy)
        note = " (an estimate, not a CORE-NC figure)" if fy in estimated else ""
        found.append(
            inputs.add(
                f"fund.receipts.{label}",
                f"fund.receipts.{label.replace('-', '_')}",
                f"Receipts {label}{note}",
                by_fy.get(fy, 0),
                "dollars",
            )
        )
    for fy, amount in plan.fund.receipts:
        if not plan.start_fy <= fy <= plan.end_fy:
            label = fy_label(fy)
            inputs.add(
                f"fund.receipts.{label}",
                f"fund.receipts.{label.replace('-', '_')}",
                f"Receipts {label} (outside the plan's years: not projected)",
                amount,
                "dollars",
            )
    return found


def _participants(inputs: Inputs, plan: Plan) -> dict[str, X]:
    inputs.section("Participants")
    p = plan.participants
    found = {}
    rows: list[tuple[str, str, str, Any, str]] = []
    for pathway in PATHWAYS:
        rows.append(
            (
                "referrals_per_year",
                pathway,
                label_of(f"referrals_{pathway}"),
                p.referrals_per_year.get(pathway, 0),
                "count",
            )
        )
    for pathway in PATHWAYS:
        rows.append(
            (
                "enrollment_rate",
                pathway,
                label_of(f"enrollment_{pathway}"),
                p.enrollment_rate.get(pathway, 0),
                "rate",
            )
        )
    for group, key, label, value, unit in rows:
        name = f"participants.{group}.{key}"
        found[name] = inputs.add(name, name, label, value, unit)
    for index, value in enumerate(p.ramp):
        found[f"participants.ramp.{index}"] = inputs.add(
            f"participants.ramp[{index}]",
            f"participants.ramp.{index}",
            f"{label_of('ramp')}: plan year {index + 1} ({fy_label(plan.start_fy + index)})",
            value,
            "multiplier",
        )
    for name, unit in (("average_months_enrolled", "months"), ("initial_active", "count")):
        found[f"participants.{name}"] = inputs.add(
            f"participants.{name}", f"participants.{name}", label_of(name), getattr(p, name), unit
        )
    return found


def _cell_value(value: Any) -> bool:
    """A value one cell holds: a number, a word, yes/no, a date or a blank."""
    return value is None or isinstance(value, str | bool | int | Decimal | dt.date)


def structural(kind: LineKind[Any]) -> str | None:
    """The kind's choice when its value decides which inputs a line has (a warm hand-off's
    mode, a position's role): not an input of the workbook, since changing it changes the
    line's inputs."""
    if kind.choice is None:
        return None
    shapes = {tuple(f.name for f in kind.fields(v)) for v in kind.choice_values}
    return kind.choice if len(shapes) > 1 else None


def _lines(inputs: Inputs, plan: Plan, defaults: Defaults) -> list[LineCells]:
    stems = line_names([line.id for line in plan.line_items])
    by_index = dict(enumerate(stems))
    found = []
    for index, (line, stem) in enumerate(zip(plan.line_items, stems, strict=True)):
        kind = REGISTRY[line.kind]
        inputs.section(f"Line item: {line.label or line.id} ({kind.title})")
        fixed = structural(kind)
        choice = getattr(line.params, kind.choice) if kind.choice else None
        fields = {f.name: f for f in kind.fields(choice)}
        cells = LineCells(line, stem)
        if fixed is not None:
            inputs.note(_label(fields[fixed]), str(choice))
        window = {"start_fy": line.start_fy, "end_fy": line.end_fy}
        for name, value in {**window, **plan_values(kind, line.params)}.items():
            if name in LINE_TEXT_FIELDS or name == fixed or not _cell_value(value):
                continue  # text, the line's structure, or what a cell cannot hold
            f = fields.get(name)
            label = _label(f) if f else label_of(name)
            unit = f.measure if f else "year"
            default = defaults.aged(f.default if f else None, value)
            if name == "hourly_rate":
                default = defaults.call_out(line.params, by_index)
            cells.cells[name] = inputs.add(
                f"line_items[{index}].{name}", f"{stem}.{name}", label, value, unit, default
            )
        found.append(cells)
    return found
