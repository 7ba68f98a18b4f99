"""Back up and restore everything: jurisdictions, accounts and memberships, plans and their
history (`planner-backup/1`, one JSON document). Password hashes are left out unless asked
for; restored accounts without one must have their password reset."""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from planner.models import Jurisdiction, Membership, PlanChange, PlanRecord, User
from planner.services.accounts import hash_password

SCHEMA = "planner-backup/1"


class BackupError(ValueError):
    """A backup that cannot be restored here; the message says why."""


def _time(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.isoformat()


def _parse_time(text: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text) if text else None


def backup(session: Session, *, password_hashes: bool = False) -> dict[str, Any]:
    users = list(session.scalars(select(User).order_by(User.id)))
    emails = {u.id: u.email for u in users}
    jurisdictions = list(session.scalars(select(Jurisdiction).order_by(Jurisdiction.id)))
    slugs = {j.id: j.slug for j in jurisdictions}
    return {
        "schema": SCHEMA,
        "password_hashes": password_hashes,
        "jurisdictions": [{
            "slug": j.slug, "name": j.name, "kind": j.kind, "fips": j.fips, "county": j.county,
            "allocation_estimate": None if j.allocation_estimate is None
            else format(j.allocation_estimate, "f"),
            "allocation_basis": j.allocation_basis, "allocation_source": j.allocation_source,
        } for j in jurisdictions],
        "users": [{
            "email": u.email, "is_admin": u.is_admin, "active": u.active,
            "created_at": _time(u.created_at),
            **({"password_hash": u.password_hash} if password_hashes else {}),
        } for u in users],
        "memberships": [{"email": emails[m.user_id], "jurisdiction": slugs[m.jurisdiction_id],
                         "role": m.role}
                        for m in session.scalars(select(Membership).order_by(Membership.id))],
        "plans": [{
            "jurisdiction": slugs[p.jurisdiction_id], "name": p.name, "status": p.status,
            "adopted_on": p.adopted_on.isoformat() if p.adopted_on else None,
            "document": p.document, "version": p.version,
            "created_at": _time(p.created_at), "updated_at": _time(p.updated_at),
            "created_by": emails.get(p.created_by_id),
            "deleted_at": _time(p.deleted_at),  # a deleted plan is kept for the record
            "history": [{
                "user": c.user_email, "at": _time(c.at), "action": c.action, "path": c.path,
                "old_value": c.old_value, "new_value": c.new_value,
            } for c in p.changes],
        } for p in session.scalars(select(PlanRecord).order_by(PlanRecord.id))],
    }


def restore(session: Session, data: Any) -> dict[str, int]:
    """Load a backup into an empty database (no accounts, no plans)."""
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise BackupError(f"not a {SCHEMA} file")
    if session.scalar(select(func.count(User.id))) or session.scalar(
            select(func.count(PlanRecord.id))):
        raise BackupError("the database already has accounts or plans: restore into an "
                          "empty database")
    places: dict[str, Jurisdiction] = {j.slug: j for j in session.scalars(select(Jurisdiction))}
    for row in data["jurisdictions"]:
        place = places.get(row["slug"]) or Jurisdiction(slug=row["slug"])
        place.name, place.kind, place.fips, place.county = (row["name"], row["kind"],
                                                            row["fips"], row["county"])
        estimate = row.get("allocation_estimate")
        place.allocation_estimate = Decimal(estimate) if estimate is not None else None
        place.allocation_basis = row.get("allocation_basis")
        place.allocation_source = row.get("allocation_source")
        session.add(place)
        places[row["slug"]] = place
    users: dict[str, User] = {}
    for row in data["users"]:
        # Without its hash an account gets an unguessable password: reset it to sign in.
        user = User(email=row["email"], is_admin=row["is_admin"], active=row["active"],
                    failed_logins=0, created_at=_parse_time(row.get("created_at")),
                    password_hash=row.get("password_hash")
                    or hash_password(secrets.token_urlsafe(32)))
        session.add(user)
        users[row["email"]] = user
    session.flush()
    for row in data["memberships"]:
        session.add(Membership(user=users[row["email"]], jurisdiction=places[row["jurisdiction"]],
                               role=row["role"]))
    for row in data["plans"]:
        creator = users.get(row.get("created_by") or "")
        record = PlanRecord(
            jurisdiction=places[row["jurisdiction"]], name=row["name"], status=row["status"],
            adopted_on=dt.date.fromisoformat(row["adopted_on"]) if row["adopted_on"] else None,
            document=row["document"], version=row["version"],
            created_at=_parse_time(row["created_at"]), updated_at=_parse_time(row["updated_at"]),
            created_by_id=creator.id if creator else None,
            deleted_at=_parse_time(row.get("deleted_at")))
        session.add(record)
        for change in row["history"]:
            author = users.get(change["user"] or "")
            session.add(PlanChange(
                plan=record, user_id=author.id if author else None, user_email=change["user"],
                at=_parse_time(change["at"]), action=change["action"], path=change["path"],
                old_value=change["old_value"], new_value=change["new_value"]))
    session.flush()
    return {"jurisdictions": len(data["jurisdictions"]), "users": len(users),
            "plans": len(data["plans"])}
