"""The uncertainty charts (cost model §12): the fan of the closing balance and the tornado.

Drawn like `planner.present.charts` (`planner.present.svg`, the same palette), with a
one-sentence text alternative each; the page shows the tables too.
"""

from __future__ import annotations

from typing import Any

from planner.present.charts import DEFICIT, PALETTE, ChartCache, _dollars, _short_labels
from planner.present.svg import Chart
from planner.scenarios import Projection, fy_label
from planner.scenarios.simulation import Simulation
from planner.scenarios.uncertainty import LABELS


def fan_svg(
    result: Simulation,
    projection: Projection,
    title: str = "Closing fund balance: the range of simulated plans",
) -> str:
    chart = Chart(
        title,
        fan_alt(result, projection),
        _short_labels(result.fiscal_years),
        _dollars,
        legend_columns=2,
    )
    chart.band(
        result.closing[10], result.closing[90], PALETTE[4], "P10 to P90 of the simulated plans"
    )
    chart.line(result.closing[50], PALETTE[0], "P50 (median)")
    chart.line(projection.fund.closing, PALETTE[1], "The plan as written", dash="6 3")
    chart.reference(0, DEFICIT, "Zero: below it the fund is short")
    return chart.svg()


def tornado_svg(
    result: Simulation, title: str = "Which range moves the lowest balance most"
) -> str:
    """One row a range, widest on top: a bar from the plan's own lowest closing balance to
    the lowest balance with that range at its low, and one to it at its high; the axis is
    in dollars, with the plan's lowest balance and zero marked."""
    rows = [
        row
        for row in result.tornado
        if row.at_low.lowest_closing is not None and row.at_high.lowest_closing is not None
    ]
    base = result.base.lowest_closing or 0
    chart = Chart(
        title,
        tornado_alt(result),
        [LABELS[row.variable] for row in rows],
        _dollars,
        horizontal=True,
        legend_columns=2,
    )
    chart.spans(
        [base] * len(rows),
        [row.at_low.lowest_closing or 0 for row in rows],
        PALETTE[5],
        figures=True,
    )
    chart.spans(
        [base] * len(rows),
        [row.at_high.lowest_closing or 0 for row in rows],
        PALETTE[0],
        figures=True,
    )
    chart.key("At the range's low", PALETTE[5])
    chart.key("At the range's high", PALETTE[0])
    chart.reference(base, "#333333", f"The plan's lowest balance, {_dollars(base)}")
    chart.reference(0, DEFICIT, "Zero", dash="2 2")
    return chart.svg()


def fan_alt(result: Simulation, projection: Projection) -> str:
    last = len(result.fiscal_years) - 1
    text = (
        f"Chart of the closing fund balance of {result.draws:,} simulated plans from "
        f"{fy_label(result.fiscal_years[0])} to {fy_label(result.fiscal_years[-1])}: in "
        f"the last FY, 8 in 10 end between {_dollars(result.closing[10][last])} and "
        f"{_dollars(result.closing[90][last])}, the median at "
        f"{_dollars(result.closing[50][last])}, the plan as written at "
        f"{_dollars(projection.fund.closing[last])}."
    )
    return (
        text + f" The chance the fund is short in at least one FY: "
        f"{100 * result.p_any_deficit:.0f}%."
    )


def tornado_alt(result: Simulation) -> str:
    parts = [f"{LABELS[row.variable]} moves it by {_dollars(row.width)}" for row in result.tornado]
    return (
        "Bar chart of the lowest closing balance with each range at its low and its high, "
        "the others at their most likely values: " + ("; ".join(parts) or "no ranges") + "."
    )


def no_ranges_svg() -> str:
    """What a chart address shows for a plan with no ranges (the page links none)."""
    message = "No uncertainty ranges are set for this plan."
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" role="img" width="800" height="120" '
        f'viewBox="0 0 800 120" font-family="DejaVu Sans, sans-serif" font-size="12">'
        f'<title>{message}</title><text x="400" y="60" text-anchor="middle">{message}</text>'
        "</svg>"
    )


def draw(kind: str, analysis: Any) -> str:
    if kind == "fund":
        return fan_svg(analysis.result, analysis.projection)
    return tornado_svg(analysis.result)


CHARTS = ChartCache()  # by (plan id, version, kind), the stored document compared on a hit
