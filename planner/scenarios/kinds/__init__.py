"""Every line kind, one definition each, in cost model §5's order (FORMULAS.md).

Adding a kind: write its module (parameters, `cost`, `basis`) and add it here; the parser,
the export, the projection, the fit and the editor's forms take it from this registry.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from . import (
    annual_amount,
    case_management,
    officer_training,
    participant_phones,
    participant_support,
    position,
    service_gap,
    warm_handoff,
)
from .base import EXACT, Cost, Exact, LineKind, Ops, Params, YearInputs

REGISTRY: Mapping[str, LineKind[Any]] = MappingProxyType({
    kind.name: kind
    for kind in (
        position.KIND,
        case_management.KIND,
        warm_handoff.KIND,
        officer_training.KIND,
        participant_phones.KIND,
        participant_support.KIND,
        service_gap.KIND,
        annual_amount.OTHER_STRATEGY,
        annual_amount.OTHER,
    )
})
KINDS = tuple(REGISTRY)


def plan_values(kind: LineKind[Any], params: Params) -> dict[str, Any]:
    """A line's parameters as its plan file writes them: the fields its variant takes, in
    order (a position that is not a program manager has no `independent`)."""
    choice = getattr(params, kind.choice) if kind.choice else None
    return {f.name: getattr(params, f.name) for f in kind.fields(choice)}

__all__ = ["EXACT", "KINDS", "REGISTRY", "Cost", "Exact", "LineKind", "Ops", "Params",
           "YearInputs", "plan_values"]
