"""Fixtures: a fresh database per test, on SQLite and, when PLANNER_TEST_POSTGRES_URL is
set, on PostgreSQL too (CI sets it). Each engine's database is migrated and seeded once per
test process (the 117 jurisdictions, four accounts, three plans): SQLite copies the seeded
file for each test; PostgreSQL clones it once and puts its rows back after each test
(`PostgresCopy`).

Hypothesis profiles: `dev` (quick, the default) and `ci` (thorough: CI and `make test`),
chosen with HYPOTHESIS_PROFILE; tests scale their own example counts with
`tests.strategies.examples`."""

import contextlib
import gc
import itertools
import os
import re
import shutil

import pytest
from hypothesis import HealthCheck, settings

from tests.strategies import PROFILE
from tests.web import ADMIN, EDITOR, OTHER, PASSWORD, VIEWER

# The app, SQLAlchemy and the migrations are imported by the fixtures that use them, not
# here: pytest-xdist's controller process loads this file too and runs no test, and every
# second it spends importing comes before the workers start (`make test-fast`, < 20 s).


def _find_library_in_the_cache() -> None:
    """WeasyPrint looks its C libraries up under several names (`libgobject-2.0-0`,
    `gobject-2.0-0`, …) before the one Linux knows; each miss makes `ctypes.util` run
    ldconfig, gcc and ld (about 70 processes, 0.3–0.5 s of each test process's start). In
    the tests, a name is looked up in ldconfig's cache once, read once; a library it does
    not hold fails WeasyPrint's import loudly (the machine lacks it)."""
    import ctypes.util
    import functools
    import re
    import subprocess

    ldconfig = shutil.which("ldconfig") or "/sbin/ldconfig"
    if os.name != "posix" or not os.path.exists(ldconfig):
        return

    @functools.cache
    def cache() -> str:
        found = subprocess.run(  # noqa: S603 - the system ldconfig, fixed arguments
            [ldconfig, "-p"], capture_output=True, text=True, check=False
        )
        return found.stdout

    @functools.cache
    def find_library(name: str) -> str | None:
        match = re.search(rf"\s(lib{re.escape(name)}\.so[^\s]*)\s", cache())
        return match.group(1) if match else None

    ctypes.util.find_library = find_library


_find_library_in_the_cache()

POSTGRES_URL = os.environ.get("PLANNER_TEST_POSTGRES_URL")
_numbers = itertools.count()  # for databases a test makes of its own (tests/test_backup_restore.py)
ENGINES = ["sqlite"] + (
    [pytest.param("postgresql", marks=pytest.mark.postgres)] if POSTGRES_URL else []
)

