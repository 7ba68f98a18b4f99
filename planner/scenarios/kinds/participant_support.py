"""`participant_support`: support a year for each participant (cost model §4, §5)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..fields import money
from ..money import fmt_money, fmt_quantity
from ..plan import Assumptions
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


@dataclass(frozen=True, kw_only=True)
class ParticipantSupportParams(Params):
    per_participant_year: Decimal = param(
        money(
            default="participant_support.per_participant_year",
            label="Support per participant-year ($)",
        )
    )


class ParticipantSupport(LineKind[ParticipantSupportParams]):
    name = "participant_support"
    title = "Participant support"
    params_type = ParticipantSupportParams
    carries_indirect = False  # a participant cost (§5)
    uses_participants = True
    vectorizes = True  # its formula runs on the Years backend (kinds/vectors.py)

    def cost(self, params: ParticipantSupportParams, y: YearInputs[N], ops: Ops[N]) -> Cost[N]:
        per_year = ops.num(params.per_participant_year) * y.inflation_growth
        return Cost(
            {"other": y.participant_months / ops.num(12) * per_year},
            ops.num(0),
            {"per_year": per_year},
        )

    def basis(
        self,
        params: ParticipantSupportParams,
        y: YearInputs[Exact],
        cost: Cost[Exact],
        rounded: Rounded,
    ) -> str:
        return (
            f"{fmt_quantity(y.participant_months)} participant-months ÷ 12 × "
            f"{fmt_money(cost.terms['per_year'], cents_shown=True)} per participant-year "
            f"= {fmt_money(rounded['other'])} other"
        )

    def driver(
        self, params: ParticipantSupportParams, line_id: str, a: Assumptions
    ) -> Driver | str:
        return Driver("per_participant_year", Decimal(1), UPPER, params.per_participant_year, 0)


KIND = ParticipantSupport()
