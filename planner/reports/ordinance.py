"""A draft settlement project ordinance (DOCX, G.S. 159-13.2): the multi-year alternative to
re-budgeting the settlement fund every year. It identifies the project, authorizes it, lists
the estimated revenues (receipts, interest, fund balance appropriated) and the
appropriations by strategy for the life of the project — balanced, as the engine's
`project_ordinance` computes and checks — and says how it is filed (G.S. 159-13.2(d))."""

from __future__ import annotations

import io

from planner.cost_tables import default_cost_tables
from planner.present import formatting
from planner.reports.context import PlanDocument
from planner.reports.resolution import (
    MOA_TITLE,
    _date,
    _exhibit,
    amount_table,
    clerk_notes,
    governing_body,
    heading,
    new_document,
    signatures,
)
from planner.scenarios import fy_label
from planner.scenarios.fiscal import fy_end, fy_start
from planner.scenarios.projection import UNASSIGNED
from planner.scenarios.receipts import stream_totals
from planner.scenarios.summaries import ProjectOrdinance, project_ordinance


def strategy_name(doc: PlanDocument, code: str) -> str:
    if code == UNASSIGNED:
        return "Lines not yet assigned to an MOA strategy (assign before adoption)"
    exhibit, number = _exhibit(code)
    title = doc.titles.get(code, code).split(" ", 1)[-1]
    return f"{title} (MOA Exhibit {exhibit}, item {number})"


def ordinance_docx(
    doc: PlanDocument, first_fy: int | None = None, last_fy: int | None = None
) -> bytes:
    """The draft for FYs first..last (default: the period the board is asked to adopt,
    `doc.period`, the FYs of the authorizations it appropriates)."""
    if first_fy is None or last_fy is None:
        first_fy, last_fy = doc.period
    o = project_ordinance(doc.projection, first_fy, last_fy)
    body = governing_body(doc)
    start, end = fy_start(o.first_fy), fy_end(o.last_fy)
    money = formatting.money
    life = f"{fy_label(o.first_fy)} through {fy_label(o.last_fy)} ({_date(start)} to {_date(end)})"

    document = new_document(
        f"Opioid settlement project ordinance — {doc.plan_name}",
        doc.jurisdiction or "LEAD settlement planner",
    )
    heading(
        document,
        f"{body.heading}\nORDINANCE NO. ________\nOPIOID SETTLEMENT PROJECT ORDINANCE",
        center=True,
    )
    paragraph = document.add_paragraph()
    paragraph.add_run("BE IT ORDAINED").bold = True
    paragraph.add_run(
        f" by {body.board}, North Carolina, that, pursuant to G.S. 159-13.2, "
        "the following settlement project ordinance is hereby adopted:"
    )

    sections = [
        (
            "Section 1. The project.",
            f"The project authorized is the Opioid Settlement Project of {body.jurisdiction}: "
            f"the opioid remediation strategies listed in Section 4, as planned in “"
            f"{doc.plan_name}”, for the life of the project, {life}. The project is financed by "
            "proceeds received under the national opioid settlements and the "
            f"{MOA_TITLE} (“MOA”), accounted for in the Opioid Settlement Fund, a special "
            "revenue fund (Section D of the MOA). It is a settlement project as defined in "
            "G.S. 159-13.2(a)(4).",
        ),
        (
            "Section 2. Authorization.",
            f"The officers of {body.jurisdiction} are hereby directed to proceed with the "
            "project within the terms of the MOA, of the resolutions authorizing each strategy "
            "under Section E.6 of the MOA, and of the budget contained herein.",
        ),
    ]
    for title, text in sections:
        paragraph = document.add_paragraph()
        paragraph.add_run(title + " ").bold = True
        paragraph.add_run(text)

    paragraph = document.add_paragraph()
    paragraph.add_run("Section 3. Estimated revenues. ").bold = True
    paragraph.add_run(
        "The following revenues are anticipated to be available to complete the project:"
    )
    amount_table(
        document,
        ("Revenue", "Amount"),
        [
            *_receipt_rows(doc, o),
            ("Interest earnings of the Opioid Settlement Fund", money(o.interest)),
            ("Opioid Settlement Fund balance appropriated", money(o.fund_balance_appropriated)),
        ],
        ("Total estimated revenues", money(o.revenues_total)),
    )

    paragraph = document.add_paragraph()
    paragraph.add_run("Section 4. Appropriations. ").bold = True
    paragraph.add_run("The following amounts are appropriated for the project, by strategy:")
    rows = [(strategy_name(doc, a.strategy), money(a.amount)) for a in o.appropriations]
    if o.reserve:
        rows.append(
            ("Reserve for opioid remediation strategies not yet authorized", money(o.reserve))
        )
    amount_table(
        document,
        ("Appropriation", "Amount"),
        rows,
        ("Total appropriations", money(o.appropriations_total)),
    )

    paragraph = document.add_paragraph()
    paragraph.add_run("Section 5. Balance. ").bold = True
    if o.balanced:
        paragraph.add_run(
            f"The estimated revenues ({money(o.revenues_total)}) equal the "
            f"appropriations ({money(o.appropriations_total)})."
        )
    else:
        run = paragraph.add_run(
            f"[NOT BALANCED: the appropriations exceed every revenue the fund can provide by "
            f"{money(o.shortfall)}. G.S. 159-13.2(c) requires a balanced ordinance; reduce "
            "the appropriations or the life of the project before adoption.]"
        )
        run.bold = True
    further = [
        (
            "Section 6. Use of the funds.",
            "No amount may be spent on a strategy until a resolution under Section E.6 of the "
            "MOA authorizes it, naming the strategy by its Exhibit item letter and/or number and "
            "the amount for a stated period"
            + (
                "; the reserve is spent only once so authorized and this ordinance amended."
                if o.reserve
                else "."
            ),
        ),
        (
            "Section 7. Records and reports.",
            "The Finance Officer is directed to keep the accounts of the project in the Opioid "
            "Settlement Fund, to report on its financial status to the board, and to file the "
            "annual financial and impact reports (Section F.6 and Exhibits E and F of the MOA).",
        ),
        (
            "Section 8. Filing.",
            "This ordinance shall be entered in the minutes of the board and, within five days "
            "after its adoption, copies shall be filed with the Finance Officer, the Budget "
            f"Officer and the {body.clerk} (G.S. 159-13.2(d)).",
        ),
    ]
    for title, text in further:
        paragraph = document.add_paragraph()
        paragraph.add_run(title + " ").bold = True
        paragraph.add_run(text)
    document.add_paragraph(f"Adopted this ____ day of ____________, 20__, by {body.board}.")
    signatures(document, body)
    clerk_notes(
        document, "Notes for the clerk (not part of the ordinance)", ordinance_notes(doc, o)
    )
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def _receipt_rows(doc: PlanDocument, o: ProjectOrdinance) -> list[tuple[str, str]]:
    """The receipts, by settlement for a plan that gives its streams (§18); an estimate
    is said to be one (its sources are in the notes for the clerk)."""
    period = f"{fy_label(o.first_fy)} to {fy_label(o.last_fy)}"
    streams = stream_totals(
        default_cost_tables(), doc.projection, doc.receipts_basis, o.first_fy, o.last_fy
    )
    if streams:
        return [
            (
                f"Opioid settlement receipts, {s.name}, {period}"
                + (" (estimate, not a CORE-NC figure)" if s.estimate else ""),
                formatting.money(s.amount),
            )
            for s in streams
        ]
    basis = doc.receipts_basis
    estimated = basis is not None and any(o.first_fy <= fy <= o.last_fy for fy in basis.plain_fys)
    return [
        (
            f"Opioid settlement receipts, {period}"
            + (" (estimates, not CORE-NC figures)" if estimated else ""),
            formatting.money(o.receipts),
        )
    ]


