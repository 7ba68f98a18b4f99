"""The finance director's path in the web app (issue 11): a new plan for a county from its
starting plan, receipt estimates, moving a whole plan, what the fund can afford with its
Apply buttons, authorizing FYs, stale and scheduled authorizations, the services assessment.
Form posts with CSRF tokens, on both database engines."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from sqlalchemy import select

from planner.cost_tables import default_cost_tables
from planner.extensions import db
from planner.models import PlanChange, PlanRecord
from planner.scenarios import load_plan_json, parse_plan, project
from planner.scenarios.authorizations import authorize_fys
from planner.scenarios.fit import fit
from planner.scenarios.receipts import spread_total, stream_estimates
from planner.scenarios.starting import starting_fy
from planner.services.accounts import create_user, set_membership
from planner.services.demo import jurisdiction
from tests.web import PASSWORD, form_values, sign_in, text, token

# Every test here goes through the app: `make test-fast` does not even import this module.
pytestmark = pytest.mark.web

BUNCOMBE = "buncombe-county"
ALLEGHANY = "alleghany-county"  # no known total
FINANCE = "finance@buncombe.example"


@pytest.fixture
def director(app, client):
    """An editor of Buncombe and Alleghany counties, signed in."""
    with app.app_context():
        user = create_user(db.session, FINANCE, PASSWORD)
        for slug in (BUNCOMBE, ALLEGHANY):
            set_membership(db.session, user, jurisdiction(db.session, slug), "editor")
        db.session.commit()
    sign_in(client, FINANCE)
    return client


def record_of(app, plan_id: int):
    with app.app_context():
        record = db.session.get(PlanRecord, plan_id)
        changes = list(
            db.session.scalars(
                select(PlanChange).where(PlanChange.plan_id == plan_id).order_by(PlanChange.id)
            )
        )
        return record.document, record.version, changes


def plan_of(document: str):
    return parse_plan(load_plan_json(document), default_cost_tables())


def new_plan(client, slug: str, **extra) -> int:
    page = client.get(f"/j/{slug}/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    values = form_values(html[: html.index('id="import-plan"')])  # the new-plan form
    data = {
        "csrf_token": values["csrf_token"],
        "name": values["name"],
        "template": "starting",
        **extra,
    }
    response = client.post(f"/j/{slug}/plans/new", data=data)
    assert response.status_code == 302, text(response)[:800]
    return int(re.search(r"/plans/(\d+)", response.headers["Location"]).group(1))


def post_button(client, url: str, page_url: str, prefix: str = "", **data):
    html = client.get(page_url).get_data(as_text=True)
    version = re.search(r'name="version"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="version"', html)
    version = version.group(1) or version.group(2)
    return client.post(
        url,
        data={f"{prefix}csrf_token": token(client, page_url), f"{prefix}version": version, **data},
    )


# ------------------------------------------------------------------------ new plan


def test_starting_plan_is_the_first_choice_and_names_its_estimates(director):
    page = director.get(f"/j/{BUNCOMBE}/")
    html = page.get_data(as_text=True)
    choices = re.findall(r'name="template"[^>]*value="([a-z]+)"', html)
    assert choices[0] == "starting"
    assert set(choices) == {"starting", "demo", "blank"}
    assert re.search(r'value="starting"[^>]*checked|checked[^>]*value="starting"', html)
    assert "Estimates, not CORE-NC figures" in text(page)
    assert 'name="total"' in html
    # issue 23 item 10: the note is plain words; its sources are links, never raw URLs
    notes = html[html.index('class="starting-notes"') : html.index('name="total"')]
    assert "cost_tables/" not in notes
    assert re.search(r'id="estimate-sources"[^>]*>Sources: <a href="https?://', notes)
    shown = re.sub(r"<[^>]+>", "", notes)  # the text a reader sees
    assert "http" not in shown


def test_new_plan_from_a_county_has_its_estimates(app, director):
    pid = new_plan(director, BUNCOMBE)
    document, _, changes = record_of(app, pid)
    plan = plan_of(document)
    tables = default_cost_tables()
    first = starting_fy(dt.date.today())  # noqa: DTZ011 - the app's own clock
    assert plan.start_fy == first
    assert plan.jurisdiction.name == "Buncombe County"
    # §18: by stream, each the stream's local total × Buncombe's share × its shape
    expected = stream_estimates(tables, BUNCOMBE)
    stored = {s: dict(a) for s, a in plan.fund.receipts_by_stream}
    entries = 0
    for estimate in expected.streams:
        years = estimate.in_fys(plan.fiscal_years)
        assert stored.get(estimate.stream.slug, {}) == {y.fy: Decimal(y.amount) for y in years}
        entries += len(years)
    assert not plan.fund.opening_balance_given
    # every window follows the plan, every line on A:10, no Orange County text
    assert all(
        line.stated_start_fy is None and line.stated_end_fy is None for line in plan.line_items
    )
    assert {line.strategy for line in plan.line_items} == {"A:10"}
    assert "Orange" not in document
    assert "Chapel Hill" not in document
    assert changes[0].action == "created from the starting plan"
    # the receipts editor labels them as estimates, each FY tagged
    receipts = director.get(f"/j/{BUNCOMBE}/plans/{pid}/edit/receipts")
    assert receipts.status_code == 200
    html = receipts.get_data(as_text=True)
    assert html.count('class="estimate-tag"') == entries
    # official figure -> share -> estimate rows, each source a link, the FYs already received
    assert 'id="receipts-estimate-basis"' in html
    assert f'href="{expected.share.source_url}"' in html
    for estimate in expected.streams:
        assert f'href="{estimate.stream.source_url}"' in html
    assert "received before the plan" in html
    # the opening balance is asked for, not assumed
    assert 'name="opening_balance"' in html
    assert "Not entered yet" in html
    # a replaced FY of one stream is no longer an estimate; the opening balance is now given
    url = f"/j/{BUNCOMBE}/plans/{pid}/edit/receipts"
    values = form_values(html)
    values[f"s_wave_one_{plan.start_fy}"] = "1"
    values["opening_balance"] = "2500000"
    assert director.post(url, data=values).status_code == 302
    after = director.get(url).get_data(as_text=True)
    assert after.count('class="estimate-tag"') == entries - 1
    assert "Not entered yet" not in after
    saved = plan_of(record_of(app, pid)[0])
    assert saved.fund.opening_balance == Decimal(2500000)
    assert dict(saved.fund.receipts_by_stream)["wave-one"][0] == (plan.start_fy, Decimal(1))


def test_a_receipts_csv_by_stream_is_previewed_then_saved(app, director):
    pid = new_plan(director, BUNCOMBE)
    url = f"/j/{BUNCOMBE}/plans/{pid}/edit/receipts"
    page = director.get(url).get_data(as_text=True)
    assert "stream,fiscal_year,amount" in page
    first = plan_of(record_of(app, pid)[0]).start_fy
    label = f"FY{first}-{(first + 1) % 100:02d}"
    csv_text = f"stream,fiscal_year,amount\nwave-one,{label},123\nother,{label},7\n"
    data = {"csrf_token": token(director, url), "csv_text": csv_text}
    preview = director.post(url + "/csv", data=data)
    assert preview.status_code == 200
    assert "Save these receipts" in text(preview)
    plan = plan_of(record_of(app, pid)[0])
    assert dict(dict(plan.fund.receipts_by_stream)["wave-one"])[first] != Decimal(123)
    values = form_values(preview.get_data(as_text=True))
    assert director.post(url + "/csv", data=values).status_code == 302
    saved = dict(plan_of(record_of(app, pid)[0]).fund.receipts_by_stream)
    assert dict(saved["wave-one"])[first] == Decimal(123)
    assert dict(saved["other"]) == {first: Decimal(7)}
    # the other FYs and streams are kept
    assert (
        dict(saved["wave-one"])[first + 1]
        == dict(dict(plan.fund.receipts_by_stream)["wave-one"])[first + 1]
    )
    assert saved["purdue-sackler"] == dict(plan.fund.receipts_by_stream)["purdue-sackler"]


def test_new_plan_without_a_known_total_spreads_the_one_entered(app, director):
    page = text(director.get(f"/j/{ALLEGHANY}/"))
    assert "No settlement total for Alleghany County" in page
    pid = new_plan(director, ALLEGHANY, total="4,000,000")
    plan = plan_of(record_of(app, pid)[0])
    spread = spread_total(default_cost_tables(), 4_000_000, plan.fiscal_years)
    # e.g. each FY: round_half_up(4,000,000 × its fraction of the shape)
    assert dict(plan.fund.receipts) == {y.fy: Decimal(y.amount) for y in spread.years}
    html = director.get(f"/j/{ALLEGHANY}/plans/{pid}/edit/receipts").get_data(as_text=True)
    assert html.count('class="estimate-tag"') == len(spread.years)


def test_new_plan_refuses_a_bad_total_and_keeps_the_input(director):
    values = form_values(director.get(f"/j/{ALLEGHANY}/").get_data(as_text=True))
    response = director.post(
        f"/j/{ALLEGHANY}/plans/new",
        data={
            "csrf_token": values["csrf_token"],
            "name": "Mine",
            "template": "starting",
            "total": "a lot",
        },
    )
    assert response.status_code == 422
    assert 'value="a lot"' in response.get_data(as_text=True)


def test_new_plan_needs_csrf(director):
    response = director.post(f"/j/{BUNCOMBE}/plans/new", data={"name": "x", "template": "starting"})
    assert response.status_code in (400, 422)


def test_spread_a_total_in_the_receipts_editor(app, director):
    pid = new_plan(director, ALLEGHANY)
    url = f"/j/{ALLEGHANY}/plans/{pid}/edit/receipts"
    assert "Spread a CORE-NC total" in text(director.get(url))
    response = post_button(director, f"{url}/spread", url, total="2500000")
    assert response.status_code == 302
    document, _, changes = record_of(app, pid)
    plan = plan_of(document)
    spread = spread_total(default_cost_tables(), 2_500_000, plan.fiscal_years)
    assert dict(plan.fund.receipts) == {y.fy: Decimal(y.amount) for y in spread.years}
    assert any("CORE-NC total of 2500000" in c.action for c in changes)
    assert director.get(url).get_data(as_text=True).count('class="estimate-tag"') == len(
        spread.years
    )
    # a replaced FY is no longer labelled an estimate
    values = form_values(director.get(url).get_data(as_text=True))
    first = plan.fiscal_years[0]
    values[f"fy_{first}"] = "1"
    assert director.post(url, data=values).status_code == 302
    html = director.get(url).get_data(as_text=True)
    assert html.count('class="estimate-tag"') == len(spread.years) - 1


# ------------------------------------------------------------------------ moving


def test_move_shifts_explicit_windows_and_keeps_null_ones(app, director):
    pid = new_plan(director, BUNCOMBE)
    base = f"/j/{BUNCOMBE}/plans/{pid}"
    # give one line an explicit window through the line form
    line_url = f"{base}/lines/officer-training"
    values = form_values(director.get(line_url).get_data(as_text=True))
    plan = plan_of(record_of(app, pid)[0])
    first = plan.start_fy
    values.update(start_fy=f"FY{first + 1}-{(first + 2) % 100:02d}", end_fy="")
    assert director.post(line_url, data=values).status_code == 302
    stored = load_plan_json(record_of(app, pid)[0])
    line = next(x for x in stored["line_items"] if x["id"] == "officer-training")
    assert line["start_fy"] == first + 1
    assert line["end_fy"] is None
    response = post_button(
        director, f"{base}/move", base, start_fy=f"FY{first + 2}-{(first + 3) % 100:02d}"
    )
    assert response.status_code == 302
    document, _, changes = record_of(app, pid)
    moved = load_plan_json(document)
    assert moved["start_fy"] == first + 2
    by_id = {x["id"]: x for x in moved["line_items"]}
    assert by_id["officer-training"]["start_fy"] == first + 3
    assert by_id["officer-training"]["end_fy"] is None
    assert by_id["case-managers"]["start_fy"] is None
    assert any(c.action.startswith("moved the plan") for c in changes)


def test_move_refuses_a_bad_fy_and_a_stale_page(app, director):
    pid = new_plan(director, BUNCOMBE)
    base = f"/j/{BUNCOMBE}/plans/{pid}"
    before = record_of(app, pid)[0]
    post_button(director, f"{base}/move", base, start_fy="next year")
    assert record_of(app, pid)[0] == before
    response = director.post(
        f"{base}/move",
        data={"csrf_token": token(director, base), "version": "0", "start_fy": "FY2030-31"},
    )
    assert response.status_code == 302
    assert record_of(app, pid)[0] == before


# ------------------------------------------------------------------------ what it can afford


def test_apply_referrals_writes_the_multiplier_the_engine_finds(app, director):
    pid = new_plan(director, BUNCOMBE)
    base = f"/j/{BUNCOMBE}/plans/{pid}"
    page = director.get(base)
    document, version, _ = record_of(app, pid)
    plan = plan_of(document)
    found = fit(plan)
    assert found.value is not None
    assert f"× {found.value}" in text(page)
    response = post_button(director, f"{base}/fit/apply", base, target="referrals")
    assert response.status_code == 302
    after, new_version, changes = record_of(app, pid)
    applied = plan_of(after)
    assert new_version > version
    for pathway, count in plan.participants.referrals_per_year.items():
        assert applied.participants.referrals_per_year[pathway] == count * found.value_number
    # issue 22: the history gives the new numbers in words
    assert changes[-1].action.startswith(f"applied the fit: referrals × {found.value}: referrals ")
    assert " participants" in changes[-1].action
    # the fund now sustains exactly this volume: the fit of the applied plan is × 1.00
    assert fit(applied).value == "1.00"


def test_apply_a_line_driver(app, director):
    pid = new_plan(director, BUNCOMBE)
    url = f"/j/{BUNCOMBE}/plans/{pid}/lines/officer-training"
    page = director.get(url)
    plan = plan_of(record_of(app, pid)[0])
    found = fit(plan, "line:officer-training")
    assert found.value is not None
    assert found.value in text(page)
    response = post_button(
        director, f"/j/{BUNCOMBE}/plans/{pid}/fit/apply", url, target="line:officer-training"
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(url)
    applied = plan_of(record_of(app, pid)[0])
    assert (
        Decimal(getattr(applied.line("officer-training").params, found.driver))
        == found.value_number
    )


def test_apply_with_a_stale_version_changes_nothing(app, director):
    pid = new_plan(director, BUNCOMBE)
    base = f"/j/{BUNCOMBE}/plans/{pid}"
    before = record_of(app, pid)[0]
    director.post(
        f"{base}/fit/apply",
        data={"csrf_token": token(director, base), "version": "0", "target": "referrals"},
    )
    assert record_of(app, pid)[0] == before
    assert director.post(
        f"{base}/fit/apply", data={"target": "referrals", "version": "1"}
    ).status_code in (302, 400)
    assert record_of(app, pid)[0] == before


# ------------------------------------------------------------------------ authorizations


def test_authorize_fys_creates_the_engines_amounts(app, director):
    pid = new_plan(director, BUNCOMBE)
    url = f"/j/{BUNCOMBE}/plans/{pid}/edit/authorizations"
    plan = plan_of(record_of(app, pid)[0])
    first = plan.start_fy
    labels = [f"FY{y}-{(y + 1) % 100:02d}" for y in (first, first + 1)]
    response = post_button(
        director,
        f"/j/{BUNCOMBE}/plans/{pid}/authorize",
        url,
        "authorize-",
        **{
            "authorize-first_fy": labels[0],
            "authorize-last_fy": labels[1],
            "authorize-adopted_on": "2026-06-01",
            "authorize-budget_ordinance_on": "2026-06-01",
        },
    )
    assert response.status_code == 302
    stored = plan_of(record_of(app, pid)[0])
    drafts = authorize_fys(plan, project(plan), first, first + 1)
    assert [(a.strategy, a.amount) for a in stored.program.authorizations] == [
        (d.strategy, Decimal(d.amount)) for d in drafts
    ]
    # the amount is the sum of the strategy's two FY columns
    a10 = project(plan).by_strategy["A:10"]
    assert stored.program.authorizations[0].amount == a10[0] + a10[1]
    assert stored.program.authorizations[0].budget_ordinance_on == dt.date(2026, 6, 1)
    html = director.get(url).get_data(as_text=True)
    assert 'data-stale="no"' in html
    assert 'data-status="adopted"' in html


def test_stale_amount_is_flagged_and_updated_in_one_click(app, director):
    pid = new_plan(director, BUNCOMBE)
    url = f"/j/{BUNCOMBE}/plans/{pid}/edit/authorizations"
    first = plan_of(record_of(app, pid)[0]).start_fy
    label = f"FY{first}-{(first + 1) % 100:02d}"
    post_button(
        director,
        f"/j/{BUNCOMBE}/plans/{pid}/authorize",
        url,
        "authorize-",
        **{
            "authorize-first_fy": label,
            "authorize-last_fy": label,
            "authorize-adopted_on": "2099-01-01",
        },
    )
    html = director.get(url).get_data(as_text=True)
    assert 'data-status="scheduled"' in html
    assert "scheduled" in text(director.get(url))
    # the plan changes: officers trained 50 → 80, the A:10 amount is now short
    line_url = f"/j/{BUNCOMBE}/plans/{pid}/lines/officer-training"
    values = form_values(director.get(line_url).get_data(as_text=True))
    values["officers"] = "80"
    assert director.post(line_url, data=values).status_code == 302
    html = director.get(url).get_data(as_text=True)
    assert 'data-stale="yes"' in html
    assert "short by" in text(director.get(url))
    response = post_button(director, f"/j/{BUNCOMBE}/plans/{pid}/authorizations/0/update", url)
    assert response.status_code == 302
    plan = plan_of(record_of(app, pid)[0])
    assert plan.program.authorizations[0].amount == project(plan).by_strategy["A:10"][0]
    assert 'data-stale="no"' in director.get(url).get_data(as_text=True)


def test_authorize_refuses_a_reversed_range(app, director):
    pid = new_plan(director, BUNCOMBE)
    url = f"/j/{BUNCOMBE}/plans/{pid}/edit/authorizations"
    before = record_of(app, pid)[0]
    post_button(
        director,
        f"/j/{BUNCOMBE}/plans/{pid}/authorize",
        url,
        "authorize-",
        **{"authorize-first_fy": "FY2030-31", "authorize-last_fy": "FY2029-30"},
    )
    assert record_of(app, pid)[0] == before
    # FYs the plan does not reach authorize nothing, and say so
    response = post_button(
        director,
        f"/j/{BUNCOMBE}/plans/{pid}/authorize",
        url,
        "authorize-",
        **{"authorize-first_fy": "FY2090-91", "authorize-last_fy": "FY2091-92"},
    )
    assert response.status_code == 302
    assert record_of(app, pid)[0] == before
    assert "spends nothing" in text(director.get(url))


def test_the_settings_page_offers_the_move(app, director):
    pid = new_plan(director, BUNCOMBE)
    html = director.get(f"/j/{BUNCOMBE}/plans/{pid}/edit/settings").get_data(as_text=True)
    assert f'action="/j/{BUNCOMBE}/plans/{pid}/move"' in html


# ------------------------------------------------------------------------ services


def test_services_assessment_in_one_form(app, director):
    pid = new_plan(director, BUNCOMBE)
    url = f"/j/{BUNCOMBE}/plans/{pid}/services"
    values = form_values(director.get(url).get_data(as_text=True))
    statuses = [k for k in values if k.startswith("status_")]
    assert len(statuses) == 6
    for key in statuses:
        values[key] = "adequate"
    assert director.post(url, data=values).status_code == 302
    plan = plan_of(record_of(app, pid)[0])
    assert {line.params.status for line in plan.line_items if line.kind == "service_gap"} == {
        "adequate"
    }


def test_a_gap_gets_its_units_and_cost_on_the_assessment_page(app, director):
    pid = new_plan(director, BUNCOMBE)
    url = f"/j/{BUNCOMBE}/plans/{pid}/services"
    values = form_values(director.get(url).get_data(as_text=True))
    statuses = sorted(k for k in values if k.startswith("status_"))
    for key in statuses:
        values[key] = "adequate"
    housing = next(k for k in statuses if "housing" in k)
    line_id = housing[len("status_") :]
    values[housing] = "gap"
    values[f"units_{line_id}"] = "4"
    values[f"unit_cost_{line_id}"] = "$12,500"  # as a finance office types it
    assert director.post(url, data=values).status_code == 302
    plan = plan_of(record_of(app, pid)[0])
    gap = plan.line(line_id)
    assert (gap.params.status, gap.params.units, gap.params.unit_cost) == (
        "gap",
        Decimal(4),
        Decimal(12500),
    )
    # 4 units × $12,500 a year = $50,000 in the first FY (inflation grows later FYs only)
    assert project(plan).line(line_id).by_year[0] == 50_000


def test_a_gap_without_units_is_refused_beside_its_field_and_every_choice_is_kept(app, director):
    pid = new_plan(director, BUNCOMBE)
    url = f"/j/{BUNCOMBE}/plans/{pid}/services"
    before = record_of(app, pid)[0]
    values = form_values(director.get(url).get_data(as_text=True))
    statuses = sorted(k for k in values if k.startswith("status_"))
    for key in statuses:
        values[key] = "adequate"
    values[statuses[0]] = "gap"  # no units, no cost
    line_id = statuses[0][len("status_") :]
    response = director.post(url, data=values)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    kept = form_values(html)
    assert [kept[k] for k in statuses] == [values[k] for k in statuses]  # all six kept
    assert f'id="units_{line_id}-error"' in html
    assert f'id="unit_cost_{line_id}-error"' in html
    assert record_of(app, pid)[0] == before  # nothing saved


# ------------------------------------------------------------ windows, history, isolation


def test_changing_the_first_fy_in_settings_keeps_null_windows(app, director):
    pid = new_plan(director, BUNCOMBE)
    url = f"/j/{BUNCOMBE}/plans/{pid}/edit/settings"
    values = form_values(director.get(url).get_data(as_text=True))
    first = plan_of(record_of(app, pid)[0]).start_fy
    values["start_fy"] = f"FY{first + 1}-{(first + 2) % 100:02d}"
    assert director.post(url, data=values).status_code == 302
    stored = load_plan_json(record_of(app, pid)[0])
    assert {(x["start_fy"], x["end_fy"]) for x in stored["line_items"]} == {(None, None)}
    plan = plan_of(record_of(app, pid)[0])
    # the lines follow the plan: each resolved window is the plan's own
    assert {(x.start_fy, x.end_fy) for x in plan.line_items} == {
        (first + 1, first + 1 + plan.years - 1)
    }


def test_each_action_is_in_the_history_page(app, director):
    pid = new_plan(director, BUNCOMBE)
    base = f"/j/{BUNCOMBE}/plans/{pid}"
    post_button(director, f"{base}/fit/apply", base, target="referrals")
    post_button(director, f"{base}/move", base, start_fy="FY2031-32")
    _, _, changes = record_of(app, pid)
    actions = {c.action for c in changes}
    assert any(a.startswith("applied the fit: referrals") for a in actions)
    assert "moved the plan to start in FY2031-32" in actions
    history = director.get(f"{base}/history")
    assert history.status_code == 200
    assert "moved the plan to start in FY2031-32" in text(history)


def test_other_counties_cannot_use_the_actions(app, client):
    from tests.web import EDITOR

    with app.app_context():
        user = create_user(db.session, FINANCE, PASSWORD)
        set_membership(db.session, user, jurisdiction(db.session, BUNCOMBE), "editor")
        db.session.commit()
    sign_in(client, FINANCE)
    pid = new_plan(client, BUNCOMBE)
    base = f"/j/{BUNCOMBE}/plans/{pid}"
    before = record_of(app, pid)[0]
    csrf = token(client, base)
    client.post("/sign-out", data={"csrf_token": csrf})
    sign_in(client, EDITOR)  # Orange County's editor
    orange_token = token(client, "/j/orange-county/")
    for path, data in (
        ("/move", {"start_fy": "FY2031-32"}),
        ("/fit/apply", {"target": "referrals"}),
        ("/authorize", {"authorize-first_fy": "FY2027-28", "authorize-last_fy": "FY2027-28"}),
        ("/services", {}),
        ("/edit/receipts/spread", {"total": "100"}),
    ):
        response = client.post(
            base + path, data={"csrf_token": orange_token, "version": "1", **data}
        )
        assert response.status_code == 404, path
        assert client.get(f"/j/{BUNCOMBE}/").status_code == 404
    assert record_of(app, pid)[0] == before


def test_a_jurisdiction_outside_the_tables_still_has_its_page(app, client):
    from planner.models import Jurisdiction
    from tests.web import ADMIN

    with app.app_context():
        db.session.add(Jurisdiction(slug="test-district", name="Test District", kind="county"))
        db.session.commit()
    sign_in(client, ADMIN)
    page = client.get("/j/test-district/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    response = client.post(
        "/j/test-district/plans/new",
        data={
            "csrf_token": token(client, "/j/test-district/"),
            "name": "Mine",
            "template": "starting",
        },
    )
    assert response.status_code == 422
    assert "not one of the 117" in text(response)
    assert 'value="demo" checked' in html or re.search(r'checked[^>]*value="demo"', html)
