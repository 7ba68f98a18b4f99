"""The document renderer: a Jinja environment of its own (autoescaped) for documents' HTML,
and WeasyPrint for their PDF.

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

from planner.paths import ROOT
from planner.present import charts, formatting
from planner.scenarios import fy_label
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
