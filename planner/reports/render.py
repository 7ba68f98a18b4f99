"""HTML for documents (a Jinja environment of its own, autoescaped) and its PDF (WeasyPrint).

The PDF renderer fetches nothing but the app's own static files and the charts embedded in
the page: every other URL — a user's `<img src="http://…">` in a justification included, though
that is escaped to text anyway — is refused.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import jinja2
import pydyf
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from planner.cost_tables import default_cost_tables
from planner.paths import ROOT
from planner.present import charts, formatting
from planner.reports.uncertainty import uncertainty_page_html
from planner.reports.words import CLASS_NAMES
from planner.scenarios import fy_label
from planner.scenarios.justification import justification_text
from planner.scenarios.plan import OBJECT_CLASSES

STATIC = ROOT / "static"


def _page_references(self) -> tuple[bytes, ...]:
    """pydyf's `PDF.page_references`, kept until a page is added: pydyf 0.13 builds the tuple
    of every page's reference on each call, and WeasyPrint's PDF/UA tagging calls it for each
    tagged box — quadratic in the pages (9 of the 14 s of writing a 270-page PDF). The same
    references, so the same bytes."""
    kids = self.pages["Kids"]
    cached = self.__dict__.get("_page_references_cache")
    if cached is None or cached[0] != len(kids):
        cached = (len(kids), tuple(f"{number} 0 R".encode("ascii") for number in kids[::3]))
        self.__dict__["_page_references_cache"] = cached
    return cached[1]


pydyf.PDF.page_references = property(_page_references)

_environment: jinja2.Environment | None = None


def environment() -> jinja2.Environment:
    global _environment
    if _environment is None:
        env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(ROOT / "templates")),
            autoescape=jinja2.select_autoescape(["html"], default=True),
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            extensions=["jinja2.ext.do"],
        )
        env.filters.update(formatting.FILTERS)
        env.globals.update(object_classes=OBJECT_CLASSES, fy_label=fy_label, charts=charts)
        _environment = env
    return _environment


def render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)


class StaticOnlyFetcher(URLFetcher):
    """Fetch only files under static/ and inline data: URLs; refuse everything else."""

    def __init__(self, static: Path = STATIC):
        super().__init__(allowed_protocols={"file", "data"}, allow_redirects=False)
        self.static = static.resolve()
        self.refused: list[str] = []

    def fetch(self, url: str, headers: Any = None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        if url.startswith("file://"):
            path = Path(url[len("file://") :].split("?")[0].split("#")[0]).resolve()
            if path.is_relative_to(self.static) and path.is_file():
                return super().fetch(url, headers)
        self.refused.append(url)
        raise ValueError(f"the PDF renderer fetches only the app's static files, not {url}")


def pdf_bytes(
    html: str, *, title: str, author: str, fetcher: StaticOnlyFetcher | None = None
) -> bytes:
    """A tagged PDF (PDF/UA-1) with title and author metadata."""
    fetcher = fetcher or StaticOnlyFetcher()
    document = HTML(string=html, base_url=str(STATIC) + "/", url_fetcher=fetcher).render()
    document.metadata.title = title
    document.metadata.authors = [author]
    output = io.BytesIO()
    document.write_pdf(output, pdf_variant="pdf/ua-1")
    return output.getvalue()


def _b64(text: str) -> str:
    import base64

    return base64.b64encode(text.encode()).decode()


def _no_cost_reason(groups) -> str:
    if len(groups) == 1:
        return groups[0].basis
    return "; ".join(
        f"{fy_label(g.first_fy)}"
        + (f" to {fy_label(g.last_fy)}" if g.years > 1 else "")
        + f": {g.basis}"
        for g in groups
    )


# Past the PDF budget, the SF-424A table by strategy gives a column to this many of the
# largest strategies and one to the others together (the form itself has four activity
# columns a sheet; 200 strategies would be 200 columns a few characters wide).
SF424A_STRATEGY_COLUMNS = 5
# Past the PDF budget, a finding longer than this (one naming each of 200 lines) is cut at a
# word in the executive summary; the compliance checklist prints it whole.
SUMMARY_MESSAGE_MAX = 600


def summary_message(message: str, condensed: bool) -> str:
    if not condensed or len(message) <= SUMMARY_MESSAGE_MAX:
        return message
    cut = message[:SUMMARY_MESSAGE_MAX].rsplit(" ", 1)[0]
    return f"{cut} … (the whole finding is in the compliance checklist)"


def plan_report_html(doc) -> str:
    from planner.present.labels import KIND_NAMES
    from planner.reports.context import results_by_severity
    from planner.reports.words import count_words, input_rows
    from planner.scenarios.lines import escalation_text
    from planner.scenarios.summaries import (
        SF424A_ROWS,
        basis_groups,
        basis_shown,
        class_lines_shown,
        direct_charges_by_strategy,
        direct_charges_by_year,
        direct_charges_total,
        fy_columns,
        object_class_lines,
        past_pdf_budget,
        sf424a_columns,
    )

    p = doc.projection
    limits = default_cost_tables().limits
    condensed = limits is not None and past_pdf_budget(
        len(p.line_items), len(p.fiscal_years), limits.pdf_line_years_max
    )
    by_fy = fy_columns(p.fiscal_years, p.labels)
    period_years = limits.pdf_period_years if limits is not None and condensed else None
    cols = fy_columns(p.fiscal_years, p.labels, period_years) if condensed else by_fy
    basis_max = limits.pdf_basis_years_shown if limits is not None and condensed else None
    costed, zero = [], []
    for item, line in zip(doc.plan.line_items, p.line_items, strict=True):
        groups = basis_groups(line, p.fiscal_years)
        if line.total:
            costed.append((item, line, basis_shown(groups, basis_max)))
        else:
            zero.append((item, line, _no_cost_reason(groups)))
    direct = direct_charges_by_strategy(doc.classes_by_strategy)
    class_lines = object_class_lines(p)
    class_named = (
        {c: class_lines_shown(v, SF424A_STRATEGY_COLUMNS) for c, v in class_lines.items()}
        if condensed
        else {}
    )
    class_columns = (
        sf424a_columns(doc.classes_by_strategy, p.strategy_totals, SF424A_STRATEGY_COLUMNS)
        if condensed
        else ()
    )
    return render(
        "report/plan.html",
        doc=doc,
        kind_names=KIND_NAMES,
        stream_names={s.slug: s.name for s in default_cost_tables().streams},
        escalation_text=escalation_text,
        cols=cols,
        by_fy=by_fy,
        condensed=condensed,
        period_years=period_years,
        basis_max=basis_max,
        results=results_by_severity(doc),
        summary_message=lambda message: summary_message(message, condensed),
        sf424a_rows=SF424A_ROWS,
        class_names=CLASS_NAMES,
        direct_by_strategy=direct,
        direct_total=direct_charges_total(p),
        direct_by_year=direct_charges_by_year(p),
        class_lines=class_lines,
        class_named=class_named,
        class_columns=class_columns,
        costed_lines=costed,
        zero_lines=zero,
        justifications={item.id: justification_text(item) for item in doc.plan.line_items},
        defaults=input_rows(doc.defaults),
        count_words=count_words,
        fund_chart=_b64(charts.fund_balance_svg(p)),
        fund_alt=charts.fund_balance_alt(p),
        strategy_chart=_b64(charts.spending_by_strategy_svg(p, doc.titles)),
        strategy_alt=charts.spending_by_strategy_alt(p, doc.titles),
        uncertainty_page=uncertainty_page_html(doc),
        **_funding_context(doc),
    )


def _funding_context(doc) -> dict[str, Any]:
    """Who pays (cost model §16): the SF-424A Section A split and the grant cliff."""
    from planner.scenarios.source_split import COLUMN_TITLES, COLUMNS, source_split

    return {
        "funding": source_split(doc.plan, doc.projection),
        "funding_rule": next((r for r in doc.results if r.rule == "FUNDING-SOURCES"), None),
        "funding_columns": COLUMNS,
        "funding_titles": COLUMN_TITLES,
    }


def plan_report_pdf(doc, fetcher: StaticOnlyFetcher | None = None) -> bytes:
    return pdf_bytes(
        plan_report_html(doc),
        title=f"{doc.plan_name} — budget justification",
        author=doc.jurisdiction or "LEAD settlement planner",
        fetcher=fetcher,
    )
