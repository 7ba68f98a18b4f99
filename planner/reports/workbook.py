"""The Excel workbook (the county's live model) and the long CSV of a plan's projection.

The workbook is the cost model written as spreadsheet formulas (cost model §2–6): an Inputs
sheet holds every input of the projection, each cell under a defined name made from its
plan-file path (`assumptions.salary_escalation`, `line_items.case_managers.caseload_average`,
`fund.receipts.FY2027_28`); the Participants sheet runs the monthly cohort model; the
Calculation sheet computes every component of every line, FY and object class; Projection,
Object classes, Strategies, Fund and Summary add them up. A change to an input flows
everywhere when the workbook is recalculated.

Each formula is built together with its exact value (`X` below: the formula text and the
engine's rational arithmetic side by side), and the value is stored with the formula, so a
reader that does not recalculate (previewers, pandas, openpyxl) sees the engine's figures.
Spreadsheets compute in floating point, so every rounding rounds to 6 decimals first
(`ROUND(ROUND(x, 6), 0)`) and every ceiling to 9 (`ROUNDUP(ROUND(x, 9), 0)`): a float a hair
off an exact .5 or an exact step lands where the exact engine does.

No text from a plan ever becomes a formula: every plan text is written with `write_string`
(never XlsxWriter's type-guessing `write`), with Excel's quote prefix on text that starts like
a formula (OWASP "CSV injection", CWE-1236); formulas are only the app's own and name plan
values by cell or defined name, never by their text.
"""

# The formula builders below are lambdas called at once, inside the loop iteration that
# defines them (one line item at a time), so they see that iteration's variables.
# ruff: noqa: B023

from __future__ import annotations

import datetime as dt
import functools
import io
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

from planner.reports.context import PlanDocument
from planner.reports.workbook_uncertainty import uncertainty_sheet
from planner.scenarios import fy_label
from planner.scenarios.kinds import REGISTRY, plan_values
from planner.scenarios.kinds.annual_amount import OtherParams, OtherStrategyParams
from planner.scenarios.kinds.service_gap import ServiceGapParams
from planner.scenarios.money import Q, q
from planner.scenarios.parse import ASSUMPTION_FIELDS
from planner.scenarios.plan import OBJECT_CLASSES, PATHWAYS, LineItem

# Text starting with one of these is read as a formula (or DDE command) by spreadsheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")

CLASS_LABELS = {
    "personnel": "a. Personnel",
    "fringe": "b. Fringe benefits",
    "travel": "c. Travel",
    "equipment": "d. Equipment",
    "supplies": "e. Supplies",
    "contractual": "f. Contractual",
    "construction": "g. Construction",
    "other": "h. Other",
    "indirect": "j. Indirect charges",
}
KIND_LABELS = {
    "position": "Position",
    "case_management": "Case management",
    "warm_handoff": "Warm hand-off",
    "officer_training": "Officer training",
    "participant_phones": "Participant phones",
    "participant_support": "Participant support",
    "service_gap": "Service gap",
    "other_strategy": "Other strategy (non-LEAD)",
    "other": "Other LEAD cost",
}
PATHWAY_LABELS = {
    "arrest_diversion": "arrest diversion",
    "social_contact": "social contact",
    "community": "community",
}
INPUT_LABELS = {
    "salary_escalation": "Salary escalation a year",
    "health_escalation": "Health cost escalation a year",
    "inflation": "Inflation a year",
    "fringe_rate": "Fringe rate (share of salary)",
    "health_per_fte": "Health cost per FTE",
    "contract_overhead_rate": "Contract overhead rate",
    "productive_hours_per_fte": "Productive hours per FTE a year",
    "fte_increment": "FTE hiring step",
    "overtime_multiplier": "Overtime multiplier",
    "overtime_fringe_rate": "Overtime fringe rate (FICA)",
    "indirect_rate": "Indirect rate",
    "discount_rate": "Discount rate (present values)",
    "opening_balance": "Opening balance of the fund",
    "interest_rate": "Interest rate a year",
    "reserve_months": "Reserve (months of spending)",
    "moa_executed_on": "MOA executed on",
    "average_months_enrolled": "Average months enrolled",
    "initial_active": "Participants active at the start",
    "start_fy": "First FY of the line (starting year)",
    "end_fy": "Last FY of the line (starting year)",
    "fte": "FTE",
    "salary": "Base salary (first-FY dollars)",
    "role": "Role",
    "independent": "Independent of police and provider",
    "delivery": "Delivery (county or contract)",
    "caseload_average": "Average caseload per case manager",
    "caseload_max": "Maximum caseload per case manager",
    "min_fte": "Minimum FTE",
    "max_fte": "Maximum FTE (blank: none)",
    "mode": "Mode",
    "hours_per_week": "Hours covered a week",
    "staff_per_post": "Staff per post",
    "stipend_per_hour": "On-call stipend per hour",
    "after_hours_share": "After-hours share",
    "hours_per_callout": "Hours per call-out",
    "hourly_rate": "Call-out hourly rate",
    "rate_per_hour": "Contract rate per hour",
    "officers": "Officers",
    "initial_hours": "Initial training hours",
    "refresher_hours": "Refresher hours",
    "refresher_interval_years": "Years between refreshers",
    "annual_turnover": "Officer turnover a year",
    "officer_hourly_rate": "Officer hourly pay",
    "class_size": "Class size",
    "trainer_cost_per_session": "Trainer cost per session",
    "materials_per_trainee": "Materials per trainee",
    "high_risk_share": "High-risk share",
    "monthly_service_cost": "Phone service per month",
    "device_cost": "Phone device cost",
    "per_participant_year": "Support per participant-year",
    "category": "Service category",
    "status": "Status (adequate, gap, unknown)",
    "units": "Units",
    "unit_cost": "Cost per unit a year",
    "object_class": "Object class",
    "annual_amount": "Annual amount (first-FY dollars)",
    "escalate": "Escalate with inflation",
}
RATE_WORDS = ("rate", "escalation", "inflation", "share", "turnover")
MONEY_WORDS = (
    "salary",
    "balance",
    "amount",
    "cost",
    "per_fte",
    "stipend",
    "per_hour",
    "hourly",
    "per_participant",
    "per_trainee",
    "per_session",
    "receipts",
)


@functools.lru_cache(maxsize=64)
def _quoted(sheet: str) -> str:
    return f"'{sheet}'" if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", sheet) else sheet


# ----------------------------------------------------------------------------- formulas


@dataclass(frozen=True)
class X:
    """A formula's text and its exact value (a rational, a bool, a text or None)."""

    t: str
    v: Any

    def _op(self, other: Any, sign: str, value: Any) -> X:
        return X(f"({self.t}{sign}{lift(other).t})", value)

    def __add__(self, o):
        return self._op(o, "+", self.v + lift(o).v)

    def __radd__(self, o):
        return lift(o) + self

    def __sub__(self, o):
        return self._op(o, "-", self.v - lift(o).v)

    def __rsub__(self, o):
        return lift(o) - self

    def __mul__(self, o):
        return self._op(o, "*", self.v * lift(o).v)

    def __rmul__(self, o):
        return lift(o) * self

    def __truediv__(self, o):
        return self._op(o, "/", Q(self.v) / lift(o).v)

    def __pow__(self, k: int):
        return X(f"{self.t}^{k}", self.v**k)

    def cmp(self, sign: str, o: Any) -> X:
        o = lift(o)
        ops: dict[str, Callable[[Any, Any], bool]] = {
            ">=": lambda a, b: a >= b,
            "<=": lambda a, b: a <= b,
            "=": lambda a, b: a == b,
            ">": lambda a, b: a > b,
            "<": lambda a, b: a < b,
        }
        return X(f"({self.t}{sign}{o.t})", ops[sign](self.v, o.v))


def lift(value: Any) -> X:
    if isinstance(value, X):
        return value
    if isinstance(value, bool):
        return X("TRUE" if value else "FALSE", value)
    if isinstance(value, int):
        return X(str(value), Q(value))
    if isinstance(value, str):  # only the app's own words (e.g. "contract")
        return X('"' + value + '"', value)
    raise TypeError(value)


