"""Who may see and change what: the one place the web layer decides.

`authorize_request` runs before every request. It sends anonymous visitors to sign in; makes
a jurisdiction a user is not a member of (and its plans) not exist for them (404); refuses
every change to a viewer (403) — a change being any request that is not a GET of a read-only
page — and every change to an adopted plan but cloning it (403). New routes are covered
without listing them: only read-only pages are named here.
"""

from __future__ import annotations

import dataclasses

from flask import abort, g, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import select

from planner.extensions import db
from planner.models import Jurisdiction, PlanRecord
from planner.services.accounts import role_in

# Endpoints anyone may reach without signing in.
# The statewide view shows a visitor only what is public (services/statewide.py).
PUBLIC_ENDPOINTS = frozenset(
    {
        "auth.sign_in",
        "static",
        "health.healthz",
        "statewide.page",
        "statewide.export_csv",
        # published adopted plans, their files, the index and the schemas (issue 24)
        "public.index",
        "public.index_json",
        "public.page",
        "public.fund_chart",
        "public.document",
        "public.report_pdf",
        "public.schema",
    }
)
# Pages that only read (GET): a viewer may use them. Everything else is a change.
READ_ONLY_ENDPOINTS = frozenset(
    {
        "jurisdictions.index",
        "jurisdictions.show",
        "plans.show",
        "plans.chart",
        "plans.export_json",
        "plans.history",
        "options.page",
        "uncertainty.chart",
        "reports.report_pdf",
        "reports.export_xlsx",
        "reports.export_csv",
        "reports.resolution",
        "reports.ordinance",
        "reports.board_packet_zip",
        "reports.compare_page",
        "reports.compare_chart",
        "reports.compare_pdf",
        "account.password",
        "admin.users",
        "admin.user",
        "admin.actions",
        "admin.deleted",
        "admin.deleted_history",
        "actuals.index",
        "actuals.history",
        "actuals.template_csv",
        "actuals.fy",
        "actuals.exhibit_e",
        "actuals.exhibit_f",
        "funding.page",
        "funding.shared",
    }
)
# What a state-level analyst may still post: signing out and their own password. Every
# other change is refused (403) wherever it is, whatever the analyst's memberships.
ANALYST_OWN = frozenset({"auth.sign_out", "account.password"})
# Changes allowed on an adopted plan: it can be cloned into a new draft, and its public page
# published or withdrawn (issue 24).
ADOPTED_CHANGES = frozenset({"plans.clone", "public.publish", "public.withdraw"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclasses.dataclass(frozen=True)
class Access:
    """What `authorize_request` found for the request: the jurisdiction of its `<slug>`,
    the user's role there and the plan of its `<plan_id>` (None for none)."""

    slug: str
    jurisdiction: Jurisdiction
    role: str
    record: PlanRecord | None


def authorize_request():
    endpoint = request.endpoint
    if endpoint in PUBLIC_ENDPOINTS or endpoint is None:
        return None
    if not current_user.is_authenticated:
        return redirect(url_for("auth.sign_in", next=request.full_path.rstrip("?")))
    change = request.method not in SAFE_METHODS or endpoint not in READ_ONLY_ENDPOINTS
    if change and is_analyst(current_user) and endpoint not in ANALYST_OWN:
        abort(403)  # an analyst reads everything and changes nothing
    if endpoint.startswith("admin.") and not current_user.is_admin:
        abort(404)
    args = request.view_args or {}
    if "slug" in args:
        jurisdiction, role = _jurisdiction_or_404(args["slug"])
        record = _plan_or_404(jurisdiction, args["plan_id"]) if "plan_id" in args else None
        if (
            change
            and record is not None
            and record.status == "adopted"
            and endpoint not in ADOPTED_CHANGES
        ):
            abort(403)
        if change:
            require_editor(role)
        g.access = Access(args["slug"], jurisdiction, role, record)
    return None


def _jurisdiction_or_404(slug: str) -> tuple[Jurisdiction, str]:
    found = db.session.scalar(select(Jurisdiction).where(Jurisdiction.slug == slug))
    role = role_in(current_user, found) if found is not None else None
    if found is None or role is None:
        abort(404)
    return found, role


def _plan_or_404(jurisdiction: Jurisdiction, plan_id: int) -> PlanRecord:
    record = db.session.get(PlanRecord, plan_id)
    if record is None or record.jurisdiction_id != jurisdiction.id or record.deleted_at is not None:
        abort(404)
    return record


def _decided(slug: str) -> Access | None:
    """The request's decision, when it is about this jurisdiction."""
    access = g.get("access")
    return access if access is not None and access.slug == slug else None


def jurisdiction_or_404(slug: str) -> tuple[Jurisdiction, str]:
    """The jurisdiction and the user's role in it, or 404: for the request's own `<slug>`,
    what `authorize_request` found (no second look-up)."""
    access = _decided(slug)
    return (access.jurisdiction, access.role) if access else _jurisdiction_or_404(slug)


def plan_or_404(slug: str, plan_id: int, *, change: bool = False) -> tuple[PlanRecord, str]:
    """A plan of a jurisdiction the user belongs to; with `change`, one they may edit. For
    the request's own plan, what `authorize_request` found and decided."""
    access = _decided(slug)
    if access is not None and access.record is not None and access.record.id == plan_id:
        record, role = access.record, access.role
    else:
        jurisdiction, role = jurisdiction_or_404(slug)
        record = _plan_or_404(jurisdiction, plan_id)
    if change:
        require_editor(role)
    return record, role


def is_analyst(user) -> bool:
    """A state-level analyst (not an administrator): reads every government, changes
    nothing."""
    return bool(getattr(user, "is_analyst", False)) and not getattr(user, "is_admin", False)


def require_editor(role: str) -> None:
    if role not in ("editor", "admin"):
        abort(403)


def can_edit(role: str) -> bool:
    return role in ("editor", "admin")
