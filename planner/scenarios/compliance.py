"""MOA and LEAD-fidelity compliance checks (spec: compliance_rules.md).

`check_plan(plan, projection, tables, as_of)` returns one result per rule, in the spec's
order. Every rule always reports: a passing rule says what it checked. Thresholds come from
`cost_tables/compliance.toml`; nothing here reads the clock.

Each rule is written in three parts (see `compliance_base`): a `…Facts` TypedDict whose keys
are documented where it is declared, a `render_…` function that writes the message from the
facts alone, and the `@rule`-decorated logic that decides the status, FYs, line items and
facts without writing a word. A new rule is those three and one line in `RULES`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any, Literal, NotRequired, TypedDict, TypeVar

from .annual_report import check_annual_report, report_due, unassigned_actuals, unassigned_text
from .authorizations import (
    ADOPTED,
    SCHEDULED,
    authorization_facts,
    authorization_groups,
    authorize_fys,  # noqa: F401 - part of this module's interface
    authorize_months,
    covered_fys,  # noqa: F401 - part of this module's interface (summaries, tests)
    month_end,
    month_start,
    planned_spending,  # noqa: F401 - part of this module's interface
    runs,
    spending_in,  # noqa: F401 - part of this module's interface
    unauthorized_actuals,
    uncovered_months,
)
from .compliance_base import (
    STATUSES,
    Finding,
    LineRef,
    Rule,
    RuleContext,
    RuleResult,
    StaleContribution,
    Status,
    add_years,
    and_list,
    direct_result,
    fy_ranges,
    ids,
    line_ref,
    line_refs,
    long_date,
    name,
    names,
    plural,
    rule,
    strategy_title,
    verb,
)
from .compliance_funding import check_funding_sources, lead_scope, lead_scope_result
from .fiscal import fy_label, fy_of, fy_start
from .fit import REFERRALS, first_open_year, fit, reserves
from .kinds.base import Params
from .kinds.case_management import CaseManagementParams
from .kinds.officer_training import OfficerTrainingParams
from .kinds.participant_phones import ParticipantPhonesParams
from .kinds.position import PositionParams
from .kinds.service_gap import ServiceGapParams
from .kinds.warm_handoff import ContractParams, OnCallParams, StaffedParams, WarmHandoffParams
from .lines import Context, required_case_manager_fte
from .money import dollars, fmt_fte, fmt_money, fmt_quantity, q, round_half_up
from .plan import SERVICE_CATEGORIES, LineItem, Plan
from .projection import UNASSIGNED, Projection
from .tables import CostTables

__all__ = [
    "RULES",
    "STATUSES",
    "Finding",
    "LineRef",
    "Rule",
    "RuleContext",
    "RuleResult",
    "Status",
    "add_years",
    "check_plan",
    "compliance_to_dict",
    "counts",
    "covered_fys",
    "fy_ranges",
    "strategy_title",
]

COMPLIANCE_SCHEMA = "lead-compliance/1"

EXHIBIT_A = re.compile(r"^A:(\d{1,2})$")
EXHIBIT_B = re.compile(r"^B:([A-L])\.(\d+)(?:\.(\d+))?$")

_Check = RuleContext  # the name the rules were written against (rules in other modules)
_result = direct_result  # the name the rules were written against


def compliance_to_dict(results: Iterable[RuleResult], as_of: dt.date) -> dict[str, Any]:
    return {
        "schema": COMPLIANCE_SCHEMA,
        "as_of": as_of.isoformat(),
        "results": [r.to_dict() for r in results],
    }


class FyAmount(TypedDict):
    """A dollar amount in one FY (whole dollars, as the projection gives them)."""

    fiscal_year: int
    amount: int


class Period(TypedDict):
    """An authorization's period, as adopted."""

    start: dt.date
    end: dt.date


P = TypeVar("P", bound=Params)


def _params(item: LineItem, params_type: type[P]) -> P:
    """A line's typed parameters (each rule reads the lines of its kinds only)."""
    params = item.params
    if not isinstance(params, params_type):
        raise TypeError(f"line {item.id!r} ({item.kind}) has no {params_type.__name__}")
    return params


# ----------------------------------------------------------------------------- MOA-STRATEGY


class CodedLine(LineRef):
    """A line item and the strategy code it names."""

    code: str


class StrategyUse(TypedDict):
    """A strategy the plan's spending names, with the text shown beside its code."""

    code: str
    title: str  # the Exhibit A title or the Exhibit B item's text ("" when none)
    verified: bool  # False: an Exhibit B list row not yet checked against the MOA text


class StrategyFacts(TypedDict):
    """MOA-STRATEGY. The lines are those with spending, in the plan's order."""

    lines_with_spending: int
    missing: list[LineRef]  # no strategy code (fail)
    malformed: list[CodedLine]  # a code that is neither Exhibit A nor Exhibit B (fail)
    unlisted: list[CodedLine]  # a well-formed Exhibit B code not in the shipped list (warn)
    strategies: list[StrategyUse]  # the valid codes used, in order of first use
    exhibit_a_items: int  # A:1 to A:<this>
    unassigned_actuals: list[FyAmount]  # actual spending booked with no strategy (fail, §11)


def render_strategy(status: Status, f: StrategyFacts) -> str:
    unassigned = [dict(u) for u in f["unassigned_actuals"]]
    if unassigned and not (f["missing"] or f["malformed"]):
        text = unassigned_text(unassigned)
        return text[0].upper() + text[1:] + "."
    if f["missing"] or f["malformed"]:
        parts = []
        if f["missing"]:
            parts.append(
                f"{names(f['missing'])} {verb(len(f['missing']), 'has', 'have')} no strategy code"
            )
        if f["malformed"]:
            parts.append(
                and_list(
                    [
                        f"{name(i)} has '{i['code']}', which is not an Exhibit A or B code"
                        for i in f["malformed"]
                    ]
                )
            )
        message = (
            f"{'; '.join(parts)}. Every line with spending must name an MOA strategy: "
            f"an Exhibit A code (A:1 to A:{f['exhibit_a_items']}; LEAD is A:10) or an "
            "Exhibit B item such as B:D.1.4."
        )
        if unassigned:
            message += f" Also {unassigned_text(unassigned)}."
        return message
    if f["unlisted"]:
        return (
            and_list([f"{name(i)} names {i['code']}" for i in f["unlisted"]])
            + ", a well-formed Exhibit B code that is not in the shipped item list: check it "
            "against the current Exhibit B."
        )
    if not f["lines_with_spending"]:
        return "No line item has spending yet, so no strategy code is needed."
    used = [
        (f"{s['code']} {s['title']}" if s["title"] else s["code"])
        + ("" if s["verified"] else " (list row not yet checked against the MOA text)")
        for s in f["strategies"]
    ]
    return (
        f"All {plural(f['lines_with_spending'], 'line item')} with spending name an MOA "
        f"strategy: {'; '.join(used)}."
    )


@rule("MOA-STRATEGY", "NC MOA §E.6(b)(ii)", render_strategy)
def check_strategy(c: RuleContext) -> Finding[StrategyFacts]:
    known_b = {item.code: item for item in c.tables.exhibit_b}
    missing: list[LineRef] = []
    malformed: list[CodedLine] = []
    unlisted: list[CodedLine] = []
    used: dict[str, StrategyUse] = {}
    fys: set[int] = set()
    spending = c.spending_lines()
    for item, line in spending:
        code = item.strategy
        if code and code in used:  # a code already found valid (most lines share a few)
            continue
        a = EXHIBIT_A.match(code or "")
        b = EXHIBIT_B.match(code or "")
        if not code:
            missing.append(line_ref(item))
        elif a and 1 <= int(a.group(1)) <= len(c.tables.exhibit_a):
            used.setdefault(
                code, {"code": code, "title": c.tables.strategy_title(code) or "", "verified": True}
            )
            continue
        elif b and code in known_b:
            entry = known_b[code]
            used.setdefault(
                code, {"code": code, "title": entry.summary, "verified": entry.verified}
            )
            continue
        elif b:
            unlisted.append({**line_ref(item), "code": code})
        else:
            malformed.append({**line_ref(item), "code": code})
        fys.update(c.fys_with_spending(line))
    facts: StrategyFacts = {
        "lines_with_spending": len(spending),
        "missing": missing,
        "malformed": malformed,
        "unlisted": unlisted,
        "strategies": list(used.values()),
        "exhibit_a_items": len(c.tables.exhibit_a),
        "unassigned_actuals": [
            {"fiscal_year": u["fiscal_year"], "amount": u["amount"]}
            for u in unassigned_actuals(c.plan)
        ],
    }
    problems = ids(missing) + ids(malformed)
    unassigned_fys = [u["fiscal_year"] for u in facts["unassigned_actuals"]]
    if unassigned_fys and not problems:
        return Finding("fail", facts, unassigned_fys, inputs=["actuals"])
    if problems:
        return Finding(
            "fail",
            facts,
            fys | set(unassigned_fys),
            problems,
            [f"line:{i}" for i in problems] + (["actuals"] if unassigned_fys else []),
        )
    if unlisted:
        return Finding("warn", facts, fys, ids(unlisted), [f"line:{i}" for i in ids(unlisted)])
    return Finding("pass", facts)


