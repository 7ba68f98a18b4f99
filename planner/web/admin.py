"""Accounts and memberships, for administrators."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from planner.extensions import db
from planner.forms.admin import InviteForm, MembershipForm, WithdrawAdoptionForm
from planner.forms.auth import ActionForm
from planner.models import Jurisdiction, PlanRecord, User
from planner.services.accounts import (
    AccountError,
    admin_actions,
    all_users,
    create_user,
    generate_password,
    record_admin_action,
    remove_membership,
    set_membership,
    set_password,
)
from planner.services.plans import (
    StaleVersion,
    StatusError,
    deleted_plans,
    withdraw_adoption,
)
from planner.web.common import expected_version

blueprint = Blueprint("admin", __name__, url_prefix="/admin")


def _jurisdiction_choices() -> list[tuple[str, str]]:
    places = db.session.scalars(select(Jurisdiction).order_by(Jurisdiction.kind, Jurisdiction.name))
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
                    user = create_user(
                        db.session, form.email.data, password, is_admin=form.is_admin.data
                    )
                    if place is not None:
                        set_membership(db.session, user, place, form.role.data)
                    record_admin_action(
                        db.session,
                        current_user,
                        "invited",
                        user,
                        ("administrator; " if user.is_admin else "")
                        + (f"{form.role.data} of {place.name}" if place else "no jurisdiction"),
                    )
                except AccountError as error:
                    db.session.rollback()
                    form.email.errors = [str(error)]
                    status = 422
                else:
                    db.session.commit()
                    return render_template(
                        "admin/password.html", user=user, password=password, created=True
                    )
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
            record_admin_action(
                db.session, current_user, "set role", account, f"{form.role.data} of {place.name}"
            )
            db.session.commit()
            flash(f"{account.email} is now {form.role.data} of {place.name}.", "success")
            return redirect(url_for("admin.user", user_id=user_id))
        form.jurisdiction.errors = ["Choose a jurisdiction from the list."]
        status = 422
    return render_template(
        "admin/user.html",
        account=account,
        form=form,
        action_form=ActionForm(),
        actions=admin_actions(db.session, account),
    ), status


@blueprint.post("/users/<int:user_id>/memberships/<slug>/delete")
def remove(user_id: int, slug: str):
    account = _user_or_404(user_id)
    place = _jurisdiction(slug)
    if place is None or not ActionForm().validate_on_submit():
        abort(400)
    remove_membership(db.session, account, place)
    record_admin_action(db.session, current_user, "removed membership", account, place.name)
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
    account.end_sessions()  # neither a deactivated nor a reactivated account keeps a session
    record_admin_action(
        db.session, current_user, "reactivated" if account.active else "deactivated", account
    )
    db.session.commit()
    flash(f"{account.email} is {'active' if account.active else 'deactivated'}.", "success")
    return redirect(url_for("admin.user", user_id=user_id))


@blueprint.post("/users/<int:user_id>/analyst")
def toggle_analyst(user_id: int):
    """Give or take the state-level analyst role (reads every government, changes nothing)."""
    account = _user_or_404(user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    account.is_analyst = not account.is_analyst
    account.end_sessions()  # what the account may do changed: it signs in again
    record_admin_action(
        db.session,
        current_user,
        "made analyst" if account.is_analyst else "analyst role removed",
        account,
    )
    db.session.commit()
    flash(
        f"{account.email} is {'now' if account.is_analyst else 'no longer'} a state-level analyst.",
        "success",
    )
    return redirect(url_for("admin.user", user_id=user_id))


@blueprint.post("/users/<int:user_id>/password")
def reset_password(user_id: int):
    account = _user_or_404(user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    password = generate_password()
    set_password(account, password)  # ends the account's sessions, clears its lock
    record_admin_action(db.session, current_user, "reset password", account)
    db.session.commit()
    return render_template("admin/password.html", user=account, password=password, created=False)


@blueprint.get("/actions")
def actions():
    """Every administrator action on accounts, the latest first."""
    return render_template("admin/actions.html", actions=admin_actions(db.session))


@blueprint.get("/deleted-plans")
def deleted():
    return render_template("admin/deleted.html", records=deleted_plans(db.session))


@blueprint.get("/deleted-plans/<int:plan_id>")
def deleted_history(plan_id: int):
    """A deleted plan's history and last document, for the record."""
    record = db.session.get(PlanRecord, plan_id)
    if record is None or record.deleted_at is None:
        abort(404)
    return render_template(
        "admin/deleted_plan.html", record=record, changes=list(reversed(record.changes))
    )


@blueprint.route("/adopted-plans/<int:plan_id>/withdraw", methods=["GET", "POST"])
def withdraw(plan_id: int):
    """Withdraw an adoption recorded by mistake (administrators only; the plan goes back
    to proposed, the adoption and the reason stay in its history)."""
    record = db.session.get(PlanRecord, plan_id)
    if record is None or record.deleted_at is not None:
        abort(404)
    form = WithdrawAdoptionForm()
    status = 200
    if request.method == "GET":
        form.version.data = str(record.version)
    elif not form.validate_on_submit():
        status = 422
    else:
        try:
            withdraw_adoption(
                db.session,
                record,
                current_user,
                form.reason.data,
                expected_version=expected_version(form),
            )
        except (StaleVersion, StatusError) as error:
            db.session.rollback()
            record = db.get_or_404(PlanRecord, plan_id)
            form.version.data = str(record.version)
            why = (
                "someone changed this plan since you loaded the page"
                if isinstance(error, StaleVersion)
                else str(error)
            )
            form.reason.errors = [f"Not withdrawn: {why}."]
            status = 409
        else:
            db.session.commit()
            flash(f"The adoption of '{record.name}' is withdrawn: it is proposed again.", "success")
            return redirect(url_for("plans.show", slug=record.jurisdiction.slug, plan_id=record.id))
    return render_template("admin/withdraw_adoption.html", record=record, form=form), status
