"""The finance director's path (issue 11): a county's starting plan, its receipt estimates,
moving a whole plan, what the fund can afford, authorizing FYs, assessing the services.

Every figure comes from the engine (`planner.scenarios`); these functions only read the
stored plan, ask the engine, and save through `update_plan` (which validates and records
each changed value in the history). They never commit.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from planner.cost_tables import default_cost_tables
from planner.models import Jurisdiction, PlanRecord, User
from planner.scenarios import Plan, PlanError, Problem, fy_label, project
from planner.scenarios.authorizations import (
    AuthorizationFacts,
    authorization_facts,
    authorize_fys,
    with_authorizations,
)
from planner.scenarios.fit import REFERRALS, FitResult, fit
from planner.scenarios.moving import move_plan
from planner.scenarios.parse import STREAMS_KEY
from planner.scenarios.plan import PATHWAYS
from planner.scenarios.receipts import (
    EstimateRow,
    ReceiptEstimates,
    StreamEstimates,
    UnknownGovernment,
    estimate_rows,
    estimated_receipts,
    receipt_total,
    spread_total,
    stream_estimates,
    stream_estimates_from_total,
)
from planner.scenarios.starting import StartingPlan, starting_plan
from planner.services import DbSession
from planner.services.evaluated import parsed
from planner.services.plan_documents import projected_document
from planner.services.plans import create_plan, load_plan, update_plan

SPREAD_ACTION = "spread a CORE-NC total of "  # + the whole-dollar total, in the history


# ------------------------------------------------------------------------ starting plans


def starting_for(jurisdiction: Jurisdiction, today: dt.date) -> StartingPlan | None:
    """The §14 starting plan of the jurisdiction (the FY after the one containing today);
    None for a jurisdiction that is not one of the 117 governments of the tables."""
    try:
        return starting_plan(default_cost_tables(), jurisdiction.slug, today=today)
    except UnknownGovernment:
        return None


def create_starting_plan(
    session: DbSession,
    jurisdiction: Jurisdiction,
    user: User | None,
    today: dt.date,
    *,
    name: str | None = None,
    total: Decimal | None = None,
) -> PlanRecord:
    """Store the starting plan; `total` (an 18-year CORE-NC total) spreads the receipts by
    the payment shape when the tables know none, or replaces the known estimate."""
    start = starting_for(jurisdiction, today)
    if start is None:
        raise PlanError(
            [
                Problem(
                    "jurisdiction",
                    f"{jurisdiction.name} is not one of the 117 "
                    "NC local governments of the cost tables: start from the "
                    "demo or a blank plan",
                )
            ]
        )
    document = start.document
    action = "created from the starting plan"
    if total is not None:
        plan_fys = range(document["start_fy"], document["start_fy"] + document["years"])
        fund = document["fund"]
        if STREAMS_KEY in fund:  # §18: the total's share of every stream
            by_stream = stream_estimates_from_total(
                default_cost_tables(), jurisdiction.slug, jurisdiction.name, total
            )
            streams = by_stream.receipts_by_stream(plan_fys) if by_stream else {}
            if streams:
                fund[STREAMS_KEY] = streams
                action += f"; {SPREAD_ACTION}{_whole(total)}"
        else:
            spread = spread_total(default_cost_tables(), total, plan_fys)
            if spread is not None:
                fund["receipts"] = spread.receipts()
                action += f"; {SPREAD_ACTION}{_whole(total)}"
    return create_plan(session, jurisdiction, document, user, name=name or None, action=action)


def _whole(total: Decimal) -> str:
    return format(total.quantize(Decimal(1)), "f")


@dataclass(frozen=True)
class ReceiptLabels:
    """Which stored receipts are still the estimates a page labels as such."""

    estimates: ReceiptEstimates | None  # the estimates the receipts were filled from
    estimated_fys: frozenset[int]  # FYs whose stored amount is still that estimate
    # §18, a plan with streams: the estimates by stream, and per stream the FYs whose
    # stored amount is still the estimate
    streams: StreamEstimates | None = None
    stream_fys: dict[str, frozenset[int]] = field(default_factory=dict)


def spread_total_of(record: PlanRecord) -> Decimal | None:
    """The last CORE-NC total spread over the plan (from its history)."""
    for change in reversed(record.changes):
        found = re.search(re.escape(SPREAD_ACTION) + r"(\d{1,15})", change.action or "")
        if found:
            return Decimal(found.group(1))
    return None


def receipt_labels(record: PlanRecord, plan: Plan | None = None) -> ReceiptLabels:
    """A receipt is an estimate while it equals the estimate the plan was filled with: the
    last CORE-NC total spread (from the history), else the government's known total (by
    stream for a plan that gives its receipts by stream, §18)."""
    plan = plan or load_plan(record)
    tables = default_cost_tables()
    fys = plan.fiscal_years
    total = spread_total_of(record)
    slug = record.jurisdiction.slug
    if plan.fund.receipts_by_stream:
        by_stream = (
            stream_estimates_from_total(tables, slug, record.jurisdiction.name, total)
            if total is not None
            else stream_estimates(tables, slug)
        )
        if by_stream is None:
            return ReceiptLabels(None, frozenset())
        marked = {}
        for stream, amounts in plan.fund.receipts_by_stream:
            estimate = by_stream.stream(stream)
            if estimate is None:
                continue
            stored = dict(amounts)
            marked[stream] = frozenset(
                y.fy for y in estimate.in_fys(fys) if stored.get(y.fy) == Decimal(y.amount)
            )
        any_marked = any(marked.values())
        return ReceiptLabels(
            None, frozenset(), by_stream if any_marked else None, marked if any_marked else {}
        )
    estimates = (
        spread_total(tables, total, fys)
        if total is not None
        else estimated_receipts(tables, slug, fys)
    )
    if estimates is None:
        return ReceiptLabels(None, frozenset())
    stored = dict(plan.fund.receipts)
    same = frozenset(
        year.fy for year in estimates.years if stored.get(year.fy) == Decimal(year.amount)
    )
    return ReceiptLabels(estimates if same else None, same)


@dataclass(frozen=True)
class ReceiptsView:
    """What the receipts page shows above the inputs (§14, §18): the estimates by stream —
    the published figure, the share it gives, each stream's total — and every FY's estimate,
    the FYs before the plan marked as received (they belong in the opening balance)."""

    streams: StreamEstimates | None
    rows: tuple[EstimateRow, ...]
    received_before: int | None  # estimated receipts before the plan's first FY
    opening_given: bool
    first_fy: int
    other_figures: str = ""  # every figure found for the government, to compare


def receipts_view(record: PlanRecord, plan: Plan, labels: ReceiptLabels) -> ReceiptsView:
    tables = default_cost_tables()
    known_streams = labels.streams or stream_estimates(tables, record.jurisdiction.slug)
    known = receipt_total(tables, record.jurisdiction.slug)
    # the table by stream only for a plan by stream; the hint for the opening balance always
    streams = known_streams if plan.fund.receipts_by_stream else None
    rows = estimate_rows(streams, plan.start_fy, plan.end_fy) if streams is not None else ()
    return ReceiptsView(
        streams,
        rows,
        known_streams.received_before(plan.start_fy) if known_streams is not None else None,
        plan.fund.opening_balance_given,
        plan.start_fy,
        known.other_figures if known is not None else "",
    )


def spread_receipts(
    session: DbSession,
    record: PlanRecord,
    user: User | None,
    total: Decimal,
    *,
    expected_version: int | None,
) -> ReceiptEstimates | StreamEstimates | None:
    """Replace the receipts of the plan's FYs the shape covers by `total` spread by the
    common payment shape (by stream, §18, for a plan that gives its receipts by stream:
    the total's share of every stream); None (nothing saved) when no plan FY has a share."""
    plan = load_plan(record)
    tables = default_cost_tables()
    if plan.fund.receipts_by_stream:
        by_stream = stream_estimates_from_total(
            tables, record.jurisdiction.slug, record.jurisdiction.name, total
        )
        streams = by_stream.receipts_by_stream(plan.fiscal_years) if by_stream else {}
        if not streams:
            return None

        def replace_streams(document: dict[str, Any]) -> None:
            document.setdefault("fund", {})[STREAMS_KEY] = streams

        update_plan(
            session,
            record,
            user,
            replace_streams,
            expected_version=expected_version,
            action=f"{SPREAD_ACTION}{_whole(total)}",
        )
        return by_stream
    spread = spread_total(tables, total, plan.fiscal_years)
    if spread is None:
        return None

    def change(document: dict[str, Any]) -> None:
        receipts = document.setdefault("fund", {}).setdefault("receipts", {})
        receipts.update(spread.receipts())

    update_plan(
        session,
        record,
        user,
        change,
        expected_version=expected_version,
        action=f"{SPREAD_ACTION}{_whole(total)}",
    )
    return spread


# ------------------------------------------------------------------------ moving a plan


def move_whole_plan(
    session: DbSession,
    record: PlanRecord,
    user: User | None,
    start_fy: int,
    *,
    expected_version: int | None,
) -> None:
    """Move the plan to another first FY (lines with their own windows and the
    authorization periods shift with it). Raises ValueError for a FY out of range."""
    moved = move_plan(load_plan(record), start_fy)

    def change(document: dict[str, Any]) -> None:
        document.clear()
        document.update(moved)

    update_plan(
        session,
        record,
        user,
        change,
        expected_version=expected_version,
        action=f"moved the plan to start in {fy_label(start_fy)}",
    )


# ------------------------------------------------------------------------ what it can afford


class NothingToApply(ValueError):
    """The fit found no value (no referrals, no driver, the reserve missed at any value)."""


def apply_fit(
    session: DbSession,
    record: PlanRecord,
    user: User | None,
    target: str,
    *,
    expected_version: int | None,
) -> FitResult:
    """Write the value the engine finds for `target` into the plan: for the referrals the
    multiplier scales every pathway; for `line:ID` the line's driver takes the value."""
    plan = load_plan(record)
    result = fit(plan, target)  # FitError for an unknown target
    if result.value_number is None:
        raise NothingToApply(result.reason or "no value found")
    value = result.value_number

    if target == REFERRALS:
        scaled = {p: plan.participants.referrals_per_year[p] * value for p in PATHWAYS}

        def change(document: dict[str, Any]) -> None:
            referrals = document.setdefault("participants", {}).setdefault("referrals_per_year", {})
            for pathway, amount in scaled.items():
                referrals[pathway] = format(amount.normalize(), "f") if amount else "0"

        from planner.scenarios.options import referrals_words  # issue 22: the numbers

        action = f"applied the fit: referrals × {result.value}: " + referrals_words(
            plan, scale=value
        )
    else:
        line_id = target[len("line:") :]

        def change(document: dict[str, Any]) -> None:
            for line in document["line_items"]:
                if line["id"] == line_id:
                    line[result.driver] = (
                        int(value) if value == value.to_integral_value() else format(value, "f")
                    )

        action = f"applied the fit: line {line_id} {result.driver} = {result.value}"
    update_plan(session, record, user, change, expected_version=expected_version, action=action)
    return result


# ------------------------------------------------------------------------ authorizations


def authorize(
    session: DbSession,
    record: PlanRecord,
    user: User | None,
    first_fy: int,
    last_fy: int,
    as_of: dt.date,
    *,
    adopted_on: dt.date | None = None,
    budget_ordinance_on: dt.date | None = None,
    expected_version: int | None,
) -> int:
    """Add one authorization per strategy for FYs first–last, each the engine's planned
    spending of that strategy; returns how many. Raises ValueError for a bad range."""
    plan = load_plan(record)
    drafts = authorize_fys(plan, project(plan), first_fy, last_fy)
    if not drafts:
        raise ValueError(
            f"the plan spends nothing with a strategy from {fy_label(first_fy)} "
            f"to {fy_label(last_fy)}"
        )

    def change(document: dict[str, Any]) -> None:
        updated = with_authorizations(document, drafts, as_of, adopted_on, budget_ordinance_on)
        document["program"] = updated["program"]

    update_plan(
        session,
        record,
        user,
        change,
        expected_version=expected_version,
        action=f"authorized {fy_label(first_fy)} to {fy_label(last_fy)}",
    )
    return len(drafts)


def authorizations_of(plan: Plan, as_of: dt.date) -> tuple[AuthorizationFacts, ...]:
    return authorization_facts(plan, project(plan), as_of)


def update_authorization(
    session: DbSession,
    record: PlanRecord,
    user: User | None,
    index: int,
    as_of: dt.date,
    *,
    expected_version: int | None,
) -> None:
    """Set one stale authorization's amount to what the plan now spends on its strategy
    over its period (less what the overlapping ones of its strategy authorize)."""
    plan = load_plan(record)
    facts = authorizations_of(plan, as_of)
    if not 0 <= index < len(facts):
        raise IndexError(index)
    found = facts[index]
    amount = found.amount + found.difference

    def change(document: dict[str, Any]) -> None:
        document["program"]["authorizations"][index]["amount"] = format(amount, "f")

    update_plan(
        session,
        record,
        user,
        change,
        expected_version=expected_version,
        action=f"updated authorization {index + 1} to the plan's amount",
    )


# ------------------------------------------------------------------------ services


@dataclass(frozen=True)
class Assessment:
    """One service's assessment: adequate | gap | unknown, and for a gap the units and the
    cost per unit a year the fund buys (plan-file text)."""

    status: str
    units: str | None = None
    unit_cost: str | None = None


def assess_services(
    session: DbSession,
    record: PlanRecord,
    user: User | None,
    assessments: dict[str, Assessment],
    *,
    expected_version: int | None,
) -> None:
    """Set each service-gap line's status, and a gap's units and cost, in one version: the
    engine checks the whole plan before anything is saved."""

    update_plan(
        session,
        record,
        user,
        lambda document: _assess(document, assessments),
        expected_version=expected_version,
        action="assessed the services",
    )


@functools.lru_cache(maxsize=32)
def _cached_fit(document: str, target: str) -> FitResult | None:
    plan = parsed(document)
    try:
        return fit(plan, target)
    except ValueError:
        return None


def fit_of(record: PlanRecord, target: str = REFERRALS, view: Any = None) -> FitResult | None:
    """The fit of a stored plan, kept per stored document (a page shown again does not
    search again); None for a target the plan does not have. With the page's `view` (its
    plan and projection, checked already), the search PLAN-RESERVE did for that plan version
    is the page's too (`fit.SEARCHES`): nothing is parsed, projected or searched again."""
    if view is not None:
        try:
            return fit(view.plan, target, view.projection)
        except ValueError:
            return None
    return _cached_fit(projected_document(record), target)  # closed FYs are facts (§13)


# ------------------------------------------------------------------------ one page of figures


@dataclass(frozen=True)
class Figures:
    """What the one-page setup (issue 23) changes beyond the inputs written at their path:
    the services' assessment, a line for another strategy from the same fund, the FYs to
    authorize (with the dates their resolution and ordinance are adopted or scheduled)."""

    assessments: dict[str, Assessment]
    other_line: dict[str, Any] | None = None  # label, strategy, annual_amount, escalate
    # The plan's line the page showed for another strategy (its index): changed in place, or
    # removed when the page's fields were emptied. None: `other_line` is a new line.
    other_index: int | None = None
    authorize: tuple[int, int] | None = None
    adopted_on: dt.date | None = None
    budget_ordinance_on: dt.date | None = None


def _assess(document: dict[str, Any], assessments: dict[str, Assessment]) -> None:
    """Each service-gap line's status, and a gap's units and cost (the services page and
    the one-page figures write them alike)."""
    for line in document["line_items"]:
        found = assessments.get(line["id"])
        if line["kind"] != "service_gap" or found is None or not found.status:
            continue
        line["status"] = found.status
        if found.status == "gap":
            for key in ("units", "unit_cost"):
                value = getattr(found, key)
                if value is not None:
                    line[key] = value
        else:
            line.pop("units", None)
            line.pop("unit_cost", None)


def _line_id(document: dict[str, Any], label: str) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")[:40] or "other-strategy"
    taken = {line.get("id") for line in document.get("line_items", [])}
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def enter_figures(
    session: DbSession,
    record: PlanRecord,
    user: User | None,
    write: Any,
    figures: Figures,
    as_of: dt.date,
    *,
    expected_version: int | None,
) -> int:
    """Every figure of the one-page setup in one version: `write(document)` puts the inputs
    at their paths, then the services, the new line, and the authorizations drafted from the
    plan as it now stands (its spending by strategy over the FYs). The engine checks the
    whole plan before anything is saved. Returns how many authorizations were added."""
    added = [0]

    def change(document: dict[str, Any]) -> None:
        write(document)
        _assess(document, figures.assessments)
        if figures.other_index is not None:
            lines = document["line_items"]
            if figures.other_line is None:
                del lines[figures.other_index]
            else:
                lines[figures.other_index].update(figures.other_line)
        elif figures.other_line is not None:
            line = {
                "id": _line_id(document, figures.other_line.get("label") or ""),
                "kind": "other_strategy",
                **figures.other_line,
            }
            document.setdefault("line_items", []).append(line)
        if figures.authorize is not None:
            from planner.services.plans import normalized

            plan, _ = normalized(document)  # PlanError: the figures' own problems first
            first, last = figures.authorize
            drafts = authorize_fys(plan, project(plan), first, last)
            if not drafts:
                raise PlanError(
                    [
                        Problem(
                            "program.authorizations",
                            f"the plan spends nothing with a strategy from {fy_label(first)} "
                            f"to {fy_label(last)}",
                        )
                    ]
                )
            updated = with_authorizations(
                document, drafts, as_of, figures.adopted_on, figures.budget_ordinance_on
            )
            document["program"] = updated["program"]
            added[0] = len(drafts)

    update_plan(
        session,
        record,
        user,
        change,
        expected_version=expected_version,
        action="entered the county's figures",
    )
    return added[0]
