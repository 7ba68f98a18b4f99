"""The budget justification (cost model §10): its HTML, rendered by the document environment
(`planner.reports.templates`), and its PDF.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from planner.cost_tables import default_cost_tables
from planner.present import charts
from planner.reports.templates import pdf_bytes, render
from planner.reports.uncertainty import deficit_risk, uncertainty_page_html
from planner.reports.words import CLASS_NAMES
from planner.scenarios import fy_label
from planner.scenarios.justification import justification_text

if TYPE_CHECKING:
    from planner.reports.pdf import StaticOnlyFetcher


def _b64(text: str) -> str:
    import base64

    return base64.b64encode(text.encode()).decode()


def _no_cost_reason(groups) -> str:
    if len(groups) == 1:
        return groups[0].basis
    return "; ".join(
        f"{fy_label(g.first_fy)}"
        + (f" to {fy_label(g.last_fy)}" if g.years > 1 else "")
        + f": {g.basis}"
        for g in groups
    )


# Past the PDF budget, the SF-424A table by strategy gives a column to this many of the
# largest strategies and one to the others together (the form itself has four activity
# columns a sheet; 200 strategies would be 200 columns a few characters wide).
SF424A_STRATEGY_COLUMNS = 5
# Past the PDF budget, a finding longer than this (one naming each of 200 lines) is cut at a
# word in the executive summary; the compliance checklist prints it whole.
SUMMARY_MESSAGE_MAX = 600


def summary_message(message: str, condensed: bool) -> str:
    if not condensed or len(message) <= SUMMARY_MESSAGE_MAX:
        return message
    cut = message[:SUMMARY_MESSAGE_MAX].rsplit(" ", 1)[0]
    return f"{cut} … (the whole finding is in the compliance checklist)"


def plan_report_html(doc) -> str:
    from planner.present.labels import KIND_NAMES
    from planner.reports.context import results_by_severity
    from planner.reports.words import count_words, input_rows
    from planner.scenarios.lines import escalation_text
    from planner.scenarios.summaries import (
        SF424A_ROWS,
        basis_groups,
        basis_shown,
        class_lines_shown,
        direct_charges_by_strategy,
        direct_charges_by_year,
        direct_charges_total,
        fy_columns,
        object_class_lines,
        past_pdf_budget,
        sf424a_columns,
    )

    p = doc.projection
    limits = default_cost_tables().limits
    condensed = limits is not None and past_pdf_budget(
        len(p.line_items), len(p.fiscal_years), limits.pdf_line_years_max
    )
    by_fy = fy_columns(p.fiscal_years, p.labels)
    period_years = limits.pdf_period_years if limits is not None and condensed else None
    cols = fy_columns(p.fiscal_years, p.labels, period_years) if condensed else by_fy
    basis_max = limits.pdf_basis_years_shown if limits is not None and condensed else None
    costed, zero = [], []
    for item, line in zip(doc.plan.line_items, p.line_items, strict=True):
        groups = basis_groups(line, p.fiscal_years)
        if line.total:
            costed.append((item, line, basis_shown(groups, basis_max)))
        else:
            zero.append((item, line, _no_cost_reason(groups)))
    direct = direct_charges_by_strategy(doc.classes_by_strategy)
    class_lines = object_class_lines(p)
    class_named = (
        {c: class_lines_shown(v, SF424A_STRATEGY_COLUMNS) for c, v in class_lines.items()}
        if condensed
        else {}
    )
    class_columns = (
        sf424a_columns(doc.classes_by_strategy, p.strategy_totals, SF424A_STRATEGY_COLUMNS)
        if condensed
        else ()
    )
    return render(
        "report/plan.html",
        doc=doc,
        kind_names=KIND_NAMES,
        stream_names={s.slug: s.name for s in default_cost_tables().streams},
        escalation_text=escalation_text,
        cols=cols,
        by_fy=by_fy,
        condensed=condensed,
        period_years=period_years,
        basis_max=basis_max,
        results=results_by_severity(doc),
        summary_message=lambda message: summary_message(message, condensed),
        sf424a_rows=SF424A_ROWS,
        class_names=CLASS_NAMES,
        direct_by_strategy=direct,
        direct_total=direct_charges_total(p),
        direct_by_year=direct_charges_by_year(p),
        class_lines=class_lines,
        class_named=class_named,
        class_columns=class_columns,
        costed_lines=costed,
        zero_lines=zero,
        justifications={item.id: justification_text(item) for item in doc.plan.line_items},
        defaults=input_rows(doc.defaults),
        count_words=count_words,
        fund_chart=_b64(charts.fund_balance_svg(p)),
        fund_alt=charts.fund_balance_alt(p),
        strategy_chart=_b64(charts.spending_by_strategy_svg(p, doc.titles)),
        strategy_alt=charts.spending_by_strategy_alt(p, doc.titles),
        uncertainty_page=uncertainty_page_html(doc),
        risk=deficit_risk(doc),
        **_funding_context(doc),
    )


def _funding_context(doc) -> dict[str, Any]:
    """Who pays (cost model §16): the SF-424A Section A split and the grant cliff."""
    from planner.scenarios.source_split import COLUMN_TITLES, COLUMNS, source_split

    return {
        "funding": source_split(doc.plan, doc.projection),
        "funding_rule": next((r for r in doc.results if r.rule == "FUNDING-SOURCES"), None),
        "funding_columns": COLUMNS,
        "funding_titles": COLUMN_TITLES,
    }


def plan_report_pdf(doc, fetcher: StaticOnlyFetcher | None = None) -> bytes:
    return pdf_bytes(
        plan_report_html(doc),
        title=f"{doc.plan_name} — budget justification",
        author=doc.jurisdiction or "LEAD settlement planner",
        fetcher=fetcher,
    )
