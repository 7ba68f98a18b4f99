"""Public pages and the statewide view's figures in a backup (`publications` and
`government_figures` of `planner-backup/1`; a backup made before them has none and restores
as before).

A backup names each page that is public when it is made: the plan by the id the restore
keeps, the version published, the date its checklist was judged as of, when and by whom it
was published. It carries no HTML: a restore draws each page again from the restored plan
and actuals, judged as of the same date, so the restored page shows the published figures
and nothing a backup file could smuggle in. A page withdrawn before the backup, or of a plan
no longer adopted at that version, is not public and is not carried (its "published" and
"withdrawn" lines stay in the plan's history).

Each government's means against the smallest fidelity program (`government_figures`) are
kept as computed: they come from the cost tables alone, take seconds to compute for the 117
governments, and are what the statewide view showed. Each plan's stored figures are not
carried: the restore computes them again from the restored plans (milliseconds each).

Drawing a page needs the web layer's templates, which services do not import: the restore
takes the drawing as a function (`Draw`) from its caller (the CLI passes the web's)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from planner.models import GovernmentFigures, Jurisdiction, PlanRecord, Publication, User
from planner.models.public import live_publications
from planner.services import DbSession
from planner.services.backup_actuals import BackupError
from planner.services.backup_checks import Problems, Row, iso_time, rows
from planner.services.public import Snapshot, enqueue_public_pdf, publishable, snapshot

# The page's HTML and its fund chart's SVG, drawn from a snapshot.
Draw = Callable[[PlanRecord, Snapshot], tuple[str, str]]

KEYS = ("plan", "version", "as_of", "published_at", "published_by")
FIGURES = (
    "jurisdiction",
    "computed_at",
    "start_fy",
    "estimated",
    "receipts",
    "smallest_yearly",
    "sustains",
    "gap_per_year",
    "note",
)
DOLLARS_MAX = 10**15  # BIGINT holds more; no government's figure comes near


def backup_publications(session: DbSession, emails: dict[int | None, str]) -> dict[str, Any]:
    live = session.scalars(live_publications().order_by(Publication.id))
    return {
        "publications": [
            {
                "plan": row.plan_id,
                "version": row.plan_version,
                "as_of": row.as_of.isoformat(),
                "published_at": iso_time(row.published_at),
                "published_by": emails.get(row.published_by_id),
            }
            for row in live
        ]
    }


def check_publications(data: dict[str, Any]) -> None:
    """Raises BackupError naming each bad row by its path."""
    problems = Problems()
    plans = {row.get("id"): row for row in data.get("plans") or [] if isinstance(row, dict)}
    emails = {row.get("email") for row in data.get("users") or [] if isinstance(row, dict)}
    seen: set[int] = set()
    for where, row in rows(data, "publications", problems):
        r = Row(where, row, problems)
        extra = sorted(set(row) - set(KEYS))
        if extra:
            problems.add(where, f"has keys this app does not write: {', '.join(extra)[:200]}")
        plan_id = r.whole("plan")
        version = r.whole("version")
        r.date("as_of", low=2000, high=2100)
        if row.get("as_of") is None:
            problems.add(f"{where}.as_of", "must be a date (YYYY-MM-DD)")
        r.time("published_at", required=True)
        by = r.text("published_by", longest=254, required=False)
        if by is not None and by not in emails:
            problems.add(f"{where}.published_by", "is not an account of the backup")
        if plan_id is None:
            continue
        r.unique("plan", plan_id, seen, "the plan")
        plan = plans.get(plan_id)
        if plan is None:
            problems.add(f"{where}.plan", "is not a plan id of the backup")
        elif version is not None and (
            plan.get("version") != version
            or plan.get("status") != "adopted"
            or plan.get("deleted_at") is not None
        ):
            problems.add(f"{where}.version", "is not the adopted version of that plan")
    if problems:
        raise BackupError(problems.text())


def restore_publications(
    session: DbSession, data: dict[str, Any], draw: Draw | None
) -> tuple[int, int]:
    """Publish again, as of their own dates, the pages the backup names (after the plans, the
    actuals and the accounts are written). Returns (published, not drawn): without `draw`
    no page is drawn and each is left for an editor to publish again."""
    pending = list(data.get("publications") or [])
    if draw is None:
        return 0, len(pending)
    users = {u.email: u for u in session.scalars(select(User))}
    done = 0
    for row in pending:
        record = session.get(PlanRecord, row["plan"])
        if record is None or publishable(record) is not None:  # checked: never here
            raise BackupError(f"publications: plan {row['plan']} is not adopted")
        shot = snapshot(record, dt.date.fromisoformat(row["as_of"]))
        page, fund_svg = draw(record, shot)
        author = users.get(row.get("published_by") or "")
        session.add(
            Publication(
                plan_id=record.id,
                plan_version=row["version"],
                jurisdiction_id=record.jurisdiction_id,
                name=record.name,
                adopted_on=record.adopted_on,
                as_of=shot.as_of,
                published_at=dt.datetime.fromisoformat(row["published_at"]),
                published_by_id=author.id if author else None,
                summary=json.dumps(shot.summary),
                page=page,
                fund_svg=fund_svg,
                plan_json=shot.plan_json,
                projection_json=shot.projection_json,
                compliance_json=shot.compliance_json,
                reports_json=shot.reports_json,
                pdf_key=enqueue_public_pdf(session, record, shot.view, shot.as_of),
            )
        )
        done += 1
    session.flush()
    return done, 0


def backup_government_figures(session: DbSession, slugs: dict[int, str]) -> dict[str, Any]:
    found = session.scalars(select(GovernmentFigures).order_by(GovernmentFigures.jurisdiction_id))
    return {
        "government_figures": [
            {
                "jurisdiction": slugs[row.jurisdiction_id],
                "computed_at": iso_time(row.computed_at),
                "start_fy": row.start_fy,
                "estimated": row.estimated,
                "receipts": row.receipts,
                "smallest_yearly": row.smallest_yearly,
                "sustains": row.sustains,
                "gap_per_year": row.gap_per_year,
                "note": row.note,
            }
            for row in found
        ]
    }


def check_government_figures(data: dict[str, Any]) -> None:
    """Raises BackupError naming each bad row by its path."""
    problems = Problems()
    slugs = {row.get("slug") for row in data.get("jurisdictions") or [] if isinstance(row, dict)}
    seen: set[str] = set()
    for where, row in rows(data, "government_figures", problems):
        r = Row(where, row, problems)
        extra = sorted(set(row) - set(FIGURES))
        if extra:
            problems.add(where, f"has keys this app does not write: {', '.join(extra)[:200]}")
        slug = r.text("jurisdiction", longest=80)
        if slug is not None and slug not in slugs:
            problems.add(f"{where}.jurisdiction", "is not a jurisdiction of the backup")
        r.unique("jurisdiction", slug, seen, "the jurisdiction")
        r.time("computed_at", required=True)
        r.whole("start_fy", low=2000, high=2100)
        r.flag("estimated")
        r.whole("smallest_yearly", low=0, high=DOLLARS_MAX)
        for key in ("receipts", "gap_per_year"):
            r.whole(key, low=0, high=DOLLARS_MAX, required=False)
        if row.get("sustains") is not None:
            r.flag("sustains")
        r.text("note", longest=500, required=False, empty=True)
    if problems:
        raise BackupError(problems.text())


def restore_government_figures(
    session: DbSession, data: dict[str, Any], places: dict[str, Jurisdiction]
) -> None:
    for row in data.get("government_figures") or []:
        session.add(
            GovernmentFigures(
                jurisdiction_id=places[row["jurisdiction"]].id,
                computed_at=dt.datetime.fromisoformat(row["computed_at"]),
                start_fy=row["start_fy"],
                estimated=row["estimated"],
                receipts=row.get("receipts"),
                smallest_yearly=row["smallest_yearly"],
                sustains=row.get("sustains"),
                gap_per_year=row.get("gap_per_year"),
                note=row.get("note") or "",
            )
        )
