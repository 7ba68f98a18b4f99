"""The county's figures on one page (issue 23): the fund, the referrals, the program's
commitments, the case managers' caseloads and who delivers them, the services, a line from
the same fund for another strategy, and the FYs to authorize. One form, one save: every
input is the engine's own field (its type and limits), written where the plan file keeps it."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms.fields.choices import SelectChoice

from planner.forms.plan_forms import (
    Input,
    build_form,
    fund_inputs,
    participants_inputs,
    program_inputs,
)
from planner.present.labels import label_of
from planner.scenarios.fields import Field
from planner.scenarios.kinds import REGISTRY
from planner.scenarios.parse import AUTHORIZATION_FIELDS

SERVICE_CHOICES = [
    SelectChoice("unknown", "Not yet assessed"),
    SelectChoice("adequate", "Adequate: participants can use what exists"),
    SelectChoice("gap", "A gap the fund will buy"),
]
DELIVERY_CHOICES = [
    SelectChoice("county", "County staff"),
    SelectChoice("contract", "A contracted provider"),
]


def _line_field(kind: str, value: str | None, name: str) -> Field:
    return next(f for f in REGISTRY[kind].form_fields(value) if f.name == name)


def _authorization_field(name: str) -> Field:
    return next(f for f in AUTHORIZATION_FIELDS if f.name == name)


@dataclass(frozen=True)
class SetupLayout:
    """The page's inputs by section, and which of them the engine writes at their path."""

    fund: list[Input]
    referrals: list[Input]
    program: list[Input]
    case_managers: list[Input]
    services: list[tuple[str, str, list[Input]]]  # line id, label, [status, units, cost]
    other: list[Input]
    authorize: list[Input]
    # The plan's line for another strategy this page edits (its first other_strategy line
    # with an amount a year), or None: the page adds one.
    other_index: int | None = None

    @property
    def written(self) -> list[Input]:
        """The inputs written at their own path (the services, the new line and the
        authorizations are applied by the view: they add or remove keys)."""
        return [*self.fund, *self.referrals, *self.program, *self.case_managers]

    @property
    def every(self) -> list[Input]:
        rows = [spec for _, _, specs in self.services for spec in specs]
        return [*self.written, *rows, *self.other, *self.authorize]


def setup_layout(document: dict[str, Any]) -> SetupLayout:
    lines = document.get("line_items") or []
    case = [
        (index, line) for index, line in enumerate(lines) if line.get("kind") == "case_management"
    ]
    case_inputs: list[Input] = []
    if case:
        index, _ = case[0]
        for name in ("caseload_average", "caseload_max", "delivery"):
            f = _line_field("case_management", None, name)
            case_inputs.append(
                Input(f"cm_{name}", ("line_items", index, name), f, label=f.label or None)
            )
    services = []
    for index, line in enumerate(lines):
        if line.get("kind") != "service_gap":
            continue
        key = str(line.get("id"))
        services.append(
            (
                key,
                str(line.get("label") or key),
                [
                    Input(
                        f"{name}_{key}",
                        ("line_items", index, name),
                        _line_field("service_gap", "gap", name),
                        label=label,
                    )
                    for name, label in (
                        ("status", str(line.get("label") or key)),
                        ("units", "Units to fund"),
                        ("unit_cost", "Cost per unit a year ($)"),
                    )
                ],
            )
        )
    other_index = next(
        (
            index
            for index, line in enumerate(lines)
            if line.get("kind") == "other_strategy"
            and line.get("annual_amount") is not None
            and not line.get("amounts")
        ),
        None,
    )

    def other_path(name: str) -> tuple[Any, ...]:
        return ("new", name) if other_index is None else ("line_items", other_index, name)

    other = [
        Input(
            "other_label",
            other_path("label"),
            Field("label", "text", nullable=True, max_length=200),
            label="Another strategy from the same fund: its name (all three blank: no such line)",
        ),
        Input(
            "other_strategy",
            other_path("strategy"),
            Field("strategy", "text", nullable=True),
            label="Its strategy",
        ),
        Input(
            "other_annual_amount",
            other_path("annual_amount"),
            # blank: no line (the page checks a name without an amount)
            dataclasses.replace(
                _line_field("other_strategy", None, "annual_amount"), required=False
            ),
            label="Its amount a year ($)",
        ),
        Input(
            "other_escalate",
            other_path("escalate"),
            _line_field("other_strategy", None, "escalate"),
            label="Escalate it with inflation",
        ),
    ]
    authorize = [
        Input(
            "auth_first_fy",
            ("auth", "first"),
            Field("first_fy", "fy", nullable=True),
            label="Authorize from FY",
        ),
        Input(
            "auth_last_fy",
            ("auth", "last"),
            Field("last_fy", "fy", nullable=True),
            label="to FY (blank: authorize nothing now)",
        ),
        Input(
            "auth_adopted_on",
            ("auth", "adopted_on"),
            _authorization_field("adopted_on"),
            label="Resolution adopted (or scheduled) on",
        ),
        Input(
            "auth_budget_ordinance_on",
            ("auth", "budget_ordinance_on"),
            _authorization_field("budget_ordinance_on"),
            label="Budget ordinance adopted (or scheduled) on",
        ),
    ]
    return SetupLayout(
        fund=[
            Input(s.name, s.path, s.field, label=label_of(s.name) if not s.field.label else None)
            for s in fund_inputs()
        ],
        referrals=[s for s in participants_inputs() if s.name.startswith("referrals_")],
        program=program_inputs(),
        case_managers=case_inputs,
        services=services,
        other=other,
        authorize=authorize,
        other_index=other_index,
    )


def setup_form(layout: SetupLayout) -> FlaskForm:
    """The form (CSRF and version included), its selects given words a person reads."""
    form_class = build_form(layout.every, strategy_names=("other_strategy",))
    form_class = type(form_class.__name__, (form_class,), {"version": HiddenField()})
    form = form_class()
    for _, _, (status, _, _) in layout.services:
        getattr(form, status.name).choices = SERVICE_CHOICES
    if layout.case_managers:
        form.cm_delivery.choices = DELIVERY_CHOICES
    form.other_strategy.validate_choice = True  # one of the MOA's strategies, or none
    return form
