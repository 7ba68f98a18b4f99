"""Signing in and out."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import login_user, logout_user

from planner.extensions import db
from planner.forms.auth import ActionForm, SignInForm
from planner.services.accounts import AccountError, authenticate

blueprint = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Only a path on this site (no scheme or host): no open redirects."""
    if not target:
        return url_for("jurisdictions.index")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("jurisdictions.index")
    return target


@blueprint.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    form = SignInForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        try:
            user = authenticate(db.session, form.email.data, form.password.data,
                                max_failures=current_app.config["LOGIN_MAX_FAILURES"],
                                lock_seconds=current_app.config["LOGIN_LOCK_SECONDS"])
        except AccountError as error:
            db.session.commit()  # keep the failure count
            form.password.errors = [str(error)]
            return render_template("auth/sign_in.html", form=form), 401
        db.session.commit()
        login_user(user)
        return redirect(_safe_next(form.next.data))
    status = 400 if request.method == "POST" else 200
    return render_template("auth/sign_in.html", form=form), status


@blueprint.post("/sign-out")
def sign_out():
    form = ActionForm()
    if form.validate_on_submit():
        logout_user()
        flash("You are signed out.", "info")
    return redirect(url_for("auth.sign_in"))
