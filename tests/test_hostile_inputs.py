"""Hostile values in forms an editor can post by hand (review L3, L2): the actuals upload's
hidden `entries_json` read like a plan file (400, never a 500), the adoption date inside
the §15 range."""

from __future__ import annotations

import json

from tests.test_web_actuals import ACTUALS, later, plan_id, upload  # noqa: F401 - fixture
from tests.web import EDITOR, sign_in

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
