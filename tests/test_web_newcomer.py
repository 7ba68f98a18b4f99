"""The newcomer's path in the web app (issue 23): the county's figures on one page, one save;
the checklist as of a date; a justification that contradicts its line. Form posts with CSRF
tokens."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest

from planner.extensions import db
from planner.scenarios import fy_label
from planner.services.accounts import create_user, set_membership
from planner.services.demo import jurisdiction
from tests.test_web_county import plan_of, record_of
from tests.web import PASSWORD, form_values, sign_in, text

# Every test here goes through the app: `make test-fast` does not even import this module.
pytestmark = pytest.mark.web

COUNTY = "cumberland-county"
FINANCE = "finance@cumberland.example"


@pytest.fixture
def director(app, client):
    with app.app_context():
        user = create_user(db.session, FINANCE, PASSWORD)
        set_membership(db.session, user, jurisdiction(db.session, COUNTY), "editor")
        db.session.commit()
    sign_in(client, FINANCE)
    return client


def created_with_figures(client) -> str:
    html = client.get(f"/j/{COUNTY}/").get_data(as_text=True)
    values = form_values(html[: html.index('id="import-plan"')])
    response = client.post(
        f"/j/{COUNTY}/plans/new",
        data={
            "csrf_token": values["csrf_token"],
            "name": values["name"],
            "template": "starting",
            "then": "figures",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/setup")
    return response.headers["Location"]


def test_the_county_figures_are_saved_in_one_version(app, director):
    url = created_with_figures(director)
    pid = int(re.search(r"/plans/(\d+)/", url).group(1))
    _, version_before, _ = record_of(app, pid)
    values = form_values(director.get(url).get_data(as_text=True))
    values.update(
        opening_balance="$3,150,000",
        interest_rate="2.5%",
        moa_executed_on="08/16/2021",
        referrals_police="30",
        cm_caseload_average="15",
        cm_caseload_max="20",
        cm_delivery="contract",
        **{
            "status_service-housing": "gap",
            "units_service-housing": "4",
            "unit_cost_service-housing": "$13,500",
        },
        other_label="MOUD in the jail",
        other_strategy="A:11",
        other_annual_amount="$120,000",
        auth_adopted_on="06/07/2027",
        auth_budget_ordinance_on="06/07/2027",
    )
    values.pop("other_escalate", None)  # unticked: not escalated
    response = director.post(url, data=values)
    assert response.status_code == 302, text(response)[:2000]
    document, version, _ = record_of(app, pid)
    assert version == version_before + 1  # one save
    plan = plan_of(document)
    assert plan.fund.opening_balance == Decimal(3150000)
    assert plan.fund.interest_rate == Decimal("0.025")
    assert plan.fund.moa_executed_on == dt.date(2021, 8, 16)
    lines = {line.id: line for line in plan.line_items}
    assert lines["case-managers"].params.caseload_average == 15
    assert lines["case-managers"].params.delivery == "contract"
    assert lines["service-housing"].params.units == 4
    moud = lines["moud-in-the-jail"]
    assert (moud.strategy, moud.params.annual_amount, moud.params.escalate) == (
        "A:11",
        Decimal(120000),
        False,
    )
    # one authorization per strategy (A:10, A:11) for the first two FYs, scheduled
    assert {a.strategy for a in plan.program.authorizations} == {"A:10", "A:11"}
    assert {a.adopted_on for a in plan.program.authorizations} == {dt.date(2027, 6, 7)}


def test_a_gap_without_units_is_refused_beside_its_field_with_input_kept(app, director):
    url = created_with_figures(director)
    values = form_values(director.get(url).get_data(as_text=True))
    values.update({"status_service-food": "gap", "opening_balance": "1,000,000"})
    response = director.post(url, data=values)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="units_service-food-error"' in html
    assert 'value="1,000,000"' in html


def test_the_checklist_as_of_the_scheduled_adoption(app, director):
    url = created_with_figures(director)
    plan_url = url.removesuffix("/setup")
    adoption = dt.date.today() + dt.timedelta(days=190)  # noqa: DTZ011 - the server's clock
    values = form_values(director.get(url).get_data(as_text=True))
    values.update(
        auth_adopted_on=adoption.isoformat(), auth_budget_ordinance_on=adoption.isoformat()
    )
    saved = director.post(url, data=values)
    assert saved.status_code == 302, saved.get_data(as_text=True)[-6000:]
    html = director.get(plan_url).get_data(as_text=True)
    ahead = re.search(r'class="ahead" data-as-of="([\d-]+)" data-passes="(yes|no)"', html)
    assert ahead
    assert ahead.group(1) == adoption.isoformat()
    # today the authorization is only scheduled; as of the adoption it is adopted
    today_rule = re.search(r'id="rule-MOA-AUTHORIZATION">\s*<span class="badge (\w+)"', html)
    later = director.get(plan_url, query_string={"as_of": adoption.strftime("%m/%d/%Y")})
    later_html = later.get_data(as_text=True)
    later_rule = re.search(r'id="rule-MOA-AUTHORIZATION">\s*<span class="badge (\w+)"', later_html)
    assert (today_rule.group(1), later_rule.group(1)) == ("warn", "pass")
    assert 'class="ahead"' not in later_html  # nothing is scheduled after that date
    bad = director.get(plan_url, query_string={"as_of": "someday"})
    assert bad.status_code == 200
    assert 'id="as_of-error"' in bad.get_data(as_text=True)


def test_a_justification_that_contradicts_its_line_is_flagged(app, director):
    url = created_with_figures(director)
    plan_url = url.removesuffix("/setup")
    line_url = f"{plan_url}/lines/case-managers"
    values = form_values(director.get(line_url).get_data(as_text=True))
    values.update(
        caseload_average="15",
        caseload_max="20",
        justification="Caseloads average no more than 20 and never exceed 25 participants.",
    )
    assert director.post(line_url, data=values).status_code == 302
    page = director.get(line_url).get_data(as_text=True)
    warnings = re.search(r'id="justification-warnings">(.*?)</div>', page, re.S)
    assert warnings is not None
    assert "25" in warnings.group(1)
    assert 'data-contradicts="case-managers"' in director.get(plan_url).get_data(as_text=True)
    values = form_values(director.get(line_url).get_data(as_text=True))
    values["justification"] = "Caseloads of 15 on average, never more than 20."
    assert director.post(line_url, data=values).status_code == 302
    assert 'id="justification-warnings"' not in director.get(line_url).get_data(as_text=True)


def test_an_imported_plan_of_another_county_says_whose_it_becomes(app, director):
    import io
    import json

    plan = {
        "schema": "lead-plan/1",
        "name": "Borrowed plan",
        "jurisdiction": {"name": "Wake County", "kind": "county", "fips": "37183"},
        "start_fy": "FY2027-28",
        "years": 2,
        "line_items": [],
    }
    home = director.get(f"/j/{COUNTY}/").get_data(as_text=True)
    response = director.post(
        f"/j/{COUNTY}/plans/import",
        data={
            "csrf_token": form_values(home)["csrf_token"],
            "file": (io.BytesIO(json.dumps(plan).encode()), "wake.json"),
        },
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert response.status_code == 200
    notice = re.search(r'<p class="flash info">([^<]*)</p>', response.get_data(as_text=True))
    assert notice is not None
    assert "Wake County" in notice.group(1)
    assert "Cumberland County" in notice.group(1)


def test_the_county_page_hides_the_total_behind_the_estimate_and_warns_as_the_checklist(
    app, director
):
    page = director.get(f"/j/{COUNTY}/").get_data(as_text=True)
    # an estimate is known for the county: replacing it with a CORE-NC total is on request
    assert re.search(r'<details class="replace-total">.*?name="total"', page, re.S)
    created_with_figures(director)
    page = director.get(f"/j/{COUNTY}/").get_data(as_text=True)
    # the starting plan begins with the next FY, unauthorized: the checklist warns today
    # (MOA-AUTHORIZATION), and so does the authorization due next
    due = re.search(r'data-kind="authorization"[^>]*>(.*?)</li>', page, re.S)
    assert due is not None
    assert 'data-warned="yes"' in due.group(1)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"auth_first_fy": "FY2028-29", "auth_last_fy": "FY2027-28"}, None),  # backwards
        ({"auth_first_fy": "FY2090-91", "auth_last_fy": "FY2091-92"}, None),  # past the plan
        (
            {"other_label": "Naloxone", "other_strategy": "Z:99", "other_annual_amount": "5"},
            "other_strategy",
        ),
        ({"interest_rate": "lots"}, "interest_rate"),
        ({"other_label": "x" * 5000, "other_annual_amount": "5"}, "other_label"),
    ],
)
def test_the_figures_page_refuses_bad_input_and_saves_nothing(app, director, changes, field):
    url = created_with_figures(director)
    pid = int(re.search(r"/plans/(\d+)/", url).group(1))
    before = record_of(app, pid)[1]
    values = form_values(director.get(url).get_data(as_text=True))
    values.update(changes)
    response = director.post(url, data=values)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    if field is None:
        assert 'class="error-summary"' in html  # said above the form
    else:
        assert re.search(rf'id="{field}".*?class="error"', html, re.S)
    assert record_of(app, pid)[1] == before


def test_the_figures_page_shows_back_what_it_saved_and_saving_again_adds_nothing(app, director):
    """The Wilkes run's trap: the line for another strategy and the adoption dates came back
    blank, and typing them again added a second line. Now the page shows them back, and the
    same form saved again leaves the plan's lines and authorizations as they were."""
    url = created_with_figures(director)
    pid = int(re.search(r"/plans/(\d+)/", url).group(1))
    page = director.get(url).get_data(as_text=True)
    # The plan's FYs are on the page (the Wilkes run opened the plan page to find them).
    plan = plan_of(record_of(app, pid)[0])
    years = re.search(r'id="plan-years">.*?<strong>(.*?)</strong>', page, re.S).group(1)
    assert years == f"{fy_label(plan.start_fy)} to {fy_label(plan.end_fy)}"
    values = form_values(page)
    values.update(
        other_label="Naloxone kits",
        other_strategy="A:7",
        other_annual_amount="$35,000",
        auth_adopted_on="06/14/2027",
        auth_budget_ordinance_on="06/14/2027",
    )
    assert director.post(url, data=values).status_code == 302
    first = plan_of(record_of(app, pid)[0])

    shown = form_values(director.get(url).get_data(as_text=True))
    assert shown["other_label"] == "Naloxone kits"
    assert shown["other_strategy"] == "A:7"
    assert Decimal(shown["other_annual_amount"].replace(",", "").lstrip("$")) == 35000
    assert dt.date.fromisoformat(shown["auth_adopted_on"]) == dt.date(2027, 6, 14)
    assert dt.date.fromisoformat(shown["auth_budget_ordinance_on"]) == dt.date(2027, 6, 14)
    assert director.post(url, data=shown).status_code == 302
    again = plan_of(record_of(app, pid)[0])
    others = [line for line in again.line_items if line.kind == "other_strategy"]
    assert [(o.label, o.params.annual_amount) for o in others] == [("Naloxone kits", 35000)]
    assert again.program.authorizations == first.program.authorizations

    # Emptied, the line goes: the page said "all three blank: no such line".
    shown = form_values(director.get(url).get_data(as_text=True))
    shown.update(other_label="", other_strategy="", other_annual_amount="")
    assert director.post(url, data=shown).status_code == 302
    gone = plan_of(record_of(app, pid)[0])
    assert not [line for line in gone.line_items if line.kind == "other_strategy"]


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        # units and a cost beside a service not marked a gap were dropped on save
        (
            {"units_service-housing": "3", "unit_cost_service-housing": "12000"},
            ["units_service-housing", "unit_cost_service-housing"],
        ),
        # an amount with no name and no strategy was saved as a line failing MOA-STRATEGY
        ({"other_annual_amount": "35000"}, ["other_label", "other_strategy"]),
    ],
)
def test_nothing_typed_is_dropped_or_half_saved(app, director, changes, fields):
    url = created_with_figures(director)
    pid = int(re.search(r"/plans/(\d+)/", url).group(1))
    before = record_of(app, pid)[1]
    values = form_values(director.get(url).get_data(as_text=True))
    values.update(changes)
    response = director.post(url, data=values)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    for field in fields:
        assert f'id="{field}-error"' in html
    assert record_of(app, pid)[1] == before
