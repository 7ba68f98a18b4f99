"""A jurisdiction's actuals (issue 13): the FYs recorded, a form per FY, the ledger CSV
upload with its preview, the history; on a plan, Exhibit E downloads and the Exhibit F page.

Actuals belong to the jurisdiction, not to a plan: the routes that change them have no plan
in their address (an adopted plan stays frozen), and carry the plan the user came from as
`plan` only to check the FYs against it and to return to it."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from planner.cost_tables import default_cost_tables
from planner.extensions import db
from planner.forms.actuals import (
    CSV_TEXT,
    EXTRA_STRATEGIES,
    ActualsButtonForm,
    ActualsCsvForm,
    StrategyRow,
    entry_from,
    field_name,
    fill,
    fy_form,
    outcome_name,
    outcomes_form,
)
from planner.forms.auth import id_of, version_of
from planner.models import Jurisdiction, PlanRecord
from planner.present import formatting
from planner.reports import annual
from planner.reports.context import strategy_titles
from planner.scenarios import FiscalYearError, PlanError, fy_label, parse_fy
from planner.scenarios.actuals import VarianceRow, entry_spent
from planner.scenarios.annual_report import deadlines
from planner.scenarios.compliance import strategy_title
from planner.scenarios.exhibits import exhibit_f as engine_exhibit_f
from planner.scenarios.fiscal import fy_of
from planner.scenarios.limits import nesting_problem
from planner.services import actuals as service
from planner.services import plan_documents as documents
from planner.services.plans import load_plan, plans_of
from planner.web.access import can_edit, jurisdiction_or_404, plan_or_404, require_editor
from planner.web.common import today
from planner.web.plans import download_name
from planner.web.views import cached_view

blueprint = Blueprint("actuals", __name__)


def _fy_or_404(text: str) -> int:
    try:
        return parse_fy(text)
    except (FiscalYearError, ValueError):
        abort(404)


def _context_plan(jurisdiction: Jurisdiction, raw: str | None) -> PlanRecord | None:
    """The plan the user came from (`plan` of the query or the form), or None; 404 for a
    plan that is not the jurisdiction's."""
    if not raw:
        return None
    number = id_of(raw)
    record = db.session.get(PlanRecord, number) if number is not None else None
    if record is None or record.jurisdiction_id != jurisdiction.id or record.deleted_at:
        abort(404)
    return record


def _span(record: PlanRecord | None) -> tuple[int, int] | None:
    if record is None:
        return None
    plan = load_plan(record)
    return plan.start_fy, plan.years


def _back(jurisdiction: Jurisdiction, plan: PlanRecord | None, anchor: str = "#actuals"):
    if plan is not None:
        return url_for("plans.show", slug=jurisdiction.slug, plan_id=plan.id) + anchor
    return url_for("actuals.index", slug=jurisdiction.slug)


def strategy_rows(
    jurisdiction: Jurisdiction, plan: PlanRecord | None, entry: dict[str, Any] | None = None
) -> list[StrategyRow]:
    """The spending rows of a FY's form: the strategies of the plan the user came from (or
    of every plan of the jurisdiction), then those already recorded for the FY."""
    records = [plan] if plan is not None else plans_of(db.session, jurisdiction)
    codes: list[str] = []
    for record in records:
        for line in load_plan(record).line_items:
            if line.strategy and line.strategy not in codes:
                codes.append(line.strategy)
    for code in (entry or {}).get("spending") or {}:
        if code not in codes:
            codes.append(code)
    titles = strategy_titles(codes, default_cost_tables())
    return [StrategyRow(code, titles.get(code, code), field_name(code)) for code in codes]


# ------------------------------------------------------------------------ the list


