"""Public pages of adopted plans and the open exchange format (issue 24): an editor
publishes, anyone reads and downloads, the editor withdraws; every JSON document served
validates against its published schema, and the published plan file projects, through
`planner project`, to the published figures to the dollar."""

from __future__ import annotations

import datetime as dt
import json
import re

import jsonschema
import pytest
from sqlalchemy import select

from planner.cli import main as cli
from planner.extensions import db
from planner.models import PlanRecord, Publication
from planner.services.plans import set_status, withdraw_adoption
from tests.web import ADMIN, EDITOR, OTHER, VIEWER, sign_in, token

# Every test here goes through the app: `make test-fast` does not even import this module.
pytestmark = pytest.mark.web

PLAN = "Baseline LEAD plan"
DOCUMENTS = {
    "plan": "lead-plan/1",
    "projection": "lead-projection/1",
    "compliance": "lead-compliance/1",
    "annual-reports": "lead-annual-report/1",
}


def _plan(app, name: str = PLAN) -> PlanRecord:
    return db.session.scalar(select(PlanRecord).where(PlanRecord.name == name))


def adopt_with_a_filed_report(app) -> tuple[int, int]:
    """Orange County's FY2026-27 closed and its Exhibit E filed; the plan adopted. Returns
    the plan's id and its adopted version."""
    from planner.services.actuals import save_fy
    from planner.services.demo import jurisdiction

    with app.app_context():
        save_fy(
            db.session,
            jurisdiction(db.session, "orange-county"),
            None,
            2026,
            {
                "receipts": "1019496",
                "interest": "31250",
                "audit_costs": "2500",
                "spending": {"A:10": "402113"},
                "reported_on": "2027-09-20",
            },
            expected_version=0,
            as_of=dt.date(2027, 10, 1),
            action="entered",
        )
        record = _plan(app)
        set_status(db.session, record, None, "adopt", dt.date(2026, 6, 2), expected_version=None)
        db.session.commit()
        return record.id, record.version


def publish(client, plan_id: int):
    page = f"/j/orange-county/plans/{plan_id}"
    return client.post(f"{page}/publish", data={"csrf_token": token(client, page)})


def schema_validator(client, name: str) -> jsonschema.Draft202012Validator:
    response = client.get(f"/schemas/{name}.json")
    assert response.status_code == 200, name
    schema = response.get_json(force=True)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def valid(client, name: str, document) -> None:
    errors = [
        (list(e.absolute_path), e.message)
        for e in schema_validator(client, name).iter_errors(document)
    ]
    assert errors == [], (name, errors[:5])


