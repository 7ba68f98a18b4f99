"""Ways to fit a plan to its fund, side by side (issue 22), applying one to the plan or to a
copy, and restoring an earlier version from the history. Thin views: the engine builds every
option (`planner.services.options`)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from planner.extensions import db
from planner.forms.options import OPTION_KINDS, ApplyOptionForm, RestoreForm
from planner.services import options as service
from planner.web.access import can_edit, plan_or_404
from planner.web.common import (
    commit_or_flash,
    expected_version,
    flash_why,
    plan_url,
    save_change,
    today,
)

blueprint = Blueprint("options", __name__)
CHANCES = ("0.05", "0.1", "0.2")


def _protect(text: str | None) -> list[str]:
    return [p.strip() for p in (text or "").split(",") if p.strip()][:200]


def _chance(text: str | None) -> Decimal | None:
    text = (text or "").strip()
    if not text or len(text) > 10:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() and 0 < value < 1 else None


@blueprint.get("/j/<slug>/plans/<int:plan_id>/options")
def page(slug: str, plan_id: int):
    record, role = plan_or_404(slug, plan_id)
    protect = request.args.getlist("protect")
    chance = _chance(request.args.get("chance")) or service.DEFAULT_CHANCE
    try:
        result = service.options_of(record, today(), protect, chance)
        problem = None
    except ValueError as error:
        result, problem = service.options_of(record, today(), (), chance), str(error)
        protect = []
    form = ApplyOptionForm(
        protect=",".join(protect), chance=format(chance, "f"), version=str(record.version)
    )
    return render_template(
        "plans/options.html",
        record=record,
        result=result,
        protect=protect,
        chance=chance,
        chances=CHANCES,
        problem=problem,
        form=form,
        can_edit=can_edit(role) and record.status != "adopted",
        can_copy=can_edit(role),
        lines=[(item.id, item.label or item.id) for item in _lines(record)],
    )


def _lines(record):
    from planner.services.plans import load_plan

    return load_plan(record).line_items


@blueprint.post("/j/<slug>/plans/<int:plan_id>/options/apply")
def apply(slug: str, plan_id: int):
    record, _ = plan_or_404(slug, plan_id, change=True)
    form = ApplyOptionForm()
    back = url_for(
        "options.page",
        slug=slug,
        plan_id=plan_id,
        protect=_protect(form.protect.data),
        chance=form.chance.data or None,
    )
    if not form.validate_on_submit() or form.kind.data not in OPTION_KINDS:
        flash("Not applied: the form expired or was altered; reload the page.", "error")
        return redirect(back)
    copy_name = (form.copy_name.data or "").strip() or None
    if record.status == "adopted" and copy_name is None:
        abort(403)

    def run():
        return service.apply_option(
            db.session,
            record,
            current_user,
            form.kind.data,
            today(),
            protect=_protect(form.protect.data),
            chance=_chance(form.chance.data),
            to_copy=copy_name,
            expected_version=None if copy_name else expected_version(form),
        )

    saved, found = commit_or_flash(run, refused=(ValueError,))
    if not saved:
        return redirect(back)
    target, option = found
    where = f"the copy '{target.name}'" if copy_name else "this plan"
    flash(
        f"Applied '{option.title}' to {where}: {'; '.join(option.changes)}. "
        "The history can restore the version before.",
        "success",
    )
    return redirect(plan_url(target, "#afford"))


@blueprint.post("/j/<slug>/plans/<int:plan_id>/history/<int:change_id>/restore")
def restore(slug: str, plan_id: int, change_id: int):
    record, _ = plan_or_404(slug, plan_id, change=True)
    form = RestoreForm()
    back = url_for("plans.history", slug=slug, plan_id=plan_id)
    if not form.validate_on_submit():
        flash("Not restored: the form expired; reload the page.", "error")
        return redirect(back)
    outcome = save_change(
        lambda: service.restore_before(
            db.session, record, current_user, change_id, expected_version=expected_version(form)
        ),
        refused=(ValueError,),
    )
    if not outcome.saved:
        flash_why(outcome, "Not restored")
        return redirect(back)
    flash("Restored the earlier version as a new version (the history can undo it).", "success")
    return redirect(back)
