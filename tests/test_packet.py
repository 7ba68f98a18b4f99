"""The board packet (issue 23.4, 23.8): one period chosen by one function
(`summaries.default_period`) for the PDF's summary, the resolution, the ordinance, the
workbook, the cover memo, the web's forms and the CLI; the packet's five documents read
back (pypdf, python-docx, openpyxl) state the same FYs and amounts."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import io
import json
import re
import zipfile

import docx
import openpyxl
import pytest
from freezegun import freeze_time
from pypdf import PdfReader

from planner.cost_tables import default_cost_tables
from planner.present.formatting import money
from planner.reports.context import plan_document
from planner.reports.ordinance import ordinance_docx
from planner.reports.packet import board_packet, cover_memo_pdf
from planner.reports.resolution import resolution_docx
from planner.scenarios import fy_label, parse_plan, project
from planner.scenarios.parse import plan_to_dict
from planner.scenarios.starting import starting_plan
from planner.scenarios.summaries import (
    default_meeting_date,
    default_period,
    project_ordinance,
    strategy_amounts,
)
from tests.plans import example
from tests.web import EDITOR, sign_in

MEETING = dt.date(2027, 6, 7)
AS_OF = dt.date(2026, 12, 7)
SUMMARY_PAGES = 5  # the cover, the executive summary and the contents


def _with_scheduled(plan, adopted_on: str | None):
    """The demo with A:10 recorded for FY2027-28..FY2028-29, adopted on `adopted_on`
    (None: a draft), as the newcomer's Pitt plan was."""
    document = plan_to_dict(plan)
    document["program"]["authorizations"].append(
        {
            "strategy": "A:10",
            "amount": "600000",
            "start": "2027-07-01",
            "end": "2029-06-30",
            "adopted_on": adopted_on,
        }
    )
    return parse_plan(json.loads(json.dumps(document)), default_cost_tables())


# ----------------------------------------------------------------------------- the period


def test_the_period_is_the_scheduled_authorizations_else_the_next_unauthorized_fys():
    demo = example("demo-orange-county.json")
    # the demo authorized FY2026-27 (adopted June 2026): the next five FYs, FY2027-28..31-32
    assert default_meeting_date(demo, dt.date(2026, 12, 7)) == dt.date(2026, 12, 7)
    assert default_period(demo, project(demo), dt.date(2026, 12, 7)) == (2027, 2031)
    scheduled = _with_scheduled(demo, MEETING.isoformat())
    # the next meeting is the scheduled adoption; it is asked for the scheduled FYs
    assert default_meeting_date(scheduled, dt.date(2026, 12, 7)) == MEETING
    assert default_period(scheduled, project(scheduled), MEETING) == (2027, 2028)
    # a meeting after that adoption: the FYs after the ones it covers
    later = dt.date(2027, 7, 1)
    assert default_meeting_date(scheduled, later) == later
    assert default_period(scheduled, project(scheduled), later)[0] >= 2027
    # a draft (no date yet) is what the next meeting adopts
    draft = _with_scheduled(demo, None)
    assert default_period(draft, project(draft), dt.date(2026, 12, 7)) == (2027, 2028)


def test_the_pdf_resolution_and_ordinance_default_to_the_same_period():
    plan = _with_scheduled(example("demo-orange-county.json"), MEETING.isoformat())
    doc = plan_document(plan, prepared_on=dt.date(2026, 12, 7), jurisdiction="Orange County")
    assert doc.meeting_on == MEETING
    assert doc.period == (2027, 2028)
    assert (doc.executive.adopt_first_fy, doc.executive.adopt_last_fy) == (2027, 2028)
    texts = _docx_text(resolution_docx(doc))
    assert "Start date: July 1, 2027   End date: June 30, 2029" in texts
    # the scheduled authorization is this resolution's own, not a conflicting one
    assert "this draft authorizes it again" not in texts
    assert "This resolution adopts the authorization" in texts
    # several FYs: a settlement project ordinance appropriates them, not the annual one
    assert "settlement project ordinance (G.S. 159-13.2) adopted with this resolution" in texts
    ordinance = _docx_text(ordinance_docx(doc))
    assert "FY2027-28 through FY2028-29" in ordinance