# ----------------------------------------------------------------------------- MOA-OPTION-B


class OptionBFacts(TypedDict):
    """MOA-OPTION-B."""

    b_lines: list[LineRef]  # the lines with Exhibit B spending
    codes: list[str]  # their Exhibit B codes, sorted
    fiscal_years: list[int]  # the FYs with Exhibit B spending
    presented_on: dt.date | None  # the Exhibit C report presented to the governing body
    cycle_years: int  # renew the planning at least this often
    renew_by: dt.date | None  # presented_on + cycle_years
    late: list[int]  # FYs with Exhibit B spending beginning after renew_by (warn)


def render_option_b(status: Status, f: OptionBFacts) -> str:
    codes, cycle = and_list(f["codes"]), f["cycle_years"]
    presented, renew_by = f["presented_on"], f["renew_by"]
    if not f["b_lines"]:
        return (
            "The plan funds no Exhibit B item, so Option A needs no collaborative "
            "strategic planning report."
        )
    if presented is None or renew_by is None:
        return (
            f"{names(f['b_lines'])} fund Exhibit B items ({codes}), but the plan records no "
            "date on which the collaborative strategic planning report and recommendations "
            "(Exhibit C) were presented to the governing body. Present the report before "
            "funding Option B items and record the date."
        )
    if f["late"]:
        return (
            f"Exhibit B spending ({codes}) in {fy_ranges(f['late'])} begins more than "
            f"{cycle} years after the planning report was presented "
            f"({long_date(presented)}): renew the collaborative strategic planning by "
            f"{long_date(renew_by)}."
        )
    return (
        f"Exhibit B items ({codes}) follow the collaborative strategic planning report "
        f"presented on {long_date(presented)}; every FY with Exhibit B spending begins "
        f"within {cycle} years of it (renew by {long_date(renew_by)})."
    )


@rule(
    "MOA-OPTION-B",
    "NC MOA §E.5, Exhibit C; NCACC guidance (repeat at least every 4 years)",
    render_option_b,
)
def check_option_b(c: RuleContext) -> Finding[OptionBFacts]:
    b_lines = [
        (item, line) for item, line in c.spending_lines() if (item.strategy or "").startswith("B:")
    ]
    presented = c.plan.program.presented_on
    cycle = int(c.threshold("option_b.planning_cycle_years"))
    renew_by = None if presented is None else add_years(presented, cycle)
    fys = sorted({fy for _, line in b_lines for fy in c.fys_with_spending(line)})
    facts: OptionBFacts = {
        "b_lines": line_refs(item for item, _ in b_lines),
        "codes": sorted({item.strategy or "" for item, _ in b_lines}),
        "fiscal_years": fys,
        "presented_on": presented,
        "cycle_years": cycle,
        "renew_by": renew_by,
        "late": [fy for fy in fys if renew_by is not None and fy_start(fy) > renew_by],
    }
    if not b_lines:
        return Finding("pass", facts)
    where = ["program.collaborative_planning"]
    if presented is None:
        return Finding("fail", facts, fys, ids(facts["b_lines"]), where)
    if facts["late"]:
        return Finding("warn", facts, facts["late"], ids(facts["b_lines"]), where)
    return Finding("pass", facts)


# ----------------------------------------------------------------------------- MOA-FUND-BALANCE


class FundBalanceFacts(TypedDict):
    """MOA-FUND-BALANCE. Shortfalls are positive amounts below $0."""

    short: list[FyAmount]  # every FY whose closing balance is below $0, and by how much
    first_short: FyAmount | None  # the first of them
    largest_short: FyAmount | None  # the largest shortfall (the earliest FY on a tie)
    lowest: FyAmount  # the lowest closing balance of the plan (the earliest FY on a tie)


def render_fund_balance(status: Status, f: FundBalanceFacts) -> str:
    first, worst = f["first_short"], f["largest_short"]
    if first is None or worst is None:
        low = f["lowest"]
        return (
            f"The fund's closing balance stays at or above $0 in every FY (lowest "
            f"{fmt_money(low['amount'])} in {fy_label(low['fiscal_year'])})."
        )
    message = (
        f"The fund runs short by {fmt_money(first['amount'])} in {fy_label(first['fiscal_year'])}"
    )
    if worst["fiscal_year"] != first["fiscal_year"]:
        message += (
            f"; the largest shortfall is {fmt_money(worst['amount'])} in "
            f"{fy_label(worst['fiscal_year'])}"
        )
    return message + (
        f" ({plural(len(f['short']), 'FY')} below $0). Reduce or end line items, "
        "or add receipts or an opening balance, so that every closing balance is "
        "at least $0."
    )


@rule("MOA-FUND-BALANCE", "NC MOA §D, §E.1", render_fund_balance)
def check_fund_balance(c: RuleContext) -> Finding[FundBalanceFacts]:
    closing = list(zip(c.projection.fiscal_years, c.projection.fund.closing, strict=True))
    short: list[FyAmount] = [
        {"fiscal_year": fy, "amount": -amount} for fy, amount in closing if amount < 0
    ]
    low_fy, low = min(closing, key=lambda pair: pair[1])
    facts: FundBalanceFacts = {
        "short": short,
        "first_short": short[0] if short else None,
        "largest_short": max(short, key=lambda s: s["amount"]) if short else None,
        "lowest": {"fiscal_year": low_fy, "amount": low},
    }
    if short:
        return Finding("fail", facts, [s["fiscal_year"] for s in short], inputs=["fund"])
    return Finding("pass", facts)


# ----------------------------------------------------------------------------- MOA-EXECUTION-DATE


class ExecutionDateFacts(TypedDict):
    """MOA-EXECUTION-DATE."""

    executed_on: dt.date | None  # fund.moa_executed_on
    start_fy: int  # the plan's first FY
    start_day: dt.date  # its July 1
    earliest_start_fy: int | None  # the first FY beginning on or after executed_on


def render_execution_date(status: Status, f: ExecutionDateFacts) -> str:
    executed, earliest = f["executed_on"], f["earliest_start_fy"]
    if executed is None:
        return (
            "The plan does not record when the governing body executed the MOA; costs "
            "incurred before that date cannot be paid from the fund. Enter the execution "
            "date."
        )
    if status == "fail" and earliest is not None:
        return (
            f"The plan's first FY, {fy_label(f['start_fy'])}, begins "
            f"{long_date(f['start_day'])}, before the MOA was executed on "
            f"{long_date(executed)}: costs incurred before then cannot be paid with "
            f"settlement funds. Start the plan in {fy_label(earliest)} or later."
        )
    return (
        f"The MOA was executed on {long_date(executed)}, before the plan's first FY "
        f"({fy_label(f['start_fy'])}) begins."
    )


@rule("MOA-EXECUTION-DATE", "NC MOA §E.1", render_execution_date)
def check_execution_date(c: RuleContext) -> Finding[ExecutionDateFacts]:
    executed = c.plan.fund.moa_executed_on
    first = fy_start(c.plan.start_fy)
    earliest = None
    if executed is not None:
        earliest = fy_of(executed) + (0 if fy_start(fy_of(executed)) == executed else 1)
    facts: ExecutionDateFacts = {
        "executed_on": executed,
        "start_fy": c.plan.start_fy,
        "start_day": first,
        "earliest_start_fy": earliest,
    }
    if executed is None:
        return Finding("warn", facts, inputs=["fund"])
    if first < executed:
        return Finding("fail", facts, [c.plan.start_fy], inputs=["plan.start_fy"])
    return Finding("pass", facts)


# ----------------------------------------------------------------------------- MOA-AUTHORIZATION


class AuthorizationOver(TypedDict):
    """A group of adopted authorizations of one strategy (an original and its overlapping
    supplementals) whose FYs plan more than they authorize (fail)."""

    strategy: str
    authorizations: list[int]  # indices into program.authorizations
    periods: list[Period]
    fiscal_years: list[int]  # the plan FYs any of them covers
    planned: int  # the strategy's spending in those FYs (actual in closed FYs, §11)
    closed_fys: list[int]  # those of the FYs that are closed (their spending is actual)
    authorized: str  # their amounts added up (a decimal string, exact)
    over: str  # planned − authorized (> 0; a decimal string)


class AuthorizationWithin(TypedDict):
    """A group of adopted authorizations whose FYs plan no more than they authorize."""

    strategy: str
    authorizations: list[int]
    periods: list[Period]
    fiscal_years: list[int]
    planned: int
    authorized: str  # a decimal string, as in AuthorizationOver


class UnauthorizedActual(TypedDict):
    """Actual spending of a strategy in a closed FY that no adopted authorization covers
    (fail, MOA §E.6): the amount of the uncovered months."""

    strategy: str
    fiscal_year: int
    amount: int
    months: list[int]  # the uncovered months (authorizations.month_index)


class Uncovered(TypedDict):
    """Spending of a strategy in the current or next FY that no adopted authorization covers
    (warn)."""

    strategy: str
    fiscal_year: int
    amount: int  # round_half_up(the FY's settlement spending × uncovered months / 12)
    months: list[int]  # the uncovered months (authorizations.month_index)
    pending: int | None  # a scheduled (else any) unadopted authorization covering it
    pending_status: str | None  # "scheduled" | "draft"
    pending_amount: Decimal | None
    pending_adopted_on: dt.date | None  # when it is scheduled to be adopted


