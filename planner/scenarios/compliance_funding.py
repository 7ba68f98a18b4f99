"""FUNDING-SOURCES (compliance_rules.md) and the scope of the LEAD fidelity rules (cost
model §17): the rules about who pays, apart from the MOA and LEAD rules themselves.

FUNDING-SOURCES, for each funding source of cost model §16:
- an `award` its shares and amounts ask more of than it holds -> warn (the settlement fund
  pays the rest): the FY it runs out in and how much more the plan asks of it;
- a source active in no plan FY (no month of its period inside the plan) -> warn;
- a source that ends before the plan's last FY while lines it pays go on -> info: the first
  FY after its end and what it would have paid then at its shares and last amounts (the
  grant cliff), which the settlement fund now pays;
- a `contribution` line whose amounts no longer equal the lead plan's figures -> warn; only
  the web app knows both plans, so it passes them in (`RuleContext.stale_contributions`);
- no sources -> pass: the settlement fund pays everything.

The LEAD scope: a plan whose LEAD spending goes to another government's shared program (a
`contribution` line to an A:10 or B:D.1… program) has its LEAD rules judged on that program,
and one that funds no LEAD line reports each LEAD rule as info, never warn or fail.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal, TypedDict

from .compliance_base import (
    Finding,
    RuleContext,
    RuleResult,
    StaleContribution,
    Status,
    and_list,
    long_date,
    plural,
    rule,
)
from .fiscal import fy_label, fy_of
from .funding import allocate
from .money import dollars, fmt_money, q
from .plan import FundingSource, LineItem, Plan
from .projection import Projection

CONTRIBUTION = "contribution"  # the §17 line kind (planner/scenarios/kinds/contribution.py)


class SourcePaid(TypedDict):
    id: str
    name: str
    kind: str
    paid: int  # what it pays over the plan, whole dollars


class AwardShort(TypedDict):
    """An award that runs out: the settlement fund pays what the plan asks beyond it."""

    id: str
    name: str
    award: int
    runs_out_fy: int  # the first FY in which it pays less than asked
    asked_more: int  # Σ (asked − paid) over the plan
    fiscal_years: list[int]  # the FYs in which it pays less than asked


class InactiveSource(TypedDict):
    id: str
    name: str
    start: dt.date | None
    end: dt.date | None


class GrantCliff(TypedDict):
    """A source that ends before the plan's last FY while lines it pays go on."""

    id: str
    name: str
    end: dt.date
    first_fy_after: int
    would_pay: int  # at its shares and last amounts in that FY, now the settlement fund's
    line_items: list[str]


class FundingSourcesFacts(TypedDict):
    """FUNDING-SOURCES."""

    sources: list[SourcePaid]
    short: list[AwardShort]
    inactive: list[InactiveSource]
    cliffs: list[GrantCliff]
    stale_contributions: list[StaleContribution]


def render_funding_sources(status: Status, f: FundingSourcesFacts) -> str:
    if not f["sources"] and not f["stale_contributions"]:
        return "The plan declares no other funding source: the settlement fund pays every line."
    parts: list[str] = []
    for s in f["short"]:
        parts.append(
            f"{s['name']}'s award of {fmt_money(s['award'])} runs out in "
            f"{fy_label(s['runs_out_fy'])}; the plan asks it for {fmt_money(s['asked_more'])} "
            "more, which the settlement fund pays"
        )
    for i in f["inactive"]:
        parts.append(
            f"{i['name']} is active in no FY of the plan ({_period(i['start'], i['end'])}), so "
            "it pays nothing: correct its dates or remove it"
        )
    for c in f["stale_contributions"]:
        parts.append(
            f"the contribution '{c['line']}' to {c['lead']}'s {c['program']} no longer equals "
            f"the lead's figures for {and_list([fy_label(fy) for fy in c['fiscal_years']])}: "
            "update to the lead's figures"
        )
    if parts:
        text = "; ".join(parts) + "."
        if f["cliffs"]:
            text += " Also " + "; ".join(_cliff(c) for c in f["cliffs"]) + "."
        return text[0].upper() + text[1:]
    if f["cliffs"]:
        text = "; ".join(_cliff(c) for c in f["cliffs"]) + "."
        return text[0].upper() + text[1:]
    paid = and_list([f"{s['name']} {fmt_money(s['paid'])}" for s in f["sources"]])
    return (
        f"{plural(len(f['sources']), 'other funding source')} pay their part within their "
        f"periods and awards ({paid}); the settlement fund pays the rest."
    )


def _cliff(c: GrantCliff) -> str:
    return (
        f"{c['name']} ends on {long_date(c['end'])} while the lines it pays go on: in "
        f"{fy_label(c['first_fy_after'])} it would have paid {fmt_money(c['would_pay'])} "
        "at its shares and last amounts, which the settlement fund now pays"
    )


def _period(start: dt.date | None, end: dt.date | None) -> str:
    first = long_date(start) if start else "no start"
    last = long_date(end) if end else "no end"
    return f"{first} to {last}"


