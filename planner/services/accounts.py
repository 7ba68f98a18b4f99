"""Accounts, memberships and who may see or change what."""

from __future__ import annotations

import datetime as dt
import functools
import re
import secrets
from typing import Any, cast

from sqlalchemy import CursorResult, case, literal, or_, select, true, update
from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

from planner.models import AdminAction, Jurisdiction, Membership, User
from planner.models.base import utcnow
from planner.services import DbSession

EMAIL = re.compile(r"^[^@\s\x00-\x1f\x7f]+@[^@\s\x00-\x1f\x7f]+\.[^@\s\x00-\x1f\x7f]+$")
MAX_EMAIL = 254  # RFC 5321's longest path; the users.email column
MIN_PASSWORD = 12  # ASVS 4.0.3 2.1.1
MAX_PASSWORD = 200
# zxcvbn's score: 3 is "safely unguessable" (at least 10^8 guesses). It refuses the common
# passwords of its shipped lists, keyboard walks, sequences, repeats and the email itself.
MIN_PASSWORD_SCORE = 3
_ZXCVBN_MAX = 72  # zxcvbn judges at most 72 characters; a longer password by its first 72
WRONG = "Wrong email or password."


class AccountError(ValueError):
    """A request about accounts that cannot be carried out; the message says why."""


class SignInRefused(AccountError):
    """A refused sign-in. The message is the same for an unknown email, a wrong password
    and a locked account; `reason` (unknown, wrong, locked, deactivated) is for the log."""

    def __init__(self, reason: str, message: str = WRONG):
        self.reason = reason
        super().__init__(message)


# Words a guesser tries first on this site (ASVS 2.1.7, NIST 800-63B 5.1.1.2 "context-
# specific words"): the service's own name and subject, the seasons and months.
SITE_WORDS = ("planner", "lead", "program", "plan", "opioid", "settlement", "diversion")
SEASONS_AND_MONTHS = (
    "spring", "summer", "autumn", "fall", "winter",
    "january", "february", "march", "april", "may", "june", "july", "august",
    "september", "october", "november", "december",
)  # fmt: skip
_YEAR = re.compile(r"(19|20)\d\d")
_NOT_WORD = re.compile(r"[^0-9a-z]+")
# What must be left of a password once its context words, seasons, months and years are
# taken out: a password such as "OrangeCounty2026" or "Summer2026!!" leaves nothing.
MIN_PASSWORD_REMAINDER = 6


@functools.cache
def _government_words() -> tuple[str, ...]:
    """The 117 governments' names, whole ("orangecounty") and word by word ("orange")."""
    from planner.cost_tables import default_cost_tables

    words: set[str] = set()
    for place in default_cost_tables().jurisdictions:
        name = place.name.lower()
        words.add(_NOT_WORD.sub("", name))
        words.update(word for word in _NOT_WORD.split(name) if len(word) >= 3)
    return tuple(sorted(words))


def context_words(email: str = "") -> list[str]:
    """The words a password must not be built from: the governments' names, the site's
    name, the account's email and its parts."""
    email = email.strip().lower()
    own = [email, *(part for part in _NOT_WORD.split(email) if len(part) >= 3)] if email else []
    return [*own, *SITE_WORDS, *_government_words()]


def _remainder(password: str, words: list[str]) -> str:
    """The password without its context words, seasons, months, years and separators."""
    rest = _YEAR.sub(" ", password.lower())
    for word in sorted({*words, *SEASONS_AND_MONTHS}, key=len, reverse=True):
        if word:
            rest = rest.replace(word, " ")
    return _NOT_WORD.sub("", rest)


def password_problem(password: str, email: str = "") -> str | None:
    """Why a new password is refused (None: it is acceptable). No composition rules: a
    length, and a check against common, repetitive and guessable passwords, and against
    passwords built of the context: a government's name, the site's name, the email, a
    season or month and a year."""
    if len(password) < MIN_PASSWORD:
        return f"the password must have at least {MIN_PASSWORD} characters"
    if len(password) > MAX_PASSWORD:
        return f"the password must have at most {MAX_PASSWORD} characters"
    words = context_words(email)
    if len(_remainder(password, words)) < MIN_PASSWORD_REMAINDER:
        return (
            "the password is too easy to guess: it is made of a place's or this site's "
            "name, your email, a season or month and a year. Use a few unrelated words "
            "or a password manager's random password"
        )
    result = zxcvbn(password[:_ZXCVBN_MAX], user_inputs=words)
    if result["score"] >= MIN_PASSWORD_SCORE:
        return None
    warning = result["feedback"].get("warning") or "It is too easy to guess."
    return (
        f"the password is too easy to guess: {warning.rstrip('.')}. "
        "Use a few unrelated words or a password manager's random password"
    )


