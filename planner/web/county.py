"""The finance director's actions on a plan (issue 11): move it, apply what the fund can
afford, authorize FYs, update a stale authorization, spread a CORE-NC total, assess the
services. Thin views: the engine finds every figure (`planner.services.county`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from planner.extensions import db
from planner.forms.county import (
    AUTHORIZE,
    ApplyFitForm,
    AuthorizeForm,
    MovePlanForm,
    ServiceLine,
    SpreadTotalForm,
    fy_value,
    service_values,
    services_form,
    total_value,
    validated,
)
from planner.scenarios.authorizations import pending_authorizations
from planner.scenarios.fields import Field
from planner.scenarios.fit import FitError
from planner.services import county
from planner.services.plans import load_plan
from planner.web.access import plan_or_404
from planner.web.common import (
    commit_or_flash,
    expected_version,
    flash_why,
    plan_url,
    save_change,
    today,
)

blueprint = Blueprint("county", __name__)
_AS_OF = Field("as_of", "date")


def _save(record: Any, form: Any, action: Callable[[int], Any], success: str, done_url: str) -> Any:
    """Run one action on the version the page showed; flash what happened."""
    if not form.validate_on_submit():
        problems = [
            f"{getattr(form, name).label.text}: {error}"
            if name != "csrf_token"
            else "The form expired: reload the page."
            for name, errors in form.errors.items()
            for error in errors
        ]
        flash("Not saved: " + "; ".join(problems), "error")
        return redirect(done_url)
    saved, result = commit_or_flash(
        lambda: action(expected_version(form)), refused=(ValueError, IndexError, FitError)
    )
    if saved:
        flash(success if result is None else success.format(result=result), "success")
    return redirect(done_url)


@blueprint.post("/j/<slug>/plans/<int:plan_id>/move")
def move(slug: str, plan_id: int):
    record, _ = plan_or_404(slug, plan_id, change=True)
    form = MovePlanForm()
    start_fy = fy_value(form.start_fy.data)
    return _save(
        record,
        form,
        lambda version: county.move_whole_plan(
            db.session, record, current_user, validated(start_fy), expected_version=version
        ),
        "Moved the plan: lines and authorizations follow its new first FY.",
        plan_url(record),
    )


@blueprint.post("/j/<slug>/plans/<int:plan_id>/fit/apply")
def apply_fit(slug: str, plan_id: int):
    record, _ = plan_or_404(slug, plan_id, change=True)
    form = ApplyFitForm()
    target = form.target.data or ""
    done = (
        plan_url(record, "#afford")
        if target == "referrals"
        else url_for("editor.edit_line", slug=slug, plan_id=plan_id, line_id=target[5:])
        if target.startswith("line:")
        else plan_url(record, "#afford")
    )

    def action(version: int) -> str:
        try:
            found = county.apply_fit(
                db.session, record, current_user, target, expected_version=version
            )
        except county.NothingToApply as error:
            raise ValueError(str(error)) from error
        if target == "referrals":
            return record.changes[-1].action.removeprefix("applied the fit: ")
        return f"{found.driver} = {found.value}"

    return _save(
        record,
        form,
        action,
        "Applied what the fund sustains: {result}. The history can restore the version before.",
        done,
    )


@blueprint.post("/j/<slug>/plans/<int:plan_id>/authorize")
def authorize(slug: str, plan_id: int):
    record, _ = plan_or_404(slug, plan_id, change=True)
    form = AuthorizeForm(prefix=AUTHORIZE)
    first, last = fy_value(form.first_fy.data), fy_value(form.last_fy.data)
    return _save(
        record,
        form,
        lambda version: county.authorize(
            db.session,
            record,
            current_user,
            validated(first),
            validated(last),
            today(),
            adopted_on=form.adopted_on.data,
            budget_ordinance_on=form.budget_ordinance_on.data,
            expected_version=version,
        ),
        "Added {result} authorization(s) from the plan's spending.",
        url_for("editor.authorizations", slug=slug, plan_id=plan_id),
    )


@blueprint.post("/j/<slug>/plans/<int:plan_id>/authorizations/<int:index>/update")
def update_authorization(slug: str, plan_id: int, index: int):
    record, _ = plan_or_404(slug, plan_id, change=True)
    form = ApplyFitForm(target="-")  # CSRF and version only
    return _save(
        record,
        form,
        lambda version: county.update_authorization(
            db.session, record, current_user, index, today(), expected_version=version
        ),
        "Updated the authorization to the plan's amount.",
        url_for("editor.authorizations", slug=slug, plan_id=plan_id),
    )


@blueprint.post("/j/<slug>/plans/<int:plan_id>/edit/receipts/spread")
def spread(slug: str, plan_id: int):
    record, _ = plan_or_404(slug, plan_id, change=True)
    form = SpreadTotalForm()
    total = total_value(form.total.data)

    def action(version: int) -> None:
        if (
            county.spread_receipts(
                db.session, record, current_user, validated(total), expected_version=version
            )
            is None
        ):
            raise ValueError("no FY of this plan has a share of the payment shape")

    return _save(
        record,
        form,
        action,
        "Estimated the receipts from the CORE-NC total.",
        url_for("editor.receipts", slug=slug, plan_id=plan_id),
    )


def _service_lines(record: Any) -> list[ServiceLine]:
    def text(value: Any) -> str:
        return "" if value is None else format(value, "f")

    return [
        ServiceLine(
            line.id,
            line.label or line.id,
            getattr(line.params, "status", ""),
            text(getattr(line.params, "units", None)),
            text(getattr(line.params, "unit_cost", None)),
        )
        for line in load_plan(record).line_items
        if line.kind == "service_gap"
    ]


@blueprint.route("/j/<slug>/plans/<int:plan_id>/services", methods=["GET", "POST"])
def services(slug: str, plan_id: int):
    record, _ = plan_or_404(slug, plan_id, change=True)
    lines = _service_lines(record)
    form = services_form(lines)()

    def page(status: int = 200) -> Any:
        return (
            render_template("plans/services.html", record=record, form=form, lines=lines),
            status,
        )

    if request.method == "GET":
        form.version.data = str(record.version)
        for line in lines:
            getattr(form, f"status_{line.id}").data = line.status or "unknown"
            getattr(form, f"units_{line.id}").data = line.units
            getattr(form, f"unit_cost_{line.id}").data = line.unit_cost
        return page()
    if not form.validate_on_submit():  # every choice kept, each error beside its field
        if form.csrf_token.errors:
            flash("The form expired: reload the page.", "error")
        return page(422)
    assessment = {line.id: county.Assessment(*service_values(form, line.id)) for line in lines}
    outcome = save_change(
        lambda: county.assess_services(
            db.session, record, current_user, assessment, expected_version=expected_version(form)
        )
    )
    if outcome.saved:
        flash("Saved the services assessment.", "success")
        return redirect(plan_url(record, "#compliance"))
    flash_why(outcome)
    return page(409 if outcome.stale else 422)


# ------------------------------------------------------------------------ one page of figures


def _add_error(field: Any, message: str) -> None:
    field.errors = [*field.errors, message]


def _other_line_complete(form: Any) -> bool:
    """The other strategy's line has a name, a strategy and an amount, or none of them
    (nothing typed is silently dropped or saved half-made)."""
    fields = (form.other_label, form.other_strategy, form.other_annual_amount)
    given = [bool((f.data or "").strip()) for f in fields]
    if not any(given) or all(given):
        return True
    needs = ("its name", "its strategy", "its amount a year")
    for field, has, what in zip(fields, given, needs, strict=True):
        if not has:
            _add_error(field, f"is required: the line for another strategy needs {what}")
    return False


def _units_only_for_gaps(form: Any, layout: Any, document: Any) -> bool:
    """Units and a cost are the fund's purchase for a gap: typed beside a service that is not
    marked a gap, they are refused beside their field rather than dropped on save (a value
    the plan already held is shown back, not typed)."""
    from planner.forms.plan_forms import display_value, get_path

    ok = True
    for _, _, (status_spec, units, cost) in layout.services:
        if getattr(form, status_spec.name).data == "gap":
            continue
        for spec in (units, cost):
            field = getattr(form, spec.name)
            typed = (field.data or "").strip()
            if typed and typed != str(display_value(spec, get_path(document, spec.path)) or ""):
                _add_error(field, "is only for a gap: mark the service a gap, or leave it blank")
                ok = False
    return ok


def _figures(form: Any, layout: Any) -> county.Figures:
    """The posted form's services, new line and authorizations, as the plan file writes them."""
    from planner.forms.plan_forms import form_value

    assessments = {}
    for key, _, (status, units, cost) in layout.services:
        values = [form_value(spec, form) for spec in (units, cost)]
        assessments[key] = county.Assessment(
            getattr(form, status.name).data,
            *(None if v in (None, "") or not isinstance(v, str) else v for v in values),
        )
    label_spec, strategy_spec, amount_spec, escalate_spec = layout.other
    label = (form.other_label.data or "").strip()
    amount = form_value(amount_spec, form)
    other = None
    if label or isinstance(amount, str):
        other = {
            "label": label or None,
            "strategy": form.other_strategy.data or None,
            "annual_amount": amount if isinstance(amount, str) else None,
            "escalate": bool(form.other_escalate.data),
        }
    first, last = fy_value(form.auth_first_fy.data), fy_value(form.auth_last_fy.data)
    dates = [form_value(spec, form) for spec in layout.authorize[2:]]
    adopted, ordinance = (
        dt.date.fromisoformat(v) if isinstance(v, str) and v else None for v in dates
    )
    return county.Figures(
        assessments,
        other,
        layout.other_index,
        (first, last) if first is not None and last is not None else None,
        adopted,
        ordinance,
    )


