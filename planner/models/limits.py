"""Rate-limit counters kept in the app's database, shared by every process and host."""

from __future__ import annotations

from sqlalchemy import Float, Integer, Text
from sqlalchemy.orm import Mapped, mapped_column

from planner.extensions import Base


class RateLimitCounter(Base):
    """One fixed window of one limit (Flask-Limiter's key: limit, client, endpoint)."""

    __tablename__ = "rate_limits"

    key: Mapped[str] = mapped_column(Text, primary_key=True)
    hits: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[float] = mapped_column(Float, index=True)  # seconds since the epoch
