"""The plan editor, driven the way a person uses it: pages, form posts with CSRF tokens."""

from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import select

from planner.extensions import db
from planner.models import PlanChange, PlanRecord
from planner.scenarios import project, projection_to_dict
from planner.services.plans import load_plan
from tests.web import EDITOR, form_values, sign_in, text, token

# Every test here goes through the app: `make test-fast` does not even import this module.
pytestmark = pytest.mark.web


@pytest.fixture
def editor(client):
    sign_in(client, EDITOR)
    return client


def plan_id(app, name="Baseline LEAD plan", slug="orange-county") -> int:
    with app.app_context():
        record = db.session.scalar(select(PlanRecord).where(PlanRecord.name == name))
        assert record.jurisdiction.slug == slug
        return record.id


def stored(app, pid):
    with app.app_context():
        record = db.session.get(PlanRecord, pid)
        return record.document, record.version, load_plan(record)


def post_form(client, url, changes, *, files=None):
    """Load the form, change some fields, post it back (with its CSRF token)."""
    page = client.get(url)
    assert page.status_code == 200
    data = form_values(page.get_data(as_text=True))
    data.update(changes)
    for key in [k for k, v in changes.items() if v is None]:
        data.pop(key)
    if files:
        data.update(files)
    return client.post(url, data=data, content_type="multipart/form-data")


def base(app):
    return f"/j/orange-county/plans/{plan_id(app)}"


# ----------------------------------------------------------------- sections


def test_assumptions_save_changes_the_projection_and_history(app, editor):
    url = base(app) + "/edit/assumptions"
    before = stored(app, plan_id(app))[2]
    response = post_form(editor, url, {"salary_escalation": "0.04"})
    assert response.status_code == 302
    after = stored(app, plan_id(app))[2]
    assert str(after.assumptions.salary_escalation) == "0.04"
    assert project(after).total > project(before).total
    with app.app_context():
        change = db.session.scalars(
            select(PlanChange).where(PlanChange.path == "assumptions.salary_escalation")
        ).one()
        assert (change.old_value, change.new_value, change.user_email) == ("0.03", "0.04", EDITOR)
        assert change.action == "edited assumptions"


@pytest.mark.parametrize(
    ("section", "field", "value", "message"),
    [
        ("assumptions", "salary_escalation", "2", "must be between −0.5 and 1"),
        ("assumptions", "fte_increment", "0", "must be greater than 0 (it is a divisor)"),
        ("assumptions", "fringe_rate", "lots", "must be a number (got 'lots')"),
        ("fund", "opening_balance", "-5", "must be ≥ 0"),
        ("fund", "moa_executed_on", "3 Aug 2021", "must be a date written YYYY-MM-DD"),
        ("participants", "average_months_enrolled", "12.5", "must be a whole number"),
        ("participants", "ramp", "0.5, x", "must be a number (got 'x')"),
        ("participants", "enrollment_community", "1.5", "must be between 0 and 1"),
        ("settings", "start_fy", "FY2027", "'FY2027' is ambiguous: write FY2026-27 or FY2027-28"),
        ("settings", "years", "41", "must be between 1 and 40"),
    ],
)
def test_invalid_input_is_kept_and_shown_beside_its_field(
    app, editor, section, field, value, message
):
    document, version, _ = stored(app, plan_id(app))
    response = post_form(editor, base(app) + f"/edit/{section}", {field: value})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    # the error sits in the field's own block, after its input, with the input kept
    block = html[html.index(f'id="{field}"') :]
    block = block[: block.index('<div class="field')] if '<div class="field' in block else block
    assert message in text_of(block)
    assert f'value="{value}"' in block
    assert stored(app, plan_id(app))[:2] == (document, version)  # nothing saved


def text_of(html: str) -> str:
    from html import unescape

    return unescape(html)


def test_program_settings_save_checkboxes_and_text(app, editor):
    response = post_form(
        editor,
        base(app) + "/edit/program",
        {
            "tracks_ineligible": "y",
            "narrow_disqualifiers": "y",
            "outreach_plan": "Listening sessions <b>with</b> Black churches",
            "presented_on": "2026-03-16",
        },
    )
    assert response.status_code == 302
    plan = stored(app, plan_id(app))[2]
    assert plan.program.tracks_ineligible is True
    assert plan.program.narrow_disqualifiers is True
    assert plan.program.equity_outreach_plan == "Listening sessions <b>with</b> Black churches"
    page = editor.get(base(app))
    assert "LEAD-RACIAL-EQUITY" in page.get_data(as_text=True)
    # user text is escaped wherever it is shown
    assert "<b>with</b>" not in editor.get(base(app) + "/edit/program").get_data(as_text=True)


