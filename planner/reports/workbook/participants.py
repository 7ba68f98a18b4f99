"""The Participants sheet: the monthly cohort model of cost model §4, live."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from planner.scenarios.money import Q, q
from planner.scenarios.plan import PATHWAYS, Plan

from .inputs import InputCells
from .xlsx import ROUND, Writer, X, lift, print_setup

ROWS = (
    "Ramp",
    "Referrals a year with the ramp",
    "New enrollees (exact)",
    "New enrollees",
    "Average active",
    "Peak active",
    "Participant-months",
)


@dataclass
class People:
    """Per plan year, the cells the line kinds read (§4)."""

    referrals: list[X]  # ramp_k × referrals of every pathway
    new_enrollees: list[X]
    avg_active: list[X]
    peak_active: list[X]
    participant_months: list[X]


def participants_sheet(
    w: Writer, sheet: Any, plan: Plan, labels: list[str], ins: InputCells
) -> People:
    years = plan.years
    ppl = plan.participants
    cells = ins.participants
    w.header(sheet, 0, ["Participants (cohort model, cost model §4)", *labels])
    for row, name in enumerate(ROWS, start=1):
        w.text(sheet, row, 0, name)
    refer = [cells[f"participants.referrals_per_year.{pw}"] for pw in PATHWAYS]
    steady = sum(
        (
            r * cells[f"participants.enrollment_rate.{pw}"]
            for r, pw in zip(refer, PATHWAYS, strict=True)
        ),
        lift(0),
    )
    referrals = sum(refer, lift(0))
    ramp_x, refer_x, new_exact, new_x = [], [], [], []
    for k in range(years):
        col = 1 + k
        ramp = cells[f"participants.ramp.{k}"] if k < len(ppl.ramp) else lift(1)
        ramp_x.append(w.put(sheet, 1, col, ramp, "decimal"))
        refer_x.append(w.put(sheet, 2, col, ramp_x[k] * referrals, "decimal"))
        new_exact.append(w.put(sheet, 3, col, ramp_x[k] * steady, "precise"))
        new_x.append(w.put(sheet, 4, col, ROUND(new_exact[k], 6), "decimal"))
    first_m = len(ROWS) + 3
    actives = _months(w, sheet, plan, cells, new_exact, first_m)
    avg_x, peak_x, months_x = [], [], []
    for k in range(years):
        col = 1 + k
        top, bottom = first_m + 12 * k + 1, first_m + 12 * k + 12
        year = actives[12 * k : 12 * k + 12]
        total = X(f"SUM($D${top}:$D${bottom})", sum(year, Q(0)))
        avg_x.append(w.put(sheet, 5, col, ROUND(total / 12, 6), "decimal"))
        peak = X(f"MAX($D${top}:$D${bottom})", max(year))
        peak_x.append(w.put(sheet, 6, col, ROUND(peak, 6), "decimal"))
        months_x.append(w.put(sheet, 7, col, ROUND(total, 6), "decimal"))
    sheet.set_column(0, 0, 34)
    sheet.set_column(1, years, 12)
    print_setup(sheet, first_m + 12 * years, 1 + years)
    return People(refer_x, new_x, avg_x, peak_x, months_x)


def _months(
    w: Writer, sheet: Any, plan: Plan, cells: dict[str, X], new_exact: list[X], first_m: int
) -> list[Q]:
    """The month rows: each month's new enrollees and the participants active at its end,
    the cohorts still enrolled plus those active at the start who have not yet left (§4)."""
    ppl = plan.participants
    months_enrolled = cells["participants.average_months_enrolled"]
    initial = cells["participants.initial_active"]
    w.header(
        sheet,
        first_m - 1,
        [
            "Month (0 = July of the first FY)",
            "Plan year",
            "New enrollees in the month",
            "Active at month end",
        ],
    )
    last_m = first_m + 12 * plan.years - 1
    c_rng = f"$C${first_m + 1}:$C${last_m + 1}"
    a_rng = f"$A${first_m + 1}:$A${last_m + 1}"
    init_monthly = q(ppl.initial_active) / ppl.average_months_enrolled
    monthly: list[Q] = []
    actives: list[Q] = []
    for m in range(12 * plan.years):
        row = first_m + m
        sheet.write_number(row, 0, m)
        sheet.write_number(row, 1, m // 12 + 1)
        monthly.append(w.put(sheet, row, 2, new_exact[m // 12] / 12, "precise").v)
        lo = max(0, m - ppl.average_months_enrolled + 1)
        value = sum(monthly[lo : m + 1], Q(0)) + init_monthly * max(
            0, ppl.average_months_enrolled - 1 - m
        )
        ref = f"A{row + 1}"
        n = months_enrolled.t
        text = (
            f'SUMIFS({c_rng},{a_rng},">="&({ref}-{n}+1),{a_rng},"<="&{ref})'
            f"+{initial.t}/{n}*MAX(0,{n}-1-{ref})"
        )
        actives.append(w.put(sheet, row, 3, X(text, value), "precise").v)
    return actives
