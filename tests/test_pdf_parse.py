"""The PDF renderer reads the documents' HTML with the XML parser when it is well-formed
(planner.reports.pdf._xml_tree): the tree must be the one WeasyPrint's HTML5 parser gives,
element for element, or the parser must decline and leave it to the HTML5 parser."""

from __future__ import annotations

import io

import pytest
import tinyhtml5

from planner.reports.render import plan_report_html
from tests.test_documents import demo_data, doc_of, page_texts

# WeasyPrint is imported by these tests, not at collection, and they run first: in `make
# test-fast` one worker runs them all and the other never loads it (tests/conftest.py).
pytestmark = pytest.mark.weasyprint


def _xml_tree(html: str):
    from planner.reports.pdf import _xml_tree

    return _xml_tree(html)


def _signature(root) -> list[tuple]:
    """Each element's tag, attributes and text; whitespace-only text counts as none (the two
    parsers differ only in where they keep the whitespace after </body>)."""
    return [
        (e.tag, dict(e.attrib), (e.text or "").strip() or None, (e.tail or "").strip() or None)
        for e in root.iter()
    ]


def _html5(html: str):
    return tinyhtml5.parse(html, namespace_html_elements=False)


def test_the_demo_report_reads_the_same_with_either_parser():
    html = plan_report_html(doc_of(demo_data(), "Orange County"))
    tree = _xml_tree(html)
    assert tree is not None  # the templates write well-formed markup
    assert _signature(tree) == _signature(_html5(html))


def test_markup_the_html5_parser_reads_otherwise_goes_to_it():
    head = '<!doctype html><html lang="en"><head><meta charset="utf-8"></head><body>'
    assert _xml_tree(head + "<p>a<br>b<img src='x.png' alt=''></p></body></html>") is not None
    for body in (
        "<p>a&nbsp;b</p>",  # a named entity
        "<p>a<p>b</p>",  # a paragraph left open
        "<p>a<div>b</div></p>",  # a block the HTML5 parser moves out of the paragraph
        "<table><tr><td>1</td></tr></table>",  # a row it puts in a <tbody>
        "<!-- a comment --><p>a</p>",
    ):
        html = head + body + "</body></html>"
        assert _xml_tree(html) is None, body
    assert _xml_tree('<!DOCTYPE x [<!ENTITY a "b">]><html><head/><body>&a;</body></html>') is None


@pytest.mark.slow
def test_the_demo_pdf_reads_the_same_as_weasyprints_own_parse_and_stylesheet():
    """The renderer's shortcuts (the XML parser, the scoped user-agent stylesheet) change
    nothing a reader sees: each page's text, page numbers and running plan name included,
    is the one WeasyPrint's HTML() with its own stylesheet gives."""
    from weasyprint import HTML

    from planner.reports.pdf import STATIC, StaticOnlyFetcher, pdf_bytes

    html = plan_report_html(doc_of(demo_data(), "Orange County"))
    document = HTML(string=html, base_url=str(STATIC) + "/", url_fetcher=StaticOnlyFetcher())
    plain = io.BytesIO()
    document.render().write_pdf(plain, pdf_variant="pdf/ua-1")
    ours = pdf_bytes(html, title="t", author="a")
    assert page_texts(ours) == page_texts(plain.getvalue())
    assert "Page 1 of " in page_texts(ours)[0]
