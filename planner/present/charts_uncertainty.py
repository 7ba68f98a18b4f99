"""The uncertainty charts (cost model §12): the fan of the closing balance and the tornado.

Drawn like `planner.present.charts` (matplotlib outside pyplot, SVG text kept as text, the same
palette), with a one-sentence text alternative each; the page shows the tables too.
"""

from __future__ import annotations

from typing import Any

from matplotlib.ticker import FuncFormatter

from planner.present.charts import (
    DEFICIT,
    PALETTE,
    ChartCache,
    _dollars,
    _figure,
    _short_labels,
    _svg,
)
from planner.scenarios import Projection, fy_label
from planner.scenarios.simulation import Simulation
from planner.scenarios.uncertainty import LABELS


def _legend(figure: Any, axes: Any, lines: int) -> None:
    """The legend in two columns under the axes and their FY labels, outside the data."""
    axes.legend(
        frameon=False,
        fontsize=9,
        loc="upper left",
        ncol=2,
        borderaxespad=0.2,
        bbox_to_anchor=(0.01, (0.19 * lines + 0.12) / figure.get_figheight()),
        bbox_transform=figure.transFigure,
    )


def fan_svg(
    result: Simulation,
    projection: Projection,
    title: str = "Closing fund balance: the range of simulated plans",
) -> str:
    figure, plot = _figure(legend_lines=2)
    axes: Any = plot
    labels = _short_labels(result.fiscal_years)
    positions = range(len(labels))
    axes.fill_between(
        positions,
        result.closing[10],
        result.closing[90],
        color=PALETTE[4],
        alpha=0.35,
        linewidth=0,
        label="P10 to P90 of the simulated plans",
    )
    axes.plot(positions, result.closing[50], color=PALETTE[0], linewidth=2, label="P50 (median)")
    axes.plot(
        positions,
        projection.fund.closing,
        color=PALETTE[1],
        linewidth=2,
        linestyle="--",
        label="The plan as written",
    )
    axes.axhline(0, color=DEFICIT, linewidth=1, label="Zero: below it the fund is short")
    axes.set_xticks(list(positions), labels)
    axes.yaxis.set_major_formatter(FuncFormatter(_dollars))
    axes.set_title(title, loc="left")
    axes.tick_params(axis="x", labelrotation=60)
    _legend(figure, axes, 2)
    return _svg(figure)


def tornado_svg(
    result: Simulation, title: str = "Which range moves the lowest balance most"
) -> str:
    rows = [
        row
        for row in result.tornado
        if row.at_low.lowest_closing is not None and row.at_high.lowest_closing is not None
    ]
    figure, plot = _figure(legend_lines=1)
    axes: Any = plot
    base = result.base.lowest_closing or 0
    names = [LABELS[row.variable] for row in rows][::-1]  # widest on top
    for index, row in enumerate(reversed(rows)):
        low, high = row.at_low.lowest_closing or 0, row.at_high.lowest_closing or 0
        axes.barh(
            index,
            low - base,
            left=base,
            color=PALETTE[5],
            label="At the range's low" if index == 0 else None,
        )
        axes.barh(
            index,
            high - base,
            left=base,
            color=PALETTE[0],
            label="At the range's high" if index == 0 else None,
        )
    axes.axvline(base, color="#333333", linewidth=1)
    axes.axvline(0, color=DEFICIT, linewidth=1, linestyle=":")
    axes.set_yticks(range(len(names)), names)
    axes.xaxis.set_major_formatter(FuncFormatter(_dollars))
    axes.set_title(title, loc="left")
    figure.subplots_adjust(left=0.3)
    _legend(figure, axes, 1)
    return _svg(figure)


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
    figure, plot = _figure()
    axes: Any = plot
    axes.set_axis_off()
    axes.text(
        0.5,
        0.5,
        "No uncertainty ranges are set for this plan.",
        ha="center",
        va="center",
        transform=axes.transAxes,
    )
    return _svg(figure)


def draw(kind: str, analysis: Any) -> str:
    if kind == "fund":
        return fan_svg(analysis.result, analysis.projection)
    return tornado_svg(analysis.result)


CHARTS = ChartCache()  # by (plan id, version, kind), the stored document compared on a hit