def receipt_notes(doc: PlanDocument) -> list[str]:
    """What the receipts rest on and whether the opening balance was given (§14, §18)."""
    basis = doc.receipts_basis
    if basis is None:
        return []
    notes = []
    if basis.any_estimate:
        sources = "; ".join(f"{what}: {url}" for what, url in basis.sources)
        notes.append(
            f"{basis.note} Sources: {sources}. Confirm the receipts with CORE-NC before adoption."
        )
    if not basis.opening_given:
        notes.append(
            "The plan does not state the fund's opening balance: it is projected from $0 on "
            f"hand at the start of {fy_label(basis.first_fy)}. Enter the balance before "
            "adoption, then draft again."
        )
    return notes


def ordinance_notes(doc: PlanDocument, o: ProjectOrdinance) -> list[str]:
    notes = [
        f"Drafted on {_date(doc.prepared_on)} from the plan “{doc.plan_name}”; fill in the "
        "ordinance number and the adoption date.",
        "A project ordinance need not be readopted in later fiscal years (G.S. 159-13.2(b)); "
        "it may be amended in any way that keeps it balanced (G.S. 159-13.2(e)). Each "
        "strategy still needs its authorizing resolution under MOA §E.6.",
        f"The fund balance appropriated, {formatting.money(o.fund_balance_appropriated)}, is "
        f"drawn from the {formatting.money(o.available_balance)} the plan expects in the fund "
        f"on {_date(fy_start(o.first_fy))}.",
    ]
    if o.shortfall:
        notes.append(
            f"Not balanced: the plan spends {formatting.money(o.strategy_total)} in these FYs "
            f"but the fund can provide only {formatting.money(o.revenues_total)}. Shorten "
            "the project or reduce the plan's spending, then draft again."
        )
    notes.extend(receipt_notes(doc))
    if any(a.strategy == UNASSIGNED for a in o.appropriations):
        notes.append(
            "Some line items have no MOA strategy: assign one to each before "
            "adoption, or the money cannot be spent."
        )
    return notes
