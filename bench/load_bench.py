"""Load benchmark (`make bench-load`): gunicorn on loopback with the demo data, driven by
Locust: 20 users for 60 seconds signing in, opening the plan page, saving a line item and
downloading the PDF, with /healthz as the trivial baseline route in the same run.

Reports requests per second, median and 95th-percentile latency per route, and errors
(each kind with its count); the plan page's and the PDF's p95 beside /healthz's of the same
run. Targets on the 2-core reference machine: 0 errors; plan page p95 ≤ 100 ms; PDF
download (the stored file, or the "being prepared" page right after a save) p95 ≤ 4 s.
Every request goes to 127.0.0.1 (a free port in 5100–5999) only, and the run stops by itself.
"""

from __future__ import annotations

import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
USERS = int(os.environ.get("LOAD_USERS", "20"))
SECONDS = int(os.environ.get("LOAD_SECONDS", "60"))
PDF_WEIGHT = int(os.environ.get("LOAD_PDF_WEIGHT", "1"))
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
READY: list[str] = []  # the plan of each user that has finished its start
EMAIL = "editor@orange.example"
PASSWORD = "correct horse battery"  # noqa: S105 - the seeded benchmark account


def free_port() -> int:
    """A free loopback port in 5100–5999 (the range the benchmarks use on a shared machine)."""
    for port in random.sample(range(5100, 6000), 900):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise SystemExit("no free port in 5100–5999")


def seed(url: str) -> None:
    code = f"from tests.conftest import seed_test_data; seed_test_data({url!r})"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)  # noqa: S603


def wait_until_up(base: str) -> None:
    deadline = time.time() + 120  # a busy machine starts four workers slowly
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("gunicorn did not start")


class Server:
    """The server's own side of the measured window: the CPU of gunicorn (its workers) and
    of the job worker it started, and each request's time inside the app, from the app's
    request log (`planner.requests`: one JSON line a request, `duration_ms`)."""

    def __init__(self, process: subprocess.Popen, log: Path):
        self.process, self.log = process, log
        self.start: tuple[dict[str, float], int] | None = None
        self.end: tuple[dict[str, float], int] | None = None

    def _cpu(self) -> dict[str, float]:
        import psutil

        master = psutil.Process(self.process.pid)
        found = {"gunicorn": 0.0, "job worker": 0.0}
        worker_tree: set[int] = set()
        for proc in master.children():
            try:
                if proc.cmdline()[-1:] == ["worker"]:  # `planner worker` and its renders
                    worker_tree = {proc.pid, *(c.pid for c in proc.children(recursive=True))}
            except psutil.Error:
                continue
        for proc in [master, *master.children(recursive=True)]:
            try:
                times = proc.cpu_times()
            except psutil.Error:
                continue
            name = "job worker" if proc.pid in worker_tree else "gunicorn"
            # with the CPU of its ended children (the job worker renders in a child process)
            found[name] += times.user + times.system + times.children_user + times.children_system
        return found

    def mark(self) -> None:
        point = (self._cpu(), self.log.stat().st_size)
        if self.start is None:
            self.start = point
        else:
            self.end = point

    def report(self, seconds: float, requests: int) -> None:
        if self.start is None or self.end is None:
            return
        for name in self.start[0]:
            used = self.end[0][name] - self.start[0][name]
            print(f"server CPU in the window, {name}: {used:.1f} s ({used / seconds:.2f} cores)")
        used = self.end[0]["gunicorn"] - self.start[0]["gunicorn"]
        print(f"gunicorn CPU per request: {1000 * used / max(requests, 1):.1f} ms")
        with self.log.open("rb") as lines:
            lines.seek(self.start[1])
            body = lines.read(self.end[1] - self.start[1]).decode(errors="replace")
        times: dict[str, list[float]] = {}
        for line in body.splitlines():
            try:
                entry = json.loads(line)
                times.setdefault(f"{entry['method']} {entry['endpoint']}", []).append(
                    float(entry["duration_ms"])
                )
            except (ValueError, KeyError, TypeError):
                continue
        print(f"{'time inside the app (server)':38} {'n':>5} {'median ms':>10} {'p95 ms':>8}")
        for name, values in sorted(times.items()):
            values.sort()
            p95 = values[max(int(len(values) * 0.95) - 1, 0)]
            print(f"{name:38} {len(values):>5} {statistics.median(values):>10.1f} {p95:>8.1f}")