def test_one_fy_is_appropriated_in_the_annual_budget_ordinance():
    doc = plan_document(example("demo-orange-county.json"), prepared_on=dt.date(2026, 12, 7))
    texts = _docx_text(resolution_docx(doc, 2027, 2027))
    assert "in the annual budget ordinance for FY2027-28" in texts
    assert "settlement project ordinance (G.S. 159-13.2) adopted with" not in texts


# ----------------------------------------------------------------------------- reading back


@functools.lru_cache(maxsize=4)
def _docx_document(body: bytes):
    """A Word document parsed once for the several reads of it (they only read)."""
    return docx.Document(io.BytesIO(body))


def _docx_text(body: bytes) -> str:
    document = _docx_document(body)
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts.extend(cell.text for row in table.rows for cell in row.cells)
    return "\n".join(parts)


def _docx_tables(body: bytes) -> list[list[list[str]]]:
    return [
        [[cell.text for cell in row.cells] for row in table.rows]
        for table in _docx_document(body).tables
    ]


def _pdf_text(body: bytes, pages: int | None = None) -> str:
    """The text of the first `pages` pages (all by default)."""
    return "\n".join(
        page.extract_text() or "" for page in PdfReader(io.BytesIO(body)).pages[:pages]
    )


def _money_in(text: str) -> set[str]:
    return set(re.findall(r"\$[\d,]+", text))


def _parts(packet: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(packet)) as archive:
        return {
            re.sub(r"^.*_\d-", "", name).rsplit(".", 1)[0]: archive.read(name)
            for name in archive.namelist()
        }


def _resolution_facts(body: bytes, text: str | None = None) -> tuple:
    """(first, last), ((strategy, amount), …), total — from the resolution's Totals table
    and its appropriation clause (`text`: its `_docx_text`, when already read)."""
    table = _docx_tables(body)[0]  # Strategy | Exhibit and item | Amount
    text = _docx_text(body) if text is None else text
    period = re.search(r"for (FY\d{4}-\d{2})(?: to (FY\d{4}-\d{2}))?\.", text)
    return (
        (period.group(1), period.group(2) or period.group(1)),
        tuple((r[0].split(" ", 1)[0], r[2]) for r in table[1:-1]),
        table[-1][2],
    )


def _ordinance_facts(body: bytes, text: str | None = None) -> tuple:
    """The same from the ordinance: the life of the project and the appropriations table
    (without the reserve for strategies not yet authorized)."""
    text = _docx_text(body) if text is None else text
    life = re.search(r"(FY\d{4}-\d{2}) through (FY\d{4}-\d{2})", text)
    appropriations = _docx_tables(body)[1]
    rows = [
        (re.search(r"MOA Exhibit ([AB]), item ([^)]+)\)", r[0]), r[1])
        for r in appropriations[1:-1]
        if "Reserve" not in r[0]
    ]
    return (
        life.groups(),
        tuple((f"{m.group(1)}:{m.group(2)}", amount) for m, amount in rows if m),
        money(sum(int(a.replace("$", "").replace(",", "")) for _, a in rows)),
    )


def _expected(doc) -> tuple:
    first, last = doc.period
    amounts = [a for a in strategy_amounts(doc.projection, first, last) if a.amount > 0]
    return (
        (fy_label(first), fy_label(last)),
        tuple((a.strategy, money(a.amount)) for a in amounts),
        money(sum(a.amount for a in amounts)),
    )


def packet_facts(packet: bytes) -> dict[str, tuple]:
    """Each document's period and its amounts by strategy, read back from the bytes."""
    parts = _parts(packet)
    assert set(parts) == {
        "cover-memo",
        "resolution",
        "project-ordinance",
        "budget-justification",
        "workbook",
    }
    facts: dict[str, tuple] = {
        "resolution": _resolution_facts(parts["resolution"]),
        "ordinance": _ordinance_facts(parts["project-ordinance"]),
    }
    book = openpyxl.load_workbook(io.BytesIO(parts["workbook"]), data_only=False)
    sheet = book["Summary"]
    asked = {sheet.cell(r, 1).value: sheet.cell(r, 2).value for r in range(1, sheet.max_row + 1)}
    span = asked["Period asked of the board"].split(" to ")
    facts["workbook"] = (
        (span[0], span[-1]),
        tuple(
            (str(k).split(" ", 2)[1], money(v))
            for k, v in asked.items()
            if isinstance(k, str) and k.startswith("Asked: ")
        ),
        money(asked["Total asked of the board"]),
    )
    # the justification's executive summary (with what the board is asked to adopt) is on
    # its first pages: reading those keeps the test quick
    for name, pages in (("cover-memo", None), ("budget-justification", SUMMARY_PAGES)):
        text = re.sub(r"\s+", " ", _pdf_text(parts[name], pages))
        facts[name] = text
    return facts


