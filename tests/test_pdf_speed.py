"""The renderer's faster WeasyPrint internals (planner.reports.weasyprint_patches) give the PDF
WeasyPrint gives as shipped, byte for byte, and they are in force with the pinned WeasyPrint
(a version bump that turned them off would make the PDF 1.5× slower without a word)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from planner.reports.render import plan_report_html
from planner.reports.templates import pdf_bytes
from tests.test_documents import demo_data, doc_of

ROOT = Path(__file__).resolve().parent.parent

# Renders the HTML on stdin as pdf_bytes does, in a process where the patches are off.
SHIPPED = """
import sys
from planner.reports import weasyprint_patches
from planner.reports.pdf import pdf_bytes
assert not weasyprint_patches._applied
sys.stdout.buffer.write(pdf_bytes(sys.stdin.read(), title="t", author="a"))
"""


# WeasyPrint is imported by these tests, not at collection, and they run first: in `make
# test-fast` one worker runs them all and the other never loads it (tests/conftest.py).
pytestmark = pytest.mark.weasyprint


def test_the_patches_are_in_force_with_the_pinned_weasyprint():
    import weasyprint

    from planner.reports import pdf, weasyprint_patches

    assert pdf.pdf_bytes  # the writer is loaded
    assert weasyprint.__version__ == weasyprint_patches.WEASYPRINT_VERSION
    assert weasyprint_patches._applied  # planner.reports.pdf applied them at import
    assert weasyprint_patches.apply()  # and applying again is harmless


@pytest.mark.slow
def test_the_demo_pdf_is_the_same_bytes_with_weasyprint_as_shipped():
    """Every text, glyph position, tag and page number: the whole file, the same."""
    html = plan_report_html(doc_of(demo_data(), "Orange County"))
    ours = pdf_bytes(html, title="t", author="a")
    shipped = subprocess.run(  # noqa: S603
        [sys.executable, "-c", SHIPPED],
        input=html.encode(),
        capture_output=True,
        cwd=ROOT,
        env={**os.environ, "PLANNER_WEASYPRINT_PATCHES": "0"},
        check=True,
        timeout=300,
    ).stdout
    assert shipped.startswith(b"%PDF-")
    assert ours == shipped
