"""Public pages benchmark (issue 24).

`make bench` (in-process, < 60 s): the time to publish the demo plan (its projection, checks,
JSON documents and page computed once; its PDF queued), then the server time of what
anonymous visitors ask for: the public page, its revalidation (304), the plan file, the
index of public plans. Targets: public page median ≤ 20 ms (a stored text), publish ≤ 2 s.

`make bench-public` (`--load`): gunicorn on 127.0.0.1 with the demo plan published, /healthz
measured alone (baseline), then LOAD_READERS (200) anonymous readers for LOAD_SECONDS (30)
opening the index and the page (as a browser does: revalidating with the ETag it
has) while /healthz is measured again. Target: 0 errors, /healthz p95 within 50 ms of its
baseline. Every request goes to 127.0.0.1 only, and the run stops by itself.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load_bench import free_port  # noqa: E402
from planner import create_app  # noqa: E402
from planner.extensions import db  # noqa: E402
from tests.conftest import seed_test_data  # noqa: E402
from tests.web import EDITOR, sign_in, token  # noqa: E402

READERS = int(os.environ.get("LOAD_READERS", "200"))
SECONDS = int(os.environ.get("LOAD_SECONDS", "30"))
BASELINE_SECONDS = int(os.environ.get("LOAD_BASELINE_SECONDS", "15"))
PLAN = "Baseline LEAD plan"


def published(url: str, *, render_pdf: bool) -> tuple[str, float]:
    """Seed, adopt and publish the demo plan through the editor's button. Returns the public
    page's path and the seconds the publish request took."""
    from sqlalchemy import select

    from planner.models import PlanRecord
    from planner.services.plans import set_status

    app = create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "bench",
            "QUEUE_URL": "memory://",
            "JOBS_IMMEDIATE": render_pdf,
            "JOBS_ISOLATE": False,
        }
    )
    with app.app_context():
        record = db.session.scalar(select(PlanRecord).where(PlanRecord.name == PLAN))
        set_status(db.session, record, None, "adopt", dt.date(2026, 6, 2), expected_version=None)
        db.session.commit()
        plan_id, version = record.id, record.version
    client = app.test_client()
    sign_in(client, EDITOR)
    page = f"/j/orange-county/plans/{plan_id}"
    csrf = token(client, page)
    start = time.perf_counter()
    response = client.post(f"{page}/publish", data={"csrf_token": csrf})
    seconds = time.perf_counter() - start
    assert response.status_code == 302, response.status_code
    with app.app_context():
        db.engine.dispose()
    return f"/public/orange-county/plans/{plan_id}/v{version}/", seconds


def wait_until_up(base: str, seconds: float = 120) -> None:
    """The shared machine may start gunicorn slowly: wait up to `seconds` for /healthz."""
    import urllib.request

    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("gunicorn did not start")


def timed(client, url: str, repeat: int, headers: dict | None = None, status: int = 200):
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(url, headers=headers or {})
        timings.append(time.perf_counter() - start)
        assert response.status_code == status, (url, response.status_code)
    timings.sort()
    return statistics.median(timings) * 1000, timings[int(len(timings) * 0.95) - 1] * 1000


def in_process() -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'public.db'}"
        seed_test_data(url)
        base, publish_seconds = published(url, render_pdf=False)
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "QUEUE_URL": "memory://"})
        client = app.test_client()
        etag = client.get(base).headers["ETag"]
        rows = [
            ("public page", timed(client, base, 300)),
            ("public page, 304", timed(client, base, 300, {"If-None-Match": etag}, 304)),
            ("fund chart", timed(client, base + "fund.svg", 200)),
            ("projection JSON", timed(client, base + "projection.json", 25)),
            ("index JSON", timed(client, "/public/index.json", 200)),
            ("index page", timed(client, "/public", 200)),
        ]
        with app.app_context():
            db.engine.dispose()
    print(f"Public pages (in-process, SQLite): publish {publish_seconds * 1000:.0f} ms")
    print(f"{'route':20} {'median ms':>10} {'p95 ms':>8}")
    for name, (median, p95) in rows:
        print(f"{name:20} {median:>10.1f} {p95:>8.1f}")