@rule(
    "FUNDING-SOURCES",
    "Cost model §16-17; NC MOA §E.1 (the settlement fund pays what other sources do not)",
    render_funding_sources,
)
def check_funding_sources(c: RuleContext) -> Finding[FundingSourcesFacts]:
    plan, p = c.plan, c.projection
    split = allocate(plan, [line.by_year for line in p.line_items])
    short: list[AwardShort] = []
    inactive: list[InactiveSource] = []
    cliffs: list[GrantCliff] = []
    sources: list[SourcePaid] = []
    fys: set[int] = set()
    lines: list[str] = []
    for source in plan.funding:
        paid = split.by_source[source.id]
        asked = split.asked[source.id]
        sources.append(
            {"id": source.id, "name": source.name, "kind": source.kind, "paid": sum(paid)}
        )
        users = [line.id for line in plan.line_items if _names(line, source.id)]
        if not any(source.months_in(fy) for fy in plan.fiscal_years):
            inactive.append(
                {"id": source.id, "name": source.name, "start": source.start, "end": source.end}
            )
            lines += users
            continue
        missing = [k for k in range(plan.years) if asked[k] > paid[k]]
        if source.award is not None and missing:
            short.append(
                {
                    "id": source.id,
                    "name": source.name,
                    "award": source.award,
                    "runs_out_fy": p.fiscal_years[missing[0]],
                    "asked_more": sum(asked[k] - paid[k] for k in missing),
                    "fiscal_years": [p.fiscal_years[k] for k in missing],
                }
            )
            fys.update(p.fiscal_years[k] for k in missing)
            lines += users
        cliff = _cliff_of(plan, p, source)
        if cliff is not None:
            cliffs.append(cliff)
    stale = list(c.stale_contributions)
    for entry in stale:
        fys.update(entry["fiscal_years"])
        lines.append(entry["line"])
    facts: FundingSourcesFacts = {
        "sources": sources,
        "short": short,
        "inactive": inactive,
        "cliffs": cliffs,
        "stale_contributions": stale,
    }
    if short or inactive or stale:
        return Finding("warn", facts, fys, lines, ["funding"])
    if cliffs:
        return Finding(
            "info",
            facts,
            [x["first_fy_after"] for x in cliffs],
            [i for x in cliffs for i in x["line_items"]],
            ["funding"],
        )
    return Finding("pass", facts)


def _names(line: LineItem, source_id: str) -> bool:
    return any(entry.source == source_id for entry in line.funded_by)


def _cliff_of(plan: Plan, p: Projection, source: FundingSource) -> GrantCliff | None:
    """The grant cliff of a source that ends before the plan's last FY (see the module)."""
    if source.end is None:
        return None
    after = fy_of(source.end) + 1
    if after > plan.end_fy or after < plan.start_fy:
        return None
    k = after - plan.start_fy
    would_pay = 0
    users: list[str] = []
    for item, line in zip(plan.line_items, p.line_items, strict=True):
        total = line.by_year[k]
        if total <= 0:
            continue
        asked = 0
        for entry in item.funded_by:
            if entry.source != source.id:
                continue
            if entry.share is not None:
                asked += dollars(q(entry.share) * total)
            elif entry.amounts:
                asked += dollars(entry.amounts[-1][1])  # its last amount
        if asked:
            would_pay += min(total, asked)
            users.append(item.id)
    if not users:
        return None
    return {
        "id": source.id,
        "name": source.name,
        "end": source.end,
        "first_fy_after": after,
        "would_pay": would_pay,
        "line_items": users,
    }


# ----------------------------------------------------------------------------- LEAD scope

LeadScope = Literal["none", "contribution"]


class LeadScopeFacts(TypedDict):
    """Why a LEAD rule is not judged on this plan (cost model §17)."""

    scope: LeadScope  # "none": no LEAD line; "contribution": the lead's program is judged
    lead: str | None  # the lead government (a contribution's `to`)
    program: str | None  # the shared program's name
    strategy: str | None


def is_lead_strategy(code: str | None) -> bool:
    """A, 10, an Exhibit B code under B:D.1 (pre-arrest diversion, LEAD among them), or none."""
    if code is None or code == "":
        return True
    return code == "A:10" or code == "B:D.1" or code.startswith("B:D.1.")


def _contribution_program(item: LineItem) -> tuple[str, str, str] | None:
    """(lead, program, strategy) of a §17 `contribution` line to an A:10 or B:D.1… program.
    The kind is read by its name and its parameters' attributes, so this works whether or
    not the kind module is installed."""
    if item.kind != CONTRIBUTION:
        return None
    params = item.params
    strategy = getattr(params, "strategy", None) or item.strategy
    if not isinstance(strategy, str) or not strategy or not is_lead_strategy(strategy):
        return None
    lead = getattr(params, "to", None)
    program = getattr(params, "program", None)
    return (str(lead or "the lead government"), str(program or "its LEAD program"), strategy)


def lead_scope(plan: Plan, projection: Projection) -> LeadScopeFacts | None:
    """None when the plan's own LEAD program is judged; else why it is not (§17)."""
    for item in plan.line_items:
        found = _contribution_program(item)
        if found is not None:
            lead, program, strategy = found
            return {"scope": "contribution", "lead": lead, "program": program, "strategy": strategy}
    for item, line in zip(plan.line_items, projection.line_items, strict=True):
        if (
            item.kind not in ("other_strategy", CONTRIBUTION)
            and is_lead_strategy(item.strategy)
            and line.total > 0
        ):
            return None
    return {"scope": "none", "lead": None, "program": None, "strategy": None}


def render_lead_scope(status: Status, f: LeadScopeFacts) -> str:
    if f["scope"] == "contribution":
        return (
            f"The plan contributes to {f['lead']}'s shared program '{f['program']}' "
            f"({f['strategy']}): this rule is judged on that program, in {f['lead']}'s plan."
        )
    return (
        "The plan funds no LEAD program (no line of a LEAD strategy with costs), so this "
        "LEAD fidelity rule does not apply."
    )


def lead_scope_result(rule_id: str, citation: str, scope: LeadScopeFacts) -> RuleResult:
    """A LEAD rule's info result when the plan's own program is not what it judges."""
    return RuleResult(
        rule_id,
        "info",
        render_lead_scope("info", scope),
        (),
        (),
        citation,
        (),
        scope,
    )
