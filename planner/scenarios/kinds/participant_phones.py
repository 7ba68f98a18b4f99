"""`participant_phones`: phones for high-risk participants (cost model §4, §5)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..fields import money, share
from ..money import fmt_money, fmt_percent, fmt_quantity
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


@dataclass(frozen=True, kw_only=True)
class ParticipantPhonesParams(Params):
    high_risk_share: Decimal = param(
        share(
            default="participant_phones.high_risk_share",
            label="Share of participants given phones",
            hint="0.5 = 50%",
        )
    )
    monthly_service_cost: Decimal = param(
        money(
            default="participant_phones.monthly_service_cost", label="Phone service per month ($)"
        )
    )
    device_cost: Decimal = param(
        money(default="participant_phones.device_cost", label="Phone device ($)")
    )


class ParticipantPhones(LineKind[ParticipantPhonesParams]):
    name = "participant_phones"
    title = "Phones for participants"
    params_type = ParticipantPhonesParams
    carries_indirect = False  # a participant cost (§5)
    uses_participants = True
    vectorizes = True  # its formula runs on the Years backend (kinds/vectors.py)

    def cost(self, params: ParticipantPhonesParams, y: YearInputs[N], ops: Ops[N]) -> Cost[N]:
        share_ = ops.num(params.high_risk_share)
        monthly = ops.num(params.monthly_service_cost) * y.inflation_growth
        device = ops.num(params.device_cost) * y.inflation_growth
        return Cost(
            {
                "supplies": y.new_enrollees * share_ * device,
                "other": y.participant_months * share_ * monthly,
            },
            ops.num(0),
            {"monthly": monthly, "device": device},
        )

    def basis(
        self,
        params: ParticipantPhonesParams,
        y: YearInputs[Exact],
        cost: Cost[Exact],
        rounded: Rounded,
    ) -> str:
        t, r = cost.terms, rounded
        share_ = fmt_percent(params.high_risk_share)
        return (
            f"service: {fmt_quantity(y.participant_months)} participant-months × "
            f"{share_} high-risk × {fmt_money(t['monthly'], cents_shown=True)}/month = "
            f"{fmt_money(r['other'])} other; devices: {fmt_quantity(y.new_enrollees)} new "
            f"enrollees × {share_} × {fmt_money(t['device'], cents_shown=True)} = "
            f"{fmt_money(r['supplies'])} supplies"
        )

    def driver(self, params: ParticipantPhonesParams, line_id: str, a: Assumptions) -> Driver | str:
        return Driver("high_risk_share", Decimal("0.01"), 100, params.high_risk_share, 2)


KIND = ParticipantPhones()
