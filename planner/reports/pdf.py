"""The PDF writer: WeasyPrint, with the app's own speed-ups, for the documents' HTML
(`planner.reports.templates`, which loads this module at the first PDF a process writes).

The PDF renderer fetches nothing but the app's own static files and the charts embedded in
the page: every other URL — a user's `<img src="http://…">` in a justification included, though
that is escaped to text anyway — is refused.
"""

from __future__ import annotations

import functools
import gc
import io
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import cssselect2  # type: ignore[import-untyped]
import pydyf
import weasyprint.css
from weasyprint import CSS, HTML
from weasyprint.css.counters import CounterStyle
from weasyprint.html import UA
from weasyprint.urls import URLFetcher, ensure_url

from planner.paths import ROOT
from planner.reports import weasyprint_patches

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

_weasyprint_css = CSS
# The at-rules whose effect is not kept inside a parsed stylesheet: a sheet with one of them
# is parsed for each render, as WeasyPrint does.
_SHARED_STATE_RULES = ("@font-face", "@counter-style", "@import", "@layer", "@color-profile")
_parsed_sheets: dict[tuple[str, int, str], CSS] = {}


def _stylesheet(*args: Any, **kwargs: Any) -> CSS:
    """WeasyPrint's `CSS()` as its stylesheet finder calls it, with the app's own stylesheets
    (static/*.css, report.css: ≈2 % of a demo render to parse) parsed once a process, per
    file version, and shared by the renders: the cascade only reads a parsed sheet; the
    document's list of @page rules gets the sheet's, as a fresh parse would have added them."""
    url = kwargs.get("url")
    if args or not isinstance(url, str) or not url.startswith("file://"):
        return _weasyprint_css(*args, **kwargs)
    path = Path(url[len("file://") :]).resolve()
    if not (path.is_relative_to(STATIC.resolve()) and path.suffix == ".css" and path.is_file()):
        return _weasyprint_css(*args, **kwargs)
    key = (str(path), path.stat().st_mtime_ns, str(kwargs.get("media_type")))
    sheet = _parsed_sheets.get(key)
    if sheet is None:
        if any(rule in path.read_text() for rule in _SHARED_STATE_RULES):
            return _weasyprint_css(*args, **kwargs)
        sheet = _weasyprint_css(
            url=url,
            url_fetcher=kwargs.get("url_fetcher"),
            media_type=kwargs.get("media_type", "print"),
            counter_style=CounterStyle(),
            _check_mime_type=kwargs.get("_check_mime_type", False),
        )
        _parsed_sheets[key] = sheet
    page_rules = kwargs.get("page_rules")
    if page_rules is not None:
        page_rules.extend(sheet.page_rules)
    return sheet


# WeasyPrint's per-box and per-text internals, faster and giving the same bytes
# (weasyprint_patches), and the app's stylesheets parsed once; PLANNER_WEASYPRINT_PATCHES=0
# renders with WeasyPrint as shipped.
if os.environ.get("PLANNER_WEASYPRINT_PATCHES", "1") != "0":
    weasyprint_patches.apply()
    weasyprint.css.CSS = _stylesheet


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


_DOCTYPE = re.compile(r"\A\s*<!doctype html>", re.IGNORECASE)
_CLOSES_P = frozenset(
    "address article aside blockquote details div dl fieldset figcaption figure footer form "
    "h1 h2 h3 h4 h5 h6 header hr main menu nav ol p pre section table ul".split()
)
_VOID = re.compile(
    r"<(area|base|br|col|embed|hr|img|input|link|meta|source|track|wbr)\b([^>]*?)/?>"
)


