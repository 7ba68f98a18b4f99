"""Move a whole plan to another first FY (cost model §5; issue: one action, not 58).

Lines without a window of their own follow the plan by themselves (`null` stays `null`).
Lines with an explicit window, and the authorizations' periods, shift by the same number of
years. Receipts stay on their FYs: they are the settlement's payments (facts or estimates of
specific FYs), not the plan's years; receipts that fall outside the moved plan are kept and
listed as outside it. The adoption and budget-ordinance dates are facts and do not move.
Actuals (§11) are facts of their FYs too: a plan moved to a later first FY folds the closed
FYs before it into `fund.opening_balance` (their actual receipts and interest less their
spending and audit costs), and keeps the actuals of the FYs it still covers.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from .fiscal import FY_MAX, FY_MIN, fy_label
from .money import dollars
from .parse import plan_to_dict
from .plan import Plan


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # February 29 in a year that has none
        return day.replace(year=day.year + years, day=28)


def move_plan(plan: Plan, start_fy: int, years: int | None = None) -> dict[str, Any]:
    """The plan as a `lead-plan/1` document starting in `start_fy` (and lasting `years`,
    unchanged by default). Raises ValueError when the plan or a shifted window would leave
    FY2000-01 to FY2100-01 (parse the document to check the rest, as for any plan)."""
    shift = start_fy - plan.start_fy
    years = plan.years if years is None else years
    if not FY_MIN <= start_fy <= FY_MAX:
        raise ValueError(
            f"{fy_label(start_fy)} is outside {fy_label(FY_MIN)} to {fy_label(FY_MAX)}"
        )
    document = plan_to_dict(plan)
    document["start_fy"] = start_fy
    document["years"] = years
    for line in document["line_items"]:
        for key in ("start_fy", "end_fy"):
            if line[key] is not None:
                moved = line[key] + shift
                if not FY_MIN <= moved <= FY_MAX:
                    raise ValueError(
                        f"line '{line['id']}': its {key} would move to "
                        f"{fy_label(moved)}, outside {fy_label(FY_MIN)} to "
                        f"{fy_label(FY_MAX)}"
                    )
                line[key] = moved
    for auth in document["program"]["authorizations"]:
        for key in ("start", "end"):
            auth[key] = _add_years(dt.date.fromisoformat(auth[key]), shift).isoformat()
    _fold_actuals(plan, document, start_fy, years)
    return document


def _fold_actuals(plan: Plan, document: dict[str, Any], start_fy: int, years: int) -> None:
    """Closed FYs before `start_fy` go into the opening balance; the others stay (§11)."""
    if not plan.actuals:
        return
    before = [entry for entry in plan.actuals if entry.fy < start_fy]
    kept = [entry for entry in plan.actuals if entry.fy >= start_fy]
    if kept and kept[0].fy != start_fy:
        raise ValueError(
            f"{fy_label(kept[0].fy)} has actuals, so the plan's first FY can be "
            f"no earlier than {fy_label(plan.actuals[0].fy)} (got "
            f"{fy_label(start_fy)}: FYs before the closed ones would have no "
            "actuals)"
        )
    last = start_fy + years - 1
    if kept and kept[-1].fy > last:
        raise ValueError(
            f"{fy_label(kept[-1].fy)} has actuals, so the plan must still cover "
            f"it (it would end in {fy_label(last)})"
        )
    if before:
        opening = dollars(plan.fund.opening_balance) + sum(
            entry.receipts_dollars + entry.interest_dollars - entry.fund_spending
            for entry in before
        )
        if opening < 0:
            raise ValueError(
                f"the closed FYs before {fy_label(start_fy)} end with a "
                f"balance of -${-opening:,}, and an opening balance cannot be "
                "below $0"
            )
        document["fund"]["opening_balance"] = str(opening)
        actuals = document.get("actuals") or {}
        for entry in before:
            actuals.pop(entry.label, None)
        if actuals:
            document["actuals"] = actuals
        else:
            document.pop("actuals", None)
