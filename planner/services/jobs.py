"""The job queue for long work (issue 20 M1/M2, issue 25.2): simulations, PDFs, fit options.

Two parts, each doing one thing:

- **The `jobs` table** (`planner.models.Job`) is the truth every web worker reads: one row per
  piece of work, keyed by the SHA-256 of its kind and of every input it reads
  (`content_key`). Its state is `queued`, `running` (with a percent), `done` (with the result)
  or `failed` (with the reason). A changed input is another key, so a result is never served
  for content it was not computed from.
- **Huey** (a maintained task queue) only rings a worker: its message is the row's key.
  `make run` keeps the queue in a SQLite file beside the database and runs the worker threads
  inside `planner serve`; several machines share a Redis queue (`PLANNER_QUEUE_URL`).

Each job runs in a child process (forkserver) with an address-space limit
(`PLANNER_JOB_MEMORY_MB`) and is killed at its time limit (`PLANNER_JOB_TIME_LIMIT`); the
number of worker threads (`PLANNER_JOB_WORKERS`) is how many run at once.

The API for other features (the fit options, …), all with the caller's session:

    key = content_key("fit-options", document, as_of.isoformat())
    enqueue(session, "fit-options", key, "planner.services.fit:options_job", [document, ...],
            plan_id=record.id, jurisdiction_id=record.jurisdiction_id)
    session.commit()                       # the worker is rung after the commit
    job = state(session, key)              # None, or .state / .progress / .error
    value = result(session, key)           # the function's return value once done, else None

The function runs in a worker process: it takes JSON arguments (text, numbers, None) and
returns a picklable value; it may call `progress(fraction)` and `given(key)` (the result of
a job it `needs`)."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import importlib
import json
import logging
import multiprocessing
import os
import pickle
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, event, select, update
from sqlalchemy.orm import Session

from planner.models import Job
from planner.models.base import utcnow
from planner.services import DbSession

log = logging.getLogger("planner.jobs")

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
PENDING = (QUEUED, RUNNING)
RING_KEY = "planner_jobs_ring"  # Session.info: the keys to ring after the commit


@dataclass
class Settings:
    """How the queue runs; `configure` sets it from the app's configuration."""

    url: str = "memory://"  # sqlite:///path, redis://host:port/db, or memory:// (tests)
    immediate: bool = False  # run each job at once in the thread that rings (tests)
    isolate: bool = True  # each job in its own process with the limits below
    workers: int = 2
    time_limit: float = 300.0  # seconds a job may run
    memory_mb: int = 2048  # the job process's address space
    preload: tuple[str, ...] = ()  # modules the forkserver imports once
    engine: Any = None  # the app's SQLAlchemy engine (the worker's own sessions)
    huey: Any = None
    task: Any = None
    sweep: Any = None
    lock: threading.Lock = field(default_factory=threading.Lock)


SETTINGS = Settings()


def content_key(kind: str, *parts: object) -> str:
    """The job's key: its kind and every input it reads, each part told apart from the next."""
    digest = hashlib.sha256(kind.encode())
    for part in parts:
        text = "" if part is None else str(part)
        digest.update(b"\x00%d\x00" % len(text))
        digest.update(text.encode("utf-8"))
    return digest.hexdigest()


def configure(
    url: str,
    *,
    engine: Any,
    immediate: bool = False,
    isolate: bool = True,
    workers: int = 2,
    time_limit: float = 300.0,
    memory_mb: int = 2048,
    preload: Sequence[str] = (),
) -> None:
    """Set the queue up (the app factory calls it); the Huey instance is made at first use."""
    SETTINGS.url = url
    SETTINGS.engine = engine
    SETTINGS.immediate = immediate
    SETTINGS.isolate = isolate
    SETTINGS.workers = max(1, workers)
    SETTINGS.time_limit = time_limit
    SETTINGS.memory_mb = memory_mb
    SETTINGS.preload = tuple(preload)
    SETTINGS.huey = None
    RESULTS.items.clear()  # another database may hold other results under a key