def _check_new_password(password: str, email: str) -> None:
    problem = password_problem(password, email)
    if problem:
        raise AccountError(problem)


# scrypt with N = 2^15, r = 8, p = 1 (Werkzeug's default, OWASP's minimum for scrypt). The
# tests lower N for their own accounts (tests/conftest.py); tests/test_password_cost.py
# proves that the app, run as shipped, hashes with these parameters.
PASSWORD_HASH_METHOD = "scrypt:32768:8:1"  # noqa: S105 - a method, not a password


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=PASSWORD_HASH_METHOD)


def check_password(user: User, password: str) -> bool:
    return check_password_hash(user.password_hash, password)


def generate_password() -> str:
    while True:  # 16 random characters; the loop only guards against a freak weak draw
        password = secrets.token_urlsafe(12)
        if password_problem(password) is None:
            return password


@functools.cache
def _dummy_hash() -> str:
    """A hash of a random password, made once per process: an unknown email or a locked
    account costs the same one scrypt as a wrong password."""
    return hash_password(secrets.token_urlsafe(16))


def _dummy_check(password: str) -> None:
    check_password_hash(_dummy_hash(), password)


def find_user(session: DbSession, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == email.strip().lower()))


def create_user(
    session: DbSession,
    email: str,
    password: str,
    *,
    is_admin: bool = False,
    is_analyst: bool = False,
) -> User:
    email = email.strip().lower()
    if len(email) > MAX_EMAIL:
        raise AccountError(f"an email address has at most {MAX_EMAIL} characters")
    if not EMAIL.match(email):
        raise AccountError(f"'{email}' is not an email address")
    _check_new_password(password, email)
    if find_user(session, email):
        raise AccountError(f"an account for {email} already exists")
    user = User(
        email=email,
        password_hash=hash_password(password),
        is_admin=is_admin,
        is_analyst=is_analyst,
        active=True,
        failed_logins=0,
    )
    session.add(user)
    session.flush()
    return user


def set_password(user: User, password: str) -> None:
    """A new password ends every session of the account and clears its sign-in lock."""
    _check_new_password(password, user.email)
    user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    user.end_sessions()


def set_membership(session: DbSession, user: User, jurisdiction: Jurisdiction, role: str) -> None:
    if role not in ("editor", "viewer"):
        raise AccountError(f"role must be editor or viewer, not '{role}'")
    membership = session.scalar(
        select(Membership).where(
            Membership.user_id == user.id, Membership.jurisdiction_id == jurisdiction.id
        )
    )
    if membership is None:
        session.add(Membership(user=user, jurisdiction=jurisdiction, role=role))
    else:
        membership.role = role
    session.flush()


def role_in(user: User, jurisdiction: Jurisdiction) -> str | None:
    """'admin', 'editor', 'viewer', 'analyst' or None (not a member)."""
    if user.is_admin:
        return "admin"
    if user.is_analyst:  # reads every government, changes nothing (issue 24)
        return "analyst"
    for membership in user.memberships:
        if membership.jurisdiction_id == jurisdiction.id:
            return membership.role
    return None


def visible_jurisdictions(session: DbSession, user: User) -> list[Jurisdiction]:
    query = select(Jurisdiction).order_by(Jurisdiction.kind, Jurisdiction.name)
    if not (user.is_admin or user.is_analyst):
        query = query.join(Membership).where(Membership.user_id == user.id)
    return list(session.scalars(query))


