"""Public pages of adopted plans and the open exchange format (issue 24).

An editor publishes an adopted plan (and may withdraw it); anyone, without signing in, then
reads its page and downloads its files at a URL naming the government, the plan and its
version. Everything a public URL answers was computed at publication and is read from the
`publications` row (and the job queue's stored PDF): no anonymous request projects, checks,
simulates or renders. Pages and JSON are the same for everyone, so they may be cached; the
downloads are rate-limited per address. No user's name or email is on any of them.
"""

from __future__ import annotations

import base64
import hashlib
import json
import pickle
import threading
from collections import OrderedDict
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select

from planner.cost_tables import default_cost_tables
from planner.extensions import db, limiter
from planner.models import Job, Publication
from planner.paths import ROOT
from planner.present import charts
from planner.present.formatting import long_date, money
from planner.reports.context import strategy_titles
from planner.scenarios.fiscal import fy_label
from planner.scenarios.schemas import INDEX_SCHEMA
from planner.services import jobs
from planner.services import public as service
from planner.web.access import plan_or_404
from planner.web.common import flash_why, save_change, slugify, today

blueprint = Blueprint("public", __name__)

SCHEMAS = ROOT / "schemas"
# Every schema the app publishes: `lead-plan/1` is served at /schemas/lead-plan/1.json.
SCHEMA_NAMES = (*service.DOCUMENTS.values(), INDEX_SCHEMA)
# A public answer may be kept by any browser or proxy, which asks again before each use (its
# ETag: 304, or 404 once withdrawn): a withdrawn page is gone at once, for everyone.
CACHE_CONTROL = "public, no-cache"
JSON_TYPE = "application/json"


# --------------------------------------------------------------------- the editor's side


def fund_svg_of(projection) -> str:
    return charts.fund_balance_svg(projection)


def summary_in_words(shot: service.Snapshot, jurisdiction: str) -> list[str]:
    """The plan in a few sentences, from the figures of its snapshot."""
    view, s = shot.view, shot.summary
    p = view.projection
    first, last = fy_label(s["first_fy"]), fy_label(s["last_fy"])
    adopted = view.record.adopted_on
    sentences = [
        f"{jurisdiction} adopted this LEAD plan"
        + (f" on {long_date(adopted)}" if adopted else "")
        + f". It plans {money(s['total'])} of spending over {view.plan.years} fiscal years, "
        f"{first} to {last}, against {money(s['receipts'])} of settlement receipts.",
    ]
    strategies = sorted(p.strategy_totals.items(), key=lambda item: -item[1])
    if strategies and s["total"]:
        titles = strategy_titles(p.by_strategy, default_cost_tables())
        code, amount = strategies[0]
        sentences.append(
            f"The largest strategy is {titles.get(code, code)}, {money(amount)} over the plan."
        )
    if s["first_deficit_fy"] is None:
        sentences.append(
            f"The settlement fund stays in balance every year and closes {last} at "
            f"{money(s['closing_balance'])}."
        )
    else:
        sentences.append(
            f"The settlement fund first runs short in {fy_label(s['first_deficit_fy'])}."
        )
    counts = s["checklist"]
    sentences.append(
        f"Against the MOA and LEAD fidelity checklist (as of {long_date(shot.as_of)}): "
        f"{counts.get('fail', 0)} fail, {counts.get('warn', 0)} warn, "
        f"{counts.get('pass', 0)} pass."
    )
    if shot.reports:
        labels = ", ".join(report.label for report in shot.reports)
        sentences.append(f"Annual financial reports (Exhibit E) filed: {labels}.")
    return sentences


def render_public_page(record, shot: service.Snapshot, fund_svg: str) -> str:
    """The page's HTML, drawn once. Its fund chart is inside it (a data: URL, which the
    page's policy allows for images): one request per reader, not two."""
    view = shot.view
    p = view.projection
    titles = strategy_titles(p.by_strategy, default_cost_tables())
    jurisdiction = record.jurisdiction
    args = {"slug": jurisdiction.slug, "plan_id": record.id, "version": record.version}
    return render_template(
        "public/plan.html",
        name=record.name,
        jurisdiction=jurisdiction.name,
        adopted_on=record.adopted_on,
        as_of=shot.as_of,
        plan=view.plan,
        p=p,
        results=view.results,
        counts=shot.summary["checklist"],
        titles=titles,
        words=summary_in_words(shot, jurisdiction.name),
        authorizations=[a for a in view.plan.program.authorizations if a.adopted_by(shot.as_of)],
        reports=shot.reports,
        fund_alt=charts.fund_balance_alt(p),
        files={kind: url_for("public.document", kind=kind, **args) for kind in service.DOCUMENTS},
        schemas={
            kind: url_for("public.schema", name=name.split("/")[0], number=name.split("/")[1])
            for kind, name in service.DOCUMENTS.items()
        },
        pdf_url=url_for("public.report_pdf", **args),
        chart_url="data:image/svg+xml;base64," + base64.b64encode(fund_svg.encode()).decode(),
        index_url=url_for("public.index"),
    )


