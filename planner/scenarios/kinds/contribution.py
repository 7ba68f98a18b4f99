"""`contribution`: a partner's payment to another government's shared program (cost model
§17). The amounts are the lead plan's figures for this partner, FY by FY, as stated: no
escalation, no indirect. It is the partner's settlement spending under the program's
strategy."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..fields import SHORT_TEXT, Field, choice, fy_amounts, government
from ..fiscal import fy_label
from ..money import fmt_money
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


@dataclass(frozen=True, kw_only=True)
class ContributionParams(Params):
    to: str = param(government(required=True, label="Paid to", hint="the lead government's slug"))
    program: str = param(
        Field(
            "program",
            "text",
            required=True,
            max_length=SHORT_TEXT,
            label="Shared program",
            hint="the program's name",
        )
    )
    # (FY, whole dollars), sorted; a plan FY not given is 0 (§17).
    amounts: tuple[tuple[int, Decimal], ...] = param(
        fy_amounts(required=True, label="Amounts by FY ($)", hint="FY → dollars, as stated")
    )
    object_class: str = param(
        choice(
            choices=LINE_OBJECT_CLASSES,
            fixed="contractual",
            label="Object class",
            hint="SF-424A budget category",
        )
    )


class Contribution(LineKind[ContributionParams]):
    name = "contribution"
    title = "Contribution to a shared program"
    params_type = ContributionParams
    carries_indirect = False  # the lead books the program's indirect (§17)

    def cost(self, params: ContributionParams, y: YearInputs[N], ops: Ops[N]) -> Cost[N]:
        amount = dict(params.amounts).get(y.fy, Decimal(0))
        return Cost({params.object_class: ops.num(amount)}, ops.num(0))

    def basis(
        self,
        params: ContributionParams,
        y: YearInputs[Exact],
        cost: Cost[Exact],
        rounded: Rounded,
    ) -> str:
        return (
            f"{params.program} ({params.to}): {fy_label(y.fy)} share as stated "
            f"= {fmt_money(rounded[params.object_class])} {params.object_class}"
        )

    def escalation_text(self, params: ContributionParams, a: Assumptions, start_label: str) -> str:
        return "none: the lead's figures for each FY, as stated"

    def driver(self, params: ContributionParams, line_id: str, a: Assumptions) -> Driver | str:
        return (
            "A contribution is the lead government's figure for this partner: change the "
            "shared program, not this line."
        )


KIND = Contribution()
