"""Load and save plans. Every page, export and the CLI read a plan through `load_plan`.

Functions take the session and never commit: the view or CLI command owns the transaction.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import object_session

from planner.cost_tables import default_cost_tables
from planner.models import Jurisdiction, PlanChange, PlanRecord, SharedProgram, User
from planner.models.base import utcnow
from planner.scenarios import (
    Plan,
    dump_plan_json,
    fy_label,
    load_plan_json,
    parse_fy,
    parse_plan,
    project,
)
from planner.scenarios.compliance import RuleResult, check_plan
from planner.scenarios.compliance_base import StaleContribution
from planner.scenarios.kinds.contribution import ContributionParams
from planner.scenarios.projection import Projection
from planner.services import DbSession
from planner.services.evaluated import evaluated, parsed
from planner.services.funding import payments_of
from planner.services.plan_documents import projected_document, without_actuals
from planner.services.statewide import track_saves

track_saves()  # each saved plan's statewide figures are kept when its session commits


class StaleVersion(Exception):  # noqa: N818 - a condition, named for what the user sees
    """The plan changed since the form was loaded; the newer document is attached."""

    def __init__(self, record: PlanRecord):
        self.record = record
        super().__init__(f"plan {record.id} is at version {record.version}")


class PlanFrozen(Exception):  # noqa: N818
    """An adopted plan cannot change."""


@dataclass(frozen=True)
class PlanView:
    """What a page, a PDF or a spreadsheet shows: the plan, its projection, its checks."""

    record: PlanRecord
    plan: Plan
    projection: Projection
    results: tuple[RuleResult, ...]


def load_plan(record: PlanRecord, *, actuals: bool = False) -> Plan:
    """The one way from the database to the engine. With `actuals`, the plan carries the
    jurisdiction's actuals for its closed FYs (what pages, documents and exports project);
    without, it is the stored plan as edited."""
    text = projected_document(record) if actuals else record.document
    return parsed(text)  # parsed once per version and process (`services/evaluated.py`)


def view_plan(
    record: PlanRecord, as_of: dt.date, *, stale: tuple[Any, ...] | None = None
) -> PlanView:
    """The plan with the jurisdiction's actuals, projected (its closed FYs reforecast, the
    fund as adopted beside it: `projection.adopted_fund`) and checked. `stale`: its
    contribution lines out of step with their lead plans (§17); found when not given."""
    plan, projection = evaluated(projected_document(record))  # shared with the save's figures
    if stale is None and isinstance(record, PlanRecord):
        stale = stale_contributions(record)
    results = check_plan(
        plan, projection, default_cost_tables(), as_of, stale_contributions=stale or ()
    )
    return PlanView(record, plan, projection, results)


def document_of(record: PlanRecord) -> dict[str, Any]:
    """The stored plan document, with exact decimals, to change and save back."""
    return load_plan_json(record.document)


def normalized(document: Any) -> tuple[Plan, str]:
    """Parse (raising PlanError) and return the plan with its explicit JSON text."""
    plan = parse_plan(document, default_cost_tables())
    return plan, dump_plan_json(plan)


def plans_of(session: DbSession, jurisdiction: Jurisdiction) -> list[PlanRecord]:
    """The jurisdiction's plans (not the deleted ones)."""
    return list(
        session.scalars(
            select(PlanRecord)
            .where(PlanRecord.jurisdiction_id == jurisdiction.id, PlanRecord.deleted_at.is_(None))
            .order_by(PlanRecord.name, PlanRecord.id)
        )
    )


def deleted_plans(session: DbSession) -> list[PlanRecord]:
    """Every deleted plan, the last deleted first (administrators read them)."""
    return list(
        session.scalars(
            select(PlanRecord)
            .where(PlanRecord.deleted_at.is_not(None))
            .order_by(PlanRecord.deleted_at.desc(), PlanRecord.id.desc())
        )
    )


def create_plan(
    session: DbSession,
    jurisdiction: Jurisdiction,
    document: Any,
    user: User | None,
    *,
    name: str | None = None,
    action: str = "created",
) -> PlanRecord:
    """Validate and store a new plan; raises PlanError with every problem."""
    document, _ = without_actuals(copy.deepcopy(document))  # actuals are the jurisdiction's
    if isinstance(document, dict):
        if name:
            document["name"] = name
        document["jurisdiction"] = {
            "name": jurisdiction.name,
            "kind": jurisdiction.kind,
            "fips": jurisdiction.fips,
        }
    plan, text = normalized(document)
    record = PlanRecord(
        jurisdiction=jurisdiction,
        name=plan.name or "Untitled plan",
        document=text,
        status="draft",
        created_by_id=user.id if user else None,
    )
    session.add(record)
    session.flush()
    _record_change(session, record, user, action, "", None, plan.name)
    return record


