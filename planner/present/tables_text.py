"""The projection as a plain-text table for the terminal (the CLI's `project`)."""

from __future__ import annotations

import textwrap

from planner.scenarios import Plan, Projection, fy_label
from planner.scenarios.money import two_places


def _money(value: int) -> str:
    return f"{value:,}" if value >= 0 else f"({-value:,})"


def projection_table(plan: Plan, projection: Projection) -> str:
    labels = list(projection.labels)
    title = plan.name or "LEAD plan"
    if plan.jurisdiction.name:
        title = f"{plan.jurisdiction.name}: {title}"
    rows: list[list[str]] = [["", *labels, "Total"]]

    def add(name: str, values: list[str] | tuple[str, ...], total: str = "") -> None:
        rows.append([name, *values, total])

    def rule() -> None:
        rows.append([])

    for line in projection.line_items:
        add(line.label or line.id, [_money(v) for v in line.by_year], _money(line.total))
    rule()
    add("Total spending", [_money(v) for v in projection.by_year], _money(projection.total))
    for strategy, values in projection.by_strategy.items():
        add(f"  {strategy}", [_money(v) for v in values], _money(sum(values)))
    for name, values in projection.by_object_class.items():
        if any(values):
            add(f"  {name}", [_money(v) for v in values], _money(sum(values)))
    if plan.funding:  # who pays (cost model §16): the settlement fund and each source
        names = {source.id: source.name for source in plan.funding}
        for key, values in projection.by_source.items():
            label = "Paid by the settlement fund" if key == "settlement" else f"  {names[key]}"
            add(label, [_money(v) for v in values], _money(sum(values)))
    rule()
    add("FTE", [two_places(v) for v in projection.fte_by_year])
    people = projection.participants
    add("New enrollees", [two_places(v) for v in people.new_enrollees])
    add("Average active", [two_places(v) for v in people.avg_active])
    add("Peak active", [two_places(v) for v in people.peak_active])
    rule()
    fund = projection.fund
    add("Fund: begin", [_money(v) for v in fund.begin])
    add("  receipts", [_money(v) for v in fund.receipts], _money(sum(fund.receipts)))
    for stream, values in (fund.receipts_by_stream or {}).items():  # §18
        add(f"    {stream}", [_money(v) for v in values], _money(sum(values)))
    add("  interest", [_money(v) for v in fund.interest], _money(sum(fund.interest)))
    add("  spending", [_money(v) for v in fund.spending], _money(sum(fund.spending)))
    add("  closing", [_money(v) for v in fund.closing])

    widths = [max(len(r[i]) for r in rows if len(r) > i) for i in range(len(rows[0]))]
    out = [title, "=" * len(title), ""]
    for row in rows:
        if not row:
            out.append("-" * (sum(widths) + 2 * (len(widths) - 1)))
            continue
        cells = [row[0].ljust(widths[0])] + [
            c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)
        ]
        out.append("  ".join(cells).rstrip())
    out.append("")
    deficit = fund.first_deficit_fy
    out.append(
        f"Present value of spending: ${projection.npv_spending:,}; of receipts: "
        f"${projection.npv_receipts:,} (discount rate {plan.assumptions.discount_rate})."
    )
    out.append("First deficit: " + (fy_label(deficit) if deficit is not None else "none") + ".")
    if fund.receipts_outside_plan:
        outside = ", ".join(
            # by stream (§18): "wave-one: FY2040-41 $7"
            f"{k}: " + ", ".join(f"{fy} ${a:,}" for fy, a in v.items())
            if isinstance(v, dict)
            else f"{k} ${v:,}"
            for k, v in (fund.outside_by_stream or fund.receipts_outside_plan).items()
        )
        out.append(f"Receipts outside the plan's FYs (not projected): {outside}.")
    out += actuals_lines(projection)  # closed FYs (cost model §11)
    return "\n".join(out)


