"""The 117 local governments that receive settlement funds directly (MOA §B.4.a)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from planner.extensions import Base


class Jurisdiction(Base):
    __tablename__ = "jurisdictions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(16))  # county | municipality
    fips: Mapped[str | None] = mapped_column(String(5))
    county: Mapped[str | None] = mapped_column(String(120))
    allocation_estimate: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    allocation_basis: Mapped[str | None] = mapped_column(Text)
    allocation_source: Mapped[str | None] = mapped_column(Text)
