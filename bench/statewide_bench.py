"""Statewide benchmark (`make bench`, issue 24): server time of /statewide and its CSV over
117 governments × 3 plans × 18 FYs, beside /healthz, through the app in-process.

Each government gets its §14 starting plan (18 FYs, its receipt estimates) three times —
as adopted, as a draft with fewer referrals and as a draft with more — saved through the
services, so their figures are kept by the save hook as in production; each government's
means against the smallest fidelity program are computed once (`refresh_governments`).
Then the pages read stored rows only. The SQL statements each page runs are counted.

SQLite by default; `PLANNER_BENCH_POSTGRES_URL` (an empty database made for it) runs it on
PostgreSQL. Target: /statewide and its CSV median ≤ 300 ms server time.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, select  # noqa: E402

from planner import create_app  # noqa: E402
from planner.cost_tables import default_cost_tables  # noqa: E402
from planner.extensions import db  # noqa: E402
from planner.migrate import upgrade  # noqa: E402
from planner.models import PlanRecord  # noqa: E402
from planner.scenarios.starting import starting_plan  # noqa: E402
from tests.web import PASSWORD, sign_in  # noqa: E402

ANALYST = "analyst@state.example"
PLANS = (("adopted", "1"), ("fewer referrals", "0.5"), ("more referrals", "1.5"))
TARGET_MS = 300


def median_ms(action, repeat: int) -> tuple[float, float, float]:
    """Median and p95 wall time, and the median CPU time (the machine may be shared: CPU time
    is the server's own work, wall time includes waiting for a core)."""
    timings, cpu = [], []
    for i in range(repeat):
        start, start_cpu = time.perf_counter(), time.thread_time()
        action(i)
        timings.append(time.perf_counter() - start)
        cpu.append(time.thread_time() - start_cpu)
    timings.sort()
    return (
        statistics.median(timings) * 1000,
        timings[max(0, int(len(timings) * 0.95) - 1)] * 1000,
        statistics.median(cpu) * 1000,
    )


def seed(url: str) -> float:
    from planner.services.accounts import create_user
    from planner.services.demo import seed_jurisdictions
    from planner.services.plans import create_plan
    from planner.services.statewide import refresh_governments

    upgrade(url)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "QUEUE_URL": "memory://"})
    tables = default_cost_tables()
    start = time.perf_counter()
    with app.app_context():
        session = db.session
        if session.scalar(select(PlanRecord.id).limit(1)) is not None:
            sys.exit("the bench's database must be empty (it seeds 351 plans)")
        seed_jurisdictions(session)
        session.commit()
        create_user(session, ANALYST, PASSWORD, is_analyst=True)
        from planner.models import Jurisdiction

        for place in session.scalars(select(Jurisdiction).order_by(Jurisdiction.name)).all():
            document = starting_plan(tables, place.slug, start_fy=2027).document
            for name, factor in PLANS:
                referrals = document["participants"]["referrals_per_year"]
                varied = {
                    **document,
                    "name": f"{place.name}: {name}",
                    "participants": {
                        **document["participants"],
                        "referrals_per_year": {
                            k: format(float(v) * float(factor), "g") for k, v in referrals.items()
                        },
                    },
                }
                record = create_plan(session, place, varied, None, action="bench")
                if name == "adopted":
                    record.status = "adopted"
                    record.adopted_on = dt.date(2026, 6, 2)
            session.commit()  # the save hook keeps the three plans' figures
        refresh_governments(session)
        session.commit()
        db.engine.dispose()
    return time.perf_counter() - start


def main() -> None:
    postgres = os.environ.get("PLANNER_BENCH_POSTGRES_URL")
    with tempfile.TemporaryDirectory() as folder:
        url = postgres or f"sqlite:///{Path(folder) / 'statewide.db'}"
        seconds = seed(url)
        engine_name = "PostgreSQL" if postgres else "SQLite"
        print(
            f"statewide bench on {engine_name}: 117 governments × {len(PLANS)} plans × 18 FYs "
            f"seeded with their figures in {seconds:.0f} s"
        )
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "QUEUE_URL": "memory://"})
        statements: list[str] = []
        with app.app_context():
            event.listen(
                db.engine, "before_cursor_execute", lambda *args: statements.append(args[2])
            )
        client = app.test_client()
        sign_in(client, ANALYST)
        pages = (
            ("/healthz", "/healthz"),
            ("/statewide", "/statewide (every government, by name)"),
            ("/statewide?sort=runway&dir=desc&show=plan", "/statewide sorted by runway"),
            ("/statewide?show=short&kind=county", "/statewide filtered (short, counties)"),
            ("/statewide.csv", "/statewide.csv (every government)"),
        )
        for url_, _ in pages:
            for _ in range(3):
                assert client.get(url_).status_code == 200, url_
        for url_, label in pages:
            statements.clear()
            body = client.get(url_).get_data()
            count = len(statements)

            def get(_: int, url_: str = url_) -> None:
                assert client.get(url_).status_code == 200

            median, p95, cpu = median_ms(get, 30 if url_ != "/healthz" else 100)
            target = "" if url_ == "/healthz" else f" (target median ≤ {TARGET_MS} ms)"
            print(
                f"{label}: median {median:.1f} ms, p95 {p95:.1f} ms, CPU median {cpu:.1f} ms; "
                f"{count} SQL statements, {len(body) // 1024} KiB{target}"
            )
        with app.app_context():
            db.engine.dispose()


if __name__ == "__main__":
    main()
