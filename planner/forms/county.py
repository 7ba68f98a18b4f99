"""Forms of the finance director's path: move a plan, apply a fit, authorize FYs, spread a
CORE-NC total, assess the services. Values are checked by the engine's own parsers."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import TypeVar

from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from planner.scenarios.fiscal import FiscalYearError, parse_fy

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


def services_form(lines: list[tuple[str, str, str]]) -> type[FlaskForm]:
    """One select per service-gap line: (line id, label, current status)."""
    attrs = {"version": HiddenField()}
    for line_id, label, _ in lines:
        attrs[f"status_{line_id}"] = SelectField(
            label,
            choices=[
                SelectChoice("adequate", "Adequate: participants can use what exists"),
                SelectChoice("gap", "A gap the fund will buy (set its units on the line)"),
                SelectChoice("unknown", "Not yet assessed"),
            ],
        )
    return type("ServicesForm", (FlaskForm,), attrs)
