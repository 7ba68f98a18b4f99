"""The uncertainty analysis of a plan (cost model §12), simulated once per plan version and
ranges and kept in the process: the page, its charts, the PDF and the workbook read it."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from planner.cost_tables import default_cost_tables
from planner.scenarios import Plan, Projection, dump_plan_json, parse_plan_text, project
from planner.scenarios.simulation import Simulation, simulate
from planner.services.plan_documents import projected_document


@dataclass(frozen=True)
class Analysis:
    plan: Plan
    projection: Projection
    result: Simulation


class _Cache:
    """Analyses by the stored document's digest: the document is the plan version with its
    ranges, so a save that changes either simulates again; the same text never does."""

    def __init__(self, size: int = 32):
        self.size = size
        self._items: OrderedDict[str, Analysis] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> Analysis | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: str, value: Analysis) -> None:
        with self._lock:
            self._items[key] = value
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


ANALYSES = _Cache()


def cache_key(document: str) -> str:
    return hashlib.sha256(document.encode("utf-8")).hexdigest()


def analysis_of_document(
    document: str, plan: Plan | None = None, projection: Projection | None = None
) -> Analysis | None:
    """The plan's simulation with its own ranges, or None when it has no `uncertainty`."""
    key = cache_key(document)
    found = ANALYSES.get(key)
    if found is not None:
        return found
    plan = plan or parse_plan_text(document, default_cost_tables())
    if plan.uncertainty is None:
        return None
    projection = projection or project(plan)
    found = Analysis(plan, projection, simulate(plan, base_projection=projection))
    ANALYSES.put(key, found)
    return found


def analysis_of(
    record: Any, plan: Plan | None = None, projection: Projection | None = None
) -> Analysis | None:
    """A stored plan's analysis, of the plan as the page shows it: with its jurisdiction's
    actuals (closed FYs stay as they were, §12), so entering actuals gives a new analysis."""
    return analysis_of_document(projected_document(record), plan, projection)


def analysis_of_plan(plan: Plan, projection: Projection | None = None) -> Analysis | None:
    """The same for a parsed plan (the PDF, the workbook, the comparison): keyed by its
    explicit JSON text, which is what a stored version holds."""
    if plan.uncertainty is None:
        return None
    return analysis_of_document(dump_plan_json(plan), plan, projection)


def deficit_chances(comparison: Any) -> tuple[float | None, ...] | None:
    """Each compared plan's chance of a deficit in at least one FY (None for a plan without
    ranges); None when no plan has ranges (the comparison then shows no such row)."""
    found = []
    for compared in comparison.plans:
        analysis = analysis_of_plan(compared.plan, compared.projection)
        found.append(None if analysis is None else analysis.result.p_any_deficit)
    return tuple(found) if any(c is not None for c in found) else None
