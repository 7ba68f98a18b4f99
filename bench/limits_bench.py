"""Worst case inside the limits (`make bench`): the largest plan cost model §15 lets in —
200 line items of every kind, 40 years, every label at its longest, the justifications as
long as the plan's text total allows, every rate and amount a 40-character number, 100
authorizations, the longest ramp — parsed and projected, its plan page served, its PDF
rendered (in a fresh process, for its own peak memory).

Targets on the 2-core reference machine: plan page ≤ 5 s; PDF ≤ 20 s and ≤ 600 MB.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from planner.cost_tables import default_cost_tables  # noqa: E402

LIMITS = default_cost_tables().limits
YEARS = 40


def number(value: str, width: int | None = None) -> str:
    """`value` padded with trailing digits to the longest number text the limits allow
    (the exact fraction behind it is then as large as a plan can make it)."""
    width = width or LIMITS.number_text_max
    text = value if "." in value else value + "."
    return (text + "0" * width)[: width - 1] + "1"


def text(length: int, seed: str) -> str:
    words = (seed + " ") * (length // (len(seed) + 1) + 1)
    return words[:length]


def worst_plan() -> dict:
    short, long = LIMITS.short_text_max, LIMITS.long_text_max
    # the outreach plan and the first line's justification at the longest a text may be; the
    # other lines share what is left of the plan's total (text_total_max)
    each = (LIMITS.text_total_max - 2 * long) // (LIMITS.line_items_max - 1)
    kinds = [
        {
            "kind": "position",
            "role": "program_manager",
            "fte": number("1"),
            "salary": number("82000"),
            "independent": True,
        },
        {
            "kind": "position",
            "role": "peer_specialist",
            "fte": number("2.5"),
            "salary": number("50930"),
            "fringe_rate": number("0.3"),
            "delivery": "contract",
        },
        {
            "kind": "warm_handoff",
            "mode": "staffed",
            "hours_per_week": number("167"),
            "staff_per_post": number("1"),
        },
        {"kind": "warm_handoff", "mode": "on_call", "hours_per_week": number("128")},
        {"kind": "warm_handoff", "mode": "contract", "rate_per_hour": number("70")},
        {"kind": "officer_training", "officers": 120, "annual_turnover": number("0.1")},
        {"kind": "participant_phones", "high_risk_share": number("0.5")},
        {"kind": "participant_support", "per_participant_year": number("500")},
        {
            "kind": "service_gap",
            "category": "housing",
            "status": "gap",
            "units": number("12"),
            "unit_cost": number("9000"),
        },
        {"kind": "other_strategy", "annual_amount": number("25000")},
        {"kind": "other", "annual_amount": number("12000"), "escalate": True},
    ]
    lines = [
        {
            "id": "case-management",
            "kind": "case_management",
            "label": text(short, "cm"),
            "salary": number("52640"),
            "strategy": "A:10",
            "justification": text(long, "case management"),
        }
    ]
    for index in range(1, LIMITS.line_items_max):
        line = dict(kinds[index % len(kinds)])
        line.update(
            {
                "id": f"line-{index:03d}",
                "label": text(short, f"line {index}"),
                # a free-text strategy of its own: 200 legend entries, 200 table rows
                "strategy": text(short, f"strategy {index}"),
                "justification": text(each, f"justification {index}"),
                "start_fy": 2026 + index % 5,
                "end_fy": 2026 + YEARS - 1 - index % 3,
            }
        )
        lines.append(line)
    rates = {
        "salary_escalation": "0.03",
        "health_escalation": "0.05",
        "inflation": "0.025",
        "fringe_rate": "0.22",
        "health_per_fte": "6150",
        "contract_overhead_rate": "0.15",
        "productive_hours_per_fte": "1792",
        "fte_increment": "0.5",
        "overtime_multiplier": "1.5",
        "overtime_fringe_rate": "0.0765",
        "indirect_rate": "0.1",
        "discount_rate": "0.03",
    }
    authorization = {
        "strategy": "A:10",
        "amount": number("900000"),
        "start": "2026-07-01",
        "end": "2027-06-30",
        "adopted_on": "2026-06-02",
    }
    return {
        "schema": "lead-plan/1",
        "name": text(short, "worst case plan"),
        "jurisdiction": {"name": "Orange County", "kind": "county", "fips": "37135"},
        "start_fy": 2026,
        "years": YEARS,
        "assumptions": {key: number(value) for key, value in rates.items()},
        "fund": {
            "opening_balance": number("1500000"),
            "interest_rate": number("0.02"),
            "moa_executed_on": "2021-08-03",
            "receipts": {str(fy): number("820000") for fy in range(2026, 2026 + YEARS)},
        },
        "participants": {
            "referrals_per_year": {
                p: number("40") for p in ("arrest_diversion", "social_contact", "community")
            },
            "enrollment_rate": {
                p: number("0.5") for p in ("arrest_diversion", "social_contact", "community")
            },
            "ramp": [number("0.5")] * LIMITS.ramp_max,
            "average_months_enrolled": 18,
            "initial_active": number("3"),
        },
        "program": {
            "collaborative_planning": {"presented_on": "2026-05-01"},
            "authorizations": [authorization] * LIMITS.authorizations_max,
            "data_collection": {
                "tracks_all_offers": True,
                "tracks_ineligible": True,
                "tracks_not_offered": True,
            },
            "equity": {"goal_stated": True, "outreach_plan": text(long, "outreach")},
            "eligibility": {"allows_supervised_probation": True, "narrow_disqualifiers": True},
        },
        "line_items": lines,
    }


PDF_CHILD = """
import datetime as dt, resource, sys, time
from planner.cost_tables import default_cost_tables
from planner.reports.context import plan_document
from planner.reports.render import plan_report_pdf
from planner.scenarios import parse_plan_text
text = open(sys.argv[1], "rb").read()
start = time.perf_counter()
plan = parse_plan_text(text, default_cost_tables())
body = plan_report_pdf(plan_document(plan, prepared_on=dt.date(2026, 11, 28)))
elapsed = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_SELF)
from pypdf import PdfReader
import io
pages = len(PdfReader(io.BytesIO(body)).pages)
print(f"{elapsed:.2f} {usage.ru_utime + usage.ru_stime:.2f} {usage.ru_maxrss / 1024:.0f} "
      f"{len(body)} {pages}")