def run_locust(base: str, page: str):
    import gevent
    from locust import FastHttpUser, between, task
    from locust.env import Environment

    class Health(FastHttpUser):
        host = base
        wait_time = between(0.5, 1.0)
        fixed_count = 5

        @task
        def healthz(self) -> None:
            self.client.get("/healthz", name="healthz")

    class Reader(FastHttpUser):
        host = base
        wait_time = between(1, 3)  # a person reading before the next click

        def on_start(self) -> None:
            self.etags: dict[str, str] = {}

        def _get(self, url: str, name: str) -> None:
            headers = {"If-None-Match": self.etags[url]} if url in self.etags else {}
            with self.client.get(url, name=name, headers=headers, catch_response=True) as r:
                if r.status_code == 200:
                    self.etags[url] = r.headers.get("ETag", "")
                    r.success()
                elif r.status_code == 304:
                    r.success()
                else:
                    r.failure(f"status {r.status_code}")

        @task(4)
        def public_page(self) -> None:
            self._get(page, "public page")  # its chart is inside it

        @task(1)
        def index(self) -> None:
            self._get("/public", "index page")
            self._get("/public/index.json", "index JSON")

    def measure(users, count: int, seconds: int):
        environment = Environment(user_classes=users)
        runner = environment.create_local_runner()
        runner.start(count, spawn_rate=50)
        gevent.sleep(count / 50 + 2)
        environment.stats.reset_all()
        gevent.spawn_later(seconds, runner.quit)
        runner.greenlet.join()
        return environment.stats

    baseline = measure([Health], 5, BASELINE_SECONDS)
    loaded = measure([Health, Reader], READERS + 5, SECONDS)
    return baseline, loaded


def under_load() -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'public-load.db'}"
        seed_test_data(url)
        page, _ = published(url, render_pdf=False)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        env = {
            **os.environ,
            "PLANNER_DATABASE_URL": url,
            "PLANNER_SECRET_KEY": "load-test",
            "PLANNER_BIND": f"127.0.0.1:{port}",
            "PLANNER_LOG_LEVEL": "warning",
            "PLANNER_ENV_NAME": "development",
        }
        server = subprocess.Popen(  # noqa: S603
            [str(Path(sys.executable).parent / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
        )
        try:
            wait_until_up(base)
            baseline, loaded = run_locust(base, page)
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(
        f"Public pages under load: {READERS} anonymous readers for {SECONDS} s against gunicorn "
        f"({os.environ.get('PLANNER_WORKERS', os.cpu_count() * 2)} workers) on 127.0.0.1"
    )
    print(
        f"{'route':24} {'requests':>8} {'req/s':>7} {'median ms':>10} {'p95 ms':>8} {'errors':>6}"
    )
    rows = [("healthz alone", baseline.get("healthz", "GET"))]
    rows += [
        (entry.name + (" (loaded)" if entry.name == "healthz" else ""), entry)
        for entry in sorted(loaded.entries.values(), key=lambda e: e.name)
    ]
    for name, entry in rows:
        if not entry.num_requests:
            continue
        print(
            f"{name:24} {entry.num_requests:>8} {entry.total_rps:>7.2f} "
            f"{entry.median_response_time:>10.0f} "
            f"{entry.get_response_time_percentile(0.95):>8.0f} {entry.num_failures:>6}"
        )
    total = loaded.total
    print(
        f"{'all (loaded)':24} {total.num_requests:>8} {total.total_rps:>7.2f} "
        f"{total.median_response_time:>10.0f} {total.get_response_time_percentile(0.95):>8.0f} "
        f"{total.num_failures:>6}"
    )


if __name__ == "__main__":
    under_load() if "--load" in sys.argv else in_process()
