"""`service_gap`: a service the program's participants need, assessed (cost model §5)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..fields import Field, choice, count, money
from ..money import fmt_money, fmt_quantity
from ..plan import LINE_OBJECT_CLASSES, SERVICE_CATEGORIES, SERVICE_STATUSES, Assumptions
from .base import (
    Cost,
    Driver,
    Exact,
    LineKind,
    N,
    Ops,
    Params,
    Rounded,
    YearInputs,
    escalated,
    param,
)

UPPER = 10**9  # the upper bound of a line's driver (§13)
GAP_ONLY = ("units", "unit_cost")  # funded only when the status is gap


@dataclass(frozen=True, kw_only=True)
class ServiceGapParams(Params):
    category: str = param(
        choice(choices=SERVICE_CATEGORIES, required=True, label="Service category")
    )
    status: str = param(
        choice(
            choices=SERVICE_STATUSES,
            required=True,
            label="Status",
            hint="adequate, gap, or not yet assessed",
        )
    )
    units: Decimal | None = param(
        count(nullable=True, label="Units to fund", hint="e.g. beds, slots")
    )
    unit_cost: Decimal | None = param(money(nullable=True, label="Cost per unit a year ($)"))
    object_class: str = param(
        choice(
            choices=LINE_OBJECT_CLASSES,
            fixed="contractual",
            label="Object class",
            hint="SF-424A budget category",
        )
    )


class ServiceGap(LineKind[ServiceGapParams]):
    name = "service_gap"
    title = "Service gap"
    params_type = ServiceGapParams
    choice = "status"
    choice_values = SERVICE_STATUSES
    vectorizes = True  # its formula runs on the Years backend (kinds/vectors.py)

    def form_fields(self, value: str | None) -> tuple[Field, ...]:
        return tuple(f for f in self.fields(value) if value == "gap" or f.name not in GAP_ONLY)

    def check(self, values: Mapping[str, Any], error: Callable[[str, str], None]) -> None:
        if values["status"] == "gap":
            for key in GAP_ONLY:
                if values[key] is None:
                    error(key, "is required when status is 'gap'")

    def cost(self, params: ServiceGapParams, y: YearInputs[N], ops: Ops[N]) -> Cost[N]:
        if params.status != "gap" or params.units is None or params.unit_cost is None:
            return Cost({}, ops.num(0))
        unit_cost = ops.num(params.unit_cost) * y.inflation_growth
        return Cost({params.object_class: ops.num(params.units) * unit_cost}, ops.num(0))

    def basis(
        self, params: ServiceGapParams, y: YearInputs[Exact], cost: Cost[Exact], rounded: Rounded
    ) -> str:
        category = params.category.replace("_", " ")
        if params.status != "gap" or params.units is None or params.unit_cost is None:
            reason = "assessed adequate" if params.status == "adequate" else "not yet assessed"
            return f"{category}: {reason}, no cost"
        return (
            f"{category} gap: {fmt_quantity(params.units)} units × "
            f"{escalated(params.unit_cost, y.inflation_growth)} a year = "
            f"{fmt_money(rounded[params.object_class])} {params.object_class}"
        )

    def driver(self, params: ServiceGapParams, line_id: str, a: Assumptions) -> Driver | str:
        if params.status != "gap" or params.units is None:
            return (
                f"The line '{line_id}' assesses {params.category} as {params.status}: "
                "only a gap has units that drive its cost."
            )
        return Driver("units", Decimal(1), UPPER, params.units, 0)


KIND = ServiceGap()
