"""What the blueprints share: the date pages count from, file names, SVG answers, the plan
page's address, and the one way a view saves a change to a plan (`save_change`)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from flask import Response, abort, flash, url_for
from flask_wtf import FlaskForm

from planner.extensions import db
from planner.forms.auth import version_of
from planner.scenarios import PlanError, Problem
from planner.services.plans import PlanFrozen, StaleVersion


def today() -> dt.date:
    """The app's one clock: every page's `as_of` (FYs ended, deadlines, a new plan's first FY,
    file names) is the user's local date; the engine never reads a clock."""
    return dt.date.today()  # noqa: DTZ011 - deadlines count from the user's local date


def slugify(text: str, fallback: str = "plan") -> str:
    """`Baseline LEAD plan` -> `baseline-lead-plan` (for file names and line ids)."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:48] or fallback


def download_name(record: Any, extension: str) -> str:
    """orange-county_baseline-lead-plan_2026-11-28.pdf"""
    return f"{record.jurisdiction.slug}_{slugify(record.name)}_{today().isoformat()}.{extension}"


def svg_response(svg: str) -> Response:
    response = Response(svg, mimetype="image/svg+xml")
    # The charts are drawn with presentation attributes only: the image loads nothing, runs
    # nothing and needs no inline style.
    response.headers["Content-Security-Policy"] = "default-src 'none'"
    return response


def plan_url(record: Any, anchor: str = "") -> str:
    """The plan's page, at `anchor` (`#line-items`)."""
    return url_for("plans.show", slug=record.jurisdiction.slug, plan_id=record.id) + anchor


def expected_version(form: FlaskForm) -> int:
    """The plan version a form's page showed; a post without one counts as stale (-1 matches
    no version): every form that changes a plan carries it."""
    based_on = version_of(form)
    return -1 if based_on is None else based_on


@dataclasses.dataclass(frozen=True)
class Outcome:
    """What became of one change of a plan: saved (with what the change returned), or not
    and why — someone else saved first (`stale`), the engine's `problems`, or one of the
    errors the caller named as refusals (`refused`)."""

    saved: bool
    result: Any = None
    stale: bool = False
    problems: tuple[Problem, ...] = ()
    refused: Exception | None = None


def save_change(run: Callable[[], Any], refused: tuple[type[Exception], ...] = ()) -> Outcome:
    """Run one change of a plan (a service call) and commit it; or roll it back and say why.
    A change to an adopted plan is refused with 403 (the page offered no such button)."""
    try:
        result = run()
    except StaleVersion:
        db.session.rollback()
        return Outcome(False, stale=True)
    except PlanFrozen:
        db.session.rollback()
        abort(403)
    except PlanError as error:
        db.session.rollback()
        return Outcome(False, problems=tuple(error.problems))
    except refused as error:
        db.session.rollback()
        return Outcome(False, refused=error)
    db.session.commit()
    from planner.web.views import warm_saved

    warm_saved(db.session, today())  # the page shown next reads the new version's figures
    return Outcome(True, result)


STALE_MESSAGE = (
    "Someone else changed this plan since you loaded the page: nothing was "
    "changed. Here is the newer plan; try again."
)


def flash_why(outcome: Outcome, not_saved: str = "Not saved") -> None:
    """Say beside the page shown next why a change was not saved."""
    if outcome.stale:
        flash(STALE_MESSAGE, "error")
    elif outcome.problems:
        flash(f"{not_saved}: " + "; ".join(str(p) for p in outcome.problems), "error")
    elif outcome.refused is not None:
        flash(f"{not_saved}: {outcome.refused}.", "error")


def commit_or_flash(
    run: Callable[[], Any], refused: tuple[type[Exception], ...] = ()
) -> tuple[bool, Any]:
    """`save_change` for a button on a page that is shown again: why nothing was saved is
    flashed beside it (a stale version, the engine's problems, one of `refused`)."""
    outcome = save_change(run, refused)
    flash_why(outcome)
    return outcome.saved, outcome.result