@blueprint.get("/j/<slug>/actuals/")
def index(slug: str):
    jurisdiction, role = jurisdiction_or_404(slug)
    plan = _context_plan(jurisdiction, request.args.get("plan"))
    records = documents.records_of(db.session, jurisdiction)
    entries = {fy: documents.entry_of(r) for fy, r in records.items()}
    current = fy_of(today())
    return render_template(
        "actuals/index.html",
        jurisdiction=jurisdiction,
        role=role,
        can_edit=can_edit(role),
        records=records,
        entries=entries,
        plan=plan,
        csv_form=ActualsCsvForm(
            plan=str(plan.id) if plan else "", versions=service.versions_text(records)
        ),
        next_fy=service.next_fy(records, current),
        history=service.history(db.session, jurisdiction, limit=20),
        columns=service.CSV_COLUMNS,
        items=service.ITEMS,
        totals=_totals(entries),
    )


def _totals(entries: dict[int, dict[str, Any]]) -> dict[int, int]:
    """Each FY's spending over its strategies (each amount to whole dollars, §11)."""
    return {fy: entry_spent(e) for fy, e in entries.items()}


@blueprint.get("/j/<slug>/actuals/history")
def history(slug: str):
    jurisdiction, _ = jurisdiction_or_404(slug)
    return render_template(
        "actuals/history.html",
        jurisdiction=jurisdiction,
        entries=service.history(db.session, jurisdiction),
    )


@blueprint.get("/j/<slug>/actuals/template.csv")
def template_csv(slug: str):
    jurisdiction, _ = jurisdiction_or_404(slug)
    return Response(
        service.CSV_TEMPLATE,
        mimetype="text/csv",
        headers={
            "Content-Disposition": (
                f'attachment; filename="{jurisdiction.slug}_actuals-template.csv"'
            )
        },
    )


# ------------------------------------------------------------------------ one FY


@blueprint.route("/j/<slug>/actuals/<fy_text>", methods=["GET", "POST"])
def fy(slug: str, fy_text: str):
    jurisdiction, role = jurisdiction_or_404(slug)
    fiscal_year = _fy_or_404(fy_text)
    plan = _context_plan(jurisdiction, request.values.get("plan"))
    record = documents.records_of(db.session, jurisdiction).get(fiscal_year)
    entry = documents.entry_of(record) if record is not None else {}
    rows = strategy_rows(jurisdiction, plan, entry)
    form = fy_form(rows)()
    status, newer = 200, {}
    problems: list[service.ActualsProblem] = []
    if request.method == "GET":
        fill(form, entry, rows)
        form.version.data = str(record.version if record else 0)
        form.plan.data = str(plan.id) if plan else ""
    else:
        require_editor(role)
        if form.validate_on_submit():
            posted, where = entry_from(form, rows)
            based_on = version_of(form)
            try:
                service.save_fy(
                    db.session,
                    jurisdiction,
                    current_user,
                    fiscal_year,
                    posted,
                    expected_version=-1 if based_on is None else based_on,
                    as_of=today(),
                    action="entered the FY's actuals",
                    plan_span=_span(plan),
                )
            except service.StaleActuals as stale:
                db.session.rollback()
                shown = documents.entry_of(stale.record) if stale.record is not None else {}
                newer = _display(shown, rows)
                form.version.data = str(stale.record.version if stale.record else 0)
                status = 409
            except service.ActualsError as error:
                db.session.rollback()
                problems = _attach(form, error.problems, where)
                status = 422
            else:
                db.session.commit()
                flash(
                    f"Saved {fy_label(fiscal_year)}'s actuals: every plan covering it is "
                    "reforecast.",
                    "success",
                )
                return redirect(_back(jurisdiction, plan))
        else:
            status = 422
    return render_template(
        "actuals/fy.html",
        jurisdiction=jurisdiction,
        fiscal_year=fiscal_year,
        record=record,
        entry=entry,
        form=form,
        rows=rows,
        plan=plan,
        can_edit=can_edit(role),
        newer=newer,
        problems=problems,
        delete_form=ActualsButtonForm(version=str(record.version)) if record else None,
        back=_back(jurisdiction, plan),
        extra=range(1, EXTRA_STRATEGIES + 1),
    ), status