def draw_public_page(record, shot: service.Snapshot) -> tuple[str, str]:
    """The page's HTML and its fund chart, as a publication stores them (the restore of a
    backup draws its pages with this)."""
    svg = fund_svg_of(shot.view.projection)
    return render_public_page(record, shot, svg), svg


@blueprint.post("/j/<slug>/plans/<int:plan_id>/publish")
def publish(slug: str, plan_id: int):
    record, _ = plan_or_404(slug, plan_id, change=True)
    back = url_for("plans.show", slug=slug, plan_id=plan_id) + "#public"

    def make():
        shot = service.snapshot(record, today())
        page, svg = draw_public_page(record, shot)
        return service.publish(db.session, record, current_user, shot, page=page, fund_svg=svg)

    outcome = save_change(make, refused=(service.NotPublishable,))
    if outcome.saved:
        flash(f"'{record.name}' is public.", "success")
    else:
        flash_why(outcome, "Not published")
    return redirect(back)


@blueprint.post("/j/<slug>/plans/<int:plan_id>/unpublish")
def withdraw(slug: str, plan_id: int):
    record, _ = plan_or_404(slug, plan_id, change=True)
    outcome = save_change(lambda: service.withdraw(db.session, record, current_user))
    if outcome.saved and outcome.result:
        flash(f"The public page of '{record.name}' is withdrawn.", "success")
    elif outcome.saved:
        flash("The plan has no public page.", "info")
    else:
        flash_why(outcome, "Not withdrawn")
    return redirect(url_for("plans.show", slug=slug, plan_id=plan_id) + "#public")


def public_url(publication: Publication, slug: str) -> str:
    return url_for(
        "public.page", slug=slug, plan_id=publication.plan_id, version=publication.plan_version
    )


# ------------------------------------------------------------------- what anyone may read


class _Texts:
    """The stored texts of publications, kept in this process by (row, publication time,
    column): a publication's texts never change under that key, so a page is read from the
    database once per process."""

    def __init__(self, size: int = 256):
        self.items: OrderedDict[tuple, str] = OrderedDict()
        self.lock = threading.Lock()
        self.size = size

    def get(self, row: Publication, column: str) -> str:
        key = (row.id, row.published_at.isoformat(), column)
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
                return self.items[key]
        text = db.session.scalar(
            select(getattr(Publication, column)).where(Publication.id == row.id)
        )
        with self.lock:
            self.items[key] = text or ""
            while len(self.items) > self.size:
                self.items.popitem(last=False)
        return text or ""


TEXTS = _Texts()
PDFS = _Texts(size=16)


def _found(slug: str, plan_id: int, version: int) -> Publication:
    row = service.find_public(db.session, slug, plan_id, version)
    if row is None:
        abort(404)
    return row


def shared(body: str | bytes, mimetype: str, etag: str, **headers: str) -> Response:
    """An answer that is the same for everyone: cacheable, revalidated by its ETag."""
    if etag in request.if_none_match:
        response = Response(status=304)
    else:
        response = Response(body, mimetype=mimetype, headers=headers)
    response.set_etag(etag)
    response.public_cache = CACHE_CONTROL  # type: ignore[attr-defined]  # security_headers
    return response


def _etag(row: Publication, what: str) -> str:
    return f"p{row.id}-{int(row.published_at.timestamp())}-{what}"


def _download_rate() -> str:
    return current_app.config["PUBLIC_DOWNLOAD_RATE_LIMIT"]


@blueprint.errorhandler(429)
def too_many(error):  # noqa: ARG001
    return render_template(
        "errors/error.html",
        status=429,
        title="Too many downloads",
        message="Too many downloads came from your network. Wait a minute, then try again.",
    ), 429


@blueprint.get("/public/<slug>/plans/<int:plan_id>/v<int:version>/")
def page(slug: str, plan_id: int, version: int):
    row = _found(slug, plan_id, version)
    return shared(TEXTS.get(row, "page"), "text/html", _etag(row, "page"))


@blueprint.get("/public/<slug>/plans/<int:plan_id>/v<int:version>/fund.svg")
def fund_chart(slug: str, plan_id: int, version: int):
    row = _found(slug, plan_id, version)
    response = shared(TEXTS.get(row, "fund_svg"), "image/svg+xml", _etag(row, "fund"))
    response.headers["Content-Security-Policy"] = "default-src 'none'"
    return response