class OrdinanceMissing(TypedDict):
    """An adopted authorization covering the current or next FY without an adopted budget
    ordinance or settlement project ordinance (warn)."""

    index: int
    strategy: str
    amount: Decimal
    period: Period
    scheduled_on: dt.date | None  # a budget_ordinance_on after as_of


class AuthorizeFix(TypedDict):
    """The page's fix: draft authorizations from the plan's spending by strategy."""

    action: Literal["authorize_fys"]
    first_fy: int
    last_fy: int
    authorizations: list[dict[str, Any]]  # DraftAuthorization.to_document()


class AuthorizationRuleFacts(TypedDict):
    """MOA-AUTHORIZATION."""

    as_of: dt.date
    current_fy: int  # the FY containing as_of; it and the next one need authorizations
    plan_fys: NotRequired[list[int]]  # the plan's FYs (the words name only those)
    titles: dict[str, str]  # each strategy named below, with its title, as the words show it
    authorizations: list[dict[str, Any]]  # AuthorizationFacts.to_dict() of each, in order
    over: list[AuthorizationOver]
    within: list[AuthorizationWithin]
    unauthorized_actuals: list[UnauthorizedActual]
    uncovered: list[Uncovered]
    ordinance_missing: list[int]  # indices, as `ordinance`
    ordinance: list[OrdinanceMissing]
    fix: AuthorizeFix | None  # when some spending is uncovered


def _periods(periods: list[Period]) -> str:
    """Each distinct period once (two resolutions of one period name it once)."""
    texts = [f"{long_date(p['start'])} to {long_date(p['end'])}" for p in periods]
    return and_list(list(dict.fromkeys(texts)))


def _authorization_warnings(f: AuthorizationRuleFacts) -> list[str]:
    warnings = []
    for u in f["uncovered"]:
        text = (
            f"adopt a resolution and budget ordinance naming {f['titles'][u['strategy']]} for "
            f"{fmt_money(u['amount'])} covering "
            f"{_months_text(u.get('months') or [], u['fiscal_year'])}"
        )
        if u["pending_amount"] is not None and u["pending_adopted_on"] is not None:
            text += (
                f" (the resolution of {fmt_money(u['pending_amount'])} is scheduled for "
                f"{long_date(u['pending_adopted_on'])}, not adopted as of "
                f"{long_date(f['as_of'])})"
            )
        elif u["pending_amount"] is not None:
            text += (
                f" (the resolution of {fmt_money(u['pending_amount'])} has no adoption date yet)"
            )
        warnings.append(text)
    for o in f["ordinance"]:
        text = (
            f"adopt the budget ordinance or a settlement project ordinance (G.S. 159-13.2) "
            f"appropriating the {fmt_money(o['amount'])} of {o['strategy']} authorized for "
            f"{_periods([o['period']])}"
        )
        if o["scheduled_on"] is not None:
            text += f" (scheduled for {long_date(o['scheduled_on'])})"
        warnings.append(text)
    return warnings


def _months_text(months: list[int], fy: int) -> str:
    """`FY2026-27`, or `November 1, 2025 to June 30, 2026 (8 months of FY2025-26)`."""
    if len(months) in (0, 12):
        return fy_label(fy)
    spans = and_list(
        [f"{long_date(month_start(a))} to {long_date(month_end(b))}" for a, b in runs(months)]
    )
    return f"{spans} ({plural(len(months), 'month')} of {fy_label(fy)})"


def _spends(o: AuthorizationOver) -> str:
    if len(o["closed_fys"]) == len(o["fiscal_years"]):
        return "spent (actual)"
    return "spends (actual in closed FYs) and plans" if o["closed_fys"] else "plans"


def render_authorization(status: Status, f: AuthorizationRuleFacts) -> str:
    warnings = _authorization_warnings(f)
    current = f["current_fy"]
    if f["over"] or f["unauthorized_actuals"]:
        failures = [
            f"{f['titles'][o['strategy']]} {_spends(o)} {fmt_money(o['planned'])} in "
            f"{fy_ranges(o['fiscal_years'])}, {fmt_money(Decimal(o['over']))} more than the "
            f"{fmt_money(Decimal(o['authorized']))} authorized for {_periods(o['periods'])}: "
            f"amend the resolution and budget ordinance to at least {fmt_money(o['planned'])}, "
            "or reduce the spending"
            for o in f["over"]
        ]
        failures += [
            f"{f['titles'][u['strategy']]} spent {fmt_money(u['amount'])} in "
            f"{fy_label(u['fiscal_year'])} (actual) with no adopted authorization covering that "
            "FY: record the resolution that authorized it, or correct the actuals"
            for u in f["unauthorized_actuals"]
        ]
        message = "; ".join(failures) + "."
        if warnings:
            message += " Also " + "; ".join(warnings) + "."
        return message
    if warnings:
        if f["uncovered"]:
            return (
                "Spending planned for the current or next FY has no adopted authorization: "
                + "; ".join(warnings)
                + "."
            )
        return (
            "The resolutions are adopted, but NC DOJ asks for a budget ordinance too: "
            + "; ".join(warnings)
            + "."
        )
    if f["within"]:
        checked = [
            f"{w['strategy']} {fmt_money(w['planned'])} of "
            f"{fmt_money(Decimal(w['authorized']))} "
            f"({_periods(w['periods'])})"
            for w in f["within"]
        ]
        near = [fy for fy in (current, current + 1) if fy in f.get("plan_fys", [fy])]
        tail = (
            f" {fy_label(near[0])}, the one of the current and next FY inside the plan, is "
            "authorized."
            if near and len(near) == 1
            else f" The current and next FY ({fy_label(current)}, {fy_label(current + 1)}) are "
            "authorized."
            if near
            else " The plan ends before the current FY, so none needs an authorization now."
        )
        return (
            "Planned spending stays within every adopted authorization: "
            + "; ".join(checked)
            + "."
            + tail
        )
    return (
        f"No spending is planned in the current or next FY ({fy_label(current)}, "
        f"{fy_label(current + 1)}), so no authorization is needed yet."
    )


