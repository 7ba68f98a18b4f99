"""The forms of the options page (issue 22): apply one option to the plan or to a copy, and
restore an earlier version from the history. Shape only; the services check the rules."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import DataRequired, Length, Optional

OPTION_KINDS = (
    "fewer_referrals",
    "trim_lines",
    "later_start",
    "shorter_horizon",
    "smaller_reserve",
    "extra_money",
    "chance_referrals",
)


class ApplyOptionForm(FlaskForm):
    kind = HiddenField(validators=[DataRequired(), Length(max=40)])
    protect = HiddenField(validators=[Optional(), Length(max=2000)])
    chance = HiddenField(validators=[Optional(), Length(max=10)])
    # Blank: apply to this plan; a name: clone first and apply to the copy.
    copy_name = StringField("Name of the copy", validators=[Optional(), Length(max=200)])
    version = HiddenField()


class RestoreForm(FlaskForm):
    version = HiddenField()
