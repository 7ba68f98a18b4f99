"""`position`: a staff position at a stated FTE (cost model §3, §5)."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from decimal import Decimal

from ..fields import Field, choice, count, flag, money
from ..plan import ROLES, Assumptions
from .base import (
    Cost,
    Driver,
    Exact,
    LineKind,
    N,
    Ops,
    Rounded,
    Staffing,
    YearInputs,
    param,
    staffing,
    staffing_basis,
    staffing_escalation_text,
)

UPPER = 10**9  # the upper bound of a line's driver (§13)
ROLE_SALARY_DEFAULT = {
    "program_manager": "salary.program_manager",
    "clinical_supervisor": "salary.clinical_supervisor",
    "outreach_worker": "salary.outreach_worker",
    "peer_specialist": "salary.peer_specialist",
    "data_analyst": "salary.data_analyst",
}


@dataclass(frozen=True, kw_only=True)
class PositionParams(Staffing):
    role: str = param(choice(choices=ROLES, required=True, label="Role"))
    fte: Decimal = param(
        count(required=True, label="FTE", hint="full-time equivalents", unit="fte")
    )
    salary: Decimal = param(money(label="Base salary ($ a year)", hint="in first-FY dollars"))
    independent: bool = param(
        flag(
            fixed=False, label="Independent of the program's agencies", hint="program manager only"
        )
    )


class Position(LineKind[PositionParams]):
    name = "position"
    title = "Staff position"
    params_type = PositionParams
    choice = "role"
    choice_values = ROLES
    vectorizes = True  # its formula runs on the Years backend (kinds/vectors.py)

    def fields(self, value: str | None = None) -> tuple[Field, ...]:
        found = super().fields(value)
        if value not in (None, "program_manager"):
            found = tuple(f for f in found if f.name != "independent")
        if value == "other":  # no default salary for a role the tables do not know (§3)
            return tuple(
                _replace(
                    f,
                    required=True,
                    nullable=True,
                    required_message="is required for a position with role 'other'",
                )
                if f.name == "salary"
                else f
                for f in found
            )
        if value in ROLE_SALARY_DEFAULT:
            return tuple(
                _replace(f, default=ROLE_SALARY_DEFAULT[value]) if f.name == "salary" else f
                for f in found
            )
        return found

    def unknown_key_message(self, key: str) -> str:
        if key == "independent":
            return "only a program_manager position can be independent"
        return super().unknown_key_message(key)

    def cost(self, params: PositionParams, y: YearInputs[N], ops: Ops[N]) -> Cost[N]:
        return staffing(params, params.salary, ops.num(params.fte), y, ops)

    def basis(
        self, params: PositionParams, y: YearInputs[Exact], cost: Cost[Exact], rounded: Rounded
    ) -> str:
        return staffing_basis(params, cost, rounded)

    def escalation_text(self, params: PositionParams, a: Assumptions, start_label: str) -> str:
        return staffing_escalation_text(a, start_label)

    def driver(self, params: PositionParams, line_id: str, a: Assumptions) -> Driver | str:
        step = a.fte_increment
        return Driver("fte", step, math.floor(Decimal(UPPER) / step), params.fte, 2)


def _replace(f: Field, **changes: object) -> Field:
    return dataclasses.replace(f, **changes)  # type: ignore[arg-type]


KIND = Position()