def ROUND(x: X, places: int) -> X:
    v = x.v
    scaled = v * 10**places
    n = math.floor(abs(scaled) * 2 + 1) // 2  # half away from zero
    return X(f"ROUND({x.t},{places})", Q(n if scaled >= 0 else -n, 10**places))


def DOLLARS(x: X) -> X:
    """A component: exact value rounded once to whole dollars, half up (§2)."""
    return ROUND(ROUND(x, 6), 0)


def CEIL(x: X) -> X:
    """A ceiling of a non-negative quantity, with float noise removed first."""
    return X(f"ROUNDUP(ROUND({x.t},9),0)", Q(math.ceil(x.v)))


def MAX(*values: X | int) -> X:
    xs = tuple(lift(x) for x in values)
    return X(f"MAX({','.join(x.t for x in xs)})", max(x.v for x in xs))


def MIN(*values: X | int) -> X:
    xs = tuple(lift(x) for x in values)
    return X(f"MIN({','.join(x.t for x in xs)})", min(x.v for x in xs))


def IF(c: X, a: Any, b: Any) -> X:
    a, b = lift(a), lift(b)
    return X(f"IF({c.t},{a.t},{b.t})", a.v if c.v else b.v)


def AND(*cs: X) -> X:
    return X(f"AND({','.join(c.t for c in cs)})", all(c.v for c in cs))


def ISNUMBER(x: X) -> X:
    return X(f"ISNUMBER({x.t})", x.v is not None and not isinstance(x.v, (str, bool)))


def MOD(a: X, b: X) -> X:
    return X(f"MOD({a.t},{b.t})", a.v % b.v)


def SUM(cells: Sequence[X], text: str) -> X:
    return X(text, sum((c.v for c in cells), Q(0)))


