"""The jurisdictions' actuals in a backup (`actuals` and `actuals_history` of
`planner-backup/1`; a backup made before actuals existed has neither and restores as
before). Each FY's entry is checked as the engine reads it before anything is written."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import select, update

from planner.cost_tables import default_cost_tables
from planner.models import ActualChange, FundActual, Jurisdiction
from planner.models.base import utcnow
from planner.scenarios import FiscalYearError, fy_label, parse_fy
from planner.scenarios.limits import nesting_problem
from planner.services import DbSession
from planner.services.actuals import check_entry, known_strategy
from planner.services.backup_checks import HISTORY_TEXT_MAX, Problems, Row, iso_time, rows


class BackupError(ValueError):
    """A backup that cannot be restored here; the message says why."""


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
                "created_at": iso_time(r.created_at),
                "updated_at": iso_time(r.updated_at),
            }
            for r in records
        ],
        "actuals_history": [
            {
                "id": c.id,
                "jurisdiction": slugs[c.jurisdiction_id],
                "fiscal_year": fy_label(c.fiscal_year),
                "user": c.user_email,
                "at": iso_time(c.at),
                "action": c.action,
                "path": c.path,
                "old_value": c.old_value,
                "new_value": c.new_value,
            }
            for c in changes
        ],
    }


def check_actuals(data: dict[str, Any]) -> None:
    """Raises the backup's error (BackupError) naming each bad FY entry, Exhibit F measure
    and history entry by its path."""
    problems = Problems()
    slugs = {row.get("slug") for row in data.get("jurisdictions") or [] if isinstance(row, dict)}
    limits = default_cost_tables().limits
    measure_max = (limits.short_text_max if limits else 200) * 10
    seen: set[tuple[Any, int]] = set()
    ids: set[int] = set()
    for where, row in rows(data, "actuals", problems):
        r = Row(where, row, problems)
        r.unique("id", r.whole("id", required=False), ids, "the actuals id")
        if row.get("jurisdiction") not in slugs:
            problems.add(f"{where}.jurisdiction", "not a jurisdiction of the backup")
        r.whole("version")
        r.time("created_at")
        r.time("updated_at")
        _check_outcomes(where, row.get("outcomes", {}), problems, measure_max)
        try:
            fy = parse_fy(row.get("fiscal_year"))
        except FiscalYearError as error:
            problems.add(f"{where}.fiscal_year", str(error))
            continue
        if (row.get("jurisdiction"), fy) in seen:
            problems.add(where, f"{fy_label(fy)} is recorded twice")
        seen.add((row.get("jurisdiction"), fy))
        entry = row.get("entry")
        if not isinstance(entry, dict):
            problems.add(f"{where}.entry", "missing")
            continue
        too_deep = nesting_problem(entry, limits) if limits else None
        if too_deep is not None:
            problems.add(f"{where}.entry.{too_deep}", "is nested too deeply")
            continue
        problems += [f"{where}.entry.{p.field}: {p.message}" for p in check_entry(fy, entry)]
    change_ids: set[int] = set()
    for where, row in rows(data, "actuals_history", problems):
        r = Row(where, row, problems)
        r.unique("id", r.whole("id", required=False), change_ids, "the history id")
        if row.get("jurisdiction") not in slugs:
            problems.add(f"{where}.jurisdiction", "not a jurisdiction of the backup")
        try:
            parse_fy(row.get("fiscal_year"))
        except FiscalYearError as error:
            problems.add(f"{where}.fiscal_year", str(error))
        r.text("user", longest=254, required=False)
        r.time("at")
        for key in ("action", "path", "old_value", "new_value"):
            r.text(key, longest=HISTORY_TEXT_MAX, required=False, empty=True)
    if problems:
        raise BackupError(problems.text())


def _check_outcomes(where: str, outcomes: Any, problems: Problems, longest: int) -> None:
    """Exhibit F measures: {strategy: {measure: text}}, each text as long as the form takes."""
    if not isinstance(outcomes, dict):
        problems.add(f"{where}.outcomes", "must be an object")
        return
    for strategy, measures in outcomes.items():
        at = f"{where}.outcomes.{str(strategy)[:40]}"
        if not known_strategy(strategy):
            problems.add(at, "is not a strategy of MOA Exhibit A or B")
        if not isinstance(measures, dict):
            problems.add(at, "must be an object")
            continue
        for key, value in measures.items():
            if not isinstance(key, str) or len(key) > 80:
                problems.add(at, "a measure's name must be text of at most 80 characters")
            elif not isinstance(value, str):
                problems.add(f"{at}.{key}", "must be text")
            elif len(value) > longest:
                problems.add(f"{at}.{key}", f"is longer than {longest} characters")


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