@rule(
    "MOA-AUTHORIZATION",
    "NC MOA §E.6; NC DOJ guidance, Aug 2023 (both a resolution and a budget ordinance)",
    render_authorization,
)
def check_authorization(c: RuleContext) -> Finding[AuthorizationRuleFacts]:
    p = c.projection
    auths = c.plan.program.authorizations
    every_group = authorization_groups(c.plan, p)
    facts = authorization_facts(c.plan, p, c.as_of, every_group)
    adopted = [i for i, f in enumerate(facts) if f.status == ADOPTED]
    # The adopted ones' groups: every authorization's when all are adopted.
    adopted_groups = (
        every_group if len(adopted) == len(auths) else authorization_groups(c.plan, p, adopted)
    )
    over: list[AuthorizationOver] = []
    within: list[AuthorizationWithin] = []
    fail_fys: set[int] = set()
    fail_lines: list[str] = []
    closed_fys = p.actuals.closed_fys if p.actuals else ()

    def lines_of(strategy: str) -> list[str]:
        return [item.id for item in c.plan.line_items if item.strategy == strategy]

    # Adopted authorizations of one strategy whose periods share a month add up (an original
    # and a supplemental): judge each such group once, over the union of their periods, a
    # FY partly inside it prorated by its months (consecutive periods stay apart).
    for found_group in adopted_groups:
        group = found_group.members
        strategy = found_group.strategy
        fys = list(found_group.fiscal_years)
        spent = found_group.planned  # settlement spending, actual in closed FYs (§11, §16)
        amount = found_group.amount
        periods: list[Period] = [{"start": a, "end": b} for a, b in found_group.periods]
        if spent > amount:
            over.append(
                {
                    "strategy": strategy,
                    "authorizations": list(group),
                    "periods": periods,
                    "fiscal_years": fys,
                    "planned": spent,
                    "closed_fys": [fy for fy in fys if fy in closed_fys],
                    "authorized": format(amount, "f"),
                    "over": format(spent - amount, "f"),
                }
            )
            fail_fys.update(fys)
            fail_lines += lines_of(strategy)
        else:
            within.append(
                {
                    "strategy": strategy,
                    "authorizations": list(group),
                    "periods": periods,
                    "fiscal_years": fys,
                    "planned": spent,
                    "authorized": format(amount, "f"),
                }
            )
    unauthorized: list[UnauthorizedActual] = [  # MOA §E.6: spent with no authorization
        {
            "strategy": u["strategy"],
            "fiscal_year": u["fiscal_year"],
            "amount": u["amount"],
            "months": u["months"],
        }
        for u in unauthorized_actuals(p, facts)
    ]
    for u in unauthorized:
        fail_fys.add(u["fiscal_year"])
        fail_lines += lines_of(u["strategy"])
    current = fy_of(c.as_of)
    near_fys = (current, current + 1)
    uncovered: list[Uncovered] = []
    warn_fys: set[int] = set()
    warn_lines: list[str] = []
    for fy in near_fys:
        if fy not in p.fiscal_years:
            continue
        for strategy, values in p.settlement_by_strategy.items():
            spending = values[p.fiscal_years.index(fy)]
            if spending <= 0 or strategy == UNASSIGNED:
                continue
            # Every month of the FY must lie inside an adopted authorization of it.
            missing = uncovered_months(facts, strategy, fy)
            if not missing:
                continue
            covering = [f for f in facts if f.strategy == strategy and set(f.months) & set(missing)]
            pending = next((f for f in covering if f.status == SCHEDULED), None) or next(
                (f for f in covering if f.status != ADOPTED), None
            )
            scheduled = pending is not None and pending.status == SCHEDULED
            uncovered.append(
                {
                    "strategy": strategy,
                    "fiscal_year": fy,
                    "amount": dollars(q(spending) * len(missing) / 12),
                    "months": missing,
                    "pending": None if pending is None else pending.index,
                    "pending_status": None if pending is None else pending.status,
                    "pending_amount": None if pending is None else pending.amount,
                    "pending_adopted_on": auths[pending.index].adopted_on
                    if pending is not None and scheduled
                    else None,
                }
            )
            warn_fys.add(fy)
            warn_lines += lines_of(strategy)
    ordinance: list[OrdinanceMissing] = []
    for f in facts:
        if f.status != ADOPTED or f.budget_ordinance == ADOPTED:
            continue
        near = [fy for fy in f.fiscal_years if fy in near_fys]
        if not near:
            continue
        auth = auths[f.index]
        ordinance.append(
            {
                "index": f.index,
                "strategy": auth.strategy,
                "amount": auth.amount,
                "period": {"start": auth.start, "end": auth.end},
                "scheduled_on": auth.budget_ordinance_on
                if f.budget_ordinance == SCHEDULED
                else None,
            }
        )
        warn_fys.update(near)
        warn_lines += lines_of(auth.strategy)
    fix: AuthorizeFix | None = None
    if uncovered:
        first = min(u["fiscal_year"] for u in uncovered)
        last = max(u["fiscal_year"] for u in uncovered)
        # Drafts for the uncovered months only, one per strategy and run of months.
        wanted = {u["strategy"] for u in uncovered}  # no months: no drafts
        drafts = [
            d
            for strategy in p.settlement_by_strategy
            if strategy in wanted
            for d in authorize_months(
                p,
                strategy,
                [m for u in uncovered if u["strategy"] == strategy for m in u["months"]],
            )
        ]
        fix = {
            "action": "authorize_fys",
            "first_fy": first,
            "last_fy": last,
            "authorizations": [d.to_document() for d in drafts],
        }
    result_facts: AuthorizationRuleFacts = {
        "as_of": c.as_of,
        "current_fy": current,
        "plan_fys": list(p.fiscal_years),
        "titles": {
            s: strategy_title(s, c.tables)
            for s in [o["strategy"] for o in over]
            + [u["strategy"] for u in unauthorized]
            + [u["strategy"] for u in uncovered]
        },
        "authorizations": [f.to_dict() for f in facts],
        "over": over,
        "within": within,
        "unauthorized_actuals": unauthorized,
        "uncovered": uncovered,
        "ordinance_missing": [o["index"] for o in ordinance],
        "ordinance": ordinance,
        "fix": fix,
    }
    if over or unauthorized:
        return Finding(
            "fail",
            result_facts,
            fail_fys | warn_fys,
            fail_lines + warn_lines,
            ["program.authorizations"],
        )
    if uncovered or ordinance:
        return Finding("warn", result_facts, warn_fys, warn_lines, ["program.authorizations"])
    return Finding("pass", result_facts)


# ----------------------------------------------------------------------------- MOA-REPORTING


class ReportDue(TypedDict):
    """One FY's reports and their due date."""

    fiscal_year: int
    due: dt.date
    impact_report: bool  # a FY with spending owes the impact report (Exhibit F) too


class ReportingFacts(TypedDict):
    """MOA-REPORTING."""

    as_of: dt.date
    days_after_fy_end: int  # the reports are due this many days after June 30
    warning_days: int  # warn when the next one is due within this many days
    next: list[ReportDue]  # the next two FYs' reports due on or after as_of
    days_left: int | None  # until the first of them


def render_reporting(status: Status, f: ReportingFacts) -> str:
    if not f["next"]:
        return (
            f"Every report for the plan's FYs was due before {long_date(f['as_of'])}; none "
            "falls due after it."
        )
    parts = [
        f"{fy_label(r['fiscal_year'])} "
        + and_list(
            ["annual financial report (Exhibit E)"]
            + (["impact report (Exhibit F)"] if r["impact_report"] else [])
        )
        + f" due {long_date(r['due'])}"
        for r in f["next"]
    ]
    listed = (
        f"{'; then '.join(parts)} ({f['days_after_fy_end']} days after the FY ends; "
        "guidance often says September 30, but the 90-day date is the deadline)."
    )
    if status == "warn" and f["days_left"] is not None:
        return f"Due in {plural(f['days_left'], 'day')}: {listed} File through CORE-NC."
    return f"Next: {listed}"


@rule("MOA-REPORTING", "NC MOA §F.6", render_reporting)
def check_reporting(c: RuleContext) -> Finding[ReportingFacts]:
    days = int(c.threshold("reporting.days_after_fy_end"))
    warning_days = int(c.threshold("reporting.warning_days"))
    p = c.projection
    listed: list[ReportDue] = []  # the next two FYs' reports due on or after as_of
    for fy, spending in zip(p.fiscal_years, p.settlement_by_year, strict=True):
        due = report_due(fy, c.tables)  # later FYs, later due dates
        if due >= c.as_of:
            listed.append({"fiscal_year": fy, "due": due, "impact_report": spending > 0})
            if len(listed) == 2:
                break
    left = (listed[0]["due"] - c.as_of).days if listed else None
    facts: ReportingFacts = {
        "as_of": c.as_of,
        "days_after_fy_end": days,
        "warning_days": warning_days,
        "next": listed,
        "days_left": left,
    }
    if left is None:
        return Finding("info", facts)
    if left <= warning_days:
        return Finding("warn", facts, [listed[0]["fiscal_year"]])
    return Finding("info", facts, [r["fiscal_year"] for r in listed])


# ----------------------------------------------------------------------------- MOA-INTEREST


class InterestFacts(TypedDict):
    """MOA-INTEREST."""

    total: int  # the projected interest over the plan's FYs
    first_fy: int
    last_fy: int
    rate: Decimal  # fund.interest_rate, a fraction a year


def render_interest(status: Status, f: InterestFacts) -> str:
    return (
        f"The fund earns {fmt_money(f['total'])} of interest from {fy_label(f['first_fy'])} "
        f"to {fy_label(f['last_fy'])} at {fmt_quantity(f['rate'] * 100)}% a year on each "
        "beginning balance. Interest stays in the special revenue fund and may be spent "
        "only on MOA strategies, like the settlement money itself."
    )


@rule("MOA-INTEREST", "NC MOA §D.3", render_interest)
def check_interest(c: RuleContext) -> Finding[InterestFacts]:
    years = c.projection.fiscal_years
    return Finding(
        "info",
        {
            "total": sum(c.projection.fund.interest),
            "first_fy": years[0],
            "last_fy": years[-1],
            "rate": c.plan.fund.interest_rate,
        },
    )


# ----------------------------------------------------------------------------- PLAN-SUSTAINABILITY


class SustainabilityFacts(TypedDict):
    """PLAN-SUSTAINABILITY. The runway is the closing balance of the last FY with receipts
    over the final FY's spending."""

    total_spending: int  # the plan's spending over all its FYs
    last_receipts_fy: int | None  # None: no receipts at all
    closing: int | None  # the closing balance of last_receipts_fy
    final_fy: int
    final_spending: int
    annual_gap: int  # the final FY's spending less its receipts
    runway_years: Decimal | None  # to 0.1, half-up (None when the final FY spends nothing)
    years_to_aim_for: Decimal  # sustainability.years
    first_deficit_fy: int | None  # the fund runs short there (MOA-FUND-BALANCE)


def render_sustainability(status: Status, f: SustainabilityFacts) -> str:
    last, closing = f["last_receipts_fy"], f["closing"]
    need = fmt_quantity(f["years_to_aim_for"])
    if last is None or closing is None:
        return (
            f"The plan has no receipts in its FYs, so the {fmt_money(f['total_spending'])} "
            "of spending rests on the opening balance alone. Enter the settlement receipts "
            "by FY (CORE-NC's payment schedule)."
        )
    after = (
        f"after the last receipts in {fy_label(last)}, the plan spends "
        f"{fmt_money(f['final_spending'])} in its final FY, {fy_label(f['final_fy'])}"
    )
    if closing < 0:
        return (
            f"The fund is already {fmt_money(-closing)} short at the end of "
            f"{fy_label(last)}, the last FY with receipts; {after}, an annual gap of "
            f"{fmt_money(f['annual_gap'])} that other money must fill when the settlement "
            "ends."
        )
    if f["runway_years"] is None:
        return (
            f"The plan spends nothing in its final FY; {fmt_money(closing)} remains after "
            f"the last receipts in {fy_label(last)}."
        )
    text = (
        f"The closing balance of {fmt_money(closing)} in {fy_label(last)} covers "
        f"{f['runway_years']} years of the final FY's spending "
        f"({fmt_money(f['final_spending'])} in {fy_label(f['final_fy'])}); when the "
        f"settlement ends the annual gap is {fmt_money(f['annual_gap'])}"
    )
    if status == "warn":
        return (
            f"{text}, less than the {need} years to aim for. Plan other funding (county "
            "general fund, Medicaid billing, grants) or a reserve."
        )
    if f["first_deficit_fy"] is not None:
        # Said so that this pass cannot read as "the fund lasts" beside a fund-balance fail.
        return (
            f"Only the reserve left after the last receipts passes: {text[0].lower()}"
            f"{text[1:]}, at least the {need} years to aim for. The fund itself does not "
            f"last: it runs short in {fy_label(f['first_deficit_fy'])} (MOA-FUND-BALANCE "
            "fails)."
        )
    return f"{text}: at least the {need} years to aim for."


