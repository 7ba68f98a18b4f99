"""A plan's page (projection, charts, checklist) and whole-plan actions."""

from __future__ import annotations

import functools
import hashlib
import time
from collections.abc import Hashable

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup, escape
from sqlalchemy import func, select

from planner.cost_tables import default_cost_tables
from planner.extensions import db
from planner.forms.admin import StatusForm
from planner.forms.auth import ActionForm, version_of
from planner.forms.plans import CloneForm, DeleteForm, RenameForm
from planner.models import PlanChange
from planner.present import charts
from planner.present.formatting import money, number
from planner.present.history import history_entries
from planner.reports.context import strategy_titles
from planner.scenarios.summaries import summarize
from planner.services.county import fit_of
from planner.services.evaluated import evaluated
from planner.services.options import buys_of
from planner.services.plan_documents import projected_document
from planner.services.plans import (
    StatusError,
    changes_since,
    clone_plan,
    delete_plan,
    export_plan,
    load_plan,
    rename_plan,
    set_status,
)
from planner.services.public import live_publication_of
from planner.web.access import can_edit, plan_or_404
from planner.web.common import (
    download_name,
    expected_version,
    flash_why,
    save_change,
    svg_response,
    today,
)
from planner.web.county import checklist_ahead, checklist_date
from planner.web.uncertainty import uncertainty_model
from planner.web.views import cached_view, contradictions_of, warm_saved

blueprint = Blueprint("plans", __name__)


@blueprint.app_template_global("money_cells")
def money_cells(values) -> Markup:
    """A row of dollar figures as table cells, a negative one marked: what the page's
    `row_values` macro wrote, in one Python loop (the plan page shows about 500 figures,
    and a Jinja macro costs a call and an escape per cell)."""
    return Markup(  # noqa: S704 - every figure is escaped; the rest is this literal
        "".join(
            f'<td class="num negative">{escape(money(v))}</td>'
            if v < 0
            else f'<td class="num">{escape(money(v))}</td>'
            for v in values
        )
    )


@blueprint.app_template_global("number_cells")
def number_cells(values) -> Markup:
    """A row of counts (FTE, participants) as table cells, two decimals."""
    cells = "".join(f'<td class="num">{escape(number(v))}</td>' for v in values)
    return Markup(cells)  # noqa: S704 - every figure is escaped; the rest is this literal


def line_of_target(target: str, result) -> str | None:
    """The id of the line a rule's input names (`line:<id>`), or None when the input is
    not a line or asks for a new one (`line:new`, `line:new:<kind>[:<category>]`). A line
    may itself be called `new`: `line:new` is that line when the rule names it."""
    if not target.startswith("line:") or target.startswith("line:new:"):
        return None
    line_id = target[len("line:") :]
    return None if line_id == "new" and "new" not in result.line_items else line_id