def test_unticking_a_checkbox_saves_false(app, editor):
    data = form_values(editor.get(base(app) + "/edit/program").get_data(as_text=True))
    assert data.get("tracks_all_offers") == "y"
    data.pop("tracks_all_offers")
    assert editor.post(base(app) + "/edit/program", data=data).status_code == 302
    assert stored(app, plan_id(app))[2].program.tracks_all_offers is False


def test_a_blank_number_takes_the_aged_default(app, editor):
    response = post_form(editor, base(app) + "/edit/assumptions", {"health_per_fte": ""})
    assert response.status_code == 302
    # 6,000 (FY2025-26) aged one year at 5% to FY2026-27 = 6,300.00
    assert str(stored(app, plan_id(app))[2].assumptions.health_per_fte) == "6300.00"


def test_a_post_without_csrf_token_is_refused(app, editor):
    data = form_values(editor.get(base(app) + "/edit/assumptions").get_data(as_text=True))
    data.pop("csrf_token")
    data["salary_escalation"] = "0.09"
    response = editor.post(base(app) + "/edit/assumptions", data=data)
    assert response.status_code == 400
    assert "security token" in text(response)
    assert str(stored(app, plan_id(app))[2].assumptions.salary_escalation) == "0.03"


# ----------------------------------------------------------------- receipts


def test_typed_receipts(app, editor):
    response = post_form(editor, base(app) + "/edit/receipts", {"fy_2026": "900000", "fy_2027": ""})
    assert response.status_code == 302
    receipts = dict(stored(app, plan_id(app))[2].fund.receipts)
    assert receipts[2026] == 900000
    assert 2027 not in receipts


def test_receipts_csv_reports_bad_rows_by_line_and_saves_nothing(app, editor):
    csv_text = "fiscal_year,amount\nFY2026-27,820000\nFY2027,5\n2028,-4\n2029\n2026-27,1\n"
    before = stored(app, plan_id(app))[:2]
    response = editor.post(
        base(app) + "/edit/receipts/csv",
        data={"csrf_token": token(editor, base(app) + "/edit/receipts"), "csv_text": csv_text},
    )
    assert response.status_code == 422
    page = text(response)
    assert "line 3: fiscal_year 'FY2027' is ambiguous: write FY2026-27 or FY2027-28" in page
    assert "line 4: amount must be ≥ 0" in page
    assert "line 5: expected 2 columns (fiscal_year,amount), found 1" in page
    assert "line 6: FY2026-27 is already on line 2" in page
    assert stored(app, plan_id(app))[:2] == before


def test_receipts_csv_preview_then_save(app, editor):
    csv_text = 'fiscal_year,amount\nFY2026-27,"$820,000"\n2027-28,790000.50\n2045,100\n'
    url = base(app) + "/edit/receipts/csv"
    preview = editor.post(
        url,
        data={
            "csrf_token": token(editor, base(app) + "/edit/receipts"),
            "file": (io.BytesIO(csv_text.encode()), "schedule.csv"),
        },
        content_type="multipart/form-data",
    )
    assert preview.status_code == 200
    page = text(preview)
    assert "3 rows read" in page
    assert "outside the plan: kept, not projected" in page
    assert stored(app, plan_id(app))[2].fund.receipts_by_fy()[2026] == 1019496  # not yet
    data = form_values(preview.get_data(as_text=True))
    assert data["confirm"] == "1"
    saved = editor.post(url, data=data)
    assert saved.status_code == 302
    plan = stored(app, plan_id(app))[2]
    receipts = plan.fund.receipts_by_fy()
    assert receipts[2026] == 820000
    assert str(receipts[2027]) == "790000.50"
    assert receipts[2045] == 100
    assert receipts[2028] == 985000  # FYs not in the CSV are kept
    assert project(plan).fund.receipts[1] == 790001  # whole dollars, half up


# ----------------------------------------------------------------- authorizations