def run_locust(base: str, server: Server):
    import gevent
    from locust import HttpUser, between, task
    from locust.env import Environment

    class Planner(HttpUser):
        host = base
        wait_time = between(2, 5)  # a person reading a page before the next click

        def on_start(self) -> None:
            page = self.client.get("/sign-in", name="sign-in page")
            token = TOKEN.search(page.text).group(1)
            self.client.post(
                "/sign-in",
                name="sign-in",
                data={"email": EMAIL, "password": PASSWORD, "csrf_token": token},
            )
            # each user works on a copy of the demo plan, as a finance officer would
            listing = self.client.get("/j/orange-county/", name="jurisdiction page").text
            demo = re.search(r'/j/orange-county/plans/(\d+)">Baseline LEAD plan', listing)
            token = TOKEN.search(
                self.client.get(f"/j/orange-county/plans/{demo.group(1)}", name="plan page").text
            ).group(1)
            copy = self.client.post(
                f"/j/orange-county/plans/{demo.group(1)}/clone",
                name="clone",
                data={"csrf_token": token, "name": f"Load {id(self)}"},
                allow_redirects=False,
            )
            self.plan = copy.headers["Location"]
            self.saves = 0
            READY.append(self.plan)

        @task(8)
        def plan_page(self) -> None:
            self.client.get(self.plan, name="plan page")

        @task(3)
        def save_line_item(self) -> None:
            url = f"{self.plan}/lines/case-managers"
            page = self.client.get(url, name="line item form").text
            fields = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page))
            fields["caseload_average"] = str(15 + self.saves % 5)
            fields["delivery"] = "contract"
            self.saves += 1
            with self.client.post(
                url, data=fields, name="line item save", allow_redirects=False, catch_response=True
            ) as response:
                if response.status_code != 302:
                    response.failure(f"status {response.status_code}")

        @task(PDF_WEIGHT)
        def pdf(self) -> None:
            # The worker makes the PDF after each save: a download is the stored file, or
            # (right after a save) the "being prepared" page, 202, which refreshes itself.
            with self.client.get(
                f"{self.plan}/report.pdf", name="PDF download", catch_response=True
            ) as response:
                if response.status_code == 202:
                    response.success()
                elif not response.content.startswith(b"%PDF"):
                    response.failure("not a PDF")

        @task(3)
        def healthz(self) -> None:
            self.client.get("/healthz", name="healthz (baseline)")

    environment = Environment(user_classes=[Planner])
    runner = environment.create_local_runner()
    # Ramp up at 4 users a second; each signs in and clones the demo plan. The sign-ins are
    # reported from the ramp-up; every other figure covers the SECONDS after it.
    runner.start(USERS, spawn_rate=4)
    # The measured window starts once every user has signed in and cloned its plan (on a
    # busy machine the ramp-up's password hashes and clones ran into it), then 5 s more.
    deadline = time.monotonic() + 180
    while len(READY) < USERS and time.monotonic() < deadline:
        gevent.sleep(0.5)
    gevent.sleep(5)
    ramp = {
        name: (
            entry.num_requests,
            entry.median_response_time,
            entry.get_response_time_percentile(0.95),
            entry.num_failures,
        )
        for (name, _), entry in environment.stats.entries.items()
    }
    environment.stats.reset_all()
    server.mark()

    def stop() -> None:
        server.mark()
        runner.quit()

    gevent.spawn_later(SECONDS, stop)
    runner.greenlet.join()
    return environment.stats, ramp


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'load.db'}"
        seed(url)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        env = {
            **os.environ,
            "PLANNER_DATABASE_URL": url,
            "PLANNER_SECRET_KEY": "load-test",
            "PLANNER_BIND": f"127.0.0.1:{port}",
            "PLANNER_LOG_LEVEL": "warning",
            # plain HTTP on loopback: production's Secure cookies would not come back
            "PLANNER_ENV_NAME": "development",
            # every simulated person signs in from the one loopback address
            "PLANNER_LOGIN_RATE_LIMIT": "1000 per minute",
        }
        log = Path(folder) / "requests.log"
        with log.open("wb") as out:
            process = subprocess.Popen(  # noqa: S603
                [
                    str(Path(sys.executable).parent / "gunicorn"),
                    "-c",
                    "gunicorn.conf.py",
                    "wsgi:app",
                ],
                cwd=ROOT,
                env=env,
                stdout=out,
            )
        server = Server(process, log)
        try:
            wait_until_up(base)
            stats, ramp = run_locust(base, server)
        finally:
            process.terminate()
            process.wait(timeout=30)
        server.report(SECONDS, stats.total.num_requests)
    print(
        f"Load: {USERS} users for {SECONDS} s against gunicorn "
        f"({env.get('PLANNER_WORKERS', '2 per core:')} {os.cpu_count() * 2} workers × "
        f"{env.get('PLANNER_THREADS', 4)} threads) on 127.0.0.1"
    )
    print(
        f"{'route':24} {'requests':>8} {'req/s':>7} {'median ms':>10} {'p95 ms':>8} {'errors':>6}"
    )
    for entry in sorted(stats.entries.values(), key=lambda e: e.name):
        if not entry.num_requests:
            continue
        print(
            f"{entry.name:24} {entry.num_requests:>8} {entry.total_rps:>7.2f} "
            f"{entry.median_response_time:>10.0f} "
            f"{entry.get_response_time_percentile(0.95):>8.0f} {entry.num_failures:>6}"
        )
    for name in ("sign-in", "clone"):
        if name not in ramp:  # a slow machine: the ramp-up ran past its window
            continue
        count, median, p95, failures = ramp[name]
        print(
            f"{name + ' (ramp-up)':24} {count:>8} {'':>7} {median:>10.0f} {p95:>8.0f} {failures:>6}"
        )
    total = stats.total
    print(
        f"{'all':24} {total.num_requests:>8} {total.total_rps:>7.2f} "
        f"{total.median_response_time:>10.0f} {total.get_response_time_percentile(0.95):>8.0f} "
        f"{total.num_failures:>6}"
    )
    for error in stats.errors.values():
        print(f"error: {error.method} {error.name}: {error.error} ({error.occurrences}×)")

    def p95(name: str) -> float:
        entry = next((e for e in stats.entries.values() if e.name == name), None)
        return entry.get_response_time_percentile(0.95) if entry and entry.num_requests else 0

    health = p95("healthz (baseline)") or 1
    page, pdf = p95("plan page"), p95("PDF download")
    print(
        f"plan page p95 {page:.0f} ms = {page / health:.1f}× /healthz p95 {health:.0f} ms "
        f"(target ≤ 100 ms); PDF download p95 {pdf:.0f} ms (target ≤ 4,000 ms); "
        f"errors {total.num_failures} (target 0)"
    )


if __name__ == "__main__":
    main()
