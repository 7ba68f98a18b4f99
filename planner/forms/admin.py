"""Forms of the administrator's pages and of one's own account."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, EmailField, HiddenField, PasswordField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, Optional

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