def test_authorizations_add_validate_delete(app, editor):
    url = base(app) + "/edit/authorizations"
    bad = post_form(
        editor,
        url,
        {"strategy": "A:10", "amount": "500000", "start": "2027-07-01", "end": "2027-06-30"},
    )
    assert bad.status_code == 422
    assert "must not be before start" in text(bad)
    good = post_form(
        editor,
        url,
        {
            "strategy": "A:10",
            "amount": "560000",
            "start": "2027-07-01",
            "end": "2028-06-30",
            "adopted_on": "2027-06-01",
        },
    )
    assert good.status_code == 302
    plan = stored(app, plan_id(app))[2]
    assert len(plan.program.authorizations) == 3
    assert plan.program.authorizations[-1].amount == 560000
    listing = editor.get(url)
    assert "July 1, 2027 to June 30, 2028" in text(listing)
    delete_url = url.replace("edit/authorizations", "authorizations/2/delete")
    # a button from a page older than the plan (no or an old version) changes nothing
    stale = editor.post(delete_url, data={"csrf_token": token(editor, url)})
    assert stale.status_code == 302
    assert len(stored(app, plan_id(app))[2].program.authorizations) == 3
    assert "Someone else changed this plan" in text(editor.get(url))
    # the page's own delete button carries the version it shows
    data = form_values(listing.get_data(as_text=True))
    delete = editor.post(
        delete_url, data={"csrf_token": data["csrf_token"], "version": data["version"]}
    )
    assert delete.status_code == 302
    assert len(stored(app, plan_id(app))[2].program.authorizations) == 2


# ----------------------------------------------------------------- line items


def test_add_a_position_line(app, editor):
    url = base(app) + "/add-line/create?kind=position&role=peer_specialist"
    response = post_form(
        editor,
        url,
        {
            "label": "Peer support specialist",
            "fte": "1",
            "strategy": "A:10",
            "salary": "",
            "justification": "Lived experience on the team.",
        },
    )
    assert response.status_code == 302, text(response)
    plan = stored(app, plan_id(app))[2]
    line = plan.line("peer-support-specialist")
    assert line.params.role == "peer_specialist"
    # 50,930 (FY2023-24) × 1.03³ = 50,930 × 1.092727 = 55,652.59
    assert str(line.params.salary) == "55652.59"
    assert project(plan).line("peer-support-specialist").by_year[0] > 0


def test_new_line_with_bad_values_keeps_them(app, editor):
    url = base(app) + "/add-line/create?kind=officer_training"
    response = post_form(editor, url, {"label": "Deputies", "officers": "12.5", "class_size": "0"})
    assert response.status_code == 422
    page = text(response)
    assert "must be a whole number" in page
    assert "must be greater than 0 (it is a divisor)" in page
    assert 'value="12.5"' in response.get_data(as_text=True)


