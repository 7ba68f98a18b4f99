"""Shared programs in a backup (`shared_programs` of `planner-backup/1`, cost model §17; a
backup made before they existed has none and restores as before). Rows name plans by the
ids the restore keeps, and governments by slug; each is checked before anything is
written."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from planner.models import Jurisdiction, SharedProgram
from planner.models.sharing import SHARE_STATUSES
from planner.services import DbSession
from planner.services.backup_actuals import BackupError
from planner.services.backup_checks import iso_time

KEYS = (
    "id",
    "lead_plan",
    "partner",
    "source_id",
    "program",
    "status",
    "partner_plan",
    "line_id",
    "created_at",
    "accepted_at",
)


def backup_sharing(session: DbSession, slugs: dict[int, str]) -> dict[str, Any]:
    return {
        "shared_programs": [
            {
                "id": s.id,
                "lead_plan": s.lead_plan_id,
                "partner": slugs[s.partner_jurisdiction_id],
                "source_id": s.source_id,
                "program": s.program,
                "status": s.status,
                "partner_plan": s.partner_plan_id,
                "line_id": s.line_id,
                "created_at": iso_time(s.created_at),
                "accepted_at": iso_time(s.accepted_at),
            }
            for s in session.scalars(select(SharedProgram).order_by(SharedProgram.id))
        ]
    }


def check_sharing(data: dict[str, Any]) -> None:
    """Raises the backup's error (BackupError) naming each bad row by its path."""
    rows = data.get("shared_programs") or []
    if not rows:
        return
    problems: list[str] = []
    plan_ids = {row.get("id") for row in data.get("plans", []) if isinstance(row, dict)}
    slugs = {row.get("slug") for row in data.get("jurisdictions", []) if isinstance(row, dict)}
    for index, row in enumerate(rows):
        where = f"shared_programs[{index}]"
        if not isinstance(row, dict) or set(row) - set(KEYS):
            problems.append(f"{where}: must be an object with the keys {', '.join(KEYS)}")
            continue
        if row.get("lead_plan") not in plan_ids or row.get("lead_plan") is None:
            problems.append(f"{where}.lead_plan: not a plan id of the backup")
        if row.get("partner_plan") is not None and row["partner_plan"] not in plan_ids:
            problems.append(f"{where}.partner_plan: not a plan id of the backup")
        if row.get("partner") not in slugs:
            problems.append(f"{where}.partner: not a jurisdiction of the backup")
        if row.get("status") not in SHARE_STATUSES:
            problems.append(f"{where}.status: must be one of {', '.join(SHARE_STATUSES)}")
        for key in ("source_id", "program"):
            if not isinstance(row.get(key), str) or not 0 < len(row[key]) <= 200:
                problems.append(f"{where}.{key}: must be text")
    if problems:
        raise BackupError("; ".join(problems))


def restore_sharing(
    session: DbSession, data: dict[str, Any], places: dict[str, Jurisdiction]
) -> None:
    for row in data.get("shared_programs") or []:
        session.add(
            SharedProgram(
                id=row.get("id"),
                lead_plan_id=row["lead_plan"],
                partner_jurisdiction_id=places[row["partner"]].id,
                source_id=row["source_id"],
                program=row["program"],
                status=row["status"],
                partner_plan_id=row.get("partner_plan"),
                line_id=row.get("line_id"),
                created_at=dt.datetime.fromisoformat(row["created_at"])
                if row.get("created_at")
                else None,
                accepted_at=dt.datetime.fromisoformat(row["accepted_at"])
                if row.get("accepted_at")
                else None,
            )
        )