"""


def main() -> None:
    from planner.scenarios import parse_plan_text, project

    document = worst_plan()
    body = json.dumps(document)
    start = time.perf_counter()
    plan = parse_plan_text(body, default_cost_tables())
    projection = project(plan)
    engine = time.perf_counter() - start
    print(
        f"worst case inside the limits: {len(plan.line_items)} lines, {plan.years} years, "
        f"{len(body) / 1e6:.1f} MB plan file; total ${projection.total:,}"
    )
    print(
        f"  parse + project: {engine:.2f} s (load average {os.getloadavg()[0]:.1f} on "
        f"{os.cpu_count()} cores)"
    )

    with tempfile.TemporaryDirectory() as folder:
        plan_file = Path(folder) / "worst.json"
        plan_file.write_text(body)
        before = time.perf_counter()
        child = subprocess.run(  # noqa: S603
            [sys.executable, "-c", PDF_CHILD, str(plan_file)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=600,
            check=True,
        )
        wall = time.perf_counter() - before
        elapsed, cpu, peak, size, pages = child.stdout.split()
        print(
            f"  budget justification PDF: {float(elapsed):.1f} s ({float(cpu):.1f} s of CPU; "
            f"{wall:.1f} s with the process start), peak memory {peak} MB; {pages} pages, "
            f"{int(size) / 1e6:.1f} MB (target ≤ 20 s, ≤ 600 MB)"
        )
        page_seconds(plan_file)


def page_seconds(plan_file: Path) -> None:
    from planner import create_app
    from planner.extensions import db
    from tests.conftest import seed_test_data
    from tests.web import EDITOR, sign_in, token

    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        seed_test_data(url)
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"})
        client = app.test_client()
        sign_in(client, EDITOR)
        start = time.perf_counter()
        response = client.post(
            "/j/orange-county/plans/import",
            data={
                "csrf_token": token(client, "/j/orange-county/"),
                "name": "Worst case",
                "file": (plan_file.open("rb"), "worst.json"),
            },
            content_type="multipart/form-data",
        )
        imported = time.perf_counter() - start
        assert response.status_code == 302, response.status_code
        plan_url = response.headers["Location"]
        timings = []
        for _ in range(3):
            start = time.perf_counter()
            page = client.get(plan_url)
            timings.append(time.perf_counter() - start)
            assert page.status_code == 200
        start = time.perf_counter()
        chart = client.get(plan_url + "/charts/strategies.svg")
        chart_seconds = time.perf_counter() - start
        assert chart.status_code == 200
        start = time.perf_counter()
        workbook = client.get(plan_url + "/export.xlsx")
        workbook_seconds = time.perf_counter() - start
        assert workbook.status_code == 200
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"  import {imported:.2f} s; plan page {min(timings):.2f} s best of 3, "
            f"{max(timings):.2f} s worst (target ≤ 5 s); strategy chart "
            f"{chart_seconds:.2f} s; workbook {workbook_seconds:.2f} s; peak memory of the "
            f"page process {peak:.0f} MB"
        )
        assert re.search(r"<h1", page.get_data(as_text=True))
        with app.app_context():
            db.engine.dispose()
    _ = dt


if __name__ == "__main__":
    main()