def _display(entry: dict[str, Any], rows: list[StrategyRow]) -> dict[str, str]:
    """A recorded entry as the form's fields show it (for the values saved meanwhile)."""
    shown = {
        key: str(entry.get(key, ""))
        for key in ("receipts", "interest", "audit_costs", "enrolled", "reported_on")
    }
    spending = entry.get("spending") or {}
    for row in rows:
        shown[row.name] = spending.get(row.code, "")
    for pathway, amount in (entry.get("referrals") or {}).items():
        shown[f"referrals_{pathway}"] = amount
    return shown


def _attach(
    form: Any, problems: tuple[service.ActualsProblem, ...], where: dict[str, tuple[str, ...]]
) -> list[service.ActualsProblem]:
    """Each problem beside its field; the ones of no field are returned (shown above)."""
    unplaced = []
    for problem in problems:
        names = where.get(problem.field)
        if not names:
            unplaced.append(problem)
            continue
        name = names[0] if problem.code == "unknown_strategy" else names[-1]
        field = getattr(form, name)
        field.errors = [*field.errors, problem.message]
    return unplaced


def _stale(jurisdiction: Jurisdiction, fiscal_year: int, what: str, again: str):
    """A button pressed on a page older than the FY's record: nothing changed (409)."""
    return render_template(
        "actuals/stale.html",
        jurisdiction=jurisdiction,
        what=what,
        fiscal_year=fiscal_year,
        again=again,
        history=service.history(db.session, jurisdiction, [fiscal_year], limit=10),
    ), 409


@blueprint.post("/j/<slug>/actuals/<fy_text>/delete")
def delete(slug: str, fy_text: str):
    jurisdiction, role = jurisdiction_or_404(slug)
    require_editor(role)
    fiscal_year = _fy_or_404(fy_text)
    form = ActualsButtonForm()
    if not form.validate_on_submit():
        abort(400)
    based_on = version_of(form)
    try:
        service.delete_fy(
            db.session,
            jurisdiction,
            current_user,
            fiscal_year,
            expected_version=-1 if based_on is None else based_on,
        )
    except service.StaleActuals:
        db.session.rollback()
        return _stale(
            jurisdiction,
            fiscal_year,
            "Not removed",
            url_for("actuals.fy", slug=slug, fy_text=fy_label(fiscal_year)),
        )
    except service.ActualsError as error:
        db.session.rollback()
        flash("Not removed: " + "; ".join(p.message for p in error.problems), "error")
        return redirect(url_for("actuals.fy", slug=slug, fy_text=fy_label(fiscal_year)))
    db.session.commit()
    flash(f"Removed {fy_label(fiscal_year)}'s actuals.", "success")
    return redirect(url_for("actuals.index", slug=slug))


# ------------------------------------------------------------------------ the upload


@blueprint.post("/j/<slug>/actuals/upload")
def upload(slug: str):
    """Preview (nothing saved) or, with `confirm`, save what the preview showed."""
    jurisdiction, role = jurisdiction_or_404(slug)
    require_editor(role)
    form = ActualsCsvForm()
    if not form.validate_on_submit():
        abort(400)
    plan = _context_plan(jurisdiction, form.plan.data)
    text = form.csv_text.data or ""
    if form.file.data and getattr(form.file.data, "filename", ""):
        try:
            text = form.file.data.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            flash("The CSV file is not UTF-8 text.", "error")
            return redirect(_back(jurisdiction, plan))
    from_file = bool(form.entries_json.data)
    shown = _preview(jurisdiction, plan, text, form.entries_json.data or "")
    stale = False
    if request.form.get("confirm") == "1" and shown.saves:
        try:
            saved = service.apply_preview(
                db.session,
                jurisdiction,
                current_user,
                shown,
                based_on=form.versions.data or "",
                as_of=today(),
                plan_span=_span(plan),
                action="added actuals from a plan file" if from_file else "imported the ledger CSV",
            )
        except service.StaleActuals:
            db.session.rollback()
            stale = True
            shown = _preview(jurisdiction, plan, text, form.entries_json.data or "")
        except (service.ActualsError, PlanError) as error:
            db.session.rollback()
            shown = service.Preview(
                shown.fys, tuple(getattr(error, "problems", ())), shown.versions
            )
        else:
            db.session.commit()
            flash(f"Saved the actuals of {saved} FY{'s' if saved != 1 else ''}.", "success")
            return redirect(_back(jurisdiction, plan))
    form.csv_text.data = text
    form.versions.data = shown.versions
    status = 409 if stale else 422 if shown.problems else 200
    return render_template(
        "actuals/preview.html",
        jurisdiction=jurisdiction,
        plan=plan,
        form=form,
        shown=shown,
        stale=stale,
        from_file=from_file,
        back=_back(jurisdiction, plan),
        describe=service.describe_path,
    ), status


