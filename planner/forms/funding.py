"""Forms for a plan's funding sources (cost model §16) and for sharing its program with
another government (§17). They check shape only; the engine checks the plan that results,
and its problems come back beside the field they belong to."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from planner.cost_tables import default_cost_tables
from planner.scenarios.plan import FUNDING_KINDS
from planner.scenarios.typed_input import share_of_percent

KIND_LABELS = {
    "grant": "Grant",
    "general_fund": "General fund",
    "medicaid": "Medicaid",
    "partner": "Partner government (interlocal agreement)",
    "other": "Other",
}


def government_choices(blank: str = "— none —") -> list[SelectChoice]:
    """The 117 local governments of the cost tables, by name."""
    places = sorted(default_cost_tables().jurisdictions, key=lambda j: j.name)
    return [SelectChoice("", blank)] + [SelectChoice(j.slug, j.name) for j in places]


class SourceForm(FlaskForm):
    """One funding source; the lines it pays are added per plan (`source_form`)."""

    version = HiddenField()
    name = StringField(
        "Name",
        validators=[DataRequired(message="Give the source a name."), Length(max=200)],
        description="e.g. BJA COSSUP award",
    )
    kind = SelectField("Kind", choices=[SelectChoice(k, KIND_LABELS[k]) for k in FUNDING_KINDS])
    start = StringField(
        "Starts", validators=[Optional()], description="first day of a month, YYYY-MM-DD"
    )
    end = StringField(
        "Ends", validators=[Optional()], description="last day of a month, YYYY-MM-DD"
    )
    award = StringField(
        "Award ($)", validators=[Optional()], description="the most it pays in all; blank: no limit"
    )
    jurisdiction = SelectField(
        "Partner government",
        choices=government_choices,
        description="for a partner source only",
    )

    def validate_jurisdiction(self, field: Any) -> None:
        if self.kind.data == "partner" and not field.data:
            raise ValidationError("Choose the government that pays.")
        if self.kind.data != "partner" and field.data:
            raise ValidationError("Only a partner source names a government.")


def source_form(lines: list[tuple[int, str]]) -> type[SourceForm]:
    """SourceForm with a share and an amounts input for each line (index, label)."""
    attrs: dict[str, Any] = {}
    for index, label in lines:
        attrs[f"share_{index}"] = StringField(
            f"Share of {label}",
            validators=[Optional(), Length(max=40)],
            description="0–1 of the line's cost (0.75 = 75%)",
        )
        attrs[f"amounts_{index}"] = StringField(
            f"Or amounts for {label}",
            validators=[Optional(), Length(max=2000)],
            description="FY2026-27: 20,000; FY2027-28: 20,000",
        )
    return type("LineSourceForm", (SourceForm,), attrs)


class ShareForm(FlaskForm):
    """Share the plan's program with another government (§17)."""

    version = HiddenField()
    partner = SelectField(
        "Partner government",
        choices=lambda: government_choices("— choose —"),
        validators=[DataRequired(message="Choose the partner government.")],
    )
    percent = StringField(
        "Its share (%)",
        validators=[DataRequired(message="Give the partner's share."), Length(max=20)],
        description="the percentage of each line it joins that the partner pays",
    )

    def validate_percent(self, field: Any) -> None:
        if share_of_percent(field.data or "") is None:
            raise ValidationError("Give a percentage above 0 and at most 100, such as 25.")


def share_form(lines: list[tuple[int, str, bool]]) -> type[ShareForm]:
    """ShareForm with a box for each line (index, label, checked by default: a LEAD line)."""
    attrs = {
        f"line_{index}": BooleanField(label, default=checked) for index, label, checked in lines
    }
    return type("LinesShareForm", (ShareForm,), attrs)


class AcceptForm(FlaskForm):
    """Accept an invitation into one of the government's plans, or a new one."""

    plan = RadioField("Into", choices=[], validate_choice=False)
    name = StringField("Name of the new plan", validators=[Optional(), Length(max=200)])
    total = StringField(
        "Its 18-year CORE-NC total (all settlements), to estimate the new plan's receipts",
        validators=[Optional(), Length(max=20)],
        description="blank: the tables' estimate, where they know one",
    )

    def validate_total(self, field: Any) -> None:
        from decimal import Decimal, InvalidOperation

        text = (field.data or "").strip().replace(",", "").lstrip("$")
        if not text:
            return
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise ValidationError("Give a dollar amount such as 4,500,000.") from None
        if not value.is_finite() or value < 0:
            raise ValidationError("Give a dollar amount of 0 or more.")