def update_plan(
    session: DbSession,
    record: PlanRecord,
    user: User | None,
    change: Callable[[dict[str, Any]], None],
    *,
    expected_version: int | None,
    action: str,
) -> Plan:
    """Apply `change` to the stored document, validate the whole plan, save it and record
    each changed value. Raises PlanError (nothing saved), StaleVersion or PlanFrozen."""
    if record.status == "adopted":
        raise PlanFrozen(record.name)
    if expected_version is not None and expected_version != record.version:
        raise StaleVersion(record)
    before = json.loads(record.document)
    document = document_of(record)
    change(document)
    plan, text = normalized(document)
    after = json.loads(text)
    if after == before:
        return plan
    record.document = text
    record.name = plan.name or record.name
    record.updated_at = utcnow()
    for path, old, new in diff_documents(before, after):
        _record_change(session, record, user, action, path, old, new)
    session.flush()  # the version counter moves; a concurrent save fails here
    after_lead_saved(session, record, user)
    return plan


def rename_plan(
    session: DbSession,
    record: PlanRecord,
    user: User | None,
    name: str,
    expected_version: int | None,
) -> None:
    def change(document: dict[str, Any]) -> None:
        document["name"] = name

    update_plan(session, record, user, change, expected_version=expected_version, action="renamed")


def clone_plan(session: DbSession, record: PlanRecord, user: User | None, name: str) -> PlanRecord:
    document = document_of(record)
    return create_plan(
        session,
        record.jurisdiction,
        document,
        user,
        name=name,
        action=f"cloned from plan {record.id}",
    )


def delete_plan(
    session: DbSession,
    record: PlanRecord,
    user: User | None = None,
    expected_version: int | None = None,
) -> None:
    """Take the plan out of every list and page. Its last document and its history are
    kept for the record, with who deleted it and when."""
    if record.status == "adopted":
        raise PlanFrozen(record.name)
    if expected_version is not None and expected_version != record.version:
        raise StaleVersion(record)
    record.deleted_at = utcnow()
    _record_change(session, record, user, "deleted", "", record.name, None)
    session.flush()


def changes_since(record: PlanRecord, seen: int | None) -> list[PlanChange]:
    """The history entries after entry `seen` (the last one a page showed); without it, the
    ten latest. What a refused, stale button tells the user changed meanwhile."""
    if seen is None:
        return list(record.changes[-10:])
    return [change for change in record.changes if change.id > seen]


def export_plan(record: PlanRecord) -> str:
    """The lead-plan/1 file of a stored plan (already explicit and valid), with the
    jurisdiction's actuals for its closed FYs: `planner project` on it gives the page."""
    return dump_plan_json(load_plan(record, actuals=True))


def _record_change(
    session: DbSession,
    record: PlanRecord,
    user: User | None,
    action: str,
    path: str,
    old: Any,
    new: Any,
) -> None:
    session.add(
        PlanChange(
            plan=record,
            user_id=user.id if user else None,
            user_email=user.email if user else None,
            action=action,
            path=path,
            old_value=_text(old),
            new_value=_text(new),
        )
    )


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def diff_documents(before: Any, after: Any, path: str = "") -> list[tuple[str, Any, Any]]:
    """Every changed value between two plan documents, by path; line items by their id."""
    if isinstance(before, dict) and isinstance(after, dict):
        found = []
        for key in list(before) + [k for k in after if k not in before]:
            sub = f"{path}.{key}" if path else key
            if key not in after:
                found.append((sub, before[key], None))
            elif key not in before:
                found.append((sub, None, after[key]))
            else:
                found += diff_documents(before[key], after[key], sub)
        return found
    if path == "line_items" and isinstance(before, list) and isinstance(after, list):
        return _diff_lines(before, after)
    if before != after:
        return [(path, before, after)]
    return []


