"""The web editor keeps a line's `funded_by` (cost model §16) when the line is edited: the
line forms do not show it (yet), and saving a form must not drop it."""

from __future__ import annotations

import json

import pytest

from planner.extensions import db
from planner.models import PlanRecord
from tests.test_web_line_editor import base, plan_id, saved
from tests.web import EDITOR, form_values, sign_in

# Every test here goes through the app: `make test-fast` does not even import this module.
pytestmark = pytest.mark.web


@pytest.fixture
def editor(client):
    sign_in(client, EDITOR)
    return client


def test_editing_a_line_keeps_who_pays_it(app, editor):
    pid = plan_id(app)
    with app.app_context():
        record = db.session.get(PlanRecord, pid)
        doc = json.loads(record.document)
        doc["funding"] = {"sources": [{"id": "gf", "name": "General fund", "kind": "general_fund"}]}
        line_id = doc["line_items"][0]["id"]
        doc["line_items"][0]["funded_by"] = [{"source": "gf", "share": "0.5"}]
        record.document = json.dumps(doc)
        db.session.commit()
    url = base(app) + f"/lines/{line_id}"
    data = form_values(editor.get(url).get_data(as_text=True))
    data["label"] = "Renamed by the editor"
    response = editor.post(url, data=data)
    assert response.status_code == 302
    stored = json.loads(saved(app, pid)[0])
    [line] = [item for item in stored["line_items"] if item["id"] == line_id]
    assert line["label"] == "Renamed by the editor"
    assert line["funded_by"] == [{"source": "gf", "share": "0.5"}]
    assert stored["funding"]["sources"][0]["id"] == "gf"
