"""The simulation as plain text for the terminal (the CLI's `simulate`)."""

from __future__ import annotations

from planner.scenarios import Plan, fy_label
from planner.scenarios.simulation import Simulation
from planner.scenarios.uncertainty import LABELS


def _money(value: int | None) -> str:
    if value is None:
        return "—"
    return f"{value:,}" if value >= 0 else f"({-value:,})"


def _percent(share: float) -> str:
    return f"{100 * share:.1f}%"


def simulation_text(plan: Plan, result: Simulation) -> str:
    title = plan.name or "LEAD plan"
    if plan.jurisdiction.name:
        title = f"{plan.jurisdiction.name}: {title}"
    out = [f"{title}: uncertainty", "=" * (len(title) + 13), ""]
    out.append(f"{result.draws:,} simulated plans, seed {result.seed}.")
    if result.variables:
        out.append(
            "Ranges (the county's assumptions, not forecasts; triangular low / most likely / high):"
        )
        for name, t in result.variables.items():
            out.append(f"  {LABELS[name]}: {t.low:f} / {t.mode:f} / {t.high:f}")
    else:
        out.append("The plan gives no ranges: every simulated plan is the plan itself.")
    out.append("")
    header = ["FY", "spending P10", "P50", "P90", "closing P10", "P50", "P90", "P(short)"]
    rows = [header]
    for k, fy in enumerate(result.fiscal_years):
        rows.append(
            [
                fy_label(fy),
                *(_money(result.spending[p][k]) for p in (10, 50, 90)),
                *(_money(result.closing[p][k]) for p in (10, 50, 90)),
                _percent(result.p_deficit[k]),
            ]
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    for row in rows:
        out.append(
            "  ".join(
                [row[0].ljust(widths[0])]
                + [c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)]
            )
        )
    out.append("")
    out.append(
        f"Probability the fund is short in at least one FY: {_percent(result.p_any_deficit)}"
    )
    for first, count in result.first_deficit_counts:
        where = f"first short in {fy_label(first)}" if first is not None else "never short"
        out.append(f"  {where}: {count:,} of {result.draws:,}")
    out.append("")
    out.append(
        "Sensitivity (exact; each range's low and high, the others at their most likely values):"
    )
    out.append(
        f"  base: total {_money(result.base.total)}, lowest closing balance "
        f"{_money(result.base.lowest_closing)}"
    )
    for bar in result.tornado:
        out.append(
            f"  {LABELS[bar.variable]}: lowest closing {_money(bar.at_low.lowest_closing)}"
            f" at {bar.triangle.low:f}, {_money(bar.at_high.lowest_closing)} at "
            f"{bar.triangle.high:f} (width {_money(bar.width)}); total "
            f"{_money(bar.at_low.total)} to {_money(bar.at_high.total)}"
        )
    out.append("")
    return "\n".join(out)
