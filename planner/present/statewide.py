"""The statewide view's chart: each government's years of runway, a bar each (issue 24)."""

from __future__ import annotations

from collections.abc import Sequence

from planner.present.charts import DEFICIT, PALETTE
from planner.present.svg import Chart
from planner.services.statewide import Row

CHART_ROWS = 40  # more bars than this are too thin to read: the table has every row


def _years(value: float) -> str:
    return f"{value:g}"


def runway_svg(rows: Sequence[Row]) -> str | None:
    """Years the fund carries each plan, in the table's order (its first CHART_ROWS rows
    with a plan); a plan whose fund runs out before its last FY is drawn in red."""
    shown = [row for row in rows if row.runway_years is not None][:CHART_ROWS]
    if not shown:
        return None
    chart = Chart(
        "Years of runway: fiscal years each fund carries its plan",
        runway_alt(shown),
        [row.name for row in shown],
        _years,
        horizontal=True,
        legend_columns=2,
    )
    ends = [float(row.runway_years or 0) for row in shown]
    colours = [PALETTE[0] if row.runway_years == row.years else DEFICIT for row in shown]
    chart.spans([0.0] * len(shown), ends, PALETTE[0], figures=True)
    chart.bars(ends, colours)  # over the spans: each bar in its own colour
    chart.key("Carries the whole plan", PALETTE[0])
    chart.key("Runs out before the plan's last FY", DEFICIT)
    return chart.svg()


def runway_alt(rows: Sequence[Row]) -> str:
    short = [row.name for row in rows if row.runway_years != row.years]
    if not short:
        return f"Each of the {len(rows)} plans shown is carried by its fund to its last FY."
    return (
        f"{len(short)} of the {len(rows)} plans shown run out before their last FY: "
        + ", ".join(short[:10])
        + (" and others" if len(short) > 10 else "")
        + "."
    )
