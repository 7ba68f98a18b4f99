"""Who may see and change what: the one place the web layer asks.

A jurisdiction a user is not a member of does not exist for them (404); a viewer who tries
to change something is refused (403).
"""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from planner.extensions import db
from planner.models import Jurisdiction, PlanRecord
from planner.services.accounts import role_in


def jurisdiction_or_404(slug: str) -> tuple[Jurisdiction, str]:
    """The jurisdiction and the user's role in it, or 404."""
    found = db.session.scalar(select(Jurisdiction).where(Jurisdiction.slug == slug))
    role = role_in(current_user, found) if found is not None else None
    if found is None or role is None:
        abort(404)
    return found, role


def plan_or_404(slug: str, plan_id: int, *, change: bool = False) -> tuple[PlanRecord, str]:
    """A plan of a jurisdiction the user belongs to; with `change`, one they may edit."""
    jurisdiction, role = jurisdiction_or_404(slug)
    record = db.session.get(PlanRecord, plan_id)
    if record is None or record.jurisdiction_id != jurisdiction.id:
        abort(404)
    if change:
        require_editor(role)
    return record, role


def require_editor(role: str) -> None:
    if role not in ("editor", "admin"):
        abort(403)


def can_edit(role: str) -> bool:
    return role in ("editor", "admin")
