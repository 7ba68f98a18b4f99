"""Downloads and the comparison: the PDF, the workbook, the CSV, the resolution draft."""

from __future__ import annotations

import base64
import datetime as dt
import pickle
from decimal import Decimal

from flask import Blueprint, Response, abort, render_template, request, url_for
from sqlalchemy import select

from planner.cost_tables import default_cost_tables
from planner.extensions import db
from planner.forms.auth import id_of
from planner.models import Job, PlanRecord
from planner.present import charts
from planner.reports.context import PlanDocument, plan_document, strategy_titles
from planner.reports.ordinance import ordinance_docx
from planner.reports.render import plan_report_pdf
from planner.reports.resolution import resolution_docx
from planner.reports.tabular import projection_csv
from planner.reports.templates import pdf_bytes, render
from planner.reports.words import change_label, change_value
from planner.reports.workbook import plan_workbook
from planner.scenarios import FiscalYearError, fy_label, parse_fy
from planner.scenarios.comparison import MAX_PLANS, MIN_PLANS, compare, first_deficits
from planner.services import jobs
from planner.services.analyses import (
    COMPARE_PDF,
    COMPARE_PDF_JOB,
    deficit_chances,
    enqueue_plan_pdf,
    plan_pdf_key,
    simulation_key,
)
from planner.services.county import spread_total_of
from planner.services.plan_documents import projected_document
from planner.services.plans import load_plan, plans_of, view_plan
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


def plan_pdf_job(
    document: str,
    status: str,
    adopted_on: str | None,
    jurisdiction: str,
    prepared_on: str,
    entered_total: str | None = None,
) -> bytes:
    """The worker's job: a saved version's budget justification, rendered once (issue 25.2).
    Its analysis is the stored one the job was given (`needs`), never simulated here."""
    return plan_report_pdf(
        _job_document(document, status, adopted_on, jurisdiction, prepared_on, entered_total)
    )


def _job_document(
    document: str,
    status: str,
    adopted_on: str | None,
    jurisdiction: str,
    prepared_on: str,
    entered_total: str | None,
    meeting_on: str | None = None,
):
    """The PlanDocument a worker's job renders, from the text arguments the job was queued
    with (the justification PDF and the board packet read them alike)."""
    from planner.scenarios import parse_plan_text

    return plan_document(
        parse_plan_text(document, default_cost_tables()),
        prepared_on=dt.date.fromisoformat(prepared_on),
        status=status,
        adopted_on=dt.date.fromisoformat(adopted_on) if adopted_on else None,
        jurisdiction=jurisdiction,
        entered_total=None if entered_total is None else Decimal(entered_total),
        meeting_on=dt.date.fromisoformat(meeting_on) if meeting_on else None,
    )


def preparing(job: jobs.JobState | None, what: str, back: str):
    """The page said instead of a document not made yet: its state, a refresh link and a
    `<meta http-equiv=refresh>` while it is queued or running (202); the reason when it
    failed (503)."""
    failed = job is not None and job.failed
    return render_template(
        "plans/preparing.html",
        job=job,
        what=what,
        back=back,
        refresh_after=None if failed else 2,
    ), (503 if failed else 202)


def _stored_document(key: str) -> bytes | None:
    body = db.session.scalar(select(Job.body).where(Job.key == key, Job.state == jobs.DONE))
    return None if body is None else pickle.loads(body)  # noqa: S301 - written by the worker


