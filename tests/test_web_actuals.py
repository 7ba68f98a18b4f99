"""A jurisdiction's actuals in the web app (issue 13): the FY form (a wrong value beside its
field, the input kept; stale 409), the ledger CSV upload (preview, then confirm; each error
with nothing saved), who may see and change them, and the plan page's reforecast."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re

import openpyxl
import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

import planner.web.actuals
import planner.web.plans
from planner.extensions import db
from planner.models import ActualChange, FundActual, PlanRecord
from planner.services.plans import set_status, view_plan
from tests.web import EDITOR, OTHER, VIEWER, form_values, sign_in

# Every test here goes through the app: `make test-fast` does not even import this module.
pytestmark = pytest.mark.web

TODAY = dt.date(2028, 8, 1)  # FY2026-27 and FY2027-28 have ended
ACTUALS = "/j/orange-county/actuals/"
LEDGER = (
    "fiscal_year,item,strategy_or_pathway,amount\n"
    "FY2026-27,receipts,,1019496\nFY2026-27,interest,,31250\n"
    "FY2026-27,audit_costs,,2500\nFY2026-27,spending,A:10,402113\n"
    "FY2026-27,spending,A:7,44870\n"
)


@pytest.fixture(autouse=True)
def later(monkeypatch):
    """The app's clock after FY2027-28 ended."""
    monkeypatch.setattr(planner.web.actuals, "today", lambda: TODAY)
    monkeypatch.setattr(planner.web.plans, "today", lambda: TODAY)


def plan_id(app, name="Baseline LEAD plan") -> int:
    with app.app_context():
        return db.session.scalar(select(PlanRecord.id).where(PlanRecord.name == name))


def counts(app) -> tuple[int, int]:
    with app.app_context():
        return (
            db.session.scalar(select(func.count(FundActual.id))),
            db.session.scalar(select(func.count(ActualChange.id))),
        )


def codes(response) -> list[str]:
    return re.findall(r'data-code="([a-z_]+)"', response.get_data(as_text=True))


def upload(client, text, plan=None, **extra):
    page = client.get(ACTUALS + (f"?plan={plan}" if plan else ""))
    values = form_values(page.get_data(as_text=True))
    data = {
        "csrf_token": values["csrf_token"],
        "plan": values.get("plan", ""),
        "versions": values.get("versions", ""),
        "csv_text": text,
        **extra,
    }
    return client.post(ACTUALS + "upload", data=data)


def test_fy_form_keeps_the_input_shows_each_problem_and_refuses_a_stale_page(app, client):
    sign_in(client, EDITOR)
    url = ACTUALS + "FY2026-27"
    page = client.get(url)
    values = form_values(page.get_data(as_text=True))
    assert values["version"] == "0"
    values.update(
        receipts="1,019,496",
        interest="31250",
        spending_A_10="-5",
        other_code_1="Z:1",
        other_amount_1="10",
    )
    bad = client.post(url, data=values)
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert re.search(r'name="spending_A_10"[^>]*value="-5"', html)  # the input kept
    assert re.search(r'id="spending_A_10".*?class="error"', html, re.S)
    assert re.search(r'id="other_code_1".*?class="error"', html, re.S)
    assert counts(app) == (0, 0)
    values.update(spending_A_10="402113", other_code_1="", other_amount_1="")
    assert client.post(url, data=values).status_code == 302
    assert counts(app) == (1, 1)
    values.update(receipts="1019497")  # the page showed version 0: someone saved since
    stale = client.post(url, data=values)
    assert stale.status_code == 409
    assert 'id="stale"' in stale.get_data(as_text=True)
    assert counts(app) == (1, 1)


def test_upload_preview_then_confirm_and_errors_save_nothing(app, client):
    sign_in(client, EDITOR)
    baseline = plan_id(app)
    for text, expected in [
        (LEDGER.replace("FY2026-27", "FY2025-26"), {"outside_plan"}),
        (LEDGER.replace("FY2026-27", "FY2027-28"), {"gap"}),
        (LEDGER.replace("A:7", "A:77"), {"unknown_strategy"}),
        (LEDGER.replace("44870", "-44870"), {"negative"}),
    ]:
        response = upload(client, text, plan=baseline)
        assert response.status_code == 422
        assert set(codes(response)) == expected
        assert 'name="confirm"' not in response.get_data(as_text=True)
        again = upload(client, text, plan=baseline, confirm="1")  # a forged confirm
        assert again.status_code == 422
        assert counts(app) == (0, 0)
    shown = upload(client, LEDGER, plan=baseline)
    assert shown.status_code == 200
    assert 'data-status="new"' in shown.get_data(as_text=True)
    assert counts(app) == (0, 0)  # a preview saves nothing
    values = form_values(shown.get_data(as_text=True))
    saved = client.post(ACTUALS + "upload", data=values)
    assert saved.status_code == 302
    assert saved.headers["Location"].endswith(f"/plans/{baseline}#actuals")
    assert counts(app)[0] == 1
    stale = client.post(
        ACTUALS + "upload", data=dict(values, csv_text=LEDGER.replace("1019496", "1"))
    )  # versions of before the save
    assert stale.status_code == 409


