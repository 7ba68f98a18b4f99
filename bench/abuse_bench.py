"""Abuse benchmark (`make bench-abuse`): gunicorn on loopback with the test data; while a few
signed-in clients send the worst inputs just inside and just outside the limits of cost model
§15 (hostile plan imports, form posts, receipts CSVs, query parameters), probes time
`/healthz` and a plan page. The same probes run first without the abuse, as the baseline.

Reports each probe's median and p95 with and without the abuse, and the attackers' answers by
status (a 5xx or a timeout is a failure). Targets on the 2-core reference machine: no 5xx, no
timeout; `/healthz` p95 ≤ 100 ms and plan page p95 ≤ 1 s under abuse.
Every request goes to 127.0.0.1 only; the run stops by itself in about 60-90 seconds.
"""

from __future__ import annotations

import collections
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load_bench import EMAIL, PASSWORD, TOKEN, free_port, seed, wait_until_up  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BASELINE_SECONDS = int(os.environ.get("ABUSE_BASELINE_SECONDS", "12"))
ABUSE_SECONDS = int(os.environ.get("ABUSE_SECONDS", "30"))
ATTACKERS = int(os.environ.get("ABUSE_CLIENTS", "4"))
PROBE_EVERY = 0.25  # seconds between two probes of each kind
TIMEOUT = 30  # seconds before a request counts as unanswered


