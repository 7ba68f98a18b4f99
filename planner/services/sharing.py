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
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import object_session

from planner.models import Jurisdiction, PlanRecord, SharedProgram, User
from planner.models.base import utcnow
from planner.scenarios import fy_label, parse_fy, project
from planner.scenarios.compliance_base import StaleContribution
from planner.scenarios.kinds.contribution import ContributionParams
from planner.scenarios.projection import Projection
from planner.services import DbSession
from planner.services.county import create_starting_plan
from planner.services.funding import LinePayment, new_source_id, payments_of, set_source
from planner.services.plans import (
    document_of,
    load_plan,
    update_plan,
)

CONTRIBUTION = "contribution"
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


def shares_of_plan(session: DbSession, lead: PlanRecord) -> list[SharedProgram]:
    return list(
        session.scalars(
            select(SharedProgram)
            .where(SharedProgram.lead_plan_id == lead.id)
            .order_by(SharedProgram.id)
        )
    )


def lead_amounts(lead: PlanRecord, source_id: str) -> dict[int, int]:
    """The lead plan's `by_source[source_id]`, FY → dollars (the engine's figures)."""
    projection = project(load_plan(lead))
    figures = projection.by_source.get(source_id)
    if figures is None:
        return {}
    return dict(zip(projection.fiscal_years, figures, strict=True))


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


def _program_strategy(lead: PlanRecord, source_id: str) -> str:
    """The shared program's strategy: that of the first line the partner pays, else A:10."""
    document = document_of(lead)
    paid = payments_of(document, source_id)
    for line in document.get("line_items") or []:
        if line.get("id") in paid and line.get("strategy"):
            return str(line["strategy"])
    return "A:10"


def _amounts_document(amounts: dict[int, int], first: int, last: int) -> dict[str, str]:
    """The lead's figures inside the partner plan's FYs, as a plan file writes them."""
    return {fy_label(fy): str(amount) for fy, amount in amounts.items() if first <= fy <= last}


def _contribution_line(share: SharedProgram, line_id: str, amounts: dict[str, str]) -> dict:
    lead_slug = share.lead_plan.jurisdiction.slug
    return {
        "id": line_id,
        "kind": CONTRIBUTION,
        "label": f"Share of {share.program} ({share.lead_plan.jurisdiction.name})",
        "strategy": _program_strategy(share.lead_plan, share.source_id),
        "justification": (
            f"This government's share of {share.program}, a program run by "
            f"{share.lead_plan.jurisdiction.name} under an interlocal agreement; the amounts "
            "are the lead plan's figures for this partner."
        ),
        "start_fy": None,
        "end_fy": None,
        "to": lead_slug,
        "program": share.program,
        "amounts": amounts,
        "object_class": "contractual",
    }


def _window(document: dict[str, Any]) -> tuple[int, int]:
    """A stored plan's first and last FY (it is valid: its start_fy parses)."""
    first = parse_fy(document["start_fy"])
    return first, first + int(document.get("years") or 18) - 1


def _new_line_id(document: dict[str, Any], base: str) -> str:
    taken = {line.get("id") for line in document.get("line_items") or []}
    found, n = base, 2
    while found in taken:
        found, n = f"{base}-{n}", n + 1
    return found


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


@dataclass(frozen=True)
class ShareState:
    """A shared program as either side sees it: the lead's figures for the partner, the
    partner's contribution line's, and whether they differ (stale)."""

    share: SharedProgram
    lead: dict[int, int]  # FY → dollars, the lead plan's by_source for this partner
    partner: dict[int, int] | None  # the contribution line's amounts (None: not accepted)
    stale: bool


def state_of(share: SharedProgram) -> ShareState:
    lead = lead_amounts(share.lead_plan, share.source_id)
    if share.status != "accepted" or share.partner_plan is None or share.line_id is None:
        return ShareState(share, lead, None, False)
    record = share.partner_plan
    plan = load_plan(record)
    line = next((x for x in plan.line_items if x.id == share.line_id), None)
    if line is None or line.kind != CONTRIBUTION or record.deleted_at is not None:
        return ShareState(share, lead, {}, True)
    params = line.params
    assert isinstance(params, ContributionParams)  # noqa: S101 - its kind says so
    stated = {fy: int(amount) for fy, amount in params.amounts if amount}
    first, last = plan.start_fy, plan.start_fy + plan.years - 1
    wanted = {fy: v for fy, v in lead.items() if v and first <= fy <= last}
    return ShareState(share, lead, stated, stated != wanted)


def update_to_lead(session: DbSession, share: SharedProgram, user: User | None) -> bool:
    """Rewrite the partner's contribution line with the lead's figures (adding it back if
    it was removed). False when there is nothing the app may write (not accepted, the
    partner's plan deleted or adopted)."""
    record = share.partner_plan
    if share.status != "accepted" or record is None or record.deleted_at is not None:
        return False
    if record.status == "adopted":
        return False
    amounts = lead_amounts(share.lead_plan, share.source_id)

    def change(document: dict[str, Any]) -> None:
        first, last = _window(document)
        written = _amounts_document(amounts, first, last)
        lines = document.setdefault("line_items", [])
        for line in lines:
            if line.get("id") == share.line_id and line.get("kind") == CONTRIBUTION:
                line["amounts"] = written
                return
        share.line_id = _new_line_id(document, f"share-{share.lead_plan.jurisdiction.slug}")
        lines.append(_contribution_line(share, share.line_id, written))

    update_plan(
        session,
        record,
        user,
        change,
        expected_version=None,
        action=f"updated to the lead's figures for {share.program}",
    )
    return True


_SYNCING: set[int] = set()


def after_lead_saved(session: DbSession, lead: PlanRecord, user: User | None) -> None:
    """The lead plan was saved: rewrite each accepted partner's contribution line (§17).
    A partner plan that cannot change (adopted) stays as it is, and shows as stale."""
    if lead.id in _SYNCING:
        return
    shares = shares_of_plan(session, lead)
    if not shares:
        return
    _SYNCING.add(lead.id)
    try:
        for share in shares:
            if state_of(share).stale:
                update_to_lead(session, share, user)
    finally:
        _SYNCING.discard(lead.id)


def stop_sharing(session: DbSession, share: SharedProgram) -> None:
    """Forget the share (the lead's source stays until removed on the Funding page)."""
    session.delete(share)
    session.flush()


def stale_contributions(record: PlanRecord) -> tuple[StaleContribution, ...]:
    """The plan's contribution lines that no longer equal their lead plan's figures (for
    FUNDING-SOURCES, §17): each with the FYs whose amounts differ."""
    session = object_session(record)
    if session is None or record.id is None:
        return ()
    found: list[StaleContribution] = []
    for share in session.scalars(
        select(SharedProgram)
        .where(SharedProgram.partner_plan_id == record.id, SharedProgram.status == "accepted")
        .order_by(SharedProgram.id)
    ):
        if share.lead_plan.deleted_at is not None:
            continue
        state = state_of(share)
        if not state.stale:
            continue
        stated = state.partner or {}
        years = sorted(
            fy for fy in set(stated) | set(state.lead) if stated.get(fy, 0) != state.lead.get(fy, 0)
        )
        found.append(
            StaleContribution(
                line=share.line_id or "",
                lead=share.lead_plan.jurisdiction.name,
                program=share.program,
                fiscal_years=years,
            )
        )
    return tuple(found)