def assert_packet_agrees(packet: bytes, doc) -> None:
    first, last = doc.period
    expected = _expected(doc)
    _, amounts, total = expected
    facts = packet_facts(packet)
    for name in ("resolution", "ordinance", "workbook"):
        assert facts[name] == expected, name
    for name in ("cover-memo", "budget-justification"):
        text = facts[name]
        period = (
            f"{fy_label(first)} to {fy_label(last)}" if first != last else f"for {fy_label(first)}"
        )
        assert period in text, name
        assert total in _money_in(text), name
        for _, amount in amounts:
            assert amount in _money_in(text), name


@pytest.mark.slow
def test_the_demo_packet_states_one_period_and_its_amounts_everywhere():
    plan = _with_scheduled(example("demo-orange-county.json"), MEETING.isoformat())
    doc = plan_document(plan, prepared_on=dt.date(2026, 12, 7), jurisdiction="Orange County")
    packet = board_packet(doc)
    assert_packet_agrees(packet, doc)
    # FY2027-28 + FY2028-29 of A:10 and A:7: the scheduled FYs, as the resolution says
    assert packet_facts(packet)["resolution"][0] == ("FY2027-28", "FY2028-29")
    memo = _parts(packet)["cover-memo"]
    assert len(PdfReader(io.BytesIO(memo)).pages) == 1
    assert "No uncertainty analysis was run" in _pdf_text(memo)


@pytest.mark.slow
def test_the_memo_states_the_chance_of_a_deficit_when_the_plan_has_ranges():
    from planner.reports.render import plan_report_html
    from planner.services.analyses import analysis_of_plan
    from tests.test_simulation_documents import demo_with_ranges

    doc = plan_document(demo_with_ranges(), prepared_on=dt.date(2026, 12, 7))
    chance = round(100 * analysis_of_plan(doc.plan).result.p_any_deficit)
    text = re.sub(r"\s+", " ", _pdf_text(cover_memo_pdf(doc)))
    assert f"{chance}% chance the fund is short in at least one FY" in text
    # the justification's executive summary says it too, before its uncertainty page
    html = plan_report_html(doc)
    summary = html[html.index('id="summary"') : html.index('id="strategies"')]
    assert f"Chance of a deficit: {chance}%" in summary
    # and its ranges print as percentages, as the assumptions do (SECTION: 0.01/0.03/0.05)
    assert "Salary escalation 1% / 3% / 5%" in html


# ----------------------------------------------------------------------------- all 117


def _governments():
    return sorted(g.slug for g in default_cost_tables().jurisdictions)


def _starting(slug: str):
    tables = default_cost_tables()
    return parse_plan(starting_plan(tables, slug, start_fy=2027).document, tables)


def _check_default_period(slug: str):
    """The starting plan's default period, and the ordinance's appropriations for it equal
    to the resolution's amounts (the engine's figures)."""
    plan = _starting(slug)
    projection = project(plan)
    first, last = default_period(plan, projection, default_meeting_date(plan, AS_OF))
    # a starting plan authorizes nothing yet: its first FY and four more
    assert (first, last) == (plan.start_fy, min(plan.end_fy, plan.start_fy + 4)), slug
    amounts = strategy_amounts(projection, first, last)
    assert sum(a.amount for a in amounts) > 0, slug
    o = project_ordinance(projection, first, last)
    assert {a.strategy: a.amount for a in o.appropriations} == {
        a.strategy: a.amount for a in amounts if a.amount
    }, slug
    return plan


# Three starting plans whose packets differ most: the county with the largest receipts, one
# whose receipts are not known (no receipts: the ordinance cannot balance), and a city
# (council and mayor).
SAMPLE = ("mecklenburg-county", "ashe-county", "city-of-durham")


def test_the_default_period_of_sampled_starting_plans():
    for slug in SAMPLE:
        _check_default_period(slug)


