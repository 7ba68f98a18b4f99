"""What each line item costs in one plan year, with its basis of estimate (cost model §3, §5).

A calculator returns the exact components by object class, the FTE it funds, and a function
that writes the basis from the rounded components, so the text agrees with every table.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from .fiscal import fy_label
from .money import Q, dollars, fmt_fte, fmt_money, fmt_percent, fmt_quantity, q
from .participants import ParticipantYears
from .plan import LineItem, Plan

Rounded = dict[str, int]
DAYS_PER_WEEK = Q(365, 7)  # weeks in a year: hours × 365/7 (§5)


@dataclass(frozen=True)
class Context:
    """Per-plan values every calculator shares, computed once."""

    plan: Plan
    participants: ParticipantYears
    salary_growth: tuple[Q, ...]
    health_growth: tuple[Q, ...]
    inflation_growth: tuple[Q, ...]

    @classmethod
    def build(cls, plan: Plan, participants: ParticipantYears) -> Context:
        a = plan.assumptions

        def powers(rate: object) -> tuple[Q, ...]:
            base = 1 + q(rate)  # type: ignore[arg-type]
            found, value = [], Q(1)
            for _ in range(plan.years):
                found.append(value)
                value *= base
            return tuple(found)

        return cls(plan, participants, powers(a.salary_escalation),
                   powers(a.health_escalation), powers(a.inflation))

    def round_up_fte(self, required: Q) -> Q:
        """Staff are hired in `fte_increment` steps (§3)."""
        step = q(self.plan.assumptions.fte_increment)
        return math.ceil(required / step) * step


@dataclass
class YearCost:
    components: dict[str, Q]
    fte: Q
    basis: Callable[[Rounded], str]


def _escalated(amount: object, growth: Q) -> str:
    return fmt_money(q(amount) * growth, cents_shown=True)  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- staffing §3

def staffing(line: LineItem, fte: Q, k: int, ctx: Context,
             lead: Callable[[], str] | None = None) -> YearCost:
    a = ctx.plan.assumptions
    fringe_rate = q(line.get("fringe_rate") if line.get("fringe_rate") is not None
                           else a.fringe_rate)
    health = q(line.get("health_per_fte") if line.get("health_per_fte") is not None
                      else a.health_per_fte)
    overhead = q(line.get("contract_overhead_rate")
                        if line.get("contract_overhead_rate") is not None
                        else a.contract_overhead_rate)
    salary_unit = q(line["salary"]) * ctx.salary_growth[k]
    health_unit = health * ctx.health_growth[k]
    personnel = salary_unit * fte
    fringe = personnel * fringe_rate + health_unit * fte
    contract = line.get("delivery") == "contract"

    def basis(r: Rounded) -> str:
        p = r.get("personnel", dollars(personnel))
        f = r.get("fringe", dollars(fringe))
        text = (f"{lead() if lead else ''}{fmt_fte(fte)} FTE × "
                f"{fmt_money(salary_unit, cents_shown=True)} salary = "
                f"{fmt_money(p)}; fringe {fmt_percent(fringe_rate)} × {fmt_money(p)} + "
                f"{fmt_fte(fte)} × {fmt_money(health_unit, cents_shown=True)} health = "
                f"{fmt_money(f)}")
        if contract:
            text += (f"; contracted: ({fmt_money(p)} + {fmt_money(f)}) × (1 + "
                     f"{fmt_percent(overhead)} overhead) = {fmt_money(r['contractual'])} "
                     "contractual")
        return text

    if contract:
        return YearCost({"contractual": (personnel + fringe) * (1 + overhead)}, fte, basis)
    return YearCost({"personnel": personnel, "fringe": fringe}, fte, basis)


def cost_position(line: LineItem, k: int, ctx: Context) -> YearCost:
    return staffing(line, q(line["fte"]), k, ctx)


def required_case_manager_fte(line: LineItem, k: int, ctx: Context) -> Q:
    """The FTE the caseload limits call for in plan year k, before any `max_fte` cap (§5)."""
    people = ctx.participants
    avg, peak = q(people.avg_active[k]), q(people.peak_active[k])
    required = max(avg / q(line["caseload_average"]), peak / q(line["caseload_max"]))
    return max(q(line["min_fte"]), ctx.round_up_fte(required))


def cost_case_management(line: LineItem, k: int, ctx: Context) -> YearCost:
    people = ctx.participants
    avg, peak = q(people.avg_active[k]), q(people.peak_active[k])
    average_limit, max_limit = q(line["caseload_average"]), q(line["caseload_max"])
    floor = q(line["min_fte"])
    fte = required_case_manager_fte(line, k, ctx)
    capped = ""
    if line["max_fte"] is not None and fte > q(line["max_fte"]):
        fte = q(line["max_fte"])
        capped = f", capped at max {fmt_fte(fte)}"

    def lead() -> str:
        return (f"average {fmt_quantity(avg)} active ÷ {fmt_quantity(average_limit)} = "
                f"{fmt_quantity(avg / average_limit)}, peak {fmt_quantity(peak)} ÷ "
                f"{fmt_quantity(max_limit)} = {fmt_quantity(peak / max_limit)} → "
                f"{fmt_fte(fte)} FTE (steps of {fmt_fte(ctx.plan.assumptions.fte_increment)}, "
                f"minimum {fmt_fte(floor)}{capped}); ")

    return staffing(line, fte, k, ctx, lead)


# ----------------------------------------------------------------------------- warm hand-off

def cost_warm_handoff(line: LineItem, k: int, ctx: Context) -> YearCost:
    mode = line.mode
    hours = q(line["hours_per_week"])
    a = ctx.plan.assumptions
    if mode == "staffed":
        per_post = q(line["staff_per_post"])
        productive = q(a.productive_hours_per_fte)
        required = hours * DAYS_PER_WEEK * per_post / productive
        fte = ctx.round_up_fte(required)

        def lead() -> str:
            return (f"{fmt_quantity(hours)} h/week × 365/7 × {fmt_quantity(per_post)} staff ÷ "
                    f"{fmt_quantity(productive)} productive h = {fmt_quantity(required)} → "
                    f"{fmt_fte(fte)} FTE; ")

        return staffing(line, fte, k, ctx, lead)
    if mode == "on_call":
        stipend = q(line["stipend_per_hour"])
        hourly = q(line["hourly_rate"])
        share = q(line["after_hours_share"])
        per_callout = q(line["hours_per_callout"])
        multiplier = q(a.overtime_multiplier)
        referrals = ctx.participants.ramp[k] * ctx.participants.referrals
        callouts = referrals * share
        growth = ctx.salary_growth[k]
        standby = hours * DAYS_PER_WEEK * stipend
        callout_pay = callouts * per_callout * hourly * multiplier
        personnel = (standby + callout_pay) * growth
        fringe_rate = q(a.overtime_fringe_rate)
        fringe = personnel * fringe_rate

        def on_call_basis(r: Rounded) -> str:
            return (f"standby {fmt_quantity(hours)} h/week × 365/7 × "
                    f"{_escalated(stipend, growth)}/h + {fmt_quantity(callouts)} call-outs "
                    f"({fmt_percent(share)} of {fmt_quantity(referrals)} referrals) "
                    f"× {fmt_quantity(per_callout)} h × {_escalated(hourly, growth)}/h × "
                    f"{fmt_quantity(multiplier)} overtime = {fmt_money(r['personnel'])}; "
                    f"fringe {fmt_percent(fringe_rate)} × {fmt_money(r['personnel'])} = "
                    f"{fmt_money(r['fringe'])}")

        return YearCost({"personnel": personnel, "fringe": fringe}, Q(0), on_call_basis)
    # contract: a crisis-response provider bills by the covered hour
    rate = q(line["rate_per_hour"])
    growth = ctx.inflation_growth[k]
    contractual = hours * DAYS_PER_WEEK * rate * growth

    def contract_basis(r: Rounded) -> str:
        return (f"{fmt_quantity(hours)} h/week × 365/7 × {_escalated(rate, growth)}/h = "
                f"{fmt_money(r['contractual'])} contractual")

    return YearCost({"contractual": contractual}, Q(0), contract_basis)


# ----------------------------------------------------------------------------- training

def training_counts(line: LineItem, fy: int, first_fy: int) -> tuple[int, int]:
    """(initial trainees, refresher trainees) in `fy`; `first_fy` is the line's first plan FY."""
    officers = line["officers"]
    j = fy - first_fy
    initial = officers if j == 0 else math.ceil(officers * q(line["annual_turnover"]))
    interval = line["refresher_interval_years"]
    refresher = officers - initial if j >= 1 and j % interval == 0 else 0
    return initial, max(refresher, 0)