def queue() -> Any:
    """The Huey instance for the configured URL, with the one task: run the job of a key."""
    with SETTINGS.lock:
        if SETTINGS.huey is None:
            SETTINGS.huey = _make_huey(SETTINGS.url, SETTINGS.immediate)
            SETTINGS.task = SETTINGS.huey.task(name="planner.run_job")(run_job)
            SETTINGS.sweep = SETTINGS.huey.periodic_task(
                _every_minute(), name="planner.sweep_jobs"
            )(sweep)
        return SETTINGS.huey


def _every_minute() -> Any:
    from huey import crontab

    return crontab(minute="*")


def _make_huey(url: str, immediate: bool) -> Any:
    import huey

    name = "planner"
    if url.startswith("sqlite:///"):
        path = url[len("sqlite:///") :]
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        return huey.SqliteHuey(name, filename=path, results=False, immediate=immediate, utc=True)
    if url.startswith(("redis://", "rediss://")):
        return huey.RedisHuey(name, url=url, results=False, immediate=immediate, utc=True)
    if url.startswith("memory://"):
        return huey.MemoryHuey(name, results=False, immediate=immediate, utc=True)
    raise ValueError(f"PLANNER_QUEUE_URL: {url.split(':', 1)[0]} is not a queue (sqlite, redis)")


# --- Enqueueing: rows in the caller's transaction, the worker rung after its commit ---------


@dataclass(frozen=True)
class JobState:
    key: str
    kind: str
    state: str
    progress: int
    error: str | None
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None

    @property
    def pending(self) -> bool:
        return self.state in PENDING

    @property
    def done(self) -> bool:
        return self.state == DONE

    @property
    def failed(self) -> bool:
        return self.state == FAILED


def _state_of(row: Job) -> JobState:
    return JobState(
        row.key,
        row.kind,
        row.state,
        row.progress or 0,
        row.error,
        row.created_at,
        row.started_at,
        row.finished_at,
    )


def enqueue(
    session: DbSession,
    kind: str,
    key: str,
    fn: str,
    args: Sequence[Any],
    *,
    plan_id: int | None = None,
    jurisdiction_id: int | None = None,
    needs: Sequence[str] = (),
    delay: float = 0,
    retry: bool = False,
) -> JobState:
    """Queue `fn(*args)` under `key` unless that key is queued, running or done (or failed,
    unless `retry`). Queued jobs of the same plan and kind are dropped: they are for content
    the plan no longer has. The row is part of the caller's transaction; the worker is rung
    once it commits."""
    row = session.get(Job, key)
    if row is not None and not (retry and row.state == FAILED):
        return _state_of(row)
    if plan_id is not None:
        session.execute(
            delete(Job).where(
                Job.plan_id == plan_id, Job.kind == kind, Job.state == QUEUED, Job.key != key
            )
        )
    spec = json.dumps({"fn": fn, "args": list(args), "needs": list(needs)})
    if row is None:
        row = Job(
            key=key,
            kind=kind,
            plan_id=plan_id,
            jurisdiction_id=jurisdiction_id,
            state=QUEUED,
            progress=0,
            spec=spec,
            created_at=utcnow(),
        )
        session.add(row)
    else:
        row.state, row.progress, row.error, row.spec = QUEUED, 0, None, spec
        row.created_at, row.started_at, row.finished_at = utcnow(), None, None
    session.flush()
    session.info.setdefault(RING_KEY, {})[key] = delay
    return _state_of(row)


def nudge(key: str) -> None:
    """Someone is waiting for this queued job: with an immediate queue (tests), run it now;
    with a worker, nothing (it is rung already)."""
    if SETTINGS.immediate:
        run_job(key)


def state(session: DbSession, key: str) -> JobState | None:
    row = session.get(Job, key)
    return None if row is None else _state_of(row)


