"""A draft authorizing resolution (DOCX) for the clerk to edit, following the fields of the
NC DOJ template (MOA §E.6(b)): for each strategy its name, Exhibit A or B, item letter and/or
number, amount, period and description; with the budget ordinance amount to adopt with it."""

from __future__ import annotations

import datetime as dt
import io
import re

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from planner import formatting
from planner.reports.context import PlanDocument
from planner.scenarios import fy_label
from planner.scenarios.fiscal import fy_end, fy_start
from planner.scenarios.summaries import strategy_amounts, total_amount

ORDINALS = ("First", "Second", "Third", "Fourth", "Fifth", "Sixth", "Seventh", "Eighth",
            "Ninth", "Tenth", "Eleventh", "Twelfth")


def _exhibit(code: str) -> tuple[str, str]:
    """("A", "10") or ("B", "D.1.4")."""
    match = re.match(r"^([AB]):(.+)$", code)
    return (match.group(1), match.group(2)) if match else ("?", code)


def _date(day: dt.date) -> str:
    return formatting.long_date(day)


def resolution_docx(doc: PlanDocument, first_fy: int, last_fy: int) -> bytes:
    p = doc.projection
    amounts = [a for a in strategy_amounts(p, first_fy, last_fy) if a.amount > 0]
    start, end = fy_start(first_fy), fy_end(last_fy)
    total = total_amount(amounts)
    lines = {line.id: line for line in p.line_items}
    items = {item.id: item for item in doc.plan.line_items}

    document = Document()
    style = document.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(12)
    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = heading.add_run(f"{doc.jurisdiction.upper() or '[GOVERNING BODY]'}\n"
                          "RESOLUTION AUTHORIZING THE EXPENDITURE OF OPIOID SETTLEMENT FUNDS")
    run.bold = True
    note = document.add_paragraph().add_run(
        f"DRAFT for the clerk — prepared on {_date(doc.prepared_on)} from the plan "
        f"“{doc.plan_name}”.")
    note.italic = True

    whereas = [
        f"{doc.jurisdiction or 'the local government'} has joined national settlements with "
        "companies engaged in the manufacturing, distribution, and dispensing of opioids;",
        "the allocation, use, and reporting of funds stemming from these national settlements "
        "(“Opioid Settlement Funds”) are governed by the Memorandum of Agreement Between the "
        "State of North Carolina and Local Governments on Proposed Settlements with Opioid "
        "Distributors and Manufacturers (“MOA”);",
        "the MOA permits the expenditure of Opioid Settlement Funds on the strategies in its "
        "Exhibit A (Option A) and, after collaborative strategic planning, its Exhibit B "
        "(Option B);",
        "Section E.6 of the MOA states that, before spending Opioid Settlement Funds, the "
        "governing body must adopt a budget or resolution authorizing the expenditure that "
        "names the strategy or strategies by item letter and/or number in Exhibit A or B and "
        "states the amount dedicated to each strategy for a stated period of time;",
    ]
    for clause in whereas:
        paragraph = document.add_paragraph()
        paragraph.add_run("WHEREAS, ").bold = True
        paragraph.add_run(clause)
    paragraph = document.add_paragraph()
    paragraph.add_run("NOW, THEREFORE, BE IT RESOLVED").bold = True
    paragraph.add_run(f" by the governing body of {doc.jurisdiction or '[jurisdiction]'} that "
                      "it authorizes the expenditure of opioid settlement funds as follows:")

    for index, item in enumerate(amounts):
        exhibit, number = _exhibit(item.strategy)
        title = doc.titles.get(item.strategy, item.strategy).split(" ", 1)[-1]
        ordinal = ORDINALS[index] if index < len(ORDINALS) else f"Strategy {index + 1}"
        document.add_paragraph(f"{index + 1}. {ordinal} strategy authorized",
                               style="Heading 2")
        described = [lines[i].label or i for i in item.line_ids]
        justifications = [items[i].justification for i in item.line_ids
                          if items[i].justification]
        fields = [
            ("a. Name of strategy", title),
            ("b. Strategy is included in Exhibit", exhibit),
            ("c. Item letter and/or number in Exhibit A or Exhibit B to the MOA", number),
            ("d. Amount authorized for this strategy", formatting.money(item.amount)),
            ("e. Period of time during which expenditure may take place",
             f"Start date: {_date(start)}   End date: {_date(end)}"),
            ("f. Description of the program, project, or activity",
             "; ".join(described) + (". " + " ".join(justifications[:3])
                                     if justifications else ".")),
        ]
        for label, value in fields:
            paragraph = document.add_paragraph()
            paragraph.add_run(f"{label}: ").bold = True
            paragraph.add_run(value)

    document.add_paragraph("Totals", style="Heading 2")
    table = document.add_table(rows=1, cols=3)
    table.style = "Table Grid"
    cells = table.rows[0].cells
    cells[0].text, cells[1].text, cells[2].text = "Strategy", "Exhibit and item", "Amount"
    for item in amounts:
        exhibit, number = _exhibit(item.strategy)
        row = table.add_row().cells
        row[0].text = doc.titles.get(item.strategy, item.strategy)
        row[1].text = f"Exhibit {exhibit}, item {number}"
        row[2].text = formatting.money(item.amount)
    row = table.add_row().cells
    row[0].text, row[2].text = "Total authorized", formatting.money(total)

    paragraph = document.add_paragraph()
    paragraph.add_run("Budget ordinance: ").bold = True
    paragraph.add_run(
        f"appropriate {formatting.money(total)} from the Opioid Settlement Fund (special "
        f"revenue fund, MOA §D) for {fy_label(first_fy)} to {fy_label(last_fy)}. NC DOJ "
        "guidance (August 2023) asks for both this resolution and a budget ordinance; a "
        "settlement project ordinance may appropriate several years at once.")
    document.add_paragraph(
        "The Finance Officer is directed to report the expenditures in the annual financial "
        "and impact reports (MOA §F.6, Exhibits E and F).")
    document.add_paragraph("Adopted this ____ day of ____________, 20__.")
    document.add_paragraph("\n______________________________\nChair\n\nATTEST:\n"
                           "______________________________\nClerk")
    document.core_properties.title = (
        f"Resolution authorizing opioid settlement funds — {doc.plan_name}")
    document.core_properties.author = doc.jurisdiction or "LEAD settlement planner"
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()
