"""Sign-in and account forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField
from wtforms.validators import DataRequired, Length


class SignInForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])
    next = HiddenField()


class ActionForm(FlaskForm):
    """A button that changes something: carries only the CSRF token (and a version)."""

    version = HiddenField()


def version_of(form: FlaskForm) -> int | None:
    """The plan version a form was loaded at (None when the post carries none)."""
    text = form.version.data
    return int(text) if text and str(text).isdigit() else None
