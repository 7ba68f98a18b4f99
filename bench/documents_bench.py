"""Document benchmark (`make bench`): the demo plan's budget justification PDF (CPU and wall
time, peak memory of the process), the same plan stretched to 40 FYs (the format's limit),
and its Excel workbook.

The PDF's CPU time is also given as a ratio to an anchor measured in the same run and
process, alternating with it, so that a busy machine does not hide a change: the same HTML
read by WeasyPrint's HTML5 parser (pure Python on one thread, as the render is; the render
itself no longer uses it). The review's quiet machine rendered the demo in 2.1 s CPU where
this ratio was 25–28 (measured on a busy one), so the anchor is ≈0.08 s there and the goal of
≤ 1 s CPU reads as a ratio of ≤ 12.5. With BENCH_CHROMIUM=1, Chromium (headless, through
Playwright) printing the same HTML to a tagged PDF is a second anchor (the CPU of all its
processes: its ratio moves with the machine's load, 8 quiet and 2.8 at load 13).

The worst plan inside the limits (bench/limits_bench.py's: 200 lines, 40 FYs, every text at
its longest) is rendered in a fresh process, for its own CPU time and peak memory, and given
as a ratio to the demo's render in this run too.

Targets: PDF ≤ 1 s CPU (ratio to the anchor ≤ 12.5) and peak memory ≤ 300 MB; the worst plan
≤ 10 s CPU (issue 25; with the demo at its goal that is ≤ 10× the demo) and ≤ 600 MB; workbook
median ≤ 0.5 s.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import tinyhtml5

from planner.cost_tables import default_cost_tables
from planner.reports.context import plan_document
from planner.reports.pdf import STATIC
from planner.reports.render import plan_report_html, plan_report_pdf
from planner.reports.workbook import plan_workbook
from planner.scenarios import parse_plan_text

DEMO = Path(__file__).resolve().parent.parent / "examples" / "demo-orange-county.json"
CHROMIUM = os.environ.get("PLANNER_CHROMIUM", "/usr/bin/chromium")
GOAL_CPU_S = 1.0
GOAL_RATIO = 12.5  # 1 s over the parse's ≈0.08 s on the quiet reference machine
WORST_GOAL_CPU_S = 10.0
ROOT = Path(__file__).resolve().parent.parent


def timed(action, repeat: int) -> float:
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def _descendants_cpu() -> float:
    """CPU seconds (user + system) of this process's living descendants (the browser's)."""
    ticks = os.sysconf("SC_CLK_TCK")
    parents: dict[int, int] = {}
    cpu: dict[int, float] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry)] = int(fields[1])
        cpu[int(entry)] = (int(fields[11]) + int(fields[12])) / ticks
    mine = {os.getpid()}
    grew = True
    while grew:
        found = {pid for pid, parent in parents.items() if parent in mine} - mine
        grew = bool(found)
        mine |= found
    mine.discard(os.getpid())
    return sum(cpu[pid] for pid in mine)


class ChromiumAnchor:
    """Chromium printing the same HTML (the stylesheet inlined, every request but data: URLs
    refused); None when Chromium or Playwright is not installed."""

    def __init__(self, html: str):
        css = (STATIC / "report.css").read_text()
        self.html = html.replace(
            '<link rel="stylesheet" href="report.css">', f"<style>{css}</style>"
        )
        from playwright.sync_api import sync_playwright

        self.playwright = sync_playwright().start()
        self.browser = self.playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        self.print()  # warm up

    def print(self) -> tuple[float, int]:
        """CPU seconds of the browser's processes for one print, and the PDF's size."""
        start = _descendants_cpu()
        page = self.browser.new_page()
        page.route("**/*", lambda route: route.abort())
        page.set_content(self.html)
        pdf = page.pdf(tagged=True, prefer_css_page_size=True)
        page.close()
        return _descendants_cpu() - start, len(pdf)

    def close(self) -> None:
        self.browser.close()
        self.playwright.stop()


def main() -> None:
    text = DEMO.read_bytes()

    def document():
        plan = parse_plan_text(text, default_cost_tables())
        return plan_document(plan, prepared_on=dt.date(2026, 11, 28))

    plan_report_pdf(document())  # warm up: fonts, stylesheets
    html = plan_report_html(document())
    anchor = None
    if os.environ.get("BENCH_CHROMIUM") == "1" and Path(CHROMIUM).exists():
        try:
            anchor = ChromiumAnchor(html)
        except Exception as error:  # noqa: BLE001 - the anchor is optional: say why not
            print(f"(Chromium anchor not available: {error})")
    cpu, wall, parses, anchors = [], [], [], []
    for _ in range(5):  # alternating, so that both see the same machine
        gc.collect()  # neither pays for the other's garbage
        start, start_cpu = time.perf_counter(), time.process_time()
        plan_report_pdf(document())
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
        gc.collect()
        start_cpu = time.process_time()
        tinyhtml5.parse(html, namespace_html_elements=False)
        parses.append(time.process_time() - start_cpu)
        if anchor is not None:
            anchors.append(anchor.print()[0])
    if anchor is not None:
        anchor.close()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # The least of each: on a shared machine the noise only ever adds time.
    pdf_cpu = min(cpu)
    print(
        f"budget justification PDF (demo plan): CPU {pdf_cpu:.2f} s (least of 5) (goal ≤ "
        f"{GOAL_CPU_S:.0f} s), wall median {statistics.median(wall):.2f} s; peak memory of "
        f"the process {peak_mb:.0f} MB (target ≤ 300 MB)"
    )
    parse_cpu = min(parses)
    print(
        f"  anchor, the same HTML read by the HTML5 parser: CPU {parse_cpu * 1000:.0f} ms;"
        f" ratio {pdf_cpu / parse_cpu:.1f} (goal ≤ {GOAL_RATIO})"
    )
    if anchors:
        anchor_cpu = statistics.median(anchors)
        print(
            f"  anchor, Chromium printing the same HTML (tagged): CPU median {anchor_cpu:.2f} s; "
            f"ratio {pdf_cpu / anchor_cpu:.1f}"
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
    worst_plan_pdf(pdf_cpu)
    workbook = timed(lambda: plan_workbook(document()), 15)
    print(f"Excel workbook (demo plan): median {workbook:.3f} s (target ≤ 0.5 s)")


def worst_plan_pdf(demo_cpu: float) -> None:
    """The worst plan inside the limits, its PDF rendered in a fresh process (the document
    built first, outside the timing): CPU, peak memory, pages."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from limits_bench import worst_plan

    child_code = """
import datetime as dt, io, resource, sys, time
from pypdf import PdfReader
from planner.cost_tables import default_cost_tables
from planner.reports.context import plan_document
from planner.reports.render import plan_report_pdf
from planner.scenarios import parse_plan_text
plan = parse_plan_text(open(sys.argv[1], "rb").read(), default_cost_tables())
document = plan_document(plan, prepared_on=dt.date(2026, 11, 28))
start = time.process_time()
body = plan_report_pdf(document)
cpu = time.process_time() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"{cpu:.2f} {peak:.0f} {len(PdfReader(io.BytesIO(body)).pages)}")
"""
    with tempfile.TemporaryDirectory() as folder:
        plan_file = Path(folder) / "worst.json"
        plan_file.write_text(json.dumps(worst_plan()))
        child = subprocess.run(  # noqa: S603
            [sys.executable, "-c", child_code, str(plan_file)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=900,
            check=True,
        )
    cpu, peak, pages = child.stdout.split()
    print(
        f"budget justification PDF (the worst plan inside the limits, {pages} pages): CPU "
        f"{float(cpu):.1f} s (goal ≤ {WORST_GOAL_CPU_S:.0f} s), {float(cpu) / demo_cpu:.1f}× "
        f"the demo's in this run; peak memory of its process {peak} MB (target ≤ 600 MB)"
    )


if __name__ == "__main__":
    main()