CHUNKS = 4  # the 117 governments in four tests, so that make test's workers share them


def _workbook_shape(doc) -> tuple:
    """What a starting plan's workbook is made of, beyond its amounts: which FYs' receipts
    are estimates, whether the opening balance was given, the streams, and each line's id,
    kind and choices (delivery, mode, status…). Two governments of one shape get the same
    sheets, rows, labels and formulas; only the numbers in the input cells differ. The 117
    make two shapes."""
    basis = doc.receipts_basis
    estimated = set(basis.plain_fys).union(*basis.stream_fys.values())
    lines = tuple(
        (
            line.id,
            line.kind,
            tuple(
                (field.name, getattr(line.params, field.name))
                for field in dataclasses.fields(line.params)
                if isinstance(getattr(line.params, field.name), str | bool | None)
            ),
        )
        for line in doc.plan.line_items
    )
    return (
        tuple(fy in estimated for fy in doc.plan.fiscal_years),
        basis.opening_given,
        tuple(sorted(basis.stream_fys)),
        lines,
    )


@pytest.mark.slow
@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_every_governments_drafts_agree(chunk):
    """All 117 starting plans: the default period (the one function), the resolution and
    ordinance drafts read back with the same FYs and amounts, and the justification's HTML
    and the two drafts labelling the estimates and printing no instruction. The workbook's
    Inputs (the costliest document: half of this test's time when written for each) are
    read for the first government of each workbook shape (`_workbook_shape`) in the chunk
    and for SAMPLE: every shape, in every chunk. (The justification PDF and the memo,
    seconds each, are read for SAMPLE below: they print `doc.executive`, the object these
    drafts are checked against.)"""
    slugs = _governments()
    assert len(slugs) == 117
    shapes: set[tuple] = set()
    for slug in slugs[chunk::CHUNKS]:
        plan = _check_default_period(slug)
        doc = plan_document(plan, prepared_on=AS_OF)
        expected = _expected(doc)
        resolution, ordinance = resolution_docx(doc), ordinance_docx(doc)
        texts = (_docx_text(resolution), _docx_text(ordinance))
        assert _resolution_facts(resolution, texts[0]) == expected, slug
        assert _ordinance_facts(ordinance, texts[1]) == expected, slug
        shape = _workbook_shape(doc)
        _estimates_labelled_and_no_instruction(
            doc, texts, workbook=shape not in shapes or slug in SAMPLE
        )
        shapes.add(shape)
    assert shapes  # the chunk read at least one workbook


# What a template told the planner to do (issue 23): never printed in a document.
INSTRUCTIONS = ("To assess", "Mark it", "set its units")


def _estimates_labelled_and_no_instruction(
    doc, draft_texts: tuple[str, str], *, workbook: bool = True
) -> None:
    """A starting plan's documents (issue 23, point 7): the justification's HTML (what the
    PDF lays out), the workbook's Inputs (when `workbook`) and the two Word drafts (their
    text: `draft_texts`) label every receipt that is still an estimate and say the opening
    balance was not given; none prints an instruction."""
    from planner.reports.render import plan_report_html
    from planner.reports.workbook import plan_workbook

    slug = doc.plan.name
    basis = doc.receipts_basis
    html = plan_report_html(doc)
    if workbook:
        book = openpyxl.load_workbook(io.BytesIO(plan_workbook(doc)), read_only=True)
        labels = [row[0] for row in book["Inputs"].iter_rows(values_only=True) if row and row[0]]
        estimated = set(basis.plain_fys).union(*basis.stream_fys.values())
        for fy in doc.plan.fiscal_years:
            label = next(str(x) for x in labels if str(x).startswith(f"Receipts {fy_label(fy)}"))
            assert ("an estimate, not a CORE-NC figure" in label) == (fy in estimated), (
                slug,
                label,
            )
        assert any("not given: projected from $0" in str(x) for x in labels), slug
    assert 'id="opening-not-given"' in html, slug
    assert ('id="receipts-estimates"' in html) == basis.any_estimate, slug
    for text in (html, *draft_texts):
        assert not any(words in text for words in INSTRUCTIONS), slug