# 50 examples a property in the thorough profile (Hypothesis's default is 100): the suite's
# properties number over a hundred, and `make test` keeps to its time on two cores.
settings.register_profile(
    "ci",
    max_examples=50,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(  # the edit-test loop (make test-fast, < 20 s): a smoke of each property
    "dev", max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(PROFILE)

# Test accounts hash their passwords with scrypt at N = 2^10 rather than production's 2^15
# (planner.services.accounts.PASSWORD_HASH_METHOD; tests/test_password_cost.py proves
# production's, kept here as SHIPPED_PASSWORD_HASH_METHOD): a sign-in checks one hash, and
# the tests sign in hundreds of times.
TEST_PASSWORD_HASH_METHOD = "scrypt:1024:8:1"  # noqa: S105 - a method
SHIPPED_PASSWORD_HASH_METHOD: str | None = None


@pytest.fixture(scope="session", autouse=True)
def _test_process():
    """What every process that runs tests sets up before its first test (autouse fixtures
    of a scope come before the others): cheaper password hashes for the test accounts, and
    werkzeug's URL builders compiled once (`_share_url_builders`). Not at import: the
    xdist controller, which runs no test, would import the app for nothing."""
    global SHIPPED_PASSWORD_HASH_METHOD
    from planner.services import accounts

    if SHIPPED_PASSWORD_HASH_METHOD is None:
        SHIPPED_PASSWORD_HASH_METHOD = accounts.PASSWORD_HASH_METHOD
    accounts.PASSWORD_HASH_METHOD = TEST_PASSWORD_HASH_METHOD
    _share_url_builders()


def _share_url_builders() -> None:
    """Each test makes its own app, and werkzeug compiles every route's URL builder anew for
    each (Python source built and compiled: most of the ~90 ms an app took). A builder depends
    only on its rule and the map's converters, so this process compiles each one once and
    the apps share it; what a test builds and matches is werkzeug's own code as before."""
    from werkzeug.routing.rules import Rule

    compile_builder = Rule._compile_builder
    compiled: dict[tuple, object] = {}

    def shared(self, append_unknown=True):
        key = (
            self.rule,
            self.subdomain,
            self.host,
            self.merge_slashes,
            self.map.host_matching,
            repr(sorted((self.defaults or {}).items())),
            tuple(self._trace),
            tuple(sorted((name, id(kind)) for name, kind in self.map.converters.items())),
            append_unknown,
        )
        found = compiled.get(key)
        if found is None:
            found = compiled[key] = compile_builder(self, append_unknown)
        return found

    if getattr(Rule._compile_builder, "shared", False):
        return
    shared.shared = True  # type: ignore[attr-defined]
    Rule._compile_builder = shared


# The test modules whose database tests also run on PostgreSQL: the ones about what the
# database does (storage, migrations, access, sessions and throttling, limits and long values,
# versions and concurrency, backups, fuzzing, the editor's saves, accounts). Modules about what
# a page or a document shows (downloads, PDFs, workbooks, the line editor's preview, the
# browser) read the same stored plan on either engine and run on SQLite only, which keeps
# `make test` within its time.
POSTGRES_MODULES = frozenset(
    {
        "test_database",
        "test_trust",
        "test_sessions",
        "test_web_access",
        "test_limits",
        "test_plan_versions",
        "test_backup_restore",
        "test_fuzz",
        "test_web_county",
        "test_web_editor",
        "test_configuration",
        "test_services",
        "test_cli_accounts",
        "test_actuals_services",
    }
)


# The modules whose tests take longest (fuzzing, documents, the browser): run first.
LONG_MODULES = frozenset(
    {
        "test_fuzz",
        "test_documents",
        "test_packet",  # every starting plan's drafts, HTML and workbook (issue 23)
        "test_browser",
        "test_browser_county",
        "test_browser_editor",
        "test_workbook_live",
        "test_workbook_recalc",  # one xdist group (one LibreOffice run): late, it ran alone
    }
)


_MODULE_MARKS = re.compile(r"^pytestmark\s*=\s*(\[[^\]]*\]|[^\n]*)", re.MULTILINE)


def pytest_ignore_collect(collection_path, config):
    """A test module whose every test is deselected by `-m` is not even imported: one that
    says so by its `pytestmark` (web, browser, slow, fuzz), read from its text. `make
    test-fast` (`-m "not web and …"`) then imports none of the web-only modules, about a
    second of each worker's start. A module is left out only when no other mark its tests
    may also carry could select them."""
    expression = config.option.markexpr
    name = collection_path.name
    if not expression or not (name.startswith("test_") and name.endswith(".py")):
        return None
    declared = _MODULE_MARKS.search(collection_path.read_text(encoding="utf-8"))
    if declared is None:
        return None
    marks = set(re.findall(r"pytest\.mark\.(\w+)", declared.group(1)))
    return not _could_select(expression, marks) or None


def _could_select(expression: str, marks: set[str]) -> bool:
    """Whether `-m expression` selects some test that carries `marks` (and any others).
    When in doubt it says yes, and the module is collected as before: an expression pytest's
    (private) parser no longer reads as this expects, or one of more than 10 other names (the
    combinations tried double with each)."""
    others = sorted(set(re.findall(r"[A-Za-z_]\w*", expression)) - {"and", "or", "not"} - marks)
    if len(others) > 10:
        return True
    try:
        from _pytest.mark.expression import Expression

        compiled = Expression.compile(expression)
        for values in itertools.product((False, True), repeat=len(others)):
            present = marks | {name for name, on in zip(others, values, strict=True) if on}
            if compiled.evaluate(lambda name, /, present=present, **_: name in present):
                return True
    except Exception:  # noqa: BLE001 - any surprise: collect the module
        return True
    return False


def pytest_collection_finish(session):
    """What collecting imported (the app, the engine, WeasyPrint, Hypothesis: millions of
    objects that live as long as the process) is moved out of the garbage collector's sight:
    each full collection during the tests would walk it all again, for nothing (a third of
    the time of a test that makes many objects). Objects the tests make are collected as
    before."""
    gc.collect()
    gc.freeze()


def pytest_collection_modifyitems(config, items):
    """Tests that go through the Flask app (the `app` fixture, and so `client` and
    `runner`) or a migrated database (`database_url`) are marked `web`: `make test-fast`
    leaves them out. PostgreSQL runs only the modules of POSTGRES_MODULES, and of those not
    the tests marked `sqlite_only` (their PostgreSQL run would repeat the SQLite one)."""
    kept, dropped = [], []
    for item in items:
        if {"app", "database_url"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.web)
        callspec = getattr(item, "callspec", None)
        engine = callspec.params.get("database_url") if callspec else None
        module = item.module.__name__.rpartition(".")[2] if item.module else ""
        on_sqlite_only = module not in POSTGRES_MODULES or item.get_closest_marker("sqlite_only")
        (dropped if engine == "postgresql" and on_sqlite_only else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
    # The tests that load WeasyPrint first, then the modules of the longest tests (the order
    # within is kept). `--dist load` (make test-fast) hands each worker its first tests from
    # the front, so one worker runs all the WeasyPrint tests and the other never loads it;
    # pytest-xdist then ends the run on short tests, with no worker idle while another
    # finishes a long one.
    items.sort(
        key=lambda item: (
            item.get_closest_marker("weasyprint") is None,
            (item.module.__name__.rpartition(".")[2] if item.module else "") not in LONG_MODULES,
        )
    )
    _name_xdist_groups(config, items)


def _name_xdist_groups(config, items) -> None:
    """`--dist loadgroup` sends the tests of one `xdist_group` to one worker by reading the
    group from the test's id (`path::test@group`). pytest-xdist 3.8 writes that suffix to an
    attribute pytest 9 no longer reads its ids from, so every group was split over the
    workers (a session fixture such as the LibreOffice recalculation ran once on each).
    Name the group in the id as pytest-xdist means to, on the workers only."""
    if not hasattr(config, "workerinput") or not config.getvalue("loadgroup"):
        return
    from _pytest.nodeid import coerce_node_id

    for item in items:
        names = sorted(
            {
                str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
                for mark in item.iter_markers("xdist_group")
            }
        )
        if names and "@" not in item.nodeid:
            item._id = coerce_node_id(f"{item.nodeid}@{'_'.join(names)}")


@pytest.fixture(scope="session")
def tables():
    from planner.cost_tables import default_cost_tables

    return default_cost_tables()


def seed_test_data(url: str) -> None:
    from planner import create_app
    from planner.extensions import db
    from planner.migrate import upgrade
    from planner.services.accounts import create_user, set_membership
    from planner.services.demo import demo_document, jurisdiction, seed_jurisdictions
    from planner.services.plans import create_plan

    upgrade(url)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "test", "QUEUE_URL": "memory://"})
    with app.app_context():
        session = db.session
        seed_jurisdictions(session)
        orange = jurisdiction(session, "orange-county")
        durham = jurisdiction(session, "durham-county")
        editor = create_user(session, EDITOR, PASSWORD)
        set_membership(session, editor, orange, "editor")
        viewer = create_user(session, VIEWER, PASSWORD)
        set_membership(session, viewer, orange, "viewer")
        other = create_user(session, OTHER, PASSWORD)
        set_membership(session, other, durham, "editor")
        create_user(session, ADMIN, PASSWORD, is_admin=True)
        create_plan(session, orange, demo_document(), editor, action="created from the demo")
        create_plan(session, orange, demo_document(), editor, name="Orange alternative")
        create_plan(session, durham, demo_document(), other, name="Durham plan")
        session.commit()
        db.engine.dispose()


@pytest.fixture(scope="session")
def template_database(tmp_path_factory):
    """The seeded SQLite file every SQLite test copies."""
    path = tmp_path_factory.mktemp("db") / "template.db"
    seed_test_data(f"sqlite:///{path}")
    return path


def _admin_engine():
    from sqlalchemy import create_engine

    return create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")


def _postgres_url(name: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgres_template():
    """A seeded PostgreSQL database, made once per test process."""
    from sqlalchemy import text

    name = f"planner_template_{os.getpid()}"
    engine = _admin_engine()
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    seed_test_data(_postgres_url(name))
    yield name
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


class PostgresCopy:
    """The one PostgreSQL database the tests of a process use, cloned once from the
    template (CREATE DATABASE … TEMPLATE) and put back as the template was after each test
    and, for the fuzz tests, before each example. A DROP DATABASE costs PostgreSQL a
    checkpoint (over a second); putting the rows back costs tens of milliseconds.

    The copy keeps every table of the template in a schema `snapshot`. To put the rows
    back: end any connection a test left open, empty the tables and copy the rows back,
    set each id sequence past its largest id, in one transaction. A test that changed the
    schema (a table more or less) gets a new clone instead."""

    def __init__(self, template: str):
        from sqlalchemy import create_engine
        from sqlalchemy.pool import NullPool

        self.template = template
        self.name = f"planner_test_{os.getpid()}"
        self.url = _postgres_url(self.name)
        self.admin = _admin_engine()
        self.engine = create_engine(self.url, poolclass=NullPool)
        self.clone()

    def clone(self) -> None:
        from sqlalchemy import text

        with self.admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{self.name}" TEMPLATE "{self.template}"'))
        with self.engine.begin() as connection:
            self.tables = self._tables(connection)
            connection.execute(text("CREATE SCHEMA snapshot"))
            for name in self.tables:
                connection.execute(text(f'CREATE TABLE snapshot."{name}" AS TABLE public."{name}"'))
            self.sequences = connection.execute(
                text(
                    "SELECT table_name, column_name, pg_get_serial_sequence("
                    "quote_ident(table_name), column_name) FROM information_schema.columns "
                    "WHERE table_schema = 'public' AND pg_get_serial_sequence("
                    "quote_ident(table_name), column_name) IS NOT NULL"
                )
            ).all()

    @staticmethod
    def _tables(connection) -> list[str]:
        """The public tables, those with foreign keys to others after them."""
        from sqlalchemy import text

        from planner.extensions import db

        found = set(
            connection.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            ).scalars()
        )
        ordered = [t.name for t in db.metadata.sorted_tables if t.name in found]
        return sorted(found - set(ordered)) + ordered

    def restore(self) -> None:
        from sqlalchemy import text

        with self.admin.connect() as connection:  # the connections a test left open
            connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid() "
                    "AND backend_type = 'client backend' AND usename = current_user"
                ),
                {"name": self.name},
            )  # not autovacuum: it blocks no DELETE
        with self.engine.begin() as connection:
            if self._tables(connection) != self.tables:
                changed = True
            else:
                changed = False
                # DELETE, not TRUNCATE: on a few hundred rows it is ten times faster. A
                # test database need not wait for its commit to reach the disk.
                connection.execute(text("SET LOCAL synchronous_commit = off"))
                for name in reversed(self.tables):
                    connection.execute(text(f'DELETE FROM public."{name}"'))  # noqa: S608 - names from the catalog
                for name in self.tables:
                    connection.execute(
                        text(f'INSERT INTO public."{name}" SELECT * FROM snapshot."{name}"')  # noqa: S608 - names from the catalog
                    )
                for table, column, sequence in self.sequences:
                    next_id = f'COALESCE(MAX("{column}"), 0) + 1'
                    connection.execute(
                        text(
                            f"SELECT setval('{sequence}', {next_id}, false) FROM public.\"{table}\""  # noqa: S608 - names from the catalog
                        )
                    )
        if changed:
            self.clone()

    def close(self) -> None:
        from sqlalchemy import text

        self.engine.dispose()
        with self.admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        self.admin.dispose()


