"""Forms of the finance director's path: move a plan, apply a fit, authorize FYs, spread a
CORE-NC total, assess the services. Values are checked by the engine's own parsers."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from planner.forms.plan_forms import EngineCheck, Input
from planner.scenarios.fields import Field
from planner.scenarios.fiscal import FiscalYearError, parse_fy
from planner.scenarios.kinds import REGISTRY
from planner.scenarios.typed_input import canonical

AUTHORIZE = "authorize"  # the authorize form's prefix: its fields beside the add form's
TOTAL_MAX = Decimal(10) ** 12  # §15: a settlement total far above any government's
_Value = TypeVar("_Value")


def validated(value: _Value | None) -> _Value:
    """A field's value (fy_value, total_value) once its form has validated: the parsers give
    None only for input the form's validators refuse. A ValueError, refused, if not."""
    if value is None:
        raise ValueError("the form's value is not valid")
    return value


def fy_value(text: str | None) -> int | None:
    try:
        return parse_fy((text or "").strip())
    except (FiscalYearError, ValueError):
        return None


def _fy(form: FlaskForm, field: StringField) -> None:
    if fy_value(field.data) is None:
        raise ValidationError("must be a fiscal year such as FY2027-28")


def total_value(text: str | None) -> Decimal | None:
    """A whole-dollar total typed as `12,296,286` or `$12296286.00`; None when invalid."""
    cleaned = (text or "").strip().replace(",", "").replace("$", "")
    if not cleaned or len(cleaned) > 20:
        return None
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        return None
    if not number.is_finite() or number <= 0 or number > TOTAL_MAX:
        return None
    return number


def _total(form: FlaskForm, field: StringField) -> None:
    if (field.data or "").strip() and total_value(field.data) is None:
        raise ValidationError("must be a dollar amount above $0, such as 12,296,286")


class MovePlanForm(FlaskForm):
    start_fy = StringField(
        "New first fiscal year", validators=[DataRequired(), Length(max=20), _fy]
    )
    version = HiddenField()


class ApplyFitForm(FlaskForm):
    target = HiddenField(validators=[DataRequired(), Length(max=120)])
    version = HiddenField()


class AuthorizeForm(FlaskForm):
    first_fy = StringField("First FY", validators=[DataRequired(), Length(max=20), _fy])
    last_fy = StringField("Last FY", validators=[DataRequired(), Length(max=20), _fy])
    adopted_on = DateField("Resolution adopted on (blank: a draft)", validators=[Optional()])
    budget_ordinance_on = DateField("Budget ordinance adopted on", validators=[Optional()])
    version = HiddenField()


class SpreadTotalForm(FlaskForm):
    total = StringField(
        "18-year CORE-NC total (all settlements)",
        validators=[DataRequired(), Length(max=20), _total],
    )
    version = HiddenField()


@dataclass(frozen=True)
class ServiceLine:
    """A service-gap line as the assessment page shows it."""

    id: str
    label: str
    status: str
    units: str
    unit_cost: str


def _gap_field(name: str) -> Field:
    """The service-gap kind's own field (its type and limits: the plan file's check)."""
    return next(f for f in REGISTRY["service_gap"].fields("gap") if f.name == name)


def services_form(lines: list[ServiceLine]) -> type[FlaskForm]:
    """One row per service-gap line: its status and, for a gap, the units and cost a year the
    fund buys, each checked as the plan file checks it; a gap without them is refused beside
    its own field, with every choice on the page kept."""
    attrs: dict[str, Any] = {"version": HiddenField()}
    for line in lines:
        attrs[f"status_{line.id}"] = SelectField(
            line.label,
            choices=[
                SelectChoice("adequate", "Adequate: participants can use what exists"),
                SelectChoice("gap", "A gap the fund will buy"),
                SelectChoice("unknown", "Not yet assessed"),
            ],
        )
        for name, label in (("units", "Units to fund"), ("unit_cost", "Cost per unit a year ($)")):
            spec = Input(f"{name}_{line.id}", ("line_items", line.id, name), _gap_field(name))
            attrs[spec.name] = StringField(
                label, description="for a gap", validators=[EngineCheck(spec)]
            )

    def validate(self: FlaskForm, extra_validators: Any = None) -> bool:
        ok = FlaskForm.validate(self, extra_validators)
        for line in lines:
            if getattr(self, f"status_{line.id}").data != "gap":
                continue
            for name in ("units", "unit_cost"):
                field = getattr(self, f"{name}_{line.id}")
                if not (field.data or "").strip() and not field.errors:
                    field.errors = [*field.errors, "is required when the service is a gap"]
                    ok = False
        return ok

    attrs["validate"] = validate
    return type("ServicesForm", (FlaskForm,), attrs)


def service_values(form: FlaskForm, line_id: str) -> tuple[str, str | None, str | None]:
    """A row's status, units and cost as the plan file writes them ("$25,000" → "25000")."""

    def typed(name: str) -> str | None:
        text = (getattr(form, f"{name}_{line_id}").data or "").strip()
        return canonical(_gap_field(name), text) if text else None

    return getattr(form, f"status_{line_id}").data, typed("units"), typed("unit_cost")
