"""The board packet (issue 23.4): for one board meeting, one ZIP with the budget
justification PDF, the authorizing resolution and the settlement project ordinance (DOCX),
the workbook (XLSX) and a one-page cover memo (PDF) — every one drafted from the same
`PlanDocument`, so every one states the same FYs (`doc.period`, chosen once by
`summaries.default_period` for `doc.meeting_on`) and the same amounts by strategy.

The cover memo says what is asked, what it costs, whether the fund lasts, the chance of a
deficit (from the plan's stored uncertainty analysis; a plan without ranges says that no
analysis was run) and what fails."""

from __future__ import annotations

import io
import re
import zipfile

from planner.reports.context import PlanDocument
from planner.reports.ordinance import ordinance_docx
from planner.reports.render import plan_report_pdf
from planner.reports.resolution import governing_body, resolution_docx
from planner.reports.templates import pdf_bytes, render
from planner.reports.uncertainty import Risk, deficit_risk
from planner.reports.workbook import plan_workbook
from planner.scenarios.summaries import fund_outlook, project_ordinance

MEMO_STRATEGIES = 8  # rows of the memo's table; the others are summed in one row
MEMO_FINDINGS = 4  # failing rules named on the memo; the rest are counted
MEMO_MESSAGE_CHARS = 220  # of each finding, cut at a word (the PDF's checklist has it whole)


def _cut(text: str, limit: int = MEMO_MESSAGE_CHARS) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + " …"


def cover_memo_html(doc: PlanDocument, risk: Risk) -> str:
    e = doc.executive
    first, last = doc.period
    adopt = list(e.adopt)
    shown, others = adopt[:MEMO_STRATEGIES], adopt[MEMO_STRATEGIES:]
    ordinance = project_ordinance(doc.projection, first, last)
    return render(
        "report/memo.html",
        doc=doc,
        e=e,
        f=fund_outlook(doc.projection),
        body=governing_body(doc),
        first=first,
        last=last,
        shown=shown,
        others_total=sum(a.amount for a in others),
        others_count=len(others),
        ordinance=ordinance,
        risk=risk,
        fails=[(r.rule, _cut(r.message)) for r in e.fails[:MEMO_FINDINGS]],
        more_fails=max(0, len(e.fails) - MEMO_FINDINGS),
        names=packet_names(doc),
    )


def cover_memo_pdf(doc: PlanDocument, risk: Risk | None = None) -> bytes:
    return pdf_bytes(
        cover_memo_html(doc, risk if risk is not None else deficit_risk(doc)),
        title=f"{doc.plan_name} — cover memo",
        author=doc.jurisdiction or "LEAD settlement planner",
    )


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "plan"


def packet_names(doc: PlanDocument) -> dict[str, str]:
    """The files of the packet, by part: `orange-county_board-packet_2027-06-07_memo.pdf`."""
    meeting = (doc.meeting_on or doc.prepared_on).isoformat()
    base = f"{_slug(doc.jurisdiction or doc.plan_name)}_{meeting}"
    return {
        "memo": f"{base}_1-cover-memo.pdf",
        "resolution": f"{base}_2-resolution.docx",
        "ordinance": f"{base}_3-project-ordinance.docx",
        "justification": f"{base}_4-budget-justification.pdf",
        "workbook": f"{base}_5-workbook.xlsx",
    }


def board_packet(doc: PlanDocument) -> bytes:
    """The ZIP of the five documents for `doc.meeting_on`, all for `doc.period`."""
    names = packet_names(doc)
    risk = deficit_risk(doc)
    parts = {
        "memo": cover_memo_pdf(doc, risk),
        "resolution": resolution_docx(doc),
        "ordinance": ordinance_docx(doc),
        "justification": plan_report_pdf(doc),
        "workbook": plan_workbook(doc),
    }
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        for part, body in parts.items():
            day = doc.prepared_on
            info = zipfile.ZipInfo(names[part], date_time=(day.year, day.month, day.day, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, body)
    return output.getvalue()