@rule(
    "PLAN-SUSTAINABILITY",
    "NC MOA §D (the special revenue fund outlives the payments, which end in 2038)",
    render_sustainability,
)
def check_sustainability(c: RuleContext) -> Finding[SustainabilityFacts]:
    p = c.projection
    fund = p.fund
    years = p.fiscal_years
    with_receipts = [k for k, r in enumerate(fund.receipts) if r > 0]
    need = c.threshold("sustainability.years")
    final_spending = fund.spending[-1]  # the fund's (actual in a closed FY, §11)
    last = with_receipts[-1] if with_receipts else None
    closing = None if last is None else fund.closing[last]
    runway = (
        None
        if closing is None or closing < 0 or final_spending <= 0
        else q(closing) / q(final_spending)
    )
    facts: SustainabilityFacts = {
        "total_spending": sum(p.settlement_by_year),  # the fund's part (§16)
        "last_receipts_fy": None if last is None else years[last],
        "closing": closing,
        "final_fy": years[-1],
        "final_spending": final_spending,
        "annual_gap": final_spending - fund.receipts[-1],
        "runway_years": None if runway is None else round_half_up(runway, 1),
        "years_to_aim_for": need,
        "first_deficit_fy": fund.first_deficit_fy,
    }
    if last is None or closing is None:
        return Finding("warn", facts, inputs=["fund"])
    if closing < 0:
        return Finding("warn", facts, [years[last]], inputs=["fund"])
    if runway is None or runway >= q(need):
        return Finding("pass", facts)
    return Finding("warn", facts, [years[last], years[-1]], inputs=["fund"])


# ----------------------------------------------------------------------------- PLAN-RESERVE


class FyHeadroom(TypedDict):
    fiscal_year: int
    amount: int | None  # > 0 can spend more a year, < 0 must cut; None when unknown


class ApplyFitFix(TypedDict):
    """The page's "apply": scale every pathway's referrals by the multiplier found."""

    action: Literal["apply_fit"]
    target: str
    driver: str
    value: str


class ReserveFacts(TypedDict):
    """PLAN-RESERVE (cost model §13). With reserve months 0 only the first two keys."""

    reserve_months: str  # fund.reserve_months, as a decimal string
    below: list[int]  # the open FYs whose closing balance is below their reserve (warn)
    reserves: NotRequired[dict[int, int]]  # each FY's reserve
    lowest_margin: NotRequired[FyAmount]  # pass: the smallest closing − reserve, open FYs
    gaps: NotRequired[dict[int, int]]  # warn: reserve − max(closing, 0) in each FY below
    largest_gap: NotRequired[FyAmount]  # the largest gap (the earliest FY on a tie)
    deficit_fys: NotRequired[list[int]]  # FYs below $0 too (MOA-FUND-BALANCE's)
    referrals_multiplier: NotRequired[str | None]  # the fit: referrals × this keep reserves
    referrals_reason: NotRequired[str | None]  # why there is none
    headroom: NotRequired[FyHeadroom]  # the first open FY's recurring headroom
    fix: NotRequired[ApplyFitFix | None]


def render_reserve(status: Status, f: ReserveFacts) -> str:
    months = fmt_quantity(Decimal(f["reserve_months"]))
    reserves_ = f.get("reserves", {})
    if "reserves" not in f:
        return (
            "The plan keeps no reserve (reserve months 0: it spends the fund down "
            "deliberately), so no FY is judged against one."
        )
    if not f["below"]:
        low = f.get("lowest_margin")
        if low is None:
            return "Every FY of the plan is closed; closed FYs are facts and are not judged."
        return (
            f"Every FY ends with at least its reserve of {months} months of spending; the "
            f"smallest margin is {fmt_money(low['amount'])} above the "
            f"{fmt_money(reserves_[low['fiscal_year']])} reserve in "
            f"{fy_label(low['fiscal_year'])}."
        )
    worst, deficits = f["largest_gap"], f["deficit_fys"]
    message = (
        f"{fy_ranges(f['below'])} {verb(len(f['below']), 'ends', 'end')} below the "
        f"reserve of {months} months of spending; the largest gap below the reserve is "
        f"{fmt_money(worst['amount'])} in {fy_label(worst['fiscal_year'])} (the "
        f"{fmt_money(reserves_[worst['fiscal_year']])} reserve"
    )
    message += (
        f"; {fy_ranges(deficits)} also {verb(len(deficits), 'runs', 'run')} below $0, "
        "see MOA-FUND-BALANCE)."
        if deficits
        else ")."
    )
    can = []
    if f.get("referrals_multiplier") is not None:
        can.append(f"the fund sustains {f['referrals_multiplier']} times the planned referrals")
    room = f["headroom"]
    if room["amount"] is not None:
        amount = room["amount"]
        can.append(
            f"{'spending' if amount >= 0 else 'cutting'} {fmt_money(abs(amount))} a "
            f"year {'more ' if amount >= 0 else ''}from {fy_label(room['fiscal_year'])} "
            "on keeps every reserve"
        )
    if can:
        message += " What the fund can afford: " + "; ".join(can) + "."
    return message + (
        " Reduce or end line items, add receipts, or lower the reserve months if "
        "the governing body chooses to spend the fund down."
    )


@rule(
    "PLAN-RESERVE",
    "GFOA best practice on fund balance (at least two months of regular "
    "expenditures); cost model §13",
    render_reserve,
)
def check_reserve(c: RuleContext) -> Finding[ReserveFacts]:
    months = c.plan.fund.reserve_months
    if months == 0:
        return Finding("pass", {"reserve_months": "0", "below": []})
    fund = c.projection.fund
    years = c.projection.fiscal_years
    reserve = reserves(months, fund.spending)
    first_open = first_open_year(c.plan)
    open_years = range(first_open, len(years))
    below = [k for k in open_years if fund.closing[k] < reserve[k]]
    facts: ReserveFacts = {
        "reserve_months": format(months, "f"),
        "reserves": {years[k]: reserve[k] for k in range(len(years))},
        "below": [years[k] for k in below],
    }
    if not below:
        if open_years:
            k = min(open_years, key=lambda j: fund.closing[j] - reserve[j])
            facts["lowest_margin"] = {
                "fiscal_year": years[k],
                "amount": fund.closing[k] - reserve[k],
            }
        return Finding("pass", facts)
    # The gap below the reserve counts down to $0 only: a deficit below $0 is
    # MOA-FUND-BALANCE's, reported there.
    gaps = {years[k]: reserve[k] - max(fund.closing[k], 0) for k in below}
    worst_fy = max(gaps, key=lambda fy: (gaps[fy], -fy))
    afford = fit(c.plan, REFERRALS, c.projection, headroom_years=[first_open])
    facts.update(
        {
            "gaps": gaps,
            "largest_gap": {"fiscal_year": worst_fy, "amount": gaps[worst_fy]},
            "deficit_fys": [years[k] for k in below if fund.closing[k] < 0],
            "referrals_multiplier": afford.value,
            "referrals_reason": afford.reason,
            "headroom": {"fiscal_year": years[first_open], "amount": afford.headroom[first_open]},
            "fix": (
                None
                if afford.value is None
                else {
                    "action": "apply_fit",
                    "target": REFERRALS,
                    "driver": afford.driver,
                    "value": afford.value,
                }
            ),
        }
    )
    return Finding("warn", facts, facts["below"], inputs=["fund"])


# ----------------------------------------------------------------------------- LEAD-PROGRAM-MANAGER


def _fte_by_fy(c: RuleContext, items: list[LineItem]) -> dict[int, Decimal]:
    line_ids = {i.id for i in items}
    totals = dict.fromkeys(c.projection.fiscal_years, Decimal(0))
    for line in c.projection.line_items:
        if line.id in line_ids:
            for fy, fte in zip(c.projection.fiscal_years, line.fte, strict=True):
                totals[fy] += fte
    return totals


class StaffedRoleFacts(TypedDict):
    """LEAD-PROGRAM-MANAGER and LEAD-DATA-ANALYST: the positions of the role and their FTE."""

    min_fte: Decimal  # the FTE the role needs in every FY
    lines: list[LineRef]  # the positions with the role
    fte_by_fy: dict[int, Decimal]  # their FTE added up, every plan FY
    short: list[int]  # the FYs below min_fte


class ProgramManagerFacts(StaffedRoleFacts):
    independent: bool  # some program manager is employed outside the program's agencies


