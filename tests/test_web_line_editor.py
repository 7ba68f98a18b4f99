"""The line editor's variants and previews, the history in the user's words, the fix links
and defaults around them — driven as a person would: pages and form posts with CSRF tokens,
on both database engines."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from html import unescape

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from planner.cost_tables import default_cost_tables
from planner.extensions import db
from planner.models import PlanChange, PlanRecord
from planner.present.charts import ChartCache
from planner.present.formatting import money_cents
from planner.scenarios import load_plan_json, parse_plan, plan_to_dict, project
from planner.scenarios.editing import next_resolution_years
from planner.services.demo import demo_document
from tests.web import EDITOR, form_values, sign_in, text


@pytest.fixture
def editor(client):
    sign_in(client, EDITOR)
    return client


def plan_id(app) -> int:
    with app.app_context():
        return db.session.scalar(
            select(PlanRecord.id).where(PlanRecord.name == "Baseline LEAD plan")
        )


def saved(app, pid):
    with app.app_context():
        record = db.session.get(PlanRecord, pid)
        changes = db.session.scalar(
            select(func.count(PlanChange.id)).where(PlanChange.plan_id == pid)
        )
        return record.document, record.version, changes


def base(app) -> str:
    return f"/j/orange-county/plans/{plan_id(app)}"


def figures(html: str) -> dict[str, str]:
    """The preview's figures as the engine's raw values (data-value of each figure)."""
    return dict(re.findall(r'data-figure="([a-z_]+)" data-value="([^"]*)"', html))


def with_line(document: str, line_id: str, **values: str):
    """The stored plan with one line's inputs replaced: what the form would write, built
    here independently, and projected by the engine."""
    doc = load_plan_json(document)
    for line in doc["line_items"]:
        if line["id"] == line_id:
            keep = {
                k: line[k]
                for k in ("id", "kind", "label", "strategy", "justification", "start_fy", "end_fy")
            }
            line.clear()
            line.update(keep, **values)
    plan = parse_plan(doc, default_cost_tables())
    return plan, project(plan)


def is_disabled(html: str, name: str) -> bool:
    tag = re.search(rf'<(?:input|select)[^>]*name="{name}"[^>]*>', html).group(0)
    return " disabled" in tag


# ----------------------------------------------------------------- variants


def test_a_line_form_shows_only_its_modes_fields(app, editor):
    html = editor.get(base(app) + "/lines/warm-handoff").get_data(as_text=True)
    data = form_values(html)
    assert (data["mode"], data["shown"]) == ("on_call", "on_call")
    assert not is_disabled(html, "stipend_per_hour")
    assert is_disabled(html, "rate_per_hour")  # contract only
    assert is_disabled(html, "staff_per_post")  # staffed only
    assert not is_disabled(html, "hours_per_week")  # every mode
    gap = editor.get(base(app) + "/lines/food").get_data(as_text=True)
    assert is_disabled(gap, "units")
    assert is_disabled(gap, "unit_cost")  # adequate: no units
    housing = editor.get(base(app) + "/lines/housing-gap").get_data(as_text=True)
    assert not is_disabled(housing, "units")
    analyst = editor.get(base(app) + "/lines/data-analyst").get_data(as_text=True)
    assert is_disabled(analyst, "independent")  # program managers only
    assert not is_disabled(
        editor.get(base(app) + "/lines/program-manager").get_data(as_text=True), "independent"
    )


def test_switching_the_mode_without_script_keeps_the_input_and_saves_nothing(app, editor):
    url = base(app) + "/lines/warm-handoff"
    before = saved(app, plan_id(app))
    data = form_values(editor.get(url).get_data(as_text=True))
    data.update(mode="contract", label="Crisis response by contract", refresh="1")
    response = editor.post(url, data=data)
    assert response.status_code == 200
    assert saved(app, plan_id(app)) == before
    html = response.get_data(as_text=True)
    kept = form_values(html)
    assert kept["label"] == "Crisis response by contract"
    assert kept["hours_per_week"] == data["hours_per_week"]
    assert (kept["mode"], kept["shown"]) == ("contract", "contract")
    assert not is_disabled(html, "rate_per_hour")
    assert is_disabled(html, "stipend_per_hour")
    # the status box says so
    assert "Nothing was saved" in text(response)


def test_the_contract_rate_is_asked_for_and_shown_with_its_source(app, editor):
    url = base(app) + "/add-line/create?kind=warm_handoff&mode=contract"
    page = editor.get(url)
    html = page.get_data(as_text=True)
    note = re.search(r'id="rate_per_hour-default">(.*?)</span></span>', html, re.S).group(1)
    # the default a blank would take, as the engine ages it for this plan
    document, _, _ = saved(app, plan_id(app))
    plan = parse_plan(load_plan_json(document), default_cost_tables())
    a = plan.assumptions
    aged = default_cost_tables().aged(
        "warm_handoff.contract.rate_per_hour",
        {"salary": a.salary_escalation, "health": a.health_escalation, "inflation": a.inflation},
        plan.start_fy,
    )
    assert money_cents(aged) in note
    assert "CAHOOTS" in note
    assert "FY2017-18" in note
    assert "far less" in text(page)  # the help about buying from an existing provider
    data = form_values(html)
    data.update(label="Mobile crisis priority response", justification="Priority response.")
    missing = editor.post(url, data=data)
    assert missing.status_code == 422
    assert "rate_per_hour" in missing.get_data(as_text=True)
    data["rate_per_hour"] = "30"
    assert editor.post(url, data=data).status_code == 302
    line = parse_plan(load_plan_json(saved(app, plan_id(app))[0]), default_cost_tables()).line(
        "mobile-crisis-priority-response"
    )
    assert (line.mode, line.params.rate_per_hour) == ("contract", Decimal(30))


# ----------------------------------------------------------------- previews


def test_preview_saves_nothing_and_shows_the_engines_figures(app, editor):
    pid = plan_id(app)
    url = base(app) + "/lines/warm-handoff"
    before = saved(app, pid)
    data = form_values(editor.get(url).get_data(as_text=True))
    data.update(mode="contract", shown="contract", rate_per_hour="40", preview="1")
    response = editor.post(url, data=data)
    assert response.status_code == 200
    assert saved(app, pid) == before  # no version, no history, same document
    plan, projection = with_line(
        before[0],
        "warm-handoff",
        mode="contract",
        hours_per_week=data["hours_per_week"],
        rate_per_hour="40",
    )
    old = project(parse_plan(load_plan_json(before[0]), default_cost_tables()))
    line = projection.line("warm-handoff")
    # 128 h a week × 52.142857… weeks × $40 in the first FY, then aged with inflation
    assert figures(response.get_data(as_text=True)) == {
        "first_fy_cost": str(line.by_year[0]),
        "total": str(line.total),
        "fte": "0",
        "plan_total": str(projection.total),
        "closing": str(projection.fund.closing[-1]),
        "deficit": str(projection.fund.first_deficit_fy or ""),
    }
    page = text(response)
    assert f"{_money(old.fund.closing[-1])} → {_money(projection.fund.closing[-1])}" in page
    assert form_values(response.get_data(as_text=True))["rate_per_hour"] == "40"  # input kept


def test_live_preview_fragment_needs_csrf_and_matches_the_engine(app, editor):
    pid = plan_id(app)
    url = base(app) + "/lines/case-managers"
    before = saved(app, pid)
    data = form_values(editor.get(url).get_data(as_text=True))
    data["caseload_average"] = "15"
    token = data.pop("csrf_token")
    refused = editor.post(url + "/preview", data=data)
    assert refused.status_code == 400
    response = editor.post(url + "/preview", data=data, headers={"X-CSRFToken": token})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<html" not in html  # a fragment for the page's panel
    _, projection = with_line(
        before[0],
        "case-managers",
        **{
            k: data[k]
            for k in (
                "caseload_average",
                "caseload_max",
                "min_fte",
                "max_fte",
                "salary",
                "delivery",
                "fringe_rate",
                "health_per_fte",
                "contract_overhead_rate",
            )
            if data.get(k)
        },
    )
    line = projection.line("case-managers")
    found = figures(html)
    assert found["total"] == str(line.total)
    assert found["fte"] == str(line.fte[0])
    assert found["closing"] == str(projection.fund.closing[-1])
    assert saved(app, pid) == before
    # a bad value comes back as a problem with the field's name, nothing projected
    data["caseload_average"] = "0"
    bad = editor.post(url + "/preview", data=data, headers={"X-CSRFToken": token})
    assert bad.status_code == 422
    assert "Average caseload limit: must be greater than 0" in text(bad)
    assert figures(bad.get_data(as_text=True)) == {}


def test_new_line_preview_projects_the_line_not_yet_saved(app, editor):
    url = base(app) + "/add-line/create?kind=participant_support"
    before = saved(app, plan_id(app))
    data = form_values(editor.get(url).get_data(as_text=True))
    data.update(
        label="Bus passes",
        per_participant_year="300",
        preview="1",
        justification="Transport to appointments.",
    )
    response = editor.post(url.split("?")[0], data=data)
    assert response.status_code == 200
    assert saved(app, plan_id(app)) == before
    doc = load_plan_json(before[0])
    doc["line_items"].append(
        {
            "id": "bus-passes",
            "kind": "participant_support",
            "label": "Bus passes",
            "strategy": "A:10",
            "justification": "Transport to appointments.",
            "per_participant_year": "300",
        }
    )
    projection = project(parse_plan(doc, default_cost_tables()))
    found = figures(response.get_data(as_text=True))
    assert found["total"] == str(projection.line("bus-passes").total)
    assert found["plan_total"] == str(projection.total)


def _money(amount: int) -> str:
    from planner.present.formatting import money

    return money(amount)


# ----------------------------------------------------------------- defaults


@pytest.mark.parametrize(
    ("kind", "strategy"),
    [
        ("participant_support", "A:10"),
        ("service_gap", "A:10"),
        ("other", "A:10"),
        ("other_strategy", ""),  # a non-LEAD line names the strategy it funds
    ],
)
def test_new_lines_default_to_strategy_a10(app, editor, kind, strategy):
    url = base(app) + f"/add-line/create?kind={kind}"
    assert form_values(editor.get(url).get_data(as_text=True))["strategy"] == strategy


def test_a_new_line_saved_as_offered_funds_a10(app, editor):
    url = base(app) + "/add-line/create?kind=participant_support"
    data = form_values(editor.get(url).get_data(as_text=True))
    data.update(label="Hygiene kits", justification="Basic supplies.")
    assert editor.post(url, data=data).status_code == 302
    plan = parse_plan(load_plan_json(saved(app, plan_id(app))[0]), default_cost_tables())
    assert plan.line("hygiene-kits").strategy == "A:10"


def test_receipts_are_labelled_by_fiscal_year(app, editor):
    page = editor.get(base(app) + "/edit/receipts").get_data(as_text=True)
    labels = re.findall(r'<label for="fy_\d+">([^<]+)</label>', page)
    assert labels[:2] == ["FY2026-27", "FY2027-28"]
    assert len(labels) == 18
    assert "Fy 20" not in page


# ----------------------------------------------------------------- history


def test_history_says_what_changed_in_the_users_words(app, editor):
    url = base(app) + "/edit/assumptions"
    data = form_values(editor.get(url).get_data(as_text=True))
    data["salary_escalation"] = "0.04"
    assert editor.post(url, data=data).status_code == 302
    line_url = base(app) + "/lines/case-managers"
    data = form_values(editor.get(line_url).get_data(as_text=True))
    data["caseload_average"] = "15"
    assert editor.post(line_url, data=data).status_code == 302
    receipts = base(app) + "/edit/receipts"
    data = form_values(editor.get(receipts).get_data(as_text=True))
    data["fy_2027"] = "1100000"
    assert editor.post(receipts, data=data).status_code == 302
    page = editor.get(base(app) + "/history").get_data(as_text=True)
    rows = [
        [
            unescape(re.sub(r"<[^>]+>", "", cell)).strip()
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)[3:6]
        ]  # what changed, the old value, the new one (then the undo button)
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", page, re.S)
    ]
    assert ["Assumptions: Salary escalation a year", "3%", "4%"] in rows
    assert ["Line 'LEAD case managers': Average caseload limit", "20", "15"] in rows
    assert ["Receipts FY2027-28", "$1,003,000.00", "$1,100,000.00"] in rows
    assert "{" not in page.split("<tbody>")[1]  # no raw JSON


# ----------------------------------------------------------------- plan page


def test_services_fix_links_open_the_unassessed_categories(app, editor):
    page = editor.get(base(app)).get_data(as_text=True)
    rule = page[page.index('id="rule-LEAD-SERVICES"') :]
    rule = rule[: rule.index("</li>")]
    links = re.findall(r'<a href="([^"]+)">([^<]+)</a>', rule)
    # demo: behavioral health is on a line marked unknown; benefits and harm reduction have
    # none. In the categories' order (food, medical, housing, benefits, behavioral health…)
    # (first, the one form that sets the status of every service line)
    assert [unescape(label) for _, label in links] == [
        "Assess the services",
        "Add a service-gap line for benefits",
        "Edit line 'behavioral-health'",
        "Add a service-gap line for harm reduction",
    ]
    form = editor.get(links[1][0].replace("&amp;", "&")).get_data(as_text=True)
    assert form_values(form)["category"] == "benefits"


def test_interest_rate_and_moa_date_are_shown_with_the_fund(app, editor):
    page = editor.get(base(app)).get_data(as_text=True)
    fund = page[page.index('id="fund"') : page.index('id="compliance"')]
    assumptions = page[page.index('id="assumptions"') :]
    assert "Interest rate" in fund
    assert "MOA executed" in fund
    assert "/edit/fund" in fund
    assert "Interest rate</dt>" not in assumptions
    assert "MOA executed</dt>" not in assumptions
    assert "Draft authorizing resolution (Word, FY" in page


def test_the_resolution_form_defaults_to_the_next_fys_to_authorize(app, editor):
    page = editor.get(base(app) + "/resolution")
    assert page.status_code == 200
    values = form_values(page.get_data(as_text=True))
    # the demo authorized FY2026-27 (adopted June 2026): next FY2027-28, five FYs
    assert (values["first"], values["last"]) == ("FY2027-28", "FY2031-32")


def test_next_resolution_years():
    plan = parse_plan(demo_document(), default_cost_tables())
    assert next_resolution_years(plan, dt.date(2026, 11, 28)) == (2027, 2031)
    doc = plan_to_dict(plan)
    doc["program"]["authorizations"].append(
        {
            "strategy": "A:10",
            "amount": "600000",
            "start": "2027-07-01",
            "end": "2029-06-30",
            "adopted_on": None,
        }
    )
    pending = parse_plan(json.loads(json.dumps(doc)), default_cost_tables())
    # recorded, not adopted: the resolution is for those FYs
    assert next_resolution_years(pending, dt.date(2026, 11, 28)) == (2027, 2028)
    doc["program"]["authorizations"][-1]["adopted_on"] = "2027-06-01"
    adopted = parse_plan(json.loads(json.dumps(doc)), default_cost_tables())
    # adopted: the first FY whose spending some strategy has not authorized, and four more
    # (summaries.default_period, as the PDF's summary): A:7's FY2027-28 is not authorized
    assert next_resolution_years(adopted, dt.date(2027, 7, 1)) == (2027, 2031)
    # an adoption after as_of is only scheduled
    assert next_resolution_years(adopted, dt.date(2027, 5, 1)) == (2027, 2028)


# ----------------------------------------------------------------- charts


def test_charts_are_drawn_once_per_plan_version(app, editor):
    url = base(app) + "/charts/fund.svg"
    first = editor.get(url)
    assert first.status_code == 200
    assert first.data.startswith(b"<svg")
    again = editor.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.data == b""


def test_chart_cache_keys_on_version_and_checks_the_document():
    cache = ChartCache(size=2)
    drawn = []

    def draw(svg):
        return lambda: drawn.append(svg) or svg

    assert cache.get((1, 1, "fund"), "doc-a", draw("a")) == "a"
    assert cache.get((1, 1, "fund"), "doc-a", draw("never")) == "a"
    # the same id and version for another document (an id reused after a deletion)
    assert cache.get((1, 1, "fund"), "doc-b", draw("b")) == "b"
    cache.get((2, 1, "fund"), "doc-c", draw("c"))
    cache.get((3, 1, "fund"), "doc-d", draw("d"))  # the oldest goes
    assert cache.get((1, 1, "fund"), "doc-b", draw("b2")) == "b2"
    assert drawn == ["a", "b", "c", "d", "b2"]


def test_a_save_that_leaves_the_figures_does_not_redraw_the_chart(app, editor, monkeypatch):
    from planner.present import charts

    charts.CHARTS.clear()  # the caches are the process's: another test may have drawn these
    charts.BY_FIGURES.clear()
    url = base(app) + "/charts/fund.svg"
    first = editor.get(url).data
    drawn = []
    real = charts.fund_balance_svg
    monkeypatch.setattr(
        charts, "fund_balance_svg", lambda *a, **k: drawn.append(1) or real(*a, **k)
    )
    line_url = base(app) + "/lines/case-managers"
    data = form_values(editor.get(line_url).get_data(as_text=True))
    data["justification"] = "Reworded for the board."
    assert editor.post(line_url, data=data).status_code == 302
    assert editor.get(url).data == first  # a new version, the same figures: not drawn again
    data = form_values(editor.get(line_url).get_data(as_text=True))
    data["caseload_average"] = "15"
    assert editor.post(line_url, data=data).status_code == 302
    assert editor.get(url).data != first
    assert drawn == [1]


@given(
    st.decimals(
        allow_nan=False, allow_infinity=False, min_value=-(10**12), max_value=10**12, places=6
    ),
    st.integers(0, 3),
)
def test_the_fast_number_format_is_babels(amount, places):
    from babel.numbers import format_decimal

    from planner.present.formatting import number

    pattern = "#,##0." + "0" * places if places else "#,##0"
    assert number(amount, places) == format_decimal(amount, format=pattern, locale="en_US")
