"""The uncertainty analysis of a stored plan (cost model §12): simulated once per plan
version and ranges, and the ranges saved through the plan's versioned save path."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from planner.cost_tables import default_cost_tables
from planner.models import PlanRecord, User
from planner.scenarios import Plan, Projection, parse_plan_text, project
from planner.scenarios.simulation import Simulation, simulate
from planner.scenarios.uncertainty import Uncertainty, uncertainty_to_dict
from planner.services.plans import document_of, normalized, update_plan


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


def analysis_of_document(document: str, plan: Plan | None = None,
                         projection: Projection | None = None) -> Analysis | None:
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


def analysis_of(record: PlanRecord, plan: Plan | None = None,
                projection: Projection | None = None) -> Analysis | None:
    return analysis_of_document(record.document, plan, projection)


def save_ranges(session: Session, record: PlanRecord, user: User | None,
                section: dict[str, Any] | None, *, expected_version: int | None) -> Plan:
    """Store (or, with None, remove) the plan's `uncertainty` section; raises PlanError with
    each problem's path (`uncertainty.referrals.low`), StaleVersion or PlanFrozen."""
    def change(document: dict[str, Any]) -> None:
        if section is None:
            document.pop("uncertainty", None)
        else:
            document["uncertainty"] = section

    return update_plan(session, record, user, change, expected_version=expected_version,
                       action="edited the uncertainty ranges")


def check_ranges(record: PlanRecord, section: dict[str, Any] | None) -> Plan:
    """The plan with this section, parsed and not saved (raises PlanError)."""
    document = document_of(record)
    if section is None:
        document.pop("uncertainty", None)
    else:
        document["uncertainty"] = section
    return normalized(document)[0]


def section_dict(section: Uncertainty) -> dict[str, Any]:
    return uncertainty_to_dict(section)