def signed_in(base: str) -> requests.Session:
    session = requests.Session()
    token = TOKEN.search(session.get(base + "/sign-in", timeout=TIMEOUT).text).group(1)
    answer = session.post(
        base + "/sign-in",
        data={"email": EMAIL, "password": PASSWORD, "csrf_token": token},
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    assert answer.status_code == 302, answer.status_code
    return session


def csrf(session: requests.Session, url: str) -> str:
    return TOKEN.search(session.get(url, timeout=TIMEOUT).text).group(1)


def plan_file(*, start_fy: str = "2026", lines: str = "[]", **sections: str) -> bytes:
    extra = "".join(f', "{key}": {value}' for key, value in sections.items())
    return (
        f'{{"schema": "lead-plan/1", "start_fy": {start_fy}, "line_items": {lines}{extra}}}'
    ).encode()


def other_lines(n: int, justification: int = 0) -> str:
    return json.dumps(
        [
            {
                "id": f"l{i}",
                "kind": "other",
                "annual_amount": "1000",
                "label": "x" * 200,
                "strategy": f"S{i}",
                "justification": "y" * justification,
            }
            for i in range(n)
        ]
    )


def hostile_imports() -> list[tuple[str, bytes]]:
    """(name, file): just outside the limits, then the largest file just inside them."""
    return [
        ("start_fy 1e999999999", plan_file(start_fy="1e999999999")),
        (
            "end_fy 1e999999999",
            plan_file(
                lines='[{"id": "o", "kind": "other", "annual_amount": "1", "end_fy": 1e999999999}]'
            ),
        ),
        ("fringe 1e-999999999", plan_file(assumptions='{"fringe_rate": 1e-999999999}')),
        ("inflation 1e-999999", plan_file(assumptions='{"inflation": "1e-999999"}')),
        ("41-digit amount", plan_file(fund='{"opening_balance": %s}' % ("9" * 41))),  # noqa: UP031
        ("201 lines", plan_file(lines=other_lines(201))),
        ("depth 100,000", plan_file(lines="[" * 100_000 + "]" * 100_000)),
        (
            "5,000 unknown keys",
            plan_file(assumptions=json.dumps({f"k{i}": 1 for i in range(5000)})),
        ),
        # inside: 200 lines with long labels, their own strategies and the longest texts the
        # plan's text total allows
        ("200 lines, 40 years (inside)", plan_file(lines=other_lines(200, 800), years="40")),
    ]


def hostile_forms(plan: str) -> list[tuple[str, str, dict[str, str]]]:
    """(name, section, changes) posted through the editor's forms."""
    return [
        ("fringe 1e-999999999", "assumptions", {"fringe_rate": "1e-999999999"}),
        ("inflation 1e-30 (inside)", "assumptions", {"inflation": "1e-30"}),
        ("start_fy 1e999999999", "settings", {"start_fy": "1e999999999"}),
        ("opening 1e999999999", "fund", {"opening_balance": "1e999999999"}),
        ("ramp of 5,000", "participants", {"ramp": ", ".join(["1"] * 5000)}),
        ("MOA year 1", "fund", {"moa_executed_on": "0001-01-01"}),
    ]


BAD_CSV = ("2026,1e-999999999\n" + "2027," + "x" * 60 + "\n") * 15_000  # about 1.9 MB


class Attacker(threading.Thread):
    def __init__(
        self, base: str, plan: str, stop: threading.Event, seen: collections.Counter, number: int
    ):
        super().__init__(daemon=True)
        self.base, self.plan, self.stop, self.seen, self.number = base, plan, stop, seen, number

    def run(self) -> None:
        session = signed_in(self.base)
        imports, forms = hostile_imports(), hostile_forms(self.plan)
        step = self.number
        while not self.stop.is_set():
            kind = step % 4
            try:
                if kind == 0:
                    name, body = imports[step // 4 % len(imports)]
                    token = csrf(session, self.base + "/j/orange-county/")
                    answer = session.post(
                        self.base + "/j/orange-county/plans/import",
                        data={"csrf_token": token},
                        files={"file": ("hostile.json", body)},
                        allow_redirects=False,
                        timeout=TIMEOUT,
                    )
                    if answer.status_code == 302:  # the inside case: open what was made
                        made = answer.headers["Location"]
                        session.get(
                            self.base + made if made.startswith("/") else made, timeout=TIMEOUT
                        )
                    label = f"import {name}"
                elif kind == 1:
                    name, section, changes = forms[step // 4 % len(forms)]
                    url = f"{self.base}{self.plan}/edit/{section}"
                    page = session.get(url, timeout=TIMEOUT).text
                    fields = dict(
                        re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page)
                    )
                    fields.update(changes)
                    answer = session.post(url, data=fields, allow_redirects=False, timeout=TIMEOUT)
                    label = f"form {name}"
                elif kind == 2:
                    url = f"{self.base}{self.plan}/edit/receipts/csv"
                    token = csrf(session, f"{self.base}{self.plan}/edit/receipts")
                    answer = session.post(
                        url,
                        data={"csrf_token": token, "confirm": "1"},
                        files={"file": ("bad.csv", BAD_CSV.encode())},
                        allow_redirects=False,
                        timeout=TIMEOUT,
                    )
                    label = "receipts CSV 1.9 MB"
                else:
                    # (4,000 digits: gunicorn itself refuses a request line over 4,094 bytes)
                    queries = [
                        "/j/orange-county/compare?plans=²",
                        "/j/orange-county/compare?plans=" + "9" * 4000,
                        f"/j/orange-county/plans/{2**63}",
                        "/j/orange-county/plans/" + "9" * 4000,
                        "/j/orange%00county/",
                    ]
                    url = queries[step // 4 % len(queries)]
                    answer = session.get(self.base + url, timeout=TIMEOUT)
                    label = "query " + url.split("/j/")[-1][:30]
                self.seen[(label, answer.status_code, len(answer.content) > 2_000_000)] += 1
            except requests.RequestException as error:
                self.seen[(f"step {kind}", type(error).__name__, False)] += 1
            step += ATTACKERS


class Probe(threading.Thread):
    def __init__(self, session: requests.Session, url: str, stop: threading.Event):
        super().__init__(daemon=True)
        self.session, self.url, self.stop = session, url, stop
        self.timings: list[float] = []
        self.failures = 0

    def run(self) -> None:
        while not self.stop.is_set():
            start = time.perf_counter()
            try:
                answer = self.session.get(self.url, timeout=TIMEOUT)
                if answer.status_code != 200:
                    self.failures += 1
            except requests.RequestException:
                self.failures += 1
            self.timings.append(time.perf_counter() - start)
            self.stop.wait(PROBE_EVERY)


def probe_for(
    base: str, plan: str, seconds: float, attackers: int
) -> tuple[dict[str, Probe], collections.Counter]:
    stop = threading.Event()
    seen: collections.Counter = collections.Counter()
    probes = {
        "/healthz": Probe(requests.Session(), base + "/healthz", stop),
        "plan page": Probe(signed_in(base), base + plan, stop),
    }
    threads = [*probes.values(), *(Attacker(base, plan, stop, seen, n) for n in range(attackers))]
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join(timeout=TIMEOUT + 5)
    return probes, seen


def quantiles(timings: list[float]) -> tuple[float, float]:
    ordered = sorted(timings)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    return statistics.median(ordered) * 1000, p95 * 1000


def main() -> None:
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'abuse.db'}"
        seed(url)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        env = {
            **os.environ,
            "PLANNER_DATABASE_URL": url,
            "PLANNER_ENV_NAME": "development",  # a test key, over plain HTTP on loopback
            "PLANNER_SECRET_KEY": "abuse-test",
            "PLANNER_BIND": f"127.0.0.1:{port}",
            "PLANNER_LOG_LEVEL": "error",
        }
        server = subprocess.Popen(  # noqa: S603
            [str(Path(sys.executable).parent / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
        )
        try:
            wait_until_up(base)
            listing = signed_in(base).get(base + "/j/orange-county/", timeout=TIMEOUT).text
            plan = re.search(r'(/j/orange-county/plans/\d+)">Baseline LEAD plan', listing).group(1)
            baseline, _ = probe_for(base, plan, BASELINE_SECONDS, 0)
            abused, seen = probe_for(base, plan, ABUSE_SECONDS, ATTACKERS)
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(
        f"Abuse: {ATTACKERS} signed-in clients sending hostile input for {ABUSE_SECONDS} s "
        f"(baseline {BASELINE_SECONDS} s without) against gunicorn on 127.0.0.1"
    )
    print(f"{'probe':12} {'':9} {'requests':>8} {'median ms':>10} {'p95 ms':>8} {'failed':>6}")
    for name in baseline:
        for phase, probes in (("baseline", baseline), ("abuse", abused)):
            probe = probes[name]
            median, p95 = quantiles(probe.timings)
            print(
                f"{name:12} {phase:9} {len(probe.timings):>8} {median:>10.0f} {p95:>8.0f} "
                f"{probe.failures:>6}"
            )
    print("attackers' requests by answer:")
    failures = 0
    for (label, status, huge), count in sorted(seen.items(), key=str):
        bad = not isinstance(status, int) or status >= 500 or huge
        failures += count if bad else 0
        print(f"  {label:40} {status!s:>18} × {count}{'  FAILURE' if bad else ''}")
    print(
        f"attackers' 5xx, timeouts or answers over 2 MB: {failures}; "
        f"total run {time.perf_counter() - started:.0f} s"
    )


if __name__ == "__main__":
    main()