def actuals_lines(projection: Projection) -> list[str]:
    """Planned vs actual in each closed FY, and the reforecast beside the adopted fund."""
    from planner.scenarios.actuals import variance_percent_text, variance_word

    block, adopted = projection.actuals, projection.adopted_fund
    if block is None or adopted is None:
        return []
    closed = [fy_label(fy) for fy in block.closed_fys]
    out = [
        "",
        f"Closed FYs (actuals): {closed[0]}"
        + (f" to {closed[-1]}" if len(closed) > 1 else "")
        + ". The fund above uses the actuals there and is reforecast from the actual "
        "closing balance; line items and totals keep their planned figures.",
    ]
    rows = [["", "Planned", "Actual", "Variance", "%", ""]]
    for k, label in enumerate(closed):
        rows.append([label])
        for strategy in block.strategies:
            planned = block.planned_by_strategy[strategy][k]
            actual = block.actual_by_strategy[strategy][k]
            variance = block.variance_by_strategy[strategy][k]
            rows.append(
                [
                    f"  {strategy}",
                    _money(planned),
                    _money(actual),
                    _money(variance),
                    variance_percent_text(variance, planned),
                    variance_word(variance),
                ]
            )
        rows.append(
            [
                "  receipts",
                _money(block.receipts_planned[k]),
                _money(block.receipts_actual[k]),
                _money(block.receipts_actual[k] - block.receipts_planned[k]),
                "",
                "",
            ]
        )
        rows.append(
            [
                "  interest",
                _money(block.interest_planned[k]),
                _money(block.interest_actual[k]),
                _money(block.interest_actual[k] - block.interest_planned[k]),
                "",
                "",
            ]
        )
        rows.append(["  audit costs", "", _money(block.audit_costs[k]), "", "", ""])
    widths = [max(len(r[i]) for r in rows if len(r) > i) for i in range(6)]
    for row in rows:
        cells = [row[0].ljust(widths[0])] + [
            c.rjust(w) for c, w in zip(row[1:5], widths[1:5], strict=False)
        ]
        out.append("  ".join(cells + row[5:6]).rstrip())
    out.append(
        f"Closing balance in {projection.labels[-1]}: "
        f"{_money(projection.fund.closing[-1])} reforecast; "
        f"{_money(adopted.closing[-1])} as adopted."
    )
    return out


STATUS_MARK = {"pass": "PASS", "warn": "WARN", "fail": "FAIL", "info": "INFO"}


def compliance_text(plan: Plan, results, as_of) -> str:
    """The checklist for the terminal: status, rule, message and citation."""
    from planner.scenarios.compliance import counts

    title = f"Compliance checklist: {plan.name or 'LEAD plan'} (as of {as_of.isoformat()})"
    out = [title, "=" * len(title), ""]
    for result in results:
        out.append(f"[{STATUS_MARK[result.status]}] {result.rule}")
        out.extend(
            textwrap.wrap(
                result.message, width=96, initial_indent="       ", subsequent_indent="       "
            )
        )
        out.append(f"       Citation: {result.citation}")
        out.append("")
    found = counts(results)
    out.append(", ".join(f"{found[s]} {s}" for s in ("fail", "warn", "pass", "info")))
    return "\n".join(out)


def fit_text(plan: Plan, projection: Projection, result) -> str:
    """The §13 fit as sentences and a headroom table (the CLI's `fit`)."""
    lines = []
    if result.target == "referrals":
        what = "the referrals (a multiplier on every pathway's referrals a year)"
    else:
        line = plan.line(result.target[len("line:") :])
        what = f"'{line.label or line.id}'" + (f", its {result.driver}" if result.driver else "")
    lines.append(f"What the fund can afford: {what}")
    months = result.reserve_months
    lines.append(
        f"Reserve kept at the end of every FY: {months.normalize():f} months of that FY's spending."
    )
    if result.driver:
        lines.append(f"  current value: {result.current}")
    if result.value is not None:
        lines.append(
            f"  largest value that keeps every reserve: {result.value} "
            f"(total spending {result.total_at_value:,})"
        )
    if result.reason:
        lines.append(f"  {result.reason}")
    lines.append("")
    lines.append(
        "Headroom: a year's spending that can be added (or must be cut, shown in "
        "parentheses) in every FY from this one on, keeping every reserve"
    )
    for fy, room in zip(projection.fiscal_years, result.headroom, strict=True):
        shown = (
            "none (even cutting all spending misses the reserve)" if room is None else _money(room)
        )
        lines.append(f"  {fy_label(fy)}  {shown}")
    return "\n".join(lines)