class _Results:
    """Done results already read in this process, by key. A key names its content, so a
    result never changes: kept until 64 others were read since."""

    def __init__(self, size: int = 64):
        self.size = size
        self.items: OrderedDict[str, Any] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str) -> Any | None:
        with self.lock:
            found = self.items.get(key)
            if found is not None:
                self.items.move_to_end(key)
            return found

    def put(self, key: str, value: Any) -> None:
        with self.lock:
            self.items[key] = value
            while len(self.items) > self.size:
                self.items.popitem(last=False)


RESULTS = _Results()


def result(session: DbSession, key: str) -> Any | None:
    """The job's return value when it is done, else None (the rows are the app's own)."""
    found = RESULTS.get(key)
    if found is not None:
        return found
    body = session.scalar(select(Job.body).where(Job.key == key, Job.state == DONE))
    if body is None:
        return None
    found = pickle.loads(body)  # noqa: S301 - written by run_job
    RESULTS.put(key, found)
    return found


@event.listens_for(Session, "after_commit")
def _ring_after_commit(session: DbSession) -> None:
    keys = session.info.pop(RING_KEY, None)
    if not keys:
        return
    try:
        engine = session.get_bind()
    except Exception:  # an unbound session: the configured engine
        engine = None
    for key, delay in keys.items():
        ring(key, delay, engine)


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: DbSession) -> None:
    session.info.pop(RING_KEY, None)


def ring(key: str, delay: float = 0, engine: Any = None) -> None:
    """Tell a worker the job of `key` is waiting (nothing when no queue is configured: the
    worker's sweep finds the row within a minute)."""
    if SETTINGS.engine is None:
        return
    if SETTINGS.immediate:  # tests: at once, here; a delayed one waits for `nudge`
        if not delay:
            try:
                run_job(key, engine)
            except Exception:
                log.exception("job %s could not run", key[:12])
        return
    try:
        queue()
        if delay:
            SETTINGS.task.schedule((key,), delay=delay)
        else:
            SETTINGS.task(key)
    except Exception:  # the row stays queued: the sweep rings it again
        log.exception("could not ring the worker for job %s", key[:12])


# --- Running: claim the row, run the function in a child process, store what it returned ---


_IN_JOB = threading.local()  # the child's own: what it was given, how to report progress
_GIVEN: dict[str, Any] = {}


def in_job() -> bool:
    """True inside a job's function (its process): it may compute, and reads `given`."""
    return getattr(_IN_JOB, "active", False)


def given(key: str) -> Any | None:
    """A result the running job `needs` (None when that job failed or never ran)."""
    return _GIVEN.get(key)


def progress(fraction: float) -> None:
    """Report how far the running job is (0–1); a no-op outside a job."""
    report = getattr(_IN_JOB, "report", None)
    if report is not None:
        report(max(0, min(100, int(fraction * 100))))


@contextlib.contextmanager
def _session(engine: Any = None) -> Iterator[Session]:
    with Session(engine or SETTINGS.engine, expire_on_commit=False) as session:
        yield session