def _preview(
    jurisdiction: Jurisdiction, plan: PlanRecord | None, text: str, entries_json: str
) -> service.Preview:
    if entries_json:  # a plan file's actuals section (recorded FYs win)
        found = read_entries_json(entries_json)
        if found is None:
            abort(400)  # not what the import page wrote
        return service.preview(
            db.session, jurisdiction, found, today(), plan_span=_span(plan), recorded_win=True
        )
    parsed = service.read_actuals_csv(text)
    lines: dict[int, Any] = {}
    for row in parsed.rows:
        lines.setdefault(row.fiscal_year, row.line)
    return service.preview(
        db.session,
        jurisdiction,
        parsed.entries(),
        today(),
        plan_span=_span(plan),
        items=parsed.items,
        problems=parsed.problems,
        lines=lines,
    )


def read_entries_json(text: str) -> dict[int, dict[str, Any]] | None:
    """The FY entries a plan file's import page carried in its hidden `entries_json` field,
    read like a plan file (cost model §15): the text's length first, then JSON without
    recursion errors, nesting within `nesting_max`, at most `actuals_max` FYs, each key a
    FY inside the §15 range (parse_fy) and each entry an object. None when it is not what
    the import page wrote (the caller answers 400: an editor can only get here by editing
    the hidden field)."""
    limits = default_cost_tables().limits
    if limits is None or len(text) > CSV_TEXT:
        return None
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: thousands of nested brackets
        return None
    if not isinstance(data, dict) or len(data) > limits.actuals_max:
        return None
    if nesting_problem(data, limits) is not None:
        return None
    found: dict[int, dict[str, Any]] = {}
    for key, entry in data.items():
        if not isinstance(entry, dict):
            return None
        try:
            fy = parse_fy(key)
        except FiscalYearError:
            return None
        if fy in found:
            return None
        found[fy] = entry
    return found


def offer_from_file(jurisdiction: Jurisdiction, plan: PlanRecord, found: dict[int, dict[str, Any]]):
    """After a plan file with an `actuals` section is imported: its FYs the jurisdiction
    has no record for, offered through the same preview (recorded FYs win)."""
    shown = service.preview(
        db.session, jurisdiction, found, today(), plan_span=_span(plan), recorded_win=True
    )
    form = ActualsCsvForm(
        plan=str(plan.id),
        versions=shown.versions,
        entries_json=json.dumps({str(k): v for k, v in found.items()}),
    )
    return render_template(
        "actuals/preview.html",
        jurisdiction=jurisdiction,
        plan=plan,
        form=form,
        shown=shown,
        stale=False,
        from_file=True,
        back=_back(jurisdiction, plan),
        imported=plan,
        describe=service.describe_path,
    )


def offer_or_none(
    jurisdiction: Jurisdiction, plan: PlanRecord, found: dict[int, dict[str, Any]] | None
):
    """The offer page when the imported file's actuals would add or differ; else None."""
    if not found:
        return None
    shown = service.preview(
        db.session, jurisdiction, found, today(), plan_span=_span(plan), recorded_win=True
    )
    if not any(f.status == "new" or f.changes for f in shown.fys):
        return None
    return offer_from_file(jurisdiction, plan, found)


# ------------------------------------------------------------------------ on the plan page