def cost_officer_training(line: LineItem, k: int, ctx: Context) -> YearCost:
    plan = ctx.plan
    first_fy = max(line.start_fy, plan.start_fy)
    fy = plan.start_fy + k
    initial, refresher = training_counts(line, fy, first_fy)
    a = plan.assumptions
    hours = (initial * q(line["initial_hours"])
             + refresher * q(line["refresher_hours"]))
    hourly = q(line["officer_hourly_rate"]) * ctx.salary_growth[k]
    multiplier = q(a.overtime_multiplier)
    personnel = hours * hourly * multiplier
    fringe_rate = q(a.overtime_fringe_rate)
    fringe = personnel * fringe_rate
    class_size = line["class_size"]
    sessions = (math.ceil(Q(initial, class_size))
                + math.ceil(Q(refresher, class_size)))
    trainer = q(line["trainer_cost_per_session"]) * ctx.inflation_growth[k]
    materials = q(line["materials_per_trainee"]) * ctx.inflation_growth[k]
    components = {
        "personnel": personnel,
        "fringe": fringe,
        "contractual": sessions * trainer,
        "supplies": (initial + refresher) * materials,
    }

    def basis(r: Rounded) -> str:
        return (f"{initial} initial × {fmt_quantity(line['initial_hours'])} h + {refresher} "
                f"refresher × {fmt_quantity(line['refresher_hours'])} h = {fmt_quantity(hours)} h "
                f"× {fmt_money(hourly, cents_shown=True)}/h × {fmt_quantity(multiplier)} "
                f"backfill = "
                f"{fmt_money(r['personnel'])}; fringe {fmt_percent(fringe_rate)} × "
                f"{fmt_money(r['personnel'])} = {fmt_money(r['fringe'])}; {sessions} sessions × "
                f"{fmt_money(trainer, cents_shown=True)} trainer = {fmt_money(r['contractual'])}; "
                f"{initial + refresher} trainees × {fmt_money(materials, cents_shown=True)} "
                f"materials = {fmt_money(r['supplies'])}")

    return YearCost(components, Q(0), basis)


