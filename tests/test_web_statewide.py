"""The statewide view (issue 24): the analyst role set by an administrator and by the CLI,
the figures of the seeded plans checked by hand, sorting, filters, the CSV read back, what
a visitor sees, and the save hook that keeps the figures."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from planner.cli import main
from planner.extensions import db
from planner.models import AdminAction, GovernmentFigures, PlanRecord, PlanSummary, User
from tests.web import ADMIN, EDITOR, OTHER, PASSWORD, VIEWER, sign_in, text, token

# Every test here goes through the app: `make test-fast` does not even import this module.
pytestmark = pytest.mark.web

ANALYST = "analyst@state.example"

# The seeded plans are the demo plan (examples/demo-orange-county.json): FY2026-27 to
# FY2043-44 (18 FYs). Its receipts, FY2026-27 to FY2038-39:
#   1,019,496 + 1,003,000 + 985,000 + 962,000 + 948,000 + 931,000 + 915,000 + 902,000
#   + 886,000 + 640,000 + 612,000 + 598,000 + 575,000 = 10,976,496.
DEMO_RECEIPTS = 10_976_496
# Its fund first closes below $0 in FY2042-43: 2042 − 2026 = 16 FYs of runway of 18.
DEMO_RUNWAY = 16
# Its two authorizations (A:10, A:7) cover FY2026-27 alone; it spends on both every FY.
DEMO_UNAUTHORIZED = tuple(range(2027, 2044))


def make_analyst(app, email: str = ANALYST) -> None:
    from planner.services.accounts import create_user

    with app.app_context():
        create_user(db.session, email, PASSWORD, is_analyst=True)
        db.session.commit()


def rows_of(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_an_administrator_makes_an_analyst_and_the_analyst_reads_every_government(app, client):
    with app.app_context():
        viewer_id = db.session.scalar(select(User.id).where(User.email == VIEWER))
    sign_in(client, ADMIN)
    csrf = token(client, f"/admin/users/{viewer_id}")
    assert client.post(f"/admin/users/{viewer_id}/analyst", data={}).status_code == 400  # no token
    response = client.post(f"/admin/users/{viewer_id}/analyst", data={"csrf_token": csrf})
    assert response.status_code == 302
    with app.app_context():
        account = db.session.get(User, viewer_id)
        assert account.is_analyst
        actions = list(db.session.scalars(select(AdminAction.action)))
    assert "made analyst" in actions
    assert "State-level analyst" in text(client.get(f"/admin/users/{viewer_id}"))

    analyst = app.test_client()
    sign_in(analyst, VIEWER)
    listing = analyst.get("/")
    assert "117 local governments" in text(listing)
    page = analyst.get("/statewide")
    assert page.status_code == 200
    assert "117 governments shown" in text(page)
    # Durham County's plan: the viewer is no member of Durham, the analyst reads it.
    with app.app_context():
        durham = db.session.scalar(select(PlanRecord.id).where(PlanRecord.name == "Durham plan"))
    assert analyst.get(f"/j/durham-county/plans/{durham}").status_code == 200

    # Taken away again: the account is a viewer of Orange County alone.
    csrf = token(client, f"/admin/users/{viewer_id}")
    client.post(f"/admin/users/{viewer_id}/analyst", data={"csrf_token": csrf})
    with app.app_context():
        assert not db.session.get(User, viewer_id).is_analyst


def test_the_figures_of_the_seeded_plans(app, client):
    from planner.services.statewide import statewide_rows

    with app.app_context():
        summaries = list(db.session.scalars(select(PlanSummary)))
        assert len(summaries) == 3  # kept when the three seeded plans were saved
        rows = statewide_rows(db.session, everything=True, as_of=dt.date(2028, 10, 1))
    assert len(rows) == 117
    durham = next(r for r in rows if r.slug == "durham-county")
    assert durham.plan_name == "Durham plan"
    assert durham.receipts == DEMO_RECEIPTS
    assert durham.opening_balance == 1_450_000
    assert (durham.runway_years, durham.years) == (DEMO_RUNWAY, 18)
    assert durham.first_fy == 2026
    assert durham.last_fy == 2043
    assert set(durham.by_strategy) == {"A:10", "A:7"}
    # As of October 1, 2028 (FY2028-29): FY2027-28 and FY2028-29 have begun unauthorized;
    # FY2026-27's report was due September 28, 2027 and FY2027-28's September 28, 2028,
    # neither filed.
    assert durham.behind.authorizations == (2027, 2028)
    assert durham.behind.reports == (2026, 2027)
    orange = next(r for r in rows if r.slug == "orange-county")
    assert orange.plans == 2
    assert next(r for r in rows if r.slug == "ashe-county").plan_id is None

    with app.app_context():
        summary = db.session.get(PlanSummary, durham.plan_id)
        assert summary.unauthorized_fys == str(list(DEMO_UNAUTHORIZED))


def test_sorting_filtering_and_the_csv(app, client):
    from planner.services.statewide import refresh_governments

    with app.app_context():
        refresh_governments(db.session, ["orange-county", "ashe-county", "durham-county"])
        db.session.commit()
        means = db.session.get(GovernmentFigures, _place_id("orange-county"))
    make_analyst(app)
    sign_in(client, ANALYST)

    page = client.get("/statewide?show=plan&sort=name")
    assert "2 governments shown" in text(page)
    assert text(page).index("Durham County") < text(page).index("Orange County")
    page = client.get("/statewide?show=plan&sort=name&dir=desc")
    assert text(page).index("Orange County") < text(page).index("Durham County")
    assert "<svg" in page.get_data(as_text=True)  # the runway chart
    assert "1 government shown" in text(client.get("/statewide?q=durham&show=plan"))
    assert "0 governments shown" in text(client.get("/statewide?kind=municipality&show=plan"))
    # An unknown choice is the default; a search too long is an error beside its field.
    assert client.get("/statewide?sort=bogus&dir=sideways&show=x").status_code == 200
    long = client.get("/statewide?q=" + "a" * 121)
    assert long.status_code == 400
    assert 'id="q-error"' in long.get_data(as_text=True)

    download = client.get("/statewide.csv?show=plan&sort=receipts")
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].startswith("attachment;")
    found = {row["government"]: row for row in rows_of(download)}
    assert set(found) == {"Orange County", "Durham County"}
    durham = found["Durham County"]
    assert int(durham["receipts"]) == DEMO_RECEIPTS
    assert int(durham["runway_years"]) == DEMO_RUNWAY
    assert durham["plan_years"] == "18"
    assert "A:10" in durham["settlement_by_strategy"]
    orange = found["Orange County"]
    assert int(orange["smallest_fidelity_program_a_year"]) == means.smallest_yearly
    assert orange["sustains_smallest_program_alone"] == ("yes" if means.sustains else "no")

    # The smallest program's estimate: Ashe County has no receipt estimate in the tables.
    ashe = rows_of(client.get("/statewide.csv?q=ashe"))
    assert ashe[0]["sustains_smallest_program_alone"] == ""
    assert ashe[0]["plan"] == ""


def test_a_plan_named_as_a_formula_is_text_in_the_csv(app, client):
    from planner.services.plans import rename_plan

    with app.app_context():
        record = db.session.scalar(select(PlanRecord).where(PlanRecord.name == "Durham plan"))
        rename_plan(db.session, record, None, '=HYPERLINK("http://x.example","y")', None)
        db.session.commit()
        summary = db.session.get(PlanSummary, record.id)
        assert summary.plan_version == record.version  # the save hook kept it
    make_analyst(app)
    sign_in(client, ANALYST)
    rows = rows_of(client.get("/statewide.csv?q=durham%20county"))
    assert rows[0]["plan"].startswith("'=")


def test_a_visitor_sees_only_public_plans(app, client):
    from planner.services.plans import set_status

    page = client.get("/statewide")
    assert page.status_code == 200
    assert "0 governments shown" in text(page)
    assert rows_of(client.get("/statewide.csv")) == []
    # Durham's plan adopted, then published by its editor as a person does (issue 24).
    with app.app_context():
        record = db.session.scalar(select(PlanRecord).where(PlanRecord.name == "Durham plan"))
        set_status(db.session, record, None, "adopt", dt.date(2026, 6, 2), expected_version=None)
        db.session.commit()
        durham = record.id
    sign_in(client, OTHER)
    plan_page = f"/j/durham-county/plans/{durham}"
    published = client.post(f"{plan_page}/publish", data={"csrf_token": token(client, plan_page)})
    assert published.status_code in (302, 303)
    client.post("/sign-out", data={"csrf_token": token(client, plan_page)})
    rows = rows_of(client.get("/statewide.csv"))
    assert [row["government"] for row in rows] == ["Durham County"]
    # A member of a government is a visitor here too: only what is public.
    sign_in(client, EDITOR)
    assert [r["government"] for r in rows_of(client.get("/statewide.csv"))] == ["Durham County"]


def test_saved_actuals_move_the_figures_of_their_government(app):
    from planner.services.actuals import save_fy
    from planner.services.demo import jurisdiction

    with app.app_context():
        before = {
            s.plan_id: s.plan_version
            for s in db.session.scalars(select(PlanSummary))
            if s.jurisdiction_id == _place_id("orange-county")
        }
        save_fy(
            db.session,
            jurisdiction(db.session, "orange-county"),
            None,
            2026,
            {"receipts": "1", "interest": "0", "spending": {"A:10": "1"}, "reported_on": ""},
            expected_version=0,
            as_of=dt.date(2027, 7, 1),
            action="entered",
        )
        db.session.commit()
        after = {
            s.plan_id: s.receipts
            for s in db.session.scalars(select(PlanSummary))
            if s.plan_id in before
        }
    # FY2026-27 closed with $1 received: 10,976,496 − 1,019,496 + 1 = 9,957,001.
    assert set(after.values()) == {DEMO_RECEIPTS - 1_019_496 + 1}


def test_the_cli_makes_an_analyst_and_refreshes_the_figures(app, database_url):
    env = {"PLANNER_DATABASE_URL": database_url, "PLANNER_SECRET_KEY": "cli-test"}
    runner = CliRunner()
    made = runner.invoke(main, ["user", "analyst", VIEWER], env=env)
    assert made.exit_code == 0, made.output
    assert runner.invoke(main, ["user", "analyst", "nobody@x.example"], env=env).exit_code == 2
    with app.app_context():
        db.session.execute(PlanSummary.__table__.delete())
        db.session.commit()
    refreshed = runner.invoke(
        main, ["statewide", "refresh", "--government", "orange-county"], env=env
    )
    assert refreshed.exit_code == 0, refreshed.output
    assert "Refreshed 3 plans and 1 governments" in refreshed.output
    with app.app_context():
        assert db.session.scalar(select(User.is_analyst).where(User.email == VIEWER))
        assert len(list(db.session.scalars(select(PlanSummary)))) == 3
        assert db.session.get(GovernmentFigures, _place_id("orange-county")) is not None


def _place_id(slug: str) -> int:
    from planner.services.demo import jurisdiction

    return jurisdiction(db.session, slug).id
