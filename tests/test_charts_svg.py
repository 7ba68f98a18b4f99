"""The SVG charts (planner/present/svg.py and the charts drawn with it): well-formed, described,
escaped, deterministic, and drawing the engine's figures to scale."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from hypothesis import given
from hypothesis import strategies as st

from planner.present import charts
from planner.present.charts import DEFICIT, PALETTE
from planner.present.svg import Chart, nice_ticks
from planner.scenarios import project
from tests.plans import example

NS = {"svg": "http://www.w3.org/2000/svg"}


def _tree(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - the SVG is our own output


def test_nice_ticks_by_hand() -> None:
    # 0 to 4,100,000 in about five steps: 4.1M / 5 = 820,000 -> the next nice step is 1,000,000.
    assert nice_ticks(0, 4_100_000) == [0, 1_000_000, 2_000_000, 3_000_000, 4_000_000, 5_000_000]
    # -2.2M to 4.1M: a range of 6.3M / 5 = 1.26M -> a step of 2,000,000 from -4M.
    assert nice_ticks(-2_200_000, 4_100_000) == [-4e6, -2e6, 0, 2e6, 4e6, 6e6]
    # A range that does not reach zero still shows zero (the axis of a fund balance does).
    assert nice_ticks(500, 900)[0] == 0


@given(st.floats(-1e9, 1e9), st.floats(-1e9, 1e9))
def test_nice_ticks_cover_the_values_and_zero(a: float, b: float) -> None:
    low, high = min(a, b), max(a, b)
    ticks = nice_ticks(low, high)
    assert ticks[0] <= min(low, 0)
    assert ticks[-1] >= max(high, 0)
    assert 0 in ticks or any(t < 0 < u for t, u in zip(ticks, ticks[1:], strict=False))
    assert 2 <= len(ticks) <= 13
    steps = {round(u - t, 6) for t, u in zip(ticks, ticks[1:], strict=False)}
    assert len(steps) == 1


def test_bars_are_drawn_to_scale() -> None:
    chart = Chart("T", "D", ["a", "b", "c"], str)
    chart.bars([100, -50, 0], ["#111111", "#222222", "#333333"], "Balance")
    root = _tree(chart.svg())
    bars: dict[str | None, float] = {}
    for rect in root.iter("{http://www.w3.org/2000/svg}rect"):  # the marks come before the legend
        bars.setdefault(rect.get("fill"), float(rect.get("height", "0")))
    # 100 and -50 from the zero line: the first bar is exactly twice the second; 0 draws none.
    assert abs(bars["#111111"] - 2 * bars["#222222"]) < 0.11
    assert "#333333" not in bars


def test_text_is_escaped_and_the_chart_is_described() -> None:
    name = '<script>alert(1)</script> & "Plan"'
    svg = charts.fund_curves_svg([2026, 2027], [name], [[1000, None]])
    root = _tree(svg)  # well-formed: the name did not break the XML
    assert root.get("role") == "img"
    assert root.find("svg:title", NS) is not None
    description = root.find("svg:desc", NS)
    assert description is not None
    assert "never short" in (description.text or "")
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert any(name[:20] in (t or "") for t in texts)
    assert "<script>" not in svg


def test_fund_chart_draws_every_fy_in_its_colour() -> None:
    projection = project(example("demo-orange-county.json"))
    svg = charts.fund_balance_svg(projection)
    assert svg == charts.fund_balance_svg(projection)  # the same figures, the same bytes
    root = _tree(svg)
    fills = [r.get("fill") for r in root.iter("{http://www.w3.org/2000/svg}rect")]
    closing = projection.fund.closing
    assert fills.count(DEFICIT) == sum(1 for v in closing if v < 0)
    assert fills.count(PALETTE[0]) == sum(1 for v in closing if v > 0) + 1  # + its legend key
    labels = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "2026-27" in labels
    assert "2043-44" in labels