def _diff_lines(before: list, after: list) -> list[tuple[str, Any, Any]]:
    old = {line.get("id"): line for line in before if isinstance(line, dict)}
    new = {line.get("id"): line for line in after if isinstance(line, dict)}
    found: list[tuple[str, Any, Any]] = []
    for line_id, line in old.items():
        if line_id not in new:
            found.append((f"line_items[{line_id}]", line, None))
        else:
            found += diff_documents(line, new[line_id], f"line_items[{line_id}]")
    for line_id, line in new.items():
        if line_id not in old:
            found.append((f"line_items[{line_id}]", None, line))
    if [k for k in old if k in new] != [k for k in new if k in old]:
        found.append(("line_items (order)", list(old), list(new)))
    return found


TRANSITIONS = {  # action: (from statuses, to status)
    "propose": (("draft",), "proposed"),
    "return": (("proposed",), "draft"),
    "adopt": (("draft", "proposed"), "adopted"),
}


class StatusError(ValueError):
    """A status change the plan's current status does not allow."""


def adoption_date_problem(day: dt.date, today: dt.date | None = None) -> str | None:
    """Why `day` cannot be a plan's adoption date (None: it can): inside the years of cost
    model §15 (`date_year_min`…`date_year_max`, 1900–2100), and, given `today`, not after
    it (an adoption is recorded once the governing body has voted)."""
    limits = default_cost_tables().limits
    low, high = (limits.date_year_min, limits.date_year_max) if limits else (1900, 2100)
    if not low <= day.year <= high:
        return f"the adoption date must be between {low} and {high}"
    if today is not None and day > today:
        return "the adoption date cannot be in the future: record the adoption once voted"
    return None


def withdraw_adoption(
    session: DbSession,
    record: PlanRecord,
    user: User | None,
    reason: str,
    *,
    expected_version: int | None,
) -> None:
    """An administrator's correction of an adopted plan recorded by mistake (a wrong date,
    the wrong plan): it goes back to proposed, as it was when it went before the governing
    body, and can then be adopted again with the right date, or returned to draft. The
    adoption stays in the history, with who withdrew it, when and why."""
    if expected_version is not None and expected_version != record.version:
        raise StaleVersion(record)
    if record.status != "adopted":
        raise StatusError(f"a {record.status} plan has no adoption to withdraw")
    reason = reason.strip()
    if not reason:
        raise StatusError("say why the adoption is withdrawn")
    old = "adopted" + (f" on {record.adopted_on.isoformat()}" if record.adopted_on else "")
    record.status = "proposed"
    record.adopted_on = None
    record.updated_at = utcnow()
    _record_change(
        session,
        record,
        user,
        "adoption withdrawn",
        "status",
        old,
        f"proposed (adoption withdrawn: {reason})",
    )
    session.flush()


def set_status(
    session: DbSession,
    record: PlanRecord,
    user: User | None,
    action: str,
    adopted_on: dt.date | None = None,
    *,
    expected_version: int | None,
) -> None:
    """draft → proposed → adopted (or back to draft from proposed). Adopted is final: the
    plan is frozen, and a new draft is made by cloning it. `expected_version` is the version
    the user saw (None: not checked, for the CLI); a plan changed since raises StaleVersion,
    and the history records which version was proposed or adopted."""
    if expected_version is not None and expected_version != record.version:
        raise StaleVersion(record)
    if action not in TRANSITIONS:
        raise StatusError(f"unknown action '{action}'")
    allowed, target = TRANSITIONS[action]
    if record.status not in allowed:
        raise StatusError(f"a {record.status} plan cannot be {target}")
    if target == "adopted" and adopted_on is None:
        raise StatusError("give the date the governing body adopted the plan")
    if target == "adopted" and adopted_on is not None:
        problem = adoption_date_problem(adopted_on)
        if problem:
            raise StatusError(problem)
    old, version = record.status, record.version
    record.status = target
    record.adopted_on = adopted_on if target == "adopted" else None
    record.updated_at = utcnow()
    _record_change(
        session,
        record,
        user,
        f"status: {target}",
        "status",
        old,
        target + (f" on {adopted_on.isoformat()}" if adopted_on else ""),
    )
    # The document of this version is what was proposed or adopted (it does not change).
    _record_change(session, record, user, f"status: {target}", "version", None, str(version))
    session.flush()


# ----------------------------------------------------------------------------- shared programs
# A partner's contribution line follows its lead plan (cost model §17): each save of a lead
# plan rewrites its accepted partners' lines (`after_lead_saved`, from `update_plan`), and a
# plan's check names its lines out of step (`stale_contributions`, from `view_plan`). They
# live here, beside the save they hook into; planner.services.sharing (inviting, accepting)
# builds on them.

CONTRIBUTION = "contribution"


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