# ----------------------------------------------------------------------------- participants

def cost_participant_phones(line: LineItem, k: int, ctx: Context) -> YearCost:
    people = ctx.participants
    months = q(people.participant_months[k])
    enrollees = q(people.new_enrollees[k])
    share = q(line["high_risk_share"])
    growth = ctx.inflation_growth[k]
    monthly = q(line["monthly_service_cost"]) * growth
    device = q(line["device_cost"]) * growth
    components = {"supplies": enrollees * share * device, "other": months * share * monthly}

    def basis(r: Rounded) -> str:
        return (f"service: {fmt_quantity(months)} participant-months × {fmt_percent(share)} "
                f"high-risk × {fmt_money(monthly, cents_shown=True)}/month = "
                f"{fmt_money(r['other'])} other; devices: {fmt_quantity(enrollees)} new "
                f"enrollees × {fmt_percent(share)} × {fmt_money(device, cents_shown=True)} = "
                f"{fmt_money(r['supplies'])} supplies")

    return YearCost(components, Q(0), basis)


def cost_participant_support(line: LineItem, k: int, ctx: Context) -> YearCost:
    months = q(ctx.participants.participant_months[k])
    per_year = q(line["per_participant_year"]) * ctx.inflation_growth[k]
    components = {"other": months / 12 * per_year}

    def basis(r: Rounded) -> str:
        return (f"{fmt_quantity(months)} participant-months ÷ 12 × "
                f"{fmt_money(per_year, cents_shown=True)} per participant-year = "
                f"{fmt_money(r['other'])} other")

    return YearCost(components, Q(0), basis)


