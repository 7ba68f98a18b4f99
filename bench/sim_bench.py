"""Simulation benchmark (`make bench`, cost model §12): 10,000 draws of the demo plan.

Targets on the 2-core reference machine: the vectorized evaluation of 10,000 draws ≤ 0.5 s
of CPU, ≤ 5× a plain hand-written numpy loop over the same arithmetic (measured in the same
run: `baseline` below, written for the demo plan's lines only, vectorized over the draws and
looping over the FYs like the engine), and ≤ 200 MB of memory at its peak (tracemalloc:
numpy's arrays are traced). The baseline is a yardstick, not a second cost model: it is
checked against the engine's result in this run.
"""

from __future__ import annotations

import gc
import json
import math
import resource
import statistics
import time
import tracemalloc
from pathlib import Path

import numpy as np

from planner.cost_tables import default_cost_tables
from planner.scenarios import parse_plan_text
from planner.scenarios.actuals import closed_fund_years
from planner.scenarios.money import dollars
from planner.scenarios.plan import PATHWAYS
from planner.scenarios.simulation import draw_values, simulate
from planner.scenarios.uncertainty import MONTHS, Uncertainty
from planner.scenarios.vectorized import evaluate

DEMO = Path(__file__).resolve().parent.parent / "examples" / "demo-orange-county.json"
DRAWS = 10_000
RANGES = {
    "draws": DRAWS,
    "seed": 2026,
    "referrals": {"low": "0.5", "mode": "1", "high": "1.25"},
    "enrollment_rate": {"low": "0.7", "mode": "1", "high": "1.2"},
    "average_months_enrolled": {"low": "12", "mode": "18", "high": "24"},
    "receipts": {"low": "0.9", "mode": "1", "high": "1.05"},
    "salary_escalation": {"low": "0.01", "mode": "0.03", "high": "0.05"},
    "health_escalation": {"low": "0.03", "mode": "0.05", "high": "0.08"},
    "inflation": {"low": "0.01", "mode": "0.025", "high": "0.04"},
    "interest_rate": {"low": "0", "mode": "0.02", "high": "0.04"},
}


def _round(x):
    return np.floor(x + 0.5)


def _q6(x):
    return np.floor(x * 1e6 + 0.5) / 1e6


def baseline(plan, v, n):
    """The demo plan's arithmetic written out by hand over arrays of draws."""
    a, p, years = plan.assumptions, plan.participants, plan.years
    # The baseline reads each line's parameters by name (`vars` of the typed params).
    lines = {line.id: vars(line.params) for line in plan.line_items}
    mr, me = v["referrals"], v["enrollment_rate"]
    months = v[MONTHS].astype(np.int64)
    steady = sum(
        float(p.referrals_per_year[x]) * mr * np.minimum(1.0, float(p.enrollment_rate[x]) * me)
        for x in PATHWAYS
    )
    refs = sum(float(p.referrals_per_year[x]) for x in PATHWAYS) * mr
    ramp = [float(p.ramp[k]) if k < len(p.ramp) else 1.0 for k in range(years)]
    month = np.arange(12 * years)
    prefix = np.concatenate(([0.0], np.cumsum(np.repeat(ramp, 12))))
    start = np.maximum(0, month[None, :] - months[:, None] + 1)
    active = (steady / 12)[:, None] * (prefix[month + 1][None, :] - prefix[start])
    by_year = active.reshape(n, years, 12)
    total = by_year.sum(axis=2)
    avg, peak, pm = _q6(total / 12), _q6(by_year.max(axis=2)), _q6(total)
    new = _q6(np.asarray(ramp)[None, :] * steady[:, None])
    fringe, health = float(a.fringe_rate), float(a.health_per_fte)
    overhead, step = float(a.contract_overhead_rate), float(a.fte_increment)
    ot, ot_fringe = float(a.overtime_multiplier), float(a.overtime_fringe_rate)
    pm_, da, cm = lines["program-manager"], lines["data-analyst"], lines["case-managers"]
    wh, tr, ph = lines["warm-handoff"], lines["officer-training"], lines["phones"]
    sp, hg_, tv, nx = (
        lines["participant-support"],
        lines["housing-gap"],
        lines["evaluation-travel"],
        lines["naloxone"],
    )
    spending = np.zeros((n, years))
    sg = np.ones(n)
    hg = np.ones(n)
    ig = np.ones(n)
    for k in range(years):
        s = np.zeros(n)
        for line in (pm_, da):
            fte = float(line["fte"])
            personnel = float(line["salary"]) * fte * sg
            s += _round(personnel) + _round(personnel * fringe + health * fte * hg)
        required = np.maximum(
            avg[:, k] / float(cm["caseload_average"]), peak[:, k] / float(cm["caseload_max"])
        )
        fte = np.maximum(float(cm["min_fte"]), np.ceil(required / step - 1e-9) * step)
        personnel = float(cm["salary"]) * fte * sg
        s += _round((personnel + personnel * fringe + health * fte * hg) * (1 + overhead))
        callouts = ramp[k] * refs * float(wh["after_hours_share"])
        personnel = (
            float(wh["hours_per_week"]) * 365 / 7 * float(wh["stipend_per_hour"])
            + callouts * float(wh["hours_per_callout"]) * float(wh["hourly_rate"]) * ot
        ) * sg
        s += _round(personnel) + _round(personnel * ot_fringe)
        officers = tr["officers"]
        initial = officers if k == 0 else math.ceil(officers * float(tr["annual_turnover"]))
        refresher = officers - initial if k >= 1 and k % tr["refresher_interval_years"] == 0 else 0
        personnel = (
            (initial * float(tr["initial_hours"]) + refresher * float(tr["refresher_hours"]))
            * float(tr["officer_hourly_rate"])
            * sg
            * ot
        )
        sessions = math.ceil(initial / tr["class_size"]) + math.ceil(refresher / tr["class_size"])
        s += (
            _round(personnel)
            + _round(personnel * ot_fringe)
            + _round(sessions * float(tr["trainer_cost_per_session"]) * ig)
            + _round((initial + refresher) * float(tr["materials_per_trainee"]) * ig)
        )
        share = float(ph["high_risk_share"])
        s += _round(pm[:, k] * share * float(ph["monthly_service_cost"]) * ig) + _round(
            new[:, k] * share * float(ph["device_cost"]) * ig
        )
        s += _round(pm[:, k] / 12 * float(sp["per_participant_year"]) * ig)
        s += _round(float(hg_["units"]) * float(hg_["unit_cost"]) * ig)
        s += _round(float(tv["annual_amount"]) * ig) + _round(float(nx["annual_amount"]) * ig)
        spending[:, k] = s
        sg = sg * (1 + v["salary_escalation"])
        hg = hg * (1 + v["health_escalation"])
        ig = ig * (1 + v["inflation"])
    closed = closed_fund_years(plan)
    by_fy = plan.fund.receipts_by_fy()
    balance = np.full(n, float(dollars(plan.fund.opening_balance)))
    closing = np.empty((n, years))
    for k, fy in enumerate(plan.fiscal_years):
        if k in closed:
            receipts, interest, spent = closed[k]
            balance = balance + receipts + interest - spent
        else:
            receipts = _round(dollars(by_fy.get(fy, 0)) * v["receipts"])
            interest = _round(np.maximum(balance, 0) * v["interest_rate"])
            balance = balance + receipts + interest - spending[:, k]
        closing[:, k] = balance
    return spending, closing


