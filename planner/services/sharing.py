"""Programs shared between governments (cost model §17).

The lead's editor shares a plan's program with a partner: the partner becomes a funding
source of kind `partner` on the lead plan, paying its share of the lines it joins. The
partner's editors see the invitation on their government's page and accept it into a plan
of theirs, which gets a `contribution` line. The app keeps that line's amounts equal to the
lead plan's `by_source[partner]`: rewritten whenever the lead plan is saved, and flagged
stale (FUNDING-SOURCES) with a one-click update when either side changed since.

Functions take the session and never commit: the view owns the transaction.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from planner.models import Jurisdiction, PlanRecord, SharedProgram, User
from planner.models.base import utcnow
from planner.scenarios.projection import Projection
from planner.services import DbSession
from planner.services.county import create_starting_plan
from planner.services.funding import LinePayment, new_source_id, set_source
from planner.services.plans import (
    CONTRIBUTION,
    _amounts_document,
    _contribution_line,
    _new_line_id,
    _window,
    document_of,
    lead_amounts,
    update_plan,
)
from planner.services.plans import (  # the contribution lines' sync (§17), re-exported
    ShareState as ShareState,
)
from planner.services.plans import (
    after_lead_saved as after_lead_saved,
)
from planner.services.plans import (
    shares_of_plan as shares_of_plan,
)
from planner.services.plans import (
    stale_contributions as stale_contributions,
)
from planner.services.plans import (
    state_of as state_of,
)
from planner.services.plans import (
    update_to_lead as update_to_lead,
)

NOT_LEAD_KINDS = ("other_strategy", CONTRIBUTION)


class SharingRefused(ValueError):
    """A share or an acceptance that cannot be made; the message says why (for a field)."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def is_lead_strategy(strategy: str | None) -> bool:
    """A LEAD program's strategy (§17): A:10, an Exhibit B code under B:D.1, or none."""
    return (
        strategy is None
        or strategy == "A:10"
        or strategy == "B:D.1"
        or strategy.startswith("B:D.1.")
    )


def lead_line_ids(projection: Projection) -> list[str]:
    """The plan's LEAD lines (§17): any kind but other_strategy and contribution, with a
    LEAD strategy (or none), that costs more than 0 in some plan FY."""
    return [
        line.id
        for line in projection.line_items
        if line.kind not in NOT_LEAD_KINDS and is_lead_strategy(line.strategy) and any(line.by_year)
    ]


def government(session: DbSession, slug: str) -> Jurisdiction | None:
    return session.scalar(select(Jurisdiction).where(Jurisdiction.slug == slug))


# ----------------------------------------------------------------------------- the lead


def share_program(
    session: DbSession,
    lead: PlanRecord,
    partner: Jurisdiction,
    share: Decimal,
    line_ids: list[str],
    user: User | None,
    *,
    expected_version: int | None,
) -> SharedProgram:
    """Add the partner as a funding source of the lead plan paying `share` (0–1) of each of
    `line_ids`, and invite it. Raises SharingRefused, or the engine's PlanError (nothing
    saved)."""
    if partner.id == lead.jurisdiction_id:
        raise SharingRefused("partner", "choose another government than the plan's own")
    existing = session.scalar(
        select(SharedProgram).where(
            SharedProgram.lead_plan_id == lead.id,
            SharedProgram.partner_jurisdiction_id == partner.id,
        )
    )
    if existing is not None:
        raise SharingRefused("partner", f"{partner.name} is already a partner of this plan")
    if not line_ids:
        raise SharingRefused("lines", "choose at least one line the partner pays a share of")
    found: dict[str, str] = {}

    def change(document: dict[str, Any]) -> None:
        known = {line.get("id") for line in document.get("line_items") or []}
        for line_id in line_ids:
            if line_id not in known:
                raise SharingRefused("lines", f"the plan has no line '{line_id}'")
        source_id = new_source_id(document, partner.slug)
        values = {
            "id": source_id,
            "name": f"{partner.name} (interlocal agreement)",
            "kind": "partner",
            "start": None,
            "end": None,
            "award": None,
            "jurisdiction": partner.slug,
        }
        share_text = format(share.normalize(), "f")
        found["id"] = set_source(
            document,
            None,
            values,
            {line_id: LinePayment(share=share_text) for line_id in line_ids},
        )

    update_plan(
        session,
        lead,
        user,
        change,
        expected_version=expected_version,
        action=f"shared with {partner.slug}",
    )
    record = SharedProgram(
        lead_plan_id=lead.id,
        partner_jurisdiction_id=partner.id,
        source_id=found["id"],
        program=lead.name,
        status="invited",
        invited_by_id=user.id if user else None,
    )
    session.add(record)
    session.flush()
    return record


# ----------------------------------------------------------------------------- the partner


def invitations_for(session: DbSession, partner: Jurisdiction) -> list[SharedProgram]:
    """Every shared program this government is a partner of (invited or accepted), whose
    lead plan still exists."""
    return [
        share
        for share in session.scalars(
            select(SharedProgram)
            .where(SharedProgram.partner_jurisdiction_id == partner.id)
            .order_by(SharedProgram.id)
        )
        if share.lead_plan.deleted_at is None
    ]


def accept(
    session: DbSession,
    share: SharedProgram,
    partner_plan: PlanRecord | None,
    new_plan_name: str,
    user: User | None,
    *,
    today: dt.date,
    total: Decimal | None = None,
) -> PlanRecord:
    """Accept the invitation into one of the partner's plans, or into a new one: the
    government's starting plan (its receipt estimates, or `total` spread by the payment
    shape) on the lead plan's years, with the contribution as its only line."""
    if share.status == "accepted":
        raise SharingRefused("plan", "this invitation was already accepted")
    amounts = lead_amounts(share.lead_plan, share.source_id)
    base = f"share-{share.lead_plan.jurisdiction.slug}"[:60]
    holder: dict[str, str] = {}
    lead_document = document_of(share.lead_plan)
    if partner_plan is None:
        partner_plan = create_starting_plan(
            session,
            share.partner,
            user,
            today,
            name=new_plan_name or f"Share of {share.program}",
            total=total,
        )
        fresh = True
    else:
        if partner_plan.jurisdiction_id != share.partner_jurisdiction_id:
            raise SharingRefused("plan", "choose a plan of your own government")
        if partner_plan.status == "adopted":
            raise SharingRefused("plan", "an adopted plan cannot change: choose a draft")
        fresh = False

    def change(document: dict[str, Any]) -> None:
        if fresh:  # the new plan: the lead's years, the contribution its only line
            document["start_fy"] = lead_document["start_fy"]
            document["years"] = lead_document.get("years", 18)
            document["line_items"] = []
        first, last = _window(document)
        holder["id"] = _new_line_id(document, base)
        document.setdefault("line_items", []).append(
            _contribution_line(share, holder["id"], _amounts_document(amounts, first, last))
        )

    update_plan(
        session,
        partner_plan,
        user,
        change,
        expected_version=None,
        action=f"accepted the share of {share.program}",
    )
    line_id = holder["id"]
    share.status = "accepted"
    share.partner_plan_id = partner_plan.id
    share.line_id = line_id
    share.accepted_at = utcnow()
    session.flush()
    return partner_plan


def stop_sharing(session: DbSession, share: SharedProgram) -> None:
    """Forget the share (the lead's source stays until removed on the Funding page)."""
    session.delete(share)
    session.flush()
