"""Document benchmark (`make bench`): the demo plan's budget justification PDF (median and
peak memory of the process), the same plan stretched to 40 FYs (the format's limit), and its
Excel workbook.

Targets: PDF median ≤ 2 s and peak memory ≤ 300 MB; workbook median ≤ 0.5 s.
"""

from __future__ import annotations

import datetime as dt
import json
import resource
import statistics
import time
from pathlib import Path

from planner.cost_tables import default_cost_tables
from planner.reports.context import plan_document
from planner.reports.render import plan_report_pdf
from planner.reports.workbook import plan_workbook
from planner.scenarios import parse_plan_text

DEMO = Path(__file__).resolve().parent.parent / "examples" / "demo-orange-county.json"


def timed(action, repeat: int) -> float:
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def main() -> None:
    text = DEMO.read_bytes()

    def document():
        plan = parse_plan_text(text, default_cost_tables())
        return plan_document(plan, prepared_on=dt.date(2026, 11, 28))

    plan_report_pdf(document())  # warm up: fonts, stylesheets
    pdf = timed(lambda: plan_report_pdf(document()), 7)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"budget justification PDF (demo plan): median {pdf:.2f} s (target ≤ 2 s); "
        f"peak memory of the process {peak_mb:.0f} MB (target ≤ 300 MB)"
    )
    long_plan = json.loads(text)
    long_plan["years"] = 40
    long_text = json.dumps(long_plan).encode()

    def long_document():
        return plan_document(
            parse_plan_text(long_text, default_cost_tables()), prepared_on=dt.date(2026, 11, 28)
        )

    long_pdf = timed(lambda: plan_report_pdf(long_document()), 3)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"budget justification PDF (demo plan over 40 FYs): median {long_pdf:.2f} s; "
        f"peak memory of the process {peak_mb:.0f} MB"
    )
    workbook = timed(lambda: plan_workbook(document()), 15)
    print(f"Excel workbook (demo plan): median {workbook:.3f} s (target ≤ 0.5 s)")


if __name__ == "__main__":
    main()