def run_job(key: str, engine: Any = None) -> str:
    """The Huey task: run the job of `key` if it is still queued. Returns what happened."""
    with _session(engine) as session:
        row = session.get(Job, key)
        if row is None or row.state != QUEUED:
            return "gone" if row is None else row.state  # superseded, done or taken
        spec = json.loads(row.spec)
        needs: dict[str, bytes] = {}
        for need in spec.get("needs", ()):
            other = session.get(Job, need)
            if other is not None and other.state in PENDING:
                waited = (utcnow() - _aware(row.created_at)).total_seconds()
                if waited < 2 * SETTINGS.time_limit:
                    ring(key, 1)  # after what it needs
                    return "waiting"
            if other is not None and other.state == DONE and other.body is not None:
                needs[need] = other.body
        claimed = session.execute(
            update(Job)
            .where(Job.key == key, Job.state == QUEUED)
            .values(state=RUNNING, started_at=utcnow(), progress=0)
        )
        session.commit()
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            return "taken"
    kind = row.kind
    started = time.monotonic()
    try:
        ok, value = execute(
            spec["fn"], spec["args"], needs, lambda percent: _progress(key, percent, engine)
        )
    except Exception as error:  # never leave the row "running"
        log.exception("job %s could not run", key[:12])
        ok, value = False, f"{type(error).__name__}: {error}"
    with _session(engine) as session:
        row = session.get(Job, key)
        if row is None:
            return "gone"
        row.finished_at = utcnow()
        if ok:
            row.state, row.body, row.progress, row.error = DONE, value, 100, None
            _after_done(session, row)
        else:
            row.state, row.error, row.body = FAILED, str(value)[:500], None
        session.commit()
    log.info(
        "job %s %s %s in %.1f s", kind, key[:12], "done" if ok else "failed",
        time.monotonic() - started,
    )  # fmt: skip
    return DONE if ok else FAILED


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def _after_done(session: DbSession, row: Job) -> None:
    """Keep the table small: the plan's older results of the same kind go (the page asks
    for the current key only), and documents made without this result are made again."""
    if row.plan_id is not None:
        session.execute(
            delete(Job).where(
                Job.plan_id == row.plan_id,
                Job.kind == row.kind,
                Job.state.in_((DONE, FAILED)),
                Job.key != row.key,
                Job.created_at <= row.created_at,
            )
        )
    if row.jurisdiction_id is not None and row.started_at is not None:
        # documents that needed this result but were made before it (it had failed, and a
        # later try succeeded): made again at the next download
        session.execute(
            delete(Job).where(
                Job.jurisdiction_id == row.jurisdiction_id,
                Job.state == DONE,
                Job.key != row.key,
                Job.spec.contains(row.key),
                Job.started_at < row.started_at,
            )
        )
    # comparisons are not per plan: a week of them at most
    session.execute(
        delete(Job).where(
            Job.plan_id.is_(None),
            Job.state.in_((DONE, FAILED)),
            Job.finished_at < utcnow() - dt.timedelta(days=7),
        )
    )


def _progress(key: str, percent: int, engine: Any = None) -> None:
    with _session(engine) as session:
        session.execute(update(Job).where(Job.key == key).values(progress=percent))
        session.commit()


def execute(
    fn: str, args: Sequence[Any], needs: dict[str, bytes], report: Callable[[int], None]
) -> tuple[bool, Any]:
    """Run `fn(*args)`: (True, the pickled result) or (False, why it failed)."""
    if not SETTINGS.isolate:
        return _call(fn, args, needs, report)
    context = multiprocessing.get_context("forkserver")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(
        target=_child, args=(fn, list(args), needs, send, SETTINGS.memory_mb), daemon=True
    )
    for attempt in (1, 2):  # a forkserver that died is started again on the second
        try:
            with SETTINGS.lock:  # one start at a time: the forkserver is started once
                if SETTINGS.preload:
                    context.set_forkserver_preload(list(SETTINGS.preload))
                child.start()
            break
        except OSError as error:  # the forkserver could not start the job's process
            if attempt == 2:
                receive.close()
                send.close()
                return False, f"the job's process could not start ({error})"
            child = context.Process(
                target=_child,
                args=(fn, list(args), needs, send, SETTINGS.memory_mb),
                daemon=True,
            )
    send.close()
    deadline = time.monotonic() + SETTINGS.time_limit
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                child.kill()
                return False, f"stopped after {SETTINGS.time_limit:.0f} s, the time limit for a job"
            if receive.poll(min(left, 0.5)):
                try:
                    message = receive.recv()
                except EOFError:
                    child.join(5)
                    return False, _death(child.exitcode)
                if message[0] == "progress":
                    report(message[1])
                    continue
                child.join(5)
                return message[0] == "ok", message[1]
            if not child.is_alive():
                child.join(1)
                return False, _death(child.exitcode)
    finally:
        receive.close()
        if child.is_alive():
            child.kill()
        child.join(5)


def _death(code: int | None) -> str:
    if code is not None and code < 0:
        return f"the job's process was stopped by signal {-code} (out of memory?)"
    return f"the job's process ended without a result (exit {code})"