@blueprint.route("/j/<slug>/plans/<int:plan_id>/setup", methods=["GET", "POST"])
def setup(slug: str, plan_id: int):
    """The county's own figures on one page, one save (issue 23)."""
    from planner.forms.plan_forms import attach_problems, fill_form, write_form
    from planner.forms.setup import setup_form, setup_layout
    from planner.scenarios import fy_label
    from planner.services.plans import document_of

    record, _ = plan_or_404(slug, plan_id, change=True)
    document = document_of(record)
    layout = setup_layout(document)
    form = setup_form(layout)
    unplaced: list[str] = []
    status = 200
    if request.method == "GET":
        fill_form(form, [*layout.written, *(s for _, _, r in layout.services for s in r)], document)
        plan = load_plan(record)
        pending = pending_authorizations(plan, today())
        if pending is None:  # nothing waiting: offer the first two FYs
            form.auth_first_fy.data = fy_label(plan.start_fy)
            form.auth_last_fy.data = fy_label(plan.fiscal_years[min(1, plan.years - 1)])
        else:  # shown back, so that saving the page again keeps them
            first, last, adopted, ordinance = pending
            form.auth_first_fy.data, form.auth_last_fy.data = fy_label(first), fy_label(last)
            form.auth_adopted_on.data = adopted.isoformat() if adopted else ""
            form.auth_budget_ordinance_on.data = ordinance.isoformat() if ordinance else ""
        if layout.other_index is None:
            form.other_escalate.data = True
        else:  # the line this page added (or the plan's first of its kind) shown back
            fill_form(form, layout.other, document)
        form.version.data = str(record.version)
    else:
        valid = form.validate_on_submit()
        for _, _, (status_spec, units, cost) in layout.services:
            if getattr(form, status_spec.name).data != "gap":
                continue
            for spec in (units, cost):
                field = getattr(form, spec.name)
                if not (field.data or "").strip() and not field.errors:
                    field.errors = [*field.errors, "is required when the service is a gap"]
                    valid = False
        valid = _other_line_complete(form) and valid
        valid = _units_only_for_gaps(form, layout, document) and valid
        if bool((form.auth_first_fy.data or "").strip()) != bool(
            (form.auth_last_fy.data or "").strip()
        ):
            form.auth_last_fy.errors = [*form.auth_last_fy.errors, "give both FYs, or neither"]
            valid = False
        if valid:
            outcome = save_change(
                lambda: county.enter_figures(
                    db.session,
                    record,
                    current_user,
                    lambda document: write_form(document, layout.written, form),
                    _figures(form, layout),
                    today(),
                    expected_version=expected_version(form),
                ),
                refused=(ValueError,),
            )
            if outcome.saved:
                flash("Saved the county's figures.", "success")
                return redirect(plan_url(record, "#compliance"))
            if outcome.stale:
                flash_why(outcome)
                form.version.data = str(record.version)
                status = 409
            elif outcome.refused is not None:
                unplaced = [str(outcome.refused)]
                status = 422
            else:
                unplaced = attach_problems(form, layout.every, list(outcome.problems))
                status = 422
        else:
            status = 422
        if form.csrf_token.errors:
            unplaced.append("The form expired: reload the page.")
    return render_template(
        "plans/setup.html",
        record=record,
        plan=load_plan(record),
        form=form,
        layout=layout,
        unplaced=unplaced,
    ), status