@blueprint.get("/j/<slug>/plans/<int:plan_id>/report.pdf")
def report_pdf(slug: str, plan_id: int):
    """The stored PDF of the plan as it is now (with its actuals) and today's date; when it
    is not made yet, it is queued (a render, never a simulation) and the page says so."""
    record, _ = plan_or_404(slug, plan_id)
    document = projected_document(record)
    key = plan_pdf_key(document, record, today())
    body = _stored_document(key)
    if body is not None:
        return download(body, "application/pdf", download_name(record, "pdf"))
    job = jobs.state(db.session, key)
    if job is not None and job.state == jobs.QUEUED:
        jobs.nudge(key)
        job = jobs.state(db.session, key)
    if job is not None and job.done:
        return report_pdf(slug, plan_id)
    if job is None or (job.failed and request.args.get("again")):
        enqueue_plan_pdf(db.session, record, today(), document=document)
        db.session.commit()
        job = jobs.state(db.session, key)
        if job is not None and job.done:  # made at once (a queue that runs immediately)
            return report_pdf(slug, plan_id)
    back = url_for("plans.show", slug=slug, plan_id=plan_id)
    return preparing(job, "The budget justification (PDF)", back)


PACKET = "board-packet"
PACKET_JOB = "planner.web.reports:packet_job"
ZIP = "application/zip"


def packet_job(
    document: str,
    status: str,
    adopted_on: str | None,
    jurisdiction: str,
    prepared_on: str,
    entered_total: str | None,
    meeting_on: str,
) -> bytes:
    """The worker's job: the board packet (issue 23.4) of a saved version for one meeting:
    the justification PDF, the resolution, the project ordinance, the workbook and the cover
    memo, all for the FYs that meeting is asked to adopt. Its analysis is the stored one."""
    from planner.reports.packet import board_packet

    return board_packet(
        _job_document(
            document, status, adopted_on, jurisdiction, prepared_on, entered_total, meeting_on
        )
    )


MEETING_DATE_CHARS = 10  # YYYY-MM-DD; anything longer is refused before it is parsed


def meeting_date_of(text: str | None, default: dt.date) -> tuple[str, dt.date | None, str | None]:
    """The meeting date of the query (as typed), the date, and an error for the field."""
    if text is None or not text.strip():
        return default.isoformat(), default, None
    text = text.strip()
    if len(text) > MEETING_DATE_CHARS:
        return text[:40], None, "must be a date, YYYY-MM-DD"
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        return text, None, "must be a date, YYYY-MM-DD"
    if not dt.date(2000, 1, 1) <= day <= dt.date(2100, 12, 31):
        return text, None, "must be between 2000 and 2100"
    return text, day, None


@blueprint.get("/j/<slug>/plans/<int:plan_id>/packet.zip")
def board_packet_zip(slug: str, plan_id: int):
    """The board packet for the meeting in `meeting_date` (default: the next scheduled
    adoption, else today), made once per content by the job queue; until it is made the
    page says so (202), as the PDF's does."""
    from planner.scenarios.summaries import default_meeting_date

    record, _ = plan_or_404(slug, plan_id)
    document = projected_document(record)
    plan = load_plan(record, actuals=True)
    text, meeting, error = meeting_date_of(
        request.args.get("meeting_date"), default_meeting_date(plan, today())
    )
    if error or meeting is None:
        return render_template(
            "plans/packet.html", record=record, meeting_date=text, error=error
        ), 422
    prepared_on = today().isoformat()
    adopted = record.adopted_on.isoformat() if record.adopted_on else None
    entered = spread_total_of(record)
    args = [
        document,
        record.status,
        adopted,
        record.jurisdiction.name,
        prepared_on,
        None if entered is None else str(entered),
        meeting.isoformat(),
    ]
    key = jobs.content_key(PACKET, *args)
    name = download_name(record, "zip").replace(
        f"_{prepared_on}", f"_board-packet_{meeting.isoformat()}"
    )
    body = _stored_document(key)
    if body is not None:
        return download(body, ZIP, name)
    job = jobs.state(db.session, key)
    if job is not None and job.state == jobs.QUEUED:
        jobs.nudge(key)
        job = jobs.state(db.session, key)
    if job is not None and job.done:
        return board_packet_zip(slug, plan_id)
    if job is None or (job.failed and request.args.get("again")):
        sim = simulation_key(plan)
        jobs.enqueue(
            db.session,
            PACKET,
            key,
            PACKET_JOB,
            args,
            plan_id=record.id,
            jurisdiction_id=record.jurisdiction_id,
            needs=[sim] if sim else [],
            retry=True,
        )
        db.session.commit()
        job = jobs.state(db.session, key)
        if job is not None and job.done:  # made at once (a queue that runs immediately)
            return board_packet_zip(slug, plan_id)
    back = url_for("plans.show", slug=slug, plan_id=plan_id)
    return preparing(job, "The board packet (ZIP)", back)


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


