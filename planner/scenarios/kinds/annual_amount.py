"""`other_strategy` and `other`: a stated amount a year (cost model §5). The same formula;
an `other` line is a LEAD cost and carries indirect, an `other_strategy` line is a non-LEAD
commitment from the same fund (naloxone, MOUD, …) so that the fund balance is true."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..fields import choice, flag, money
from ..money import fmt_money, fmt_percent
from ..plan import LINE_OBJECT_CLASSES, Assumptions
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
    param,
)

UPPER = 10**9  # the upper bound of a line's driver (§13)
AMOUNT = money(required=True, label="Amount a year ($)", hint="in first-FY dollars")
ESCALATE = flag(fixed=True, label="Escalate with inflation")


def _object_class(default: str) -> object:
    return param(
        choice(
            choices=LINE_OBJECT_CLASSES,
            fixed=default,
            label="Object class",
            hint="SF-424A budget category",
        )
    )


@dataclass(frozen=True, kw_only=True)
class OtherStrategyParams(Params):
    annual_amount: Decimal = param(AMOUNT)
    object_class: str = _object_class("contractual")  # type: ignore[assignment]
    escalate: bool = param(ESCALATE)


@dataclass(frozen=True, kw_only=True)
class OtherParams(Params):
    annual_amount: Decimal = param(AMOUNT)
    object_class: str = _object_class("other")  # type: ignore[assignment]
    escalate: bool = param(ESCALATE)


AnnualAmountParams = OtherStrategyParams | OtherParams


class AnnualAmount(LineKind[OtherStrategyParams | OtherParams]):
    vectorizes = True  # its formula runs on the Years backend (kinds/vectors.py)

    def cost(self, params: AnnualAmountParams, y: YearInputs[N], ops: Ops[N]) -> Cost[N]:
        amount = ops.num(params.annual_amount)
        if params.escalate:
            amount = amount * y.inflation_growth
        return Cost({params.object_class: amount}, ops.num(0))

    def basis(
        self, params: AnnualAmountParams, y: YearInputs[Exact], cost: Cost[Exact], rounded: Rounded
    ) -> str:
        how = (
            "escalated at " + fmt_percent(y.assumptions.inflation) + " a year"
            if params.escalate
            else "not escalated"
        )
        return (
            f"{fmt_money(params.annual_amount, cents_shown=True)} a year ({how}) = "
            f"{fmt_money(rounded[params.object_class])} {params.object_class}"
        )

    def escalation_text(self, params: AnnualAmountParams, a: Assumptions, start_label: str) -> str:
        if not params.escalate:
            return "none: the same amount every year"
        return super().escalation_text(params, a, start_label)

    def driver(self, params: AnnualAmountParams, line_id: str, a: Assumptions) -> Driver | str:
        return Driver("annual_amount", Decimal(1), UPPER, params.annual_amount, 0)


class OtherStrategy(AnnualAmount):
    name = "other_strategy"
    title = "Other strategy (non-LEAD, same fund)"
    params_type = OtherStrategyParams
    carries_indirect = False  # a non-LEAD commitment (§5)


class Other(AnnualAmount):
    name = "other"
    title = "Other LEAD cost"
    params_type = OtherParams


OTHER_STRATEGY = OtherStrategy()
OTHER = Other()
