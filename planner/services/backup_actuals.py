"""The jurisdictions' actuals in a backup (`actuals` and `actuals_history` of
`planner-backup/1`; a backup made before actuals existed has neither and restores as
before). Each FY's entry is checked as the engine reads it before anything is written."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import select, update

from planner.models import ActualChange, FundActual, Jurisdiction
from planner.models.base import utcnow
from planner.scenarios import FiscalYearError, fy_label, parse_fy
from planner.services import DbSession
from planner.services.actuals import check_entry


class BackupError(ValueError):
    """A backup that cannot be restored here; the message says why."""


def _time(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.isoformat()


def backup_actuals(session: DbSession, slugs: dict[int, str]) -> dict[str, Any]:
    records = session.scalars(select(FundActual).order_by(FundActual.id))
    changes = session.scalars(select(ActualChange).order_by(ActualChange.id))
    return {
        "actuals": [
            {
                "id": r.id,
                "jurisdiction": slugs[r.jurisdiction_id],
                "fiscal_year": fy_label(r.fiscal_year),
                "entry": json.loads(r.entry),
                "outcomes": json.loads(r.outcomes or "{}"),
                "version": r.version,
                "created_at": _time(r.created_at),
                "updated_at": _time(r.updated_at),
            }
            for r in records
        ],
        "actuals_history": [
            {
                "id": c.id,
                "jurisdiction": slugs[c.jurisdiction_id],
                "fiscal_year": fy_label(c.fiscal_year),
                "user": c.user_email,
                "at": _time(c.at),
                "action": c.action,
                "path": c.path,
                "old_value": c.old_value,
                "new_value": c.new_value,
            }
            for c in changes
        ],
    }


def check_actuals(data: dict[str, Any]) -> None:
    """Raises the backup's error (BackupError) naming each bad FY entry by its path."""
    problems: list[str] = []
    slugs = {row.get("slug") for row in data.get("jurisdictions", [])}
    seen: set[tuple[Any, int]] = set()
    for index, row in enumerate(data.get("actuals") or []):
        where = f"actuals[{index}]"
        if not isinstance(row, dict):
            problems.append(f"{where}: must be an object")
            continue
        if row.get("jurisdiction") not in slugs:
            problems.append(f"{where}.jurisdiction: not a jurisdiction of the backup")
        try:
            fy = parse_fy(row.get("fiscal_year"))
        except FiscalYearError as error:
            problems.append(f"{where}.fiscal_year: {error}")
            continue
        if (row.get("jurisdiction"), fy) in seen:
            problems.append(f"{where}: {fy_label(fy)} is recorded twice")
        seen.add((row.get("jurisdiction"), fy))
        version = row.get("version")
        if not (type(version) is int and 1 <= version < 2**31):
            problems.append(f"{where}.version: must be a whole number from 1")
        entry = row.get("entry")
        if not isinstance(entry, dict):
            problems.append(f"{where}.entry: missing")
            continue
        problems += [f"{where}.entry.{p.field}: {p.message}" for p in check_entry(fy, entry)]
        if not isinstance(row.get("outcomes", {}), dict):
            problems.append(f"{where}.outcomes: must be an object")
    if problems:
        raise BackupError("; ".join(problems))


def restore_actuals(
    session: DbSession, data: dict[str, Any], places: dict[str, Jurisdiction]
) -> None:
    session.flush()  # the jurisdictions have their ids
    versions: list[tuple[FundActual, int]] = []
    for row in data.get("actuals") or []:
        record = FundActual(
            id=row.get("id"),
            jurisdiction_id=places[row["jurisdiction"]].id,
            fiscal_year=parse_fy(row["fiscal_year"]),
            entry=json.dumps(row["entry"], ensure_ascii=False),
            outcomes=json.dumps(row.get("outcomes") or {}, ensure_ascii=False),
            created_at=_parse(row.get("created_at")) or utcnow(),
            updated_at=_parse(row.get("updated_at")) or utcnow(),
        )
        session.add(record)
        versions.append((record, row["version"]))
    for row in data.get("actuals_history") or []:
        place = places.get(row.get("jurisdiction"))
        if place is None:
            continue
        session.add(
            ActualChange(
                id=row.get("id"),
                jurisdiction_id=place.id,
                fiscal_year=parse_fy(row["fiscal_year"]),
                user_email=row.get("user"),
                at=_parse(row.get("at")) or utcnow(),
                action=row.get("action") or "",
                path=row.get("path") or "",
                old_value=row.get("old_value"),
                new_value=row.get("new_value"),
            )
        )
    session.flush()
    table = FundActual.metadata.tables[FundActual.__tablename__]  # the table: no ORM versioning
    for record, version in versions:
        session.execute(update(table).where(table.c.id == record.id).values(version=version))
        session.expire(record)


def _parse(text: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text) if text else None
