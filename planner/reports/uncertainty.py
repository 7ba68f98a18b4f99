"""The uncertainty page of the budget justification PDF (cost model §12): one landscape page
with the fan chart, the tornado and the chance the fund is short in each FY."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from decimal import Decimal

from markupsafe import Markup

from planner.present import charts_uncertainty
from planner.present.formatting import percent
from planner.reports.templates import render
from planner.scenarios.uncertainty import LABELS, MULTIPLIERS, RATES
from planner.services.analyses import analysis_of_plan


def _b64(svg: str) -> str:
    return base64.b64encode(svg.encode("utf-8")).decode("ascii")


@dataclass(frozen=True)
class Risk:
    """The chance the fund is short in at least one FY, as the executive summary and the
    cover memo say it: `chance` None with `ranges` False — no uncertainty analysis was run
    (the plan has no ranges); with `ranges` True — the analysis is not stored yet."""

    ranges: bool
    chance: float | None = None
    draws: int | None = None


def deficit_risk(doc) -> Risk:
    if doc.plan.uncertainty is None:
        return Risk(ranges=False)
    analysis = analysis_of_plan(doc.plan, doc.projection)
    if analysis is None:
        return Risk(ranges=True)
    return Risk(True, analysis.result.p_any_deficit, analysis.result.draws)


def range_value(name: str, value: Decimal) -> str:
    """A range's bound as the assumptions page prints it: a rate as a percentage (3%), a
    multiplier of the plan's value as ×0.9, months as months."""
    if name in RATES:
        return percent(value)
    if name in MULTIPLIERS:
        return f"×{value.normalize():f}" if isinstance(value, Decimal) else f"×{value}"
    if name == "average_months_enrolled":
        return f"{value} months"
    return str(value)


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
            range_value=range_value,
            fan_chart=_b64(charts_uncertainty.fan_svg(result, analysis.projection)),
            fan_alt=charts_uncertainty.fan_alt(result, analysis.projection),
            tornado_chart=_b64(charts_uncertainty.tornado_svg(result)),
            tornado_alt=charts_uncertainty.tornado_alt(result),
        )
    )
