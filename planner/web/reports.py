"""Downloads and the comparison: the PDF, the workbook, the CSV, the resolution draft."""

from __future__ import annotations

import base64
import datetime as dt
import functools
import threading
from decimal import Decimal

from flask import Blueprint, Response, abort, render_template, request, url_for

from planner.cost_tables import default_cost_tables
from planner.extensions import db
from planner.forms.auth import id_of
from planner.models import PlanRecord
from planner.present import charts
from planner.reports.context import PlanDocument, plan_document, strategy_titles
from planner.reports.ordinance import ordinance_docx
from planner.reports.pdf import StaticOnlyFetcher, pdf_bytes, render
from planner.reports.render import plan_report_pdf
from planner.reports.resolution import resolution_docx
from planner.reports.tabular import projection_csv
from planner.reports.words import change_label, change_value
from planner.reports.workbook import plan_workbook
from planner.scenarios import FiscalYearError, fy_label, parse_fy
from planner.scenarios.comparison import MAX_PLANS, MIN_PLANS, compare, first_deficits
from planner.scenarios.editing import next_resolution_years
from planner.services.analyses import deficit_chances
from planner.services.county import spread_total_of
from planner.services.plan_documents import projected_document
from planner.services.plans import plans_of, view_plan
from planner.web.access import jurisdiction_or_404, plan_or_404
from planner.web.common import download_name, svg_response, today

