"""The uncertainty page of the budget justification PDF (cost model §12): one landscape page
with the fan chart, the tornado and the chance the fund is short in each FY."""

from __future__ import annotations

import base64

from markupsafe import Markup

from planner.present import charts_uncertainty
from planner.reports.pdf import render
from planner.scenarios.uncertainty import LABELS
from planner.services.analyses import analysis_of_plan


def _b64(svg: str) -> str:
    return base64.b64encode(svg.encode("utf-8")).decode("ascii")


def uncertainty_page_html(doc) -> Markup:
    """The page's HTML, or nothing when the plan has no ranges."""
    analysis = analysis_of_plan(doc.plan, doc.projection)
    if analysis is None:
        return Markup("")
    result = analysis.result
    return Markup(  # noqa: S704 - rendered by the autoescaping environment
        render(
            "report/_uncertainty.html",
            r=result,
            plan_closing=analysis.projection.fund.closing,
            labels=LABELS,
            fan_chart=_b64(charts_uncertainty.fan_svg(result, analysis.projection)),
            fan_alt=charts_uncertainty.fan_alt(result, analysis.projection),
            tornado_chart=_b64(charts_uncertainty.tornado_svg(result)),
            tornado_alt=charts_uncertainty.tornado_alt(result),
        )
    )
