"""The Funding page and shared programs in the web app (cost model §16, §17): every form
post carries its CSRF token; bad input comes back beside its field with nothing saved; a
partner sees the shared program, not the lead's other plans; the partner's contribution
follows the lead plan's figures."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from sqlalchemy import func, select

from planner.extensions import db
from planner.models import PlanRecord, SharedProgram
from tests.test_backup_restore import empty_url  # noqa: F401 - fixture
from tests.web import EDITOR, OTHER, VIEWER, form_values, sign_in

# Every test here goes through the app: `make test-fast` does not even import this module.
pytestmark = pytest.mark.web

LEAD = "/j/orange-county/plans/{id}"


def plan_id(app, name: str) -> int:
    with app.app_context():
        return db.session.scalar(select(PlanRecord.id).where(PlanRecord.name == name))


def document(app, record_id: int) -> dict:
    with app.app_context():
        return json.loads(db.session.get(PlanRecord, record_id).document)


def versions(app) -> dict[int, int]:
    with app.app_context():
        return {r.id: r.version for r in db.session.scalars(select(PlanRecord))}


def shares(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(SharedProgram.id)))


def form_of(client, url: str) -> dict[str, str]:
    page = client.get(url)
    assert page.status_code == 200, (url, page.status_code)
    return form_values(page.get_data(as_text=True))


def errors_beside(html: str, field: str) -> list[str]:
    """The error messages shown inside the field's block."""
    match = re.search(
        rf'<div class="field has-error"[^>]*>(?:(?!<div class="field).)*?name="{field}"'
        r"(?:(?!<div class=\"field).)*",
        html,
        flags=re.S,
    )
    return re.findall(r'<span class="error"[^>]*>([^<]+)</span>', match.group(0)) if match else []


@pytest.fixture
def lead(app, client):
    sign_in(client, EDITOR)
    return plan_id(app, "Baseline LEAD plan")


def test_add_a_grant_paying_a_share_of_a_line(app, client, lead):
    base = LEAD.format(id=lead)
    values = form_of(client, f"{base}/funding/new")
    first_line = document(app, lead)["line_items"][0]["id"]
    values.update(
        name="BJA COSSUP award",
        kind="grant",
        start="2026-10-01",
        end="2029-09-30",
        award="1198628",
        share_0="0.75",
    )
    response = client.post(f"{base}/funding/new", data=values)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    saved = document(app, lead)
    assert saved["funding"]["sources"][0]["id"] == "bja-cossup-award"
    assert saved["funding"]["sources"][0]["award"] == "1198628"
    line = next(x for x in saved["line_items"] if x["id"] == first_line)
    assert line["funded_by"] == [{"source": "bja-cossup-award", "share": "0.75"}]
    page = client.get(f"{base}/funding")
    assert page.status_code == 200
    assert 'data-source="bja-cossup-award"' in page.get_data(as_text=True)
    show = client.get(base).get_data(as_text=True)
    assert 'id="funding-by-source"' in show

    # Edit: the form shows what is saved; remove: the settlement fund pays it all again.
    values = form_of(client, f"{base}/funding/bja-cossup-award")
    assert values["share_0"] == "0.75"
    assert values["award"] == "1198628"
    token = form_of(client, f"{base}/funding")
    response = client.post(
        f"{base}/funding/bja-cossup-award/delete",
        data={"csrf_token": token["csrf_token"], "version": str(versions(app)[lead])},
    )
    assert response.status_code == 302
    saved = document(app, lead)
    assert "funding" not in saved
    assert all("funded_by" not in x for x in saved["line_items"])


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"start": "2026-10-15"}, "start"),  # not the first day of a month
        ({"end": "2029-09-29"}, "end"),  # not the last day of a month
        ({"share_0": "1.5"}, "share_0"),  # a share over 1
        ({"award": "-5"}, "award"),
        ({"kind": "partner", "jurisdiction": "no-such-town"}, "jurisdiction"),
        ({"kind": "partner", "jurisdiction": ""}, "jurisdiction"),
        ({"amounts_0": "FY2099-00: 100"}, "amounts_0"),
    ],
)
def test_bad_input_is_shown_beside_its_field_and_nothing_is_saved(app, client, lead, change, field):
    base = LEAD.format(id=lead)
    before = versions(app)
    values = form_of(client, f"{base}/funding/new")
    values.update(name="A grant", kind="grant", start="2026-10-01", end="2029-09-30")
    values.update(change)
    response = client.post(f"{base}/funding/new", data=values)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert errors_beside(html, field), (field, html[:3000])
    assert versions(app) == before
    assert f'value="{values["name"]}"' in html  # the input is kept