def _child(fn: str, args: list, needs: dict[str, bytes], send: Any, memory_mb: int) -> None:
    import resource

    limit = memory_mb * 1024 * 1024
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    ok, value = _call(fn, args, needs, lambda percent: send.send(("progress", percent)))
    send.send(("ok" if ok else "error", value))
    send.close()
    os._exit(0)  # the result is sent: skip tearing down the preloaded interpreter


def _call(
    fn: str, args: Sequence[Any], needs: dict[str, bytes], report: Callable[[int], None]
) -> tuple[bool, Any]:
    module, _, name = fn.partition(":")
    _IN_JOB.active, _IN_JOB.report = True, report
    _GIVEN.clear()
    try:
        for need, body in needs.items():
            _GIVEN[need] = pickle.loads(body)  # noqa: S301 - written by run_job
        value = getattr(importlib.import_module(module), name)(*args)
        return True, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    except MemoryError:
        return False, f"ran out of memory (the limit is {SETTINGS.memory_mb:,} MB a job)"
    except Exception as error:  # reported on the page, not raised in the worker
        log.exception("job %s failed", fn)
        return False, f"{type(error).__name__}: {error}"[:500]
    finally:
        _IN_JOB.active, _IN_JOB.report = False, None
        _GIVEN.clear()


# --- The worker: Huey's consumer, and the sweep that rings what a lost message left -------


def sweep() -> int:
    """Ring every queued job older than a minute, and queue again any job left `running`
    longer than its time limit (its worker died). Returns how many were rung."""
    now = utcnow()
    with _session() as session:
        session.execute(
            update(Job)
            .where(
                Job.state == RUNNING,
                Job.started_at < now - dt.timedelta(seconds=2 * SETTINGS.time_limit),
            )
            .values(state=QUEUED)
        )
        session.commit()
        keys = session.scalars(
            select(Job.key).where(
                Job.state == QUEUED, Job.created_at < now - dt.timedelta(seconds=60)
            )
        ).all()
    for key in keys:
        ring(key)
    return len(keys)


def recover() -> int:
    """At a worker's start: jobs left `running` by a worker that stopped are queued again,
    and every queued job is rung."""
    with _session() as session:
        session.execute(update(Job).where(Job.state == RUNNING).values(state=QUEUED))
        session.commit()
        keys = session.scalars(select(Job.key).where(Job.state == QUEUED)).all()
    for key in keys:
        ring(key)
    return len(keys)


def start_consumer(workers: int | None = None) -> Any:
    """Start Huey's consumer in this process (threads), without blocking: `planner serve`
    runs it beside the development server. Returns the consumer (`.stop()` ends it)."""
    huey = queue()
    consumer = huey.create_consumer(**_consumer_options(workers))
    consumer.start()
    recover()
    return consumer


def run_consumer(workers: int | None = None) -> None:
    """Run Huey's consumer in the foreground (`planner worker`) until a signal stops it."""
    huey = queue()
    recover()
    huey.create_consumer(**_consumer_options(workers)).run()


def _consumer_options(workers: int | None) -> dict[str, Any]:
    """Thread workers (each job is its own process anyway), polling an idle queue at most
    every quarter second: a job starts within 0.25 s of its commit (Huey's default backs off to
    10 s)."""
    return {
        "workers": workers or SETTINGS.workers,
        "worker_type": "thread",
        "periodic": True,
        "initial_delay": 0.05,
        "backoff": 1.2,
        "max_delay": 0.25,
    }


def run_pending(limit: int = 100, kinds: Sequence[str] = ()) -> int:
    """Run every queued job here, in order (of `kinds`, when given): tests. Returns how many
    ran."""
    ran = 0
    for _ in range(limit):
        with _session() as session:
            query = select(Job.key).where(Job.state == QUEUED).order_by(Job.created_at)
            if kinds:
                query = query.where(Job.kind.in_(kinds))
            keys = session.scalars(query).all()
        progressed = False
        for key in keys:
            if run_job(key) in (DONE, FAILED):
                ran += 1
                progressed = True
        if not progressed:
            break
    return ran
