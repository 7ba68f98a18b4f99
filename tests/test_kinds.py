"""The line-kind registry (`planner/scenarios/kinds/`): one definition per kind drives the
parser, the export, the projection, the fit and the editor's forms; each formula runs on the
exact backend (the books) and on a float backend (what a simulation does) to the dollar."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest

from planner.cost_tables import default_cost_tables
from planner.forms.plan_forms import CHOICE_VALUES, LINE_CHOICE, line_variants
from planner.present.labels import KIND_NAMES, LABELS
from planner.scenarios import PlanError, plan_to_dict, project
from planner.scenarios.fields import money
from planner.scenarios.kinds import EXACT, KINDS, REGISTRY, Cost, YearInputs, register
from planner.scenarios.kinds.base import LineKind, Params, Rounded, input_fields, param
from planner.scenarios.lines import Context
from planner.scenarios.parse import COMMON_LINE_FIELDS, line_to_dict
from planner.scenarios.participants import project_participants
from tests.plans import document, example, parse

SPEC_ORDER = (
    "position",
    "case_management",
    "warm_handoff",
    "officer_training",
    "participant_phones",
    "participant_support",
    "service_gap",
    "other_strategy",
    "other",
    "contribution",  # §17
)


def every_variant() -> list[dict[str, Any]]:
    """One line of every kind and every value of its choice, each field stated (not a
    default), each value off its default so that a lost field shows."""
    lines: list[dict[str, Any]] = []
    staffing = {
        "delivery": "contract",
        "fringe_rate": "0.3",
        "health_per_fte": "7000",
        "contract_overhead_rate": "0.1",
    }
    for role in REGISTRY["position"].choice_values:
        line = {"kind": "position", "role": role, "fte": "1.5", "salary": "61000.5", **staffing}
        if role == "program_manager":
            line["independent"] = True
        lines.append(line)
    lines.append(
        {
            "kind": "case_management",
            "caseload_average": "18",
            "caseload_max": "22",
            "min_fte": "1.5",
            "max_fte": "4",
            "salary": "55000",
            **staffing,
        }
    )
    lines += [
        {
            "kind": "warm_handoff",
            "mode": "staffed",
            "hours_per_week": "100",
            "staff_per_post": "2",
            "salary": "45000",
            **staffing,
        },
        {
            "kind": "warm_handoff",
            "mode": "on_call",
            "hours_per_week": "60",
            "stipend_per_hour": "4",
            "after_hours_share": "0.4",
            "hours_per_callout": "3",
            "hourly_rate": "30.5",
        },
        {"kind": "warm_handoff", "mode": "contract", "hours_per_week": "40", "rate_per_hour": "35"},
        {
            "kind": "officer_training",
            "officers": 40,
            "initial_hours": "6",
            "refresher_hours": "3",
            "refresher_interval_years": 2,
            "annual_turnover": "0.2",
            "officer_hourly_rate": "30",
            "class_size": 15,
            "trainer_cost_per_session": "900",
            "materials_per_trainee": "20",
        },
        {
            "kind": "participant_phones",
            "high_risk_share": "0.6",
            "monthly_service_cost": "30",
            "device_cost": "70",
        },
        {"kind": "participant_support", "per_participant_year": "650"},
    ]
    for status in REGISTRY["service_gap"].choice_values:
        line = {
            "kind": "service_gap",
            "category": "housing",
            "status": status,
            "object_class": "other",
        }
        if status == "gap":
            line.update(units="3", unit_cost="12000")
        lines.append(line)
    lines += [
        {
            "kind": "other_strategy",
            "annual_amount": "25000",
            "object_class": "supplies",
            "escalate": False,
        },
        {"kind": "other", "annual_amount": "9000", "object_class": "travel", "escalate": False},
        {
            "kind": "contribution",
            "to": "ashe-county",
            "program": "High Country LEAD",
            "amounts": {"FY2026-27": "12000", "FY2027-28": "12500"},
            "object_class": "other",
        },
    ]
    for index, line in enumerate(lines):
        line.update(
            id=f"line-{index}",
            label=f"Line {index}",
            strategy="A:10",
            justification="why",
            start_fy=2026,
            end_fy=2027,
        )
    return lines


def test_the_registry_holds_the_spec_kinds_in_its_order():
    assert KINDS == SPEC_ORDER
    assert tuple(KIND_NAMES) == SPEC_ORDER  # the editor's names come from the definitions


def test_every_variant_is_covered_by_the_sample():
    covered = {
        (line["kind"], line.get(REGISTRY[line["kind"]].choice or "", ""))
        for line in every_variant()
    }
    expected = {
        (name, value) for name, kind in REGISTRY.items() for value in (kind.choice_values or ("",))
    }
    assert covered == expected


def test_every_field_round_trips_parse_export_parse():
    lines = every_variant()
    plan = parse(document(*lines))
    exported = plan_to_dict(plan)
    assert exported["line_items"] == [line_to_dict(item) for item in plan.line_items]
    for line, written in zip(lines, exported["line_items"], strict=True):
        # Every stated value comes back as written (numbers as exact decimal text).
        for key, value in line.items():
            shown = written[key]
            if isinstance(value, str) and key not in (
                "id",
                "kind",
                "label",
                "strategy",
                "justification",
                "role",
                "mode",
                "status",
                "category",
                "delivery",
                "object_class",
                "to",
                "program",
            ):
                assert Decimal(shown) == Decimal(value), (line["id"], key)
            else:
                assert shown == value, (line["id"], key)
        # Nothing lost; only a not-given optional value is added, as null.
        assert set(written) >= set(line), line["id"]
        assert all(written[k] is None for k in set(written) - set(line)), line["id"]
    again = parse(exported)
    assert again.line_items == plan.line_items
    assert plan_to_dict(again) == exported


def test_defaults_are_written_explicitly_and_read_back_the_same():
    lines = [
        {"id": f"d{i}", "kind": kind, **required}
        for i, (kind, required) in enumerate(
            [
                ("position", {"role": "data_analyst", "fte": "1"}),
                ("case_management", {}),
                ("warm_handoff", {"mode": "on_call"}),
                ("warm_handoff", {"mode": "contract"}),
                ("officer_training", {"officers": 10}),
                ("participant_phones", {}),
                ("participant_support", {}),
                ("service_gap", {"category": "food", "status": "unknown"}),
                ("other_strategy", {"annual_amount": "1"}),
                ("other", {"annual_amount": "1"}),
            ]
        )
    ]
    plan = parse(document(*lines))
    exported = plan_to_dict(plan)
    for item, written in zip(plan.line_items, exported["line_items"], strict=True):
        fields = REGISTRY[item.kind].fields(
            getattr(item.params, REGISTRY[item.kind].choice) if REGISTRY[item.kind].choice else None
        )
        assert [k for k in written if k not in {f.name for f in COMMON_LINE_FIELDS}] == [
            f.name for f in fields
        ]
    assert parse(exported).line_items == plan.line_items


@pytest.mark.parametrize("name", SPEC_ORDER)
def test_every_parameter_is_typed_and_defined_once(name):
    kind = REGISTRY[name]
    classes = {kind.params_for(v) for v in (kind.choice_values or (None,))}
    for cls in classes:
        assert dataclasses.is_dataclass(cls)
        assert issubclass(cls, Params)
        assert cls.__dataclass_params__.frozen  # type: ignore[attr-defined]
        # Every typed attribute is a plan-file field with its definition, and back.
        assert {f.name for f in dataclasses.fields(cls)} == {f.name for f in input_fields(cls)}
    # Each field name means one thing across the kinds (one label, one type).
    for field in kind.all_fields():
        assert field.label or field.name in (
            "fringe_rate",
            "health_per_fte",
            "contract_overhead_rate",
        )


def test_staffing_lines_are_named_by_their_definitions_only():
    plan = parse(document(*every_variant()))
    staffing = {(item.kind, item.mode) for item in plan.line_items if item.is_staffing}
    assert staffing == {("position", None), ("case_management", None), ("warm_handoff", "staffed")}
    carries = {name for name, kind in REGISTRY.items() if kind.carries_indirect}
    assert carries == set(SPEC_ORDER) - {
        "other_strategy",
        "participant_phones",
        "participant_support",
        "contribution",  # §17: the lead books the program's indirect
    }


def test_the_line_forms_are_the_definitions_fields():
    assert LINE_CHOICE == {"position": "role", "warm_handoff": "mode", "service_gap": "status"}
    for name, kind in REGISTRY.items():
        variants = line_variants(name, 0)
        assert set(variants) == set(kind.choice_values or ("",))
        for value, inputs in variants.items():
            common = [f.name for f in COMMON_LINE_FIELDS if f.name not in ("id", "kind")]
            fields = kind.form_fields(value or None)
            assert [i.name for i in inputs] == common + [f.name for f in fields]
            for spec, field in zip(inputs[len(common) :], fields, strict=True):
                assert spec.field == field  # type, range and default: the definition's
                if field.label:
                    assert LABELS[field.name] == (field.label, field.hint)
        if kind.choice:
            assert CHOICE_VALUES[kind.choice] == kind.choice_values
    # A service gap's units are shown (and saved) only for a gap; the rest of the kinds show
    # every field they parse.
    gap = {i.name for i in line_variants("service_gap", 0)["gap"]}
    adequate = {i.name for i in line_variants("service_gap", 0)["adequate"]}
    assert gap - adequate == {"units", "unit_cost"}


# ----------------------------------------------------------------------------- a new kind


@dataclass(frozen=True, kw_only=True)
class VanParams(Params):
    vans: Decimal = param(money(required=True, label="Vans", hint="leased"))
    lease: Decimal = param(
        money(default="participant_phones.device_cost", label="Lease a year ($)")
    )


class Van(LineKind[VanParams]):
    """A kind written in a test: registered, it is parsed, exported and projected."""

    name = "test_van"
    title = "Vans (a test kind)"
    params_type = VanParams

    def cost(self, params, y, ops):
        return Cost(
            {"equipment": ops.num(params.vans) * ops.num(params.lease) * y.inflation_growth},
            ops.num(0),
        )

    def basis(self, params, y, cost, rounded: Rounded) -> str:
        return f"{params.vans} vans = ${rounded['equipment']:,}"


def test_a_kind_registered_in_a_test_is_parsed_exported_and_projected():
    line = {"id": "vans", "kind": "test_van", "vans": "2", "lease": "1000"}
    with pytest.raises(PlanError):
        parse(document(line))
    with register(Van()):
        plan = parse(document(line, {"id": "v2", "kind": "test_van", "vans": "1"}))
        assert plan.line_items[0].params == VanParams(vans=Decimal(2), lease=Decimal(1000))
        exported = plan_to_dict(plan)["line_items"]
        assert exported[0] == {
            "id": "vans",
            "kind": "test_van",
            "label": None,
            "strategy": None,
            "justification": "",
            "start_fy": None,
            "end_fy": None,
            "vans": "2",
            "lease": "1000",
        }
        assert parse(document(*exported)).line_items == plan.line_items
        projected = project(plan).line("vans")
        # 2 × 1,000 × 1.025^k; equipment carries no indirect base, so nothing else.
        assert projected.by_year == (2000, 2050, 2101)
        assert projected.basis[1] == "2 vans = $2,050"
        problems = _problems(document({"id": "v", "kind": "test_van", "vanz": "1"}))
        assert problems == {
            "line_items[0].vans": "is required",
            "line_items[0].vanz": "unknown key for a test_van line",
        }
    assert "test_van" not in REGISTRY


def _problems(doc: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(PlanError) as caught:
        parse(doc)
    return {p.path: p.message for p in caught.value.problems}


# ----------------------------------------------------------------------------- two backends


class FloatOps:
    """What a simulation backend does (docs/formulas.md), on plain floats."""

    def num(self, value: Decimal | int | Fraction) -> float:
        return float(value)

    def ceil(self, x: float) -> float:
        return float(math.ceil(x - 1e-9 * max(1.0, abs(x))))

    def maximum(self, a: float, b: float) -> float:
        return max(a, b)

    def minimum(self, a: float, b: float) -> float:
        return min(a, b)


def _as_float(y: YearInputs[Any]) -> YearInputs[float]:
    return YearInputs(
        **{
            f.name: (
                float(getattr(y, f.name))
                if f.name not in ("k", "j", "fy", "assumptions")
                else getattr(y, f.name)
            )
            for f in dataclasses.fields(y)
        }
    )


@pytest.mark.parametrize(
    "name", ["demo-orange-county.json", "option-b-durham.json", "all-rules-pass.json"]
)
def test_each_formula_gives_the_same_dollars_on_floats(name):
    """The formula is written once: on floats it agrees with the books within $1 a
    component (only an exact .5 tie may round the other way)."""
    plan = example(name)
    ctx = Context.build(plan, project_participants(plan.participants, plan.years))
    floats = FloatOps()
    for item in plan.line_items:
        kind = REGISTRY[item.kind]
        for k in range(plan.years):
            y = ctx.year(k, item)
            exact = kind.cost(item.params, y, EXACT)
            approx = kind.cost(item.params, _as_float(y), floats)
            assert set(exact.components) == set(approx.components)
            assert float(exact.fte) == pytest.approx(approx.fte)
            for c, value in exact.components.items():
                assert abs(float(value) - approx.components[c]) < 0.01, (item.id, k, c)


def test_the_tables_give_every_default_a_kind_names():
    tables = default_cost_tables()
    for kind in REGISTRY.values():
        for value in kind.choice_values or (None,):
            for field in kind.fields(value):
                if field.default is not None:
                    assert field.default in tables.defaults, (kind.name, field.name)