def test_two_shares_over_one_are_refused(app, client, lead):
    base = LEAD.format(id=lead)
    for name, share, status in (("First grant", "0.6", 302), ("Second grant", "0.6", 422)):
        values = form_of(client, f"{base}/funding/new")
        values.update(name=name, kind="grant", share_0=share)
        response = client.post(f"{base}/funding/new", data=values)
        assert response.status_code == status
    assert errors_beside(response.get_data(as_text=True), "share_0")
    assert len(document(app, lead)["funding"]["sources"]) == 1


def test_forms_need_their_csrf_token_and_unknown_sources_are_404(app, client, lead):
    base = LEAD.format(id=lead)
    before = versions(app)
    values = form_of(client, f"{base}/funding/new")
    values.update(name="A grant", kind="grant")
    del values["csrf_token"]
    assert client.post(f"{base}/funding/new", data=values).status_code == 400
    values = form_of(client, f"{base}/share")
    del values["csrf_token"]
    values.update(partner="ashe-county", percent="25")
    assert client.post(f"{base}/share", data=values).status_code == 400
    assert client.get(f"{base}/funding/no-such-source").status_code == 404
    token = form_of(client, f"{base}/funding")["csrf_token"]
    response = client.post(
        f"{base}/funding/no-such-source/delete", data={"csrf_token": token, "version": "1"}
    )
    assert response.status_code == 404
    assert versions(app) == before
    assert shares(app) == 0


def test_viewer_sees_the_page_but_cannot_change(app, client):
    record = plan_id(app, "Baseline LEAD plan")
    sign_in(client, VIEWER)
    base = LEAD.format(id=record)
    assert client.get(f"{base}/funding").status_code == 200
    assert client.get(f"{base}/funding/new").status_code == 403
    assert client.get(f"{base}/share").status_code == 403


def _share_with_durham(app, client, lead: int, percent: str = "25") -> None:
    base = LEAD.format(id=lead)
    values = form_of(client, f"{base}/share")
    values.update(partner="durham-county", percent=percent)
    response = client.post(f"{base}/share", data=values)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"partner": "no-such-county"}, "partner"),
        ({"partner": "orange-county"}, "partner"),  # itself
        ({"percent": "150"}, "percent"),
        ({"percent": "a quarter"}, "percent"),
    ],
)
def test_bad_share_input_is_beside_its_field(app, client, lead, change, field):
    base = LEAD.format(id=lead)
    before = versions(app)
    values = form_of(client, f"{base}/share")
    values.update(partner="durham-county", percent="25")
    values.update(change)
    response = client.post(f"{base}/share", data=values)
    assert response.status_code == 422
    assert errors_beside(response.get_data(as_text=True), field)
    assert versions(app) == before
    assert shares(app) == 0


