"""Server-rendered SVG charts (matplotlib), shared by the plan page and the PDFs.

Each chart comes with a one-sentence text alternative; the page shows the data table too.
The numbers are the engine's; this module only draws them.
"""

from __future__ import annotations

import io
import textwrap
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence

import matplotlib

matplotlib.use("Agg")

from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

from planner.scenarios import Projection, fy_label  # noqa: E402

matplotlib.rcParams.update(
    {
        "svg.fonttype": "none",  # text stays text: searchable, scalable, read by screen readers
        "svg.hashsalt": "planner",  # the same plan draws the same SVG
        # User text (plan names, strategies) is drawn as written: `$\frac$` is not mathtext.
        "text.parse_math": False,
        "font.family": "DejaVu Sans",
        "font.size": 9,
        "axes.spines.top": False,
        "axes.spines.right": False,
    }
)

# Colour-blind-safe palette (Okabe-Ito).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
DEFICIT = "#B30000"


def _dollars(value: float, _position: object = None) -> str:
    sign = "-" if value < 0 else ""
    value = abs(value)
    if value >= 1_000_000:
        return f"{sign}${value / 1_000_000:.1f}M"
    if value >= 1_000:
        return f"{sign}${value / 1_000:.0f}K"
    return f"{sign}${value:.0f}"


def _figure(legend_lines: int = 0) -> tuple[Figure, Axes]:
    """A figure outside pyplot's global state (thread-safe under gunicorn threads), with
    fixed margins so that it is drawn in one pass; `legend_lines` adds room below the axes
    for a legend of that many lines, so it never covers the data."""
    extra = 0.19 * legend_lines + (0.1 if legend_lines else 0)
    height = 3.4 + extra
    figure = Figure(figsize=(8, height))
    figure.subplots_adjust(
        left=0.1, right=0.99, top=1 - 0.34 / height, bottom=(0.75 + extra) / height
    )
    axes: Axes = figure.subplots()  # one Axes (typed Any: with a grid it is an array)
    return figure, axes


LEGEND_WIDTH = 105  # characters of 9 pt text across the 8 in figure


def _legend_lines(names: Sequence[str]) -> int:
    return sum(1 + len(name) // LEGEND_WIDTH for name in names)


def _legend_below(figure: Figure, axes: Axes, lines: int) -> None:
    """The legend under the axes and their FY labels, one entry a line (a long name
    wrapped), outside the data."""
    legend = axes.legend(
        frameon=False,
        fontsize=9,
        loc="upper left",
        borderaxespad=0.2,
        bbox_to_anchor=(0.01, (0.19 * lines + 0.12) / figure.get_figheight()),
        bbox_transform=figure.transFigure,
    )
    for text in legend.get_texts():
        text.set_text(textwrap.fill(text.get_text(), LEGEND_WIDTH, break_long_words=False))


def _svg(figure: Figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue()
    return text[text.index("<svg") :]  # drop the XML prologue so it can be inlined


def _short_labels(fiscal_years: Sequence[int]) -> list[str]:
    return [fy_label(fy).replace("FY", "") for fy in fiscal_years]


def fund_balance_svg(
    projection: Projection, title: str = "Fund balance at the end of each FY"
) -> str:
    adopted = projection.adopted_fund
    figure, axes = _figure(0 if adopted is None else 2)
    labels = _short_labels(projection.fiscal_years)
    closing = projection.fund.closing
    colours = [DEFICIT if value < 0 else PALETTE[0] for value in closing]
    axes.bar(
        labels,
        closing,
        color=colours,
        label="Closing balance" if adopted is None else "Closing balance (reforecast)",
    )
    # The fund's spending: actual (with audit costs) in closed FYs, planned in open FYs.
    axes.plot(labels, projection.fund.spending, color=PALETTE[1], linewidth=2, label="Spending")
    axes.plot(
        labels,
        projection.fund.receipts,
        color=PALETTE[2],
        linewidth=2,
        linestyle="--",
        label="Receipts",
    )
    if adopted is not None:  # closed FYs (§11): the curve as adopted beside the reforecast
        axes.plot(
            labels,
            adopted.closing,
            color=PALETTE[7],
            linewidth=1.5,
            linestyle=":",
            marker="o",
            markersize=3,
            label="Closing balance as adopted",
        )
        last_closed = fy_label(projection.fiscal_years[projection.closed_years - 1])
        axes.axvspan(
            -0.5,
            projection.closed_years - 0.5,
            color="#E4E4E4",
            linewidth=0,
            zorder=0,
            label=f"Closed FYs (actuals, to {last_closed})",
        )
    axes.axhline(0, color="#333333", linewidth=0.8)
    axes.yaxis.set_major_formatter(FuncFormatter(_dollars))
    axes.set_title(title, loc="left")
    axes.tick_params(axis="x", labelrotation=60)
    if adopted is None:
        axes.legend(
            frameon=False,
            loc="lower right",
            bbox_to_anchor=(1, 1),
            ncol=3,
            fontsize=9,
            borderaxespad=0.1,
        )
    else:  # five entries: below the axes, in two rows, never over the title or the data
        axes.legend(
            frameon=False,
            fontsize=9,
            loc="upper left",
            ncol=3,
            borderaxespad=0.2,
            bbox_to_anchor=(0.01, (0.19 * 2 + 0.12) / figure.get_figheight()),
            bbox_transform=figure.transFigure,
        )
    return _svg(figure)


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
    lines = _legend_lines([titles.get(s, s) for s in projection.by_strategy])
    figure, axes = _figure(lines)
    labels = _short_labels(projection.fiscal_years)
    bottom = [0] * len(labels)
    for index, (name, values) in enumerate(_strategy_series(projection, titles)):
        axes.bar(labels, values, bottom=bottom, color=PALETTE[index % len(PALETTE)], label=name)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    axes.yaxis.set_major_formatter(FuncFormatter(_dollars))
    axes.set_title(title, loc="left")
    axes.tick_params(axis="x", labelrotation=60)
    _legend_below(figure, axes, lines)
    return _svg(figure)


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
    lines = _legend_lines(names)
    figure, axes = _figure(lines)
    labels = _short_labels(fiscal_years)
    styles = ("-", "--", "-.", ":")
    for index, (name, values) in enumerate(zip(names, closing, strict=True)):
        axes.plot(
            labels,
            [float("nan") if v is None else v for v in values],
            color=PALETTE[index % len(PALETTE)],
            linestyle=styles[index % 4],
            linewidth=2,
            label=_legend_text(name),
        )
    axes.axhline(0, color=DEFICIT, linewidth=0.8)
    axes.yaxis.set_major_formatter(FuncFormatter(_dollars))
    axes.set_title(title, loc="left")
    axes.tick_params(axis="x", labelrotation=60)
    _legend_below(figure, axes, lines)
    return _svg(figure)


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