def test_viewers_see_other_counties_do_not(app, client):
    sign_in(client, EDITOR)
    page = client.get(ACTUALS + "FY2026-27")
    values = form_values(page.get_data(as_text=True))
    values.update(receipts="100", interest="0")
    assert client.post(ACTUALS + "FY2026-27", data=values).status_code == 302
    viewer = app.test_client()
    sign_in(viewer, VIEWER)
    assert viewer.get(ACTUALS).status_code == 200
    assert viewer.get(ACTUALS + "FY2026-27").status_code == 200
    assert viewer.get(ACTUALS + "template.csv").status_code == 200
    token = form_values(viewer.get(ACTUALS).get_data(as_text=True))["csrf_token"]
    assert (
        viewer.post(ACTUALS + "FY2026-27", data=dict(values, csrf_token=token)).status_code == 403
    )
    assert (
        viewer.post(ACTUALS + "upload", data={"csrf_token": token, "csv_text": LEDGER}).status_code
        == 403
    )
    other = app.test_client()
    sign_in(other, OTHER)
    for url in (ACTUALS, ACTUALS + "FY2026-27", ACTUALS + "history"):
        assert other.get(url).status_code == 404
    assert other.post(ACTUALS + "upload", data={"csv_text": LEDGER}).status_code in (400, 404)
    assert counts(app) == (1, 1)


