"""A draft authorizing resolution (DOCX) for the clerk to edit, following the fields of the
NC DOJ template (MOA §E.6(b)): for each strategy its name, Exhibit A or B, item letter and/or
number, amount, period and description; with the budget ordinance amount to adopt with it.

The text to be adopted carries no drafting advice: that is in a separate note for the clerk
at the end, after a page break, headed as not part of the resolution."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.shared import Pt, RGBColor

from planner.present import formatting
from planner.present.labels import KIND_NAMES
from planner.reports.context import PlanDocument
from planner.scenarios import fy_label
from planner.scenarios.authorizations import months_by_fy, period_months
from planner.scenarios.fiscal import fy_end, fy_start
from planner.scenarios.justification import justification_text
from planner.scenarios.summaries import asked_authorizations, strategy_amounts, total_amount

ORDINALS = (
    "First",
    "Second",
    "Third",
    "Fourth",
    "Fifth",
    "Sixth",
    "Seventh",
    "Eighth",
    "Ninth",
    "Tenth",
    "Eleventh",
    "Twelfth",
)

# The title NC local governments use in their adopted resolutions (e.g. Orange County
# RES-2023-043, Cabarrus 2024-27, Lee 2024-38, Harnett 2024-15).
MOA_TITLE = (
    "Memorandum of Agreement between the State of North Carolina and Local "
    "Governments on Proceeds Relating to the Settlement of Opioid Litigation"
)

# Internal citations a justification may carry (the planner's notes, not the board's).
_INTERNAL_NOTES = re.compile(
    r"\s*\((?:[^()]*?(?:brief|spec|lead_costs|compliance_rules|\.md)\s*§[^()]*)\)"
    r"|\s*\b(?:Duke )?(?:evaluation |policy )?brief §[IVXivx]+(?:\.[a-z])?"
    r"|\s*\bCost model spec §\d+"
    r"|\s*\b[\w-]+\.md(?: §[\w.]+)?"
)
DESCRIPTION_CHARS = 400  # of each justification: a description, not the whole memo


@dataclass(frozen=True)
class GoverningBody:
    """Who adopts: 'the Board of Commissioners of Orange County' signed by its Chair, or
    'the City Council of the City of Durham' signed by the Mayor."""

    jurisdiction: str  # as it reads inside a sentence: "Orange County", "the City of Durham"
    board: str  # "the Board of Commissioners of Orange County"
    presiding: str  # "Chair, Board of Commissioners" / "Mayor"
    clerk: str  # "Clerk to the Board" / "City Clerk"

    @property
    def heading(self) -> str:
        return self.jurisdiction.removeprefix("the ").upper()


def governing_body(doc: PlanDocument) -> GoverningBody:
    name = doc.jurisdiction
    kind = doc.plan.jurisdiction.kind
    if not name:
        return GoverningBody(
            "[the local government]", "[the governing board]", "[Chair or Mayor]", "[Clerk]"
        )
    match = re.match(r"^(City|Town|Village) of ", name)
    if match:
        unit = match.group(1)
        return GoverningBody(
            f"the {name}", f"the {unit} Council of the {name}", "Mayor", f"{unit} Clerk"
        )
    if kind == "county" or name.endswith(" County"):
        return GoverningBody(
            name,
            f"the Board of Commissioners of {name}",
            "Chair, Board of Commissioners",
            "Clerk to the Board",
        )
    return GoverningBody(name, f"the governing board of {name}", "Mayor", "Clerk")


def _exhibit(code: str) -> tuple[str, str]:
    """("A", "10") or ("B", "D.1.4")."""
    match = re.match(r"^([AB]):(.+)$", code)
    return (match.group(1), match.group(2)) if match else ("?", code)


def _date(day: dt.date) -> str:
    return formatting.long_date(day)


def line_name(item, line) -> str:
    """A line as the board reads it: its label, else its kind (and role) — never its id."""
    if line.label:
        return line.label
    role = getattr(item.params, "role", None)  # positions name a role
    if role:
        return role.replace("_", " ").capitalize()
    return KIND_NAMES.get(item.kind, "Line item")


def clean_justification(text: str) -> str:
    """The first sentences of a justification, without the planner's internal citations."""
    text = re.sub(r"\s+", " ", _INTERNAL_NOTES.sub("", text)).strip()
    if len(text) <= DESCRIPTION_CHARS:
        return text
    cut = text[:DESCRIPTION_CHARS]
    end = max(cut.rfind(". "), cut.rfind("; "))
    return (cut[: end + 1] if end > DESCRIPTION_CHARS // 3 else cut.rsplit(" ", 1)[0]) + " …"


def description(doc: PlanDocument, line_ids: tuple[str, ...]) -> str:
    items = {item.id: item for item in doc.plan.line_items}
    lines = {line.id: line for line in doc.projection.line_items}
    parts = []
    for line_id in line_ids:
        name = line_name(items[line_id], lines[line_id])
        reason = clean_justification(justification_text(items[line_id]))
        parts.append(f"{name}{': ' + reason.rstrip('.') if reason else ''}")
    return "; ".join(parts) + "."


def new_document(title: str, author: str):
    document = Document()
    style = document.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(12)
    style.paragraph_format.space_after = Pt(6)
    document.core_properties.title = title
    document.core_properties.author = author
    return document


def heading(document, text: str, *, center: bool = False, size: int = 12):
    """A bold Times heading (the body's face, not Word's blue 'Heading 2')."""
    paragraph = document.add_paragraph()
    if center:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.keep_with_next = True
    paragraph.paragraph_format.space_before = Pt(10)
    run = paragraph.add_run(text)
    run.bold = True
    run.font.size = Pt(size)
    return paragraph


def amount_table(
    document, header: tuple[str, ...], rows: Sequence[tuple[str, ...]], total: tuple[str, ...]
):
    """A grid whose last column (the amounts) is right-aligned, with a total row and space
    after it."""
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for row_values, bold in [(header, True), *((r, False) for r in rows), (total, True)]:
        cells = table.rows[0].cells if row_values is header else table.add_row().cells
        for index, value in enumerate(row_values):
            cells[index].text = ""
            run = cells[index].paragraphs[0].add_run(value)
            run.bold = bold
            if index == len(row_values) - 1:
                cells[index].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    document.add_paragraph()
    return table


def clerk_notes(document, title: str, notes: list[str]) -> None:
    """Drafting advice after a page break, headed as not part of the text to adopt."""
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    heading(document, title)
    for note in notes:
        paragraph = document.add_paragraph(note, style="List Bullet")
        for run in paragraph.runs:
            run.font.color.rgb = RGBColor(0x33, 0x33, 0x33)


def signatures(document, body: GoverningBody) -> None:
    document.add_paragraph(
        f"\n______________________________\n{body.presiding}\n\nATTEST:\n"
        f"______________________________\n{body.clerk}"
    )


def resolution_docx(
    doc: PlanDocument, first_fy: int | None = None, last_fy: int | None = None
) -> bytes:
    """The draft for FYs first..last (default: the period the board is asked to adopt,
    `doc.period`)."""
    if first_fy is None or last_fy is None:
        first_fy, last_fy = doc.period
    p = doc.projection
    amounts = [a for a in strategy_amounts(p, first_fy, last_fy) if a.amount > 0]
    start, end = fy_start(first_fy), fy_end(last_fy)
    total = total_amount(amounts)
    body = governing_body(doc)
    option_b = [a for a in amounts if a.strategy.startswith("B:")]

    document = new_document(
        f"Resolution authorizing opioid settlement funds — {doc.plan_name}",
        doc.jurisdiction or "LEAD settlement planner",
    )
    heading(
        document,
        f"{body.heading}\nRESOLUTION NO. ________\n"
        "RESOLUTION AUTHORIZING THE EXPENDITURE OF OPIOID SETTLEMENT FUNDS",
        center=True,
    )

    whereas = [
        f"{body.jurisdiction} has joined national settlements with companies engaged in the "
        "manufacturing, distribution, and dispensing of opioids;",
        "the allocation, use, and reporting of funds stemming from these national settlements "
        f"(“Opioid Settlement Funds”) are governed by the {MOA_TITLE} (“MOA”) and the "
        "Supplemental Agreement for Additional Funds (“SAAF”);",
        f"{body.jurisdiction} has received Opioid Settlement Funds and deposited them in a "
        "separate special revenue fund, the Opioid Settlement Fund, as Section D of the MOA "
        "requires;",
        "the MOA permits the expenditure of Opioid Settlement Funds on the strategies in its "
        "Exhibit A (Option A) and, after collaborative strategic planning, its Exhibit B "
        "(Option B);",
    ]
    if option_b:
        presented = doc.plan.program.presented_on
        whereas.append(
            f"{body.jurisdiction} has undertaken the collaborative strategic planning process "
            "described in Exhibit C of the MOA"
            + (
                f", whose report and recommendations were presented on {_date(presented)}"
                if presented
                else ""
            )
            + ", before funding the Exhibit B strategies below (Section E.5 of the MOA);"
        )
    whereas.append(
        "Section E.6 of the MOA states that, before spending Opioid Settlement Funds, the "
        "local government’s governing body must adopt a budget or resolution authorizing the "
        "expenditure that names the strategy or strategies by item letter and/or number in "
        "Exhibit A or B and states the amount dedicated to each strategy for a stated period "
        "of time;"
    )
    for clause in whereas:
        paragraph = document.add_paragraph()
        paragraph.add_run("WHEREAS, ").bold = True
        paragraph.add_run(clause)
    paragraph = document.add_paragraph()
    paragraph.add_run("NOW, THEREFORE, BE IT RESOLVED").bold = True
    paragraph.add_run(
        f" by {body.board} that it authorizes the expenditure of Opioid "
        "Settlement Funds as follows:"
    )

    for index, item in enumerate(amounts):
        exhibit, number = _exhibit(item.strategy)
        title = doc.titles.get(item.strategy, item.strategy).split(" ", 1)[-1]
        ordinal = ORDINALS[index] if index < len(ORDINALS) else f"Strategy {index + 1}"
        heading(document, f"{index + 1}. {ordinal} strategy authorized")
        fields = [
            ("a. Name of strategy", title),
            ("b. Strategy is included in Exhibit", exhibit),
            ("c. Item letter and/or number in Exhibit A or Exhibit B to the MOA", number),
            ("d. Amount authorized for this strategy", formatting.money(item.amount)),
            (
                "e. Period of time during which expenditure may take place",
                f"Start date: {_date(start)}   End date: {_date(end)}",
            ),
            (
                "f. Description of the program, project, or activity",
                description(doc, item.line_ids),
            ),
        ]
        for label, value in fields:
            paragraph = document.add_paragraph()
            paragraph.add_run(f"{label}: ").bold = True
            paragraph.add_run(value)

    heading(document, "Totals")
    amount_table(
        document,
        ("Strategy", "Exhibit and item", "Amount"),
        [
            (
                doc.titles.get(a.strategy, a.strategy),
                "Exhibit {}, item {}".format(*_exhibit(a.strategy)),
                formatting.money(a.amount),
            )
            for a in amounts
        ],
        ("Total authorized", "", formatting.money(total)),
    )

    document.add_paragraph(appropriation_clause(first_fy, last_fy))
    document.add_paragraph(
        "BE IT FURTHER RESOLVED that the Finance Officer is directed to report the "
        "expenditures in the annual financial and impact reports (Section F.6 and Exhibits E "
        "and F of the MOA)."
    )
    document.add_paragraph(f"Adopted this ____ day of ____________, 20__, by {body.board}.")
    signatures(document, body)
    clerk_notes(
        document,
        "Notes for the clerk (not part of the resolution)",
        resolution_notes(doc, first_fy, last_fy, total),
    )
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def appropriation_clause(first_fy: int, last_fy: int) -> str:
    """How the amounts are appropriated: NC's budget ordinance is annual (G.S. 159-13), so
    one FY is appropriated in that FY's annual budget ordinance; several FYs at once, in a
    settlement project ordinance (G.S. 159-13.2) adopted with the resolution."""
    if first_fy == last_fy:
        return (
            "BE IT FURTHER RESOLVED that the amounts above are appropriated from the Opioid "
            "Settlement Fund, a special revenue fund, in the annual budget ordinance for "
            f"{fy_label(first_fy)}."
        )
    return (
        "BE IT FURTHER RESOLVED that the amounts above are appropriated from the Opioid "
        "Settlement Fund, a special revenue fund, in the settlement project ordinance "
        f"(G.S. 159-13.2) adopted with this resolution for {fy_label(first_fy)} to "
        f"{fy_label(last_fy)}."
    )


def resolution_notes(doc: PlanDocument, first_fy: int, last_fy: int, total: int) -> list[str]:
    notes = [
        f"Drafted on {_date(doc.prepared_on)} from the plan “{doc.plan_name}”; fill in the "
        "resolution number and the adoption date.",
        "NC DOJ guidance (August 2023) asks for both this resolution and an ordinance "
        f"appropriating the {formatting.money(total)}: "
        + (
            f"the annual budget ordinance for {fy_label(first_fy)} (or an amendment to it)."
            if first_fy == last_fy
            else "NC's budget ordinance covers one fiscal year (G.S. 159-13), so several "
            "years are appropriated at once by a settlement project ordinance (G.S. "
            "159-13.2), drafted with this resolution for the same FYs and amounts."
        ),
    ]
    wanted = set(range(first_fy, last_fy + 1))
    # Other funding sources (cost model §16) pay their part of the lines: not appropriated here.
    names = {source.id: source.name for source in doc.plan.funding}
    others = [
        (
            names[key],
            sum(
                v for fy, v in zip(doc.projection.fiscal_years, values, strict=True) if fy in wanted
            ),
        )
        for key, values in doc.projection.by_source.items()
        if key in names
    ]
    others = [(name, amount) for name, amount in others if amount]
    if others:
        notes.append(
            "The amounts are settlement money only: the plan's other funding sources pay "
            + ", ".join(f"{name} {formatting.money(amount)}" for name, amount in others)
            + " of its costs over these FYs, appropriated by their own ordinances."
        )
    meeting = doc.meeting_on or doc.prepared_on
    asked = asked_authorizations(doc.plan, meeting)
    for auth in asked:
        notes.append(
            f"This resolution adopts the authorization of "
            f"{doc.titles.get(auth.strategy, auth.strategy)} recorded in the plan "
            f"({formatting.money(auth.amount)}, {_date(auth.start)} to {_date(auth.end)}"
            + (f", scheduled for {_date(auth.adopted_on)}" if auth.adopted_on else "")
            + "); record its adoption date in the plan once adopted."
        )
    for auth in doc.plan.program.authorizations:
        if auth in asked:
            continue
        overlap = sorted(wanted & set(months_by_fy(period_months(auth.start, auth.end))))
        if overlap:
            notes.append(
                f"{doc.titles.get(auth.strategy, auth.strategy)} is already authorized for "
                f"{fy_label(overlap[0])}"
                + (f" to {fy_label(overlap[-1])}" if len(overlap) > 1 else "")
                + f" ({formatting.money(auth.amount)}, {_date(auth.start)} to "
                f"{_date(auth.end)}): this draft authorizes it again. Amend that resolution, "
                "or start this one after it."
            )
    return notes
