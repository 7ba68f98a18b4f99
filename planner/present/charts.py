"""Server-rendered SVG charts, shared by the plan page and the PDFs, drawn by
`planner.present.svg` (no plotting library on the page path).

Each chart comes with a one-sentence text alternative; the page shows the data table too.
The numbers are the engine's; this module only draws them.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence

from planner.present.svg import Chart
from planner.scenarios import Projection, fy_label

# Colour-blind-safe palette (Okabe-Ito).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
DEFICIT = "#B30000"
CLOSED = "#E4E4E4"


def _dollars(value: float, _position: object = None) -> str:
    sign = "-" if value < 0 else ""
    value = abs(value)
    if value >= 1_000_000:
        return f"{sign}${value / 1_000_000:.1f}M"
    if value >= 1_000:
        return f"{sign}${value / 1_000:.0f}K"
    return f"{sign}${value:.0f}"


def _short_labels(fiscal_years: Sequence[int]) -> list[str]:
    return [fy_label(fy).replace("FY", "") for fy in fiscal_years]


def fund_balance_svg(
    projection: Projection, title: str = "Fund balance at the end of each FY"
) -> str:
    adopted = projection.adopted_fund
    chart = Chart(
        title,
        fund_balance_alt(projection),
        _short_labels(projection.fiscal_years),
        _dollars,
        legend_columns=3 if adopted is None else 2,
    )
    if adopted is not None:  # closed FYs (§11): shaded, the curve as adopted beside
        last_closed = fy_label(projection.fiscal_years[projection.closed_years - 1])
        chart.shade(
            0, projection.closed_years - 1, CLOSED, f"Closed FYs (actuals, to {last_closed})"
        )
    closing = projection.fund.closing
    chart.bars(
        closing,
        [DEFICIT if value < 0 else PALETTE[0] for value in closing],
        "Closing balance" if adopted is None else "Closing balance (reforecast)",
    )
    # The fund's spending: actual (with audit costs) in closed FYs, planned in open FYs.
    chart.line(projection.fund.spending, PALETTE[1], "Spending")
    chart.line(projection.fund.receipts, PALETTE[2], "Receipts", dash="6 3")
    if adopted is not None:
        chart.line(
            adopted.closing,
            PALETTE[7],
            "Closing balance as adopted",
            dash="2 2",
            width=1.5,
            marker=True,
        )
    chart.reference(0, "#333333")
    return chart.svg()


def fund_figures(projection: Projection) -> tuple:
    """Everything `fund_balance_svg` draws, as a cache key (the same figures, the same SVG)."""
    adopted = projection.adopted_fund
    return (
        "fund",
        projection.fiscal_years,
        projection.fund.closing,
        projection.fund.spending,
        projection.fund.receipts,
        None if adopted is None else adopted.closing,
    )


LEGEND_TEXT = 60  # characters of a legend entry; the tables beside the chart give the rest


def _legend_text(text: str) -> str:
    return text if len(text) <= LEGEND_TEXT else text[: LEGEND_TEXT - 1] + "…"


def _strategy_series(projection: Projection, titles: dict[str, str]) -> list[tuple[str, list[int]]]:
    """One series per strategy, as many as the palette has colours: past that, the largest
    strategies keep their own and the rest are summed into one (a plan may have 200 lines,
    each with its own strategy; 200 stacked series are neither readable nor cheap to draw)."""
    series = [(_legend_text(titles.get(s, s)), list(v)) for s, v in projection.by_strategy.items()]
    if len(series) <= len(PALETTE):
        return series
    keep = len(PALETTE) - 1
    ranked = sorted(range(len(series)), key=lambda i: -sum(series[i][1]))
    kept = sorted(ranked[:keep])
    rest = [series[i][1] for i in ranked[keep:]]
    others = [sum(column) for column in zip(*rest, strict=True)]
    return [series[i] for i in kept] + [(f"{len(rest)} other strategies", others)]


def spending_by_strategy_svg(
    projection: Projection, titles: dict[str, str], title: str = "Spending by strategy"
) -> str:
    chart = Chart(
        title,
        spending_by_strategy_alt(projection, titles),
        _short_labels(projection.fiscal_years),
        _dollars,
        legend_columns=1,
    )
    bottom = [0] * len(projection.fiscal_years)
    for index, (name, values) in enumerate(_strategy_series(projection, titles)):
        chart.bars(values, PALETTE[index % len(PALETTE)], name, bottom=bottom)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    return chart.svg()


def fund_balance_alt(projection: Projection) -> str:
    fund = projection.fund
    years = projection.fiscal_years
    low = min(range(len(years)), key=lambda k: fund.closing[k])
    text = (
        f"Bar chart of the closing fund balance from {fy_label(years[0])} to "
        f"{fy_label(years[-1])}, with spending and receipts as lines. The balance ends at "
        f"{_dollars(fund.closing[-1])}; its lowest point is {_dollars(fund.closing[low])} "
        f"in {fy_label(years[low])}."
    )
    if fund.first_deficit_fy is not None:
        text += f" The fund first runs short in {fy_label(fund.first_deficit_fy)}."
    adopted = projection.adopted_fund
    if adopted is not None:
        closed = projection.closed_years
        text += (
            f" {fy_label(years[0])} to {fy_label(years[closed - 1])} are closed: the bars "
            "use their actuals and the later FYs are reforecast from the actual closing "
            f"balance; a dotted line shows the balance as adopted, which ended at "
            f"{_dollars(adopted.closing[-1])}."
        )
    return text


def spending_by_strategy_alt(projection: Projection, titles: dict[str, str]) -> str:
    parts = [
        f"{titles.get(s, s)} {_dollars(total)}" for s, total in projection.strategy_totals.items()
    ]
    return (
        "Stacked bar chart of spending in each FY by strategy. Totals over the plan: "
        + "; ".join(parts)
        + "."
    )


def fund_curves_svg(
    fiscal_years: Sequence[int],
    names: Sequence[str],
    closing: Sequence[Sequence[int | None]],
    title: str = "Closing fund balance by plan",
) -> str:
    chart = Chart(
        title,
        fund_curves_alt(fiscal_years, names, closing),
        _short_labels(fiscal_years),
        _dollars,
        legend_columns=1,
    )
    dashes = ("", "6 3", "6 2 2 2", "2 2")
    for index, (name, values) in enumerate(zip(names, closing, strict=True)):
        chart.line(
            values, PALETTE[index % len(PALETTE)], _legend_text(name), dash=dashes[index % 4]
        )
    chart.reference(0, DEFICIT)
    return chart.svg()


def fund_curves_alt(
    fiscal_years: Sequence[int], names: Sequence[str], closing: Sequence[Sequence[int | None]]
) -> str:
    parts = []
    for name, values in zip(names, closing, strict=True):
        known = [(fy, v) for fy, v in zip(fiscal_years, values, strict=True) if v is not None]
        short = next((fy for fy, v in known if v < 0), None)
        ending = f"ends at {_dollars(known[-1][1])} in {fy_label(known[-1][0])}" if known else ""
        parts.append(
            f"{name} {ending}"
            + (f", first short in {fy_label(short)}" if short else ", never short")
        )
    return "Line chart of each plan's closing fund balance by FY: " + "; ".join(parts) + "."


class ChartCache:
    """Drawn charts by (plan id, plan version, chart kind), the most recent `size` kept in
    the process. The stored document is kept beside each chart and compared on a hit, so a
    plan id reused after a deletion never gets another plan's chart."""

    def __init__(self, size: int = 64):
        self.size = size
        self._items: OrderedDict[Hashable, tuple[str, str]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, document: str, draw: Callable[[], str]) -> str:
        with self._lock:
            found = self._items.get(key)
            if found is not None and found[0] == document:
                self._items.move_to_end(key)
                return found[1]
        svg = draw()  # outside the lock: other charts are served meanwhile
        with self._lock:
            self._items[key] = (document, svg)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return svg

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


CHARTS = ChartCache()  # by (plan id, version, kind)
BY_FIGURES = ChartCache()  # by the figures a chart draws (the same figures, the same SVG)