def _positions(c: RuleContext, role: str) -> list[LineItem]:
    return [
        i
        for i in c.plan.line_items
        if isinstance(i.params, PositionParams) and i.params.role == role
    ]


def _staffed_role(c: RuleContext, items: list[LineItem], need: Decimal) -> StaffedRoleFacts:
    totals = _fte_by_fy(c, items)
    return {
        "min_fte": need,
        "lines": line_refs(items),
        "fte_by_fy": totals,
        "short": [fy for fy, fte in totals.items() if fte < need],
    }


def render_program_manager(status: Status, f: ProgramManagerFacts) -> str:
    need = fmt_fte(f["min_fte"])
    if not f["lines"]:
        return (
            f"The plan funds no program manager. Add a position with role program_manager "
            f"of {need} FTE, employed independently of the police and the case-management "
            "provider."
        )
    problems = []
    if f["short"]:
        problems.append(
            f"the program manager is below {need} FTE in {fy_ranges(f['short'])}: "
            f"fund {need} FTE in every FY"
        )
    if not f["independent"]:
        problems.append(
            "no program manager is marked independent of the program's agencies "
            "(employed outside the police and the provider): set independent"
        )
    if problems:
        message = "; ".join(problems)
        return message[0].upper() + message[1:] + "."
    return (
        f"An independent program manager ({names(f['lines'])}) is funded at {need} FTE or "
        "more in every FY."
    )


@rule("LEAD-PROGRAM-MANAGER", "Duke evaluation brief §V.d", render_program_manager)
def check_program_manager(c: RuleContext) -> Finding[ProgramManagerFacts]:
    managers = _positions(c, "program_manager")
    facts: ProgramManagerFacts = {
        **_staffed_role(c, managers, c.threshold("program_manager.min_fte")),
        "independent": any(_params(i, PositionParams).independent for i in managers),
    }
    if not managers:
        return Finding("warn", facts, c.projection.fiscal_years, inputs=["line:new"])
    line_ids = ids(facts["lines"])
    if facts["short"] or not facts["independent"]:
        return Finding("warn", facts, facts["short"], line_ids, [f"line:{i}" for i in line_ids])
    return Finding("pass", facts, line_items=line_ids)


# ----------------------------------------------------------------------------- LEAD-CASELOAD


class AboveGuidance(TypedDict):
    """A caseload parameter of the line above the LEAD Support Bureau's guidance."""

    field: str  # caseload_average | caseload_max
    value: Decimal
    limit: Decimal


class CaseloadYear(TypedDict):
    """The first FY whose funded FTE carries more than the limits."""

    fiscal_year: int
    fte: Decimal  # funded
    avg_active: Decimal
    peak_active: Decimal
    load_average: Decimal | None  # avg_active ÷ fte (None when no FTE is funded)
    load_peak: Decimal | None
    required_fte: Decimal  # what the limits need
    add_fte: Decimal  # required − funded


class CaseloadFacts(TypedDict):
    """LEAD-CASELOAD. The first case_management line is judged."""

    average_max: Decimal  # caseload.average_max (20)
    max_max: Decimal  # caseload.max_max (25)
    line: LineRef | None  # None: the plan has no case_management line (fail)
    caseload_average: Decimal | None  # the line's
    caseload_max: Decimal | None
    above_guidance: list[AboveGuidance]
    over_fys: list[int]  # FYs whose funded FTE carries more than the line's limits
    first_over: CaseloadYear | None
    raise_max_fte_to: Decimal | None  # the line's max_fte caps it below what a FY needs
    line_runs: tuple[int, int] | None  # the line's FYs, when it does not run in first_over
    peak_fte: Decimal  # the line's largest FTE of any FY


def render_caseload(status: Status, f: CaseloadFacts) -> str:
    line = f["line"]
    if line is None:
        return (
            "The plan has no case_management line, so no case manager serves the "
            f"participants. Add one (caseload average ≤ {fmt_quantity(f['average_max'])}, "
            f"maximum ≤ {fmt_quantity(f['max_max'])})."
        )
    problems = [
        f"its {a['field']} of {fmt_quantity(a['value'])} is above "
        f"{fmt_quantity(a['limit'])}: lower it to {fmt_quantity(a['limit'])}"
        for a in f["above_guidance"]
    ]
    first = f["first_over"]
    if first is not None:
        if first["load_average"] is not None and first["load_peak"] is not None:
            carried = (
                f"{fmt_fte(first['fte'])} FTE carries "
                f"{fmt_quantity(first['load_average'])} average and "
                f"{fmt_quantity(first['load_peak'])} peak participants per case manager"
            )
        else:
            carried = (
                f"no case manager is funded for {fmt_quantity(first['avg_active'])} "
                "average active participants"
            )
        fy = fy_label(first["fiscal_year"])
        fix = f"add {fmt_fte(first['add_fte'])} FTE case manager in {fy}"
        if f["raise_max_fte_to"] is not None:
            fix += f" or raise max_fte to {fmt_fte(f['raise_max_fte_to'])}"
        elif f["line_runs"] is not None:
            start, end = f["line_runs"]
            fix += f" (the line runs {fy_label(start)} to {fy_label(end)})"
        problems.append(
            f"in {fy_ranges(f['over_fys'])} the caseload is above the limits (in "
            f"{fy} {carried}): {fix}"
        )
    if problems:
        return f"Case management {name(line)}: " + "; ".join(problems) + "."
    return (
        f"Case management {name(line)} keeps caseloads within an average of "
        f"{fmt_quantity(f['caseload_average'] or 0)} and a maximum of "
        f"{fmt_quantity(f['caseload_max'] or 0)} in every FY (up to "
        f"{fmt_fte(f['peak_fte'])} FTE)."
    )


@rule(
    "LEAD-CASELOAD",
    "Duke evaluation brief §V.d; LEAD Support Bureau caseload guidance (average ≤ 20, never > 25)",
    render_caseload,
)
def check_caseload(c: RuleContext) -> Finding[CaseloadFacts]:
    average_max = c.threshold("caseload.average_max")
    max_max = c.threshold("caseload.max_max")
    lines = c.plan.lines_of("case_management")
    facts: CaseloadFacts = {
        "average_max": average_max,
        "max_max": max_max,
        "line": None,
        "caseload_average": None,
        "caseload_max": None,
        "above_guidance": [],
        "over_fys": [],
        "first_over": None,
        "raise_max_fte_to": None,
        "line_runs": None,
        "peak_fte": Decimal(0),
    }
    if not lines:
        return Finding("fail", facts, c.projection.fiscal_years, inputs=["line:new"])
    item = lines[0]
    projected = c.projection.line(item.id)
    params = _params(item, CaseManagementParams)
    average, most = params.caseload_average, params.caseload_max
    facts.update(
        {
            "line": line_ref(item),
            "caseload_average": average,
            "caseload_max": most,
            "peak_fte": max(projected.fte) if projected.fte else Decimal(0),
        }
    )
    for field, value, limit in (
        ("caseload_average", average, average_max),
        ("caseload_max", most, max_max),
    ):
        if value > limit:
            facts["above_guidance"].append({"field": field, "value": value, "limit": limit})
    people = c.projection.participants
    ctx = Context.build(c.plan, people)
    over: list[int] = []
    needed: dict[int, Decimal] = {}
    for k, fy in enumerate(c.projection.fiscal_years):
        fte = projected.fte[k]
        if people.avg_active[k] > average * fte or people.peak_active[k] > most * fte:
            over.append(fy)
            required = required_case_manager_fte(item, k, ctx)
            needed[fy] = Decimal(int(required.numerator)) / Decimal(int(required.denominator))
    facts["over_fys"] = over
    if over:
        first = over[0]
        k = c.projection.fiscal_years.index(first)
        fte = projected.fte[k]
        avg, peak = people.avg_active[k], people.peak_active[k]
        facts["first_over"] = {
            "fiscal_year": first,
            "fte": fte,
            "avg_active": avg,
            "peak_active": peak,
            "load_average": avg / fte if fte else None,
            "load_peak": peak / fte if fte else None,
            "required_fte": needed[first],
            "add_fte": needed[first] - fte,
        }
        if params.max_fte is not None and max(needed.values()) > params.max_fte:
            facts["raise_max_fte_to"] = max(needed.values())
        elif not item.active_in(first):
            facts["line_runs"] = (item.start_fy, item.end_fy)
    if facts["above_guidance"] or over:
        return Finding("fail", facts, over, [item.id], [f"line:{item.id}"])
    return Finding("pass", facts, line_items=[item.id])


# ----------------------------------------------------------------------------- LEAD-WARM-HANDOFF


class WarmHandoffFacts(TypedDict):
    """LEAD-WARM-HANDOFF. An on_call line covers its hours plus the business hours its case
    managers already work; coverage is capped at full_hours."""

    lines: list[LineRef]  # the warm_handoff lines
    full_hours: Decimal  # warm_handoff.full_coverage_hours (168)
    coverage: dict[int, Decimal]  # the hours a week covered in each plan FY
    short: list[int]  # the FYs below full_hours
    worst_fy: int | None  # the FY with the least coverage (the earliest on a tie)
    worst_hours: Decimal | None
    worst_share: Decimal | None  # worst_hours ÷ full_hours, a whole percent, half-up


