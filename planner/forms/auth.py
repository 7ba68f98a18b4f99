"""Sign-in and account forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField
from wtforms.validators import DataRequired, Length

from planner.cost_tables import default_cost_tables


class SignInForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])
    next = HiddenField()


class ActionForm(FlaskForm):
    """A button that changes something: carries only the CSRF token (and a version)."""

    version = HiddenField()


def id_of(text: object) -> int | None:
    """A record id or version from a URL, query or form: ASCII digits only (not `²` or
    `١٢`), at most the 64-bit column maximum (§15); None for anything else."""
    if not isinstance(text, str) or not (text.isascii() and text.isdecimal()):
        return None
    limits = default_cost_tables().limits
    if limits is None or len(text) > len(str(limits.id_max)):  # no int() of 5,000 digits
        return None
    number = int(text)
    return number if number <= limits.id_max else None


def version_of(form: FlaskForm) -> int | None:
    """The plan version a form was loaded at (None when the post carries none)."""
    return id_of(form.version.data)