@pytest.mark.slow
def test_publish_read_download_and_withdraw(app, client, tmp_path):
    plan_id, version = adopt_with_a_filed_report(app)
    sign_in(client, EDITOR)
    response = publish(client, plan_id)
    assert response.status_code == 302
    shown = client.get(f"/j/orange-county/plans/{plan_id}").get_data(as_text=True)
    base = f"/public/orange-county/plans/{plan_id}/v{version}/"
    assert f'href="{base}"' in shown

    anonymous = app.test_client()
    page = anonymous.get(base)
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "public, no-cache"
    assert "Set-Cookie" not in page.headers
    html = page.get_data(as_text=True)
    for person in (EDITOR, ADMIN, VIEWER, OTHER, "@"):
        assert person not in html  # no one's name or email
    for section in ("summary", "budget-table", "fund-table", "authorizations", "compliance"):
        assert f'id="{section}"' in html
    assert "FY2026-27" in html
    assert "filed" in html
    assert anonymous.get(base, headers={"If-None-Match": page.headers["ETag"]}).status_code == 304
    chart = anonymous.get(base + "fund.svg")
    assert chart.status_code == 200
    assert chart.mimetype == "image/svg+xml"

    documents = {}
    for kind, schema in DOCUMENTS.items():
        response = anonymous.get(f"{base}{kind}.json")
        assert response.status_code == 200, kind
        documents[kind] = json.loads(response.get_data(as_text=True))
        assert documents[kind]["schema"] == schema
        valid(anonymous, schema, documents[kind])
        assert "@" not in response.get_data(as_text=True)
    reports = documents["annual-reports"]["reports"]
    assert [r["label"] for r in reports] == ["FY2026-27"]
    assert reports[0]["reported_on"] == "2027-09-20"

    # The published plan file through `planner project`: the published figures, to the dollar.
    plan_file = tmp_path / "plan.json"
    plan_file.write_text(json.dumps(documents["plan"]), encoding="utf-8")
    result = app.test_cli_runner().invoke(cli, ["project", str(plan_file), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == documents["projection"]
    assert str(documents["projection"]["totals"]["total"]) in re.sub(r"[$,]", "", html)

    pdf = anonymous.get(base + "report.pdf")
    assert pdf.status_code == 200
    assert pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")

    index = anonymous.get("/public/index.json")
    document = index.get_json()
    valid(anonymous, "lead-public-index/1", document)
    [entry] = document["plans"]
    assert entry["page"].endswith(base)
    assert entry["summary"]["total"] == documents["projection"]["totals"]["total"]
    assert PLAN in anonymous.get("/public").get_data(as_text=True)

    # The editor withdraws: the page and every file are gone, and the index is empty.
    withdrawn = client.post(
        f"/j/orange-county/plans/{plan_id}/unpublish",
        data={"csrf_token": token(client, f"/j/orange-county/plans/{plan_id}")},
    )
    assert withdrawn.status_code == 302
    for suffix in ("", "fund.svg", "report.pdf", *(f"{k}.json" for k in DOCUMENTS)):
        assert anonymous.get(base + suffix).status_code == 404, suffix
    assert anonymous.get("/public/index.json").get_json()["plans"] == []
    with app.app_context():
        actions = [c.action for c in _plan(app).changes]
    assert actions[-2:] == ["published", "publication withdrawn"]


def test_a_draft_cannot_be_published_and_a_withdrawn_adoption_takes_the_page_down(app, client):
    sign_in(client, EDITOR)
    with app.app_context():
        draft_id = _plan(app).id
    refused = client.get(publish(client, draft_id).headers["Location"])  # a draft: refused
    assert 'class="flash error"' in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Publication.id)) is None
    plan_id, version = adopt_with_a_filed_report(app)
    assert publish(client, plan_id).status_code == 302
    anonymous = app.test_client()
    base = f"/public/orange-county/plans/{plan_id}/v{version}/"
    assert anonymous.get(base).status_code == 200
    assert anonymous.get(base.replace("orange-county", "durham-county")).status_code == 404
    assert anonymous.get(base.replace(f"v{version}", f"v{version + 1}")).status_code == 404
    with app.app_context():
        withdraw_adoption(
            db.session, _plan(app), None, "recorded by mistake", expected_version=None
        )
        db.session.commit()
    assert anonymous.get(base).status_code == 404
    assert anonymous.get("/public/index.json").get_json()["plans"] == []


def test_downloads_are_rate_limited_per_address(app, client):
    plan_id, version = adopt_with_a_filed_report(app)
    sign_in(client, EDITOR)
    publish(client, plan_id)
    app.config["PUBLIC_DOWNLOAD_RATE_LIMIT"] = "3 per minute"
    anonymous = app.test_client()
    url = f"/public/orange-county/plans/{plan_id}/v{version}/plan.json"
    codes = [anonymous.get(url).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    # the page itself is not a download: cached, never limited
    page = f"/public/orange-county/plans/{plan_id}/v{version}/"
    assert {anonymous.get(page).status_code for _ in range(5)} == {200}


def test_schemas_are_served_and_unknown_ones_are_not(client):
    for name in (*DOCUMENTS.values(), "lead-public-index/1"):
        schema_validator(client, name)
    assert client.get("/schemas/lead-fit/1.json").status_code == 404
    assert client.get("/schemas/lead-plan/2.json").status_code == 404
    assert client.get("/schemas/..%2Fsetup/1.json").status_code == 404