@pytest.mark.slow
@pytest.mark.parametrize("slug", SAMPLE)
def test_a_starting_plans_packet_agrees(slug):
    doc = plan_document(_starting(slug), prepared_on=AS_OF)
    packet = board_packet(doc)
    assert_packet_agrees(packet, doc)
    memo = _parts(packet)["cover-memo"]
    assert len(PdfReader(io.BytesIO(memo)).pages) == 1


# ----------------------------------------------------------------------------- web


def _plan_id(app, name="Baseline LEAD plan"):
    from sqlalchemy import select

    from planner.extensions import db
    from planner.models import PlanRecord

    with app.app_context():
        return next(r.id for r in db.session.scalars(select(PlanRecord)) if r.name == name)


def test_the_plan_page_downloads_the_packet_in_one_action(app, client):
    pid = _plan_id(app)
    with freeze_time("2026-12-07 12:00:00"):
        sign_in(client, EDITOR)
        page = client.get(f"/j/orange-county/plans/{pid}").get_data(as_text=True)
        assert 'id="board-packet"' in page
        assert 'name="meeting_date"' in page
        assert 'value="2026-12-07"' in page
        response = client.get(f"/j/orange-county/plans/{pid}/packet.zip?meeting_date=2026-12-07")
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert "_board-packet_2026-12-07.zip" in response.headers["Content-Disposition"]
    facts = packet_facts(response.data)
    assert facts["resolution"][0] == facts["ordinance"][0] == facts["workbook"][0]
    assert facts["resolution"][1:] == facts["ordinance"][1:] == facts["workbook"][1:]


def test_a_bad_meeting_date_is_refused_beside_its_field(app, client):
    pid = _plan_id(app)
    sign_in(client, EDITOR)
    response = client.get(f"/j/orange-county/plans/{pid}/packet.zip?meeting_date=2027-13-40")
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert 'aria-invalid="true"' in body
    assert 'value="2027-13-40"' in body
    long = client.get(f"/j/orange-county/plans/{pid}/packet.zip?meeting_date=" + "9" * 5000)
    assert long.status_code == 422


# ----------------------------------------------------------------------------- CLI


def test_the_cli_drafts_choose_their_fys(tmp_path):
    from click.testing import CliRunner

    from planner.cli import main
    from tests.plans import EXAMPLES

    demo = str(EXAMPLES / "demo-orange-county.json")
    out = tmp_path / "ordinance.docx"
    runner = CliRunner()
    chosen = runner.invoke(
        main,
        ["export", demo, "--format", "ordinance", "-o", str(out), "--as-of", "2026-12-07"]
        + ["--from", "FY2027-28", "--to", "FY2028-29"],
    )
    assert chosen.exit_code == 0, chosen.output
    assert _ordinance_facts(out.read_bytes())[0] == ("FY2027-28", "FY2028-29")
    # by default, the FYs the next meeting is asked to adopt (the PDF's summary's)
    default = runner.invoke(
        main,
        ["export", demo, "--format", "resolution", "-o", str(out), "--as-of", "2026-12-07"],
    )
    assert default.exit_code == 0, default.output
    assert _resolution_facts(out.read_bytes())[0] == ("FY2027-28", "FY2031-32")
    for bad in (
        ["--from", "FY2027-28"],
        ["--from", "FY2027", "--to", "FY2028-29"],
        ["--from", "FY2027-28", "--to", "FY2050-51"],
        ["--from", "FY2028-29", "--to", "FY2027-28"],
    ):
        refused = runner.invoke(
            main, ["export", demo, "--format", "ordinance", "-o", str(out), *bad]
        )
        assert refused.exit_code == 2, bad
        assert "Traceback" not in refused.output


@pytest.mark.slow
def test_planner_packet_writes_the_zip(tmp_path):
    from click.testing import CliRunner

    from planner.cli import main
    from tests.plans import EXAMPLES

    out = tmp_path / "packet.zip"
    result = CliRunner().invoke(
        main,
        ["packet", str(EXAMPLES / "minimal.json"), "-o", str(out), "--as-of", "2026-12-07"]
        + ["--meeting-date", "2027-01-12"],
    )
    assert result.exit_code == 0, result.output
    doc = plan_document(example("minimal.json"), prepared_on=AS_OF, meeting_on=dt.date(2027, 1, 12))
    assert_packet_agrees(out.read_bytes(), doc)