@dataclass(frozen=True)
class ShownRow:
    """A row of the page's variance table: the engine's row (its arithmetic and direction,
    `scenarios.actuals.VarianceRow`) under the title the page gives it."""

    code: str
    title: str
    row: VarianceRow

    @property
    def planned(self) -> int:
        return self.row.planned

    @property
    def actual(self) -> int:
        return self.row.actual

    @property
    def variance(self) -> int:
        return self.row.variance

    @property
    def percent(self) -> str:  # "+12.5%", "n/a"
        return self.row.percent

    @property
    def state(self) -> str:  # "over" | "under" | "on-plan" (a CSS class; the words say it)
        return "on-plan" if self.row.direction == "even" else self.row.direction

    @property
    def words(self) -> str:
        if self.state == "on-plan":
            return "as planned"
        return f"{self.state} plan by {formatting.money(abs(self.variance))}"


@dataclass(frozen=True)
class ClosedFy:
    fiscal_year: int
    rows: tuple[ShownRow, ...]
    total: ShownRow
    receipts: ShownRow
    interest: ShownRow
    audit_costs: int
    flags: tuple[str, ...]  # MOA §E.6: spent without a covering authorization, or above it
    reported_on: str | None


@dataclass(frozen=True)
class ActualsSection:
    closed: tuple[ClosedFy, ...]
    adopted_closing: tuple[int, ...] | None  # the fund as adopted (or as saved)
    not_applied: tuple[int, ...]  # recorded FYs of the plan that cannot apply (a gap)
    next_fy: int | None  # the closed FY to enter next for this plan


def _row(code: str, title: str, planned: int, actual: int) -> ShownRow:
    return ShownRow(code, title, VarianceRow.of(code, planned, actual))


def _flags(results: Any, fy: int) -> tuple[str, ...]:
    """MOA §E.6 from the compliance facts: actual spending no adopted authorization covers,
    and authorizations the spending of their period exceeds."""
    found: list[str] = []
    titles = default_cost_tables()
    for result in results:
        if result.rule != "MOA-AUTHORIZATION":
            continue
        for item in result.facts.get("unauthorized_actuals") or []:
            if item["fiscal_year"] == fy:
                found.append(
                    f"{strategy_title(item['strategy'], titles)}: "
                    f"{formatting.money(item['amount'])} spent with no adopted "
                    "authorization covering this FY"
                )
        for item in result.facts.get("over") or []:
            if fy in (item.get("fiscal_years") or []):
                found.append(
                    f"{strategy_title(item.get('strategy'), titles)}: spending above "
                    f"its authorization by {formatting.money(Decimal(item['over']))}"
                )
    return tuple(dict.fromkeys(found))


def section_of(view: Any, as_of: dt.date | None = None) -> ActualsSection:
    """What the plan page's actuals section shows (`plans/_actuals.html`)."""
    projection = view.projection
    block = projection.actuals
    titles = strategy_titles(block.strategies if block else (), default_cost_tables())
    closed = []
    by_fy = {entry.fy: entry for entry in view.plan.actuals}
    for k, fy in enumerate(block.closed_fys if block else ()):
        rows = tuple(
            ShownRow(row.strategy, titles.get(row.strategy, row.strategy), row)
            for row in block.variance_rows(k)
        )
        total = ShownRow("", "All strategies", block.totals(k))
        reported = by_fy[fy].reported_on
        closed.append(
            ClosedFy(
                fy,
                rows,
                total,
                _row(
                    "",
                    "Settlement funds received",
                    block.receipts_planned[k],
                    block.receipts_actual[k],
                ),
                _row("", "Interest earned", block.interest_planned[k], block.interest_actual[k]),
                block.audit_costs[k],
                _flags(view.results, fy),
                formatting.long_date(reported) if reported else None,
            )
        )
    record = view.record
    recorded = (
        documents.records_of(db.session, record.jurisdiction)
        if isinstance(record, PlanRecord)
        else {}
    )
    plan = view.plan
    applied = {c.fiscal_year for c in closed}
    not_applied = tuple(fy for fy in recorded if fy in plan.fiscal_years and fy not in applied)
    current = fy_of(as_of or today())
    first_open = plan.start_fy + len(closed)
    next_fy = (
        first_open
        if first_open < current and first_open in plan.fiscal_years and first_open not in recorded
        else None
    )
    adopted = projection.adopted_fund
    return ActualsSection(
        tuple(closed), None if adopted is None else tuple(adopted.closing), not_applied, next_fy
    )


