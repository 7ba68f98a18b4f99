"""Accounts and memberships, for administrators."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from planner.extensions import db
from planner.forms.admin import InviteForm, MembershipForm
from planner.forms.auth import ActionForm
from planner.models import Jurisdiction, User
from planner.services.accounts import (
    AccountError,
    all_users,
    create_user,
    generate_password,
    remove_membership,
    set_membership,
    set_password,
)

blueprint = Blueprint("admin", __name__, url_prefix="/admin")


def _jurisdiction_choices() -> list[tuple[str, str]]:
    places = db.session.scalars(select(Jurisdiction).order_by(Jurisdiction.kind,
                                                              Jurisdiction.name))
    return [("", "— none —")] + [(j.slug, j.name) for j in places]


def _user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


def _jurisdiction(slug: str) -> Jurisdiction | None:
    return db.session.scalar(select(Jurisdiction).where(Jurisdiction.slug == slug))


@blueprint.route("/users", methods=["GET", "POST"])
def users():
    form = InviteForm()
    form.jurisdiction.choices = _jurisdiction_choices()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            place = _jurisdiction(form.jurisdiction.data) if form.jurisdiction.data else None
            if form.jurisdiction.data and place is None:
                form.jurisdiction.errors = ["Choose a jurisdiction from the list."]
                status = 422
            else:
                password = generate_password()
                try:
                    user = create_user(db.session, form.email.data, password,
                                       is_admin=form.is_admin.data)
                    if place is not None:
                        set_membership(db.session, user, place, form.role.data)
                except AccountError as error:
                    db.session.rollback()
                    form.email.errors = [str(error)]
                    status = 422
                else:
                    db.session.commit()
                    return render_template("admin/password.html", user=user,
                                           password=password, created=True)
        else:
            status = 422
    return render_template("admin/users.html", users=all_users(db.session), form=form), status


@blueprint.route("/users/<int:user_id>", methods=["GET", "POST"])
def user(user_id: int):
    account = _user_or_404(user_id)
    form = MembershipForm()
    form.jurisdiction.choices = _jurisdiction_choices()[1:]
    status = 200
    if request.method == "POST":
        place = _jurisdiction(form.jurisdiction.data or "")
        if form.validate_on_submit() and place is not None:
            set_membership(db.session, account, place, form.role.data)
            db.session.commit()
            flash(f"{account.email} is now {form.role.data} of {place.name}.", "success")
            return redirect(url_for("admin.user", user_id=user_id))
        form.jurisdiction.errors = ["Choose a jurisdiction from the list."]
        status = 422
    return render_template("admin/user.html", account=account, form=form,
                           action_form=ActionForm()), status


@blueprint.post("/users/<int:user_id>/memberships/<slug>/delete")
def remove(user_id: int, slug: str):
    account = _user_or_404(user_id)
    place = _jurisdiction(slug)
    if place is None or not ActionForm().validate_on_submit():
        abort(400)
    remove_membership(db.session, account, place)
    db.session.commit()
    flash(f"Removed {account.email} from {place.name}.", "success")
    return redirect(url_for("admin.user", user_id=user_id))


@blueprint.post("/users/<int:user_id>/active")
def toggle_active(user_id: int):
    account = _user_or_404(user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    if account.id == current_user.id:
        flash("You cannot deactivate your own account.", "error")
        return redirect(url_for("admin.user", user_id=user_id))
    account.active = not account.active
    db.session.commit()
    flash(f"{account.email} is {'active' if account.active else 'deactivated'}.", "success")
    return redirect(url_for("admin.user", user_id=user_id))


@blueprint.post("/users/<int:user_id>/password")
def reset_password(user_id: int):
    account = _user_or_404(user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    password = generate_password()
    set_password(account, password)
    account.failed_logins = 0
    account.locked_until = None
    db.session.commit()
    return render_template("admin/password.html", user=account, password=password,
                           created=False)
