"""The commands an administrator types: db upgrade, demo, user add, user password."""

from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from planner import create_app
from planner.cli import main
from planner.extensions import db
from planner.models import Membership, PlanRecord, User
from tests.web import sign_in


@pytest.fixture
def env(tmp_path):
    return {
        "PLANNER_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        "PLANNER_SECRET_KEY": "cli-test",
    }


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):
    """A database `planner db upgrade` made, for the tests about refused input (each copies
    it: a migration from scratch costs a test more than the command it checks)."""
    path = tmp_path_factory.mktemp("cli") / "migrated.db"
    env = {"PLANNER_DATABASE_URL": f"sqlite:///{path}", "PLANNER_SECRET_KEY": "cli-test"}
    assert CliRunner().invoke(main, ["db", "upgrade"], env=env).exit_code == 0
    return path


@pytest.mark.slow  # several scrypt password hashes
def test_demo_creates_the_account_once_and_shows_the_password_once(env):
    runner = CliRunner()
    assert runner.invoke(main, ["db", "upgrade"], env=env).exit_code == 0
    first = runner.invoke(main, ["demo"], env=env)
    assert first.exit_code == 0, first.output
    password = next(
        line.split(":", 1)[1].strip()
        for line in first.output.splitlines()
        if line.strip().startswith("password:")
    )
    second = runner.invoke(main, ["demo"], env=env)
    assert second.exit_code == 0
    assert "password:" not in second.output
    assert "exists" in second.output
    app = create_app({"DATABASE_URL": env["PLANNER_DATABASE_URL"], "SECRET_KEY": "t"})
    client = app.test_client()
    sign_in(client, "demo@planner.example", password)
    assert client.get("/j/orange-county/").status_code == 200
    with app.app_context():
        assert db.session.scalar(select(db.func.count(PlanRecord.id))) == 1
        db.engine.dispose()


@pytest.mark.slow  # several scrypt password hashes
def test_user_add_reads_the_password_from_standard_input(env):
    runner = CliRunner()
    result = runner.invoke(
        main,
        [
            "user",
            "add",
            "Clerk@Chatham.example",
            "--jurisdiction",
            "chatham-county",
            "--role",
            "editor",
        ],
        input="a long enough secret\n",
        env=env,
    )
    assert result.exit_code == 0, result.output
    assert "Created clerk@chatham.example (editor; chatham-county)." in result.output
    app = create_app({"DATABASE_URL": env["PLANNER_DATABASE_URL"], "SECRET_KEY": "t"})
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "clerk@chatham.example"))
        roles = [
            (m.jurisdiction.slug, m.role)
            for m in db.session.scalars(select(Membership).where(Membership.user_id == user.id))
        ]
        assert roles == [("chatham-county", "editor")]
        db.engine.dispose()
    sign_in(app.test_client(), "clerk@chatham.example", "a long enough secret")


@pytest.mark.parametrize(
    ("args", "password", "message"),
    [
        (
            ["user", "add", "x@y.example", "--jurisdiction", "atlantis"],
            "a long enough secret\n",
            "No jurisdiction 'atlantis'",
        ),
        (["user", "add", "x@y.example"], "short\n", "at least 12 characters"),
        (["user", "add", "not-an-email"], "a long enough secret\n", "is not an email address"),
        (["user", "password", "nobody@y.example"], "a long enough secret\n", "No account"),
    ],
)
def test_account_commands_refuse_bad_input_with_exit_2(
    env, migrated, tmp_path, args, password, message
):
    shutil.copy(migrated, tmp_path / "cli.db")  # env's database
    result = CliRunner().invoke(main, args, input=password, env=env)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


@pytest.mark.slow  # several scrypt password hashes
def test_user_password_resets_it(env):
    runner = CliRunner()
    runner.invoke(
        main, ["user", "add", "a@b.example", "--admin"], input="first password!\n", env=env
    )
    result = runner.invoke(
        main, ["user", "password", "a@b.example"], input="second password!\n", env=env
    )
    assert result.exit_code == 0
    app = create_app({"DATABASE_URL": env["PLANNER_DATABASE_URL"], "SECRET_KEY": "t"})
    sign_in(app.test_client(), "a@b.example", "second password!")
    with app.app_context():
        db.engine.dispose()
