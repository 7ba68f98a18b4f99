"""Fixtures: a fresh database per test, on SQLite and, when PLANNER_TEST_POSTGRES_URL is
set, on PostgreSQL too (CI sets it). Each engine's database is migrated and seeded once
(the 117 jurisdictions, four accounts, two plans) and copied for each test.

Hypothesis profiles: `dev` (quick, the default) and `ci` (thorough: CI and `make test`),
chosen with HYPOTHESIS_PROFILE; tests scale their own example counts with
`tests.strategies.examples`."""

import itertools
import os
import shutil

import pytest
from hypothesis import HealthCheck, settings
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from planner import create_app
from planner.cost_tables import default_cost_tables
from planner.extensions import db
from planner.migrate import upgrade
from tests.strategies import PROFILE
from tests.web import ADMIN, EDITOR, OTHER, PASSWORD, VIEWER

POSTGRES_URL = os.environ.get("PLANNER_TEST_POSTGRES_URL")
ENGINES = ["sqlite"] + ([pytest.param("postgresql", marks=pytest.mark.postgres)]
                        if POSTGRES_URL else [])
_numbers = itertools.count()

settings.register_profile("ci", deadline=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=10, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(PROFILE)


# The test modules whose database tests also run on PostgreSQL: the ones about what the
# database does (storage, migrations, access, sessions and throttling, limits and long values,
# versions and concurrency, backups, fuzzing, the editor's saves, accounts). Modules about what
# a page or a document shows (downloads, PDFs, workbooks, the line editor's preview, the
# browser) read the same stored plan on either engine and run on SQLite only, which keeps
# `make test` within its time.
POSTGRES_MODULES = frozenset({
    "test_database", "test_trust", "test_sessions", "test_web_access", "test_limits",
    "test_plan_versions", "test_backup_restore", "test_fuzz", "test_web_county",
    "test_web_editor", "test_configuration", "test_services", "test_cli_accounts",
    "test_actuals_services",
})


def pytest_collection_modifyitems(config, items):
    """Tests that go through the Flask app (the `app` fixture, and so `client` and
    `runner`) or a migrated database (`database_url`) are marked `web`: `make test-fast`
    leaves them out. PostgreSQL runs only the modules of POSTGRES_MODULES."""
    kept, dropped = [], []
    for item in items:
        if {"app", "database_url"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.web)
        callspec = getattr(item, "callspec", None)
        engine = callspec.params.get("database_url") if callspec else None
        module = item.module.__name__.rpartition(".")[2] if item.module else ""
        (dropped if engine == "postgresql" and module not in POSTGRES_MODULES
         else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture(scope="session")
def tables():
    return default_cost_tables()


def seed_test_data(url: str) -> None:
    from planner.services.accounts import create_user, set_membership
    from planner.services.demo import demo_document, jurisdiction, seed_jurisdictions
    from planner.services.plans import create_plan

    upgrade(url)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "test"})
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
    return create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session")
def postgres_template():
    """A seeded PostgreSQL database that each test clones (CREATE DATABASE … TEMPLATE)."""
    name = f"planner_template_{os.getpid()}"
    engine = _admin_engine()
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_URL).set(database=name)
    seed_test_data(url.render_as_string(hide_password=False))
    yield name
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


@pytest.fixture(params=ENGINES)
def database_url(request, tmp_path):
    if request.param == "sqlite":
        template = request.getfixturevalue("template_database")
        path = tmp_path / "planner.db"
        shutil.copy(template, path)
        yield f"sqlite:///{path}"
        return
    template = request.getfixturevalue("postgres_template")
    name = f"planner_test_{os.getpid()}_{next(_numbers)}"
    engine = _admin_engine()
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


@pytest.fixture
def reset_database(request, database_url):
    """A function that puts this test's database back as it was at its first call, for
    tests that need a fresh database many times (each example of a Hypothesis test). Call
    it inside an app context of the test's app. SQLite: the seeded template's file is
    copied back. PostgreSQL (where a new database per example costs a second): the first
    call copies every table into a schema `snapshot`; each call empties the tables and
    copies the rows back, then resets the id sequences, in one transaction."""
    taken: list[bool] = []
    sequences: list = []  # (table, column, sequence), read when the snapshot is taken

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
        names = [table.name for table in db.metadata.sorted_tables]
        with db.engine.begin() as connection:
            if not taken:
                taken.append(True)
                connection.execute(text("CREATE SCHEMA snapshot"))
                for name in names:
                    connection.execute(text(
                        f'CREATE TABLE snapshot."{name}" AS TABLE public."{name}"'))
                sequences.extend(connection.execute(text(
                    "SELECT table_name, column_name, pg_get_serial_sequence("
                    "quote_ident(table_name), column_name) FROM information_schema.columns "
                    "WHERE table_schema = 'public' AND pg_get_serial_sequence("
                    "quote_ident(table_name), column_name) IS NOT NULL")).all())
                return
            # DELETE, not TRUNCATE: on a few hundred rows it is ten times faster. A test
            # database need not wait for its commit to reach the disk.
            connection.execute(text("SET LOCAL synchronous_commit = off"))
            for name in reversed(names):
                connection.execute(text(f'DELETE FROM public."{name}"'))  # noqa: S608 - names from the metadata
            for name in names:
                connection.execute(text(
                    f'INSERT INTO public."{name}" SELECT * FROM snapshot."{name}"'))  # noqa: S608 - names from the metadata
            for table, column, sequence in sequences:
                next_id = f'COALESCE(MAX("{column}"), 0) + 1'
                connection.execute(text(
                    f"SELECT setval('{sequence}', {next_id}, false) FROM public.\"{table}\""))  # noqa: S608 - names from the catalog
    return reset


@pytest.fixture
def app(database_url, tmp_path):
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "test", "TESTING": True})
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