@pytest.fixture(scope="session")
def postgres_copy(postgres_template):
    copy = PostgresCopy(postgres_template)
    yield copy
    copy.close()


@pytest.fixture(params=ENGINES)
def database_url(request, tmp_path):
    """A database as seeded, for this test alone: a copy of the template's file (SQLite),
    or the process's PostgreSQL copy, put back as the template was after the test."""
    if request.param == "sqlite":
        template = request.getfixturevalue("template_database")
        path = tmp_path / "planner.db"
        shutil.copy(template, path)
        yield f"sqlite:///{path}"
        return
    copy = request.getfixturevalue("postgres_copy")
    yield copy.url
    copy.restore()


@pytest.fixture
def reset_database(request, database_url):
    """A function that puts this test's database back as seeded, for tests that need a
    fresh database many times (each example of a Hypothesis test). Call it inside an app
    context of the test's app. SQLite: the seeded template's file is copied back.
    PostgreSQL: the rows are put back (`PostgresCopy.restore`)."""

    from sqlalchemy.engine import make_url

    from planner.extensions import db

    def reset() -> None:
        db.session.remove()
        if database_url.startswith("sqlite:"):
            db.engine.dispose()
            template = request.getfixturevalue("template_database")
            path = make_url(database_url).database
            for suffix in ("-wal", "-shm"):
                if os.path.exists(path + suffix):
                    os.remove(path + suffix)
            shutil.copy(template, path)
            return
        db.engine.dispose()
        request.getfixturevalue("postgres_copy").restore()

    return reset


