"""Bounded requests under gunicorn (`make bench`, issue 20 M2), on loopback: gunicorn.conf.py
as `make serve` runs it (gthread), 2 workers, with a 5 s request deadline and a low memory
ceiling so both show within a minute:

- a request that never ends (a POST whose body trickles in a byte a second): answered or cut
  by its worker's end within the deadline + graceful time (target ≤ 20 s), and the
  master starts a fresh worker;
- memory: the workers' resident memory fresh, after 12 workbook downloads, and after the
  recycling (a worker over PLANNER_WORKER_MAX_RSS_MB between requests is replaced)."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
PORT = int(os.environ.get("BENCH_PORT", "5391"))
BASE = f"http://127.0.0.1:{PORT}"


def children(master: int) -> dict[int, float]:
    found = {}
    for pid in Path(f"/proc/{master}/task/{master}/children").read_text().split():
        try:
            statm = Path(f"/proc/{pid}/statm").read_text().split()
            found[int(pid)] = int(statm[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
        except OSError:
            pass
    return found


def sign_in(session: requests.Session) -> None:
    from tests.web import EDITOR, PASSWORD

    page = session.get(BASE + "/sign-in").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="csrf_token" value="([^"]+)"', page
    )
    response = session.post(
        BASE + "/sign-in",
        data={"email": EDITOR, "password": PASSWORD, "csrf_token": token.group(1)},
        allow_redirects=False,
    )
    assert response.status_code == 302, response.status_code


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        code = f"from tests.conftest import seed_test_data; seed_test_data({url!r})"
        subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)  # noqa: S603
        env = {
            **os.environ,
            "PLANNER_ENV_NAME": "development",
            "PLANNER_DATABASE_URL": url,
            "PLANNER_BIND": f"127.0.0.1:{PORT}",
            "PLANNER_WORKERS": "2",
            "PLANNER_REQUEST_TIMEOUT": "5",
            "PLANNER_WORKER_MAX_RSS_MB": os.environ.get("BENCH_MAX_RSS_MB", "200"),
            "PLANNER_RUN_WORKER": "0",
        }
        server = subprocess.Popen(  # noqa: S603
            [str(Path(sys.executable).parent / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            for _ in range(600):
                try:
                    if requests.get(BASE + "/healthz", timeout=30).status_code == 200:
                        break
                except requests.RequestException:
                    time.sleep(0.5)
            run(server.pid)
        finally:
            server.terminate()
            server.wait(30)


def run(master: int) -> None:
    session = requests.Session()
    for _ in range(4):
        session.get(BASE + "/healthz")
    sign_in(session)
    home = session.get(BASE + "/j/orange-county/").text
    plan = "/j/orange-county/plans/" + re.search(r"/plans/(\d+)\"", home).group(1)
    session.get(BASE + plan)
    fresh = children(master)
    print(f"workers after start and a page: {', '.join(f'{m:.0f} MB' for m in fresh.values())}")

    # A request whose body never comes: the watchdog ends it.
    before = set(children(master))
    sock = socket.create_connection(("127.0.0.1", PORT))
    sock.sendall(
        b"POST /sign-in HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-"
        b"urlencoded\r\nContent-Length: 100000\r\n\r\n"
    )
    start = time.perf_counter()
    sock.settimeout(1)
    ended = None
    while time.perf_counter() - start < 60:
        try:
            sock.sendall(b"a")
            if sock.recv(1, socket.MSG_PEEK) == b"":
                ended = time.perf_counter() - start
                break
            ended = time.perf_counter() - start  # answered
            break
        except TimeoutError:
            continue
        except OSError:
            ended = time.perf_counter() - start
            break
    sock.close()
    time.sleep(3)
    after = set(children(master))
    health = requests.get(BASE + "/healthz", timeout=30).status_code
    print(
        f"a request past the 5 s deadline: ended after {ended:.1f} s (target ≤ 20 s: 5 s, "
        f"then 10 s for the worker's other requests); workers replaced: "
        f"{len(before - after)}, healthz after: {health}"
    )

    # Memory: workbooks, then the recycling.
    for _ in range(12):
        assert session.get(BASE + plan + "/export.xlsx").status_code == 200
    loaded = children(master)
    session.close()  # no kept-alive connection: a recycled worker ends at once
    time.sleep(15)
    for _ in range(4):
        requests.get(BASE + "/healthz", timeout=30)
    recycled = children(master)
    print(
        "workers after 12 workbooks: "
        + ", ".join(f"{m:.0f} MB" for m in loaded.values())
        + "; 15 s later: "
        + ", ".join(f"{m:.0f} MB" for m in recycled.values())
        + f" ({len(set(loaded) - set(recycled))} recycled above "
        + f"{os.environ.get('BENCH_MAX_RSS_MB', '200')} MB)"
    )


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