def test_a_shared_program_from_invitation_to_contribution(app, client, lead):
    _share_with_durham(app, client, lead)
    saved = document(app, lead)
    source = saved["funding"]["sources"][0]
    assert source == {
        "id": "durham-county",
        "name": "Durham County (interlocal agreement)",
        "kind": "partner",
        "start": None,
        "end": None,
        "award": None,
        "jurisdiction": "durham-county",
    }
    joined = [x["id"] for x in saved["line_items"] if x.get("funded_by")]
    assert joined
    assert all(
        x["funded_by"] == [{"source": "durham-county", "share": "0.25"}]
        for x in saved["line_items"]
        if x["id"] in joined
    )
    assert all(x["kind"] != "other_strategy" for x in saved["line_items"] if x["id"] in joined)

    # Orange's other plan stays out of Durham's sight; the shared program is in it.
    other = plan_id(app, "Orange alternative")
    client.get("/sign-out")
    sign_in(client, OTHER)
    county = client.get("/j/durham-county/").get_data(as_text=True)
    assert 'id="shared-programs"' in county
    link = re.search(r'href="(/j/durham-county/shared/(\d+))"', county)
    assert link
    assert client.get(LEAD.format(id=lead)).status_code == 404
    assert client.get(LEAD.format(id=other)).status_code == 404
    shared = client.get(link.group(1))
    assert shared.status_code == 200
    assert 'id="lead-checklist"' in shared.get_data(as_text=True)

    # Accept into a new plan: its contribution is the lead's by_source for Durham.
    values = form_values(shared.get_data(as_text=True))
    values.update(plan="new", name="Durham share of Orange LEAD")
    response = client.post(f"{link.group(1)}/accept", data=values)
    assert response.status_code == 302
    partner_id = plan_id(app, "Durham share of Orange LEAD")
    with app.app_context():
        from planner.scenarios import project
        from planner.services.plans import load_plan

        lead_projection = project(load_plan(db.session.get(PlanRecord, lead)))
        expected = dict(
            zip(
                lead_projection.fiscal_years,
                lead_projection.by_source["durham-county"],
                strict=True,
            )
        )
    line = document(app, partner_id)["line_items"][0]
    assert line["kind"] == "contribution"
    assert line["to"] == "orange-county"
    from planner.scenarios import fy_label

    assert line["amounts"] == {fy_label(fy): str(v) for fy, v in expected.items() if v}

    # The lead changes its plan: the partner's line follows.
    client.get("/sign-out")
    sign_in(client, EDITOR)
    base = LEAD.format(id=lead)
    values = form_of(client, f"{base}/funding/durham-county")
    joined_index = next(k for k in values if k.startswith("share_") and values[k])
    values[joined_index] = "0.5"
    assert client.post(f"{base}/funding/durham-county", data=values).status_code == 302
    line_after = document(app, partner_id)["line_items"][0]
    assert line_after["amounts"] != line["amounts"]
    with app.app_context():
        from planner.services.sharing import state_of

        share = db.session.scalar(select(SharedProgram))
        assert share.status == "accepted"
        assert not state_of(share).stale


def test_a_stale_contribution_is_flagged_and_updated_in_one_click(app, client, lead):
    _share_with_durham(app, client, lead)
    client.get("/sign-out")
    sign_in(client, OTHER)
    county = client.get("/j/durham-county/").get_data(as_text=True)
    url = re.search(r'href="(/j/durham-county/shared/\d+)"', county).group(1)
    values = form_values(client.get(url).get_data(as_text=True))
    values.update(plan="new", name="Durham share")
    client.post(f"{url}/accept", data=values)
    partner_id = plan_id(app, "Durham share")
    # The partner edits its line by hand: it is now out of step.
    with app.app_context():
        from planner.services.plans import update_plan

        record = db.session.get(PlanRecord, partner_id)

        def change(doc):
            doc["line_items"][0]["amounts"] = {}

        update_plan(db.session, record, None, change, expected_version=None, action="test")
        db.session.commit()
    page = client.get(url).get_data(as_text=True)
    assert 'id="stale"' in page
    # The partner's own plan page: FUNDING-SOURCES warns (the engine's hook, §17).
    own = client.get(f"/j/durham-county/plans/{partner_id}").get_data(as_text=True)
    cliff = re.search(r'<p id="grant-cliff"[^>]*><span class="status (\w+)">FUNDING-SOURCES', own)
    assert cliff
    assert cliff.group(1) == "warn"
    token = form_values(page)["csrf_token"]
    assert client.post(f"{url}/update", data={}).status_code == 400  # no CSRF token
    assert client.post(f"{url}/update", data={"csrf_token": token}).status_code == 302
    assert document(app, partner_id)["line_items"][0]["amounts"]
    assert 'id="stale"' not in client.get(url).get_data(as_text=True)
    own = client.get(f"/j/durham-county/plans/{partner_id}").get_data(as_text=True)
    cliff = re.search(r'<p id="grant-cliff"[^>]*><span class="status (\w+)">FUNDING-SOURCES', own)
    assert cliff
    assert cliff.group(1) != "warn"


def test_a_share_of_another_government_is_404(app, client, lead):
    _share_with_durham(app, client, lead)
    with app.app_context():
        share_id = db.session.scalar(select(SharedProgram.id))
    # Orange's editor is not a member of Durham: Durham's pages do not exist for them.
    assert client.get(f"/j/durham-county/shared/{share_id}").status_code == 404
    # Nor is a share shown under a government that is not its partner.
    assert client.get(f"/j/orange-county/shared/{share_id}").status_code == 404


