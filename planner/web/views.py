"""The plan page's parsed, projected and checked plan, kept per stored document, day and
shared-program state: every page that shows a plan (the plan page, its uncertainty section,
the actuals pages) reads it from here, so none imports another page's module for it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json

from planner.services.plan_documents import projected_document
from planner.services.plans import PlanView, view_plan


@dataclasses.dataclass(frozen=True)
class _Stored:
    document: str  # all that view_plan reads of a record


@functools.lru_cache(maxsize=32)
def _cached_view(document: str, as_of: dt.date, stale: str = "[]") -> PlanView:
    found = tuple(json.loads(stale))
    return view_plan(_Stored(document), as_of, stale=found)  # type: ignore[arg-type]


def cached_view(record, as_of: dt.date) -> PlanView:
    """`view_plan`, kept per stored document, day and shared-program state (§17): a page
    shown again (after a chart, a download, a cancelled edit) is not projected and checked
    again."""
    from planner.services.sharing import stale_contributions

    stale = json.dumps(list(stale_contributions(record)), sort_keys=True)
    return dataclasses.replace(
        _cached_view(projected_document(record), as_of, stale), record=record
    )
