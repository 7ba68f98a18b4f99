"""`case_management`: case managers staffed from the caseloads (cost model §3, §4, §5)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..fields import MISSING, count, divisor, money
from ..money import fmt_fte, fmt_quantity
from ..plan import Assumptions
from .base import (
    EXACT,
    Cost,
    Exact,
    LineKind,
    N,
    Ops,
    Rounded,
    Staffing,
    YearInputs,
    capped,
    param,
    round_up_fte,
    staffing,
    staffing_basis,
    staffing_escalation_text,
)


@dataclass(frozen=True, kw_only=True)
class CaseManagementParams(Staffing):
    caseload_average: Decimal = param(
        divisor(
            default="case_management.caseload_average",
            label="Average caseload limit",
            hint="LEAD guidance: at most 20",
        )
    )
    caseload_max: Decimal = param(
        divisor(
            default="case_management.caseload_max",
            label="Maximum caseload",
            hint="LEAD guidance: never above 25",
        )
    )
    min_fte: Decimal = param(
        count(default="case_management.min_fte", label="Minimum FTE", unit="fte")
    )
    max_fte: Decimal | None = param(
        count(nullable=True, label="Maximum FTE (cap)", hint="blank = no cap", unit="fte")
    )
    salary: Decimal = param(
        money(
            default="salary.case_manager",
            label="Base salary ($ a year)",
            hint="in first-FY dollars",
        )
    )


def required_fte(params: CaseManagementParams, y: YearInputs[N], ops: Ops[N]) -> N:
    """The FTE the caseload limits call for, before any `max_fte` cap (§5)."""
    required = ops.maximum(
        y.avg_active / ops.num(params.caseload_average),
        y.peak_active / ops.num(params.caseload_max),
    )
    return ops.maximum(ops.num(params.min_fte), round_up_fte(required, y, ops))


class CaseManagement(LineKind[CaseManagementParams]):
    name = "case_management"
    title = "Case management (staffed from caseloads)"
    params_type = CaseManagementParams
    uses_participants = True
    vectorizes = True  # its formula runs on the Years backend (kinds/vectors.py)

    def check(self, values: Mapping[str, Any], error: Callable[[str, str], None]) -> None:
        low, high = values["min_fte"], values["max_fte"]
        if high not in (None, MISSING) and low is not MISSING and high < low:
            error("max_fte", f"must not be below min_fte ({low})")

    def cost(self, params: CaseManagementParams, y: YearInputs[N], ops: Ops[N]) -> Cost[N]:
        uncapped = required_fte(params, y, ops)
        fte = capped(ops, uncapped, params.max_fte)
        cost = staffing(params, params.salary, fte, y, ops)
        cost.terms["uncapped_fte"] = uncapped
        return cost

    def basis(
        self,
        params: CaseManagementParams,
        y: YearInputs[Exact],
        cost: Cost[Exact],
        rounded: Rounded,
    ) -> str:
        avg, peak = y.avg_active, y.peak_active
        average_limit, max_limit = params.caseload_average, params.caseload_max
        fte = cost.fte
        capped = (
            f", capped at max {fmt_fte(fte)}"
            if params.max_fte is not None and cost.terms["uncapped_fte"] > fte
            else ""
        )
        lead = (
            f"average {fmt_quantity(avg)} active ÷ {fmt_quantity(average_limit)} = "
            f"{fmt_quantity(avg / EXACT.num(average_limit))}, peak {fmt_quantity(peak)} ÷ "
            f"{fmt_quantity(max_limit)} = {fmt_quantity(peak / EXACT.num(max_limit))} → "
            f"{fmt_fte(fte)} FTE (steps of {fmt_fte(y.assumptions.fte_increment)}, "
            f"minimum {fmt_fte(params.min_fte)}{capped}); "
        )
        return staffing_basis(params, cost, rounded, lead)

    def escalation_text(
        self, params: CaseManagementParams, a: Assumptions, start_label: str
    ) -> str:
        return staffing_escalation_text(a, start_label)


KIND = CaseManagement()
