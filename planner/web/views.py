"""The plan page's parsed, projected and checked plan, kept per stored document, day and
shared-program state: every page that shows a plan (the plan page, its uncertainty section,
the actuals pages) reads it from here, so none imports another page's module for it.

A request that saved a plan makes the new version's view before it answers (`warm_saved`,
right after `save_change` commits, else when the request ends):
the save has just parsed and projected that version for its statewide figures
(`services/evaluated.py`), so only the checks are left, and the page shown next — the plan
page a save redirects to, or the form shown again — finds everything made. Everything is
kept by content (the projected document with its actuals, the day, the shared programs'
state), never by plan id alone: a new version, an edited actual or a stale contribution is
another key, so a page never shows an older view."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
import logging
import threading
from collections import OrderedDict
from typing import Any

from flask import has_request_context
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from planner.models import PlanRecord
from planner.scenarios import PlanError
from planner.scenarios.justification import plan_contradictions
from planner.services.plan_documents import projected_document
from planner.services.plans import PlanView, view_plan

log = logging.getLogger(__name__)


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


class _ByProjection:
    """Figures derived from one kept view, kept beside it: the key is the projection
    object a kept view holds (checked by identity, so a freed one's id is never reused)."""

    def __init__(self, size: int = 32) -> None:
        self.size = size
        self.items: OrderedDict[int, tuple[Any, Any]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, projection: Any, make) -> Any:
        key = id(projection)
        with self.lock:
            found = self.items.get(key)
            if found is not None and found[0] is projection:
                self.items.move_to_end(key)
                return found[1]
        value = make()
        with self.lock:
            self.items[key] = (projection, value)
            self.items.move_to_end(key)
            while len(self.items) > self.size:
                self.items.popitem(last=False)
        return value


_CONTRADICTIONS = _ByProjection()


def contradictions_of(view: PlanView) -> dict[str, tuple[Any, ...]]:
    """Where the lines' justifications contradict their numbers (issue 23), once a view."""
    return _CONTRADICTIONS.get(
        view.projection, lambda: plan_contradictions(view.plan, view.projection)
    )


# --- A saved version's view, made by the request that saved it ---------------------------

_PENDING = "views_pending"  # Session.info: plan records flushed in the open transaction
_SAVED = "views_saved"  # Session.info: plan records whose change was committed
MOST_WARMED = 4  # a request that saved more plans (a batch) leaves the rest to their pages


@event.listens_for(Session, "after_flush")
def _note_flushed(session: Session, _context: Any) -> None:
    if not has_request_context():  # the CLI and the job worker show no page
        return
    for obj in (*session.new, *session.dirty):
        if isinstance(obj, PlanRecord):
            session.info.setdefault(_PENDING, set()).add(obj)


@event.listens_for(Session, "after_commit")
def _note_saved(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if pending:
        session.info.setdefault(_SAVED, set()).update(pending)


@event.listens_for(Session, "after_rollback")
def _forget_flushed(session: Session) -> None:
    session.info.pop(_PENDING, None)


def warm_saved(session: Any, today: dt.date, *, answered: bool = True) -> None:
    """Make the view (and what the plan page derives from it) of each plan the request
    saved, for `today` (nothing when the request ends in an error: `answered` false). Never
    stops the answer: a view that cannot be made now is made, or its error shown, by the
    page that asks for it."""
    saved = session.info.pop(_SAVED, None)
    if not saved or not answered:
        return
    from planner.services import jobs
    from planner.services.analyses import simulation_key
    from planner.services.county import fit_of

    # each record's state read without SQL: one deleted or detached since is skipped
    kept = [(inspect(r), r) for r in saved]
    found = sorted(
        (state.identity, r)
        for state, r in kept
        if state.identity is not None and not (state.was_deleted or state.detached)
    )
    for _, record in found[:MOST_WARMED]:
        try:
            if record.deleted_at is not None:
                continue
            view = cached_view(record, today)
            fit_of(record, view=view)  # "what the fund can afford": kept with the plan
            contradictions_of(view)
            # the new version's analysis, when the queue has made it already: read once
            # (as `web/uncertainty.uncertainty_model` reads it; nothing is queued here)
            key = simulation_key(view.plan)
            if key is not None:
                jobs.result(session, key)
        except PlanError:  # a stored plan the engine refuses: its page says why
            continue
        except Exception:  # the save is committed: the page shown next tries again
            log.exception("the view of a saved plan was not made")
            session.rollback()  # only reads were made since the commit: a usable session
