"""Back up and restore everything: jurisdictions, accounts and memberships, plans and their
history (`planner-backup/1`, one JSON document). Password hashes are left out unless asked
for; restored accounts without one must have their password reset.

A restore keeps the ids of accounts, plans and history entries (bookmarks and history lines
such as "cloned from plan 2" keep pointing at the same plan) and every plan's version, and
checks every row before it writes anything (`check_backup`: each plan document with the
engine, every account, membership, history entry and actuals entry by type, range and
length; every problem named by its path), so a refused restore writes nothing. Backups made
before ids were written restore with new ids.

Sessions: each account's session epoch is kept and moved on by one, so that no session
cookie signed before the restore signs anyone in afterwards (a session ended after the
backup was made cannot come back). The administrators' action log is kept.

A new table is a new section: a `backup_<name>` that writes its rows, a `check_<name>` that
appends each problem (with `backup_checks.Row`) and a `restore_<name>`, each called once
below (see `backup_actuals.py`)."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import secrets
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text, update
from sqlalchemy.exc import SQLAlchemyError

from planner.cost_tables import default_cost_tables
from planner.models import AdminAction, Jurisdiction, Membership, PlanChange, PlanRecord, User
from planner.models.accounts import ROLES
from planner.models.plans import STATUSES
from planner.scenarios import PlanError, load_plan_json, parse_plan
from planner.services import DbSession
from planner.services.accounts import EMAIL, hash_password
from planner.services.backup_actuals import (
    BackupError,
    backup_actuals,
    check_actuals,
    restore_actuals,
)
from planner.services.backup_checks import HISTORY_TEXT_MAX, ID_MAX, Problems, Row, iso_time, rows
from planner.services.backup_public import (
    Draw,
    backup_government_figures,
    backup_publications,
    check_government_figures,
    check_publications,
    restore_government_figures,
    restore_publications,
)
from planner.services.backup_sharing import backup_sharing, check_sharing, restore_sharing

SCHEMA = "planner-backup/1"


# A backup made before epochs were written: every account's epoch starts past any a cookie
# of the old database could carry.
EPOCH_UNKNOWN = 2**20
# Werkzeug's hash format: method (scrypt:N:r:p or pbkdf2:sha256:iterations), salt, hex.
_HASH = re.compile(
    r"(scrypt:\d{1,7}:\d{1,3}:\d{1,3}|pbkdf2:sha(256|512):\d{1,7})\$[^$]{1,64}\$[0-9a-f]{32,256}"
)


def read_backup(text: str) -> Any:
    """A backup file's JSON; BackupError when it is not JSON or is nested thousands deep."""
    try:
        return json.loads(text)
    except RecursionError as error:
        raise BackupError("not a backup file: nested too deeply") from error
    except ValueError as error:
        raise BackupError(f"not a backup file ({error})") from error


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
                "is_analyst": bool(u.is_analyst),
                "active": u.active,
                "created_at": iso_time(u.created_at),
                "session_epoch": u.session_epoch or 0,
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
                "created_at": iso_time(p.created_at),
                "updated_at": iso_time(p.updated_at),
                "created_by": emails.get(p.created_by_id),
                "deleted_at": iso_time(p.deleted_at),  # a deleted plan is kept for the record
                "history": [
                    {
                        "id": c.id,
                        "user": c.user_email,
                        "at": iso_time(c.at),
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
        **backup_publications(session, emails),
        **backup_government_figures(session, slugs),
        "admin_actions": [
            {
                "id": a.id,
                "at": iso_time(a.at),
                "actor_id": a.actor_id,
                "actor_email": a.actor_email,
                "action": a.action,
                "target_id": a.target_id,
                "target_email": a.target_email,
                "detail": a.detail,
            }
            for a in session.scalars(select(AdminAction).order_by(AdminAction.id))
        ],
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


def check_backup(data: dict[str, Any]) -> None:
    """Every row of a backup, checked before anything is written; raises BackupError naming
    each problem by its path (`plans[2].document.line_items[0].salary`, `users[1].email`)."""
    problems = Problems()
    slugs = _check_jurisdictions(data, problems)
    emails, user_ids = _check_users(data, problems)
    _check_memberships(data, problems, emails, slugs)
    _check_plans(data, problems, emails, slugs)
    problems += _actuals_problems(data)
    _check_admin_actions(data, problems, user_ids)
    if problems:
        raise BackupError(problems.text())


def check_plans(data: dict[str, Any]) -> None:
    """The plans of a backup alone (kept for callers that check only those)."""
    problems = Problems()
    _check_plans(data, problems, None, None)
    if problems:
        raise BackupError(problems.text())


def _actuals_problems(data: dict[str, Any]) -> list[str]:
    try:
        check_actuals(data)
    except BackupError as error:
        return [str(error)]
    return []


def _check_jurisdictions(data: dict[str, Any], problems: Problems) -> set[str]:
    slugs: set[str] = set()
    if not isinstance(data.get("jurisdictions"), list):
        problems.add("jurisdictions", "must be a list")
    for where, row in rows(data, "jurisdictions", problems):
        r = Row(where, row, problems)
        slug = r.text("slug", longest=80)
        r.unique("slug", slug, slugs, "the jurisdiction")
        r.text("name", longest=120)
        r.choice("kind", ("county", "municipality"))
        r.text("fips", longest=5, required=False)
        r.text("county", longest=120, required=False)
        for key in ("allocation_basis", "allocation_source"):
            r.text(key, longest=HISTORY_TEXT_MAX, required=False, empty=True)
        estimate = row.get("allocation_estimate")
        if estimate is not None:
            try:
                if not isinstance(estimate, str) or len(estimate) > 20:
                    raise InvalidOperation
                amount = Decimal(estimate)
                if not amount.is_finite() or abs(amount) >= 10**12:
                    raise InvalidOperation
            except InvalidOperation:
                problems.add(f"{where}.allocation_estimate", "must be an amount in dollars")
    return slugs


def _check_users(data: dict[str, Any], problems: Problems) -> tuple[set[str], set[int]]:
    emails: set[str] = set()
    ids: set[int] = set()
    if not isinstance(data.get("users"), list):
        problems.add("users", "must be a list")
    for where, row in rows(data, "users", problems):
        r = Row(where, row, problems)
        r.unique("id", r.whole("id", required=False), ids, "the account id")
        email = r.text("email", longest=254)
        if email is not None:
            if email != email.strip().lower() or not EMAIL.match(email):
                problems.add(f"{where}.email", "is not an email address in lower case")
            r.unique("email", email, emails, "the email")
        r.flag("is_admin")
        if "is_analyst" in row:  # absent from backups made before the role existed
            r.flag("is_analyst")
        r.flag("active")
        r.time("created_at")
        r.whole("session_epoch", low=0, high=ID_MAX - 1, required=False)
        digest = r.text("password_hash", longest=255, required=False)
        if digest is not None and not _HASH.fullmatch(digest):
            problems.add(f"{where}.password_hash", "is not a password hash this app writes")
    return emails, ids


def _check_memberships(
    data: dict[str, Any], problems: Problems, emails: set[str], slugs: set[str]
) -> None:
    seen: set[tuple[str, str]] = set()
    for where, row in rows(data, "memberships", problems):
        r = Row(where, row, problems)
        email = r.text("email", longest=254)
        if email is not None and email not in emails:
            problems.add(f"{where}.email", "is not an account of the backup")
        slug = r.text("jurisdiction", longest=80)
        if slug is not None and slug not in slugs:
            problems.add(f"{where}.jurisdiction", "is not a jurisdiction of the backup")
        r.choice("role", ROLES)
        r.unique("jurisdiction", (email, slug), seen, "the membership")


def _check_plans(
    data: dict[str, Any], problems: Problems, emails: set[str] | None, slugs: set[str] | None
) -> None:
    tables = default_cost_tables()
    limits = tables.limits
    low, high = (limits.date_year_min, limits.date_year_max) if limits else (1900, 2100)
    plan_ids: set[int] = set()
    change_ids: set[int] = set()
    if not isinstance(data.get("plans"), list):
        problems.add("plans", "must be a list")
    for where, row in rows(data, "plans", problems):
        r = Row(where, row, problems)
        r.unique("id", r.whole("id", required=False), plan_ids, "the plan id")
        r.whole("version")
        status = r.choice("status", STATUSES)
        r.date("adopted_on", low=low, high=high)
        if status == "adopted" and row.get("adopted_on") is None:
            problems.add(f"{where}.adopted_on", "an adopted plan needs its adoption date")
        r.text("name", longest=200)
        slug = r.text("jurisdiction", longest=80)
        if slugs is not None and slug is not None and slug not in slugs:
            problems.add(f"{where}.jurisdiction", "is not a jurisdiction of the backup")
        creator = r.text("created_by", longest=254, required=False)
        if emails is not None and creator is not None and creator not in emails:
            problems.add(f"{where}.created_by", "is not an account of the backup")
        for key in ("created_at", "updated_at", "deleted_at"):
            r.time(key)
        history = row.get("history", [])
        if not isinstance(history, list):
            problems.add(f"{where}.history", "must be a list")
            history = []
        for index, change in enumerate(history):
            at = f"{where}.history[{index}]"
            if not isinstance(change, dict):
                problems.add(at, "must be an object")
                continue
            c = Row(at, change, problems)
            c.unique("id", c.whole("id", required=False), change_ids, "the history id")
            c.text("user", longest=254, required=False)
            c.time("at")
            c.text("action", longest=HISTORY_TEXT_MAX, empty=True)
            c.text("path", longest=HISTORY_TEXT_MAX, required=False, empty=True)
            for key in ("old_value", "new_value"):
                c.text(key, longest=HISTORY_TEXT_MAX, required=False, empty=True)
        document = row.get("document")
        if not isinstance(document, str):
            problems.add(f"{where}.document", "missing")
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


def _check_admin_actions(data: dict[str, Any], problems: Problems, user_ids: set[int]) -> None:
    ids: set[int] = set()
    for where, row in rows(data, "admin_actions", problems):
        r = Row(where, row, problems)
        r.unique("id", r.whole("id", required=False), ids, "the action id")
        r.time("at", required=True)
        for key in ("actor_id", "target_id"):
            number = r.whole(key, required=False)
            if number is not None and number not in user_ids:
                problems.add(f"{where}.{key}", "is not an account id of the backup")
        r.text("actor_email", longest=254, required=False)
        r.text("action", longest=40)
        r.text("target_email", longest=254)
        r.text("detail", longest=HISTORY_TEXT_MAX, required=False, empty=True)


def restore(session: DbSession, data: Any, *, draw: Draw | None = None) -> dict[str, int]:
    """Load a backup into an empty database (no accounts, no plans): every row checked
    first; all of it or nothing (the caller rolls back on BackupError). `draw` draws the
    public pages the backup names (`backup_public`); without it none is published."""
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise BackupError(f"not a {SCHEMA} file")
    if session.scalar(select(func.count(User.id))) or session.scalar(
        select(func.count(PlanRecord.id))
    ):
        raise BackupError(
            "the database already has accounts or plans: restore into an empty database"
        )
    check_backup(data)
    check_sharing(data)
    check_publications(data)
    check_government_figures(data)
    try:
        counts = _write(session, data)
        session.flush()
        counts["publications"], counts["publications_pending"] = restore_publications(
            session, data, draw
        )
    except SQLAlchemyError as error:  # checked above; a database's own limit, named
        raise BackupError(
            f"the database refused a row ({type(error).__name__}: {error})"
        ) from error
    return counts


def _write(session: DbSession, data: dict[str, Any]) -> dict[str, int]:
    places: dict[str, Jurisdiction] = {j.slug: j for j in session.scalars(select(Jurisdiction))}
    for row in data["jurisdictions"]:
        place = places.get(row["slug"]) or Jurisdiction(slug=row["slug"])
        place.name, place.kind, place.fips, place.county = (
            row["name"],
            row["kind"],
            row.get("fips"),
            row.get("county"),
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
        epoch = row.get("session_epoch")
        user = User(
            id=row.get("id"),
            email=row["email"],
            is_admin=row["is_admin"],
            is_analyst=bool(row.get("is_analyst")),
            active=row["active"],
            failed_logins=0,
            created_at=_parse_time(row.get("created_at")),
            password_hash=row.get("password_hash") or hash_password(secrets.token_urlsafe(32)),
            # moved on: no cookie of the backed-up database signs anyone in here
            session_epoch=EPOCH_UNKNOWN if epoch is None else epoch + 1,
        )
        session.add(user)
        users[row["email"]] = user
    session.flush()
    for row in data.get("memberships") or []:
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
            adopted_on=dt.date.fromisoformat(row["adopted_on"]) if row.get("adopted_on") else None,
            document=row["document"],
            version=row["version"],
            created_at=_parse_time(row.get("created_at")),
            updated_at=_parse_time(row.get("updated_at")),
            created_by_id=creator.id if creator else None,
            deleted_at=_parse_time(row.get("deleted_at")),
        )
        session.add(record)
        versions.append((record, row["version"]))
        for change in row.get("history") or []:
            author = users.get(change.get("user") or "")
            session.add(
                PlanChange(
                    id=change.get("id"),
                    plan=record,
                    user_id=author.id if author else None,
                    user_email=change.get("user"),
                    at=_parse_time(change.get("at")),
                    action=change["action"],
                    path=change.get("path") or "",
                    old_value=change.get("old_value"),
                    new_value=change.get("new_value"),
                )
            )
    restore_actuals(session, data, places)
    for row in data.get("admin_actions") or []:
        session.add(
            AdminAction(
                id=row.get("id"),
                at=_parse_time(row["at"]),
                actor_id=row.get("actor_id"),
                actor_email=row.get("actor_email"),
                action=row["action"],
                target_id=row.get("target_id"),
                target_email=row["target_email"],
                detail=row.get("detail") or "",
            )
        )
    session.flush()
    restore_sharing(session, data, places)  # after the plans it names
    restore_government_figures(session, data, places)
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
        "admin_actions": len(data.get("admin_actions") or []),
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
        "admin_actions",
    ):
        session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608 - fixed names
                f"COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM {table}"
            )
        )
