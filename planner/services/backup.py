"""Back up and restore everything: jurisdictions, accounts and memberships, plans and their
history (`planner-backup/1`, one JSON document). Password hashes are left out unless asked
for; restored accounts without one must have their password reset.

A restore keeps the ids of accounts, plans and history entries (bookmarks and history lines
such as "cloned from plan 2" keep pointing at the same plan) and every plan's version, and
checks every plan document with the engine before it writes anything. Backups made before
ids were written restore with new ids."""

from __future__ import annotations

import datetime as dt
import os
import secrets
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text, update

from planner.cost_tables import default_cost_tables
from planner.models import Jurisdiction, Membership, PlanChange, PlanRecord, User
from planner.models.plans import STATUSES
from planner.scenarios import PlanError, load_plan_json, parse_plan
from planner.services import DbSession
from planner.services.accounts import hash_password
from planner.services.backup_actuals import (
    BackupError,
    backup_actuals,
    check_actuals,
    restore_actuals,
)
from planner.services.backup_sharing import backup_sharing, check_sharing, restore_sharing

SCHEMA = "planner-backup/1"


def _time(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.isoformat()


def _parse_time(text: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text) if text else None


def backup(session: DbSession, *, password_hashes: bool = False) -> dict[str, Any]:
    users = list(session.scalars(select(User).order_by(User.id)))
    emails: dict[int | None, str] = {u.id: u.email for u in users}
    jurisdictions = list(session.scalars(select(Jurisdiction).order_by(Jurisdiction.id)))
    slugs = {j.id: j.slug for j in jurisdictions}
    return {
        "schema": SCHEMA,
        "password_hashes": password_hashes,
        "jurisdictions": [
            {
                "slug": j.slug,
                "name": j.name,
                "kind": j.kind,
                "fips": j.fips,
                "county": j.county,
                "allocation_estimate": None
                if j.allocation_estimate is None
                else format(j.allocation_estimate, "f"),
                "allocation_basis": j.allocation_basis,
                "allocation_source": j.allocation_source,
            }
            for j in jurisdictions
        ],
        "users": [
            {
                "id": u.id,
                "email": u.email,
                "is_admin": u.is_admin,
                "active": u.active,
                "created_at": _time(u.created_at),
                **({"password_hash": u.password_hash} if password_hashes else {}),
            }
            for u in users
        ],
        "memberships": [
            {"email": emails[m.user_id], "jurisdiction": slugs[m.jurisdiction_id], "role": m.role}
            for m in session.scalars(select(Membership).order_by(Membership.id))
        ],
        "plans": [
            {
                "id": p.id,
                "jurisdiction": slugs[p.jurisdiction_id],
                "name": p.name,
                "status": p.status,
                "adopted_on": p.adopted_on.isoformat() if p.adopted_on else None,
                "document": p.document,
                "version": p.version,
                "created_at": _time(p.created_at),
                "updated_at": _time(p.updated_at),
                "created_by": emails.get(p.created_by_id),
                "deleted_at": _time(p.deleted_at),  # a deleted plan is kept for the record
                "history": [
                    {
                        "id": c.id,
                        "user": c.user_email,
                        "at": _time(c.at),
                        "action": c.action,
                        "path": c.path,
                        "old_value": c.old_value,
                        "new_value": c.new_value,
                    }
                    for c in p.changes
                ],
            }
            for p in session.scalars(select(PlanRecord).order_by(PlanRecord.id))
        ],
        **backup_actuals(session, slugs),
        **backup_sharing(session, slugs),
    }


def write_private(path: str | os.PathLike, content: str) -> None:
    """Write `content` to `path` readable by its owner only (0600) from the first byte: a
    new file is created with that mode next to `path`, then renamed over it."""
    target = Path(path)
    partial = target.with_name(f".{target.name}.{secrets.token_hex(4)}.partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
            stream.write(content)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def check_plans(data: dict[str, Any]) -> None:
    """Every plan document of a backup, read by the engine; raises BackupError naming each
    problem by its path (`plans[2].document.line_items[0].salary`) before anything is
    written."""
    problems: list[str] = []
    tables = default_cost_tables()
    ids = [row.get("id") for row in data["plans"] if row.get("id") is not None]
    if len(ids) != len(set(ids)):
        problems.append("plans: two plans have the same id")
    for index, row in enumerate(data["plans"]):
        where = f"plans[{index}]"
        for key in ("id", "version"):
            value = row.get(key)
            if (value is not None or key == "version") and not (
                type(value) is int and 1 <= value < 2**31
            ):
                problems.append(f"{where}.{key}: must be a whole number from 1")
        if row.get("status") not in STATUSES:
            problems.append(f"{where}.status: must be one of {', '.join(STATUSES)}")
        document = row.get("document")
        if not isinstance(document, str):
            problems.append(f"{where}.document: missing")
            continue
        try:
            parse_plan(load_plan_json(document), tables)
        except PlanError as error:
            problems += [
                f"{where}.document.{p.path}: {p.message}"
                if p.path
                else f"{where}.document: {p.message}"
                for p in error.problems
            ]
        except ValueError as error:
            problems.append(f"{where}.document: not a plan file ({error})")
    if problems:
        raise BackupError("; ".join(problems))


def restore(session: DbSession, data: Any) -> dict[str, int]:
    """Load a backup into an empty database (no accounts, no plans)."""
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise BackupError(f"not a {SCHEMA} file")
    if session.scalar(select(func.count(User.id))) or session.scalar(
        select(func.count(PlanRecord.id))
    ):
        raise BackupError(
            "the database already has accounts or plans: restore into an empty database"
        )
    check_plans(data)
    check_actuals(data)
    check_sharing(data)
    places: dict[str, Jurisdiction] = {j.slug: j for j in session.scalars(select(Jurisdiction))}
    for row in data["jurisdictions"]:
        place = places.get(row["slug"]) or Jurisdiction(slug=row["slug"])
        place.name, place.kind, place.fips, place.county = (
            row["name"],
            row["kind"],
            row["fips"],
            row["county"],
        )
        estimate = row.get("allocation_estimate")
        place.allocation_estimate = Decimal(estimate) if estimate is not None else None
        place.allocation_basis = row.get("allocation_basis")
        place.allocation_source = row.get("allocation_source")
        session.add(place)
        places[row["slug"]] = place
    users: dict[str, User] = {}
    for row in data["users"]:
        # Without its hash an account gets an unguessable password: reset it to sign in.
        user = User(
            id=row.get("id"),
            email=row["email"],
            is_admin=row["is_admin"],
            active=row["active"],
            failed_logins=0,
            created_at=_parse_time(row.get("created_at")),
            password_hash=row.get("password_hash") or hash_password(secrets.token_urlsafe(32)),
        )
        session.add(user)
        users[row["email"]] = user
    session.flush()
    for row in data["memberships"]:
        session.add(
            Membership(
                user=users[row["email"]], jurisdiction=places[row["jurisdiction"]], role=row["role"]
            )
        )
    versions: list[tuple[PlanRecord, int]] = []
    for row in data["plans"]:
        creator = users.get(row.get("created_by") or "")
        record = PlanRecord(
            id=row.get("id"),
            jurisdiction=places[row["jurisdiction"]],
            name=row["name"],
            status=row["status"],
            adopted_on=dt.date.fromisoformat(row["adopted_on"]) if row["adopted_on"] else None,
            document=row["document"],
            version=row["version"],
            created_at=_parse_time(row["created_at"]),
            updated_at=_parse_time(row["updated_at"]),
            created_by_id=creator.id if creator else None,
            deleted_at=_parse_time(row.get("deleted_at")),
        )
        session.add(record)
        versions.append((record, row["version"]))
        for change in row["history"]:
            author = users.get(change["user"] or "")
            session.add(
                PlanChange(
                    id=change.get("id"),
                    plan=record,
                    user_id=author.id if author else None,
                    user_email=change["user"],
                    at=_parse_time(change["at"]),
                    action=change["action"],
                    path=change["path"],
                    old_value=change["old_value"],
                    new_value=change["new_value"],
                )
            )
    restore_actuals(session, data, places)
    session.flush()
    restore_sharing(session, data, places)  # after the plans it names
    session.flush()
    # The ORM numbers a new row's version 1; set the backed-up one past the version counter.
    plans = PlanRecord.metadata.tables[PlanRecord.__tablename__]  # the table: no ORM versioning
    for record, version in versions:
        session.execute(update(plans).where(plans.c.id == record.id).values(version=version))
        session.expire(record)
    _advance_sequences(session)
    return {
        "jurisdictions": len(data["jurisdictions"]),
        "users": len(users),
        "plans": len(data["plans"]),
    }


def _advance_sequences(session: DbSession) -> None:
    """After rows with explicit ids, PostgreSQL's id sequences must start past them."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in (
        "users",
        "plans",
        "plan_changes",
        "fund_actuals",
        "fund_actual_changes",
        "shared_programs",
    ):
        session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608 - fixed names
                f"COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM {table}"
            )
        )
