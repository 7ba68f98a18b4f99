"""`warm_handoff`: someone to take a referral at any hour, in one of three modes (cost model
§5): staffed posts (a staffing line, §3), on-call stipends with call-out pay, or a contract
billed by the covered hour."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..fields import Field, choice, count, hours_per_week, money, share
from ..money import fmt_fte, fmt_money, fmt_percent, fmt_quantity, round_half_up
from ..plan import WARM_HANDOFF_MODES, Assumptions
from .base import (
    EXACT,
    Cost,
    Driver,
    Exact,
    LineKind,
    N,
    Ops,
    Params,
    Rounded,
    Staffing,
    YearInputs,
    escalated,
    half_up,
    param,
    round_up_fte,
    salary_escalation_text,
    staffing,
    staffing_basis,
    staffing_escalation_text,
)

HOURS_UPPER = 168  # the upper bound of the fit's driver (§13)
MODE = choice(
    choices=WARM_HANDOFF_MODES,
    fixed="staffed",
    label="Coverage model",
    hint="staffed posts, on-call stipends, or a contract",
)
HOURS_LABEL = {"label": "Hours covered a week", "hint": "168 = 24/7"}


def _days(ops: Ops[N]) -> N:
    """Weeks in a year: hours a week × 365/7 (§5)."""
    return ops.num(365) / ops.num(7)


@dataclass(frozen=True, kw_only=True)
class StaffedParams(Staffing):
    mode: str = param(MODE)
    hours_per_week: Decimal = param(
        hours_per_week(default="warm_handoff.staffed.hours_per_week", **HOURS_LABEL)
    )
    staff_per_post: Decimal = param(
        count(default="warm_handoff.staffed.staff_per_post", label="Staff per post")
    )
    salary: Decimal = param(
        money(
            default="salary.outreach_worker",
            label="Base salary ($ a year)",
            hint="in first-FY dollars",
        )
    )


@dataclass(frozen=True, kw_only=True)
class OnCallParams(Params):
    mode: str = param(MODE)
    hours_per_week: Decimal = param(
        hours_per_week(default="warm_handoff.on_call.hours_per_week", **HOURS_LABEL)
    )
    stipend_per_hour: Decimal = param(
        money(default="warm_handoff.on_call.stipend_per_hour", label="On-call stipend per hour ($)")
    )
    after_hours_share: Decimal = param(
        share(
            default="warm_handoff.on_call.after_hours_share",
            label="Share of referrals after hours",
            hint="0.5 = 50%",
        )
    )
    hours_per_callout: Decimal = param(
        count(
            default="warm_handoff.on_call.hours_per_callout",
            label="Paid hours per call-out",
            unit="hours",
        )
    )
    # Default: the plan's case-manager salary / paid hours (`on_call_hourly_rate`).
    hourly_rate: Decimal = param(
        money(label="Hourly pay for call-outs ($)", hint="default: case-manager salary ÷ 2,080")
    )


@dataclass(frozen=True, kw_only=True)
class ContractParams(Params):
    mode: str = param(MODE)
    hours_per_week: Decimal = param(
        hours_per_week(default="warm_handoff.contract.hours_per_week", **HOURS_LABEL)
    )
    rate_per_hour: Decimal = param(
        money(
            default="warm_handoff.contract.rate_per_hour",
            label="Contract rate per covered hour ($)",
            hint="what your provider charges for each hour of coverage. A county buying "
            "priority response from an existing mobile crisis provider pays far less "
            "than the cost of a dedicated crisis van (the default below): ask the "
            "provider for its rate",
        )
    )


WarmHandoffParams = StaffedParams | OnCallParams | ContractParams
MODES: dict[str, type[Params]] = {
    "staffed": StaffedParams,
    "on_call": OnCallParams,
    "contract": ContractParams,
}


def call_out_rate(ops: Ops[N], case_manager_salary: N, paid_hours: N) -> N:
    """§5 on_call: `hourly_rate` defaults to the plan's case-manager salary / 2,080 paid
    hours, to the cent."""
    return half_up(ops, case_manager_salary / paid_hours, 2)


def on_call_hourly_rate(case_manager_salary: Decimal, paid_hours: Decimal) -> Decimal:
    """The default call-out rate of a plan (the parser's)."""
    rate = call_out_rate(EXACT, EXACT.num(case_manager_salary), EXACT.num(paid_hours))
    return round_half_up(rate, 2)


class WarmHandoff(LineKind[StaffedParams | OnCallParams | ContractParams]):
    name = "warm_handoff"
    title = "Warm hand-off coverage"
    params_type = StaffedParams
    uses_participants = True
    choice = "mode"
    choice_values = WARM_HANDOFF_MODES
    choice_first = True
    vectorizes = True  # its formula runs on the Years backend (kinds/vectors.py)

    def params_for(self, value: str | None) -> type[Params]:
        return MODES.get(value or "staffed", StaffedParams)

    def fields(self, value: str | None = None) -> tuple[Field, ...]:
        return super().fields(value or "staffed")

    def asked(self, value: str | None) -> frozenset[str]:
        # A crisis van's rate can hide most of a plan's cost: the form asks for it.
        return frozenset({"rate_per_hour"}) if value == "contract" else frozenset()

    def cost(self, params: WarmHandoffParams, y: YearInputs[N], ops: Ops[N]) -> Cost[N]:
        hours = ops.num(params.hours_per_week)
        a = y.assumptions
        if isinstance(params, StaffedParams):
            per_post = ops.num(params.staff_per_post)
            required = hours * _days(ops) * per_post / ops.num(a.productive_hours_per_fte)
            cost = staffing(params, params.salary, round_up_fte(required, y, ops), y, ops)
            cost.terms["required_fte"] = required
            return cost
        if isinstance(params, OnCallParams):
            callouts = y.referrals * ops.num(params.after_hours_share)
            standby = hours * _days(ops) * ops.num(params.stipend_per_hour)
            callout_pay = (
                callouts
                * ops.num(params.hours_per_callout)
                * ops.num(params.hourly_rate)
                * ops.num(a.overtime_multiplier)
            )
            personnel = (standby + callout_pay) * y.salary_growth
            fringe = personnel * ops.num(a.overtime_fringe_rate)
            return Cost(
                {"personnel": personnel, "fringe": fringe}, ops.num(0), {"callouts": callouts}
            )
        # contract: a crisis-response provider bills by the covered hour
        contractual = hours * _days(ops) * ops.num(params.rate_per_hour) * y.inflation_growth
        return Cost({"contractual": contractual}, ops.num(0))

    def basis(
        self, params: WarmHandoffParams, y: YearInputs[Exact], cost: Cost[Exact], rounded: Rounded
    ) -> str:
        hours = params.hours_per_week
        a = y.assumptions
        r = rounded
        if isinstance(params, StaffedParams):
            lead = (
                f"{fmt_quantity(hours)} h/week × 365/7 × "
                f"{fmt_quantity(params.staff_per_post)} staff ÷ "
                f"{fmt_quantity(a.productive_hours_per_fte)} productive h = "
                f"{fmt_quantity(cost.terms['required_fte'])} → {fmt_fte(cost.fte)} FTE; "
            )
            return staffing_basis(params, cost, rounded, lead)
        if isinstance(params, OnCallParams):
            growth = y.salary_growth
            return (
                f"standby {fmt_quantity(hours)} h/week × 365/7 × "
                f"{escalated(params.stipend_per_hour, growth)}/h + "
                f"{fmt_quantity(cost.terms['callouts'])} call-outs "
                f"({fmt_percent(params.after_hours_share)} of "
                f"{fmt_quantity(y.referrals)} referrals) "
                f"× {fmt_quantity(params.hours_per_callout)} h × "
                f"{escalated(params.hourly_rate, growth)}/h × "
                f"{fmt_quantity(a.overtime_multiplier)} overtime = "
                f"{fmt_money(r['personnel'])}; "
                f"fringe {fmt_percent(a.overtime_fringe_rate)} × {fmt_money(r['personnel'])}"
                f" = {fmt_money(r['fringe'])}"
            )
        return (
            f"{fmt_quantity(hours)} h/week × 365/7 × "
            f"{escalated(params.rate_per_hour, y.inflation_growth)}/h = "
            f"{fmt_money(r['contractual'])} contractual"
        )

    def escalation_text(self, params: WarmHandoffParams, a: Assumptions, start_label: str) -> str:
        if isinstance(params, StaffedParams):
            return staffing_escalation_text(a, start_label)
        if isinstance(params, OnCallParams):
            return f"stipend and call-out pay with {salary_escalation_text(a)}"
        return super().escalation_text(params, a, start_label)

    def driver(self, params: WarmHandoffParams, line_id: str, a: Assumptions) -> Driver | str:
        return Driver("hours_per_week", Decimal(1), HOURS_UPPER, params.hours_per_week, 0)


KIND = WarmHandoff()