def lock_delay(
    failures: int, *, max_failures: int, lock_seconds: int, lock_max_seconds: int
) -> dt.timedelta:
    """How long an account waits after its `failures`-th failure in a row: nothing before
    `max_failures`, then `lock_seconds`, doubling with each further failure up to
    `lock_max_seconds`."""
    if failures < max_failures:
        return dt.timedelta(0)
    doublings = min(failures - max_failures, 20)
    return dt.timedelta(seconds=min(lock_seconds * 2**doublings, lock_max_seconds))


def authenticate(
    session: DbSession,
    email: str,
    password: str,
    *,
    max_failures: int,
    lock_seconds: int,
    lock_max_seconds: int,
    trusted_user_id: int | None = None,
    now: dt.datetime | None = None,
) -> User:
    """The user, or SignInRefused.

    Each attempt on an account is counted *before* its password is checked, by one UPDATE
    that adds 1 to `failed_logins` only if the account is not waiting out a lock; the
    count is committed at once, so parallel guesses are all counted and none is checked
    while the account is locked. After `max_failures` failures in a row the account waits
    `lock_delay`; a right password clears the count. An attempt from a browser that signed
    in to this account before (`trusted_user_id`, from its device cookie) does not wait:
    a stranger's failures slow the stranger, not the owner.

    Commits the session (the attempt must be counted before the slow password check)."""
    now = now or utcnow()
    user = find_user(session, email)
    if user is None:
        _dummy_check(password)
        raise SignInRefused("unknown")
    user_id = user.id
    # The wait this failure would start; from a count read just now, so under a race it
    # may be shorter than due, but never shorter than `lock_seconds`.
    delay = lock_delay(
        max((user.failed_logins or 0) + 1, max_failures),
        max_failures=max_failures,
        lock_seconds=lock_seconds,
        lock_max_seconds=lock_max_seconds,
    )
    open_now = (
        true()
        if trusted_user_id == user_id
        else or_(
            User.failed_logins < max_failures, User.locked_until.is_(None), User.locked_until <= now
        )
    )
    counted = cast(
        CursorResult[Any],
        session.execute(  # an UPDATE: a CursorResult
            update(User)
            .where(User.id == user_id, open_now)
            .values(
                failed_logins=User.failed_logins + 1,
                locked_until=case(
                    (
                        User.failed_logins + 1 >= max_failures,
                        literal(now + delay, User.locked_until.type),
                    ),
                    else_=User.locked_until,
                ),
            )
            .execution_options(synchronize_session=False)
        ),
    )
    session.commit()
    if counted.rowcount != 1:
        _dummy_check(password)
        raise SignInRefused("locked")
    user = session.get_one(User, user_id)
    if not check_password(user, password):
        raise SignInRefused("wrong")
    if not user.active:
        raise SignInRefused("deactivated", "This account is deactivated; ask an administrator.")
    session.execute(
        update(User)
        .where(User.id == user_id)
        .values(failed_logins=0, locked_until=None)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    session.refresh(user)
    return user


def record_admin_action(
    session: DbSession, actor: User | None, action: str, target: User, detail: str = ""
) -> None:
    """Note an administrator's action on an account (actor None: the command line)."""
    session.add(
        AdminAction(
            actor_id=actor.id if actor else None,
            actor_email=actor.email if actor else None,
            action=action,
            target_id=target.id,
            target_email=target.email,
            detail=detail,
            at=utcnow(),
        )
    )


def admin_actions(
    session: DbSession, target: User | None = None, limit: int = 500
) -> list[AdminAction]:
    query = select(AdminAction).order_by(AdminAction.id.desc()).limit(limit)
    if target is not None:
        query = query.where(AdminAction.target_id == target.id)
    return list(session.scalars(query))


def remove_membership(session: DbSession, user: User, jurisdiction: Jurisdiction) -> None:
    membership = session.scalar(
        select(Membership).where(
            Membership.user_id == user.id, Membership.jurisdiction_id == jurisdiction.id
        )
    )
    if membership is not None:
        session.delete(membership)
        session.flush()


def change_own_password(user: User, current: str, new: str) -> None:
    """Ends every session of the account: the caller signs the current one in again."""
    if not check_password(user, current):
        raise AccountError("The current password is wrong.")
    set_password(user, new)


def all_users(session: DbSession) -> list[User]:
    return list(session.scalars(select(User).order_by(User.email)))