def _xml_tree(html: str) -> ET.Element | None:
    """The documents' HTML as an element tree, read by the XML parser (C, expat) rather than
    WeasyPrint's HTML5 parser (pure Python, ≈6 % of a demo render): the app's templates write
    well-formed markup with its void elements known, and every user text is escaped. The same
    tree — the elements, attributes and text the HTML5 parser gives (the document benchmark
    and tests/test_pdf_parse.py compare them) — or None when the text is not well-formed XML
    (a named entity such as &nbsp;, a tag left open), and then the HTML5 parser reads it."""
    doctype = _DOCTYPE.match(html)
    if doctype is None or "<!" in html[doctype.end() :]:  # a comment, CDATA, another DOCTYPE
        return None
    try:
        # No "<!" past the doctype, so no entity declarations: nothing for an XML attack.
        root = ET.fromstring(_VOID.sub(r"<\1\2/>", html[doctype.end() :]))  # noqa: S314
    except ET.ParseError:
        return None
    if root.tag != "html" or [child.tag for child in root] != ["head", "body"]:
        return None
    # Well-formed markup the HTML5 parser would still read otherwise: a block inside a <p>
    # (which it closes first) and a row straight inside a <table> (it adds the <tbody>).
    if any(child.tag in _CLOSES_P for p in root.iter("p") for child in p) or any(
        child.tag == "tr" for table in root.iter("table") for child in table
    ):
        return None
    root.text = None  # whitespace the HTML5 parser drops outside head and body
    root[1].tail = None
    return root


def _scoped_user_agent_css(text: str) -> str:
    """WeasyPrint's user-agent stylesheet with its universal pseudo-element rules scoped to
    what the documents have: `::marker` gives every element a marker style and the footnote
    and note rules five more, each computed for each of the ≈2,000 elements of a demo report
    (12,600 computed styles for 2,000 elements: half the cascade's time). Only <li> shows a
    marker here, and no document floats a footnote or a note."""
    lines = []
    for line in text.splitlines():
        if line.startswith("::marker {"):
            line = "li" + line
        elif line.startswith(("::footnote-", "::note-")):
            continue
        lines.append(line)
    return "\n".join(lines)


@functools.cache
def user_agent_css() -> CSS:
    """The scoped stylesheet, parsed once a process, at its first PDF. Its @counter-style
    rules are read into a counter-style set of their own: the document's come from
    WeasyPrint's (`HTML._ua_counter_style`), parsed from the same text."""
    return CSS(string=_scoped_user_agent_css(UA), counter_style=CounterStyle())


class Document(HTML):
    """WeasyPrint's HTML with the scoped user-agent stylesheet."""

    def _ua_stylesheets(self, forms: bool = False) -> list[CSS]:
        return [user_agent_css()]


def html_document(html: str, fetcher: URLFetcher) -> HTML:
    """WeasyPrint's document of this HTML, its tree read by `_xml_tree` when it can be."""
    base_url = str(STATIC) + "/"
    tree = _xml_tree(html)
    if tree is None:
        return Document(string=html, base_url=base_url, url_fetcher=fetcher)
    document = Document.__new__(Document)  # what HTML.__init__ sets after its parse
    document.base_url = ensure_url(base_url)  # as HTML() has it (the templates have no <base>)
    document.url_fetcher = fetcher
    document.media_type = "print"
    document.wrapper_element = cssselect2.ElementWrapper.from_html_root(tree, content_language=None)
    document.etree_element = document.wrapper_element.etree_element
    return document


def pdf_bytes(
    html: str, *, title: str, author: str, fetcher: StaticOnlyFetcher | None = None
) -> bytes:
    """A tagged PDF (PDF/UA-1) with title and author metadata.

    The cyclic garbage collector is paused while WeasyPrint works: the objects a demo render
    allocates (boxes, styles, Pango wrappers) set off ≈250 collections, one of them a full one
    over the whole process, ≈6 % of the render's CPU; the box tree is garbage only once the
    PDF is written, and the collections after it find it."""
    fetcher = fetcher or StaticOnlyFetcher()
    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        document = html_document(html, fetcher).render()
        document.metadata.title = title
        document.metadata.authors = [author]
        output = io.BytesIO()
        document.write_pdf(output, pdf_variant="pdf/ua-1")
        del document
    finally:
        if paused:
            gc.enable()
    return output.getvalue()
