"""Forms of the administrator's pages and of one's own account."""

from __future__ import annotations

import datetime as dt

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, Optional, ValidationError

from planner.services.plans import adoption_date_problem

ROLE_CHOICES = [
    SelectChoice("editor", "editor (reads and changes plans)"),
    SelectChoice("viewer", "viewer (reads and exports)"),
]


class InviteForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    jurisdiction = SelectField("Jurisdiction", validate_choice=False)
    role = SelectField("Role", choices=ROLE_CHOICES)
    is_admin = BooleanField("Administrator (sees every jurisdiction and manages accounts)")


class MembershipForm(FlaskForm):
    jurisdiction = SelectField("Jurisdiction", validate_choice=False)
    role = SelectField("Role", choices=ROLE_CHOICES)


class PasswordForm(FlaskForm):
    current = PasswordField("Current password", validators=[DataRequired()])
    new = PasswordField(
        "New password",
        validators=[DataRequired(), Length(max=200)],
        description="At least 12 characters; not a common, repetitive or "
        "easily guessed password. A few unrelated words work.",
    )
    confirm = PasswordField(
        "New password again",
        validators=[DataRequired(), EqualTo("new", message="The two new passwords differ.")],
    )


class StatusForm(FlaskForm):
    action = HiddenField()
    adopted_on = DateField("Adopted by the governing body on", validators=[Optional()])
    # The plan version the page showed, and its last history entry: a status change on a
    # plan someone has changed since is refused, with what they changed.
    version = HiddenField()
    seen = HiddenField()

    def validate_adopted_on(self, field) -> None:
        """1900–2100 (cost model §15) and not after today: the server's local date, the
        one the app's deadlines count from."""
        if field.data is not None:
            problem = adoption_date_problem(field.data, dt.date.today())  # noqa: DTZ011
            if problem:
                raise ValidationError(problem[0].upper() + problem[1:] + ".")


class WithdrawAdoptionForm(FlaskForm):
    reason = TextAreaField(
        "Why the adoption is withdrawn",
        validators=[DataRequired(), Length(max=500)],
        description="Kept in the plan's history, e.g. 'adoption date typed wrong: the "
        "Board voted on 2026-11-03'.",
    )
    version = HiddenField()