def _default_period(view) -> tuple[int, int]:
    """The FYs the next meeting is asked to adopt: the one choice every document makes
    (`summaries.default_period`, as the PDF's summary and the board packet)."""
    from planner.scenarios.summaries import default_meeting_date, default_period

    return default_period(view.plan, view.projection, default_meeting_date(view.plan, today()))


def _docx_name(record: PlanRecord, what: str) -> str:
    return download_name(record, "docx").replace(
        f"_{today().isoformat()}", f"_{what}_{today().isoformat()}"
    )


@blueprint.get("/j/<slug>/plans/<int:plan_id>/resolution")
def resolution(slug: str, plan_id: int):
    record, _ = plan_or_404(slug, plan_id)
    view = view_plan(record, today())
    first_text, last_text, first, last, errors = _period(*_default_period(view))
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
    first_text, last_text, first, last, errors = _period(*_default_period(view))
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


def compare_pdf_job(jurisdiction: str, prepared_on: str, names: list[str], *documents: str):
    """The worker's job: the comparison PDF of these plan texts (with their actuals)."""
    from types import SimpleNamespace

    as_of = dt.date.fromisoformat(prepared_on)
    views = [view_plan(SimpleNamespace(document=d), as_of) for d in documents]  # type: ignore[arg-type]
    cmp = compare(
        [(name, v.plan, v.projection, v.results) for name, v in zip(names, views, strict=True)]
    )
    titles = strategy_titles([r.label for r in cmp.by_strategy], default_cost_tables())
    titles.update({r.label: r.label.capitalize() for r in cmp.by_object_class})
    return pdf_bytes(
        compare_html(cmp, titles, jurisdiction, as_of),
        title=f"Comparison of plans — {jurisdiction}",
        author=jurisdiction,
    )


@blueprint.get("/j/<slug>/compare.pdf")
def compare_pdf(slug: str):
    """The comparison PDF, rendered once per content in the worker (issue 20 M2): stored
    under the plans' texts with their actuals, their names, the jurisdiction and the date."""
    jurisdiction, _ = jurisdiction_or_404(slug)
    chosen, error = _chosen(plans_of(db.session, jurisdiction))
    if error or not chosen:
        abort(404)
    documents = [projected_document(r) for r in chosen]
    names = _names(chosen)
    prepared_on = today().isoformat()
    key = jobs.content_key(COMPARE_PDF, jurisdiction.name, prepared_on, *names, *documents)
    name = f"{jurisdiction.slug}_comparison_{prepared_on}.pdf"
    body = _stored_document(key)
    if body is not None:
        return download(body, "application/pdf", name)
    job = jobs.state(db.session, key)
    if job is None or (job.failed and request.args.get("again")):
        needs = [k for k in (simulation_key(load_plan(r, actuals=True)) for r in chosen) if k]
        jobs.enqueue(
            db.session,
            COMPARE_PDF,
            key,
            COMPARE_PDF_JOB,
            [jurisdiction.name, prepared_on, names, *documents],
            jurisdiction_id=jurisdiction.id,
            needs=needs,
            retry=True,
        )
        db.session.commit()
        job = jobs.state(db.session, key)
        if job is not None and job.done:
            return compare_pdf(slug)
    back = url_for("reports.compare_page", slug=slug) + "?" + request.query_string.decode()
    return preparing(job, "The comparison (PDF)", back)


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
