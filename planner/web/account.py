"""A user's own account."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from planner.extensions import db
from planner.forms.admin import PasswordForm
from planner.services.accounts import AccountError, change_own_password

blueprint = Blueprint("account", __name__, url_prefix="/account")


@blueprint.route("/password", methods=["GET", "POST"])
def password():
    form = PasswordForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                change_own_password(current_user, form.current.data, form.new.data)
            except AccountError as error:
                form.current.errors = [str(error)]
                status = 422
            else:
                db.session.commit()
                flash("Your password is changed.", "success")
                return redirect(url_for("jurisdictions.index"))
        else:
            status = 422
    return render_template("account/password.html", form=form), status
