"""`officer_training`: initial and refresher training for officers, with backfill at overtime
(cost model §5)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..fields import ONE, count, money, share, whole
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
    at_least,
    equal,
    mod,
    param,
    salary_escalation_text,
    where,
)

UPPER = 10**9  # the upper bound of a line's driver (§13)


@dataclass(frozen=True, kw_only=True)
class OfficerTrainingParams(Params):
    officers: int = param(whole(required=True, label="Officers to train", hint="whole number"))
    initial_hours: Decimal = param(
        count(
            default="officer_training.initial_hours",
            label="Initial training hours",
            unit="hours",
        )
    )
    refresher_hours: Decimal = param(
        count(default="officer_training.refresher_hours", label="Refresher hours", unit="hours")
    )
    refresher_interval_years: int = param(
        whole(
            low=ONE,
            default="officer_training.refresher_interval_years",
            label="Refresher every … years",
            hint="whole number",
        )
    )
    annual_turnover: Decimal = param(
        share(
            default="officer_training.annual_turnover",
            label="Officer turnover a year",
            hint="0.10 = 10%",
        )
    )
    officer_hourly_rate: Decimal = param(
        money(
            default="salary.officer_hourly",
            label="Officer hourly pay ($)",
            hint="backfill at overtime",
        )
    )
    class_size: int = param(
        whole(positive=True, default="officer_training.class_size", label="Trainees per session")
    )
    trainer_cost_per_session: Decimal = param(
        money(
            default="officer_training.trainer_cost_per_session",
            label="Trainer cost per session ($)",
        )
    )
    materials_per_trainee: Decimal = param(
        money(default="officer_training.materials_per_trainee", label="Materials per trainee ($)")
    )


def trainees(params: OfficerTrainingParams, j: int | N, ops: Ops[N]) -> tuple[N, N]:
    """(initial trainees, refresher trainees) in the line's j-th FY inside the plan (§5)."""
    officers = ops.num(params.officers)
    year = ops.num(j)  # type: ignore[arg-type]  # a workbook cell is a number to its backend
    zero = ops.num(0)
    new_hires = ops.ceil(officers * ops.num(params.annual_turnover))
    initial = where(ops, equal(ops, year, zero), officers, new_hires)
    refresher_year = at_least(ops, year, ops.num(1)) * equal(
        ops, mod(ops, year, ops.num(params.refresher_interval_years)), zero
    )
    refresher = where(ops, refresher_year, ops.maximum(officers - initial, zero), zero)
    return initial, refresher


class OfficerTraining(LineKind[OfficerTrainingParams]):
    name = "officer_training"
    title = "Officer training"
    params_type = OfficerTrainingParams
    vectorizes = True  # its formula runs on the Years backend (kinds/vectors.py)

    def cost(self, params: OfficerTrainingParams, y: YearInputs[N], ops: Ops[N]) -> Cost[N]:
        initial, refresher = trainees(params, y.j, ops)
        a = y.assumptions
        hours = initial * ops.num(params.initial_hours) + refresher * ops.num(
            params.refresher_hours
        )
        hourly = ops.num(params.officer_hourly_rate) * y.salary_growth
        personnel = hours * hourly * ops.num(a.overtime_multiplier)
        fringe = personnel * ops.num(a.overtime_fringe_rate)
        size = ops.num(params.class_size)
        sessions = ops.ceil(initial / size) + ops.ceil(refresher / size)
        trainer = ops.num(params.trainer_cost_per_session) * y.inflation_growth
        materials = ops.num(params.materials_per_trainee) * y.inflation_growth
        components = {
            "personnel": personnel,
            "fringe": fringe,
            "contractual": sessions * trainer,
            "supplies": (initial + refresher) * materials,
        }
        terms = {
            "initial": initial,
            "refresher": refresher,
            "hours": hours,
            "hourly": hourly,
            "sessions": sessions,
            "trainer": trainer,
            "materials": materials,
        }
        return Cost(components, ops.num(0), terms)

    def basis(
        self,
        params: OfficerTrainingParams,
        y: YearInputs[Exact],
        cost: Cost[Exact],
        rounded: Rounded,
    ) -> str:
        t, r, a = cost.terms, rounded, y.assumptions
        initial, refresher = int(t["initial"]), int(t["refresher"])
        return (
            f"{initial} initial × {fmt_quantity(params.initial_hours)} h + {refresher} "
            f"refresher × {fmt_quantity(params.refresher_hours)} h = "
            f"{fmt_quantity(t['hours'])} h "
            f"× {fmt_money(t['hourly'], cents_shown=True)}/h × "
            f"{fmt_quantity(a.overtime_multiplier)} backfill = "
            f"{fmt_money(r['personnel'])}; fringe {fmt_percent(a.overtime_fringe_rate)} × "
            f"{fmt_money(r['personnel'])} = {fmt_money(r['fringe'])}; "
            f"{int(t['sessions'])} sessions × "
            f"{fmt_money(t['trainer'], cents_shown=True)} trainer = "
            f"{fmt_money(r['contractual'])}; "
            f"{initial + refresher} trainees × {fmt_money(t['materials'], cents_shown=True)} "
            f"materials = {fmt_money(r['supplies'])}"
        )

    def escalation_text(
        self, params: OfficerTrainingParams, a: Assumptions, start_label: str
    ) -> str:
        return (
            f"officer pay with {salary_escalation_text(a)}; trainers and materials with "
            f"inflation at {fmt_percent(a.inflation)} a year"
        )

    def driver(self, params: OfficerTrainingParams, line_id: str, a: Assumptions) -> Driver | str:
        return Driver("officers", Decimal(1), UPPER, Decimal(params.officers), 0)


KIND = OfficerTraining()
