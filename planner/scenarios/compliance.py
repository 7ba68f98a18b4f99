"""MOA and LEAD-fidelity compliance checks (spec: compliance_rules.md).

`check_plan(plan, projection, tables, as_of)` returns one result per rule, in the spec's
order. Every rule always reports: a passing rule says what it checked. Thresholds come from
`cost_tables/compliance.toml`; nothing here reads the clock.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .annual_report import check_annual_report, unassigned_actuals, unassigned_text
from .authorizations import (
    ADOPTED,
    SCHEDULED,
    AuthorizationFacts,
    authorization_facts,
    authorize_fys,
    covered_fys,  # noqa: F401 - part of this module's interface (summaries, tests)
    planned_spending,  # noqa: F401 - part of this module's interface
    spending_in,
    unauthorized_actuals,
)
from .fiscal import fy_end, fy_label, fy_of, fy_start
from .fit import REFERRALS, first_open_year, fit, reserves
from .lines import Context, required_case_manager_fte
from .money import fmt_fte, fmt_money, fmt_quantity
from .plan import SERVICE_CATEGORIES, LineItem, Plan
from .projection import UNASSIGNED, Projection
from .tables import CostTables

COMPLIANCE_SCHEMA = "lead-compliance/1"
STATUSES = ("pass", "warn", "fail", "info")

EXHIBIT_A = re.compile(r"^A:(\d{1,2})$")
EXHIBIT_B = re.compile(r"^B:([A-L])\.(\d+)(?:\.(\d+))?$")


@dataclass(frozen=True)
class RuleResult:
    rule: str
    status: str
    message: str
    fiscal_years: tuple[int, ...]
    line_items: tuple[str, ...]
    citation: str
    # Where a user changes the plan to fix it: "line:<id>", "fund", "participants",
    # "program.authorizations", … (the web page links to these; not part of the JSON).
    inputs: tuple[str, ...] = field(default=(), compare=False)
    # The figures behind the message, for pages to show and act on (FYs, amounts, lines,
    # the fix); not part of the lead-compliance/1 JSON, whose shape the spec fixes.
    facts: dict[str, Any] = field(default_factory=dict, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "status": self.status,
            "message": self.message,
            "fiscal_years": list(self.fiscal_years),
            "line_items": list(self.line_items),
            "citation": self.citation,
        }


def compliance_to_dict(results: Iterable[RuleResult], as_of: dt.date) -> dict[str, Any]:
    return {"schema": COMPLIANCE_SCHEMA, "as_of": as_of.isoformat(),
            "results": [r.to_dict() for r in results]}


# ----------------------------------------------------------------------------- text helpers

def fy_ranges(fiscal_years: Iterable[int]) -> str:
    """[2029, 2030, 2031, 2034] -> "FY2029-30 to FY2031-32 and FY2034-35"."""
    years = sorted(set(fiscal_years))
    runs: list[tuple[int, int]] = []
    for fy in years:
        if runs and fy == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], fy)
        else:
            runs.append((fy, fy))
    parts = [fy_label(a) if a == b else f"{fy_label(a)} to {fy_label(b)}" for a, b in runs]
    return _and(parts)


def _and(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def _date(day: dt.date) -> str:
    return f"{calendar.month_name[day.month]} {day.day}, {day.year}"


def _names(lines: Iterable[LineItem]) -> str:
    return _and([f"'{line.label or line.id}'" for line in lines])


def _plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{count} {word if count == 1 else (plural or word + 's')}"


def strategy_title(code: str | None, tables: CostTables) -> str:
    """`A:10 Criminal justice diversion programs` — a code is shown with its title."""
    if not code:
        return "no strategy"
    title = tables.strategy_title(code)
    return f"{code} {title}" if title else code


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # February 29 in a year that has none
        return day.replace(year=day.year + years, day=28)


# ----------------------------------------------------------------------------- the checks

@dataclass
class _Check:
    plan: Plan
    projection: Projection
    tables: CostTables
    as_of: dt.date

    def threshold(self, key: str) -> Decimal:
        return self.tables.threshold(key)

    def spending_lines(self) -> list[tuple[LineItem, Any]]:
        return [(item, line) for item, line in zip(self.plan.line_items,
                                                   self.projection.line_items, strict=True)
                if line.total > 0]

    def fys_with_spending(self, line: Any) -> tuple[int, ...]:
        return tuple(fy for fy, amount in zip(self.projection.fiscal_years, line.by_year,
                                              strict=True) if amount > 0)


def _result(rule: str, status: str, message: str, citation: str, *,
            fiscal_years: Iterable[int] = (), line_items: Iterable[str] = (),
            inputs: Iterable[str] = (), facts: dict[str, Any] | None = None) -> RuleResult:
    return RuleResult(rule, status, message, tuple(sorted(set(fiscal_years))),
                      tuple(dict.fromkeys(line_items)), citation, tuple(inputs), facts or {})


def check_strategy(c: _Check) -> RuleResult:
    citation = "NC MOA §E.6(b)(ii)"
    known_b = {item.code: item for item in c.tables.exhibit_b}
    missing, malformed, unlisted, used = [], [], [], {}
    fys: set[int] = set()
    for item, line in c.spending_lines():
        code = item.strategy
        a = EXHIBIT_A.match(code or "")
        b = EXHIBIT_B.match(code or "")
        if not code:
            missing.append(item)
        elif a and 1 <= int(a.group(1)) <= len(c.tables.exhibit_a):
            used[code] = strategy_title(code, c.tables)
            continue
        elif b and code in known_b:
            entry = known_b[code]
            note = "" if entry.verified else " (list row not yet checked against the MOA text)"
            used[code] = f"{code} {entry.summary}{note}"
            continue
        elif b:
            unlisted.append(item)
            used[code] = code
            fys.update(c.fys_with_spending(line))
            continue
        else:
            malformed.append(item)
        fys.update(c.fys_with_spending(line))
    problems = missing + malformed
    unassigned = unassigned_actuals(c.plan)  # actual spending with no strategy (§11)
    if unassigned and not problems:
        return _result("MOA-STRATEGY", "fail", unassigned_text(unassigned)[0].upper()
                       + unassigned_text(unassigned)[1:] + ".", citation,
                       fiscal_years=[u["fiscal_year"] for u in unassigned], inputs=["actuals"],
                       facts={"unassigned_actuals": unassigned})
    if problems:
        parts = []
        if missing:
            parts.append(f"{_names(missing)} {'has' if len(missing) == 1 else 'have'} no "
                         "strategy code")
        if malformed:
            parts.append(_and([f"'{i.label or i.id}' has '{i.strategy}', which is not an "
                               "Exhibit A or B code" for i in malformed]))
        message = (f"{'; '.join(parts)}. Every line with spending must name an MOA strategy: "
                   f"an Exhibit A code (A:1 to A:{len(c.tables.exhibit_a)}; LEAD is A:10) or an "
                   "Exhibit B item such as B:D.1.4.")
        if unassigned:
            message += f" Also {unassigned_text(unassigned)}."
            fys.update(u["fiscal_year"] for u in unassigned)
        return _result("MOA-STRATEGY", "fail", message, citation, fiscal_years=fys,
                       line_items=[i.id for i in problems],
                       inputs=[f"line:{i.id}" for i in problems]
                       + (["actuals"] if unassigned else []),
                       facts={"unassigned_actuals": unassigned})
    if unlisted:
        message = (_and([f"'{i.label or i.id}' names {i.strategy}" for i in unlisted]) +
                   ", a well-formed Exhibit B code that is not in the shipped item list: check "
                   "it against the current Exhibit B.")
        return _result("MOA-STRATEGY", "warn", message, citation, fiscal_years=fys,
                       line_items=[i.id for i in unlisted],
                       inputs=[f"line:{i.id}" for i in unlisted])
    count = len(c.spending_lines())
    if not count:
        return _result("MOA-STRATEGY", "pass", "No line item has spending yet, so no strategy "
                       "code is needed.", citation)
    message = (f"All {_plural(count, 'line item')} with spending name an MOA strategy: "
               f"{'; '.join(used.values())}.")
    return _result("MOA-STRATEGY", "pass", message, citation)


def _b_lines(c: _Check) -> list[tuple[LineItem, Any]]:
    return [(item, line) for item, line in c.spending_lines()
            if (item.strategy or "").startswith("B:")]


def check_option_b(c: _Check) -> RuleResult:
    citation = "NC MOA §E.5, Exhibit C; NCACC guidance (repeat at least every 4 years)"
    b_lines = _b_lines(c)
    if not b_lines:
        return _result("MOA-OPTION-B", "pass", "The plan funds no Exhibit B item, so Option A "
                       "needs no collaborative strategic planning report.", citation)
    codes = _and(sorted({item.strategy or "" for item, _ in b_lines}))
    ids = [item.id for item, _ in b_lines]
    fys = {fy for _, line in b_lines for fy in c.fys_with_spending(line)}
    presented = c.plan.program.presented_on
    if presented is None:
        return _result(
            "MOA-OPTION-B", "fail",
            f"{_names([i for i, _ in b_lines])} fund Exhibit B items ({codes}), but the plan "
            "records no date on which the collaborative strategic planning report and "
            "recommendations (Exhibit C) were presented to the governing body. Present the "
            "report before funding Option B items and record the date.",
            citation, fiscal_years=fys, line_items=ids, inputs=["program.collaborative_planning"])
    cycle = int(c.threshold("option_b.planning_cycle_years"))
    renew_by = add_years(presented, cycle)
    late = sorted(fy for fy in fys if fy_start(fy) > renew_by)
    if late:
        return _result(
            "MOA-OPTION-B", "warn",
            f"Exhibit B spending ({codes}) in {fy_ranges(late)} begins more than {cycle} years "
            f"after the planning report was presented ({_date(presented)}): renew the "
            f"collaborative strategic planning by {_date(renew_by)}.",
            citation, fiscal_years=late, line_items=ids, inputs=["program.collaborative_planning"])
    return _result(
        "MOA-OPTION-B", "pass",
        f"Exhibit B items ({codes}) follow the collaborative strategic planning report presented "
        f"on {_date(presented)}; every FY with Exhibit B spending begins within {cycle} years "
        f"of it (renew by {_date(renew_by)}).", citation)


def check_fund_balance(c: _Check) -> RuleResult:
    citation = "NC MOA §D, §E.1"
    fund = c.projection.fund
    years = c.projection.fiscal_years
    short = [(fy, closing) for fy, closing in zip(years, fund.closing, strict=True) if closing < 0]
    if short:
        first_fy, first = short[0]
        worst_fy, worst = min(short, key=lambda pair: pair[1])
        message = (f"The fund runs short by {fmt_money(-first)} in {fy_label(first_fy)}")
        if worst_fy != first_fy:
            message += (f"; the largest shortfall is {fmt_money(-worst)} in "
                        f"{fy_label(worst_fy)}")
        message += (f" ({_plural(len(short), 'FY')} below $0). Reduce or end line items, or "
                    "add receipts or an opening balance, so that every closing balance is at "
                    "least $0.")
        return _result("MOA-FUND-BALANCE", "fail", message, citation,
                       fiscal_years=[fy for fy, _ in short], inputs=["fund"])
    low_fy, low = min(zip(years, fund.closing, strict=True), key=lambda pair: pair[1])
    return _result("MOA-FUND-BALANCE", "pass",
                   f"The fund's closing balance stays at or above $0 in every FY (lowest "
                   f"{fmt_money(low)} in {fy_label(low_fy)}).", citation)


def check_execution_date(c: _Check) -> RuleResult:
    citation = "NC MOA §E.1"
    executed = c.plan.fund.moa_executed_on
    first = fy_start(c.plan.start_fy)
    if executed is None:
        return _result("MOA-EXECUTION-DATE", "warn",
                       "The plan does not record when the governing body executed the MOA; "
                       "costs incurred before that date cannot be paid from the fund. Enter "
                       "the execution date.", citation, inputs=["fund"])
    if first < executed:
        return _result(
            "MOA-EXECUTION-DATE", "fail",
            f"The plan's first FY, {fy_label(c.plan.start_fy)}, begins {_date(first)}, before "
            f"the MOA was executed on {_date(executed)}: costs incurred before then cannot be "
            f"paid with settlement funds. Start the plan in {fy_label(fy_of(executed) + 1)} or "
            "later.", citation, fiscal_years=[c.plan.start_fy], inputs=["plan.start_fy"])
    return _result("MOA-EXECUTION-DATE", "pass",
                   f"The MOA was executed on {_date(executed)}, before the plan's first FY "
                   f"({fy_label(c.plan.start_fy)}) begins.", citation)


def check_authorization(c: _Check) -> RuleResult:
    citation = "NC MOA §E.6; NC DOJ guidance, Aug 2023 (both a resolution and a budget ordinance)"
    p = c.projection
    auths = c.plan.program.authorizations
    facts = authorization_facts(c.plan, p, c.as_of)
    adopted = [i for i, f in enumerate(facts) if f.status == ADOPTED]
    failures, checked = [], []
    over: list[dict[str, Any]] = []
    fail_fys: set[int] = set()
    fail_lines: list[str] = []
    seen: set[tuple[int, ...]] = set()
    # Adopted authorizations of one strategy whose periods overlap add up (an original and
    # a supplemental): judge each such group once, over the FYs any of them covers.
    for i in adopted:
        group = _adopted_group(i, adopted, facts)
        if group in seen:
            continue
        seen.add(group)
        auth = auths[i]
        fys = sorted({fy for j in group for fy in facts[j].fiscal_years})
        spent = spending_in(p, auth.strategy, fys)  # actual in closed FYs (§11)
        amount = sum((auths[j].amount for j in group), Decimal(0))
        shown = int(amount) if amount == int(amount) else amount
        period = _and([f"{_date(auths[j].start)} to {_date(auths[j].end)}" for j in group])
        if spent > amount:
            closed = [fy for fy in fys if fy in (p.actuals.closed_fys if p.actuals else ())]
            verb = ("spent (actual)" if len(closed) == len(fys) else
                    "spends (actual in closed FYs) and plans" if closed else "plans")
            failures.append(
                f"{strategy_title(auth.strategy, c.tables)} {verb} {fmt_money(spent)} in "
                f"{fy_ranges(fys)}, {fmt_money(spent - amount)} more than the "
                f"{fmt_money(shown)} authorized for {period}: amend the resolution and budget "
                f"ordinance to at least {fmt_money(spent)}, or reduce the spending")
            over.append({"strategy": auth.strategy, "authorizations": list(group),
                         "fiscal_years": fys, "planned": spent,
                         "authorized": format(amount, "f"),
                         "over": format(spent - amount, "f")})
            fail_fys.update(fys)
            fail_lines += [item.id for item in c.plan.line_items
                           if item.strategy == auth.strategy]
        else:
            checked.append(f"{auth.strategy} {fmt_money(spent)} of {fmt_money(shown)} "
                           f"({period})")
    unauthorized = unauthorized_actuals(p, facts)  # MOA §E.6: spent with no authorization
    for item in unauthorized:
        failures.append(
            f"{strategy_title(item['strategy'], c.tables)} spent {fmt_money(item['amount'])} "
            f"in {fy_label(item['fiscal_year'])} (actual) with no adopted authorization "
            "covering that FY: record the resolution that authorized it, or correct the "
            "actuals")
        fail_fys.add(item["fiscal_year"])
        fail_lines += [i.id for i in c.plan.line_items if i.strategy == item["strategy"]]
    current = fy_of(c.as_of)
    warnings: list[str] = []
    uncovered: list[dict[str, Any]] = []
    warn_fys: set[int] = set()
    warn_lines: list[str] = []
    for fy in (current, current + 1):
        if fy not in p.fiscal_years:
            continue
        for strategy, values in p.by_strategy.items():
            amount = values[p.fiscal_years.index(fy)]
            if amount <= 0 or strategy == UNASSIGNED:
                continue
            covering = [f for f in facts if f.strategy == strategy and fy in f.fiscal_years]
            if any(f.status == ADOPTED for f in covering):
                continue
            pending = next((f for f in covering if f.status == SCHEDULED), None) or next(
                iter(covering), None)
            text = (f"adopt a resolution and budget ordinance naming "
                    f"{strategy_title(strategy, c.tables)} for {fmt_money(amount)} covering "
                    f"{fy_label(fy)}")
            if pending is not None and pending.status == SCHEDULED:
                day = auths[pending.index].adopted_on
                assert day is not None  # noqa: S101 - scheduled means dated
                text += (f" (the resolution of {fmt_money(pending.amount)} is scheduled for "
                         f"{_date(day)}, not adopted as of {_date(c.as_of)})")
            elif pending is not None:
                text += (f" (the resolution of {fmt_money(pending.amount)} has no adoption "
                         "date yet)")
            warnings.append(text)
            uncovered.append({"strategy": strategy, "fiscal_year": fy, "amount": amount,
                              "pending": None if pending is None else pending.index,
                              "pending_status": None if pending is None else pending.status})
            warn_fys.add(fy)
            warn_lines += [item.id for item in c.plan.line_items if item.strategy == strategy]
    ordinance: list[int] = []
    for f in facts:
        if f.status != ADOPTED or f.budget_ordinance == ADOPTED:
            continue
        near = [fy for fy in f.fiscal_years if fy in (current, current + 1)]
        if not near:
            continue
        auth = auths[f.index]
        text = (f"adopt the budget ordinance or a settlement project ordinance (G.S. 159-13.2) "
                f"appropriating the {fmt_money(auth.amount)} of {auth.strategy} authorized for "
                f"{_date(auth.start)} to {_date(auth.end)}")
        if f.budget_ordinance == SCHEDULED and auth.budget_ordinance_on is not None:
            text += f" (scheduled for {_date(auth.budget_ordinance_on)})"
        warnings.append(text)
        ordinance.append(f.index)
        warn_fys.update(near)
        warn_lines += [item.id for item in c.plan.line_items if item.strategy == auth.strategy]
    fix: dict[str, Any] | None = None
    if uncovered:
        first = min(u["fiscal_year"] for u in uncovered)
        last = max(u["fiscal_year"] for u in uncovered)
        strategies = {u["strategy"] for u in uncovered}
        drafts = [d for d in authorize_fys(c.plan, p, first, last) if d.strategy in strategies]
        fix = {"action": "authorize_fys", "first_fy": first, "last_fy": last,
               "authorizations": [d.to_document() for d in drafts]}
    result_facts = {"authorizations": [f.to_dict() for f in facts], "over": over,
                    "uncovered": uncovered, "ordinance_missing": ordinance, "fix": fix,
                    "unauthorized_actuals": unauthorized}
    if failures:
        message = "; ".join(failures) + "."
        if warnings:
            message += " Also " + "; ".join(warnings) + "."
        return _result("MOA-AUTHORIZATION", "fail", message, citation,
                       fiscal_years=fail_fys | warn_fys, line_items=fail_lines + warn_lines,
                       inputs=["program.authorizations"], facts=result_facts)
    if warnings:
        if uncovered:
            message = ("Spending planned for the current or next FY has no adopted "
                       "authorization: " + "; ".join(warnings) + ".")
        else:
            message = ("The resolutions are adopted, but NC DOJ asks for a budget ordinance "
                       "too: " + "; ".join(warnings) + ".")
        return _result("MOA-AUTHORIZATION", "warn", message, citation, fiscal_years=warn_fys,
                       line_items=warn_lines, inputs=["program.authorizations"],
                       facts=result_facts)
    if checked:
        message = ("Planned spending stays within every adopted authorization: "
                   + "; ".join(checked) + f". The current and next FY ({fy_label(current)}, "
                   f"{fy_label(current + 1)}) are authorized.")
    else:
        message = (f"No spending is planned in the current or next FY ({fy_label(current)}, "
                   f"{fy_label(current + 1)}), so no authorization is needed yet.")
    return _result("MOA-AUTHORIZATION", "pass", message, citation, facts=result_facts)


def _adopted_group(i: int, adopted: list[int], facts: tuple[AuthorizationFacts, ...]
                   ) -> tuple[int, ...]:
    """Authorization i and the adopted ones of its strategy whose FYs overlap it, directly
    or through another (a chain of supplementals)."""
    group, frontier = {i}, [i]
    while frontier:
        here = facts[frontier.pop()]
        for j in adopted:
            other = facts[j]
            if j not in group and other.strategy == here.strategy \
                    and set(other.fiscal_years) & set(here.fiscal_years):
                group.add(j)
                frontier.append(j)
    return tuple(sorted(group))


def report_due(fy: int, days: int) -> dt.date:
    return fy_end(fy) + dt.timedelta(days=days)


def check_reporting(c: _Check) -> RuleResult:
    citation = "NC MOA §F.6"
    days = int(c.threshold("reporting.days_after_fy_end"))
    warning_days = int(c.threshold("reporting.warning_days"))
    p = c.projection
    upcoming = []
    for fy, spending in zip(p.fiscal_years, p.by_year, strict=True):
        due = report_due(fy, days)
        if due >= c.as_of:
            reports = ["annual financial report (Exhibit E)"]
            if spending > 0:
                reports.append("impact report (Exhibit F)")
            upcoming.append((due, fy, reports))
    if not upcoming:
        return _result("MOA-REPORTING", "info",
                       f"Every report for the plan's FYs was due before {_date(c.as_of)}; "
                       "none falls due after it.", citation)
    listed = upcoming[:2]
    parts = [f"{fy_label(fy)} {_and(reports)} due {_date(due)}" for due, fy, reports in listed]
    due, fy, _ = listed[0]
    left = (due - c.as_of).days
    message = (f"Next: {'; then '.join(parts)} ({days} days after the FY ends; guidance often "
               "says September 30, but the 90-day date is the deadline).")
    if left <= warning_days:
        message = (f"Due in {_plural(left, 'day')}: " + message[len('Next: '):]
                   + " File through CORE-NC.")
        return _result("MOA-REPORTING", "warn", message, citation, fiscal_years=[fy])
    return _result("MOA-REPORTING", "info", message, citation,
                   fiscal_years=[f for _, f, _ in listed])


def check_interest(c: _Check) -> RuleResult:
    fund = c.projection.fund
    total = sum(fund.interest)
    years = c.projection.fiscal_years
    message = (f"The fund earns {fmt_money(total)} of interest from {fy_label(years[0])} to "
               f"{fy_label(years[-1])} at {fmt_quantity(c.plan.fund.interest_rate * 100)}% a "
               "year on each beginning balance. Interest stays in the special revenue fund and "
               "may be spent only on MOA strategies, like the settlement money itself.")
    return _result("MOA-INTEREST", "info", message, "NC MOA §D.3")


def check_sustainability(c: _Check) -> RuleResult:
    citation = "NC MOA §D (the special revenue fund outlives the payments, which end in 2038)"
    p = c.projection
    fund = p.fund
    years = p.fiscal_years
    with_receipts = [k for k, r in enumerate(fund.receipts) if r > 0]
    need = c.threshold("sustainability.years")
    final_spending = fund.spending[-1]  # the fund's (actual in a closed FY, §11)
    if not with_receipts:
        return _result("PLAN-SUSTAINABILITY", "warn",
                       f"The plan has no receipts in its FYs, so the {fmt_money(p.total)} of "
                       "spending rests on the opening balance alone. Enter the settlement "
                       "receipts by FY (CORE-NC's payment schedule).", citation, inputs=["fund"])
    last = with_receipts[-1]
    closing = fund.closing[last]
    gap = final_spending - fund.receipts[-1]
    after = (f"after the last receipts in {fy_label(years[last])}, the plan spends "
             f"{fmt_money(final_spending)} in its final FY, {fy_label(years[-1])}")
    if closing < 0:
        return _result(
            "PLAN-SUSTAINABILITY", "warn",
            f"The fund is already {fmt_money(-closing)} short at the end of "
            f"{fy_label(years[last])}, the last FY with receipts; {after}, an annual gap of "
            f"{fmt_money(gap)} that other money must fill when the settlement ends.",
            citation, fiscal_years=[years[last]], inputs=["fund"])
    if final_spending <= 0:
        return _result("PLAN-SUSTAINABILITY", "pass",
                       f"The plan spends nothing in its final FY; {fmt_money(closing)} remains "
                       f"after the last receipts in {fy_label(years[last])}.", citation)
    runway = Decimal(closing) / Decimal(final_spending)
    runway_text = runway.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    text = (f"The closing balance of {fmt_money(closing)} in {fy_label(years[last])} covers "
            f"{runway_text} years of the final FY's spending "
            f"({fmt_money(final_spending)} in {fy_label(years[-1])}); when the settlement ends "
            f"the annual gap is {fmt_money(gap)}")
    if runway < need:
        return _result("PLAN-SUSTAINABILITY", "warn",
                       f"{text}, less than the {fmt_quantity(need)} years to aim for. Plan "
                       "other funding (county general fund, Medicaid billing, grants) or a "
                       "reserve.", citation, fiscal_years=[years[last], years[-1]],
                       inputs=["fund"])
    message = f"{text}: at least the {fmt_quantity(need)} years to aim for."
    if fund.first_deficit_fy is not None:
        # Said so that this pass cannot read as "the fund lasts" beside a fund-balance fail.
        message = (f"Only the reserve left after the last receipts passes: {text[0].lower()}"
                   f"{text[1:]}, at least the {fmt_quantity(need)} years to aim for. The fund "
                   f"itself does not last: it runs short in {fy_label(fund.first_deficit_fy)} "
                   "(MOA-FUND-BALANCE fails).")
    return _result("PLAN-SUSTAINABILITY", "pass", message, citation)


def check_reserve(c: _Check) -> RuleResult:
    citation = ("GFOA best practice on fund balance (at least two months of regular "
                "expenditures); cost model §13")
    months = c.plan.fund.reserve_months
    months_text = fmt_quantity(months)
    if months == 0:
        return _result("PLAN-RESERVE", "pass",
                       "The plan keeps no reserve (reserve months 0: it spends the fund down "
                       "deliberately), so no FY is judged against one.", citation,
                       facts={"reserve_months": "0", "below": []})
    fund = c.projection.fund
    years = c.projection.fiscal_years
    reserve = reserves(months, fund.spending)
    first_open = first_open_year(c.plan)
    open_years = range(first_open, len(years))
    below = [k for k in open_years if fund.closing[k] < reserve[k]]
    facts: dict[str, Any] = {
        "reserve_months": format(months, "f"),
        "reserves": {years[k]: reserve[k] for k in range(len(years))},
        "below": [years[k] for k in below],
    }
    if not below:
        if not open_years:
            return _result("PLAN-RESERVE", "pass", "Every FY of the plan is closed; closed FYs "
                           "are facts and are not judged.", citation, facts=facts)
        k = min(open_years, key=lambda j: fund.closing[j] - reserve[j])
        facts["lowest_margin"] = {"fiscal_year": years[k],
                                  "amount": fund.closing[k] - reserve[k]}
        return _result(
            "PLAN-RESERVE", "pass",
            f"Every FY ends with at least its reserve of {months_text} months of spending; the "
            f"smallest margin is {fmt_money(fund.closing[k] - reserve[k])} above the "
            f"{fmt_money(reserve[k])} reserve in {fy_label(years[k])}.", citation, facts=facts)
    # The gap below the reserve counts down to $0 only: a deficit below $0 is
    # MOA-FUND-BALANCE's, reported there.
    gaps = {years[k]: reserve[k] - max(fund.closing[k], 0) for k in below}
    deficits = [years[k] for k in below if fund.closing[k] < 0]
    worst_fy = max(gaps, key=lambda fy: (gaps[fy], -fy))
    afford = fit(c.plan, REFERRALS, c.projection, headroom_years=[first_open])
    room = afford.headroom[first_open]
    facts.update({
        "gaps": gaps, "largest_gap": {"fiscal_year": worst_fy, "amount": gaps[worst_fy]},
        "deficit_fys": deficits,
        "referrals_multiplier": afford.value, "referrals_reason": afford.reason,
        "headroom": {"fiscal_year": years[first_open], "amount": room},
        # The page's "apply": scale every pathway's referrals by the multiplier found.
        "fix": (None if afford.value is None else
                {"action": "apply_fit", "target": REFERRALS, "driver": afford.driver,
                 "value": afford.value}),
    })
    message = (f"{fy_ranges(facts['below'])} {'ends' if len(below) == 1 else 'end'} below the "
               f"reserve of {months_text} months of spending; the largest gap below the "
               f"reserve is {fmt_money(gaps[worst_fy])} in {fy_label(worst_fy)} (the "
               f"{fmt_money(reserve[years.index(worst_fy)])} reserve")
    message += (f"; {fy_ranges(deficits)} also {'runs' if len(deficits) == 1 else 'run'} "
                "below $0, see MOA-FUND-BALANCE)." if deficits else ").")
    can = []
    if afford.value is not None:
        can.append(f"the fund sustains {afford.value} times the planned referrals")
    if room is not None:
        start = fy_label(years[first_open])
        can.append(f"{'spending' if room >= 0 else 'cutting'} {fmt_money(abs(room))} a year "
                   f"{'more ' if room >= 0 else ''}from {start} on keeps every reserve")
    if can:
        message += " What the fund can afford: " + "; ".join(can) + "."
    message += (" Reduce or end line items, add receipts, or lower the reserve months if the "
                "governing body chooses to spend the fund down.")
    return _result("PLAN-RESERVE", "warn", message, citation, fiscal_years=facts["below"],
                   inputs=["fund"], facts=facts)


def _fte_by_fy(c: _Check, items: list[LineItem]) -> dict[int, Decimal]:
    ids = {i.id for i in items}
    totals = dict.fromkeys(c.projection.fiscal_years, Decimal(0))
    for line in c.projection.line_items:
        if line.id in ids:
            for fy, fte in zip(c.projection.fiscal_years, line.fte, strict=True):
                totals[fy] += fte
    return totals


def check_program_manager(c: _Check) -> RuleResult:
    citation = "Duke evaluation brief §V.d"
    need = c.threshold("program_manager.min_fte")
    managers = [i for i in c.plan.line_items
                if i.kind == "position" and i["role"] == "program_manager"]
    if not managers:
        return _result("LEAD-PROGRAM-MANAGER", "warn",
                       f"The plan funds no program manager. Add a position with role "
                       f"program_manager of {fmt_fte(need)} FTE, employed independently of the "
                       "police and the case-management provider.", citation,
                       fiscal_years=c.projection.fiscal_years, inputs=["line:new"])
    totals = _fte_by_fy(c, managers)
    short = [fy for fy, fte in totals.items() if fte < need]
    independent = any(i.get("independent") for i in managers)
    problems = []
    if short:
        problems.append(f"the program manager is below {fmt_fte(need)} FTE in "
                        f"{fy_ranges(short)}: fund {fmt_fte(need)} FTE in every FY")
    if not independent:
        problems.append("no program manager is marked independent of the program's agencies "
                        "(employed outside the police and the provider): set independent")
    ids = [i.id for i in managers]
    if problems:
        message = "; ".join(problems)
        return _result("LEAD-PROGRAM-MANAGER", "warn", message[0].upper() + message[1:] + ".",
                       citation, fiscal_years=short, line_items=ids,
                       inputs=[f"line:{i}" for i in ids])
    return _result("LEAD-PROGRAM-MANAGER", "pass",
                   f"An independent program manager ({_names(managers)}) is funded at "
                   f"{fmt_fte(need)} FTE or more in every FY.", citation, line_items=ids)


def check_caseload(c: _Check) -> RuleResult:
    citation = ("Duke evaluation brief §V.d; LEAD Support Bureau caseload guidance "
                "(average ≤ 20, never > 25)")
    average_max = c.threshold("caseload.average_max")
    max_max = c.threshold("caseload.max_max")
    lines = c.plan.lines_of("case_management")
    if not lines:
        return _result("LEAD-CASELOAD", "fail",
                       "The plan has no case_management line, so no case manager serves the "
                       "participants. Add one (caseload average ≤ "
                       f"{fmt_quantity(average_max)}, maximum ≤ {fmt_quantity(max_max)}).",
                       citation, fiscal_years=c.projection.fiscal_years, inputs=["line:new"])
    item = lines[0]
    projected = c.projection.line(item.id)
    problems: list[str] = []
    if item["caseload_average"] > average_max:
        problems.append(f"its caseload_average of {fmt_quantity(item['caseload_average'])} is "
                        f"above {fmt_quantity(average_max)}: lower it to "
                        f"{fmt_quantity(average_max)}")
    if item["caseload_max"] > max_max:
        problems.append(f"its caseload_max of {fmt_quantity(item['caseload_max'])} is above "
                        f"{fmt_quantity(max_max)}: lower it to {fmt_quantity(max_max)}")
    people = c.projection.participants
    ctx = Context.build(c.plan, people)
    over: list[int] = []
    needed: dict[int, Decimal] = {}
    for k, fy in enumerate(c.projection.fiscal_years):
        fte = projected.fte[k]
        avg, peak = people.avg_active[k], people.peak_active[k]
        if avg > item["caseload_average"] * fte or peak > item["caseload_max"] * fte:
            over.append(fy)
            required = required_case_manager_fte(item, k, ctx)
            needed[fy] = Decimal(int(required.numerator)) / Decimal(int(required.denominator))
    if over:
        first = over[0]
        k = c.projection.fiscal_years.index(first)
        fte = projected.fte[k]
        load_avg = people.avg_active[k] / fte if fte else None
        load_peak = people.peak_active[k] / fte if fte else None
        if fte:
            carried = (f"{fmt_fte(fte)} FTE carries {fmt_quantity(load_avg)} average and "
                       f"{fmt_quantity(load_peak)} peak participants per case manager")
        else:
            carried = (f"no case manager is funded for {fmt_quantity(people.avg_active[k])} "
                       "average active participants")
        add = needed[first] - fte
        fix = f"add {fmt_fte(add)} FTE case manager in {fy_label(first)}"
        if item["max_fte"] is not None and max(needed.values()) > item["max_fte"]:
            fix += f" or raise max_fte to {fmt_fte(max(needed.values()))}"
        elif not item.active_in(first):
            fix += f" (the line runs {fy_label(item.start_fy)} to {fy_label(item.end_fy)})"
        problems.append(f"in {fy_ranges(over)} the caseload is above the limits (in "
                        f"{fy_label(first)} {carried}): {fix}")
    if problems:
        message = f"Case management '{item.label or item.id}': " + "; ".join(problems) + "."
        return _result("LEAD-CASELOAD", "fail", message, citation, fiscal_years=over,
                       line_items=[item.id], inputs=[f"line:{item.id}"])
    peak_fte = max(projected.fte) if projected.fte else Decimal(0)
    return _result("LEAD-CASELOAD", "pass",
                   f"Case management '{item.label or item.id}' keeps caseloads within an "
                   f"average of {fmt_quantity(item['caseload_average'])} and a maximum of "
                   f"{fmt_quantity(item['caseload_max'])} in every FY (up to "
                   f"{fmt_fte(peak_fte)} FTE).", citation, line_items=[item.id])


def check_warm_handoff(c: _Check) -> RuleResult:
    citation = "Duke evaluation brief §V.d (\"at all hours\")"
    full = c.threshold("warm_handoff.full_coverage_hours")
    business = c.threshold("warm_handoff.business_hours")
    lines = c.plan.lines_of("warm_handoff")
    coverage: dict[int, Decimal] = {}
    for fy in c.projection.fiscal_years:
        hours = Decimal(0)
        for item in lines:
            if item.active_in(fy):
                hours += item["hours_per_week"]
                if item.mode == "on_call":
                    hours += business
        coverage[fy] = min(hours, full)
    short = [fy for fy, hours in coverage.items() if hours < full]
    ids = [i.id for i in lines]
    if not short:
        return _result("LEAD-WARM-HANDOFF", "pass",
                       f"Warm hand-off ({_names(lines)}) covers all {fmt_quantity(full)} hours "
                       "a week in every FY.", citation, line_items=ids)
    worst = min(short, key=lambda fy: coverage[fy])
    hours = coverage[worst]
    share = (hours / full * 100).quantize(Decimal("1"))
    what = (f"{fmt_quantity(hours)} of {fmt_quantity(full)} hours, {share}%")
    if not lines:
        message = (f"No warm_handoff line: officers have no one to hand a person to ({what}). "
                   "Add staffed, on-call or contracted coverage of 168 hours a week.")
    else:
        message = (f"Warm hand-off covers {what} in {fy_label(worst)}; coverage is below "
                   f"{fmt_quantity(full)} hours in {fy_ranges(short)}. Raise hours_per_week or "
                   "add on-call or contracted coverage for nights and weekends.")
    return _result("LEAD-WARM-HANDOFF", "warn", message, citation, fiscal_years=short,
                   line_items=ids, inputs=[f"line:{i}" for i in ids] or ["line:new"])


def check_officer_training(c: _Check) -> RuleResult:
    citation = "Duke evaluation brief §V.c"
    longest = int(c.threshold("officer_training.max_refresher_interval_years"))
    lines = c.plan.lines_of("officer_training")
    if not lines:
        return _result("LEAD-OFFICER-TRAINING", "warn",
                       "The plan trains no officers. Add an officer_training line so every "
                       "officer learns harm reduction, substance use disorders and LEAD, with "
                       f"refreshers at least every {longest} years.", citation,
                       inputs=["line:new"])
    problems, ids = [], []
    for item in lines:
        name = f"'{item.label or item.id}'"
        if item["officers"] <= 0:
            problems.append(f"{name} trains no officers: enter the number of officers")
        elif item["initial_hours"] <= 0:
            problems.append(f"{name} has no initial training hours")
        if item["refresher_interval_years"] > longest or item["refresher_hours"] <= 0:
            problems.append(f"{name} refreshes every {item['refresher_interval_years']} years "
                            f"with {fmt_quantity(item['refresher_hours'])} hours: refresh at "
                            f"least every {longest} years")
        ids.append(item.id)
    if problems:
        return _result("LEAD-OFFICER-TRAINING", "warn", "; ".join(problems) + ".", citation,
                       line_items=ids, inputs=[f"line:{i}" for i in ids])
    officers = sum(i["officers"] for i in lines)
    return _result("LEAD-OFFICER-TRAINING", "pass",
                   f"{_plural(officers, 'officer')} ({_names(lines)}) are trained in the first "
                   f"year and refreshed at least every {longest} years.", citation,
                   line_items=ids)


def check_data_analyst(c: _Check) -> RuleResult:
    citation = "Duke evaluation brief §V.f"
    need = c.threshold("data_analyst.min_fte")
    analysts = [i for i in c.plan.line_items
                if i.kind == "position" and i["role"] == "data_analyst"]
    totals = _fte_by_fy(c, analysts)
    short = [fy for fy, fte in totals.items() if fte < need]
    ids = [i.id for i in analysts]
    if not analysts:
        return _result("LEAD-DATA-ANALYST", "warn",
                       f"The plan funds no data analyst. Add a position with role data_analyst "
                       f"of at least {fmt_fte(need)} FTE to collect and analyze LEAD data.",
                       citation, fiscal_years=short, inputs=["line:new"])
    if short:
        return _result("LEAD-DATA-ANALYST", "warn",
                       f"The data analyst is below {fmt_fte(need)} FTE in {fy_ranges(short)}: "
                       f"fund at least {fmt_fte(need)} FTE in every FY.", citation,
                       fiscal_years=short, line_items=ids, inputs=[f"line:{i}" for i in ids])
    return _result("LEAD-DATA-ANALYST", "pass",
                   f"A data analyst ({_names(analysts)}) is funded at {fmt_fte(need)} FTE or "
                   "more in every FY.", citation, line_items=ids)


DATA_GROUPS = (
    ("tracks_all_offers", "everyone offered a referral, with demographics, referral source, "
                          "acceptance and enrollment"),
    ("tracks_ineligible", "people officers wanted to refer but who were ineligible"),
    ("tracks_not_offered", "people with LEAD-eligible charges who were never offered LEAD"),
)


def check_data_collection(c: _Check) -> RuleResult:
    citation = "Duke evaluation brief §V.f"
    program = c.plan.program
    missing = [text for key, text in DATA_GROUPS if not getattr(program, key)]
    if missing:
        return _result("LEAD-DATA-COLLECTION", "warn",
                       "The data plan does not track " + _and(missing) + ". Without them the "
                       "program cannot see or reduce disparities in who is referred.",
                       citation, inputs=["program.data_collection"])
    return _result("LEAD-DATA-COLLECTION", "pass",
                   "The data plan tracks all three groups: " + _and([t for _, t in DATA_GROUPS])
                   + ".", citation)


def check_phones(c: _Check) -> RuleResult:
    citation = "Duke evaluation brief §V.e"
    lines = [i for i in c.plan.lines_of("participant_phones") if i["high_risk_share"] > 0]
    if not lines:
        return _result("LEAD-PHONES", "warn",
                       "No participant_phones line pays for phones: unreliable phone access "
                       "keeps participants from staying in touch. Add one for participants at "
                       "high risk of disengagement.", citation,
                       inputs=[f"line:{i.id}" for i in c.plan.lines_of("participant_phones")]
                       or ["line:new"])
    share = max(i["high_risk_share"] for i in lines)
    return _result("LEAD-PHONES", "pass",
                   f"Phones and service are funded for {fmt_quantity(share * 100)}% of "
                   f"participants ({_names(lines)}).", citation, line_items=[i.id for i in lines])


def _services_inputs(plan: Plan, missing: list[str]) -> list[str]:
    """Where each unassessed category is fixed, in the categories' order: its line, or a new
    service_gap line for it."""
    found = []
    for category in missing:
        lines = [i.id for i in plan.lines_of("service_gap") if i["category"] == category]
        found += [f"line:{i}" for i in lines] or [f"line:new:service_gap:{category}"]
    return found


def check_services(c: _Check) -> RuleResult:
    citation = "Duke evaluation brief §II, §V.e"
    assessed: dict[str, str] = {}
    for item in c.plan.lines_of("service_gap"):
        status = item["status"]
        if status == "adequate" or (status == "gap" and item["units"] and item["units"] > 0):
            assessed[item["category"]] = status
    missing = [cat for cat in SERVICE_CATEGORIES if cat not in assessed]
    nice = {cat: cat.replace("_", " ") for cat in SERVICE_CATEGORIES}
    if missing:
        return _result("LEAD-SERVICES", "warn",
                       f"Not yet assessed: {_and([nice[m] for m in missing])}. For each, add a "
                       "service_gap line marked adequate, or gap with the units the county "
                       "will fund.", citation,
                       line_items=[i.id for i in c.plan.lines_of("service_gap")
                                   if i["category"] in missing],
                       inputs=_services_inputs(c.plan, missing))
    gaps = [nice[cat] for cat, status in assessed.items() if status == "gap"]
    text = "All six service categories are assessed"
    text += f"; gaps funded: {_and(gaps)}." if gaps else "; all are adequate."
    return _result("LEAD-SERVICES", "pass", text, citation)


def check_racial_equity(c: _Check) -> RuleResult:
    citation = "Duke evaluation brief §V.a"
    program = c.plan.program
    missing = []
    if not program.equity_goal_stated:
        missing.append("name racial equity as a goal of the program")
    if not program.equity_outreach_plan.strip():
        missing.append("write an outreach plan for communities of color")
    if missing:
        return _result("LEAD-RACIAL-EQUITY", "warn", _and(missing).capitalize() + ".",
                       citation, inputs=["program.equity"])
    return _result("LEAD-RACIAL-EQUITY", "pass",
                   "Racial equity is a stated goal and the plan has an outreach plan for "
                   "communities of color.", citation)


def check_eligibility(c: _Check) -> RuleResult:
    citation = "Duke evaluation brief §V.b"
    program = c.plan.program
    missing = []
    if not program.allows_supervised_probation:
        missing.append("admit people on supervised probation")
    if not program.narrow_disqualifiers:
        missing.append("set disqualifying past convictions narrowly")
    if missing:
        return _result("LEAD-ELIGIBILITY", "warn",
                       "Make eligibility more inclusive: " + _and(missing) + ".", citation,
                       inputs=["program.eligibility"])
    return _result("LEAD-ELIGIBILITY", "pass",
                   "Eligibility admits people on supervised probation and keeps disqualifying "
                   "convictions narrow.", citation)


def check_community_referrals(c: _Check) -> RuleResult:
    citation = "Duke evaluation brief §II, §IV"
    community = c.plan.participants.referrals_per_year["community"]
    if community > 0:
        return _result("LEAD-COMMUNITY-REFERRALS", "info",
                       f"{fmt_quantity(community)} community referrals a year are planned "
                       "(the \"Let Everyone Advance with Dignity\" pathway).", citation)
    return _result("LEAD-COMMUNITY-REFERRALS", "info",
                   "No community referrals are planned. The \"Let Everyone Advance with "
                   "Dignity\" pathway lets families, providers and neighbors refer people "
                   "without police contact.", citation, inputs=["participants"])


RULES: tuple[tuple[str, Callable[[_Check], RuleResult]], ...] = (
    ("MOA-STRATEGY", check_strategy),
    ("MOA-OPTION-B", check_option_b),
    ("MOA-FUND-BALANCE", check_fund_balance),
    ("MOA-EXECUTION-DATE", check_execution_date),
    ("MOA-AUTHORIZATION", check_authorization),
    ("MOA-REPORTING", check_reporting),
    ("MOA-INTEREST", check_interest),
    ("PLAN-SUSTAINABILITY", check_sustainability),
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


def check_plan(plan: Plan, projection: Projection, tables: CostTables,
               as_of: dt.date) -> tuple[RuleResult, ...]:
    """Every rule, in the spec's order."""
    context = _Check(plan, projection, tables, as_of)
    return tuple(check(context) for _, check in RULES)


def counts(results: Iterable[RuleResult]) -> dict[str, int]:
    found = dict.fromkeys(STATUSES, 0)
    for result in results:
        found[result.status] += 1
    return found