def test_plan_page_shows_the_reforecast_beside_the_adopted_plan(app, client):
    sign_in(client, EDITOR)
    baseline = plan_id(app)
    with app.app_context():  # adopted: actuals apply to it and leave it adopted
        record = db.session.get(PlanRecord, baseline)
        set_status(db.session, record, None, "adopt", dt.date(2026, 6, 1), expected_version=None)
        db.session.commit()
        document, version = record.document, record.version
    shown = upload(client, LEDGER, plan=baseline)
    assert (
        client.post(ACTUALS + "upload", data=form_values(shown.get_data(as_text=True))).status_code
        == 302
    )
    page = client.get(f"/j/orange-county/plans/{baseline}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    section = (
        html[html.index('id="actuals"') : html.index('id="afford"')]
        if 'id="afford"' in html
        else html[html.index('id="actuals"') :]
    )
    row = re.search(r'<tr class="(\w+)" data-strategy="A:7">(.*?)</tr>', section, re.S)
    assert row is not None
    # the direction follows the numbers on the row: the ledger's actual $44,870 on A:7
    # against the plan's figure; spending more than planned is "over"
    planned, actual = (
        int(re.sub(r"[^0-9]", "", cell))
        for cell in re.findall(r'<td class="num">(.*?)</td>', row.group(2))[:2]
    )
    assert actual == 44870
    expected = "over" if actual > planned else "under" if actual < planned else "on-plan"
    assert row.group(1) == expected
    assert ("over plan by" in row.group(2)) == (expected == "over")  # said in words
    assert ("under plan by" in row.group(2)) == (expected == "under")
    # money coming in (issue 23): more than planned is favourable, not red; less is not
    incoming = re.findall(
        r'<tr class="([\w-]+)" data-state="([\w-]+)"><th scope="row">'
        r"(?:Settlement funds received|Interest earned)",
        section,
    )
    assert len(incoming) == 2
    for shown, state in incoming:
        assert shown == {"over": "favourable", "under": "unfavourable"}.get(state, "on-plan")
    assert 'id="reforecast"' in section
    assert "As adopted" in section
    with app.app_context():
        record = db.session.get(PlanRecord, baseline)
        assert (record.status, record.document, record.version) == ("adopted", document, version)
        projection = view_plan(record, TODAY).projection
    assert projection.actuals.closed_fys == (2026,)
    assert projection.adopted_fund.closing != projection.fund.closing
    exhibit_f = client.get(f"/j/orange-county/plans/{baseline}/exhibit-f/FY2026-27")
    assert exhibit_f.status_code == 200
    assert 'data-strategy="A:10"' in exhibit_f.get_data(as_text=True)
    assert (
        client.get(f"/j/orange-county/plans/{baseline}/exhibit-f/FY2027-28").status_code == 404
    )  # not closed
    values = form_values(exhibit_f.get_data(as_text=True))  # the measures, kept with the FY
    measure = next(k for k in values if k.startswith("outcome__A_10__"))
    saved = client.post(
        "/j/orange-county/actuals/FY2026-27/outcomes", data=dict(values, **{measure: "12 of 33"})
    )
    assert saved.status_code == 302
    assert (
        client.post(
            "/j/orange-county/actuals/FY2026-27/outcomes", data=dict(values, **{measure: "13"})
        ).status_code
        == 409
    )  # stale page
    again = form_values(
        client.get(f"/j/orange-county/plans/{baseline}/exhibit-f/FY2026-27").get_data(as_text=True)
    )
    assert again[measure] == "12 of 33"
    pdf = PdfReader(
        io.BytesIO(
            client.get(  # Exhibit E, then the Exhibit F worksheet filled in
                f"/j/orange-county/plans/{baseline}/exhibit-e/FY2026-27.pdf"
            ).data
        )
    )
    pages = " ".join(p.extract_text() for p in pdf.pages)
    assert "402,113" in pages
    assert "12 of 33" in pages
    history = client.get(f"/j/orange-county/plans/{baseline}/history").get_data(as_text=True)
    assert 'id="actuals-history"' in history  # the jurisdiction's changes of its FYs
    due = client.get("/j/orange-county/").get_data(as_text=True)
    assert re.search(r'class="overdue" data-kind="annual_reports" data-fy="2026"', due)
    assert 'data-kind="annual_reports" data-fy="2027"' in due
    base = f"/j/orange-county/plans/{baseline}/exhibit-e/FY2026-27"
    rows = list(csv.reader(io.StringIO(client.get(base + ".csv").get_data(as_text=True))))
    spent = {r[7]: r[-1] for r in rows[1:] if r[3] == "3" and r[7]}
    assert spent == {"A:10": "402113", "A:7": "44870"}
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(base + ".xlsx").data)).active
    assert any(c.value == 402113 for row in sheet.iter_rows() for c in row)

    workbook = openpyxl.load_workbook(
        io.BytesIO(client.get(f"/j/orange-county/plans/{baseline}/export.xlsx").data)
    )
    assert "Actuals" in workbook.sheetnames  # the plan's workbook projects them too
    exported = client.get(f"/j/orange-county/plans/{baseline}/export.json")
    assert (
        json.loads(exported.get_data(as_text=True))["actuals"]["FY2026-27"]["receipts"] == "1019496"
    )


def test_an_imported_plan_file_offers_its_new_fys_and_recorded_ones_win(app, client):
    sign_in(client, EDITOR)
    baseline = plan_id(app)
    shown = upload(client, LEDGER, plan=baseline)
    client.post(ACTUALS + "upload", data=form_values(shown.get_data(as_text=True)))
    document = json.loads(client.get(f"/j/orange-county/plans/{baseline}/export.json").data)
    document["actuals"]["FY2026-27"]["receipts"] = "5"  # recorded: kept as recorded
    document["actuals"]["FY2027-28"] = {
        "receipts": "900000",
        "interest": "20000",
        "spending": {"A:10": "410000"},
    }
    csrf = form_values(client.get("/j/orange-county/").get_data(as_text=True))["csrf_token"]
    offered = client.post(
        "/j/orange-county/plans/import",
        data={
            "csrf_token": csrf,
            "name": "Imported",
            "file": (io.BytesIO(json.dumps(document).encode()), "plan.json"),
        },
        content_type="multipart/form-data",
    )
    assert offered.status_code == 200
    html = offered.get_data(as_text=True)
    assert re.findall(r'data-fy="(\d+)" data-status="(\w+)"', html) == [
        ("2026", "kept"),
        ("2027", "new"),
    ]
    with app.app_context():
        imported = db.session.scalar(select(PlanRecord).where(PlanRecord.name == "Imported"))
        assert "actuals" not in json.loads(imported.document)  # the jurisdiction's, not its
    assert counts(app)[0] == 1
    assert client.post(ACTUALS + "upload", data=form_values(html)).status_code == 302
    with app.app_context():
        stored = {
            r.fiscal_year: json.loads(r.entry)["receipts"]
            for r in db.session.scalars(select(FundActual))
        }
    assert stored == {2026: "1019496", 2027: "900000"}
