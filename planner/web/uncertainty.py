"""The plan page's "Uncertainty" section (cost model §12): the ranges' form, the fan chart
and the tornado. Thin views: the engine simulates, `planner.services.uncertainty` caches."""

from __future__ import annotations

import functools

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from planner.cost_tables import default_ranges
from planner.extensions import db
from planner.forms.auth import version_of
from planner.forms.uncertainty import UncertaintyForm, field_of_path, fill, section_of
from planner.present import charts_uncertainty
from planner.scenarios import PlanError
from planner.scenarios.uncertainty import LABELS, VARIABLES, offered_section
from planner.services.analyses import Analysis, analysis_of
from planner.services.plans import PlanFrozen, StaleVersion, load_plan
from planner.services.uncertainty import check_ranges, save_ranges
from planner.web.access import plan_or_404

blueprint = Blueprint("uncertainty", __name__)
CHART_KINDS = ("fund", "tornado")  # the fan of the fund's closing balance; the tornado


@blueprint.app_template_global("uncertainty_analysis")
def uncertainty_analysis(record, view=None) -> Analysis | None:
    """For the plan page's partial: the plan's simulation, or None without ranges."""
    if view is not None:
        return analysis_of(record, view.plan, view.projection)
    return analysis_of(record)


@blueprint.app_template_global("uncertainty_alts")
def uncertainty_alts(analysis: Analysis) -> dict[str, str]:
    return {
        "fund": charts_uncertainty.fan_alt(analysis.result, analysis.projection),
        "tornado": charts_uncertainty.tornado_alt(analysis.result),
    }


def _plan_url(record, anchor: str = "") -> str:
    return url_for("plans.show", slug=record.jurisdiction.slug, plan_id=record.id) + anchor


@blueprint.route("/j/<slug>/plans/<int:plan_id>/uncertainty", methods=["GET", "POST"])
def edit(slug: str, plan_id: int):
    record, _ = plan_or_404(slug, plan_id, change=True)
    plan = load_plan(record)
    form = UncertaintyForm()
    offered = default_ranges()
    status = 200
    problems: list[str] = []
    stale = False
    filled = False
    if request.method == "GET":
        shown = plan.uncertainty
        if request.args.get("offered"):
            shown = offered_section(plan, offered)
            filled = True
        if shown is not None:
            fill(form, shown)
        form.version.data = str(record.version)
    else:
        valid = form.validate_on_submit()
        section, own = section_of(form)
        for name, message in own.items():
            form[name].errors = [*form[name].errors, message]
        if own:  # the engine's problems of the rest too, all at once; nothing saved
            try:
                check_ranges(record, section)
            except PlanError as error:
                problems = _attach(form, error)
        if not valid or own:
            status = 422
        else:
            based_on = version_of(form)
            try:
                save_ranges(
                    db.session,
                    record,
                    current_user,
                    section,
                    expected_version=-1 if based_on is None else based_on,
                )
            except StaleVersion:
                db.session.rollback()
                form.version.data = str(record.version)
                stale = True
                status = 409
            except PlanFrozen:
                db.session.rollback()
                abort(403)
            except PlanError as error:
                db.session.rollback()
                problems = _attach(form, error)
                status = 422
            else:
                db.session.commit()
                flash(
                    "Saved the uncertainty ranges."
                    if section is not None
                    else "Removed the uncertainty ranges.",
                    "success",
                )
                return redirect(_plan_url(record, "#uncertainty"))
    return render_template(
        "plans/uncertainty_edit.html",
        record=record,
        plan=plan,
        form=form,
        variables=VARIABLES,
        labels=LABELS,
        offered=offered,
        filled=filled,
        unplaced=problems,
        stale=stale,
    ), status


def _attach(form: UncertaintyForm, error: PlanError) -> list[str]:
    """Each problem beside its field; those of no field (elsewhere in the plan) returned."""
    unplaced = []
    for problem in error.problems:
        name = field_of_path(problem.path)
        if name is None:
            unplaced.append(str(problem))
        else:
            form[name].errors = [*form[name].errors, problem.message]
    return unplaced


@blueprint.get("/j/<slug>/plans/<int:plan_id>/charts/uncertainty-<kind>.svg")
def chart(slug: str, plan_id: int, kind: str):
    from planner.web.plans import svg_response  # the plan page's SVG headers

    record, _ = plan_or_404(slug, plan_id)
    if kind not in CHART_KINDS:
        abort(404)
    etag = f"{record.id}-{record.version}-uncertainty-{kind}"
    if etag in request.if_none_match:
        response = svg_response("")
        response.status_code = 304
    else:
        analysis = analysis_of(record)
        draw = (
            functools.partial(charts_uncertainty.draw, kind, analysis)
            if analysis is not None
            else charts_uncertainty.no_ranges_svg
        )
        response = svg_response(
            charts_uncertainty.CHARTS.get((record.id, record.version, kind), record.document, draw)
        )
    response.set_etag(etag)
    return response


@blueprint.app_template_global("uncertainty_label")
def uncertainty_label(name: str) -> str:
    return LABELS.get(name, name)
