"""The engine's formulas that belong to no line kind, written once over `Ops` (cost model
§2, §5), so the books (exact) and the workbook (spreadsheet formulas) compute them alike:
growth factors, aging a cost-table default, indirect charges (and, from its kind, the
on-call hourly rate)."""

from __future__ import annotations

from collections.abc import Mapping

from .kinds.base import INDIRECT_BASE, N, Ops, half_up, power
from .kinds.warm_handoff import call_out_rate

__all__ = ["aged", "call_out_rate", "growth", "half_up", "with_indirect"]


def growth(ops: Ops[N], rate: N, k: int) -> N:
    """(1 + rate) ** k: the growth of an amount k FYs on (§2)."""
    return power(ops, ops.num(1) + rate, k)


def aged(ops: Ops[N], amount: N, rate: N, years: int) -> N:
    """A cost-table amount of its base FY in the dollars of `years` FYs on, to the cent (§2
    'Aging defaults')."""
    return half_up(ops, amount * growth(ops, rate, years), 2)


def with_indirect(ops: Ops[N], components: Mapping[str, N], rate: N) -> dict[str, N]:
    """The components and indirect charges on their modified total direct costs (§5), on
    the unrounded amounts."""
    base = ops.num(0)
    for name in INDIRECT_BASE:
        if name in components:
            base = base + components[name]
    return {**components, "indirect": rate * base}