# ------------------------------------------------------------------------ checklist as of a date


@dataclass(frozen=True)
class Ahead:
    """The checklist once the plan's scheduled adoptions take place (issue 23, point 5)."""

    dates: tuple[dt.date, ...]  # the scheduled adoption dates after today
    on: dt.date  # the last of them: the checklist as of then
    fail: int
    warn: int

    @property
    def passes(self) -> bool:
        return self.fail == 0 and self.warn == 0


def checklist_date(text: str | None, default: dt.date) -> tuple[dt.date, str | None]:
    """The date a plan page's checklist is as of: `?as_of=` typed as 2027-06-07 or
    06/07/2027, else `default`; with what is wrong with a date that cannot be read."""
    from planner.scenarios.typed_input import canonical

    raw = (text or "").strip()
    if not raw:
        return default, None
    try:
        found = dt.date.fromisoformat(canonical(_AS_OF, raw[:20]))
    except ValueError:
        return default, "must be a date such as 06/07/2027 or 2027-06-07"
    if not dt.date(2000, 1, 1) <= found <= dt.date(2100, 12, 31):
        return default, "must be a date between 2000 and 2100"
    return found, None


def checklist_ahead(record: Any, plan: Any, as_of: dt.date) -> Ahead | None:
    """The checklist as of the last adoption the plan's authorizations schedule after
    `as_of` (None when none is scheduled): the engine's own as-of check, as
    `planner check --as-of` runs it."""
    from planner.scenarios.authorizations import scheduled_adoptions
    from planner.web.views import cached_view

    dates = scheduled_adoptions(plan, as_of)
    if not dates:
        return None
    results = cached_view(record, dates[-1]).results
    return Ahead(
        dates,
        dates[-1],
        sum(r.status == "fail" for r in results),
        sum(r.status == "warn" for r in results),
    )
