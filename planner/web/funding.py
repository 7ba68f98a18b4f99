"""A plan's funding sources (cost model §16) and the programs it shares with other
governments (§17): the Funding page, a source's form, the share form; and, for a partner,
the shared program's page where its editors accept the invitation and keep their
contribution in step with the lead's figures.

Every change goes through `update_plan` (the engine checks the whole plan first: nothing is
half-saved); figures shown are the engine's (`by_source`, the FUNDING-SOURCES result).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from planner.extensions import db
from planner.forms.auth import ActionForm
from planner.forms.funding import AcceptForm, share_form, source_form
from planner.forms.plan_forms import amounts_from_text, amounts_text
from planner.models import PlanRecord, SharedProgram
from planner.scenarios import Problem
from planner.scenarios.typed_input import share_of_percent
from planner.services.funding import (
    LinePayment,
    UnknownSource,
    payments_of,
    remove_source,
    set_source,
    source_index,
    sources_of,
)
from planner.services.plans import document_of, plans_of, update_plan, view_plan
from planner.services.sharing import (
    SharingRefused,
    accept,
    government,
    invitations_for,
    lead_line_ids,
    share_program,
    shares_of_plan,
    state_of,
    update_to_lead,
)
from planner.web.access import can_edit, jurisdiction_or_404, plan_or_404
from planner.web.common import expected_version, save_change, today

blueprint = Blueprint("funding", __name__)

BASE = "/j/<slug>/plans/<int:plan_id>"
SOURCE_INPUTS = ("name", "kind", "start", "end", "award", "jurisdiction")


def _lines(document: dict[str, Any]) -> list[tuple[int, str]]:
    return [
        (i, line.get("label") or line.get("id")) for i, line in enumerate(document["line_items"])
    ]


# ----------------------------------------------------------------------------- the page


@blueprint.route(f"{BASE}/funding")
def page(slug: str, plan_id: int):
    record, role = plan_or_404(slug, plan_id)
    view = view_plan(record, today())
    results = {r.rule: r for r in view.results}
    shares = [state_of(share) for share in shares_of_plan(db.session, record)]
    return render_template(
        "funding/page.html",
        record=record,
        plan=view.plan,
        p=view.projection,
        rule=results.get("FUNDING-SOURCES"),
        shares=shares,
        source_names={s.id: s.name for s in view.plan.funding},
        can_edit=can_edit(role) and record.status != "adopted",
        action_form=ActionForm(version=record.version),
    )


# ----------------------------------------------------------------------------- a source


def _fill(form: Any, document: dict[str, Any], source_id: str) -> None:
    source = sources_of(document)[source_index(document, source_id)]
    for key in SOURCE_INPUTS:
        value = source.get(key)
        getattr(form, key).data = "" if value is None else str(value)
    paid = payments_of(document, source_id)
    for index, line in enumerate(document["line_items"]):
        payment = paid.get(line.get("id"))
        if payment is None:
            continue
        if payment.share is not None:
            getattr(form, f"share_{index}").data = str(payment.share)
        elif payment.amounts is not None:
            getattr(form, f"amounts_{index}").data = amounts_text(payment.amounts)


def _values(form: Any) -> dict[str, Any]:
    found = {}
    for key in SOURCE_INPUTS:
        text = (getattr(form, key).data or "").strip()
        found[key] = text or None
    return found


def _payments(form: Any, document: dict[str, Any]) -> dict[str, LinePayment]:
    found: dict[str, LinePayment] = {}
    for index, line in enumerate(document["line_items"]):
        share = (getattr(form, f"share_{index}").data or "").strip()
        amounts = (getattr(form, f"amounts_{index}").data or "").strip()
        if share and amounts:
            getattr(form, f"share_{index}").errors.append("Give a share or amounts, not both.")
        elif share:
            found[line["id"]] = LinePayment(share=share)
        elif amounts:
            found[line["id"]] = LinePayment(amounts=amounts_from_text(amounts))
    return found


def _place(form: Any, problems: tuple[Problem, ...], at: int) -> list[str]:
    """Each engine problem beside its input (the source's fields, a line's share or
    amounts); those no input owns are returned."""
    unplaced = []
    prefix = f"funding.sources[{at}]."
    for problem in problems:
        field = None
        path = problem.path
        if path.startswith(prefix) and path[len(prefix) :] in SOURCE_INPUTS:
            field = getattr(form, path[len(prefix) :])
        elif path.startswith("line_items[") and ".funded_by" in path:
            index = path[len("line_items[") : path.index("]")]
            name = "amounts" if ".amounts" in path else "share"
            field = getattr(form, f"{name}_{index}", None)
        if field is None:
            unplaced.append(str(problem))
        else:
            errors = list(field.errors)
            errors.append(problem.message)
            field.errors = errors
    return unplaced


@blueprint.route(f"{BASE}/funding/new", methods=["GET", "POST"], defaults={"source_id": None})
@blueprint.route(f"{BASE}/funding/<source_id>", methods=["GET", "POST"])
def source(slug: str, plan_id: int, source_id: str | None):
    record, _ = plan_or_404(slug, plan_id, change=True)
    document = document_of(record)
    if source_id is not None:
        try:
            at = source_index(document, source_id)
        except UnknownSource:
            abort(404)
    else:
        at = len(sources_of(document))
    form = source_form(_lines(document))()
    unplaced: list[str] = []
    if form.is_submitted():
        valid = form.validate()
        payments = _payments(form, document)
        if valid and not any(f.errors for f in form):

            def change(doc: dict[str, Any]) -> None:
                set_source(doc, source_id, _values(form), payments)

            outcome = save_change(
                lambda: update_plan(
                    db.session,
                    record,
                    current_user,
                    change,
                    expected_version=expected_version(form),
                    action="funding source saved",
                )
            )
            if outcome.saved:
                flash("Funding source saved.", "success")
                return redirect(url_for("funding.page", slug=slug, plan_id=plan_id))
            if outcome.stale:
                unplaced.append(
                    "Someone else changed this plan since you loaded the page: nothing was "
                    "saved. Check the plan and try again."
                )
                form.version.data = str(record.version)
            unplaced += _place(form, outcome.problems, at)
    else:
        form.version.data = str(record.version)
        if source_id is not None:
            _fill(form, document, source_id)
    return render_template(
        "funding/source.html",
        record=record,
        form=form,
        lines=_lines(document),
        source_id=source_id,
        unplaced=unplaced,
    ), (422 if unplaced or form.errors else 200) if form.is_submitted() else 200


@blueprint.route(f"{BASE}/funding/<source_id>/delete", methods=["POST"])
def delete_source(slug: str, plan_id: int, source_id: str):
    record, _ = plan_or_404(slug, plan_id, change=True)
    form = ActionForm()
    if not form.validate():
        abort(400)
    if source_id not in {s.get("id") for s in sources_of(document_of(record))}:
        abort(404)
    outcome = save_change(
        lambda: update_plan(
            db.session,
            record,
            current_user,
            lambda doc: remove_source(doc, source_id),
            expected_version=expected_version(form),
            action="funding source removed",
        )
    )
    if outcome.saved:
        shares = [s for s in shares_of_plan(db.session, record) if s.source_id == source_id]
        for share in shares:
            db.session.delete(share)
        db.session.commit()
        flash("Funding source removed: the settlement fund pays what it paid.", "success")
    elif outcome.stale:
        flash("Someone else changed this plan meanwhile: nothing was removed.", "error")
    else:
        flash("Not removed: " + "; ".join(str(p) for p in outcome.problems), "error")
    return redirect(url_for("funding.page", slug=slug, plan_id=plan_id))


# ----------------------------------------------------------------------------- sharing


@blueprint.route(f"{BASE}/share", methods=["GET", "POST"])
def share(slug: str, plan_id: int):
    record, _ = plan_or_404(slug, plan_id, change=True)
    view = view_plan(record, today())
    document = document_of(record)
    lead = set(lead_line_ids(view.projection))
    lines = [(i, label, document["line_items"][i]["id"] in lead) for i, label in _lines(document)]
    form = share_form(lines)()
    unplaced: list[str] = []
    if form.is_submitted():
        if form.validate():
            partner = government(db.session, form.partner.data)
            chosen = [
                document["line_items"][i]["id"]
                for i, _, _ in lines
                if getattr(form, f"line_{i}").data
            ]
            share_value = share_of_percent(form.percent.data)  # checked by the form
            if share_value is None:  # the form's own check refuses it first
                form.percent.errors = ["Give a percentage above 0 and at most 100."]
            elif partner is None:  # the choices are the tables' 117; the database seeds them
                form.partner.errors = ["Not one of North Carolina's 117 local governments."]
            else:
                outcome = save_change(
                    lambda: share_program(
                        db.session,
                        record,
                        partner,
                        share_value,
                        chosen,
                        current_user,
                        expected_version=expected_version(form),
                    ),
                    refused=(SharingRefused,),
                )
                if outcome.saved:
                    flash(
                        f"{partner.name} is invited: its editors see the invitation on its page.",
                        "success",
                    )
                    return redirect(url_for("funding.page", slug=slug, plan_id=plan_id))
                refused = outcome.refused
                if isinstance(refused, SharingRefused):
                    field = getattr(form, refused.field, None)
                    if field is not None and refused.field != "lines":
                        field.errors = [*field.errors, str(refused)]
                    else:
                        unplaced.append(str(outcome.refused))
                elif outcome.stale:
                    unplaced.append(
                        "Someone else changed this plan since you loaded the page: nothing "
                        "was saved."
                    )
                    form.version.data = str(record.version)
                for problem in outcome.problems:
                    if ".funded_by" in problem.path:
                        form.percent.errors = [*form.percent.errors, problem.message]
                    else:
                        unplaced.append(str(problem))
    else:
        form.version.data = str(record.version)
    status = 422 if form.is_submitted() else 200
    return render_template(
        "funding/share.html", record=record, form=form, lines=lines, unplaced=unplaced
    ), status


# ----------------------------------------------------------------------------- the partner


def _share_of(jurisdiction_id: int, share_id: int) -> SharedProgram:
    found = db.session.get(SharedProgram, share_id)
    if (
        found is None
        or found.partner_jurisdiction_id != jurisdiction_id
        or found.lead_plan.deleted_at is not None
    ):
        abort(404)
    return found


@blueprint.route("/j/<slug>/shared/<int:share_id>")
def shared(slug: str, share_id: int):
    """The shared program as the partner sees it: the lead plan's figures and checklist
    (not the lead's other plans), and the invitation or the state of its contribution."""
    jurisdiction, role = jurisdiction_or_404(slug)
    found = _share_of(jurisdiction.id, share_id)
    view = view_plan(found.lead_plan, today())
    form = AcceptForm()
    form.plan.choices = [
        (str(p.id), p.name) for p in plans_of(db.session, jurisdiction) if p.status != "adopted"
    ] + [("new", "A new plan")]
    form.plan.data = "new"
    return render_template(
        "funding/shared.html",
        jurisdiction=jurisdiction,
        share=found,
        state=state_of(found),
        view=view,
        p=view.projection,
        results=view.results,
        can_edit=can_edit(role),
        form=form,
        action_form=ActionForm(),
    )


@blueprint.route("/j/<slug>/shared/<int:share_id>/accept", methods=["POST"])
def accept_share(slug: str, share_id: int):
    jurisdiction, _ = jurisdiction_or_404(slug)
    found = _share_of(jurisdiction.id, share_id)
    form = AcceptForm()
    if not form.validate():
        if "csrf_token" in form.errors:
            abort(400)
        flash("Not accepted: " + "; ".join(form.total.errors), "error")
        return redirect(url_for("funding.shared", slug=slug, share_id=share_id))
    total_text = (form.total.data or "").strip().replace(",", "").lstrip("$")
    total = Decimal(total_text) if total_text else None
    chosen = form.plan.data or "new"
    target: PlanRecord | None = None
    if chosen != "new":
        target = next((p for p in plans_of(db.session, jurisdiction) if str(p.id) == chosen), None)
        if target is None:
            abort(404)
    outcome = save_change(
        lambda: accept(
            db.session,
            found,
            target,
            (form.name.data or "").strip(),
            current_user,
            today=today(),
            total=total,
        ),
        refused=(SharingRefused,),
    )
    if not outcome.saved:
        flash(
            "Not accepted: "
            + (
                str(outcome.refused)
                if outcome.refused is not None
                else "; ".join(str(p) for p in outcome.problems) or "the plan changed meanwhile"
            ),
            "error",
        )
        return redirect(url_for("funding.shared", slug=slug, share_id=share_id))
    flash(f"Accepted: {outcome.result.name} carries your share of {found.program}.", "success")
    return redirect(url_for("plans.show", slug=slug, plan_id=outcome.result.id))


@blueprint.route("/j/<slug>/shared/<int:share_id>/update", methods=["POST"])
def update_share(slug: str, share_id: int):
    jurisdiction, _ = jurisdiction_or_404(slug)
    found = _share_of(jurisdiction.id, share_id)
    if not ActionForm().validate():
        abort(400)
    outcome = save_change(lambda: update_to_lead(db.session, found, current_user))
    if outcome.saved and outcome.result:
        flash("Your contribution now has the lead's figures.", "success")
    else:
        flash("Not updated: your plan cannot change (adopted or deleted).", "error")
    return redirect(url_for("funding.shared", slug=slug, share_id=share_id))


# ----------------------------------------------------------------------------- includes


@blueprint.app_template_global()
def shared_programs_of(jurisdiction: Any) -> list[Any]:
    """For a government's page: the shared programs it is a partner of, with their state."""
    return [state_of(share) for share in invitations_for(db.session, jurisdiction)]


@blueprint.app_template_global()
def plan_shares(record: Any) -> list[Any]:
    """For a plan's page: the partners of its program, with their state."""
    return [state_of(share) for share in shares_of_plan(db.session, record)]