COLUMNS = {
    "plan": "plan_json",
    "projection": "projection_json",
    "compliance": "compliance_json",
    "annual-reports": "reports_json",
}


@blueprint.get("/public/<slug>/plans/<int:plan_id>/v<int:version>/<kind>.json")
@limiter.limit(_download_rate)
def document(slug: str, plan_id: int, version: int, kind: str):
    if kind not in COLUMNS:
        abort(404)
    row = _found(slug, plan_id, version)
    name = f"{slug}_{slugify(row.name)}_v{version}_{kind}.json"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'} if kind == "plan" else {}
    return shared(TEXTS.get(row, COLUMNS[kind]), JSON_TYPE, _etag(row, kind), **headers)


@blueprint.get("/public/<slug>/plans/<int:plan_id>/v<int:version>/report.pdf")
@limiter.limit(_download_rate)
def report_pdf(slug: str, plan_id: int, version: int):
    """The budget justification rendered at publication; while a worker is still rendering
    it, 503 with Retry-After (a visitor never starts a render)."""
    row = _found(slug, plan_id, version)
    key = (row.id, row.published_at.isoformat(), "pdf")
    body = PDFS.items.get(key)
    if body is None:
        stored = db.session.scalar(
            select(Job.body).where(Job.key == row.pdf_key, Job.state == jobs.DONE)
        )
        if stored is None:
            return (
                render_template(
                    "errors/error.html",
                    status=503,
                    title="The PDF is being prepared",
                    message="The budget justification of this plan is still being made. "
                    "Try again in a minute.",
                ),
                503,
                {"Retry-After": "60"},
            )
        body = pickle.loads(stored)  # noqa: S301 - written by the app's own worker
        with PDFS.lock:
            PDFS.items[key] = body
            while len(PDFS.items) > PDFS.size:
                PDFS.items.popitem(last=False)
    name = f"{slug}_{slugify(row.name)}_v{version}.pdf"
    return shared(
        body,
        "application/pdf",
        _etag(row, "pdf"),
        **{"Content-Disposition": f'attachment; filename="{name}"'},
    )


def index_document() -> dict:
    """The machine-readable index of every public plan (lead-public-index/1)."""
    plans = []
    for entry in service.public_plans(db.session):
        args: dict[str, Any] = {
            "slug": entry.slug,
            "plan_id": entry.plan_id,
            "version": entry.version,
        }
        plans.append(
            {
                "jurisdiction": {
                    "name": entry.jurisdiction,
                    "kind": entry.kind,
                    "fips": entry.fips,
                    "slug": entry.slug,
                },
                "plan_id": entry.plan_id,
                "version": entry.version,
                "name": entry.name,
                "adopted_on": entry.adopted_on.isoformat() if entry.adopted_on else None,
                "published_at": entry.published_at.replace(microsecond=0).isoformat(),
                "as_of": entry.as_of.isoformat(),
                "summary": entry.summary,
                "page": url_for("public.page", _external=True, **args),
                "pdf": url_for("public.report_pdf", _external=True, **args),
                "documents": {
                    kind: {
                        "url": url_for("public.document", kind=kind, _external=True, **args),
                        "schema": schema,
                    }
                    for kind, schema in service.DOCUMENTS.items()
                },
            }
        )
    return {"schema": INDEX_SCHEMA, "plans": plans}


def _index_etag(body: str) -> str:
    return "i" + hashlib.sha256(body.encode()).hexdigest()[:24]


@blueprint.get("/public/index.json")
def index_json():
    body = json.dumps(index_document(), indent=2, ensure_ascii=False) + "\n"
    return shared(body, JSON_TYPE, _index_etag(body))


@blueprint.get("/public")
def index():
    entries = service.public_plans(db.session)
    body = render_template(
        "public/index.html",
        entries=entries,
        labels={
            e.publication_id: (fy_label(e.summary["first_fy"]), fy_label(e.summary["last_fy"]))
            for e in entries
        },
        url_of=lambda e: url_for("public.page", slug=e.slug, plan_id=e.plan_id, version=e.version),
    )
    return shared(body, "text/html", _index_etag(body))


@blueprint.get("/schemas/<name>/<int:number>.json")
def schema(name: str, number: int):
    if f"{name}/{number}" not in SCHEMA_NAMES:
        abort(404)
    body = (SCHEMAS / name / f"{number}.json").read_text(encoding="utf-8")
    return shared(body, "application/schema+json", _index_etag(body))
