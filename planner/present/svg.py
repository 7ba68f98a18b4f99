"""A small SVG plotter for the project's charts: bars (stacked or not), lines, bands, reference
lines and a legend on a category or value axis, written as text.

It replaces matplotlib on the page path (44–59 ms a chart there; a chart here is well under a
millisecond). It draws only what the charts need, and draws it the same way every time: the
same figures give the same bytes. Text stays text (searchable, scalable, read by screen
readers); every string is escaped; the SVG carries a `<title>` and a `<desc>` and
`role="img"`, so it is described wherever it is shown, inline or as an image.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from html import escape

WIDTH = 800
FONT = 12  # px, DejaVu Sans (the PDF's font; browsers fall back to their sans-serif)
CHAR = 0.6 * FONT  # the average advance of a character, for laying out labels
LINE = FONT + 5  # one line of legend
AXIS = "#333333"
GRID = "#DDDDDD"


def _number(value: float) -> str:
    """Coordinates with at most one decimal, no trailing zeros: short and deterministic."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering [low, high] (and 0), about `count` of them: steps of 1, 2,
    2.5 or 5 times a power of ten (never below 0.1: the charts draw dollars)."""
    low, high = min(low, 0.0), max(high, 0.0)
    if high - low < 1:  # dollars: a range under one is drawn as 0 to 1
        high = low + 1
    raw = (high - low) / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first = math.floor(low / step)
    last = math.ceil(high / step)
    ticks = [round(i * step, 10) for i in range(first, last + 1)]
    return ticks


@dataclass
class Legend:
    """An entry: a swatch (`bar`, `span`), a line (with `dash`), or a translucent `band`."""

    label: str
    colour: str
    kind: str = "bar"
    dash: str = ""
    marker: bool = False


@dataclass
class Chart:
    """One chart: `categories` along the x axis (FY labels), values on the y axis; or, with
    `horizontal`, categories down the y axis and values along x (the tornado)."""

    title: str
    description: str
    categories: Sequence[str]
    value_label: Callable[[float], str]
    horizontal: bool = False
    legend_columns: int = 3
    _marks: list[str] = field(default_factory=list)
    _legend: list[Legend] = field(default_factory=list)
    _values: list[float] = field(default_factory=list)
    _calls: list[Callable[[], None]] = field(default_factory=list)

    # --- what to draw (recorded; laid out once every value is known) ------------------------
    def bars(
        self,
        values: Sequence[float],
        colour: str | Sequence[str],
        label: str | None = None,
        bottom: Sequence[float] | None = None,
    ) -> None:
        base = list(bottom) if bottom is not None else [0.0] * len(values)
        tops = [b + v for b, v in zip(base, values, strict=True)]
        self._values.extend(base + tops)
        colours = [colour] * len(values) if isinstance(colour, str) else list(colour)
        self._calls.append(lambda: self._draw_bars(base, tops, colours))
        if label is not None:
            self._legend.append(Legend(label, colours[0] if colours else "#000000"))

    def spans(
        self, starts: Sequence[float], ends: Sequence[float], colour: str, figures: bool = False
    ) -> None:
        """Bars from `starts` to `ends` (the tornado's), one per category; with `figures`,
        each bar's end value is written beyond its end."""
        self._values.extend(list(starts) + list(ends))
        self._calls.append(lambda: self._draw_bars(list(starts), list(ends), [colour] * len(ends)))
        if figures:
            self._calls.append(lambda: self._draw_figures(list(starts), list(ends)))

    def line(
        self,
        values: Sequence[float | None],
        colour: str,
        label: str | None = None,
        dash: str = "",
        width: float = 2,
        marker: bool = False,
    ) -> None:
        self._values.extend(v for v in values if v is not None)
        self._calls.append(lambda: self._draw_line(values, colour, dash, width, marker))
        if label is not None:
            self._legend.append(Legend(label, colour, "line", dash, marker))

    def band(
        self, low: Sequence[float], high: Sequence[float], colour: str, label: str | None = None
    ) -> None:
        self._values.extend(list(low) + list(high))
        self._calls.append(lambda: self._draw_band(low, high, colour))
        if label is not None:
            self._legend.append(Legend(label, colour, "band"))

    def shade(self, first: int, last: int, colour: str, label: str | None = None) -> None:
        """Shade categories `first` to `last` (inclusive) behind everything else."""
        self._calls.insert(0, lambda: self._draw_shade(first, last, colour))
        if label is not None:
            self._legend.append(Legend(label, colour, "span"))

    def key(self, label: str, colour: str, kind: str = "bar") -> None:
        """A legend entry for marks drawn without one (the tornado's two colours)."""
        self._legend.append(Legend(label, colour, kind))

    def reference(
        self, value: float, colour: str, label: str | None = None, dash: str = ""
    ) -> None:
        """A line across the chart at `value` (zero; the plan's own lowest balance)."""
        self._values.append(value)
        self._calls.append(lambda: self._draw_reference(value, colour, dash))
        if label is not None:
            self._legend.append(Legend(label, colour, "line", dash))

    # --- layout ---------------------------------------------------------------------------------
    def _layout(self) -> None:
        values = self._values or [0.0]
        low, high = min(values), max(values)
        if self.horizontal:  # room for the figures written beyond the bars' ends
            low, high = low - 0.12 * (high - low), high + 0.12 * (high - low)
        self.ticks = nice_ticks(low, high)
        self.low, self.high = self.ticks[0], self.ticks[-1]
        labels = [self.value_label(t) for t in self.ticks]
        longest_category = max((len(c) for c in self.categories), default=0)
        if self.horizontal:
            self.left = 16 + CHAR * min(longest_category, 40)
            self.bottom_axis = 28.0
            # Room at the right for the last tick's label and a bar's figure beyond it.
            self.right = WIDTH - 16 - CHAR * max(len(labels[-1]), 7)
        else:
            self.left = 16 + CHAR * max(len(t) for t in labels)
            # FY labels are turned 60°: their height is their length × sin 60°.
            self.bottom_axis = 14 + CHAR * longest_category * 0.87
            self.right = WIDTH - 16.0
        self.top = 34
        rows = self._legend_rows()
        self.plot_height = 220.0 if not self.horizontal else max(120.0, 30.0 * len(self.categories))
        self.bottom = self.top + self.plot_height
        self.legend_top = self.bottom + self.bottom_axis + 8
        self.height = math.ceil(self.legend_top + LINE * len(rows) + 6)

    def _legend_rows(self) -> list[list[Legend]]:
        columns = max(1, self.legend_columns)
        return [self._legend[i : i + columns] for i in range(0, len(self._legend), columns)]

    def _value(self, value: float) -> float:
        """The coordinate of a value along the value axis."""
        share = (value - self.low) / (self.high - self.low)
        if self.horizontal:
            return self.left + share * (self.right - self.left)
        return self.bottom - share * (self.bottom - self.top)

    def _band_of(self, index: int) -> tuple[float, float]:
        """The start and width of a category's band along the category axis."""
        count = max(1, len(self.categories))
        if self.horizontal:
            size = (self.bottom - self.top) / count
            return self.top + index * size, size
        size = (self.right - self.left) / count
        return self.left + index * size, size

    def _centre(self, index: int) -> float:
        start, size = self._band_of(index)
        return start + size / 2

    # --- marks ----------------------------------------------------------------------------------
    def _rect(self, index: int, start: float, end: float, colour: str) -> None:
        band, size = self._band_of(index)
        a, b = sorted((self._value(start), self._value(end)))
        if self.horizontal:
            x, y, w, h = a, band + size * 0.15, b - a, size * 0.7
        else:
            x, y, w, h = band + size * 0.1, a, size * 0.8, b - a
        self._marks.append(
            f'<rect x="{_number(x)}" y="{_number(y)}" width="{_number(w)}" '
            f'height="{_number(h)}" fill="{colour}"/>'
        )

    def _draw_bars(self, base: list[float], tops: list[float], colours: list[str]) -> None:
        for index, (start, end) in enumerate(zip(base, tops, strict=True)):
            if start != end:
                self._rect(index, start, end, colours[index])

    def _draw_figures(self, starts: list[float], ends: list[float]) -> None:
        for index, (start, end) in enumerate(zip(starts, ends, strict=True)):
            at = self._value(end)
            outward = (end >= start) != (not self.horizontal)  # right (or up) of the bar
            offset = 4 if outward else -4
            anchor = "start" if outward else "end"
            text = escape(self.value_label(end))
            if self.horizontal:
                self._marks.append(
                    f'<text x="{_number(at + offset)}" y="{_number(self._centre(index))}" '
                    f'text-anchor="{anchor}" dominant-baseline="middle" font-size="10">'
                    f"{text}</text>"
                )

    def _path(self, points: list[tuple[float, float]]) -> str:
        return " ".join(
            ("M" if i == 0 else "L") + f"{_number(x)},{_number(y)}"
            for i, (x, y) in enumerate(points)
        )

    def _draw_line(
        self,
        values: Sequence[float | None],
        colour: str,
        dash: str,
        width: float,
        marker: bool,
    ) -> None:
        runs: list[list[tuple[float, float]]] = [[]]
        for index, value in enumerate(values):
            if value is None or (isinstance(value, float) and math.isnan(value)):
                runs.append([])
                continue
            runs[-1].append((self._centre(index), self._value(value)))
        style = f' stroke-dasharray="{dash}"' if dash else ""
        for run in runs:
            if not run:
                continue
            self._marks.append(
                f'<path d="{self._path(run)}" fill="none" stroke="{colour}" '
                f'stroke-width="{_number(width)}"{style}/>'
            )
            if marker or len(run) == 1:
                self._marks.extend(
                    f'<circle cx="{_number(x)}" cy="{_number(y)}" r="2.5" fill="{colour}"/>'
                    for x, y in run
                )

    def _draw_band(self, low: Sequence[float], high: Sequence[float], colour: str) -> None:
        upper = [(self._centre(i), self._value(v)) for i, v in enumerate(high)]
        lower = [(self._centre(i), self._value(v)) for i, v in enumerate(low)][::-1]
        self._marks.append(
            f'<path d="{self._path(upper + lower)} Z" fill="{colour}" fill-opacity="0.35"/>'
        )

    def _draw_shade(self, first: int, last: int, colour: str) -> None:
        start, _ = self._band_of(first)
        end, size = self._band_of(last)
        self._marks.append(
            f'<rect x="{_number(start)}" y="{self.top}" width="{_number(end + size - start)}" '
            f'height="{_number(self.bottom - self.top)}" fill="{colour}"/>'
        )

    def _draw_reference(self, value: float, colour: str, dash: str) -> None:
        at = self._value(value)
        style = f' stroke-dasharray="{dash}"' if dash else ""
        if self.horizontal:
            coords = f'x1="{_number(at)}" x2="{_number(at)}" y1="{self.top}" y2="{self.bottom}"'
        else:
            coords = f'x1="{self.left}" x2="{self.right}" y1="{_number(at)}" y2="{_number(at)}"'
        self._marks.append(f'<line {coords} stroke="{colour}" stroke-width="1"{style}/>')

    # --- axes, legend, the document ---------------------------------------------------------
    def _axes(self) -> list[str]:
        out = []
        for tick in self.ticks:
            at = _number(self._value(tick))
            text = escape(self.value_label(tick))
            if self.horizontal:
                out.append(
                    f'<line x1="{at}" x2="{at}" y1="{self.top}" y2="{self.bottom}" '
                    f'stroke="{GRID}"/><text x="{at}" y="{_number(self.bottom + 16)}" '
                    f'text-anchor="middle">{text}</text>'
                )
            else:
                out.append(
                    f'<line x1="{_number(self.left)}" x2="{self.right}" y1="{at}" y2="{at}" '
                    f'stroke="{GRID}"/><text x="{_number(self.left - 6)}" y="{at}" '
                    f'text-anchor="end" dominant-baseline="middle">{text}</text>'
                )
        for index, name in enumerate(self.categories):
            at = _number(self._centre(index))
            text = escape(name)
            if self.horizontal:
                out.append(
                    f'<text x="{_number(self.left - 6)}" y="{at}" text-anchor="end" '
                    f'dominant-baseline="middle">{text}</text>'
                )
            else:
                y = _number(self.bottom + 10)
                out.append(
                    f'<text x="{at}" y="{y}" text-anchor="end" '
                    f'transform="rotate(-60 {at} {y})">{text}</text>'
                )
        if self.horizontal:
            out.append(
                f'<line x1="{_number(self.left)}" x2="{_number(self.left)}" y1="{self.top}" '
                f'y2="{self.bottom}" stroke="{AXIS}"/>'
            )
        else:
            out.append(
                f'<line x1="{_number(self.left)}" x2="{_number(self.left)}" y1="{self.top}" '
                f'y2="{self.bottom}" stroke="{AXIS}"/>'
            )
        return out

    def _legend_marks(self) -> list[str]:
        out = []
        column_width = (self.right - 16) / max(1, self.legend_columns)
        for row_index, row in enumerate(self._legend_rows()):
            y = self.legend_top + row_index * LINE
            for column, entry in enumerate(row):
                x = 16 + column * column_width
                middle = _number(y + LINE / 2 - 2)
                if entry.kind == "line":
                    style = f' stroke-dasharray="{entry.dash}"' if entry.dash else ""
                    out.append(
                        f'<line x1="{_number(x)}" x2="{_number(x + 22)}" y1="{middle}" '
                        f'y2="{middle}" stroke="{entry.colour}" stroke-width="2"{style}/>'
                    )
                else:
                    opacity = ' fill-opacity="0.35"' if entry.kind == "band" else ""
                    out.append(
                        f'<rect x="{_number(x)}" y="{_number(y + 3)}" width="22" height="10" '
                        f'fill="{entry.colour}"{opacity}/>'
                    )
                label = _fit(entry.label, int((column_width - 34) / CHAR))
                out.append(
                    f'<text x="{_number(x + 28)}" y="{middle}" '
                    f'dominant-baseline="middle">{escape(label)}</text>'
                )
        return out

    def svg(self) -> str:
        self._layout()
        for call in self._calls:
            call()
        body = "".join(self._axes() + self._marks + self._legend_marks())
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{WIDTH}" '
            f'height="{self.height}" viewBox="0 0 {WIDTH} {self.height}" '
            f'font-family="DejaVu Sans, sans-serif" font-size="{FONT}" '
            f'aria-labelledby="chart-title chart-desc">'
            f'<title id="chart-title">{escape(self.title)}</title>'
            f'<desc id="chart-desc">{escape(self.description)}</desc>'
            f'<rect width="{WIDTH}" height="{self.height}" fill="#FFFFFF"/>'
            f'<text x="16" y="20" font-size="{FONT + 1}">{escape(self.title)}</text>'
            f"{body}</svg>"
        )


def _fit(text: str, characters: int) -> str:
    """A legend entry cut to the characters its column holds (the tables beside give the rest)."""
    characters = max(characters, 8)
    return text if len(text) <= characters else text[: characters - 1] + "…"