def fix_links(record, results) -> dict[str, list[tuple[str, str]]]:
    """For each rule, the editor pages where the inputs that would change it are."""
    slug, plan_id = record.jurisdiction.slug, record.id
    links: dict[str, list[tuple[str, str]]] = {}
    for result in results:
        found = []
        if result.rule == "LEAD-SERVICES" and any(line_of_target(t, result) for t in result.inputs):
            # every service line in one form (a status each), before the line pages
            found.append(
                ("Assess the services", url_for("county.services", slug=slug, plan_id=plan_id))
            )
        for target in result.inputs:
            line_id = line_of_target(target, result)
            if line_id is not None:
                found.append(
                    (
                        f"Edit line '{line_id}'",
                        url_for("editor.edit_line", slug=slug, plan_id=plan_id, line_id=line_id),
                    )
                )
            elif target == "line:new":
                found.append(
                    ("Add a line item", url_for("editor.new_line_kind", slug=slug, plan_id=plan_id))
                )
            elif target.startswith("line:new:"):  # line:new:<kind>[:<category>]
                _, _, kind, *rest = target.split(":")
                args = {"category": rest[0]} if rest else {}
                name = rest[0].replace("_", " ") if rest else kind.replace("_", " ")
                found.append(
                    (
                        f"Add a {kind.replace('_', '-')} line for {name}",
                        url_for("editor.new_line", slug=slug, plan_id=plan_id, kind=kind, **args),
                    )
                )
            elif target == "fund":
                found.append(
                    (
                        "Edit the fund",
                        url_for("editor.section", slug=slug, plan_id=plan_id, section="fund"),
                    )
                )
                found.append(
                    ("Edit receipts", url_for("editor.receipts", slug=slug, plan_id=plan_id))
                )
            elif target == "participants":
                found.append(
                    (
                        "Edit participants",
                        url_for(
                            "editor.section", slug=slug, plan_id=plan_id, section="participants"
                        ),
                    )
                )
            elif target == "program.authorizations":
                found.append(
                    (
                        "Authorize FYs from the plan",
                        url_for("editor.authorizations", slug=slug, plan_id=plan_id)
                        + "#authorize-h",
                    )
                )
            elif target.startswith("program."):
                found.append(
                    (
                        "Edit program settings",
                        url_for("editor.section", slug=slug, plan_id=plan_id, section="program"),
                    )
                )
            elif target == "plan.start_fy":
                found.append(
                    (
                        "Edit plan settings",
                        url_for("editor.section", slug=slug, plan_id=plan_id, section="settings"),
                    )
                )
        links[result.rule] = list(dict.fromkeys(found))
    return links


@blueprint.get("/j/<slug>/plans/<int:plan_id>")
def show(slug: str, plan_id: int):
    record, role = plan_or_404(slug, plan_id)
    as_of, as_of_error = checklist_date(request.args.get("as_of"), today())  # issue 23
    view = cached_view(record, as_of)
    titles = strategy_titles(view.projection.by_strategy, default_cost_tables())
    summary = summarize(view.projection, view.results)
    editable = can_edit(role) and record.status != "adopted"
    uncertainty = uncertainty_model(record, view.plan, may_start=editable)
    return render_template(
        "plans/show.html",
        record=record,
        view=view,
        plan=view.plan,
        p=view.projection,
        results=view.results,
        summary=summary,
        counts=summary.compliance,
        titles=titles,
        role=role,
        can_edit=editable,
        uncertainty=uncertainty,
        # the page asks again while its analysis is queued or running (no JavaScript); a
        # new URL each time, or the browser would only scroll to the fragment
        refresh_after=5 if uncertainty.job is not None and uncertainty.job.pending else None,
        refresh_url=url_for("plans.show", slug=slug, plan_id=plan_id, shown=time.time_ns())
        + "#uncertainty",
        action_form=ActionForm(),
        fund_alt=charts.fund_balance_alt(view.projection),
        strategy_alt=charts.spending_by_strategy_alt(view.projection, titles),
        fix_links=fix_links(record, view.results),
        clone_form=CloneForm(),
        status_form=StatusForm(version=record.version, seen=last_change_id(record)),
        can_clone=can_edit(role),
        as_of=as_of,
        as_of_error=as_of_error,
        ahead=checklist_ahead(record, view.plan, as_of),
        contradicted=contradictions_of(view),  # issue 23
        packet=packet_defaults(view),
        afford=fit_of(record, view=view),
        buys=buys_of(view.plan, view.projection, request.args.get("jail_day_cost")),
        publication=(  # issue 24: its public page, if published
            live_publication_of(db.session, record) if record.status == "adopted" else None
        ),
    )


@blueprint.after_app_request
def _after_a_save(response: Response) -> Response:
    """A request that saved a plan makes the new version's page figures before it answers
    (`views.warm_saved`): the page it redirects to only reads them. `save_change` makes
    them at once; this catches the saves made another way (ranges, actuals, imports)."""
    warm_saved(db.session, today(), answered=response.status_code < 400)
    return response


