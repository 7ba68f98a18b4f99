"""Every button that changes a plan carries the version the user saw: a status change,
delete, rename or receipts import on a page someone has changed since changes nothing (409)
and says what changed. Editor A and editor B are two sessions; form posts carry their CSRF
tokens, on both database engines."""

from __future__ import annotations

import datetime as dt

import pytest

from planner.extensions import db
from planner.models import PlanRecord
from planner.services.plans import StaleVersion, load_plan, set_status
from tests.test_trust import changes, plan_id, post_status
from tests.web import EDITOR, form_values, sign_in, text

# Every test here goes through the app: `make test-fast` does not even import this module.
pytestmark = pytest.mark.web


@pytest.fixture
def editors(app):
    a, b = app.test_client(), app.test_client()
    sign_in(a, EDITOR)
    sign_in(b, EDITOR)
    return a, b


def stored(app, pid) -> PlanRecord:
    with app.app_context():
        record = db.session.get(PlanRecord, pid)
        db.session.expunge(record)
        return record


def receipts_of(app, pid) -> dict:
    with app.app_context():
        return dict(load_plan(db.session.get(PlanRecord, pid)).fund.receipts)


def raise_salary(client, base: str, salary: str = "999999") -> None:
    """Editor B raises the program manager's salary through the line's form."""
    url = base + "/lines/program-manager"
    data = form_values(client.get(url).get_data(as_text=True))
    data["salary"] = salary
    assert client.post(url, data=data).status_code == 302


def page_values(client, base: str) -> dict[str, str]:
    return form_values(client.get(base).get_data(as_text=True))


@pytest.mark.parametrize(
    ("action", "fields", "status"),
    [
        ("adopt", {"adopted_on": "2026-06-02"}, "adopted"),
        ("propose", {}, "proposed"),
    ],
)
def test_a_status_change_on_a_stale_page_is_refused(app, editors, action, fields, status):
    a, b = editors
    pid = plan_id(app)
    base = f"/j/orange-county/plans/{pid}"
    seen = page_values(a, base)  # A loads the plan page
    assert seen["version"] == str(stored(app, pid).version)
    raise_salary(b, base)  # B saves meanwhile
    response = a.post(
        base + "/status",
        data={
            "csrf_token": seen["csrf_token"],
            "version": seen["version"],
            "seen": seen["seen"],
            "action": action,
            **fields,
        },
    )
    assert response.status_code == 409
    record = stored(app, pid)
    assert (record.status, record.adopted_on) == ("draft", None)
    # A is told what B changed: the salary, old and new
    page = text(response)
    assert f"You saw version {seen['version']}" in page
    assert f"now at version {record.version}" in page
    assert "line_items[program-manager].salary" in page
    assert "999999" in page
    assert not [c for c in changes(app, pid) if c[0].startswith("status")]
    # from the page as it is now, the change goes through and records the version reviewed
    now = page_values(a, base)
    assert post_status(a, base, action, **fields).status_code == 302
    record = stored(app, pid)
    assert record.status == status
    assert (f"status: {status}", "version", None, now["version"], EDITOR) in changes(app, pid)


def test_an_adoption_without_a_version_is_refused(app, editors):
    a, _ = editors
    pid = plan_id(app)
    base = f"/j/orange-county/plans/{pid}"
    seen = page_values(a, base)
    response = a.post(
        base + "/status",
        data={"csrf_token": seen["csrf_token"], "action": "adopt", "adopted_on": "2026-06-02"},
    )
    assert response.status_code == 409
    assert stored(app, pid).status == "draft"


def test_the_adopted_version_is_in_the_history(app, editors):
    a, b = editors
    pid = plan_id(app)
    base = f"/j/orange-county/plans/{pid}"
    raise_salary(b, base, "90000")
    version = stored(app, pid).version
    assert post_status(a, base, "adopt", adopted_on="2026-06-02").status_code == 302
    record = stored(app, pid)
    assert (record.status, record.adopted_on) == ("adopted", dt.date(2026, 6, 2))
    found = changes(app, pid)
    assert found[-2:] == [
        ("status: adopted", "status", "draft", "adopted on 2026-06-02", EDITOR),
        ("status: adopted", "version", None, str(version), EDITOR),
    ]
    assert str(version) in text(a.get(base + "/history"))


def test_deleting_a_plan_changed_since_it_was_shown_is_refused(app, editors):
    a, b = editors
    pid = plan_id(app, "Orange alternative")
    base = f"/j/orange-county/plans/{pid}"
    page = a.get(base).get_data(as_text=True)
    link = next(
        part.split('"')[0] for part in page.split('href="') if part.startswith(f"{base}/delete")
    )
    confirm = a.get(link.replace("&amp;", "&"))
    assert confirm.status_code == 200
    form = form_values(confirm.get_data(as_text=True))
    assert form["version"] == str(stored(app, pid).version)
    raise_salary(b, base)
    response = a.post(base + "/delete", data=form)
    assert response.status_code == 409
    assert "999999" in text(response)
    assert stored(app, pid) is not None
    # the old plan page's link now warns and offers no delete button
    warned = a.get(link.replace("&amp;", "&"))
    assert "changed this plan since you opened it" in text(warned)
    assert "Delete the plan" not in text(warned)
    # without a version, refused too
    assert a.post(base + "/delete", data={"csrf_token": form["csrf_token"]}).status_code == 409
    # from the page as it is now, it goes
    fresh = a.get(f"{base}/delete?version={stored(app, pid).version}")
    assert (
        a.post(base + "/delete", data=form_values(fresh.get_data(as_text=True))).status_code == 302
    )
    with app.app_context():  # kept for the record, out of every list
        assert db.session.get(PlanRecord, pid).deleted_at is not None


def test_a_rename_without_its_version_is_refused(app, editors):
    a, _ = editors
    pid = plan_id(app)
    url = f"/j/orange-county/plans/{pid}/rename"
    data = form_values(a.get(url).get_data(as_text=True))
    data.pop("version")
    data["name"] = "Renamed"
    assert a.post(url, data=data).status_code == 409
    assert stored(app, pid).name == "Baseline LEAD plan"


def test_a_receipts_import_on_a_stale_preview_is_refused(app, editors):
    a, b = editors
    pid = plan_id(app)
    base = f"/j/orange-county/plans/{pid}"
    csrf = page_values(a, base + "/edit/receipts")["csrf_token"]
    preview = a.post(
        base + "/edit/receipts/csv",
        data={"csrf_token": csrf, "csv_text": "fiscal_year,amount\nFY2027-28,1234\n"},
    )
    assert preview.status_code == 200
    confirm = form_values(preview.get_data(as_text=True))
    assert confirm["confirm"] == "1"
    raise_salary(b, base)
    refused = a.post(base + "/edit/receipts/csv", data=confirm)
    assert refused.status_code == 409
    assert receipts_of(app, pid).get(2027) != 1234
    # the refreshed preview carries the new version: saving from it works
    retry = form_values(refused.get_data(as_text=True))
    assert retry["version"] == str(stored(app, pid).version)
    assert a.post(base + "/edit/receipts/csv", data=retry).status_code == 302
    assert receipts_of(app, pid)[2027] == 1234


def test_set_status_checks_the_version(app):
    with app.app_context():
        record = db.session.get(PlanRecord, plan_id(app))
        with pytest.raises(StaleVersion):
            set_status(db.session, record, None, "propose", expected_version=record.version - 1)
        assert record.status == "draft"
        set_status(db.session, record, None, "propose", expected_version=record.version)
        assert record.status == "proposed"
        db.session.rollback()