def render_warm_handoff(status: Status, f: WarmHandoffFacts) -> str:
    full = fmt_quantity(f["full_hours"])
    if f["worst_fy"] is None or f["worst_hours"] is None:
        return f"Warm hand-off ({names(f['lines'])}) covers all {full} hours a week in every FY."
    what = f"{fmt_quantity(f['worst_hours'])} of {full} hours, {f['worst_share']}%"
    if not f["lines"]:
        return (
            f"No warm_handoff line: officers have no one to hand a person to ({what}). "
            "Add staffed, on-call or contracted coverage of 168 hours a week."
        )
    return (
        f"Warm hand-off covers {what} in {fy_label(f['worst_fy'])}; coverage is below "
        f"{full} hours in {fy_ranges(f['short'])}. Raise hours_per_week or add on-call or "
        "contracted coverage for nights and weekends."
    )


def _warm_handoff_params(item: LineItem) -> WarmHandoffParams:
    params = item.params
    if not isinstance(params, StaffedParams | OnCallParams | ContractParams):
        raise TypeError(f"line {item.id!r} ({item.kind}) is not a warm hand-off")
    return params


@rule("LEAD-WARM-HANDOFF", 'Duke evaluation brief §V.d ("at all hours")', render_warm_handoff)
def check_warm_handoff(c: RuleContext) -> Finding[WarmHandoffFacts]:
    full = c.threshold("warm_handoff.full_coverage_hours")
    business = c.threshold("warm_handoff.business_hours")
    lines = c.plan.lines_of("warm_handoff")
    coverage: dict[int, Decimal] = {}
    for fy in c.projection.fiscal_years:
        hours = Decimal(0)
        for item in lines:
            if item.active_in(fy):
                params = _warm_handoff_params(item)
                hours += params.hours_per_week
                if isinstance(params, OnCallParams):
                    hours += business
        coverage[fy] = min(hours, full)
    short = [fy for fy, hours in coverage.items() if hours < full]
    worst = min(short, key=lambda fy: coverage[fy]) if short else None
    facts: WarmHandoffFacts = {
        "lines": line_refs(lines),
        "full_hours": full,
        "coverage": coverage,
        "short": short,
        "worst_fy": worst,
        "worst_hours": None if worst is None else coverage[worst],
        # whole percent, half-up like every other figure (money.round_half_up)
        "worst_share": None if worst is None else round_half_up(q(coverage[worst]) / q(full) * 100),
    }
    line_ids = ids(facts["lines"])
    if not short:
        return Finding("pass", facts, line_items=line_ids)
    return Finding("warn", facts, short, line_ids, [f"line:{i}" for i in line_ids] or ["line:new"])


# ---------------------------------------------------------------------------- LEAD-OFFICER-TRAINING

TrainingProblem = Literal["no_officers", "no_initial_hours", "refresher"]


class TrainingLine(LineRef):
    """An officer_training line, its figures and what is wrong with it, in message order."""

    officers: int
    initial_hours: Decimal
    refresher_interval_years: int
    refresher_hours: Decimal
    problems: list[TrainingProblem]


class OfficerTrainingFacts(TypedDict):
    """LEAD-OFFICER-TRAINING."""

    longest_interval_years: int  # officer_training.max_refresher_interval_years
    lines: list[TrainingLine]
    officers: int  # all lines' officers added up


def render_officer_training(status: Status, f: OfficerTrainingFacts) -> str:
    longest = f["longest_interval_years"]
    if not f["lines"]:
        return (
            "The plan trains no officers. Add an officer_training line so every officer "
            "learns harm reduction, substance use disorders and LEAD, with refreshers at "
            f"least every {longest} years."
        )
    problems = []
    for line in f["lines"]:
        for problem in line["problems"]:
            if problem == "no_officers":
                problems.append(f"{name(line)} trains no officers: enter the number of officers")
            elif problem == "no_initial_hours":
                problems.append(f"{name(line)} has no initial training hours")
            else:
                problems.append(
                    f"{name(line)} refreshes every "
                    f"{line['refresher_interval_years']} years with "
                    f"{fmt_quantity(line['refresher_hours'])} hours: refresh at "
                    f"least every {longest} years"
                )
    if problems:
        return "; ".join(problems) + "."
    return (
        f"{plural(f['officers'], 'officer')} ({names(f['lines'])}) are trained in the first "
        f"year and refreshed at least every {longest} years."
    )


@rule("LEAD-OFFICER-TRAINING", "Duke evaluation brief §V.c", render_officer_training)
def check_officer_training(c: RuleContext) -> Finding[OfficerTrainingFacts]:
    longest = int(c.threshold("officer_training.max_refresher_interval_years"))
    lines = c.plan.lines_of("officer_training")
    found: list[TrainingLine] = []
    for item in lines:
        p = _params(item, OfficerTrainingParams)
        problems: list[TrainingProblem] = []
        if p.officers <= 0:
            problems.append("no_officers")
        elif p.initial_hours <= 0:
            problems.append("no_initial_hours")
        if p.refresher_interval_years > longest or p.refresher_hours <= 0:
            problems.append("refresher")
        found.append(
            {
                "id": item.id,
                "label": item.label or "",
                "officers": p.officers,
                "initial_hours": p.initial_hours,
                "refresher_interval_years": p.refresher_interval_years,
                "refresher_hours": p.refresher_hours,
                "problems": problems,
            }
        )
    facts: OfficerTrainingFacts = {
        "longest_interval_years": longest,
        "lines": found,
        "officers": sum(line["officers"] for line in found),
    }
    if not lines:
        return Finding("warn", facts, inputs=["line:new"])
    line_ids = [line["id"] for line in found]
    if any(line["problems"] for line in found):
        return Finding("warn", facts, line_items=line_ids, inputs=[f"line:{i}" for i in line_ids])
    return Finding("pass", facts, line_items=line_ids)


# ----------------------------------------------------------------------------- LEAD-DATA-ANALYST


def render_data_analyst(status: Status, f: StaffedRoleFacts) -> str:
    need = fmt_fte(f["min_fte"])
    if not f["lines"]:
        return (
            f"The plan funds no data analyst. Add a position with role data_analyst of at "
            f"least {need} FTE to collect and analyze LEAD data."
        )
    if f["short"]:
        return (
            f"The data analyst is below {need} FTE in {fy_ranges(f['short'])}: fund at "
            f"least {need} FTE in every FY."
        )
    return f"A data analyst ({names(f['lines'])}) is funded at {need} FTE or more in every FY."


@rule("LEAD-DATA-ANALYST", "Duke evaluation brief §V.f", render_data_analyst)
def check_data_analyst(c: RuleContext) -> Finding[StaffedRoleFacts]:
    facts = _staffed_role(c, _positions(c, "data_analyst"), c.threshold("data_analyst.min_fte"))
    line_ids = ids(facts["lines"])
    if not line_ids:
        return Finding("warn", facts, facts["short"], inputs=["line:new"])
    if facts["short"]:
        return Finding("warn", facts, facts["short"], line_ids, [f"line:{i}" for i in line_ids])
    return Finding("pass", facts, line_items=line_ids)


# ----------------------------------------------------------------------------- LEAD-DATA-COLLECTION

DataGroup = Literal["tracks_all_offers", "tracks_ineligible", "tracks_not_offered"]

DATA_GROUPS: tuple[tuple[DataGroup, str], ...] = (
    (
        "tracks_all_offers",
        "everyone offered a referral, with demographics, referral source, "
        "acceptance and enrollment",
    ),
    ("tracks_ineligible", "people officers wanted to refer but who were ineligible"),
    ("tracks_not_offered", "people with LEAD-eligible charges who were never offered LEAD"),
)


class DataCollectionFacts(TypedDict):
    """LEAD-DATA-COLLECTION: the program.data_collection flags not set, in the spec's order."""

    missing: list[DataGroup]


def render_data_collection(status: Status, f: DataCollectionFacts) -> str:
    if f["missing"]:
        text = dict(DATA_GROUPS)
        return (
            "The data plan does not track "
            + and_list([text[m] for m in f["missing"]])
            + ". Without them the program cannot see or reduce disparities in who is "
            "referred."
        )
    return "The data plan tracks all three groups: " + and_list([t for _, t in DATA_GROUPS]) + "."


@rule("LEAD-DATA-COLLECTION", "Duke evaluation brief §V.f", render_data_collection)
def check_data_collection(c: RuleContext) -> Finding[DataCollectionFacts]:
    missing = [key for key, _ in DATA_GROUPS if not getattr(c.plan.program, key)]
    if missing:
        return Finding("warn", {"missing": missing}, inputs=["program.data_collection"])
    return Finding("pass", {"missing": []})


# ----------------------------------------------------------------------------- LEAD-PHONES


class PhonesFacts(TypedDict):
    """LEAD-PHONES."""

    lines: list[LineRef]  # participant_phones lines with a high_risk_share > 0
    high_risk_share: Decimal | None  # the largest of their shares (a fraction)


def render_phones(status: Status, f: PhonesFacts) -> str:
    if f["high_risk_share"] is None:
        return (
            "No participant_phones line pays for phones: unreliable phone access keeps "
            "participants from staying in touch. Add one for participants at high risk of "
            "disengagement."
        )
    return (
        f"Phones and service are funded for {fmt_quantity(f['high_risk_share'] * 100)}% of "
        f"participants ({names(f['lines'])})."
    )


