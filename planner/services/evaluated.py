"""A plan version's parsed plan and projection, made once per process and shared by whoever
reads that version next: a save's statewide figures and its queued jobs, the plan page, its
charts and the fit all parse and project the same projected document (the stored plan with
its jurisdiction's actuals, `plan_documents.projected_document`), so one save used to parse
it three times and project it twice before the page did it again.

Kept by the document's text itself: a new version, an edited actual (it is written into the
projected document) or another plan is another text, so nothing here can be out of date.
Only a plan that parses is kept; a plan file the engine refuses raises every time."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from planner.cost_tables import default_cost_tables
from planner.scenarios import Plan, Projection, parse_plan_text, project


@dataclass(frozen=True)
class Evaluated:
    """One projected document, parsed; its projection made on the first reader's demand."""

    plan: Plan
    tables: object  # the cost tables it was parsed with (one object per process)
    _projection: list[Projection]  # a one-item cache (the dataclass stays frozen)

    @property
    def projection(self) -> Projection:
        if not self._projection:
            self._projection.append(project(self.plan))
        return self._projection[0]


class _Versions:
    """The last `size` documents read, by text (least recently read dropped first)."""

    def __init__(self, size: int = 32) -> None:
        self.size = size
        self.items: OrderedDict[str, Evaluated] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, document: str) -> Evaluated:
        tables = default_cost_tables()
        with self.lock:
            found = self.items.get(document)
            if found is not None and found.tables is tables:
                self.items.move_to_end(document)
                return found
        # parsed outside the lock: two threads reading one new version may both parse it
        made = Evaluated(parse_plan_text(document, tables), tables, [])
        with self.lock:
            found = self.items.get(document)
            if found is None or found.tables is not tables:
                self.items[document] = found = made
            self.items.move_to_end(document)
            while len(self.items) > self.size:
                self.items.popitem(last=False)
        return found

    def clear(self) -> None:
        with self.lock:
            self.items.clear()


VERSIONS = _Versions()


def parsed(document: str) -> Plan:
    """The plan of a projected document (raises PlanError as `parse_plan_text` does)."""
    return VERSIONS.get(document).plan


def evaluated(document: str) -> tuple[Plan, Projection]:
    """The plan of a projected document and its projection, each made once."""
    found = VERSIONS.get(document)
    return found.plan, found.projection
