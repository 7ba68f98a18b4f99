"""Receipts by settlement stream (cost model §18).

A plan may give `fund.receipts_by_stream` (stream → FY → dollars) instead of
`fund.receipts`. The receipts of a FY are then the sum over the streams of each stream's
amount rounded half-up to dollars; `Fund.receipts` holds those sums, so the fund (§6), the
actuals (§11) and the fit (§13) read one series either way. §12's receipts multiplier
applies to each stream's amount (rounded half-up), then sums.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Iterable
from decimal import Decimal

from .fiscal import fy_label
from .money import dollars, q
from .plan import Fund

Streams = tuple[tuple[str, tuple[tuple[int, Decimal], ...]], ...]


def stream_sums(streams: Streams) -> tuple[tuple[int, Decimal], ...]:
    """Each FY's receipts: the sum of every stream's amount rounded half-up, by FY."""
    found: dict[int, int] = {}
    for _stream, amounts in streams:
        for fy, amount in amounts:
            found[fy] = found.get(fy, 0) + dollars(amount)
    return tuple(sorted((fy, Decimal(total)) for fy, total in found.items()))


def with_streams(fund: Fund, streams: Streams) -> Fund:
    """The fund with these streams, its `receipts` their sums."""
    return dataclasses.replace(fund, receipts_by_stream=streams, receipts=stream_sums(streams))


def in_plan(fund: Fund, fiscal_years: tuple[int, ...]) -> dict[str, tuple[int, ...]]:
    """Each stream's whole dollars in each plan FY (0 where it has none)."""
    return {
        stream: tuple(dollars(dict(amounts).get(fy, 0)) for fy in fiscal_years)
        for stream, amounts in fund.receipts_by_stream
    }


def outside_plan(fund: Fund, first_fy: int, last_fy: int) -> dict[str, dict[str, int]]:
    """The streams' receipts outside the plan's FYs, by stream (streams with none left out)."""
    found: dict[str, dict[str, int]] = {}
    for stream, amounts in fund.receipts_by_stream:
        outside = {
            fy_label(fy): dollars(amount) for fy, amount in amounts if not first_fy <= fy <= last_fy
        }
        if outside:
            found[stream] = outside
    return found


def scaled(fund: Fund, multiplier: Decimal, fys: Collection[int]) -> Fund:
    """§12: the receipts multiplier on each stream's amount of the FYs `fys` (the in-plan
    open FYs), each product rounded half-up to dollars; the sums follow."""
    m = q(multiplier)
    streams = tuple(
        (
            stream,
            tuple(
                (fy, Decimal(dollars(dollars(amount) * m)) if fy in fys else amount)
                for fy, amount in amounts
            ),
        )
        for stream, amounts in fund.receipts_by_stream
    )
    return with_streams(fund, streams)


def amounts_by_fy(fund: Fund) -> dict[int, list[int]]:
    """Each FY's stream amounts in whole dollars (for the simulation's multiplier)."""
    found: dict[int, list[int]] = {}
    for _stream, amounts in fund.receipts_by_stream:
        for fy, amount in amounts:
            found.setdefault(fy, []).append(dollars(amount))
    return found


def entries(streams: Iterable[tuple[str, tuple[tuple[int, Decimal], ...]]]) -> int:
    """How many receipt entries the streams hold (§15 counts every one)."""
    return sum(len(amounts) for _stream, amounts in streams)