def _cached(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if value is None or isinstance(value, str):
        return value if value is not None else ""
    number = Q(value)
    if number.denominator == 1:
        return int(number.numerator)
    return float(number)


# ----------------------------------------------------------------------------- the writer

MONEY = '"$"#,##0;[Red]("$"#,##0)'
CENTS = '"$"#,##0.00;[Red]("$"#,##0.00)'
DECIMAL = "#,##0.00"
PRECISE = "#,##0.000000"
PERCENT = "0.00%"
WHOLE = "#,##0"
NUMBER_FORMATS = {
    "money": MONEY,
    "cents": CENTS,
    "decimal": DECIMAL,
    "precise": PRECISE,
    "percent": PERCENT,
    "whole": WHOLE,
}
COMPONENT_NOTE = (
    "Each component is the exact amount rounded once to whole dollars, half up "
    "(cost model §2): ROUND(ROUND(x, 6), 0)."
)


class Writer:
    """An XlsxWriter workbook with the app's formats; text goes through `text` only."""

    def __init__(self, output: io.BytesIO):
        self.book = xlsxwriter.Workbook(
            output,
            {
                "in_memory": True,
                "strings_to_formulas": False,
                "strings_to_numbers": False,
                "strings_to_urls": False,
            },
        )
        self.formats: dict[tuple, Any] = {}
        self.names: set[str] = set()

    def add_worksheet(self, name: str):
        sheet = self.book.add_worksheet(name)
        # XlsxWriter scans every formula with ~30 regular expressions for Excel 365
        # functions (FILTER, XLOOKUP, …) to prefix them; the app's formulas use only
        # functions every spreadsheet has had since Excel 2007 (tests/test_workbook_live.py
        # checks the list), so the scan is skipped: it was 60% of the workbook's time.
        sheet._prepare_formula = _plain_formula
        return sheet

    def fmt(
        self,
        kind: str | None = None,
        *,
        bold: bool = False,
        header: bool = False,
        wrap: bool = False,
        quote: bool = False,
    ):
        key = (kind, bold, header, wrap, quote)
        if key not in self.formats:
            props: dict[str, Any] = {"valign": "top"}
            if kind in NUMBER_FORMATS:
                props["num_format"] = NUMBER_FORMATS[kind]
            elif kind == "year":
                props["num_format"] = "0"
            elif kind == "date":
                props["num_format"] = "mmmm d, yyyy"
            if bold or header:
                props["bold"] = True
            if header:
                props.update(bg_color="#E8ECF2", text_wrap=True, border=1)
            if wrap:
                props["text_wrap"] = True
            if quote:
                props["quote_prefix"] = True
            self.formats[key] = self.book.add_format(props)
        return self.formats[key]

    def text(
        self,
        sheet,
        row: int,
        col: int,
        value: str | None,
        *,
        bold: bool = False,
        wrap: bool = False,
        header: bool = False,
    ) -> None:
        """Plan text: always a string cell, quote-prefixed when it starts like a formula."""
        # A carriage return is stored as a line feed: XlsxWriter would write it as the
        # escape `_x000D_`, which not every reader decodes.
        value = "" if value is None else str(value).replace("\r\n", "\n").replace("\r", "\n")
        quote = value.startswith(FORMULA_STARTS)
        sheet.write_string(
            row, col, value, self.fmt(None, bold=bold, wrap=wrap, header=header, quote=quote)
        )

    def put(
        self, sheet, row: int, col: int, x: X, kind: str | None = "money", *, bold: bool = False
    ) -> X:
        """One of the app's formulas with its value; returns a reference to the cell."""
        sheet.write_formula(row, col, "=" + x.t, self.fmt(kind, bold=bold), _cached(x.v))
        return X(f"{_quoted(sheet.name)}!{xl_rowcol_to_cell(row, col)}", x.v)

    def header(self, sheet, row: int, values: Sequence[str]) -> None:
        for col, value in enumerate(values):
            self.text(sheet, row, col, value, header=True)

    def name(self, name: str, sheet, row: int, col: int) -> None:
        if len(name) > 255 or name.lower() in self.names:
            raise ValueError(f"defined name {name!r} is too long or taken")
        self.names.add(name.lower())
        ref = f"={_quoted(sheet.name)}!{xl_rowcol_to_cell(row, col, True, True)}"
        if self.book.define_name(name, ref) == -1:
            raise ValueError(f"defined name {name!r} is not valid in Excel")


def _plain_formula(formula: str, expand_future_functions: bool = False) -> str:
    return formula[1:] if formula.startswith("=") else formula


def _print_setup(
    sheet, rows: int, cols: int, *, title_cols: int = 1, freeze: tuple[int, int] = (1, 1)
) -> None:
    sheet.set_landscape()
    sheet.set_paper(1)  # US Letter
    sheet.fit_to_pages(1, 0)  # one page wide, as many long as it takes
    sheet.repeat_rows(0)
    if title_cols:
        sheet.repeat_columns(0, title_cols - 1)
    sheet.print_area(0, 0, max(rows - 1, 0), max(cols - 1, 0))
    sheet.freeze_panes(*freeze)
    sheet.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    sheet.set_footer("&L&A&RPage &P of &N")


WHOLE_INPUTS = (
    "officers",
    "class_size",
    "refresher_interval_years",
    "average_months_enrolled",
    "productive_hours_per_fte",
)


def _input_kind(field: str) -> str:
    if field in ("start_fy", "end_fy"):
        return "year"
    if field in WHOLE_INPUTS:
        return "whole"
    if (
        any(word in field for word in RATE_WORDS)
        and "per_hour" not in field
        and "hourly" not in field
    ):
        return "percent"
    if any(word in field for word in MONEY_WORDS):
        return "cents"
    return "decimal"


# Inputs that may be blank and mean "use the plan-wide value" or "none" (tested by ISNUMBER).
OPTIONAL = ("max_fte", "fringe_rate", "health_per_fte", "contract_overhead_rate")


class Inputs:
    """The Inputs sheet: one row per input, its cell under a defined name."""

    def __init__(self, w: Writer, sheet):
        self.w, self.sheet, self.row = w, sheet, 2
        self.x: dict[str, X] = {}
        self.actuals: dict[int, ActualInputs] = {}  # plan year -> a closed FY's actuals
        w.header(sheet, 0, ["Input", "Value", "Defined name", "Plan-file path"])
        w.text(
            sheet,
            1,
            0,
            "Change a value in column B and every sheet follows "
            "(recalculate if your program does not do it by itself).",
            wrap=False,
        )

    def section(self, title: str) -> None:
        self.row += 1
        self.w.text(self.sheet, self.row, 0, title, bold=True)
        self.row += 1

    def add(self, path: str, name: str, label: str, value: Any, field: str) -> X:
        w, sheet, row = self.w, self.sheet, self.row
        w.text(sheet, row, 0, label)
        if isinstance(value, bool):
            sheet.write_boolean(row, 1, value)
            x = X(name, value)
        elif isinstance(value, str):
            w.text(sheet, row, 1, value)
            x = X(name, value)
        elif isinstance(value, dt.date):
            sheet.write_datetime(row, 1, dt.datetime.combine(value, dt.time()), w.fmt("date"))
            x = X(name, None)
        elif value is None:
            sheet.write_blank(row, 1, None, w.fmt(_input_kind(field)))
            x = X(name, None if field in OPTIONAL else Q(0))
        else:
            number = Decimal(str(value)) if not isinstance(value, Decimal) else value
            sheet.write_number(row, 1, float(number), w.fmt(_input_kind(field)))
            x = X(name, q(number))
        w.text(sheet, row, 2, name)
        w.text(sheet, row, 3, path)
        w.name(name, sheet, row, 1)
        self.x[name] = x
        self.row += 1
        return x


def _label(field: str) -> str:
    return INPUT_LABELS.get(field, field.replace("_", " ").capitalize())


def line_names(line_ids: Sequence[str]) -> list[str]:
    """The defined-name stem of each line: `line_items.<id>` with `-` written as `_`. Excel
    names ignore case, so an id that collides with an earlier one (`PM` and `pm`, `a-b` and
    `a_b`) is named by its position instead, as in the plan file's error paths
    (`line_items.3`)."""
    used: set[str] = set()
    stems = []
    for index, line_id in enumerate(line_ids):
        stem = "line_items." + line_id.replace("-", "_")
        if stem.lower() in used:
            stem = f"line_items.{index}"
        used.add(stem.lower())
        stems.append(stem)
    return stems


LINE_TEXT_FIELDS = ("id", "kind", "label", "strategy", "justification")


def _inputs(w: Writer, doc: PlanDocument) -> tuple[Inputs, list[dict[str, X]], list[X]]:
    plan = doc.plan
    # The plan's own typed values (plan_to_dict would give decimals as text).
    inputs = Inputs(w, w.add_worksheet("Inputs"))
    inputs.section("Assumptions (the whole plan)")
    for field in ASSUMPTION_FIELDS:
        inputs.add(
            f"assumptions.{field.name}",
            f"assumptions.{field.name}",
            _label(field.name),
            getattr(plan.assumptions, field.name),
            field.name,
        )
    inputs.section("The fund")
    for name in ("opening_balance", "interest_rate", "reserve_months", "moa_executed_on"):
        inputs.add(f"fund.{name}", f"fund.{name}", _label(name), getattr(plan.fund, name), name)
    receipts = plan.fund.receipts_by_fy()
    inputs.section("Receipts by FY (settlement payments; blank or 0 when none)")
    receipt_x = []
    for fy in plan.fiscal_years:
        label = fy_label(fy)
        name = f"fund.receipts.{label.replace('-', '_')}"
        value = receipts.get(fy)
        receipt_x.append(
            inputs.add(
                f"fund.receipts.{label}",
                name,
                f"Receipts {label}",
                value if value is not None else 0,
                "receipts",
            )
        )
    outside = [
        (fy, amount) for fy, amount in plan.fund.receipts if not plan.start_fy <= fy <= plan.end_fy
    ]
    for fy, amount in outside:
        label = fy_label(fy)
        inputs.add(
            f"fund.receipts.{label}",
            f"fund.receipts.{label.replace('-', '_')}",
            f"Receipts {label} (outside the plan's years: not projected)",
            amount,
            "receipts",
        )
    inputs.section("Participants")
    p = plan.participants
    for pathway in PATHWAYS:
        inputs.add(
            f"participants.referrals_per_year.{pathway}",
            f"participants.referrals_per_year.{pathway}",
            f"Referrals a year, {PATHWAY_LABELS[pathway]}",
            p.referrals_per_year.get(pathway, Decimal(0)),
            "count",
        )
    for pathway in PATHWAYS:
        inputs.add(
            f"participants.enrollment_rate.{pathway}",
            f"participants.enrollment_rate.{pathway}",
            f"Enrollment rate, {PATHWAY_LABELS[pathway]}",
            p.enrollment_rate.get(pathway, Decimal(0)),
            "rate",
        )
    for index, value in enumerate(p.ramp):
        inputs.add(
            f"participants.ramp[{index}]",
            f"participants.ramp.{index}",
            f"Ramp, plan year {index + 1} ({fy_label(plan.start_fy + index)})",
            value,
            "count",
        )
    inputs.add(
        "participants.average_months_enrolled",
        "participants.average_months_enrolled",
        _label("average_months_enrolled"),
        p.average_months_enrolled,
        "average_months_enrolled",
    )
    inputs.add(
        "participants.initial_active",
        "participants.initial_active",
        _label("initial_active"),
        p.initial_active,
        "count",
    )
    lines: list[dict[str, X]] = []
    stems = line_names([line.id for line in plan.line_items])
    for index, (line, stem) in enumerate(zip(plan.line_items, stems, strict=True)):
        inputs.section(f"Line item: {line.label or line.id}")
        values: dict[str, X] = {}
        row = {
            "start_fy": line.start_fy,
            "end_fy": line.end_fy,
            **plan_values(REGISTRY[line.kind], line.params),
        }
        for name, value in row.items():
            if name in LINE_TEXT_FIELDS:
                continue
            path = f"line_items[{index}].{name}"
            values[name] = inputs.add(path, f"{stem}.{name}", _label(name), value, name)
        lines.append(values)
    inputs.actuals = actual_inputs(inputs, plan)  # closed FYs (cost model §11)
    inputs.sheet.set_column(0, 0, 46)
    inputs.sheet.set_column(1, 1, 16)
    inputs.sheet.set_column(2, 3, 50)
    _print_setup(inputs.sheet, inputs.row, 4, freeze=(1, 0))
    return inputs, lines, receipt_x


def plan_workbook(doc: PlanDocument) -> bytes:
    output = io.BytesIO()
    w = Writer(output)
    plan, p = doc.plan, doc.projection
    labels = list(p.labels)
    years = plan.years
    a = {
        f: X(f"assumptions.{f}", q(getattr(plan.assumptions, f)))
        for f in (
            "salary_escalation",
            "health_escalation",
            "inflation",
            "fringe_rate",
            "health_per_fte",
            "contract_overhead_rate",
            "productive_hours_per_fte",
            "fte_increment",
            "overtime_multiplier",
            "overtime_fringe_rate",
            "indirect_rate",
            "discount_rate",
        )
    }

    summary = w.add_worksheet("Summary")
    inputs, line_inputs, receipt_x = _inputs(w, doc)
    projection = w.add_worksheet("Projection")
    classes_sheet = w.add_worksheet("Object classes")
    strategies = w.add_worksheet("Strategies")
    fund_sheet = w.add_worksheet("Fund")
    actuals_sheet = w.add_worksheet("Actuals") if plan.actuals else None  # §11
    people = w.add_worksheet("Participants")
    calc = w.add_worksheet("Calculation")
    just = w.add_worksheet("Justifications")
    basis_sheet = w.add_worksheet("Basis of estimate")
    checks = w.add_worksheet("Compliance")
    sources = w.add_worksheet("Sources of defaults")

    # --------------------------------------------------------------- participants (§4)
    ppl = plan.participants
    months_enrolled = X("participants.average_months_enrolled", Q(ppl.average_months_enrolled))
    initial = X("participants.initial_active", q(ppl.initial_active))
    w.header(people, 0, ["Participants (cohort model, cost model §4)", *labels])
    refer = {
        pw: X(f"participants.referrals_per_year.{pw}", q(ppl.referrals_per_year.get(pw, 0)))
        for pw in PATHWAYS
    }
    steady = sum(
        (
            refer[pw] * X(f"participants.enrollment_rate.{pw}", q(ppl.enrollment_rate.get(pw, 0)))
            for pw in PATHWAYS
        ),
        lift(0),
    )
    referrals = sum((refer[pw] for pw in PATHWAYS), lift(0))
    rows_people = [
        "Ramp",
        "Referrals a year with the ramp",
        "New enrollees (exact)",
        "New enrollees",
        "Average active",
        "Peak active",
        "Participant-months",
    ]
    for row_, name in enumerate(rows_people, start=1):
        w.text(people, row_, 0, name)
    month_top = len(rows_people) + 3
    w.header(
        people,
        month_top - 1,
        [
            "Month (0 = July of the first FY)",
            "Plan year",
            "New enrollees in the month",
            "Active at month end",
        ],
    )
    first_m, last_m = month_top, month_top + 12 * years - 1
    ramp_x, refer_x, new_exact, new_x = [], [], [], []
    for k in range(years):
        col = 1 + k
        ramp = X(f"participants.ramp.{k}", q(ppl.ramp[k])) if k < len(ppl.ramp) else lift(1)
        ramp_x.append(w.put(people, 1, col, ramp, "decimal"))
        refer_x.append(w.put(people, 2, col, ramp_x[k] * referrals, "decimal"))
        new_exact.append(w.put(people, 3, col, ramp_x[k] * steady, "precise"))
        new_x.append(w.put(people, 4, col, ROUND(new_exact[k], 6), "decimal"))
    monthly: list[Q] = []
    c_rng = f"$C${first_m + 1}:$C${last_m + 1}"
    a_rng = f"$A${first_m + 1}:$A${last_m + 1}"
    init_monthly = initial.v / months_enrolled.v
    actives: list[Q] = []
    for m in range(12 * years):
        month_row = first_m + m
        k = m // 12
        people.write_number(month_row, 0, m)
        people.write_number(month_row, 1, k + 1)
        n = w.put(people, month_row, 2, new_exact[k] / 12, "precise")
        monthly.append(n.v)
        lo = max(0, m - ppl.average_months_enrolled + 1)
        value = sum(monthly[lo : m + 1], Q(0)) + init_monthly * max(
            0, ppl.average_months_enrolled - 1 - m
        )
        ref = f"A{month_row + 1}"
        text = (
            f'SUMIFS({c_rng},{a_rng},">="&({ref}-{months_enrolled.t}+1),{a_rng},"<="&{ref})'
            f"+{initial.t}/{months_enrolled.t}*MAX(0,{months_enrolled.t}-1-{ref})"
        )
        actives.append(w.put(people, month_row, 3, X(text, value), "precise").v)
    avg_x, peak_x, months_x = [], [], []
    for k in range(years):
        col = 1 + k
        top, bottom = first_m + 12 * k + 1, first_m + 12 * k + 12
        year = actives[12 * k : 12 * k + 12]
        total = X(f"SUM($D${top}:$D${bottom})", sum(year, Q(0)))
        avg_x.append(w.put(people, 5, col, ROUND(total / 12, 6), "decimal"))
        peak_x.append(
            w.put(people, 6, col, ROUND(X(f"MAX($D${top}:$D${bottom})", max(year)), 6), "decimal")
        )
        months_x.append(w.put(people, 7, col, ROUND(total, 6), "decimal"))
    people.set_column(0, 0, 34)
    people.set_column(1, years, 12)
    _print_setup(people, last_m + 1, 1 + years)

    # --------------------------------------------------------------- calculation (§3, §5)
    FY0 = 3
    w.header(calc, 0, ["Calculation", "Line id", "Object class", *labels, "Total"])
    w.text(calc, 1, 0, COMPONENT_NOTE)
    k_x, fy_x, gs, gh, gi = [], [], [], [], []
    for k, fy in enumerate(plan.fiscal_years):
        col = FY0 + k
        calc.write_number(2, col, k, w.fmt("whole"))
        calc.write_number(3, col, fy, w.fmt(None))
        k_x.append(X(f"{xl_rowcol_to_cell(2, col)}", Q(k)))
        fy_x.append(X(f"{xl_rowcol_to_cell(3, col)}", Q(fy)))
        gs.append(w.put(calc, 4, col, (1 + a["salary_escalation"]) ** k, "precise"))
        gh.append(w.put(calc, 5, col, (1 + a["health_escalation"]) ** k, "precise"))
        gi.append(w.put(calc, 6, col, (1 + a["inflation"]) ** k, "precise"))
    for row_, name in enumerate(
        [
            "Plan year k",
            "Fiscal year (starting year)",
            "Salary growth (1 + salary escalation)^k",
            "Health growth (1 + health escalation)^k",
            "Inflation growth (1 + inflation)^k",
        ],
        start=2,
    ):
        w.text(calc, row_, 0, name)
    state: dict[str, Any] = {"row": 8, "parts": []}
    total_col = FY0 + years
    by_class: dict[str, list[list[X]]] = {c: [[] for _ in range(years)] for c in OBJECT_CLASSES}
    component_rows: dict[str, list[int]] = {c: [] for c in OBJECT_CLASSES}
    line_rows: list[tuple[int, int]] = []
    fte_rows: list[list[X]] = []
    line_parts: list[list[list[X]]] = []  # each line's components, per FY
    days = X("(365/7)", Q(365, 7))

    def row(
        name: str,
        line_id: str,
        build: Callable[[int], X],
        kind: str = "decimal",
        object_class: str | None = None,
    ) -> list[X]:
        r = state["row"]
        w.text(calc, r, 0, name)
        w.text(calc, r, 1, line_id)
        cells = [w.put(calc, r, FY0 + k, build(k), kind) for k in range(years)]
        if object_class:
            w.text(calc, r, 2, CLASS_LABELS[object_class])
            first, last = xl_rowcol_to_cell(r, FY0), xl_rowcol_to_cell(r, FY0 + years - 1)
            w.put(calc, r, total_col, SUM(cells, f"SUM({first}:{last})"), "money", bold=True)
            for k in range(years):
                by_class[object_class][k].append(cells[k])
                state["parts"][k].append(cells[k])
            component_rows[object_class].append(r)
        state["row"] += 1
        return cells

    indirect = a["indirect_rate"]
    for line, li in zip(plan.line_items, line_inputs, strict=True):
        lid = line.id
        r0 = state["row"]
        w.text(calc, r0, 0, line.label or line.id, bold=True)
        w.text(calc, r0, 1, lid)
        w.text(calc, r0, 2, KIND_LABELS[line.kind])
        state["row"] += 1
        state["parts"] = [[] for _ in range(years)]
        first_fy = MAX(li["start_fy"], plan.start_fy)
        active = row(
            "In the line's years (1 = yes)",
            lid,
            lambda k: IF(
                AND(fy_x[k].cmp(">=", li["start_fy"]), fy_x[k].cmp("<=", li["end_fy"])), 1, 0
            ),
            "whole",
        )
        comps: list[tuple[str, Callable[[int], X]]] = []
        fte: list[X] | None = None
        if line.is_staffing:
            if line.kind == "position":
                fte = row("FTE", lid, lambda k: li["fte"] * active[k])
            elif line.kind == "case_management":
                need = row(
                    "Case managers the caseloads call for",
                    lid,
                    lambda k: MAX(
                        avg_x[k] / li["caseload_average"], peak_x[k] / li["caseload_max"]
                    ),
                    "precise",
                )

                def cm_fte(k: int) -> X:
                    stepped = MAX(
                        li["min_fte"], CEIL(need[k] / a["fte_increment"]) * a["fte_increment"]
                    )
                    cap = li["max_fte"]
                    capped = X(
                        f"IF(ISNUMBER({cap.t}),MIN({stepped.t},{cap.t}),{stepped.t})",
                        stepped.v if cap.v is None else min(stepped.v, cap.v),
                    )
                    return capped * active[k]

                fte = row("FTE (steps of the hiring step, minimum and maximum FTE)", lid, cm_fte)
            else:
                need = row(
                    "FTE the hours call for",
                    lid,
                    lambda k: (
                        li["hours_per_week"]
                        * days
                        * li["staff_per_post"]
                        / a["productive_hours_per_fte"]
                    ),
                    "precise",
                )
                fte = row(
                    "FTE (steps of the hiring step)",
                    lid,
                    lambda k: CEIL(need[k] / a["fte_increment"]) * a["fte_increment"] * active[k],
                )

            def own(field: str) -> X:
                """The line's own rate when it gives one, else the plan's (§3)."""
                mine, plan_wide = li[field], a[field]
                return X(
                    f"IF(ISNUMBER({mine.t}),{mine.t},{plan_wide.t})",
                    plan_wide.v if mine.v is None else mine.v,
                )

            salary_unit = row("Salary per FTE", lid, lambda k: li["salary"] * gs[k], "cents")
            health_unit = row(
                "Health per FTE", lid, lambda k: own("health_per_fte") * gh[k], "cents"
            )
            pers = row("Salaries (exact)", lid, lambda k: salary_unit[k] * fte[k], "cents")
            frin = row(
                "Fringe (exact): salaries × fringe rate + FTE × health",
                lid,
                lambda k: pers[k] * own("fringe_rate") + health_unit[k] * fte[k],
                "cents",
            )

            def contract() -> X:
                return li["delivery"].cmp("=", "contract")

            comps = [
                ("personnel", lambda k: IF(contract(), 0, DOLLARS(pers[k]))),
                ("fringe", lambda k: IF(contract(), 0, DOLLARS(frin[k]))),
                (
                    "contractual",
                    lambda k: IF(
                        contract(),
                        DOLLARS((pers[k] + frin[k]) * (1 + own("contract_overhead_rate"))),
                        0,
                    ),
                ),
                ("indirect", lambda k: IF(contract(), 0, DOLLARS(indirect * (pers[k] + frin[k])))),
            ]
        elif line.kind == "warm_handoff" and line.mode == "on_call":
            callouts = row(
                "Call-outs (ramped referrals × after-hours share)",
                lid,
                lambda k: refer_x[k] * li["after_hours_share"],
                "decimal",
            )
            pers = row(
                "Pay (exact): (standby + call-outs) × salary growth",
                lid,
                lambda k: (
                    (
                        li["hours_per_week"] * days * li["stipend_per_hour"]
                        + callouts[k]
                        * li["hours_per_callout"]
                        * li["hourly_rate"]
                        * a["overtime_multiplier"]
                    )
                    * gs[k]
                    * active[k]
                ),
                "cents",
            )
            frin = row(
                "Fringe (exact): pay × overtime fringe rate",
                lid,
                lambda k: pers[k] * a["overtime_fringe_rate"],
                "cents",
            )
            comps = [
                ("personnel", lambda k: DOLLARS(pers[k])),
                ("fringe", lambda k: DOLLARS(frin[k])),
                ("indirect", lambda k: DOLLARS(indirect * (pers[k] + frin[k]))),
            ]
        elif line.kind == "warm_handoff":
            comps = [
                (
                    "contractual",
                    lambda k: DOLLARS(
                        li["hours_per_week"] * days * li["rate_per_hour"] * gi[k] * active[k]
                    ),
                )
            ]
        elif line.kind == "officer_training":
            j = row("Years since the line's first FY", lid, lambda k: fy_x[k] - first_fy, "whole")
            init = row(
                "Initial trainees",
                lid,
                lambda k: (
                    IF(
                        j[k].cmp("=", 0),
                        li["officers"],
                        CEIL(li["officers"] * li["annual_turnover"]),
                    )
                    * active[k]
                ),
                "whole",
            )
            refr = row(
                "Refresher trainees",
                lid,
                lambda k: (
                    IF(
                        AND(
                            j[k].cmp(">=", 1), MOD(j[k], li["refresher_interval_years"]).cmp("=", 0)
                        ),
                        MAX(li["officers"] - CEIL(li["officers"] * li["annual_turnover"]), 0),
                        0,
                    )
                    * active[k]
                ),
                "whole",
            )
            pers = row(
                "Backfill pay (exact): hours × hourly pay × overtime",
                lid,
                lambda k: (
                    (init[k] * li["initial_hours"] + refr[k] * li["refresher_hours"])
                    * li["officer_hourly_rate"]
                    * gs[k]
                    * a["overtime_multiplier"]
                ),
                "cents",
            )
            frin = row(
                "Fringe (exact): pay × overtime fringe rate",
                lid,
                lambda k: pers[k] * a["overtime_fringe_rate"],
                "cents",
            )
            sess = row(
                "Training sessions",
                lid,
                lambda k: CEIL(init[k] / li["class_size"]) + CEIL(refr[k] / li["class_size"]),
                "whole",
            )
            supp = row(
                "Materials (exact)",
                lid,
                lambda k: (init[k] + refr[k]) * li["materials_per_trainee"] * gi[k],
                "cents",
            )
            comps = [
                ("personnel", lambda k: DOLLARS(pers[k])),
                ("fringe", lambda k: DOLLARS(frin[k])),
                ("supplies", lambda k: DOLLARS(supp[k])),
                (
                    "contractual",
                    lambda k: DOLLARS(sess[k] * li["trainer_cost_per_session"] * gi[k]),
                ),
                ("indirect", lambda k: DOLLARS(indirect * (pers[k] + frin[k] + supp[k]))),
            ]
        elif line.kind == "participant_phones":
            comps = [
                (
                    "supplies",
                    lambda k: DOLLARS(
                        new_x[k] * li["high_risk_share"] * li["device_cost"] * gi[k] * active[k]
                    ),
                ),
                (
                    "other",
                    lambda k: DOLLARS(
                        months_x[k]
                        * li["high_risk_share"]
                        * li["monthly_service_cost"]
                        * gi[k]
                        * active[k]
                    ),
                ),
            ]
        elif line.kind == "participant_support":
            comps = [
                (
                    "other",
                    lambda k: DOLLARS(
                        months_x[k] / 12 * li["per_participant_year"] * gi[k] * active[k]
                    ),
                )
            ]
        elif line.kind == "service_gap":
            gap = row(
                "Amount (exact): units × cost per unit, when the status is gap",
                lid,
                lambda k: (
                    IF(li["status"].cmp("=", "gap"), li["units"] * li["unit_cost"] * gi[k], 0)
                    * active[k]
                ),
                "cents",
            )
            gap_class = _object_class(line)
            comps = [(gap_class, lambda k: DOLLARS(gap[k]))]
            if gap_class in ("personnel", "fringe", "travel", "supplies"):
                comps.append(("indirect", lambda k: DOLLARS(indirect * gap[k])))
        else:  # other, other_strategy
            amount = row(
                "Amount (exact): annual amount × growth",
                lid,
                lambda k: li["annual_amount"] * IF(li["escalate"], gi[k], 1) * active[k],
                "cents",
            )
            amount_class = _object_class(line)
            comps = [(amount_class, lambda k: DOLLARS(amount[k]))]
            if line.kind == "other" and amount_class in (
                "personnel",
                "fringe",
                "travel",
                "supplies",
            ):
                comps.append(("indirect", lambda k: DOLLARS(indirect * amount[k])))
        fte_rows.append(fte or [])
        first_component = state["row"]
        for object_class, build in comps:
            row(CLASS_LABELS[object_class], lid, build, "money", object_class)
        line_rows.append((first_component, state["row"] - 1))
        line_parts.append(state["parts"])
        state["row"] += 1
    calc_last = state["row"]
    calc.set_column(0, 0, 52)
    calc.set_column(1, 1, 18)
    calc.set_column(2, 2, 20)
    calc.set_column(FY0, total_col, 13)
    _print_setup(calc, calc_last, total_col + 1, title_cols=3, freeze=(1, FY0))

    # --------------------------------------------------------------- projection
    w.header(projection, 0, ["Line item", "Line id", "Strategy", *labels, "Total"])
    line_year: list[list[X]] = []
    for index, (line, (top, bottom)) in enumerate(zip(plan.line_items, line_rows, strict=True)):
        r = 1 + index
        w.text(projection, r, 0, line.label or line.id)
        w.text(projection, r, 1, line.id)
        w.text(projection, r, 2, line.strategy or "")
        cells = []
        for k in range(years):
            col = xl_col_to_name(FY0 + k)
            parts = line_parts[index][k]
            cells.append(
                w.put(
                    projection,
                    r,
                    3 + k,
                    SUM(parts, f"SUM(Calculation!{col}{top + 1}:{col}{bottom + 1})"),
                )
            )
        line_year.append(cells)
        first, last = xl_rowcol_to_cell(r, 3), xl_rowcol_to_cell(r, 2 + years)
        w.put(projection, r, 3 + years, SUM(cells, f"SUM({first}:{last})"), bold=True)
    total_row = 1 + len(plan.line_items)
    w.text(projection, total_row, 0, "Total", bold=True)
    spending: list[X] = []
    for col in range(3, 4 + years):
        letter = xl_col_to_name(col)
        column = (
            [line_year[i][col - 3] for i in range(len(line_year))]
            if col < 3 + years
            else [x for cells in line_year for x in cells]
        )
        cell = w.put(
            projection,
            total_row,
            col,
            SUM(column, f"SUM({letter}2:{letter}{total_row})" if line_year else "0"),
            bold=True,
        )
        if col < 3 + years:
            spending.append(cell)
    grand = X(f"Projection!{xl_rowcol_to_cell(total_row, 3 + years)}", Q(p.total))
    fte_row = total_row + 1
    w.text(projection, fte_row, 0, "FTE")
    fte_total = []
    for k in range(years):
        parts = [rows[k] for rows in fte_rows if rows]
        text = "+".join(x.t for x in parts) if parts else "0"
        fte_total.append(
            w.put(projection, fte_row, 3 + k, SUM(parts, text) if parts else lift(0), "decimal")
        )
    projection.set_column(0, 0, 38)
    projection.set_column(1, 1, 18)
    projection.set_column(2, 2, 10)
    projection.set_column(3, 3 + years, 12)
    _print_setup(projection, fte_row + 1, 4 + years, title_cols=1, freeze=(1, 3))

    # --------------------------------------------------------------- object classes
    w.header(classes_sheet, 0, ["Object class (SF-424A)", *labels, "Total"])
    class_col = f"Calculation!$C$1:$C${calc_last}"
    r = 1
    direct_rows: list[list[X]] = []
    all_rows: list[list[X]] = []

    def class_row(name: str, build: Callable[[int], X], bold: bool = False) -> list[X]:
        nonlocal r
        w.text(classes_sheet, r, 0, name, bold=bold)
        cells = [w.put(classes_sheet, r, 1 + k, build(k), bold=bold) for k in range(years)]
        first, last = xl_rowcol_to_cell(r, 1), xl_rowcol_to_cell(r, years)
        w.put(classes_sheet, r, 1 + years, SUM(cells, f"SUM({first}:{last})"), bold=True)
        r += 1
        return cells

    for c in OBJECT_CLASSES:

        def build(k: int, c: str = c) -> X:
            letter = xl_col_to_name(FY0 + k)
            return SUM(
                by_class[c][k],
                f'SUMIF({class_col},"{CLASS_LABELS[c]}",'
                f"Calculation!{letter}$1:{letter}${calc_last})",
            )

        if c == "indirect":
            direct = class_row(
                "i. Total direct charges",
                lambda k: SUM(
                    [x[k] for x in direct_rows],
                    f"SUM({xl_rowcol_to_cell(1, 1 + k)}:{xl_rowcol_to_cell(8, 1 + k)})",
                ),
                True,
            )
            all_rows.append(class_row(CLASS_LABELS[c], build))
            class_row(
                "k. Totals",
                lambda k: SUM(
                    [direct[k], all_rows[-1][k]],
                    f"{xl_rowcol_to_cell(9, 1 + k)}+{xl_rowcol_to_cell(10, 1 + k)}",
                ),
                True,
            )
        else:
            direct_rows.append(class_row(CLASS_LABELS[c], build))
    r += 1
    codes = list(p.by_strategy)
    w.header(
        classes_sheet,
        r,
        [
            "Object class by strategy (whole plan)",
            *[doc.titles.get(code, code) for code in codes],
            "Total",
        ],
    )
    top_strategy = r + 1
    r += 1
    strategy_of = [line.strategy or "unassigned" for line in plan.line_items]
    for c in OBJECT_CLASSES:
        w.text(classes_sheet, r, 0, CLASS_LABELS[c])
        cells = []
        for col, code in enumerate(codes, start=1):
            refs = [
                f"Calculation!{xl_rowcol_to_cell(row_, total_col)}"
                for row_ in component_rows[c]
                if strategy_of[_line_of(row_, line_rows)] == code
            ]
            value = Q(doc.classes_by_strategy[code].get(c, 0))
            cells.append(w.put(classes_sheet, r, col, X("+".join(refs) if refs else "0", value)))
        first, last = xl_rowcol_to_cell(r, 1), xl_rowcol_to_cell(r, len(codes))
        w.put(
            classes_sheet,
            r,
            1 + len(codes),
            SUM(cells, f"SUM({first}:{last})" if codes else "0"),
            bold=True,
        )
        r += 1
    w.text(classes_sheet, r, 0, "Total", bold=True)
    for col in range(1, 2 + len(codes)):
        letter = xl_col_to_name(col)
        value = Q(p.strategy_totals[codes[col - 1]]) if col <= len(codes) else Q(p.total)
        w.put(
            classes_sheet,
            r,
            col,
            X(f"SUM({letter}{top_strategy + 1}:{letter}{r})", value),
            bold=True,
        )
    classes_sheet.set_column(0, 0, 36)
    classes_sheet.set_column(1, max(years, len(codes)) + 1, 13)
    _print_setup(classes_sheet, r + 1, max(years, len(codes)) + 2, freeze=(1, 1))

    # --------------------------------------------------------------- strategies
    w.header(strategies, 0, ["Strategy", "Code", *labels, "Total"])
    for index, code in enumerate(codes):
        r = 1 + index
        w.text(strategies, r, 0, doc.titles.get(code, code), wrap=True)
        w.text(strategies, r, 1, code)
        members = [i for i, s in enumerate(strategy_of) if s == code]
        cells = []
        for k in range(years):
            parts = [line_year[i][k] for i in members]
            cells.append(w.put(strategies, r, 2 + k, SUM(parts, "+".join(x.t for x in parts))))
        first, last = xl_rowcol_to_cell(r, 2), xl_rowcol_to_cell(r, 1 + years)
        w.put(strategies, r, 2 + years, SUM(cells, f"SUM({first}:{last})"), bold=True)
    r = 1 + len(codes)
    w.text(strategies, r, 0, "Total", bold=True)
    for col in range(2, 3 + years):
        letter = xl_col_to_name(col)
        value = Q(p.by_year[col - 2]) if col < 2 + years else Q(p.total)
        w.put(
            strategies, r, col, X(f"SUM({letter}2:{letter}{r})" if codes else "0", value), bold=True
        )
    strategies.set_column(0, 0, 44)
    strategies.set_column(2, 2 + years, 12)
    _print_setup(strategies, r + 1, 3 + years, freeze=(1, 2))

    # --------------------------------------------------------------- fund (§6)
    w.header(fund_sheet, 0, ["Fund", *labels, "Total"])
    names = [
        "Beginning balance",
        "Receipts",
        "Interest (on the beginning balance)",
        "Spending",
        "Closing balance",
        "In deficit (1 = yes)",
    ]
    for row_, name in enumerate(names, start=1):
        w.text(fund_sheet, row_, 0, name, bold=row_ == 5)
    begin = DOLLARS(X("fund.opening_balance", q(plan.fund.opening_balance)))
    rate = X("fund.interest_rate", q(plan.fund.interest_rate))
    fund_cells: dict[str, list[X]] = {n: [] for n in ("b", "r", "i", "s", "c", "d")}
    for k in range(years):
        col = 1 + k
        b = w.put(fund_sheet, 1, col, begin)
        closed = inputs.actuals.get(k)  # a closed FY takes its actuals (§11)
        rec = w.put(
            fund_sheet, 2, col, DOLLARS(receipt_x[k]) if closed is None else closed.receipts()
        )
        inte = w.put(
            fund_sheet,
            3,
            col,
            DOLLARS(MAX(b, 0) * rate) if closed is None else closed.interest_dollars(),
        )
        spend = w.put(
            fund_sheet,
            4,
            col,
            X(spending[k].t, spending[k].v) if closed is None else closed.spending(),
        )
        close = w.put(fund_sheet, 5, col, b + rec + inte - spend, bold=True)
        deficit = w.put(fund_sheet, 6, col, IF(close.cmp("<", 0), 1, 0), "whole")
        for key, x in zip("brisc", (b, rec, inte, spend, close), strict=True):
            fund_cells[key].append(x)
        fund_cells["d"].append(deficit)
        begin = close
    for row_, key in ((2, "r"), (3, "i"), (4, "s")):
        first, last = xl_rowcol_to_cell(row_, 1), xl_rowcol_to_cell(row_, years)
        w.put(fund_sheet, row_, 1 + years, SUM(fund_cells[key], f"SUM({first}:{last})"), bold=True)
    w.text(fund_sheet, 8, 0, "First deficit FY")
    first_deficit = fy_label(p.fund.first_deficit_fy) if p.fund.first_deficit_fy else "none"
    deficit_range = f"$B$7:${xl_col_to_name(years)}$7"
    header_range = f"$B$1:${xl_col_to_name(years)}$1"
    deficit_x = w.put(
        fund_sheet,
        8,
        1,
        X(
            f'IF(SUM({deficit_range})=0,"none",INDEX({header_range},MATCH(1,{deficit_range},0)))',
            first_deficit,
        ),
        None,
    )
    if p.fund.receipts_outside_plan:
        w.text(
            fund_sheet,
            10,
            0,
            "Receipts outside the plan's years (not projected): "
            + ", ".join(f"{fy} ${amount:,}" for fy, amount in p.fund.receipts_outside_plan.items()),
        )
    fund_sheet.set_column(0, 0, 34)
    fund_sheet.set_column(1, 1 + years, 13)
    _print_setup(fund_sheet, 11, 2 + years)

    # --------------------------------------------------------------- summary
    s = doc.summary
    last_col = xl_col_to_name(years)
    w.header(summary, 0, ["Item", "Value"])
    facts: list[tuple[str, Any, str | None]] = [
        ("Jurisdiction", doc.jurisdiction, None),
        ("Plan", doc.plan_name, None),
        ("Status", doc.status.capitalize(), None),
        ("Prepared on", doc.prepared_on, "date"),
        ("Fiscal years", f"{labels[0]} to {labels[-1]}", None),
        ("Total spending", X(grand.t, grand.v), "money"),
        (
            "Present value of spending",
            X(
                f"ROUND(Projection!D{total_row + 1}+NPV(assumptions.discount_rate,"
                f"Projection!E{total_row + 1}:{xl_col_to_name(2 + years)}{total_row + 1}),0)"
                if years > 1
                else f"Projection!D{total_row + 1}",
                Q(p.npv_spending),
            ),
            "money",
        ),
        ("Opening balance", X("Fund!B2", Q(s.opening_balance)), "money"),
        ("Receipts", X(f"SUM(Fund!B3:{last_col}3)", Q(s.receipts)), "money"),
        (
            "Present value of receipts",
            X(
                f"ROUND(Fund!B3+NPV(assumptions.discount_rate,Fund!C3:{last_col}3),0)"
                if years > 1
                else "Fund!B3",
                Q(p.npv_receipts),
            ),
            "money",
        ),
        ("Interest", X(f"SUM(Fund!B4:{last_col}4)", Q(s.interest)), "money"),
        ("Closing balance", X(f"Fund!{last_col}6", Q(s.closing_balance)), "money"),
        ("First deficit FY", X(deficit_x.t, first_deficit), None),
        (
            "Peak FTE",
            X(
                f"MAX(Projection!D{fte_row + 1}:{xl_col_to_name(2 + years)}{fte_row + 1})",
                max((x.v for x in fte_total), default=Q(0)),
            ),
            "decimal",
        ),
        (
            "Participants enrolled (new enrollees, all FYs)",
            X(f"SUM(Participants!B5:{last_col}5)", sum((x.v for x in new_x), Q(0))),
            "whole",
        ),
        (
            "Checklist",
            f"{s.compliance['fail']} fail, {s.compliance['warn']} warn, "
            f"{s.compliance['pass']} pass",
            None,
        ),
    ]
    for row_, (name, value, kind) in enumerate(facts, start=1):
        w.text(summary, row_, 0, name)
        if isinstance(value, X):
            w.put(summary, row_, 1, value, kind)
        elif isinstance(value, dt.date):
            summary.write_datetime(row_, 1, dt.datetime.combine(value, dt.time()), w.fmt("date"))
        else:
            w.text(summary, row_, 1, value)
    summary.set_column(0, 0, 44)
    summary.set_column(1, 1, 36)
    _print_setup(summary, len(facts) + 1, 2, freeze=(1, 0))

    if actuals_sheet is not None:
        actuals_sheet_write(w, actuals_sheet, doc, inputs.actuals, codes, receipt_x)

    # --------------------------------------------------------------- text sheets
    w.header(just, 0, ["Line item", "Kind", "Strategy", "Justification"])
    for index, line in enumerate(plan.line_items, start=1):
        w.text(just, index, 0, line.label or line.id, wrap=True)
        w.text(just, index, 1, KIND_LABELS[line.kind])
        code = line.strategy or "unassigned"
        w.text(just, index, 2, f"{code}: {doc.titles.get(code, code)}", wrap=True)
        w.text(just, index, 3, line.justification, wrap=True)
    for col, width in enumerate((32, 20, 36, 90)):
        just.set_column(col, col, width)
    _print_setup(just, len(plan.line_items) + 1, 4, freeze=(1, 1))

    w.header(basis_sheet, 0, ["Line item", "Fiscal years", "Basis of estimate"])
    r = 1
    for line_projection in p.line_items:
        texts = line_projection.basis
        start = 0
        for k in range(1, years + 1):
            if k == years or texts[k] != texts[start]:
                span = labels[start] if k - 1 == start else f"{labels[start]} to {labels[k - 1]}"
                w.text(basis_sheet, r, 0, line_projection.label or line_projection.id, wrap=True)
                w.text(basis_sheet, r, 1, span)
                w.text(basis_sheet, r, 2, texts[start], wrap=True)
                r += 1
                start = k
    for col, width in enumerate((32, 24, 110)):
        basis_sheet.set_column(col, col, width)
    _print_setup(basis_sheet, r, 3, freeze=(1, 1))

    w.header(checks, 0, ["Rule", "Status", "Message", "FYs", "Line items", "Citation"])
    for row_, result in enumerate(doc.results, start=1):
        for col, value in enumerate(
            [
                result.rule,
                result.status.upper(),
                result.message,
                ", ".join(fy_label(fy) for fy in result.fiscal_years),
                ", ".join(result.line_items),
                result.citation,
            ]
        ):
            w.text(checks, row_, col, value, wrap=True)
    for col, width in enumerate((26, 8, 80, 24, 24, 40)):
        checks.set_column(col, col, width)
    _print_setup(checks, len(doc.results) + 1, 6, freeze=(1, 1))

    w.header(sources, 0, ["Default", "Value", "This plan", "Base FY", "Source", "Year"])
    for row_, entry in enumerate(doc.defaults, start=1):
        value = entry.default
        w.text(sources, row_, 0, entry.key)
        if isinstance(value, tuple):
            w.text(sources, row_, 1, ", ".join(str(v) for v in value))
        else:
            sources.write_number(row_, 1, float(value))
        if entry.plan_value is not None:
            sources.write_number(row_, 2, float(entry.plan_value))
        if entry.base_fy:
            w.text(sources, row_, 3, fy_label(entry.base_fy))
        w.text(sources, row_, 4, entry.source, wrap=True)
        sources.write_number(row_, 5, entry.year)
    for col, width in enumerate((40, 14, 12, 12, 90, 8)):
        sources.set_column(col, col, width)
    _print_setup(sources, len(doc.defaults) + 1, 6, freeze=(1, 1))
    uncertainty_sheet(w, doc)

    w.book.set_properties(
        {
            "title": f"{doc.plan_name} — projection",
            "author": doc.jurisdiction or "LEAD settlement planner",
        }
    )
    w.book.set_calc_mode("auto")
    w.book.close()
    return output.getvalue()


def _line_of(row: int, line_rows: list[tuple[int, int]]) -> int:
    for index, (top, bottom) in enumerate(line_rows):
        if top <= row <= bottom:
            return index
    raise ValueError(row)


# ----------------------------------------------------------------------------- actuals (§11)


@dataclass
class ActualInputs:
    """One closed FY's actuals on the Inputs sheet; the fund and the Actuals sheet use them,
    each amount rounded to whole dollars on its own (cost model §11)."""

    receipts_x: X
    interest_x: X
    audit_x: X
    spending_x: dict[str, X]

    def receipts(self) -> X:
        return DOLLARS(self.receipts_x)

    def interest_dollars(self) -> X:
        return DOLLARS(self.interest_x)

    def audit(self) -> X:
        return DOLLARS(self.audit_x)

    def spent(self, strategy: str) -> X:
        found = self.spending_x.get(strategy)
        return lift(0) if found is None else DOLLARS(found)

    def spending(self) -> X:
        """The fund's spending: actual spending by strategy + audit costs."""
        return sum((DOLLARS(x) for x in self.spending_x.values()), lift(0)) + self.audit()


def _name_part(code: str) -> str:
    """A strategy code inside a defined name: `A:10` -> `A_10`, `B:D.1.4` -> `B_D.1.4`."""
    return re.sub(r"[^A-Za-z0-9_.]", "_", code)


def actual_inputs(inputs: Inputs, plan) -> dict[int, ActualInputs]:
    """Each closed FY's actuals as named inputs (`actuals.FY2026_27.spending.A_10`)."""
    found: dict[int, ActualInputs] = {}
    if not plan.actuals:
        return found
    inputs.section("Actuals of closed FYs (the fund uses them; line items keep their plan)")
    for entry in plan.actuals:
        label = entry.label
        stem = f"actuals.{label.replace('-', '_')}"

        def add(key: str, text: str, value: Any) -> X:
            return inputs.add(f"actuals.{label}.{key}", f"{stem}.{key}", text, value, "amount")

        receipts = add("receipts", f"Actual receipts {label}", entry.receipts)
        interest = add("interest", f"Actual interest {label}", entry.interest)
        audit = add("audit_costs", f"Actual audit costs {label}", entry.audit_costs)
        spending = {}
        for code, amount in entry.spending:
            spending[code] = inputs.add(
                f"actuals.{label}.spending.{code}",
                f"{stem}.spending.{_name_part(code)}",
                f"Actual spending {label}, {code}",
                amount,
                "amount",
            )
        found[entry.fy - plan.start_fy] = ActualInputs(receipts, interest, audit, spending)
    return found


def actuals_sheet_write(
    w: Writer,
    sheet,
    doc: PlanDocument,
    actuals: dict[int, ActualInputs],
    codes: list[str],
    receipt_x: list[X],
) -> None:
    """Planned vs actual by strategy in each closed FY, live: planned from the Strategies
    sheet, actual from the inputs, the variance, its percent and "over plan" / "under plan"
    in words; then the closing balance reforecast (the Fund sheet) beside the adopted one."""
    p = doc.projection
    block, adopted = p.actuals, p.adopted_fund
    assert block is not None  # noqa: S101 - called for a plan with actuals
    assert adopted is not None  # noqa: S101
    w.header(
        sheet,
        0,
        [
            "Closed FY",
            "Strategy",
            "Code",
            "Planned",
            "Actual",
            "Variance",
            "Variance %",
            "Against the plan",
        ],
    )
    r = 1
    for k in sorted(actuals):
        closed = actuals[k]
        label = p.labels[k]
        for strategy in block.strategies:
            w.text(sheet, r, 0, label)
            w.text(sheet, r, 1, doc.titles.get(strategy, strategy), wrap=True)
            w.text(sheet, r, 2, strategy)
            planned = (
                X(
                    f"Strategies!{xl_rowcol_to_cell(1 + codes.index(strategy), 2 + k)}",
                    Q(p.by_strategy[strategy][k]),
                )
                if strategy in codes
                else lift(0)
            )
            plan_cell = w.put(sheet, r, 3, planned)
            actual_cell = w.put(sheet, r, 4, closed.spent(strategy))
            _variance(w, sheet, r, plan_cell, actual_cell)
            r += 1
        w.text(sheet, r, 0, label)
        w.text(
            sheet, r, 1, "Audit costs (MOA §F.3; in no strategy, not in the variance)", wrap=True
        )
        w.put(sheet, r, 4, closed.audit())
        r += 1
        w.text(sheet, r, 0, label)
        w.text(sheet, r, 1, "Settlement receipts")
        _variance(
            w,
            sheet,
            r,
            w.put(sheet, r, 3, DOLLARS(receipt_x[k])),
            w.put(sheet, r, 4, closed.receipts()),
            words=("more received", "less received"),
        )
        r += 1
        w.text(sheet, r, 0, label)
        w.text(sheet, r, 1, "Interest (planned: as adopted, a fixed figure)", wrap=True)
        interest_planned = block.interest_planned[sorted(actuals).index(k)]
        sheet.write_number(r, 3, interest_planned, w.fmt("money"))
        _variance(
            w,
            sheet,
            r,
            X(xl_rowcol_to_cell(r, 3), Q(interest_planned)),
            w.put(sheet, r, 4, closed.interest_dollars()),
            words=("more earned", "less earned"),
        )
        r += 2
    w.header(sheet, r, ["The fund", "", "", *p.labels])
    w.text(sheet, r + 1, 0, "Closing balance, reforecast (the Fund sheet)", bold=True)
    w.text(sheet, r + 2, 0, "Closing balance as adopted (a fixed figure)")
    w.text(sheet, r + 3, 0, "Reforecast minus adopted")
    for k in range(len(p.fiscal_years)):
        reforecast = w.put(
            sheet,
            r + 1,
            3 + k,
            X(f"Fund!{xl_rowcol_to_cell(5, 1 + k)}", Q(p.fund.closing[k])),
            bold=True,
        )
        sheet.write_number(r + 2, 3 + k, adopted.closing[k], w.fmt("money"))
        w.put(
            sheet,
            r + 3,
            3 + k,
            reforecast - X(xl_rowcol_to_cell(r + 2, 3 + k), Q(adopted.closing[k])),
        )
    sheet.set_column(0, 0, 12)
    sheet.set_column(1, 1, 40)
    sheet.set_column(2, 2, 10)
    sheet.set_column(3, 3 + len(p.fiscal_years), 13)
    _print_setup(sheet, r + 4, 3 + len(p.fiscal_years), freeze=(1, 2))


def _variance(
    w: Writer,
    sheet,
    r: int,
    planned: X,
    actual: X,
    words: tuple[str, str] = ("over plan", "under plan"),
) -> None:
    variance = w.put(sheet, r, 5, actual - planned)
    share = None if planned.v == 0 else Q(variance.v) / Q(planned.v)
    sheet.write_formula(
        r,
        6,
        f'=IF({planned.t}=0,"n/a",{variance.t}/{planned.t})',
        w.fmt("percent"),
        "n/a" if share is None else float(share),
    )
    word = words[0] if variance.v > 0 else words[1] if variance.v < 0 else "as planned"
    sheet.write_formula(
        r,
        7,
        f'=IF({variance.t}>0,"{words[0]}",IF({variance.t}<0,"{words[1]}","as planned"))',
        w.fmt(None),
        word,
    )


def _object_class(line: LineItem) -> str:
    """The object class a service-gap or annual-amount line books its cost in."""
    params = line.params
    if not isinstance(params, ServiceGapParams | OtherParams | OtherStrategyParams):
        raise TypeError(f"a {line.kind} line books no single object class")
    return params.object_class
