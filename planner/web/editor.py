"""The plan editor: each section of the plan file, its receipts, and its line items.

Every save goes through `update_plan`, which validates the whole plan with the engine before
anything is written: an invalid post re-renders the form with the input kept and each
problem beside its field, and nothing is half-saved.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import HiddenField

from planner.cost_tables import default_cost_tables
from planner.extensions import db
from planner.forms.auth import ActionForm
from planner.forms.county import AUTHORIZE, AuthorizeForm, SpreadTotalForm
from planner.forms.plan_forms import (
    CHOICE_VALUES,
    LINE_CHOICE,
    NEW_LINE_STRATEGY,
    SECTIONS,
    Input,
    active_inputs,
    asked_inputs,
    attach_problems,
    authorization_inputs,
    build_form,
    default_notes,
    display_value,
    fill_form,
    get_path,
    line_form_inputs,
    write_form,
)
from planner.forms.plans import ReceiptsCsvForm
from planner.models import PlanRecord
from planner.present.labels import KIND_NAMES
from planner.scenarios import PlanError, fy_label, parse_plan_text, project
from planner.scenarios.editing import LinePreview, line_preview
from planner.scenarios.kinds import KINDS
from planner.scenarios.parse import money
from planner.scenarios.plan import ROLES, SERVICE_CATEGORIES, WARM_HANDOFF_MODES
from planner.scenarios.projection import Projection
from planner.services.county import authorizations_of, fit_of, receipt_labels, receipts_view
from planner.services.plans import (
    document_of,
    load_plan,
    normalized,
    update_plan,
)
from planner.services.receipts import read_receipts_csv
from planner.web.access import plan_or_404
from planner.web.common import (
    commit_or_flash,
    expected_version,
    plan_url,
    save_change,
    slugify,
    today,
)

blueprint = Blueprint("editor", __name__)


def _with_version(form_class: type) -> type:
    return type(form_class.__name__, (form_class,), {"version": HiddenField()})


def edit_form(
    record: PlanRecord,
    inputs: list[Input],
    *,
    template: str,
    title: str,
    action: str,
    done_url: str,
    done_message: str,
    prepare: Callable[[dict, Any], Any] | None = None,
    after: Callable[[dict, Any], None] | None = None,
    fill: bool = True,
    initial: dict[str, Any] | None = None,
    active: list[Input] | None = None,
    asked: frozenset[str] = frozenset(),
    reshow: bool = False,
    preview_of: tuple[int, str | None] | None = None,
    fragment: bool = False,
    **context: Any,
):
    """The one save flow of the editor. GET shows the form (filled from the plan, or with a
    new item's structural defaults); POST validates the whole plan and saves, or re-renders
    with the input kept: each problem beside its field (422), or the values someone else
    saved meanwhile beside each field (409).

    A line form holds the inputs of every variant of its kind; `active` are those of the
    chosen variant, the only ones checked and written. `reshow` re-renders the form for a
    newly chosen variant (nothing saved). A post with `preview` (or a `fragment` request
    from the page's script) projects the plan with the edited line and saves nothing."""
    form = _with_version(build_form(inputs, strategy_names=("strategy",)))()
    written = inputs if active is None else active
    status = 200
    newer: dict[str, Any] = {}
    unplaced: list[str] = []
    preview = None
    if request.method == "GET":
        if fill:
            fill_form(form, inputs, document_of(record))
        else:
            for spec in inputs:
                if spec.field.fixed_default is not None:
                    getattr(form, spec.name).data = spec.field.fixed_default
        for name, value in (initial or {}).items():
            getattr(form, name).data = value
        form.version.data = str(record.version)
    elif reshow and not fragment:
        # A new mode, role or status was chosen: show its fields, keep the input, save nothing.
        form.validate_on_submit()
        for spec in inputs:
            getattr(form, spec.name).errors = []
    else:
        valid = _validate(form, written, asked)

        def change(document: dict) -> None:
            if prepare:
                prepare(document, form)
            write_form(document, written, form)
            if after:
                after(document, form)

        if preview_of is not None and (fragment or request.form.get("preview")):
            if valid:
                try:
                    preview = _preview(record, change, *preview_of)
                except PlanError as error:
                    unplaced = attach_problems(form, inputs, error.problems)
                    status = 422
            else:
                status = 422
            if fragment:
                return render_template(
                    "plans/_line_preview.html",
                    preview=preview,
                    problems=_problems(form, inputs, unplaced),
                    record=record,
                ), status
        elif valid:
            outcome = save_change(
                lambda: update_plan(
                    db.session,
                    record,
                    current_user,
                    change,
                    expected_version=expected_version(form),
                    action=action,
                )
            )
            if outcome.saved:
                flash(done_message, "success")
                return redirect(done_url)
            if outcome.stale:
                current = document_of(record)
                newer = {
                    spec.name: display_value(spec, get_path(current, spec.path)) for spec in written
                }
                form.version.data = str(record.version)
                status = 409
            else:
                unplaced = attach_problems(form, inputs, list(outcome.problems))
                status = 422
        else:
            status = 422
    shown = {spec.name for spec in written}
    return render_template(
        template,
        record=record,
        form=form,
        inputs=inputs,
        title=title,
        newer=newer,
        unplaced=unplaced,
        shown=shown,
        preview=preview,
        reshown=reshow and request.method == "POST",
        notes=default_notes(
            load_plan(record), inputs, context.get("kind"), preview_of[0] if preview_of else 0
        ),
        **{name: v.make() if isinstance(v, Later) else v for name, v in context.items()},
    ), status


@dataclass(frozen=True)
class Later:
    """A value of the form's page made only when the form is shown (not for a save that
    redirects, nor for a live preview's fragment)."""

    make: Callable[[], Any]


def _validate(form: Any, written: list[Input], asked: frozenset[str]) -> bool:
    """CSRF, version and the chosen variant's inputs (the others are hidden, not posted)."""
    form.validate_on_submit()
    names = {spec.name for spec in written}
    for field in form:
        if field.name not in names and field.name not in ("csrf_token", "version"):
            field.errors = []
    for name in asked & names:
        field = getattr(form, name)
        if not (field.data or "").strip() and not field.errors:
            field.errors = [*field.errors, "is required: enter the rate your provider quotes"]
    return request.method == "POST" and not any(
        field.errors for field in form if field.name in names | {"csrf_token", "version"}
    )


def _problems(form: Any, inputs: list[Input], unplaced: list[str]) -> list[str]:
    """Every problem of a preview, each with the on-screen name of its field."""
    found = [
        f"{getattr(form, spec.name).label.text}: {error}"
        for spec in inputs
        for error in getattr(form, spec.name).errors
    ]
    if form.csrf_token.errors:
        found.append("The form expired: reload the page.")
    return found + unplaced


@functools.lru_cache(maxsize=32)
def _saved_projection(document: str) -> Projection:
    """The projection of a stored plan, for previews against it (the same text projects the
    same way; a preview is typed many times against one saved plan)."""
    return project(parse_plan_text(document, default_cost_tables()))


def _preview(
    record: PlanRecord, change: Callable[[dict], None], index: int, line_id: str | None
) -> LinePreview:
    """The engine's figures for the edited line: the plan with the edit, projected, against
    the plan as saved. Nothing is written."""
    document = document_of(record)
    change(document)
    plan, _ = normalized(document)
    if index < 0:
        index = len(plan.line_items) - 1
    return line_preview(plan, project(plan), index, _saved_projection(record.document), line_id)


@blueprint.route("/j/<slug>/plans/<int:plan_id>/edit/<section>", methods=["GET", "POST"])
def section(slug: str, plan_id: int, section: str):
    record, _ = plan_or_404(slug, plan_id, change=True)
    if section not in SECTIONS:
        abort(404)
    title, make_inputs = SECTIONS[section]
    return edit_form(
        record,
        make_inputs(),
        template="plans/edit_form.html",
        title=title,
        action=f"edited {section}",
        done_url=plan_url(record, f"#{section}"),
        done_message=f"Saved {title.lower()}.",
        cancel_anchor=f"#{section}",
        hidden=None,
        move_plan=section == "settings",
    )


# ------------------------------------------------------------------------ receipts


OPENING_BALANCE = Input(
    "opening_balance",
    ("fund", "opening_balance"),
    money("opening_balance"),
    label="Opening balance ($): settlement money on hand at the start of the first FY",
)


def receipt_inputs(record: PlanRecord) -> list[Input]:
    """The opening balance, then each FY's receipts; by stream (§18) for a plan that gives
    its receipts by stream (every stream of the cost tables, in their order)."""
    plan = load_plan(record)
    if plan.fund.receipts_by_stream:
        return [OPENING_BALANCE] + [
            Input(
                f"s_{stream.slug.replace('-', '_')}_{fy}",
                ("fund", "receipts_by_stream", stream.slug, fy_label(fy)),
                money(fy_label(fy)),
                label=fy_label(fy),
            )
            for stream in default_cost_tables().streams
            for fy in plan.fiscal_years
        ]
    return [OPENING_BALANCE] + [
        Input(
            f"fy_{fy}", ("fund", "receipts", fy_label(fy)), money(fy_label(fy)), label=fy_label(fy)
        )
        for fy in plan.fiscal_years
    ]


@blueprint.route("/j/<slug>/plans/<int:plan_id>/edit/receipts", methods=["GET", "POST"])
def receipts(slug: str, plan_id: int):
    record, _ = plan_or_404(slug, plan_id, change=True)
    plan = load_plan(record)
    labels = receipt_labels(record, plan)
    inputs = receipt_inputs(record)
    estimated = {f"fy_{fy}" for fy in labels.estimated_fys} | {
        f"s_{stream.replace('-', '_')}_{fy}"
        for stream, fys in labels.stream_fys.items()
        for fy in fys
    }
    return edit_form(
        record,
        inputs,
        template="plans/edit_receipts.html",
        title="Receipts by FY",
        action="edited receipts",
        done_url=plan_url(record, "#fund"),
        done_message="Saved the receipts.",
        csv_form=ReceiptsCsvForm(),
        labels=labels,
        estimated=estimated,
        spread_form=SpreadTotalForm(version=str(record.version)),
        receipts_view=receipts_view(record, plan, labels),
        stream_inputs={
            stream.slug: [
                i for i in inputs if i.path[:3] == ("fund", "receipts_by_stream", stream.slug)
            ]
            for stream in default_cost_tables().streams
        },
        streams_of_tables=default_cost_tables().streams,
    )


def _merged(stored: dict, entries: dict[str, str]) -> dict:
    """The stored receipts with the CSV's FYs replacing any key naming the same FY."""
    kept = {k: v for k, v in stored.items() if k not in entries and not k.isdigit()}
    kept.update(
        {k: v for k, v in stored.items() if k.isdigit() and fy_label(int(k)) not in entries}
    )
    return {**kept, **entries}


def _current_receipts(record: PlanRecord) -> dict:
    """The stored receipts the preview shows as "Now": by FY, or by (stream, FY) (§18)."""
    fund = load_plan(record).fund
    if fund.receipts_by_stream:
        return {
            (stream, fy): amount
            for stream, amounts in fund.receipts_by_stream
            for fy, amount in amounts
        }
    return dict(fund.receipts)


@blueprint.post("/j/<slug>/plans/<int:plan_id>/edit/receipts/csv")
def receipts_csv(slug: str, plan_id: int):
    record, _ = plan_or_404(slug, plan_id, change=True)
    form = ReceiptsCsvForm()
    if not form.validate_on_submit():
        abort(400)
    text = form.csv_text.data or ""
    if form.file.data and getattr(form.file.data, "filename", ""):
        try:
            text = form.file.data.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            flash("The CSV file is not UTF-8 text.", "error")
            return redirect(url_for("editor.receipts", slug=slug, plan_id=plan_id))
    by_stream = bool(load_plan(record).fund.receipts_by_stream)
    parsed = read_receipts_csv(text, by_stream=by_stream)
    current = _current_receipts(record)
    stale = False
    confirm = request.form.get("confirm") == "1"
    if confirm and not parsed.problems:

        def change(document: dict) -> None:
            fund = document.setdefault("fund", {})
            if by_stream:  # §18: each stream's FYs in the CSV replace the stored ones
                streams = fund.setdefault("receipts_by_stream", {})
                for stream, entries in parsed.as_streams().items():
                    streams[stream] = _merged(streams.get(stream) or {}, entries)
                return
            fund["receipts"] = _merged(fund.get("receipts") or {}, parsed.as_document())

        # the preview's version: what "Now" showed
        outcome = save_change(
            lambda: update_plan(
                db.session,
                record,
                current_user,
                change,
                expected_version=expected_version(form),
                action="imported receipts CSV",
            )
        )
        if outcome.saved:
            flash(f"Imported {len(parsed.rows)} receipts.", "success")
            return redirect(url_for("plans.show", slug=slug, plan_id=plan_id) + "#fund")
        if outcome.stale:
            stale = True
            current = _current_receipts(record)
        else:
            parsed = type(parsed)(parsed.rows, tuple(str(p) for p in outcome.problems))
    form.csv_text.data = text
    form.version.data = str(record.version)
    plan_fys = set(load_plan(record).fiscal_years)
    status = 409 if stale else 422 if parsed.problems else 200
    return render_template(
        "plans/receipts_preview.html",
        record=record,
        form=form,
        parsed=parsed,
        current=current,
        plan_fys=plan_fys,
        stale=stale,
        status=status,
    ), status


# ------------------------------------------------------------------------ authorizations


@blueprint.route("/j/<slug>/plans/<int:plan_id>/edit/authorizations", methods=["GET", "POST"])
def authorizations(slug: str, plan_id: int):
    record, _ = plan_or_404(slug, plan_id, change=True)
    count = len(document_of(record).get("program", {}).get("authorizations") or [])
    inputs = authorization_inputs(count)

    def append(document: dict, form: Any) -> None:
        program = document.setdefault("program", {})
        program["authorizations"] = [*(program.get("authorizations") or []), {}]

    plan = load_plan(record)
    return edit_form(
        record,
        inputs,
        template="plans/edit_authorizations.html",
        title="Authorizations",
        action="added an authorization",
        prepare=append,
        fill=False,
        done_url=url_for("editor.authorizations", slug=slug, plan_id=plan_id),
        done_message="Added the authorization.",
        plan=plan,
        action_form=ActionForm(),
        facts=authorizations_of(plan, today()),
        authorize_form=AuthorizeForm(
            prefix=AUTHORIZE,
            first_fy=fy_label(plan.start_fy),
            last_fy=fy_label(plan.fiscal_years[min(1, plan.years - 1)]),
            version=str(record.version),
        ),
    )


@blueprint.post("/j/<slug>/plans/<int:plan_id>/authorizations/<int:index>/delete")
def delete_authorization(slug: str, plan_id: int, index: int):
    def change(document: dict) -> None:
        listed = document.get("program", {}).get("authorizations") or []
        if index >= len(listed):
            abort(404)
        listed.pop(index)

    return button_action(
        slug,
        plan_id,
        change,
        "deleted an authorization",
        url_for("editor.authorizations", slug=slug, plan_id=plan_id),
        "Deleted the authorization.",
    )


def button_action(
    slug: str,
    plan_id: int,
    change: Callable[[dict], None],
    action: str,
    done_url: str,
    success: str,
) -> Any:
    """A button that changes the plan (delete, move): it carries the version the page showed,
    so a click on a page someone else has since changed changes nothing."""
    record, _ = plan_or_404(slug, plan_id, change=True)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    saved, _ = commit_or_flash(
        lambda: update_plan(
            db.session,
            record,
            current_user,
            change,
            expected_version=expected_version(form),
            action=action,
        )
    )
    if saved:
        flash(success, "success")
    return redirect(done_url)


# ------------------------------------------------------------------------ line items


def _new_line_id(document: dict, base: str) -> str:
    """The label's slug, numbered past the ids the plan has (`new`, `new-2`): every id the
    engine accepts opens at /lines/<id>, `new` and `create` included."""
    taken = {line.get("id") for line in document.get("line_items", [])}
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def _line_index(document: dict, line_id: str) -> int:
    for index, line in enumerate(document.get("line_items", [])):
        if line.get("id") == line_id:
            return index
    abort(404)


# Adding a line lives under /add-line, apart from /lines/<line_id>: a line may be called
# anything, `new` and `create` included (a plan file chooses its own ids).
@blueprint.get("/j/<slug>/plans/<int:plan_id>/add-line")
def new_line_kind(slug: str, plan_id: int):
    record, _ = plan_or_404(slug, plan_id, change=True)
    kind = request.args.get("kind")
    if kind:
        return new_line(slug, plan_id)
    return render_template(
        "plans/new_line.html",
        record=record,
        kinds=KINDS,
        kind_names=KIND_NAMES,
        modes=WARM_HANDOFF_MODES,
        roles=ROLES,
    )


def _choice_of(kind: str, chosen: str | None, fallback: str | None) -> tuple[str, bool]:
    """The value of the line's choice (mode, role, status) the form is for, and whether it
    differs from the one the posted form showed (then the form is shown again for it)."""
    name = LINE_CHOICE.get(kind)
    if name is None:
        return "", False
    values = CHOICE_VALUES[name]
    value = chosen if chosen in values else (fallback if fallback in values else values[0])
    if request.method != "POST":
        return value, False
    return value, bool(request.form.get("refresh")) or request.form.get("shown") != value


def line_form(
    record: PlanRecord,
    *,
    kind: str,
    index: int,
    line_id: str | None,
    chosen: str | None,
    fallback: str | None,
    fragment: bool,
    **options: Any,
):
    value, reshow = _choice_of(kind, chosen, fallback)
    slug, plan_id = record.jurisdiction.slug, record.id
    preview_url = (
        url_for("editor.edit_line_preview", slug=slug, plan_id=plan_id, line_id=line_id)
        if line_id
        else url_for("editor.new_line_preview", slug=slug, plan_id=plan_id)
    )
    return edit_form(
        record,
        line_form_inputs(kind, index),
        template="plans/edit_form.html",
        active=active_inputs(kind, index, value),
        asked=frozenset(asked_inputs(kind, value)),
        reshow=reshow,
        preview_of=(-1 if line_id is None else index, line_id),
        fragment=fragment,
        done_url=plan_url(record, "#line-items"),
        done_message="Saved the line item.",
        line_id=line_id,
        cancel_anchor="#line-items",
        action_form=ActionForm(),
        kind=kind,
        choice=LINE_CHOICE.get(kind),
        choice_value=value,
        preview_url=preview_url,
        **options,
    )


@blueprint.route("/j/<slug>/plans/<int:plan_id>/add-line/create", methods=["GET", "POST"])
def new_line(slug: str, plan_id: int, fragment: bool = False):
    record, _ = plan_or_404(slug, plan_id, change=True)
    source = request.form if request.method == "POST" else request.args
    kind = source.get("kind", "")
    if kind not in KINDS:
        abort(404)
    choice = LINE_CHOICE.get(kind)
    index = len(document_of(record).get("line_items", []))
    initial: dict[str, Any] = {}
    if kind != "other_strategy":
        initial["strategy"] = NEW_LINE_STRATEGY
    if choice and source.get(choice) in CHOICE_VALUES[choice]:
        initial[choice] = source.get(choice)
    if kind == "service_gap" and source.get("category") in SERVICE_CATEGORIES:
        initial["category"] = source.get("category")

    def add(document: dict, form: Any) -> None:
        label = (form.label.data or "").strip()
        line = {"id": _new_line_id(document, slugify(label or kind, fallback="line")), "kind": kind}
        document.setdefault("line_items", []).append(line)

    return line_form(
        record,
        kind=kind,
        index=index,
        line_id=None,
        chosen=source.get(choice) if choice else None,
        fallback=None,
        fragment=fragment,
        title=f"New line: {KIND_NAMES[kind]}",
        action="added a line item",
        prepare=add,
        fill=False,
        initial=initial,
        hidden={"kind": kind},
    )


@blueprint.post("/j/<slug>/plans/<int:plan_id>/add-line/create/preview")
def new_line_preview(slug: str, plan_id: int):
    return new_line(slug, plan_id, fragment=True)


@blueprint.route("/j/<slug>/plans/<int:plan_id>/lines/<line_id>", methods=["GET", "POST"])
def edit_line(slug: str, plan_id: int, line_id: str, fragment: bool = False):
    record, _ = plan_or_404(slug, plan_id, change=True)
    document = document_of(record)
    index = _line_index(document, line_id)
    line = document["line_items"][index]
    kind = line["kind"]
    choice = LINE_CHOICE.get(kind)
    chosen = request.form.get(choice) if choice and request.method == "POST" else None
    return line_form(
        record,
        kind=kind,
        index=index,
        line_id=line_id,
        chosen=chosen,
        fallback=line.get(choice) if choice else None,
        fragment=fragment,
        title=f"{KIND_NAMES[kind]}: {line.get('label') or line_id}",
        action=f"edited line {line_id}",
        after=_reshape_line(index),
        hidden=None,
        # only a form shown again reads them (a save redirects; a preview is a fragment)
        line_fit=Later(lambda: fit_of(record, f"line:{line_id}")),
        justification_warnings=Later(lambda: _justification_warnings(record, line_id)),
    )


def _justification_warnings(record: PlanRecord, line_id: str) -> list[str]:
    """Where the saved line's own justification states a number its numbers contradict
    (issue 23): the engine finds them (`scenarios/justification.py`)."""
    from planner.web.views import cached_view, contradictions_of

    view = cached_view(record, today())  # kept per version, as the plan page reads it
    return [c.message for c in contradictions_of(view).get(line_id, ())]


@blueprint.post("/j/<slug>/plans/<int:plan_id>/lines/<line_id>/preview")
def edit_line_preview(slug: str, plan_id: int, line_id: str):
    return edit_line(slug, plan_id, line_id, fragment=True)


def _reshape_line(index: int) -> Callable[[dict, Any], None]:
    """After a role, mode or status change, drop the parameters the new shape does not take."""

    def reshape(document: dict, form: Any) -> None:
        line = document["line_items"][index]
        choice = LINE_CHOICE.get(line["kind"])
        allowed = {"id", "kind", "funded_by"} | {  # funded_by (§16) is not a form input
            spec.name
            for spec in active_inputs(line["kind"], index, line.get(choice, "") if choice else "")
        }
        for key in list(line):
            if key not in allowed:
                line.pop(key)

    return reshape


@blueprint.post("/j/<slug>/plans/<int:plan_id>/lines/<line_id>/delete")
def delete_line(slug: str, plan_id: int, line_id: str):
    def change(document: dict) -> None:
        document["line_items"].pop(_line_index(document, line_id))

    return button_action(
        slug,
        plan_id,
        change,
        f"deleted line {line_id}",
        url_for("plans.show", slug=slug, plan_id=plan_id) + "#line-items",
        f"Deleted line '{line_id}'.",
    )


@blueprint.post("/j/<slug>/plans/<int:plan_id>/lines/<line_id>/move/<direction>")
def move_line(slug: str, plan_id: int, line_id: str, direction: str):
    if direction not in ("up", "down"):
        abort(404)

    def change(document: dict) -> None:
        lines = document["line_items"]
        index = _line_index(document, line_id)
        target = index - 1 if direction == "up" else index + 1
        if 0 <= target < len(lines):
            lines[index], lines[target] = lines[target], lines[index]

    return button_action(
        slug,
        plan_id,
        change,
        f"moved line {line_id} {direction}",
        url_for("plans.show", slug=slug, plan_id=plan_id) + "#line-items",
        f"Moved line '{line_id}' {direction}.",
    )