@rule("LEAD-PHONES", "Duke evaluation brief §V.e", render_phones)
def check_phones(c: RuleContext) -> Finding[PhonesFacts]:
    phones = c.plan.lines_of("participant_phones")
    shares = {i.id: _params(i, ParticipantPhonesParams).high_risk_share for i in phones}
    lines = [i for i in phones if shares[i.id] > 0]
    facts: PhonesFacts = {
        "lines": line_refs(lines),
        "high_risk_share": max((shares[i.id] for i in lines), default=None),
    }
    if not lines:
        return Finding("warn", facts, inputs=[f"line:{i.id}" for i in phones] or ["line:new"])
    return Finding("pass", facts, line_items=ids(facts["lines"]))


# ----------------------------------------------------------------------------- LEAD-SERVICES


class ServicesFacts(TypedDict):
    """LEAD-SERVICES. Categories are SERVICE_CATEGORIES keys (`behavioral_health`)."""

    assessed: dict[str, str]  # category -> adequate | gap (a gap with units > 0)
    missing: list[str]  # the categories not assessed, in SERVICE_CATEGORIES order
    gaps: list[str]  # the assessed categories with a funded gap


def _services_inputs(plan: Plan, missing: list[str]) -> list[str]:
    """Where each unassessed category is fixed, in the categories' order: its line, or a new
    service_gap line for it."""
    found = []
    for category in missing:
        lines = [
            i.id
            for i in plan.lines_of("service_gap")
            if _params(i, ServiceGapParams).category == category
        ]
        found += [f"line:{i}" for i in lines] or [f"line:new:service_gap:{category}"]
    return found


def render_services(status: Status, f: ServicesFacts) -> str:
    def nice(category: str) -> str:
        return category.replace("_", " ")

    if f["missing"]:
        return (
            f"Not yet assessed: {and_list([nice(m) for m in f['missing']])}. For each, add "
            "a service_gap line marked adequate, or gap with the units the county will "
            "fund."
        )
    text = "All six service categories are assessed"
    gaps = [nice(g) for g in f["gaps"]]
    return text + (f"; gaps funded: {and_list(gaps)}." if gaps else "; all are adequate.")


@rule("LEAD-SERVICES", "Duke evaluation brief §II, §V.e", render_services)
def check_services(c: RuleContext) -> Finding[ServicesFacts]:
    assessed: dict[str, str] = {}
    for item in c.plan.lines_of("service_gap"):
        p = _params(item, ServiceGapParams)
        if p.status == "adequate" or (p.status == "gap" and p.units and p.units > 0):
            assessed[p.category] = p.status
    missing = [cat for cat in SERVICE_CATEGORIES if cat not in assessed]
    facts: ServicesFacts = {
        "assessed": assessed,
        "missing": missing,
        "gaps": [cat for cat, s in assessed.items() if s == "gap"],
    }
    if missing:
        return Finding(
            "warn",
            facts,
            line_items=[
                i.id
                for i in c.plan.lines_of("service_gap")
                if _params(i, ServiceGapParams).category in missing
            ],
            inputs=_services_inputs(c.plan, missing),
        )
    return Finding("pass", facts)


# ----------------------------------------------------------------------------- the program flags


class RacialEquityFacts(TypedDict):
    """LEAD-RACIAL-EQUITY: program.equity."""

    goal_stated: bool
    outreach_plan: bool  # an outreach plan for communities of color is written


def render_racial_equity(status: Status, f: RacialEquityFacts) -> str:
    missing = []
    if not f["goal_stated"]:
        missing.append("name racial equity as a goal of the program")
    if not f["outreach_plan"]:
        missing.append("write an outreach plan for communities of color")
    if missing:
        return and_list(missing).capitalize() + "."
    return (
        "Racial equity is a stated goal and the plan has an outreach plan for communities of color."
    )


@rule("LEAD-RACIAL-EQUITY", "Duke evaluation brief §V.a", render_racial_equity)
def check_racial_equity(c: RuleContext) -> Finding[RacialEquityFacts]:
    program = c.plan.program
    facts: RacialEquityFacts = {
        "goal_stated": program.equity_goal_stated,
        "outreach_plan": bool(program.equity_outreach_plan.strip()),
    }
    if not all(facts.values()):
        return Finding("warn", facts, inputs=["program.equity"])
    return Finding("pass", facts)


class EligibilityFacts(TypedDict):
    """LEAD-ELIGIBILITY: program.eligibility."""

    allows_supervised_probation: bool
    narrow_disqualifiers: bool


def render_eligibility(status: Status, f: EligibilityFacts) -> str:
    missing = []
    if not f["allows_supervised_probation"]:
        missing.append("admit people on supervised probation")
    if not f["narrow_disqualifiers"]:
        missing.append("set disqualifying past convictions narrowly")
    if missing:
        return "Make eligibility more inclusive: " + and_list(missing) + "."
    return (
        "Eligibility admits people on supervised probation and keeps disqualifying "
        "convictions narrow."
    )


@rule("LEAD-ELIGIBILITY", "Duke evaluation brief §V.b", render_eligibility)
def check_eligibility(c: RuleContext) -> Finding[EligibilityFacts]:
    program = c.plan.program
    facts: EligibilityFacts = {
        "allows_supervised_probation": program.allows_supervised_probation,
        "narrow_disqualifiers": program.narrow_disqualifiers,
    }
    if not all(facts.values()):
        return Finding("warn", facts, inputs=["program.eligibility"])
    return Finding("pass", facts)


# ------------------------------------------------------------------------- LEAD-COMMUNITY-REFERRALS


class CommunityReferralsFacts(TypedDict):
    """LEAD-COMMUNITY-REFERRALS (information only)."""

    per_year: Decimal  # participants.referrals_per_year.community


def render_community_referrals(status: Status, f: CommunityReferralsFacts) -> str:
    if f["per_year"] > 0:
        return (
            f"{fmt_quantity(f['per_year'])} community referrals a year are planned (the "
            '"Let Everyone Advance with Dignity" pathway).'
        )
    return (
        'No community referrals are planned. The "Let Everyone Advance with Dignity" '
        "pathway lets families, providers and neighbors refer people without police "
        "contact."
    )


@rule("LEAD-COMMUNITY-REFERRALS", "Duke evaluation brief §II, §IV", render_community_referrals)
def check_community_referrals(c: RuleContext) -> Finding[CommunityReferralsFacts]:
    community = c.plan.participants.referrals_per_year["community"]
    facts: CommunityReferralsFacts = {"per_year": community}
    if community > 0:
        return Finding("info", facts)
    return Finding("info", facts, inputs=["participants"])


RULES: tuple[tuple[str, Callable[[_Check], RuleResult]], ...] = (
    ("MOA-STRATEGY", check_strategy),
    ("MOA-OPTION-B", check_option_b),
    ("MOA-FUND-BALANCE", check_fund_balance),
    ("MOA-EXECUTION-DATE", check_execution_date),
    ("MOA-AUTHORIZATION", check_authorization),
    ("MOA-REPORTING", check_reporting),
    ("MOA-INTEREST", check_interest),
    ("PLAN-SUSTAINABILITY", check_sustainability),
    ("FUNDING-SOURCES", check_funding_sources),
    ("PLAN-RESERVE", check_reserve),
    ("MOA-ANNUAL-REPORT", check_annual_report),
    ("LEAD-PROGRAM-MANAGER", check_program_manager),
    ("LEAD-CASELOAD", check_caseload),
    ("LEAD-WARM-HANDOFF", check_warm_handoff),
    ("LEAD-OFFICER-TRAINING", check_officer_training),
    ("LEAD-DATA-ANALYST", check_data_analyst),
    ("LEAD-DATA-COLLECTION", check_data_collection),
    ("LEAD-PHONES", check_phones),
    ("LEAD-SERVICES", check_services),
    ("LEAD-RACIAL-EQUITY", check_racial_equity),
    ("LEAD-ELIGIBILITY", check_eligibility),
    ("LEAD-COMMUNITY-REFERRALS", check_community_referrals),
)


def check_plan(
    plan: Plan,
    projection: Projection,
    tables: CostTables,
    as_of: dt.date,
    *,
    stale_contributions: Iterable[StaleContribution] = (),
) -> tuple[RuleResult, ...]:
    """Every rule, in the spec's order. `stale_contributions`: the web app's findings for
    FUNDING-SOURCES (cost model §17). A plan whose LEAD spending is a contribution to another
    government's program, or that funds no LEAD line, reports each LEAD rule as info."""
    context = _Check(plan, projection, tables, as_of, tuple(stale_contributions))
    scope = lead_scope(plan, projection)
    return tuple(
        lead_scope_result(rule_id, getattr(check, "citation", ""), scope)
        if scope is not None and rule_id.startswith("LEAD-")
        else check(context)
        for rule_id, check in RULES
    )


def counts(results: Iterable[RuleResult]) -> dict[str, int]:
    found: dict[str, int] = dict.fromkeys(STATUSES, 0)
    for result in results:
        found[result.status] += 1
    return found
