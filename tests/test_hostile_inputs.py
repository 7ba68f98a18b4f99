"""Hostile values in forms an editor can post by hand (review L3, L2): the actuals upload's
hidden `entries_json` read like a plan file (400, never a 500), the adoption date inside
the §15 range."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from planner.extensions import db
from planner.models import PlanRecord
from planner.services.plans import StatusError, set_status
from tests.test_trust import adopt, changes
from tests.test_web_actuals import ACTUALS, later, plan_id, upload  # noqa: F401 - fixture
from tests.web import ADMIN, EDITOR, form_values, sign_in, token

# Every test here goes through the app: `make test-fast` does not even import this module.
pytestmark = pytest.mark.web

ENTRY = {"receipts": "1019496", "interest": "31250", "spending": {"A:10": "402113"}}


FORGED = [
    "[" * 100_000 + "]" * 100_000,  # RecursionError in json.loads
    json.dumps({"99999999": dict(ENTRY, reported_on="2027-01-01")}),
    json.dumps({"-5": dict(ENTRY, reported_on="2027-01-01")}),
    json.dumps({"9999": dict(ENTRY, reported_on="2027-01-01")}),
    '{"2026": {"a": ' + "[" * 24 + "1" + "]" * 24 + "}}",  # nested 26 deep
    json.dumps({"2026": ENTRY, "FY2026-27": ENTRY}),  # one FY twice
    json.dumps({str(2000 + n): ENTRY for n in range(41)}),  # more FYs than a plan has
    json.dumps(["2026"]),
    json.dumps({"2026": "receipts"}),
    json.dumps({"twenty": ENTRY}),
]


def test_a_forged_entries_json_is_refused_not_a_500(app, client):
    sign_in(client, EDITOR)
    pid = plan_id(app)
    for entries_json in FORGED:
        response = upload(client, "", plan=pid, entries_json=entries_json)
        assert response.status_code == 400, entries_json[:60]


def test_the_entries_json_the_import_page_writes_is_previewed(app, client):
    sign_in(client, EDITOR)
    entries = json.dumps({"2026": dict(ENTRY, reported_on="2027-09-01")})
    response = upload(client, "", plan=plan_id(app), entries_json=entries)
    assert response.status_code == 200
    assert "402113" in response.get_data(as_text=True)  # the entry, as the preview shows it


# ----------------------------------------------------------------------------- adoption


def status_of(app, pid):
    with app.app_context():
        record = db.session.get(PlanRecord, pid)
        return record.status, record.adopted_on, record.version


def test_an_adoption_date_outside_1900_2100_or_in_the_future_is_refused(app, client):
    sign_in(client, EDITOR)
    pid = plan_id(app)
    today = dt.date.today()  # noqa: DTZ011 - the form's clock
    future = (today + dt.timedelta(days=30)).isoformat()
    for day in ("0001-01-01", "9999-12-31", "1899-12-31", future):
        assert adopt(client, app, pid, day).status_code == 302  # back to the page, flashed
        assert status_of(app, pid)[:2] == ("draft", None), day
    assert adopt(client, app, pid, "2026-06-02").status_code == 302
    assert status_of(app, pid)[:2] == ("adopted", dt.date(2026, 6, 2))


def test_the_service_refuses_an_adoption_date_outside_the_limits(app):
    with app.app_context():
        record = db.session.get(PlanRecord, plan_id(app))
        with pytest.raises(StatusError):
            set_status(db.session, record, None, "adopt", dt.date(1, 1, 1), expected_version=None)
        db.session.rollback()


def test_an_administrator_withdraws_a_mistaken_adoption_and_it_stays_in_the_history(app, client):
    pid = plan_id(app)
    with app.app_context():  # an adoption recorded with the wrong date (before this fix)
        record = db.session.get(PlanRecord, pid)
        set_status(db.session, record, None, "adopt", dt.date(2026, 6, 2), expected_version=None)
        db.session.commit()
    url = f"/admin/adopted-plans/{pid}/withdraw"
    editor = app.test_client()
    sign_in(editor, EDITOR)
    assert editor.get(url).status_code == 404  # administrators only
    csrf = token(editor, "/account/password")
    assert editor.post(url, data={"csrf_token": csrf, "reason": "x"}).status_code == 404
    sign_in(client, ADMIN)
    assert "Withdraw the adoption" in client.get(f"/j/orange-county/plans/{pid}").get_data(
        as_text=True
    )
    values = form_values(client.get(url).get_data(as_text=True))
    assert client.post(url, data=dict(values, reason="")).status_code == 422
    assert status_of(app, pid)[0] == "adopted"
    stale = client.post(url, data=dict(values, reason="typo", version="1"))
    assert stale.status_code == 409
    done = client.post(url, data=dict(values, reason="the Board voted on 2026-06-03"))
    assert done.status_code == 302
    assert status_of(app, pid)[:2] == ("proposed", None)
    withdrawn = [c for c in changes(app, pid) if c[0] == "adoption withdrawn"]
    assert withdrawn == [
        (
            "adoption withdrawn",
            "status",
            "adopted on 2026-06-02",
            "proposed (adoption withdrawn: the Board voted on 2026-06-03)",
            ADMIN,
        )
    ]
    # the editor records the adoption again, with the right date
    assert adopt(editor, app, pid, "2026-06-03").status_code == 302
    assert status_of(app, pid)[:2] == ("adopted", dt.date(2026, 6, 3))
    assert client.post(url, data=dict(values, reason="again")).status_code == 409  # stale form
