"""The fund's NPV (cost model §6) is numpy-financial's, computed without importing numpy."""

from __future__ import annotations

from decimal import Decimal

import numpy_financial as npf
from hypothesis import given
from hypothesis import strategies as st

from planner.scenarios.money import round_half_up
from planner.scenarios.projection import _npv


def _library(rate: float, flows: list[int]) -> int:
    return int(round_half_up(Decimal(repr(float(npf.npv(rate, [float(f) for f in flows]))))))


def test_npv_by_hand() -> None:
    # 1,000 now and 1,100 next year at 10%: 1,000 + 1,100 / 1.1 = 2,000.
    assert _npv(0.1, (1000, 1100)) == 2000
    # At 0%, the sum: 5 + 7 - 3 = 9.
    assert _npv(0.0, (5, 7, -3)) == 9


@given(
    st.sampled_from([0.0, 0.02, 0.0375, -0.01, 0.25]) | st.floats(-0.9, 2.0),
    st.lists(st.integers(-(10**10), 10**10), min_size=1, max_size=200),
)
def test_npv_equals_numpy_financial_to_the_dollar(rate: float, flows: list[int]) -> None:
    # Up to 200 flows: the sequential (< 8), 8-accumulator (≤ 128) and halving paths of
    # numpy's pairwise sum.
    assert _npv(rate, tuple(flows)) == _library(rate, flows)
