"""The plan page's "Uncertainty" section (cost model §12): the ranges' form, the fan chart
and the tornado. Thin views: the worker simulates (`simulation_job`), the page reads what it
stored."""

from __future__ import annotations

import dataclasses

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from planner.cost_tables import default_cost_tables, default_ranges
from planner.extensions import db
from planner.forms.auth import ActionForm, version_of
from planner.forms.uncertainty import UncertaintyForm, field_of_path, fill, section_of
from planner.present import charts_uncertainty
from planner.scenarios import Plan, PlanError, parse_plan_text, project
from planner.scenarios.uncertainty import LABELS, VARIABLES, offered_section
from planner.services import jobs
from planner.services.analyses import (
    SIMULATION,
    SIMULATION_JOB,
    Analysis,
    StoredAnalysis,
    compute,
    enqueue_simulation,
    simulation_key,
)
from planner.services.plan_documents import projected_document
from planner.services.plans import PlanFrozen, StaleVersion, load_plan
from planner.services.uncertainty import check_ranges, save_ranges
from planner.web.access import plan_or_404
from planner.web.common import svg_response, today
from planner.web.views import cached_view

blueprint = Blueprint("uncertainty", __name__)
CHART_KINDS = ("fund", "tornado")  # the fan of the fund's closing balance; the tornado


@dataclasses.dataclass(frozen=True)
class UncertaintyModel:
    """The plan page's "Uncertainty" section, built in the view from the stored job: no
    ranges; or the analysis queued, running (with its percent), failed (with the reason) or
    done (with the analysis and its charts, whose URLs carry the content key)."""

    has_ranges: bool
    plan: Plan | None = None
    key: str | None = None
    job: jobs.JobState | None = None
    stored: StoredAnalysis | None = None
    may_start: bool = False  # an editor may (re)start it; a viewer never does

    @property
    def analysis(self) -> Analysis | None:
        if self.stored is None or self.plan is None:
            return None
        return Analysis(self.plan, self.stored.projection, self.stored.result)

    @property
    def pending(self) -> bool:
        return self.stored is None and (self.job is None or self.job.pending)

    @property
    def version(self) -> str:
        return (self.key or "")[:16]


def uncertainty_model(record, plan, *, may_start: bool) -> UncertaintyModel:
    """Read the stored analysis of the plan as shown (with its actuals). An editor's visit
    queues it when no job exists (a plan saved before the queue); a viewer's never does."""
    key = simulation_key(plan)
    if key is None:
        return UncertaintyModel(has_ranges=False)
    job = jobs.state(db.session, key)
    if job is None and may_start:
        enqueue_simulation(db.session, record, plan, projected_document(record))
        db.session.commit()
        job = jobs.state(db.session, key)
    found = jobs.result(db.session, key) if job is not None and job.done else None
    return UncertaintyModel(True, plan, key, job, found, may_start)


def simulation_job(document: str) -> StoredAnalysis:
    """The worker's job: simulate the plan file's text and draw its two charts."""
    jobs.progress(0.02)
    plan = parse_plan_text(document, default_cost_tables())
    projection = project(plan)
    jobs.progress(0.1)
    result = compute(plan, projection).result
    jobs.progress(0.8)
    fan = charts_uncertainty.fan_svg(result, projection)
    jobs.progress(0.9)
    return StoredAnalysis(
        projection,
        result,
        fan_svg=fan,
        tornado_svg=charts_uncertainty.tornado_svg(result),
        fan_alt=charts_uncertainty.fan_alt(result, projection),
        tornado_alt=charts_uncertainty.tornado_alt(result),
    )


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
    """The chart stored with the analysis of the plan as it is now (its actuals included):
    the same content key as the figures of the page, so a change of actuals is a new chart
    (issue 20 M3). Until the analysis is stored: a placeholder, never a computation."""

    record, _ = plan_or_404(slug, plan_id)
    if kind not in CHART_KINDS:
        abort(404)
    key = simulation_key(cached_view(record, today()).plan)
    etag = f"{key or 'none'}-{kind}"
    if etag in request.if_none_match:
        response = svg_response("")
        response.status_code = 304
    else:
        found = jobs.result(db.session, key) if key is not None else None
        if found is None:
            response = svg_response(charts_uncertainty.no_ranges_svg())
            etag += "-pending"
        else:
            response = svg_response(found.fan_svg if kind == "fund" else found.tornado_svg)
    response.set_etag(etag)
    return response


@blueprint.post("/j/<slug>/plans/<int:plan_id>/uncertainty/compute")
def compute_again(slug: str, plan_id: int):
    """An editor asks for the analysis again (after a failure, or for a plan saved before
    the queue): queued, never run in this request."""

    record, _ = plan_or_404(slug, plan_id, change=True)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    plan = cached_view(record, today()).plan
    key = simulation_key(plan)
    if key is not None:
        jobs.enqueue(
            db.session,
            SIMULATION,
            key,
            SIMULATION_JOB,
            [projected_document(record)],
            plan_id=record.id,
            jurisdiction_id=record.jurisdiction_id,
            retry=True,
        )
        db.session.commit()
        flash("The uncertainty analysis is queued.", "success")
    return redirect(_plan_url(record, "#uncertainty"))


@blueprint.app_template_global("uncertainty_label")
def uncertainty_label(name: str) -> str:
    return LABELS.get(name, name)
