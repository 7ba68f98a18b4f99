"""Engine benchmark (`make bench`): parse + project the demo plan, and project 1,000 plans.

Targets on the 2-core reference machine: demo ≤ 5 ms median; 1,000 plans ≤ 3 s.
"""

from __future__ import annotations

import copy
import json
import statistics
import time
from decimal import Decimal
from pathlib import Path

from planner.cost_tables import default_cost_tables
from planner.scenarios import load_plan_json, parse_plan, parse_plan_text, project

DEMO = Path(__file__).resolve().parent.parent / "examples" / "demo-orange-county.json"


def median_ms(action, repeat: int) -> float:
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings) * 1000


def main() -> None:
    tables = default_cost_tables()
    text = DEMO.read_bytes()
    for _ in range(20):  # warm up
        project(parse_plan_text(text, tables))
    demo_ms = median_ms(lambda: project(parse_plan_text(text, tables)), 300)
    print(f"demo plan: parse + project, median {demo_ms:.2f} ms (target ≤ 5 ms)")

    def with_basis() -> None:
        for line in project(parse_plan_text(text, tables)).line_items:
            _ = line.basis  # the basis text is written when first read

    basis_ms = median_ms(with_basis, 300)
    print(f"demo plan: parse + project + every basis of estimate written, median {basis_ms:.2f} ms")

    base = json.loads(text)
    documents = []
    for i in range(1000):
        doc = copy.deepcopy(base)
        doc["participants"]["referrals_per_year"]["community"] = str(10 + i % 50)
        doc["line_items"][0]["salary"] = str(Decimal(70000 + 37 * i))
        documents.append(load_plan_json(json.dumps(doc)))
    plans = [parse_plan(d, tables) for d in documents]
    runs = []
    for _ in range(3):
        start = time.perf_counter()
        for plan in plans:
            project(plan)
        runs.append(time.perf_counter() - start)
    print(f"1,000 plans: project, median of 3 runs {statistics.median(runs):.2f} s (target ≤ 3 s)")


if __name__ == "__main__":
    main()
