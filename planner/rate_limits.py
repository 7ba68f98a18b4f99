"""A `limits` storage in the app's own database (`PLANNER_RATELIMIT_STORAGE_URI=planner+db://`):
one counter row per fixed window, incremented by one atomic INSERT … ON CONFLICT DO UPDATE,
so every gunicorn worker, and every host sharing a PostgreSQL database, counts together.
Only the sign-in form is limited, so it writes a row only on sign-in attempts."""

from __future__ import annotations

import random
import time

from limits.storage import Storage
from sqlalchemy import case, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from planner.models import RateLimitCounter

TABLE = RateLimitCounter.metadata.tables[RateLimitCounter.__tablename__]
PURGE_CHANCE = 0.02  # now and then an increment also removes windows that have ended


def _engine():
    from planner.extensions import db  # the app's engine: the limiter runs in a request

    return db.engine


class DatabaseStorage(Storage):
    STORAGE_SCHEME = ["planner+db"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    @property
    def base_exceptions(self) -> type[Exception]:
        return SQLAlchemyError

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        now = time.time()
        engine = _engine()
        insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
        ended = TABLE.c.expires_at <= now
        row = insert(TABLE).values(key=key, hits=amount, expires_at=now + expiry)
        statement = row.on_conflict_do_update(
            index_elements=[TABLE.c.key],
            set_={
                "hits": case((ended, amount), else_=TABLE.c.hits + amount),
                "expires_at": case((ended, now + expiry), else_=TABLE.c.expires_at),
            },
        ).returning(TABLE.c.hits)
        with engine.begin() as connection:
            hits = connection.execute(statement).scalar_one()
            if random.random() < PURGE_CHANCE:  # noqa: S311 - not for security
                connection.execute(delete(TABLE).where(TABLE.c.expires_at < now))
        return int(hits)

    def _row(self, key: str):
        with _engine().connect() as connection:
            return connection.execute(
                select(TABLE.c.hits, TABLE.c.expires_at).where(TABLE.c.key == key)
            ).first()

    def get(self, key: str) -> int:
        row = self._row(key)
        return int(row.hits) if row is not None and row.expires_at > time.time() else 0

    def get_expiry(self, key: str) -> float:
        row = self._row(key)
        now = time.time()
        return float(row.expires_at) if row is not None and row.expires_at > now else now

    def check(self) -> bool:
        try:
            self._row("")
        except SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        with _engine().begin() as connection:
            return connection.execute(delete(TABLE)).rowcount

    def clear(self, key: str) -> None:
        with _engine().begin() as connection:
            connection.execute(delete(TABLE).where(TABLE.c.key == key))