@pytest.fixture
def app(database_url, tmp_path):
    from planner import create_app
    from planner.extensions import db

    app = create_app(
        {
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test",
            "TESTING": True,
            # the job queue runs each job at once, in the test's thread (tests/test_jobs.py
            # runs a real queue and worker processes)
            "QUEUE_URL": "memory://",
            "JOBS_IMMEDIATE": True,
            "JOBS_ISOLATE": False,
        }
    )
    app.instance_path = str(tmp_path / "instance")
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@contextlib.contextmanager
def served(app):
    """The app served on 127.0.0.1 (a free port) by a thread, for the browser tests; yields
    its base URL. Afterwards the server stops and the app's connections close."""
    import threading

    from werkzeug.serving import make_server

    from planner.extensions import db

    http = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=http.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{http.server_port}"
    finally:
        http.shutdown()
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def axe_page(browser, server):
    """A page of the module's `server` for the accessibility checks: axe is injected as a
    script and the app's CSP allows only its own scripts, so this context bypasses CSP (the
    pages themselves run no script)."""
    context = browser.new_context(
        base_url=server, viewport={"width": 1366, "height": 900}, bypass_csp=True
    )
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="session")
def browser():
    """One Chromium per test process, shared by the browser tests' modules (a launch and
    Playwright's driver cost each module a second or two); each test opens its own context,
    so its cookies, storage and pages are its own. Debian's chromium, or PLANNER_CHROMIUM."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=os.environ.get("PLANNER_CHROMIUM", "/usr/bin/chromium"),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()
