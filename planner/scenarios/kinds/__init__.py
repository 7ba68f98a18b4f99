"""Every line kind, one definition each, in cost model §5's order (docs/formulas.md).

Adding a kind: write its module (parameters, `cost`, `basis`) and add it here; the parser,
the export, the projection, the fit and the editor's forms take it from this registry.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import Any

from . import (
    annual_amount,
    case_management,
    contribution,
    officer_training,
    participant_phones,
    participant_support,
    position,
    service_gap,
    warm_handoff,
)
from .base import EXACT, Cost, Exact, LineKind, Ops, Params, YearInputs

_KINDS: dict[str, LineKind[Any]] = {
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
        contribution.KIND,
    )
}
REGISTRY: Mapping[str, LineKind[Any]] = MappingProxyType(_KINDS)  # a read-only view
KINDS = tuple(REGISTRY)


@contextlib.contextmanager
def register(kind: LineKind[Any]) -> Iterator[LineKind[Any]]:
    """Add a kind to the registry for the duration of a `with` block (tests: a new kind is
    parsed, exported and projected with no other edit). A shipped kind is added to `_KINDS`
    above instead, and named in cost_model.md §5."""
    if kind.name in _KINDS:
        raise ValueError(f"a line kind '{kind.name}' is already registered")
    _KINDS[kind.name] = kind
    try:
        yield kind
    finally:
        del _KINDS[kind.name]


def plan_values(kind: LineKind[Any], params: Params) -> dict[str, Any]:
    """A line's parameters as its plan file writes them: the fields its variant takes, in
    order (a position that is not a program manager has no `independent`)."""
    choice = getattr(params, kind.choice) if kind.choice else None
    return {f.name: getattr(params, f.name) for f in kind.fields(choice)}


__all__ = [
    "EXACT",
    "KINDS",
    "REGISTRY",
    "Cost",
    "Exact",
    "LineKind",
    "Ops",
    "Params",
    "YearInputs",
    "plan_values",
    "register",
]