def cpu(action, repeat: int = 5) -> tuple[float, object]:
    """Median CPU seconds of this thread (and the last result)."""
    times, result = [], None
    for _ in range(repeat):
        gc.collect()
        start = time.thread_time()
        result = action()
        times.append(time.thread_time() - start)
    return statistics.median(times), result


def main() -> None:
    document = json.loads(DEMO.read_text())
    document["uncertainty"] = RANGES
    plan = parse_plan_text(json.dumps(document), default_cost_tables())
    section = plan.uncertainty or Uncertainty()
    values = draw_values(section)
    evaluate(plan, values, 100)  # warm up (imports, caches)
    baseline(plan, values, DRAWS)
    # Interleaved: engine, baseline, engine, baseline, … (the machine is shared).
    engine_times, base_times = [], []
    outcome = reference = None
    for _ in range(5):
        t, outcome = cpu(lambda: evaluate(plan, values, DRAWS), 1)
        engine_times.append(t)
        t, reference = cpu(lambda: baseline(plan, values, DRAWS), 1)
        base_times.append(t)
    engine_s, base_s = statistics.median(engine_times), statistics.median(base_times)
    draws_s, _ = cpu(lambda: draw_values(section))
    whole_s, _ = cpu(lambda: simulate(plan), 3)
    spending_gap = np.abs(outcome.spending - reference[0]).max()
    closing_gap = np.abs(outcome.closing - reference[1]).max()
    tracemalloc.start()
    evaluate(plan, values, DRAWS)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"simulation, {DRAWS:,} draws of the demo plan (8 ranges): vectorized evaluation "
        f"{engine_s:.3f} s CPU (target ≤ 0.5 s); the plain numpy loop {base_s:.3f} s, "
        f"ratio {engine_s / base_s:.2f}× (target ≤ 5×); largest difference from it: "
        f"spending ${spending_gap:.0f}, closing ${closing_gap:.0f}"
    )
    print(
        f"simulation: the draws {draws_s * 1000:.1f} ms; the whole run with percentiles and "
        f"the exact tornado {whole_s:.3f} s CPU"
    )
    print(
        f"simulation: peak memory of the evaluation {peak / 2**20:.1f} MB (tracemalloc; "
        f"target ≤ 200 MB); process peak {rss:.0f} MB"
    )


if __name__ == "__main__":
    main()