def last_change_id(record) -> int:
    """The id of the plan's last history entry (0 before any): one indexed query, not its
    whole history loaded (a plan edited for a year has thousands of entries)."""
    found = db.session.scalar(
        select(func.max(PlanChange.id)).where(PlanChange.plan_id == record.id)
    )
    return found or 0


def seen_of(form) -> int | None:
    """The last history entry the page showed (None when the post carries none)."""
    text = str(form.seen.data or "")
    return int(text) if text.isascii() and text.isdigit() and len(text) < 19 else None


def stale_page(record, form, what: str):
    """A button pressed on a page older than the plan: nothing changed; here is what others
    changed since that page was shown (409)."""
    return render_template(
        "plans/stale.html",
        record=record,
        what=what,
        seen_version=version_of(form),
        changes=changes_since(record, seen_of(form)),
    ), 409


def packet_defaults(view) -> dict[str, object]:
    """The board packet's default meeting (the next scheduled adoption, else today) and the
    FYs it asks the board to adopt (`summaries.default_period`)."""
    from planner.scenarios.summaries import default_meeting_date, default_period

    meeting = default_meeting_date(view.plan, today())
    return {
        "meeting_date": meeting.isoformat(),
        "period": default_period(view.plan, view.projection, meeting),
    }


def _draw(kind: str, document: str) -> str:
    """A plan version's chart. A save that leaves the chart's figures as they were (a label,
    a justification) finds the chart already drawn under its figures."""
    plan, projection = evaluated(document)  # the page's version: parsed and projected already
    if kind == "fund":
        figures: Hashable = charts.fund_figures(projection)  # every figure the chart draws
        return charts.BY_FIGURES.get(
            figures, "", functools.partial(charts.fund_balance_svg, projection)
        )
    titles = strategy_titles(projection.by_strategy, default_cost_tables())
    figures = (
        kind,
        projection.fiscal_years,
        tuple(projection.by_strategy.items()),
        tuple(titles.get(s, s) for s in projection.by_strategy),
    )
    return charts.BY_FIGURES.get(
        figures, "", functools.partial(charts.spending_by_strategy_svg, projection, titles)
    )


@blueprint.get("/j/<slug>/plans/<int:plan_id>/charts/<kind>.svg")
def chart(slug: str, plan_id: int, kind: str):
    record, _ = plan_or_404(slug, plan_id)
    if kind not in ("fund", "strategies"):
        abort(404)
    document = projected_document(record)  # with the jurisdiction's actuals (§11)
    etag = f"{record.id}-{record.version}-{kind}"
    if document != record.document:
        etag += "-" + hashlib.sha256(document.encode()).hexdigest()[:16]
    if etag in request.if_none_match:  # the browser has this version's chart: draw nothing
        response = Response(status=304)
    else:
        # The same stored plan always draws the same chart: drawn once per version.
        response = svg_response(
            charts.CHARTS.get(
                (record.id, record.version, kind),
                document,
                functools.partial(_draw, kind, document),
            )
        )
    response.set_etag(etag)
    return response


@blueprint.get("/j/<slug>/plans/<int:plan_id>/export.json")
def export_json(slug: str, plan_id: int):
    record, _ = plan_or_404(slug, plan_id)
    return Response(
        export_plan(record),
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{download_name(record, "json")}"'},
    )


@blueprint.post("/j/<slug>/plans/<int:plan_id>/clone")
def clone(slug: str, plan_id: int):
    record, _ = plan_or_404(slug, plan_id, change=True)
    form = CloneForm()
    if not form.validate_on_submit():
        flash("Give the copy a name.", "error")
        return redirect(url_for("plans.show", slug=slug, plan_id=plan_id))
    outcome = save_change(
        lambda: clone_plan(db.session, record, current_user, form.name.data.strip())
    )
    if not outcome.saved:
        flash("Not cloned: " + "; ".join(p.message for p in outcome.problems), "error")
        return redirect(url_for("plans.show", slug=slug, plan_id=plan_id))
    copy = outcome.result
    flash(f"Created '{copy.name}', a copy of '{record.name}'.", "success")
    return redirect(url_for("plans.show", slug=slug, plan_id=copy.id))


