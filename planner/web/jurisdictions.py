"""The jurisdictions a user belongs to, and each one's plans."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from planner.extensions import db
from planner.forms.county import total_value
from planner.forms.plans import ImportPlanForm, NewPlanForm
from planner.scenarios import PlanError, fy_label, load_plan_json
from planner.scenarios.fiscal import fy_of
from planner.services.accounts import visible_jurisdictions
from planner.services.county import create_starting_plan, starting_for
from planner.services.demo import demo_document
from planner.services.plan_documents import without_actuals
from planner.services.plans import create_plan, normalized, plans_of
from planner.web import actuals
from planner.web.access import can_edit, jurisdiction_or_404, require_editor
from planner.web.common import today

blueprint = Blueprint("jurisdictions", __name__)


@blueprint.get("/")
def index():
    found = visible_jurisdictions(db.session, current_user)
    query = request.args.get("q", "").strip().lower()
    if query:
        found = [j for j in found if query in j.name.lower() or query in (j.fips or "")]
    if len(found) == 1 and not query and not current_user.is_admin:
        return redirect(url_for("jurisdictions.show", slug=found[0].slug))
    return render_template("jurisdictions/index.html", jurisdictions=found, query=query)


def show_page(jurisdiction, role, new_form=None, import_form=None, status=200, **extra):
    """The jurisdiction page; the new-plan form leads with the §14 starting plan."""
    start = starting_for(jurisdiction, today())
    if new_form is None:
        new_form = (
            NewPlanForm(name=start.document["name"])
            if start is not None
            else NewPlanForm(template="demo")
        )
    return render_template(
        "jurisdictions/show.html",
        jurisdiction=jurisdiction,
        role=role,
        can_edit=can_edit(role),
        plans=plans_of(db.session, jurisdiction),
        new_form=new_form,
        import_form=import_form or ImportPlanForm(),
        start=start,
        **extra,
    ), status


@blueprint.get("/j/<slug>/")
def show(slug: str):
    jurisdiction, role = jurisdiction_or_404(slug)
    return show_page(jurisdiction, role)


def blank_document(name: str) -> dict:
    return {
        "schema": "lead-plan/1",
        "name": name,
        "start_fy": fy_label(fy_of(today())),  # a form default: the county's current FY
        "years": 18,
        "line_items": [],
    }


@blueprint.post("/j/<slug>/plans/new")
def new_plan(slug: str):
    jurisdiction, role = jurisdiction_or_404(slug)
    require_editor(role)
    form = NewPlanForm()
    total = total_value(form.total.data)
    valid = form.validate_on_submit()
    if (form.total.data or "").strip() and total is None:
        form.total.errors = [
            *form.total.errors,
            "must be a dollar amount above $0, such as 12,296,286",
        ]
        valid = False
    if not valid:
        return show_page(jurisdiction, role, new_form=form, status=422)
    name = form.name.data.strip()
    try:
        if form.template.data == "starting":
            record = create_starting_plan(
                db.session, jurisdiction, current_user, today(), name=name, total=total
            )
        else:
            document = (
                demo_document() if form.template.data == "demo" else blank_document(form.name.data)
            )
            record = create_plan(
                db.session,
                jurisdiction,
                document,
                current_user,
                name=name,
                action=f"created from the {form.template.data} template",
            )
    except PlanError as error:
        db.session.rollback()
        form.name.errors = [p.message for p in error.problems]
        return show_page(jurisdiction, role, new_form=form, status=422)
    db.session.commit()
    flash(f"Created '{record.name}'.", "success")
    if request.form.get("then") == "figures":  # issue 23: the county's figures, one page
        return redirect(url_for("county.setup", slug=slug, plan_id=record.id))
    return redirect(url_for("plans.show", slug=slug, plan_id=record.id))


@blueprint.post("/j/<slug>/plans/import")
def import_plan(slug: str):
    jurisdiction, role = jurisdiction_or_404(slug)
    require_editor(role)
    form = ImportPlanForm()
    problems: list[str] = []
    if form.validate_on_submit():
        try:
            document = load_plan_json(form.file.data.read())
            if isinstance(document, dict) and "actuals" in document:
                # the section's problems by their paths (§11), before its FYs are offered
                normalized({k: v for k, v in document.items() if k != "jurisdiction"})
            record = create_plan(
                db.session,
                jurisdiction,
                document,
                current_user,
                name=(form.name.data or "").strip() or None,
                action=f"imported from {form.file.data.filename}",
            )
        except PlanError as error:
            db.session.rollback()
            problems = [str(p) for p in error.problems]
        else:
            db.session.commit()
            named = _file_jurisdiction(document)
            if named and named.casefold() != jurisdiction.name.casefold():  # issue 23: say so
                flash(
                    f"The file was a plan of {named}; it is now a plan of {jurisdiction.name}, "
                    "the county whose page imported it.",
                    "info",
                )
            offer = actuals.offer_or_none(jurisdiction, record, without_actuals(document)[1])
            if offer is not None:  # the file's actuals: its new FYs offered (recorded win)
                return offer
            flash(f"Imported '{record.name}'.", "success")
            return redirect(url_for("plans.show", slug=slug, plan_id=record.id))
    return show_page(jurisdiction, role, import_form=form, status=422, import_problems=problems)


def _file_jurisdiction(document: object) -> str | None:
    """The government a plan file names (its `jurisdiction.name`), if any."""
    if isinstance(document, dict) and isinstance(document.get("jurisdiction"), dict):
        name = document["jurisdiction"].get("name")
        return name.strip()[:200] if isinstance(name, str) and name.strip() else None
    return None
