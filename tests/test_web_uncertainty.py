"""The plan page's "Uncertainty" section (cost model §12), driven by form posts with CSRF."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from planner.extensions import db
from planner.models import PlanRecord
from planner.scenarios import project
from planner.services import jobs
from planner.services.analyses import simulation_key
from planner.services.plans import load_plan
from tests.web import EDITOR, form_values, sign_in, text

# Every test here goes through the app: `make test-fast` does not even import this module.
pytestmark = pytest.mark.web


def test_ranges_offered_saved_simulated_and_shown(app, client):
    sign_in(client, EDITOR)
    with app.app_context():
        record = db.session.scalar(
            select(PlanRecord).where(PlanRecord.name == "Baseline LEAD plan")
        )
        pid, version = record.id, record.version
        other = db.session.scalar(
            select(PlanRecord).where(PlanRecord.name == "Orange alternative")
        ).id
    base = f"/j/orange-county/plans/{pid}"
    page = client.get(base)
    assert page.status_code == 200
    assert 'id="uncertainty-h"' in page.get_data(as_text=True)

    # The offered ranges fill the form; nothing is saved by that.
    offered = client.get(base + "/uncertainty?offered=1")
    assert offered.status_code == 200
    values = form_values(offered.get_data(as_text=True))
    assert (values["referrals_low"], values["referrals_mode"]) == ("0.5", "1")
    assert values["salary_escalation_mode"] == "0.03"  # the plan's own rate
    with app.app_context():
        assert db.session.get(PlanRecord, pid).version == version

    # A bad range: refused beside its field, the input kept, nothing saved.
    values.update(
        {"draws": "300", "seed": "4", "receipts_high": "0.5", "inflation_low": "0.01"}
    )  # inflation given only in part
    refused = client.post(base + "/uncertainty", data=values)
    assert refused.status_code == 422
    kept = form_values(refused.get_data(as_text=True))
    assert kept["receipts_high"] == "0.5"
    assert kept["draws"] == "300"
    html = refused.get_data(as_text=True)
    assert html.count('class="error"') == 3  # receipts high; inflation mode and high
    with app.app_context():
        assert db.session.get(PlanRecord, pid).version == version

    # Without the CSRF token: refused.
    no_token = {k: v for k, v in values.items() if k != "csrf_token"}
    assert client.post(base + "/uncertainty", data=no_token).status_code == 400

    values.update({"receipts_high": "1.05", "inflation_low": ""})
    saved = client.post(base + "/uncertainty", data=values)
    assert saved.status_code == 302
    with app.app_context():
        record = db.session.get(PlanRecord, pid)
        plan = load_plan(record)
    assert plan.uncertainty.draws == 300
    assert set(plan.uncertainty.variables) == {
        "referrals",
        "enrollment_rate",
        "receipts",
        "salary_escalation",
    }

    history = client.get(base + "/history")
    assert history.status_code == 200
    assert "edited the uncertainty ranges" in text(history)

    shown = client.get(base)
    assert shown.status_code == 200
    words = text(shown)
    assert "the county's assumptions, not forecasts" in words
    assert 'id="uncertainty-table"' in shown.get_data(as_text=True)
    # The plan as written is the table's fourth column: its closing balances, exactly.
    closing = project(plan).fund.closing
    assert f"{closing[0]:,}" in words
    for kind in ("fund", "tornado"):
        svg = client.get(f"{base}/charts/uncertainty-{kind}.svg")
        assert svg.status_code == 200
        assert svg.mimetype == "image/svg+xml"
        assert svg.get_data(as_text=True).startswith("<svg")

    # The comparison shows the chance of a deficit of the plan with ranges.
    compared = client.get(f"/j/orange-county/compare?plans={pid}&plans={other}")
    assert compared.status_code == 200
    row = compared.get_data(as_text=True).split('id="deficit-chance"')[1].split("</tr>")[0]
    with app.app_context():
        stored = jobs.result(db.session, simulation_key(plan))  # simulated when saved
    assert f"{100 * stored.result.p_any_deficit:.0f}%" in row
    assert "no ranges set" in row
