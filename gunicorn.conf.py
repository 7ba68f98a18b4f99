"""gunicorn settings (`make serve`); each can be changed through the environment."""

import multiprocessing
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

# gunicorn serves production unless told otherwise: a strong PLANNER_SECRET_KEY is required
# and cookies are Secure. Set PLANNER_ENV_NAME=development to try it over plain HTTP.
os.environ.setdefault("PLANNER_ENV_NAME", "production")

bind = os.environ.get("PLANNER_BIND", "127.0.0.1:8000")
# Two processes a core. Simulations and PDFs run in the job worker (`planner worker`, started
# below), not here: a request only reads and writes the database.
workers = int(os.environ.get("PLANNER_WORKERS", multiprocessing.cpu_count() * 2))
threads = int(os.environ.get("PLANNER_THREADS", "4"))
worker_class = "gthread"
# gunicorn's `timeout` is the worker's heartbeat: under gthread it does not end a request.
# REQUEST_TIMEOUT does (the watchdog below): a request still running after it ends its
# worker process (the others of that worker get `graceful_timeout` to finish first).
timeout = int(os.environ.get("PLANNER_TIMEOUT", "30"))
request_timeout = int(os.environ.get("PLANNER_REQUEST_TIMEOUT", "30"))
graceful_timeout = 10
# An idle keep-alive connection is closed by the server after `keepalive` seconds. When that is
# shorter than a client's (or a proxy's) own idle time, the client may send its next request
# on a socket the server is closing at that moment, and reads "connection reset by peer": the
# load benchmark's users think 2–5 s, and with 5 s the resets came under load. The server must
# keep an idle connection longer than any client in front of it does: 75 s (nginx's default
# keepalive_timeout is 75 s on its side toward clients and it opens fresh upstream connections;
# a load balancer's idle timeout is usually 60 s).
keepalive = int(os.environ.get("PLANNER_KEEPALIVE", "75"))
# Workers are recycled: after about 1,000 requests, and as soon as one holds more than
# PLANNER_WORKER_MAX_RSS_MB resident (after its requests end), so memory returns to a fresh
# worker's level.
max_requests = int(os.environ.get("PLANNER_MAX_REQUESTS", "1000"))
max_requests_jitter = 100
max_rss_mb = int(os.environ.get("PLANNER_WORKER_MAX_RSS_MB", "400"))
# Request heads: gunicorn's limits, explicit (bodies: MAX_CONTENT_LENGTH, 2 MB, in the app).
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
# Trust X-Forwarded-* from the reverse proxy that terminates TLS.
forwarded_allow_ips = os.environ.get("PLANNER_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = None  # the app writes structured request logs itself (planner.requests)
errorlog = "-"
loglevel = os.environ.get("PLANNER_LOG_LEVEL", "info")
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"format": "%(message)s"},
                   "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {
        "requests": {"class": "logging.StreamHandler", "formatter": "json",
                     "stream": "ext://sys.stdout"},
        "errors": {"class": "logging.StreamHandler", "formatter": "plain",
                   "stream": "ext://sys.stderr"},
    },
    "loggers": {
        "planner.requests": {"handlers": ["requests"], "level": "INFO", "propagate": False},
        "gunicorn.error": {"handlers": ["errors"], "level": loglevel.upper(),
                           "propagate": False},
    },
    "root": {"handlers": ["errors"], "level": "WARNING"},
}


# --- The per-request deadline and the memory recycling: one watchdog thread a worker ---------

_requests: dict[int, tuple[float, str]] = {}  # thread id -> (start, path) of this worker


def pre_request(worker, req):
    _requests[threading.get_ident()] = (time.monotonic(), req.path)


def post_request(worker, req, environ, resp):
    _requests.pop(threading.get_ident(), None)


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _watch(worker) -> None:
    stopping_at = None
    while True:
        time.sleep(1)
        now = time.monotonic()
        late = [(path, now - start) for start, path in _requests.copy().values()
                if now - start > request_timeout]
        if late and stopping_at is None:
            worker.log.error("request %s has run %.0f s, over the %d s limit: worker %s ends",
                             late[0][0], late[0][1], request_timeout, worker.pid)
            stopping_at = now
            worker.handle_exit(signal.SIGTERM, None)  # stop accepting; the others finish
        elif stopping_at is None and not _requests and _rss_mb() > max_rss_mb:
            worker.log.warning("worker %s holds %.0f MB (over %d MB): recycled",
                               worker.pid, _rss_mb(), max_rss_mb)
            stopping_at = now
            worker.handle_exit(signal.SIGTERM, None)
        if stopping_at is not None and now - stopping_at > graceful_timeout + 1:
            os._exit(1)  # a request past its limit still holds a thread: end the process


def post_worker_init(worker):
    threading.Thread(target=_watch, args=(worker,), name="planner-watchdog", daemon=True).start()


# --- The job worker (`planner worker`), started with the server unless it runs elsewhere -----

_job_worker: list[subprocess.Popen] = []


# The job worker renders PDFs and simulates: seconds of CPU each, which on the same machine
# would take the cores from the pages (under the load benchmark, PDFs were 80–90 % of the
# server's CPU and pushed the plan page's p95 to 130–420 ms). It runs at a lower priority
# (`nice`, 10 by default): a page's request gets a core first, and the worker has every cycle
# the pages leave. 0 keeps it at the server's priority.
job_worker_nice = int(os.environ.get("PLANNER_JOB_WORKER_NICE", "10"))


def when_ready(server):
    if os.environ.get("PLANNER_RUN_WORKER", "1") == "0":
        return  # workers on other machines (docs/deployment.md)
    planner = Path(sys.executable).with_name("planner")
    nice = shutil.which("nice")
    command = [str(planner), "worker"]
    if job_worker_nice and nice:
        command = [nice, "-n", str(job_worker_nice), *command]
    _job_worker.append(subprocess.Popen(command))  # noqa: S603
    server.log.info("job worker started (pid %s)", _job_worker[0].pid)


def on_exit(server):
    for process in _job_worker:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
