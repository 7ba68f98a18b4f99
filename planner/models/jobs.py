"""Long work done off the request (issue 20 M1/M2): one row per piece of work, keyed by the
exact content it depends on. The queue (planner.services.jobs) only rings the worker; the row
is what every web worker reads: its state, then its result."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from planner.extensions import Base
from planner.models.base import utcnow


class Job(Base):
    """`key` is the SHA-256 of the job's kind and every input it reads (the plan version's
    text with its actuals and ranges, the status, the as-of date…): a changed input is
    another key, so a result is never served for content it was not computed from."""

    __tablename__ = "jobs"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    plan_id: Mapped[int | None] = mapped_column(Integer, index=True)
    jurisdiction_id: Mapped[int | None] = mapped_column(Integer, index=True)
    state: Mapped[str] = mapped_column(String(10), default="queued")  # queued running done failed
    progress: Mapped[int] = mapped_column(Integer, default=0)  # percent, while running
    error: Mapped[str | None] = mapped_column(String(500))
    spec: Mapped[str] = mapped_column(Text)  # JSON: the function, its arguments, what it needs
    body: Mapped[bytes | None] = mapped_column(LargeBinary)  # the result, once done
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
