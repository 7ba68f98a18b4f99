"""Forms to create, import, rename and clone plans."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

NAME = [DataRequired(message="Give the plan a name."), Length(max=200)]


class NewPlanForm(FlaskForm):
    name = StringField("Plan name", validators=NAME)
    template = RadioField(
        "Start from",
        choices=[
            SelectChoice(
                "starting",
                "The starting LEAD plan for this government (every fidelity "
                "line on cost-table defaults, its receipt estimates)",
            ),
            SelectChoice("demo", "The demo LEAD plan (every line kind, realistic defaults)"),
            SelectChoice("blank", "A blank plan (no line items, this FY, default assumptions)"),
        ],
        default="starting",
    )
    # For a government whose total the tables do not know (or to replace the estimate).
    total = StringField(
        "Its 18-year CORE-NC total (all settlements), to estimate the receipts",
        validators=[Optional(), Length(max=20)],
    )


class ImportPlanForm(FlaskForm):
    file = FileField("Plan file (lead-plan/1 JSON)", validators=[FileRequired()])
    name = StringField(
        "Name (leave blank to keep the file's name)", validators=[Optional(), Length(max=200)]
    )


class RenameForm(FlaskForm):
    name = StringField("New name", validators=NAME)
    version = HiddenField()


class DeleteForm(FlaskForm):
    """Delete a plan: the version of the plan page the user saw, and its last history
    entry."""

    version = HiddenField()
    seen = HiddenField()


class CloneForm(FlaskForm):
    name = StringField("Name of the copy", validators=NAME)


class ReceiptsCsvForm(FlaskForm):
    csv_text = TextAreaField("Paste CSV (fiscal_year,amount)", validators=[Optional()])
    file = FileField("…or upload a CSV file")
    version = HiddenField()  # the version whose receipts the preview showed
