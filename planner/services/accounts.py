"""Accounts, memberships and who may see or change what."""

from __future__ import annotations

import datetime as dt
import re
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from planner.models import Jurisdiction, Membership, User
from planner.models.base import utcnow

EMAIL = re.compile(r"^[^@\s\x00-\x1f\x7f]+@[^@\s\x00-\x1f\x7f]+\.[^@\s\x00-\x1f\x7f]+$")
MIN_PASSWORD = 10


class AccountError(ValueError):
    """A request about accounts that cannot be carried out; the message says why."""


def hash_password(password: str) -> str:
    return generate_password_hash(password)  # scrypt (Werkzeug's current default)


def check_password(user: User, password: str) -> bool:
    return check_password_hash(user.password_hash, password)


def generate_password() -> str:
    return secrets.token_urlsafe(12)


def find_user(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == email.strip().lower()))


def create_user(session: Session, email: str, password: str, *, is_admin: bool = False) -> User:
    email = email.strip().lower()
    if not EMAIL.match(email):
        raise AccountError(f"'{email}' is not an email address")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password must have at least {MIN_PASSWORD} characters")
    if find_user(session, email):
        raise AccountError(f"an account for {email} already exists")
    user = User(email=email, password_hash=hash_password(password), is_admin=is_admin,
                active=True, failed_logins=0)
    session.add(user)
    session.flush()
    return user


def set_password(user: User, password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password must have at least {MIN_PASSWORD} characters")
    user.password_hash = hash_password(password)


def set_membership(session: Session, user: User, jurisdiction: Jurisdiction, role: str) -> None:
    if role not in ("editor", "viewer"):
        raise AccountError(f"role must be editor or viewer, not '{role}'")
    membership = session.scalar(select(Membership).where(
        Membership.user_id == user.id, Membership.jurisdiction_id == jurisdiction.id))
    if membership is None:
        session.add(Membership(user=user, jurisdiction=jurisdiction, role=role))
    else:
        membership.role = role
    session.flush()


def role_in(user: User, jurisdiction: Jurisdiction) -> str | None:
    """'admin', 'editor', 'viewer' or None (not a member)."""
    if user.is_admin:
        return "admin"
    for membership in user.memberships:
        if membership.jurisdiction_id == jurisdiction.id:
            return membership.role
    return None


def visible_jurisdictions(session: Session, user: User) -> list[Jurisdiction]:
    query = select(Jurisdiction).order_by(Jurisdiction.kind, Jurisdiction.name)
    if not user.is_admin:
        query = query.join(Membership).where(Membership.user_id == user.id)
    return list(session.scalars(query))


def authenticate(session: Session, email: str, password: str, *, max_failures: int,
                 lock_seconds: int, now: dt.datetime | None = None) -> User:
    """The user, or AccountError. After `max_failures` wrong passwords in a row the account
    is locked for `lock_seconds`, even for the right password."""
    now = now or utcnow()
    user = find_user(session, email)
    if user is None:
        check_password_hash(hash_password("x" * MIN_PASSWORD), password)  # same time either way
        raise AccountError("Wrong email or password.")
    locked = user.locked_until
    if locked is not None and locked.tzinfo is None:
        locked = locked.replace(tzinfo=dt.UTC)  # SQLite returns naive datetimes
    if locked is not None and locked > now:
        raise AccountError("Too many failed sign-ins: try again in a few minutes.")
    if not check_password(user, password):
        user.failed_logins = (user.failed_logins or 0) + 1
        if user.failed_logins >= max_failures:
            user.locked_until = now + dt.timedelta(seconds=lock_seconds)
            user.failed_logins = 0
        raise AccountError("Wrong email or password.")
    if not user.active:
        raise AccountError("This account is deactivated; ask an administrator.")
    user.failed_logins = 0
    user.locked_until = None
    return user


def remove_membership(session: Session, user: User, jurisdiction: Jurisdiction) -> None:
    membership = session.scalar(select(Membership).where(
        Membership.user_id == user.id, Membership.jurisdiction_id == jurisdiction.id))
    if membership is not None:
        session.delete(membership)
        session.flush()


def change_own_password(user: User, current: str, new: str) -> None:
    if not check_password(user, current):
        raise AccountError("The current password is wrong.")
    set_password(user, new)


def all_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.email)))