def test_cross_field_problem_lands_on_its_field(app, editor):
    url = base(app) + "/lines/case-managers"
    response = post_form(editor, url, {"min_fte": "2", "max_fte": "1"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    block = html[html.index('id="max_fte"') :]
    assert "must not be below min_fte (2)" in block[: block.index('<div class="field')]


def test_lowering_the_caseload_limit_adds_case_managers(app, editor):
    pid = plan_id(app)
    before = project(stored(app, pid)[2]).line("case-managers").fte
    response = post_form(editor, base(app) + "/lines/case-managers", {"caseload_average": "15"})
    assert response.status_code == 302
    after = project(stored(app, pid)[2]).line("case-managers").fte
    # steady state 69 active: 69 ÷ 20 = 3.45 -> 3.5 FTE; 69 ÷ 15 = 4.6 -> 5.0 FTE
    assert (before[-1], after[-1]) == (3.5, 5)


def test_changing_the_mode_of_warm_handoff_reshapes_the_line(app, editor):
    url = base(app) + "/lines/warm-handoff"
    version = stored(app, plan_id(app))[1]
    # Saved from a form showing the staffed fields: the contract's fields are shown first,
    # the input kept, nothing saved (the contract's rate would otherwise be a silent default).
    response = post_form(editor, url, {"mode": "contract", "stipend_per_hour": "3"})
    assert response.status_code == 200
    assert stored(app, plan_id(app))[1] == version
    data = form_values(response.get_data(as_text=True))
    assert (data["mode"], data["shown"]) == ("contract", "contract")
    # the rate is asked for explicitly
    missing = editor.post(url, data=data)
    assert missing.status_code == 422
    assert stored(app, plan_id(app))[1] == version
    data["rate_per_hour"] = "35"
    saved = editor.post(url, data=data)
    assert saved.status_code == 302
    line = stored(app, plan_id(app))[2].line("warm-handoff")
    assert line.mode == "contract"
    assert not hasattr(line.params, "stipend_per_hour")
    assert str(line.params.rate_per_hour) == "35"


def test_delete_and_move_lines(app, editor):
    pid = plan_id(app)
    page_url = base(app)
    order = [line.id for line in stored(app, pid)[2].line_items]
    _, version, _ = stored(app, pid)
    moved = editor.post(
        page_url + "/lines/data-analyst/move/up",
        data={"csrf_token": token(editor, page_url), "version": version},
    )
    assert moved.status_code == 302
    new_order = [line.id for line in stored(app, pid)[2].line_items]
    assert new_order[:2] == [order[1], order[0]]
    _, version, _ = stored(app, pid)
    deleted = editor.post(
        page_url + "/lines/food/delete",
        data={"csrf_token": token(editor, page_url), "version": version},
    )
    assert deleted.status_code == 302
    assert "food" not in [line.id for line in stored(app, pid)[2].line_items]


# ----------------------------------------------------------------- stale saves


def test_a_stale_save_is_refused_with_the_newer_values_and_the_input_kept(app, client):
    from tests.web import VIEWER  # noqa: F401 - two editors: use one client twice

    sign_in(client, EDITOR)
    url = base(app) + "/edit/assumptions"
    first = form_values(client.get(url).get_data(as_text=True))
    second = dict(first)
    first["inflation"] = "0.03"
    assert client.post(url, data=first).status_code == 302
    second["inflation"] = "0.035"
    response = client.post(url, data=second)
    assert response.status_code == 409
    page = text(response)
    assert "Someone else saved this plan while you were editing" in page
    assert "Saved meanwhile by someone else: 0.03" in page
    assert 'value="0.035"' in response.get_data(as_text=True)
    assert str(stored(app, plan_id(app))[2].assumptions.inflation) == "0.03"
    # saving again from the refreshed form (it carries the new version) works
    retry = form_values(response.get_data(as_text=True))
    assert client.post(url, data=retry).status_code == 302
    assert str(stored(app, plan_id(app))[2].assumptions.inflation) == "0.035"


# ----------------------------------------------------------------- whole plans


def test_export_and_import_round_trip(app, editor):
    pid = plan_id(app)
    exported = editor.get(base(app) + "/export.json")
    assert exported.status_code == 200
    assert exported.headers["Content-Disposition"].startswith(
        'attachment; filename="orange-county_baseline-lead-plan_'
    )
    original = projection_to_dict(project(stored(app, pid)[2]))
    response = editor.post(
        "/j/orange-county/plans/import",
        data={
            "csrf_token": token(editor, "/j/orange-county/"),
            "name": "Imported copy",
            "file": (io.BytesIO(exported.data), "plan.json"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    imported = plan_id(app, "Imported copy")
    assert projection_to_dict(project(stored(app, imported)[2])) == original
    again = editor.get(f"/j/orange-county/plans/{imported}/export.json")
    assert json.loads(again.data)["line_items"] == json.loads(exported.data)["line_items"]


def test_import_of_a_bad_file_lists_every_problem_and_creates_nothing(app, editor):
    bad = {
        "schema": "lead-plan/1",
        "start_fy": "FY2027",
        "line_items": [{"id": "x", "kind": "position", "role": "program_manager", "fte": "-1"}],
    }
    response = editor.post(
        "/j/orange-county/plans/import",
        data={
            "csrf_token": token(editor, "/j/orange-county/"),
            "file": (io.BytesIO(json.dumps(bad).encode()), "bad.json"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    page = text(response)
    assert "start_fy: 'FY2027' is ambiguous" in page
    assert "line_items[0].fte: must be ≥ 0" in page
    with app.app_context():
        assert db.session.scalar(select(db.func.count(PlanRecord.id))) == 3


def test_create_clone_rename_delete(app, editor):
    created = editor.post(
        "/j/orange-county/plans/new",
        data={
            "csrf_token": token(editor, "/j/orange-county/"),
            "name": "Blank start",
            "template": "blank",
        },
    )
    assert created.status_code == 302
    blank = plan_id(app, "Blank start")
    page = editor.get(f"/j/orange-county/plans/{blank}")
    assert "No line items yet" in text(page)
    cloned = editor.post(
        base(app) + "/clone",
        data={"csrf_token": token(editor, base(app)), "name": "Option with a van"},
    )
    assert cloned.status_code == 302
    copy = plan_id(app, "Option with a van")
    assert stored(app, copy)[2].line_items == stored(app, plan_id(app))[2].line_items
    renamed = post_form(editor, f"/j/orange-county/plans/{copy}/rename", {"name": "Van option"})
    assert renamed.status_code == 302
    assert stored(app, copy)[2].name == "Van option"
    confirm = editor.get(f"/j/orange-county/plans/{copy}/delete")
    assert "Delete 'Van option'?" in text(confirm)
    delete_url = f"/j/orange-county/plans/{copy}/delete"
    deleted = editor.post(delete_url, data=form_values(confirm.get_data(as_text=True)))
    assert deleted.status_code == 302
    # gone from the pages, kept for the record (tests/test_sessions.py)
    assert editor.get(f"/j/orange-county/plans/{copy}").status_code == 404
    with app.app_context():
        assert db.session.get(PlanRecord, copy).deleted_at is not None