def test_backup_and_restore_keep_the_shared_program(app, client, lead, tmp_path, empty_url):  # noqa: F811
    from tests.test_backup_restore import run

    _share_with_durham(app, client, lead)
    out = tmp_path / "backup.json"
    assert run(["backup", str(out)], app.config["DATABASE_URL"]).exit_code == 0
    written = json.loads(out.read_text())["shared_programs"]
    assert [(r["lead_plan"], r["partner"], r["status"]) for r in written] == [
        (lead, "durham-county", "invited")
    ]
    result = run(["restore", str(out)], empty_url)
    assert result.exit_code == 0, result.output
    from planner import create_app

    restored = create_app({"DATABASE_URL": empty_url, "SECRET_KEY": "t"})
    with restored.app_context():
        row = db.session.scalar(select(SharedProgram))
        assert (row.lead_plan_id, row.partner.slug, row.source_id) == (
            lead,
            "durham-county",
            "durham-county",
        )
        db.session.remove()
        db.engine.dispose()
    # A row naming a plan the backup lacks is refused before anything is written.
    data = json.loads(out.read_text())
    data["shared_programs"][0]["lead_plan"] = 999999
    out.write_text(json.dumps(data))
    bad = run(["restore", str(out)], empty_url.replace("restored.db", "again.db"))
    assert bad.exit_code != 0
    assert "shared_programs[0].lead_plan" in bad.output


def test_a_contribution_line_in_the_line_editor(app, client, lead):
    url = LEAD.format(id=lead) + "/add-line/create?kind=contribution"
    before = versions(app)
    data = form_of(client, url)
    data.update(
        label="Share of High Country LEAD",
        to="no-such-county",
        program="High Country LEAD",
        amounts="FY2026-27: 12,000.50; FY2027: 5",  # "FY2027" is ambiguous (§1)
    )
    response = client.post(url, data=data)
    html = response.get_data(as_text=True)
    assert response.status_code != 302
    assert errors_beside(html, "to")
    assert errors_beside(html, "amounts")
    # A FY outside the plan: the engine's check of the whole plan, beside the field.
    data.update(to="ashe-county", amounts="FY2099-00: 5")
    html = client.post(url, data=data).get_data(as_text=True)
    assert errors_beside(html, "amounts")
    assert versions(app) == before
    data.update(to="ashe-county", amounts="FY2026-27: 12,000.50; FY2027-28: 12500")
    response = client.post(url, data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    line = document(app, lead)["line_items"][-1]
    # 12,000.50 rounds half up to 12,001 (cost model §17)
    assert line["kind"] == "contribution"
    assert line["amounts"] == {"FY2026-27": "12001", "FY2027-28": "12500"}
    edit = form_of(client, LEAD.format(id=lead) + f"/lines/{line['id']}")
    assert edit["amounts"] == "FY2026-27: 12001; FY2027-28: 12500"


def test_the_plan_page_shows_the_grant_cliff(app, client, lead):
    """A grant that ends while the line it pays goes on: FUNDING-SOURCES names the first FY
    after its end (info), and the plan page shows it with the engine's figures."""
    base = LEAD.format(id=lead)
    values = form_of(client, f"{base}/funding/new")
    values.update(
        name="BJA COSSUP award", kind="grant", start="2026-10-01", end="2028-09-30", share_0="0.5"
    )
    assert client.post(f"{base}/funding/new", data=values).status_code == 302
    with app.app_context():
        from planner.services.plans import view_plan

        view = view_plan(db.session.get(PlanRecord, lead), dt.date(2026, 12, 7))
        rule = next(r for r in view.results if r.rule == "FUNDING-SOURCES")
        by_year = view.projection.by_source["bja-cossup-award"]
    assert rule.status == "info"
    assert rule.fiscal_years
    page = client.get(base).get_data(as_text=True)
    cliff = re.search(r'<p id="grant-cliff" data-fiscal-years="([^"]*)"', page)
    assert cliff
    assert cliff.group(1).split() == [str(fy) for fy in rule.fiscal_years]
    # The grant pays in FY2026-27 (9 months), FY2027-28 and FY2028-29 (3 months), then 0.
    assert all(by_year[:3])
    assert not any(by_year[3:])
    row = re.search(r'<tr data-source="bja-cossup-award">(.*?)</tr>', page, flags=re.S)
    assert row
    assert f"${by_year[0]:,}" in row.group(1)
