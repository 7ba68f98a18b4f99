"""Options benchmark (`make bench`, issue 22): the ways to fit the demo plan, side by side.

Target on the 2-core reference machine: the demo's options ≤ 1 s (median), without the
chance of a deficit; with it (1,000 seeded draws an option) and with the 10% chance fit,
reported beside. Also the smallest fidelity program of the 117 starting plans: how many
governments sustain one alone.
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
from decimal import Decimal
from pathlib import Path

from planner.cost_tables import default_cost_tables, default_ranges
from planner.scenarios import parse_plan, parse_plan_text
from planner.scenarios.options import plan_options, smallest_program
from planner.scenarios.starting import starting_plan

DEMO = Path(__file__).resolve().parent.parent / "examples" / "demo-orange-county.json"
AS_OF = dt.date(2026, 12, 7)


def median_s(action, repeat: int) -> float:
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def main() -> None:
    tables = default_cost_tables()
    ranges = default_ranges()
    plan = parse_plan_text(DEMO.read_bytes(), tables)
    plan_options(plan, tables, as_of=AS_OF, ranges=ranges)  # warm up (numpy, caches)

    plain = median_s(lambda: plan_options(plan, tables, as_of=AS_OF), 5)
    print(f"demo options (6 kinds + the smallest program), median {plain:.2f} s (target ≤ 1 s)")
    chances = median_s(lambda: plan_options(plan, tables, as_of=AS_OF, ranges=ranges), 3)
    print(f"  with each option's chance of a deficit (1,000 draws): median {chances:.2f} s")
    fitted = median_s(
        lambda: plan_options(
            plan, tables, as_of=AS_OF, ranges=ranges, max_deficit_chance=Decimal("0.1")
        ),
        3,
    )
    print(f"  and the fit to a 10% chance of a deficit: median {fitted:.2f} s")

    start = time.perf_counter()
    sustained = estimated = 0
    for place in tables.jurisdictions:
        starting = starting_plan(tables, place.slug, start_fy=2027)
        program = smallest_program(parse_plan(starting.document, tables), tables, as_of=AS_OF)
        sustained += program.sustains
        estimated += starting.receipts is not None
    took = time.perf_counter() - start
    print(
        f"smallest fidelity program of the {len(tables.jurisdictions)} starting plans "
        f"({took:.1f} s): {sustained} sustain one alone; {estimated} have receipt estimates"
    )


if __name__ == "__main__":
    main()
