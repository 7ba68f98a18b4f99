"""The actuals of closed FYs (cost model §11): named inputs on the Inputs sheet, which the
Fund sheet takes in place of the plan, and the Actuals sheet of planned against actual."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from xlsxwriter.utility import xl_rowcol_to_cell

from planner.reports.context import PlanDocument
from planner.scenarios.money import Q

from .inputs import Inputs
from .xlsx import DOLLARS, Writer, X, lift, print_setup


@dataclass
class ActualInputs:
    """One closed FY's actuals on the Inputs sheet; the fund and the Actuals sheet use them,
    each amount rounded to whole dollars on its own (cost model §11)."""

    receipts_x: X
    interest_x: X
    audit_x: X
    spending_x: dict[str, X]

    def receipts(self) -> X:
        return DOLLARS(self.receipts_x)

    def interest_dollars(self) -> X:
        return DOLLARS(self.interest_x)

    def audit(self) -> X:
        return DOLLARS(self.audit_x)

    def spent(self, strategy: str) -> X:
        found = self.spending_x.get(strategy)
        return lift(0) if found is None else DOLLARS(found)

    def spending(self) -> X:
        """The fund's spending: actual spending by strategy + audit costs."""
        return sum((DOLLARS(x) for x in self.spending_x.values()), lift(0)) + self.audit()


def _name_part(code: str) -> str:
    """A strategy code inside a defined name: `A:10` -> `A_10`, `B:D.1.4` -> `B_D.1.4`."""
    return re.sub(r"[^A-Za-z0-9_.]", "_", code)


def actual_inputs(inputs: Inputs, plan) -> dict[int, ActualInputs]:
    """Each closed FY's actuals as named inputs (`actuals.FY2026_27.spending.A_10`)."""
    found: dict[int, ActualInputs] = {}
    if not plan.actuals:
        return found
    inputs.section("Actuals of closed FYs (the fund uses them; line items keep their plan)")
    for entry in plan.actuals:
        label = entry.label
        stem = f"actuals.{label.replace('-', '_')}"

        def add(key: str, text: str, value: Any, label: str = label, stem: str = stem) -> X:
            return inputs.add(f"actuals.{label}.{key}", f"{stem}.{key}", text, value, "dollars")

        receipts = add("receipts", f"Actual receipts {label}", entry.receipts)
        interest = add("interest", f"Actual interest {label}", entry.interest)
        audit = add("audit_costs", f"Actual audit costs {label}", entry.audit_costs)
        spending = {}
        for code, amount in entry.spending:
            spending[code] = inputs.add(
                f"actuals.{label}.spending.{code}",
                f"{stem}.spending.{_name_part(code)}",
                f"Actual spending {label}, {code}",
                amount,
                "dollars",
            )
        found[entry.fy - plan.start_fy] = ActualInputs(receipts, interest, audit, spending)
    return found


HEADER = [
    "Closed FY",
    "Strategy",
    "Code",
    "Planned",
    "Actual",
    "Variance",
    "Variance %",
    "Against the plan",
]


def actuals_sheet_write(
    w: Writer,
    sheet,
    doc: PlanDocument,
    actuals: dict[int, ActualInputs],
    receipt_x: list[X],
    settlement: list[list[X]],
) -> None:
    """Planned vs actual by strategy in each closed FY, live: planned = the settlement
    fund's part of the strategy's lines (cost model §16: the Funding sources sheet's, or the
    line's whole cost when no other source pays it), actual from the inputs, the variance,
    its percent and "over plan" / "under plan" in words; then the closing balance
    reforecast (the Fund sheet) beside the adopted one."""
    p = doc.projection
    assert p.actuals is not None  # noqa: S101 - called for a plan with actuals
    assert p.adopted_fund is not None  # noqa: S101
    w.header(sheet, 0, HEADER)
    lines_of: dict[str, list[int]] = {}
    for i, line in enumerate(doc.plan.line_items):
        lines_of.setdefault(line.strategy or "unassigned", []).append(i)
    r = 1
    for k in sorted(actuals):
        r = _strategies(w, sheet, doc, actuals[k], k, lines_of, settlement, r)
        interest_planned = p.actuals.interest_planned[sorted(actuals).index(k)]
        r = _fund_rows(w, sheet, p.labels[k], actuals[k], receipt_x[k], interest_planned, r)
        r += 1
    _reforecast(w, sheet, doc, r)


