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
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from planner import ROOT, charts, formatting
from planner.cost_tables import default_cost_tables
from planner.scenarios import fy_label
from planner.scenarios.plan import OBJECT_CLASSES

STATIC = ROOT / "static"

_environment: jinja2.Environment | None = None


def environment() -> jinja2.Environment:
    global _environment
    if _environment is None:
        env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(ROOT / "templates")),
            autoescape=jinja2.select_autoescape(["html"], default=True),
            undefined=jinja2.StrictUndefined,
            trim_blocks=True, lstrip_blocks=True,
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
            path = Path(url[len("file://"):].split("?")[0].split("#")[0]).resolve()
            if path.is_relative_to(self.static) and path.is_file():
                return super().fetch(url, headers)
        self.refused.append(url)
        raise ValueError(f"the PDF renderer fetches only the app's static files, not {url}")


def pdf_bytes(html: str, *, title: str, author: str, fetcher: StaticOnlyFetcher | None = None
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


def plan_report_html(doc) -> str:
    from planner.forms.labels import KIND_NAMES
    from planner.scenarios.lines import escalation_text
    p = doc.projection
    return render(
        "report/plan.html", doc=doc, kind_names=KIND_NAMES, escalation_text=escalation_text,
        basis_shown=basis_years_shown(len(p.line_items), len(p.labels)),
        columns=Columns.of(len(p.line_items), p.labels),
        fund_chart=_b64(charts.fund_balance_svg(p)), fund_alt=charts.fund_balance_alt(p),
        strategy_chart=_b64(charts.spending_by_strategy_svg(p, doc.titles)),
        strategy_alt=charts.spending_by_strategy_alt(p, doc.titles))


class Columns:
    """The year columns of the PDF's tables by FY: one per FY, or — for a plan past the PDF
    budget of `cost_tables/limits.toml` — one per period of a few FYs (§15: a PDF of any plan
    inside the limits finishes in bounded time; 200 lines × 40 FYs are 16,000 cells)."""

    def __init__(self, heads: list[str], groups: list[range], grouped: bool):
        self.heads, self.groups, self.grouped = heads, groups, grouped

    @classmethod
    def of(cls, lines: int, labels: list[str]) -> Columns:
        limits = default_cost_tables().limits
        years = len(labels)
        if limits is None or lines * years <= limits.pdf_line_years_max:
            return cls([label[2:] for label in labels], [range(k, k + 1) for k in range(years)],
                       False)
        step = limits.pdf_period_years
        groups = [range(k, min(k + step, years)) for k in range(0, years, step)]
        heads = [f"{labels[g[0]][2:]} to {labels[g[-1]][2:]}" if len(g) > 1 else labels[g[0]][2:]
                 for g in groups]
        return cls(heads, groups, True)

    def sums(self, values: Any) -> list[Any]:
        """Amounts per column: a period's amount is the sum of its FYs' (so the table foots)."""
        values = list(values)
        return [sum(values[k] for k in group) for group in self.groups]

    def peaks(self, values: Any) -> list[Any]:
        """Levels per column (FTE, participants): a period shows its highest FY."""
        values = list(values)
        return [max(values[k] for k in group) for group in self.groups]


def basis_years_shown(lines: int, years: int) -> range | tuple[int, ...]:
    """The plan years whose basis of estimate the PDF writes out: every one, unless the plan
    has more line-years than the PDF budget of `cost_tables/limits.toml` (§15: a PDF of any
    plan inside the limits finishes in bounded time); then the first few FYs and the last,
    the escalation line saying how the others follow."""
    limits = default_cost_tables().limits
    if limits is None or lines * years <= limits.pdf_line_years_max:
        return range(years)
    shown = min(limits.pdf_basis_years_shown, years)
    return tuple(sorted({*range(shown), years - 1}))


def plan_report_pdf(doc, fetcher: StaticOnlyFetcher | None = None) -> bytes:
    return pdf_bytes(plan_report_html(doc), title=f"{doc.plan_name} — budget justification",
                     author=doc.jurisdiction or "LEAD settlement planner", fetcher=fetcher)
