"""The documents' HTML: a Jinja environment of its own (autoescaped, strict), and their PDF
through `pdf_bytes`, which loads the WeasyPrint writer (`planner.reports.pdf`) at the first
PDF a process writes, not at import.

WeasyPrint takes about 0.8 s to import (its C bindings are declared and its user-agent
stylesheets parsed as it loads), and most processes that draw a document never write a PDF:
the web workers (a plan's PDFs are rendered by the job worker, whose forkserver preloads the
writer, and downloaded as stored; only the two-page Exhibit E is drawn on request, and the
first in a worker loads WeasyPrint), the CLI's workbook, CSV and Word exports, and the tests
of the HTML.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import jinja2

from planner.paths import ROOT
from planner.present import charts, formatting
from planner.scenarios import fy_label
from planner.scenarios.plan import OBJECT_CLASSES

if TYPE_CHECKING:
    from planner.reports.pdf import StaticOnlyFetcher

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


def pdf_bytes(
    html: str, *, title: str, author: str, fetcher: StaticOnlyFetcher | None = None
) -> bytes:
    """A tagged PDF (PDF/UA-1) of the HTML, by `planner.reports.pdf.pdf_bytes`; the
    renderer fetches only the app's static files (`StaticOnlyFetcher`, the default)."""
    from planner.reports import pdf  # WeasyPrint, loaded at the first PDF

    return pdf.pdf_bytes(html, title=title, author=author, fetcher=fetcher)