@blueprint.route("/j/<slug>/plans/<int:plan_id>/rename", methods=["GET", "POST"])
def rename(slug: str, plan_id: int):
    record, _ = plan_or_404(slug, plan_id, change=True)
    form = RenameForm()
    status = 200
    if request.method == "GET":
        form.name.data = record.name
        form.version.data = str(record.version)
    elif not form.validate_on_submit():
        status = 422
    else:
        outcome = save_change(
            lambda: rename_plan(
                db.session, record, current_user, form.name.data.strip(), expected_version(form)
            )
        )
        if outcome.saved:
            flash("Renamed.", "success")
            return redirect(url_for("plans.show", slug=slug, plan_id=plan_id))
        if outcome.stale:
            form.name.errors = [
                f"Someone else changed this plan; its name is now "
                f"'{record.name}'. Your name is kept below: save again to "
                "use it."
            ]
            form.version.data = str(record.version)
            status = 409
        else:
            form.name.errors = ["\n".join(str(p) for p in outcome.problems)]
            status = 422
    return render_template("plans/rename.html", record=record, form=form), status


@blueprint.route("/j/<slug>/plans/<int:plan_id>/delete", methods=["GET", "POST"])
def delete(slug: str, plan_id: int):
    record, _ = plan_or_404(slug, plan_id, change=True)
    form = DeleteForm()
    if request.method == "POST" and form.validate_on_submit():
        outcome = save_change(
            lambda: delete_plan(db.session, record, current_user, expected_version(form))
        )
        if outcome.stale:
            return stale_page(record, form, "Not deleted")
        if not outcome.saved:
            flash_why(outcome, "Not deleted")
            return redirect(url_for("plans.show", slug=slug, plan_id=plan_id))
        flash(f"Deleted '{record.name}'.", "success")
        return redirect(url_for("jurisdictions.show", slug=slug))
    if request.method == "GET":
        # the version of the plan page the link was on, else the one shown now
        shown = request.args.get("version", "")
        form.version.data = (
            shown
            if shown.isascii() and shown.isdigit() and len(shown) < 19
            else str(record.version)
        )
        form.seen.data = request.args.get("seen", "")
    return render_template(
        "plans/delete.html", record=record, form=form, changed=version_of(form) != record.version
    )


@blueprint.get("/j/<slug>/plans/<int:plan_id>/history")
def history(slug: str, plan_id: int):
    record, role = plan_or_404(slug, plan_id)
    names = {line.id: line.label or line.id for line in load_plan(record).line_items}
    return render_template(
        "plans/history.html",
        record=record,
        entries=history_entries(record.changes, names),
        can_restore=can_edit(role) and record.status != "adopted",  # issue 22: restore
    )


@blueprint.post("/j/<slug>/plans/<int:plan_id>/status")
def status(slug: str, plan_id: int):
    record, _ = plan_or_404(slug, plan_id, change=True)
    form = StatusForm()
    if not form.validate_on_submit():
        flash(
            "Not changed: " + "; ".join(e for errors in form.errors.values() for e in errors),
            "error",
        )
        return redirect(url_for("plans.show", slug=slug, plan_id=plan_id) + "#status")
    outcome = save_change(
        lambda: set_status(
            db.session,
            record,
            current_user,
            form.action.data,
            form.adopted_on.data,
            expected_version=expected_version(form),
        ),
        refused=(StatusError,),
    )
    if outcome.stale:
        what = {
            "adopt": "Adoption not recorded",
            "propose": "Not proposed",
            "return": "Not returned to draft",
        }.get(form.action.data, "Not changed")
        return stale_page(record, form, what)
    if outcome.saved:
        flash(f"'{record.name}' is now {record.status}.", "success")
    else:
        flash_why(outcome, "Not changed")
    return redirect(url_for("plans.show", slug=slug, plan_id=plan_id) + "#status")