def _strategies(
    w: Writer,
    sheet: Any,
    doc: PlanDocument,
    closed: ActualInputs,
    k: int,
    lines_of: dict[str, list[int]],
    settlement: list[list[X]],
    r: int,
) -> int:
    """A closed FY's row per strategy from row `r`: planned (the settlement fund's part of
    its lines), actual, the variance. Returns the next row."""
    p = doc.projection
    assert p.actuals is not None  # noqa: S101 - called for a plan with actuals
    label = p.labels[k]
    for strategy in p.actuals.strategies:
        w.text(sheet, r, 0, label)
        w.text(sheet, r, 1, doc.titles.get(strategy, strategy), wrap=True)
        w.text(sheet, r, 2, strategy)
        members = [settlement[i][k] for i in lines_of.get(strategy, [])]
        planned = X(
            "+".join(x.t for x in members) if members else "0",
            sum((Q(x.v) for x in members), Q(0)),
        )
        plan_cell = w.put(sheet, r, 3, planned)
        actual_cell = w.put(sheet, r, 4, closed.spent(strategy))
        _variance(w, sheet, r, plan_cell, actual_cell)
        r += 1
    return r


def _fund_rows(
    w: Writer,
    sheet: Any,
    label: str,
    closed: ActualInputs,
    receipts: X,
    interest_planned: Any,
    r: int,
) -> int:
    """A closed FY's audit costs, receipts and interest from row `r`; the next row."""
    w.text(sheet, r, 0, label)
    w.text(sheet, r, 1, "Audit costs (MOA §F.3; in no strategy, not in the variance)", wrap=True)
    w.put(sheet, r, 4, closed.audit())
    r += 1
    w.text(sheet, r, 0, label)
    w.text(sheet, r, 1, "Settlement receipts")
    _variance(
        w,
        sheet,
        r,
        w.put(sheet, r, 3, DOLLARS(receipts)),
        w.put(sheet, r, 4, closed.receipts()),
        words=("more received", "less received"),
    )
    r += 1
    w.text(sheet, r, 0, label)
    w.text(sheet, r, 1, "Interest (planned: as adopted, a fixed figure)", wrap=True)
    sheet.write_number(r, 3, interest_planned, w.fmt("money"))
    _variance(
        w,
        sheet,
        r,
        X(xl_rowcol_to_cell(r, 3), Q(interest_planned)),
        w.put(sheet, r, 4, closed.interest_dollars()),
        words=("more earned", "less earned"),
    )
    return r + 1


def _reforecast(w: Writer, sheet: Any, doc: PlanDocument, r: int) -> None:
    """The closing balance reforecast (the Fund sheet) beside the adopted one."""
    p, adopted = doc.projection, doc.projection.adopted_fund
    assert adopted is not None  # noqa: S101 - a plan with actuals
    w.header(sheet, r, ["The fund", "", "", *p.labels])
    w.text(sheet, r + 1, 0, "Closing balance, reforecast (the Fund sheet)", bold=True)
    w.text(sheet, r + 2, 0, "Closing balance as adopted (a fixed figure)")
    w.text(sheet, r + 3, 0, "Reforecast minus adopted")
    for k in range(len(p.fiscal_years)):
        reforecast = w.put(
            sheet,
            r + 1,
            3 + k,
            X(f"Fund!{xl_rowcol_to_cell(5, 1 + k)}", Q(p.fund.closing[k])),
            bold=True,
        )
        sheet.write_number(r + 2, 3 + k, adopted.closing[k], w.fmt("money"))
        w.put(
            sheet,
            r + 3,
            3 + k,
            reforecast - X(xl_rowcol_to_cell(r + 2, 3 + k), Q(adopted.closing[k])),
        )
    sheet.set_column(0, 0, 12)
    sheet.set_column(1, 1, 40)
    sheet.set_column(2, 2, 10)
    sheet.set_column(3, 3 + len(p.fiscal_years), 13)
    print_setup(sheet, r + 4, 3 + len(p.fiscal_years), freeze=(1, 2))


def _variance(
    w: Writer,
    sheet,
    r: int,
    planned: X,
    actual: X,
    words: tuple[str, str] = ("over plan", "under plan"),
) -> None:
    variance = w.put(sheet, r, 5, actual - planned)
    share = None if planned.v == 0 else Q(variance.v) / Q(planned.v)
    sheet.write_formula(
        r,
        6,
        f'=IF({planned.t}=0,"n/a",{variance.t}/{planned.t})',
        w.fmt("percent"),
        "n/a" if share is None else float(share),
    )
    word = words[0] if variance.v > 0 else words[1] if variance.v < 0 else "as planned"
    sheet.write_formula(
        r,
        7,
        f'=IF({variance.t}>0,"{words[0]}",IF({variance.t}<0,"{words[1]}","as planned"))',
        w.fmt(None),
        word,
    )
