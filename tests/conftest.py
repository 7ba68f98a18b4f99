import shutil

import pytest

from planner import create_app
from planner.cost_tables import default_cost_tables
from planner.extensions import db
from planner.migrate import upgrade
from tests.web import ADMIN, EDITOR, OTHER, PASSWORD, VIEWER


@pytest.fixture(scope="session")
def tables():
    return default_cost_tables()


@pytest.fixture(scope="session")
def template_database(tmp_path_factory):
    """A migrated database with the 117 jurisdictions, four accounts and the demo plan,
    built once and copied for each test."""
    from planner.services.accounts import create_user, set_membership
    from planner.services.demo import demo_document, jurisdiction, seed_jurisdictions
    from planner.services.plans import create_plan

    path = tmp_path_factory.mktemp("db") / "template.db"
    url = f"sqlite:///{path}"
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
        create_plan(session, durham, demo_document(), other, name="Durham plan")
        session.commit()
        db.engine.dispose()
    return path


@pytest.fixture
def app(template_database, tmp_path):
    path = tmp_path / "planner.db"
    shutil.copy(template_database, path)
    app = create_app({"DATABASE_URL": f"sqlite:///{path}", "SECRET_KEY": "test",
                      "TESTING": True})
    app.instance_path = str(tmp_path / "instance")
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()