# ----------------------------------------------------------------------------- fixed amounts

def cost_service_gap(line: LineItem, k: int, ctx: Context) -> YearCost:
    status, category = line["status"], line["category"].replace("_", " ")
    if status != "gap":
        reason = "assessed adequate" if status == "adequate" else "not yet assessed"
        return YearCost({}, Q(0), lambda r: f"{category}: {reason}, no cost")
    units = q(line["units"])
    unit_cost = q(line["unit_cost"]) * ctx.inflation_growth[k]
    object_class = line["object_class"]

    def basis(r: Rounded) -> str:
        return (f"{category} gap: {fmt_quantity(units)} units × "
                f"{fmt_money(unit_cost, cents_shown=True)} a year = "
                f"{fmt_money(r[object_class])} {object_class}")

    return YearCost({object_class: units * unit_cost}, Q(0), basis)


def cost_annual_amount(line: LineItem, k: int, ctx: Context) -> YearCost:
    growth = ctx.inflation_growth[k] if line["escalate"] else Q(1)
    amount = q(line["annual_amount"]) * growth
    object_class = line["object_class"]

    def basis(r: Rounded) -> str:
        how = ("escalated at " + fmt_percent(ctx.plan.assumptions.inflation) + " a year"
               if line["escalate"] else "not escalated")
        return (f"{fmt_money(line['annual_amount'], cents_shown=True)} a year ({how}) = "
                f"{fmt_money(r[object_class])} {object_class}")

    return YearCost({object_class: amount}, Q(0), basis)


CALCULATORS: dict[str, Callable[[LineItem, int, Context], YearCost]] = {
    "position": cost_position,
    "case_management": cost_case_management,
    "warm_handoff": cost_warm_handoff,
    "officer_training": cost_officer_training,
    "participant_phones": cost_participant_phones,
    "participant_support": cost_participant_support,
    "service_gap": cost_service_gap,
    "other_strategy": cost_annual_amount,
    "other": cost_annual_amount,
}

# Non-LEAD commitments and participant costs carry no indirect (§5).
NO_INDIRECT = frozenset({"other_strategy", "participant_phones", "participant_support"})
INDIRECT_BASE = ("personnel", "fringe", "travel", "supplies")  # modified total direct costs


def inactive_basis(line: LineItem, fy: int) -> str:
    return (f"Not active in {fy_label(fy)} (the line runs {fy_label(line.start_fy)} to "
            f"{fy_label(line.end_fy)})")


def escalation_text(line: LineItem, plan: Plan) -> str:
    """Which of the plan's rates moves this line's amounts from year to year."""
    a = plan.assumptions
    salary = f"salaries at {fmt_percent(a.salary_escalation)} a year"
    health = f"health at {fmt_percent(a.health_escalation)}"
    inflation = f"inflation at {fmt_percent(a.inflation)} a year"
    if line.kind in ("position", "case_management") or (
            line.kind == "warm_handoff" and line.mode == "staffed"):
        return f"{salary}, {health}, from {fy_label(plan.start_fy)} dollars"
    if line.kind == "warm_handoff" and line.mode == "on_call":
        return f"stipend and call-out pay with {salary}"
    if line.kind == "officer_training":
        return f"officer pay with {salary}; trainers and materials with {inflation}"
    if line.kind in ("other", "other_strategy") and not line["escalate"]:
        return "none: the same amount every year"
    return inflation