blueprint = Blueprint("reports", __name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def document_for(record: PlanRecord) -> PlanDocument:
    view = view_plan(record, today())
    return plan_document(
        view.plan,
        prepared_on=today(),
        status=record.status,
        adopted_on=record.adopted_on,
        jurisdiction=record.jurisdiction.name,
        projection=view.projection,
        results=view.results,
        entered_total=spread_total_of(record),  # §14: receipts spread from it are estimates
    )


def download(body: bytes | str, mimetype: str, name: str) -> Response:
    return Response(
        body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


# One PDF at a time in each worker process: two renders sharing a process's interpreter lock
# each take twice as long and starve the process's other requests; queued, the first is done
# in half the time and pages keep flowing.
_PDF_TURN = threading.Lock()


@functools.lru_cache(maxsize=16)
def _cached_pdf(
    document: str,
    status: str,
    adopted_on: dt.date | None,
    jurisdiction: str,
    prepared_on: dt.date,
    entered_total: Decimal | None = None,
) -> bytes:
    """A plan's PDF depends only on these: the same stored plan on the same day gives the
    same document, so a repeated download is not rendered again (about 2 s of CPU)."""
    from planner.scenarios import parse_plan_text

    plan = parse_plan_text(document, default_cost_tables())
    with _PDF_TURN:
        return plan_report_pdf(
            plan_document(
                plan,
                prepared_on=prepared_on,
                status=status,
                adopted_on=adopted_on,
                jurisdiction=jurisdiction,
                entered_total=entered_total,
            )
        )


@blueprint.get("/j/<slug>/plans/<int:plan_id>/report.pdf")
def report_pdf(slug: str, plan_id: int):
    record, _ = plan_or_404(slug, plan_id)
    body = _cached_pdf(
        projected_document(record),
        record.status,
        record.adopted_on,
        record.jurisdiction.name,
        today(),
        spread_total_of(record),
    )
    return download(body, "application/pdf", download_name(record, "pdf"))


@blueprint.get("/j/<slug>/plans/<int:plan_id>/export.xlsx")
def export_xlsx(slug: str, plan_id: int):
    record, _ = plan_or_404(slug, plan_id)
    return download(plan_workbook(document_for(record)), XLSX, download_name(record, "xlsx"))


@blueprint.get("/j/<slug>/plans/<int:plan_id>/export.csv")
def export_csv(slug: str, plan_id: int):
    record, _ = plan_or_404(slug, plan_id)
    return download(projection_csv(document_for(record)), "text/csv", download_name(record, "csv"))


def _period(first_default: int, last_default: int):
    """The FYs a draft covers, from the query (as typed), with an error per bad field."""
    first_text = request.args.get("first", fy_label(first_default))
    last_text = request.args.get("last", fy_label(last_default))
    errors, first, last = {}, None, None
    try:
        first = parse_fy(first_text)
    except FiscalYearError as error:
        errors["first"] = str(error)
    try:
        last = parse_fy(last_text)
    except FiscalYearError as error:
        errors["last"] = str(error)
    if first is not None and last is not None and last < first:  # both parsed: no errors
        errors["last"] = "must not be before the first FY"
    return first_text, last_text, first, last, errors


def _docx_name(record: PlanRecord, what: str) -> str:
    return download_name(record, "docx").replace(
        f"_{today().isoformat()}", f"_{what}_{today().isoformat()}"
    )


@blueprint.get("/j/<slug>/plans/<int:plan_id>/resolution")
def resolution(slug: str, plan_id: int):
    record, _ = plan_or_404(slug, plan_id)
    view = view_plan(record, today())
    first_text, last_text, first, last, errors = _period(*next_resolution_years(view.plan, today()))
    return _board_document(
        record,
        view,
        "resolution",
        resolution_docx,
        "resolution",
        first_text,
        last_text,
        first,
        last,
        errors,
    )


@blueprint.get("/j/<slug>/plans/<int:plan_id>/ordinance")
def ordinance(slug: str, plan_id: int):
    """The settlement project ordinance (G.S. 159-13.2) for the plan's FYs, or a period."""
    record, _ = plan_or_404(slug, plan_id)
    view = view_plan(record, today())
    first_text, last_text, first, last, errors = _period(view.plan.start_fy, view.plan.end_fy)
    if not errors and not (view.plan.start_fy <= first <= last <= view.plan.end_fy):
        errors["last" if first >= view.plan.start_fy else "first"] = (
            f"must be within the plan's FYs, {fy_label(view.plan.start_fy)} to "
            f"{fy_label(view.plan.end_fy)}"
        )
    return _board_document(
        record,
        view,
        "ordinance",
        ordinance_docx,
        "project-ordinance",
        first_text,
        last_text,
        first,
        last,
        errors,
    )


def _board_document(record, view, kind, make, name, first_text, last_text, first, last, errors):
    """The resolution or ordinance: its .docx when asked for a valid period, else the page
    with the period's fields (422 with the errors beside them)."""
    if not errors and request.args.get("download"):
        return download(make(document_for(record), first, last), DOCX, _docx_name(record, name))
    return render_template(
        "plans/resolution.html",
        record=record,
        first=first_text,
        last=last_text,
        errors=errors,
        plan=view.plan,
        kind=kind,
    ), (422 if errors else 200)


def _chosen(records: list[PlanRecord]) -> tuple[list[PlanRecord], str | None]:
    ids = [id_of(v) for v in request.args.getlist("plans") if v != ""]
    by_id = {r.id: r for r in records}
    if any(i not in by_id for i in ids):  # not a plan of this jurisdiction, or not an id
        abort(404)
    chosen = [by_id[i] for i in dict.fromkeys(ids) if i is not None]  # None: aborted above
    if not ids:
        return [], None
    if not MIN_PLANS <= len(chosen) <= MAX_PLANS:
        return [], f"Choose {MIN_PLANS} to {MAX_PLANS} plans ({len(chosen)} chosen)."
    return chosen, None


def _comparison(records: list[PlanRecord]):
    views = [view_plan(r, today()) for r in records]
    names = _names(records)
    cmp = compare(
        [(name, v.plan, v.projection, v.results) for name, v in zip(names, views, strict=True)]
    )
    titles = strategy_titles([r.label for r in cmp.by_strategy], default_cost_tables())
    titles.update({r.label: r.label.capitalize() for r in cmp.by_object_class})
    return cmp, titles


def _names(records: list[PlanRecord]) -> list[str]:
    """Plan names, made unique so the columns can be told apart."""
    seen: dict[str, int] = {}
    names = []
    for record in records:
        seen[record.name] = seen.get(record.name, 0) + 1
        names.append(
            record.name if seen[record.name] == 1 else f"{record.name} ({seen[record.name]})"
        )
    return names


@blueprint.get("/j/<slug>/compare")
def compare_page(slug: str):
    jurisdiction, _ = jurisdiction_or_404(slug)
    records = plans_of(db.session, jurisdiction)
    chosen, error = _chosen(records)
    context = {
        "jurisdiction": jurisdiction,
        "records": records,
        "chosen": {r.id for r in chosen},
        "error": error,
        "cmp": None,
    }
    if chosen:
        cmp, titles = _comparison(chosen)
        query = "&".join(f"plans={r.id}" for r in chosen)
        names = [c.name for c in cmp.plans]
        context.update(
            cmp=cmp,
            titles=titles,
            deficits=first_deficits(cmp),
            change_label=change_label,
            chances=deficit_chances(cmp),
            change_value=change_value,
            pdf_url=url_for("reports.compare_pdf", slug=slug) + "?" + query,
            chart_url=url_for("reports.compare_chart", slug=slug) + "?" + query,
            chart_alt=charts.fund_curves_alt(cmp.fiscal_years, names, cmp.closing),
        )
    return render_template("compare/page.html", **context), (422 if error else 200)


def _chosen_comparison(slug: str):
    """The jurisdiction and the comparison of the plans in the query, or 404."""
    jurisdiction, _ = jurisdiction_or_404(slug)
    chosen, error = _chosen(plans_of(db.session, jurisdiction))
    if error or not chosen:
        abort(404)
    return (jurisdiction, *_comparison(chosen))


@blueprint.get("/j/<slug>/compare/chart.svg")
def compare_chart(slug: str):
    _, cmp, _ = _chosen_comparison(slug)
    return svg_response(
        charts.fund_curves_svg(cmp.fiscal_years, [c.name for c in cmp.plans], cmp.closing)
    )


@blueprint.get("/j/<slug>/compare.pdf")
def compare_pdf(slug: str):
    jurisdiction, cmp, titles = _chosen_comparison(slug)
    html = compare_html(cmp, titles, jurisdiction.name, today())
    name = f"{jurisdiction.slug}_comparison_{today().isoformat()}.pdf"
    return download(
        pdf_bytes(
            html,
            title=f"Comparison of plans — {jurisdiction.name}",
            author=jurisdiction.name,
            fetcher=StaticOnlyFetcher(),
        ),
        "application/pdf",
        name,
    )


def compare_html(cmp, titles, jurisdiction: str, prepared_on: dt.date) -> str:
    names = [c.name for c in cmp.plans]
    svg = charts.fund_curves_svg(cmp.fiscal_years, names, cmp.closing)
    return render(
        "report/compare.html",
        cmp=cmp,
        titles=titles,
        jurisdiction=jurisdiction,
        prepared_on=prepared_on,
        deficits=first_deficits(cmp),
        chances=deficit_chances(cmp),
        change_label=change_label,
        change_value=change_value,
        chart=base64.b64encode(svg.encode()).decode(),
        chart_alt=charts.fund_curves_alt(cmp.fiscal_years, names, cmp.closing),
    )