@blueprint.app_template_global("actuals_section")
def actuals_section(view: Any, as_of: dt.date | None = None) -> ActualsSection:
    return section_of(view, as_of)


# ------------------------------------------------------------------------ Exhibits E and F


def _closed_view(slug: str, plan_id: int, fy_text: str):
    record, role = plan_or_404(slug, plan_id)
    fiscal_year = _fy_or_404(fy_text)
    view = cached_view(record, today())
    if fiscal_year not in [e.fy for e in view.plan.actuals]:
        abort(404)  # not a closed FY of this plan: no report yet
    return record, role, fiscal_year, view


EXHIBIT_E_TYPES = {
    "pdf": "application/pdf",
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@blueprint.get("/j/<slug>/plans/<int:plan_id>/exhibit-e/<fy_text>.<ext>")
def exhibit_e(slug: str, plan_id: int, fy_text: str, ext: str):
    """The annual financial report of a closed FY, pre-filled: a PDF to file, CSV and XLSX
    rows to paste into CORE-NC's form."""
    if ext not in EXHIBIT_E_TYPES:
        abort(404)
    record, _, fiscal_year, view = _closed_view(slug, plan_id, fy_text)
    report, impact = annual.annual_reports(
        view.plan, view.projection, fiscal_year, default_cost_tables()
    )
    body: bytes | str
    if ext == "pdf":
        stored = documents.records_of(db.session, record.jurisdiction).get(fiscal_year)
        body = annual.exhibit_e_pdf(
            report, impact, prepared_on=today(), outcomes=service.outcomes_of(stored)
        )  # Exhibit F filled
    elif ext == "csv":
        body = annual.exhibit_e_csv(report)
    else:
        body = annual.exhibit_e_xlsx(report)
    name = download_name(record, ext).replace(
        f"_{today().isoformat()}", f"_exhibit-e-{fy_label(fiscal_year)}_{today().isoformat()}"
    )
    return Response(
        body,
        mimetype=EXHIBIT_E_TYPES[ext],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@blueprint.get("/j/<slug>/plans/<int:plan_id>/exhibit-f/<fy_text>")
def exhibit_f(slug: str, plan_id: int, fy_text: str):
    """The impact report's scaffolding of a closed FY: each funded strategy, the
    participants recorded beside those the plan expected, the measures to fill (kept with
    the FY, for the jurisdiction)."""
    record, role, fiscal_year, view = _closed_view(slug, plan_id, fy_text)
    impact = engine_exhibit_f(view.plan, view.projection, fiscal_year, default_cost_tables())
    stored = documents.records_of(db.session, record.jurisdiction).get(fiscal_year)
    outcomes = service.outcomes_of(stored)
    measures = [(m.field, m.words) for s in impact.strategies[:1] for m in s.measures]
    form = outcomes_form([s.strategy.code for s in impact.strategies], measures)(
        version=str(stored.version) if stored else "0", plan=str(record.id)
    )
    if request.method == "GET":
        for s in impact.strategies:
            for key, _ in measures:
                getattr(form, outcome_name(s.strategy.code, key)).data = outcomes.get(
                    s.strategy.code, {}
                ).get(key, "")
    return render_template(
        "actuals/exhibit_f.html",
        record=record,
        impact=impact,
        form=form,
        measures=measures,
        can_edit=can_edit(role),
        outcome_name=outcome_name,
        fiscal_year=fiscal_year,
        jurisdiction=record.jurisdiction,
        plan=record,
        pathway_names=service.PATHWAY_NAMES,
    )


@blueprint.post("/j/<slug>/actuals/<fy_text>/outcomes")
def outcomes(slug: str, fy_text: str):
    """Keep the impact measures filled in on the Exhibit F page (for the jurisdiction's FY;
    an adopted plan's page saves them too: they are not the plan's)."""
    jurisdiction, role = jurisdiction_or_404(slug)
    require_editor(role)
    fiscal_year = _fy_or_404(fy_text)
    plan = _context_plan(jurisdiction, request.form.get("plan"))
    if plan is None:
        abort(400)
    view = cached_view(plan, today())
    if fiscal_year not in [e.fy for e in view.plan.actuals]:
        abort(404)
    impact = engine_exhibit_f(view.plan, view.projection, fiscal_year, default_cost_tables())
    measures = [(m.field, m.words) for s in impact.strategies[:1] for m in s.measures]
    form = outcomes_form([s.strategy.code for s in impact.strategies], measures)()
    back = url_for("actuals.exhibit_f", slug=slug, plan_id=plan.id, fy_text=fy_label(fiscal_year))
    if not form.validate_on_submit():
        flash(
            "Not saved: " + "; ".join(e for errors in form.errors.values() for e in errors), "error"
        )
        return redirect(back)
    filled = {
        s.strategy.code: {
            key: getattr(form, outcome_name(s.strategy.code, key)).data or "" for key, _ in measures
        }
        for s in impact.strategies
    }
    based_on = version_of(form)
    try:
        service.save_outcomes(
            db.session,
            jurisdiction,
            current_user,
            fiscal_year,
            filled,
            expected_version=-1 if based_on is None else based_on,
        )
    except service.StaleActuals:
        db.session.rollback()
        return _stale(jurisdiction, fiscal_year, "Not saved", back)
    except service.ActualsError as error:
        db.session.rollback()
        flash("Not saved: " + "; ".join(p.message for p in error.problems), "error")
        return redirect(back)
    db.session.commit()
    flash(f"Saved the impact report's measures for {fy_label(fiscal_year)}.", "success")
    return redirect(back)


# ------------------------------------------------------------------------ other pages


@blueprint.app_template_global("actuals_history")
def actuals_history(record: PlanRecord) -> list[service.ActualsEntry]:
    """The changes to the jurisdiction's actuals of the plan's FYs (the plan's history page
    shows them under its own: they change what the plan projects)."""
    plan = load_plan(record)
    return service.history(db.session, record.jurisdiction, plan.fiscal_years)


@dataclass(frozen=True)
class Due:
    due_on: dt.date
    title: str
    overdue: bool
    kind: str
    fiscal_year: int
    plans: tuple[PlanRecord, ...]
    link: str
    warned: bool = False  # the checklist already warns (an authorization of the next FY)


@blueprint.app_template_global("actuals_due")
def actuals_due(jurisdiction: Jurisdiction) -> list[Due]:
    """What is due next for the jurisdiction, soonest first (the engine's deadlines of each
    of its plans, as of today): the September 28 reports of a FY once for all the plans
    covering it, the next authorization to adopt for each plan."""
    as_of = today()
    found: dict[tuple[str, int, str], list[Any]] = {}
    for record in plans_of(db.session, jurisdiction):
        try:
            view = cached_view(record, as_of)
        except PlanError:
            continue  # a stored plan that breaks a limit: its own page says so
        for item in deadlines(view.plan, view.projection, default_cost_tables(), as_of):
            key = (item.kind, item.fiscal_year, "" if item.kind == "annual_reports" else item.title)
            found.setdefault(key, [item]).append(record)
    shown = []
    for (kind, fy, _), (item, *records) in found.items():
        if kind == "annual_reports":
            link = (
                url_for(
                    "actuals.exhibit_f",
                    slug=jurisdiction.slug,
                    plan_id=records[0].id,
                    fy_text=fy_label(fy),
                )
                if item.facts.get("has_actuals")
                else url_for(
                    "actuals.fy", slug=jurisdiction.slug, fy_text=fy_label(fy), plan=records[0].id
                )
            )
        else:
            link = (
                url_for("editor.authorizations", slug=jurisdiction.slug, plan_id=records[0].id)
                + "#authorize-h"
            )
        shown.append(
            Due(
                item.due_on,
                item.title,
                item.overdue,
                kind,
                fy,
                tuple(records),
                link,
                bool(item.facts.get("checklist_warns")) and not item.overdue,
            )
        )
    return sorted(shown, key=lambda d: (d.due_on, d.kind))
