"""The options page (issue 22): the ways to fit side by side, applying one to the plan or to
a copy, and restoring any earlier version from the history. Form posts with CSRF tokens."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from planner.cost_tables import default_cost_tables
from planner.extensions import db
from planner.models import PlanChange, PlanRecord
from planner.scenarios import load_plan_json, parse_plan
from tests.web import EDITOR, VIEWER, sign_in, text, token

# Every test here goes through the app: `make test-fast` does not even import this module.
pytestmark = pytest.mark.web

ORANGE = "orange-county"


def demo_id(client) -> int:
    page = client.get(f"/j/{ORANGE}/")
    return int(re.search(r"/j/orange-county/plans/(\d+)", page.get_data(as_text=True)).group(1))


def stored(app, plan_id: int) -> tuple[str, int, list[PlanChange]]:
    with app.app_context():
        record = db.session.get(PlanRecord, plan_id)
        changes = list(
            db.session.scalars(
                select(PlanChange).where(PlanChange.plan_id == plan_id).order_by(PlanChange.id)
            )
        )
        return record.document, record.version, changes


def post(client, url: str, page: str, **data):
    html = client.get(page).get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', html).group(1)
    return client.post(url, data={"csrf_token": token(client, page), "version": version, **data})


def test_options_apply_and_restore_round_trip(app, client):
    sign_in(client, EDITOR)
    pid = demo_id(client)
    base = f"/j/{ORANGE}/plans/{pid}"
    page = client.get(f"{base}/options?protect=program-manager")
    assert page.status_code == 200
    body = text(page)
    assert "Fewer referrals" in body
    assert "Trim the fixed lines" in body
    assert "The smallest fidelity program" in body
    assert 'data-kind="extra_money"' in page.get_data(as_text=True)
    before, version, _ = stored(app, pid)

    response = post(
        client,
        f"{base}/options/apply",
        f"{base}/options",
        kind="fewer_referrals",
        protect="",
        chance="0.1",
    )
    assert response.status_code == 302
    after, new_version, changes = stored(app, pid)
    assert new_version > version
    assert after != before
    applied = parse_plan(load_plan_json(after), default_cost_tables())
    assert applied.participants.referrals_per_year["arrest_diversion"] < 40
    # The history says it in numbers: referrals 40/30/20 → …; 794 → … participants.
    action = changes[-1].action
    assert action.startswith("applied the option 'Fewer referrals': referrals 40/30/20 → ")
    assert "794 → " in action

    # Restore the version before the apply: a new version equal to the old one.
    history = client.get(f"{base}/history").get_data(as_text=True)
    first = min(c.id for c in changes if c.action == action)
    assert f'/history/{first}/restore"' in history
    response = post(client, f"{base}/history/{first}/restore", f"{base}/history")
    assert response.status_code == 302
    restored, restored_version, changes = stored(app, pid)
    assert restored == before
    assert restored_version > new_version
    assert changes[-1].action.startswith("restored the version before 'applied the option")

    # The restore is itself undoable: restoring before it gives the applied plan again.
    undo = min(c.id for c in changes if c.action == changes[-1].action)
    post(client, f"{base}/history/{undo}/restore", f"{base}/history")
    assert stored(app, pid)[0] == after


def test_apply_to_a_copy_leaves_the_plan(app, client):
    sign_in(client, EDITOR)
    pid = demo_id(client)
    base = f"/j/{ORANGE}/plans/{pid}"
    before, version, _ = stored(app, pid)
    response = post(
        client,
        f"{base}/options/apply",
        f"{base}/options",
        kind="extra_money",
        copy_name="Demo with the extra money",
    )
    assert response.status_code == 302
    copy_id = int(re.search(r"/plans/(\d+)", response.headers["Location"]).group(1))
    assert copy_id != pid
    assert stored(app, pid)[:2] == (before, version)
    copied, _, changes = stored(app, copy_id)
    assert changes[0].action == f"cloned from plan {pid}"
    assert changes[-1].action.startswith("applied the option 'Find the money'")
    copy_plan = parse_plan(load_plan_json(copied), default_cost_tables())
    assert copy_plan.name == "Demo with the extra money"


def test_viewers_see_options_but_cannot_apply(app, client):
    sign_in(client, VIEWER)
    pid = demo_id(client)
    base = f"/j/{ORANGE}/plans/{pid}"
    page = client.get(f"{base}/options")
    assert page.status_code == 200
    assert "Apply to this plan" not in page.get_data(as_text=True)
    assert "Restore the version before" not in client.get(f"{base}/history").get_data(as_text=True)
    refused = client.post(
        f"{base}/options/apply",
        data={"csrf_token": token(client, f"{base}/options"), "kind": "extra_money"},
    )
    assert refused.status_code in (403, 404)


def test_apply_needs_csrf_and_a_known_option(app, client):
    sign_in(client, EDITOR)
    pid = demo_id(client)
    base = f"/j/{ORANGE}/plans/{pid}"
    before = stored(app, pid)[0]
    client.post(f"{base}/options/apply", data={"kind": "extra_money", "version": "1"})
    post(client, f"{base}/options/apply", f"{base}/options", kind="no_such_option")
    assert stored(app, pid)[0] == before
    # An unknown line to protect is said beside the page, not a 500.
    page = client.get(f"{base}/options?protect=nope")
    assert page.status_code == 200
    assert "no line 'nope'" in text(page)


def test_what_the_program_buys_takes_the_countys_jail_day_cost(app, client):
    sign_in(client, VIEWER)
    pid = demo_id(client)
    base = f"/j/{ORANGE}/plans/{pid}"
    page = text(client.get(base))
    assert "What the program buys" in page
    assert "Estimates, not promises" in page
    assert "$85.00 a bed-day" in page
    own = client.get(f"{base}?jail_day_cost=120")
    assert "$120.00 a bed-day" in text(own)
    bad = client.get(f"{base}?jail_day_cost=1e999999")
    assert bad.status_code == 200
    html = bad.get_data(as_text=True)
    assert 'id="jail_day_cost-error"' in html
    assert 'value="1e999999"' in html  # the input is kept beside its error
    assert "$85.00 a bed-day" in text(bad)
