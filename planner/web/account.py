"""A user's own account."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from planner.extensions import db
from planner.forms.admin import PasswordForm
from planner.services.accounts import AccountError, change_own_password
from planner.web.auth import start_session

blueprint = Blueprint("account", __name__, url_prefix="/account")


@blueprint.route("/password", methods=["GET", "POST"])
def password():
    form = PasswordForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            user = current_user._get_current_object()
            try:
                change_own_password(user, form.current.data, form.new.data)
            except AccountError as error:
                db.session.rollback()
                field = form.current if "current password" in str(error) else form.new
                field.errors = [str(error)]
                status = 422
            else:
                db.session.commit()
                start_session(user)  # every other session of the account has ended
                flash("Your password is changed; you are signed out everywhere else.", "success")
                return redirect(url_for("jurisdictions.index"))
        else:
            status = 422
    return render_template("account/password.html", form=form), status
