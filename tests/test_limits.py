"""The limits on input of cost model §15: hostile plan files, form values, receipts CSVs and
query parameters are refused with the path of the problem, before any arithmetic.

These inputs used to hang a worker (`1e999999999` as a FY), grow it by gigabytes
(`1e-999999999` as a rate) or answer 500; each is now refused at once, so a regression would
show as a hung test.
"""

from __future__ import annotations

import io
import json

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from planner.cli import main
from planner.cost_tables import default_cost_tables, load_cost_tables
from planner.extensions import db
from planner.models import PlanRecord
from planner.scenarios import PlanError, parse_plan_text, project
from planner.scenarios.limits import (
    DATE_RANGE,
    DIGITS,
    EXPONENT,
    FISCAL_YEAR,
    NESTING,
    TOO_LONG,
    TOO_MANY,
)
from planner.scenarios.parse import LONG_TEXT, SHORT_TEXT
from planner.services.receipts import read_receipts_csv
from tests.web import EDITOR, form_values, sign_in, token

LIMITS = default_cost_tables().limits


def plan_text(*, start_fy: str = "2026", lines: str = "[]", **sections: str) -> str:
    """A plan file written by hand, so that numbers keep their text (`1e999999999`)."""
    extra = "".join(f', "{key}": {value}' for key, value in sections.items())
    return f'{{"schema": "lead-plan/1", "start_fy": {start_fy}, "line_items": {lines}{extra}}}'


def other_lines(n: int) -> str:
    return json.dumps([{"id": f"l{i}", "kind": "other", "annual_amount": "1"} for i in range(n)])


def nested(depth: int) -> str:
    """A list nested so that the plan document is `depth` levels deep in all."""
    inner = depth - 1  # the document is level 1, the line_items list level 2
    return "[" * inner + "]" * inner


def problems_of(text: str) -> list[tuple[str, str]]:
    with pytest.raises(PlanError) as caught:
        parse_plan_text(text, default_cost_tables())
    return [(p.path, p.kind) for p in caught.value.problems]


AUTH = '{"strategy": "A:10", "amount": "1", "start": "2026-07-01", "end": "2027-06-30"}'


def authorizations(items: list[str]) -> str:
    return '{"authorizations": [' + ", ".join(items) + "]}"


LINE_END = '[{"id": "o", "kind": "other", "annual_amount": "1", "end_fy": %s}]'

HOSTILE = [
    # (case, plan text, path of the problem, kind)
    ("FY with a huge exponent (H1)", plan_text(start_fy="1e999999999"), "start_fy", EXPONENT),
    ("FY as a huge-exponent string", plan_text(start_fy='"1e999999999"'), "start_fy", FISCAL_YEAR),
    (
        "line end_fy with a huge exponent",
        plan_text(lines=LINE_END % "1e999999999"),
        "line_items[0].end_fy",
        EXPONENT,
    ),
    ("FY of 5,000 digits", plan_text(start_fy="9" * 5000), "start_fy", TOO_LONG),
    ("FY 3000", plan_text(start_fy="3000"), "start_fy", FISCAL_YEAR),
    ("FY 2026.5", plan_text(start_fy="2026.5"), "start_fy", FISCAL_YEAR),
    ("FY in Arabic-Indic digits", plan_text(start_fy='"٢٠٢٦"'), "start_fy", FISCAL_YEAR),
    ("years with a huge exponent", plan_text(years="1e999999999"), "years", EXPONENT),
    (
        "tiny rate as a JSON number (H2)",
        plan_text(assumptions='{"fringe_rate": 1e-999999999}'),
        "assumptions.fringe_rate",
        EXPONENT,
    ),
    (
        "tiny rate as a string",
        plan_text(assumptions='{"fringe_rate": "1e-999999999"}'),
        "assumptions.fringe_rate",
        EXPONENT,
    ),
    (
        "inflation 1e-999999",
        plan_text(assumptions='{"inflation": "1e-999999"}'),
        "assumptions.inflation",
        EXPONENT,
    ),
    (
        "exponent 31",
        plan_text(fund='{"opening_balance": "1e31"}'),
        "fund.opening_balance",
        EXPONENT,
    ),
    ("exponent -31", plan_text(fund='{"interest_rate": "1e-31"}'), "fund.interest_rate", EXPONENT),
    (
        "amount with a huge exponent (decimal.Overflow before)",
        plan_text(fund='{"opening_balance": "1e999999999"}'),
        "fund.opening_balance",
        EXPONENT,
    ),
    (
        "41-character number string",
        plan_text(assumptions='{"fringe_rate": "0.%s1"}' % ("0" * 38)),
        "assumptions.fringe_rate",
        TOO_LONG,
    ),
    (
        "41-digit JSON number",
        plan_text(fund='{"opening_balance": %s}' % ("1" * 41)),
        "fund.opening_balance",
        TOO_LONG,
    ),
    (
        "41-character receipt",
        plan_text(fund='{"receipts": {"2026": "%s"}}' % ("1" * 41)),
        "fund.receipts.2026",
        TOO_LONG,
    ),
    (
        "Arabic-Indic digits",
        plan_text(fund='{"opening_balance": "١٢٣"}'),
        "fund.opening_balance",
        DIGITS,
    ),
    (
        "underscore in a number",
        plan_text(fund='{"opening_balance": "1_000"}'),
        "fund.opening_balance",
        DIGITS,
    ),
    ("201 line items (H3)", plan_text(lines=other_lines(201)), "line_items", TOO_MANY),
    (
        "101 authorizations",
        plan_text(program=authorizations([AUTH] * 101)),
        "program.authorizations",
        TOO_MANY,
    ),
    (
        "201 receipt entries",
        plan_text(
            fund=json.dumps(
                {
                    "receipts": {
                        **{str(fy): "1" for fy in range(2000, 2101)},
                        **{f"FY{fy}-{(fy + 1) % 100:02d}": "1" for fy in range(2000, 2100)},
                    }
                }
            )
        ),
        "fund.receipts",
        TOO_MANY,
    ),
    (
        "41 ramp multipliers",
        plan_text(participants=json.dumps({"ramp": ["1"] * 41})),
        "participants.ramp",
        TOO_MANY,
    ),
    ("depth 21", plan_text(lines=nested(21)), "line_items" + "[0]" * 19, NESTING),
    ("depth 100,000 (RecursionError before)", plan_text(lines=nested(100_000)), "(file)", NESTING),
    (
        "objects nested 50,000 deep",
        plan_text(lines="[" + '{"a":' * 50_000 + "1" + "}" * 50_000 + "]"),
        "(file)",
        NESTING,
    ),
    (
        "MOA executed in year 1",
        plan_text(fund='{"moa_executed_on": "0001-01-01"}'),
        "fund.moa_executed_on",
        DATE_RANGE,
    ),
    (
        "MOA executed in 9999",
        plan_text(fund='{"moa_executed_on": "9999-12-31"}'),
        "fund.moa_executed_on",
        DATE_RANGE,
    ),
    (
        "adopted in year 1",
        plan_text(program=authorizations([AUTH.replace("}", ', "adopted_on": "0001-01-01"}')])),
        "program.authorizations[0].adopted_on",
        DATE_RANGE,
    ),
]


@pytest.mark.parametrize(
    ("text", "path", "kind"), [case[1:] for case in HOSTILE], ids=[case[0] for case in HOSTILE]
)
def test_hostile_plan_files_are_refused_with_the_path(text, path, kind):
    assert (path, kind) in problems_of(text)


@pytest.mark.parametrize(
    "text",
    [
        plan_text(lines=other_lines(200)),  # 200 line items
        plan_text(program=authorizations([AUTH] * 100)),
        plan_text(participants=json.dumps({"ramp": ["1"] * 40})),
        plan_text(assumptions='{"fringe_rate": "0.%s1"}' % ("0" * 37)),  # 40 characters
        plan_text(fund='{"opening_balance": "1e3", "interest_rate": "1e-30"}'),
        plan_text(fund='{"moa_executed_on": "1900-01-01"}'),
        plan_text(fund='{"opening_balance": "1,500,000"}'),
    ],
    ids=[
        "200 lines",
        "100 authorizations",
        "40 ramp",
        "40-character number",
        "exponents 3/-30",
        "1900",
        "thousands commas",
    ],
)
def test_inputs_at_the_limits_are_accepted(text):
    parse_plan_text(text, default_cost_tables())


def test_a_fy_written_in_another_notation_is_read_by_its_value():
    # 2.026e3 = 2026: a whole number in 2000-2100 is a FY however it is written
    assert parse_plan_text(plan_text(start_fy="2.026e3"), default_cost_tables()).start_fy == 2026


def test_depth_20_is_accepted_and_21_refused():
    at_limit = plan_text(
        lines="[{" + '"id": "o", "kind": "other", "annual_amount": "1", "label": null}]'
    )
    parse_plan_text(at_limit, default_cost_tables())
    # 20 levels: refused only for being a list where a line should be, not for its depth
    assert all(kind != NESTING for _, kind in problems_of(plan_text(lines=nested(20))))
    assert [kind for _, kind in problems_of(plan_text(lines=nested(21)))] == [NESTING]


def test_a_flood_of_problems_is_listed_up_to_the_limit_and_counted():
    text = plan_text(assumptions=json.dumps({f"k{i}": 1 for i in range(500)}))
    found = problems_of(text)
    assert len(found) == LIMITS.problems_listed_max + 1
    assert found[-1][0] == "(plan)"


def test_the_limits_come_from_cost_tables_with_a_source_each():
    tables = load_cost_tables()
    assert tables.limits == LIMITS
    assert (
        LIMITS.number_text_max,
        LIMITS.number_exponent_min,
        LIMITS.number_exponent_max,
        LIMITS.line_items_max,
        LIMITS.authorizations_max,
        LIMITS.receipts_max,
        LIMITS.nesting_max,
    ) == (40, -30, 30, 200, 100, 200, 20)  # cost model §15
    assert (LIMITS.short_text_max, LIMITS.long_text_max) == (SHORT_TEXT, LONG_TEXT)  # §8
    for entry in LIMITS.entries.values():
        assert entry.source
        assert entry.year >= 2026


def test_cli_refuses_the_hostile_file_with_its_path(tmp_path):
    hang = tmp_path / "hang.json"
    hang.write_text(plan_text(start_fy="1e999999999"))
    for command in (["project"], ["check"], ["project", "--json"]):
        result = CliRunner().invoke(main, [command[0], str(hang), *command[1:]])
        assert result.exit_code == 2, result.output
        assert "start_fy:" in result.output
        assert "Traceback" not in result.output


# ----------------------------------------------------------------- receipts CSV


@pytest.mark.parametrize(
    ("csv_text", "first_line"),
    [
        ("2026,1e-999999999\n", 1),
        ("fiscal_year,amount\n2026,1000\n2027,1e999999999\n", 3),
        ("2026," + "1" * 41 + "\n", 1),
        ("2026,١٢٣\n", 1),
        ("2026,1_000\n", 1),
        ("1e999999999,5\n", 1),
        ("x" * 100_000 + ",5\n", 1),
        ("2026,1\n" * 201, 1),  # more receipts than a plan keeps
        ("\n" * (1000 + 1), 1001),  # more lines than are read
    ],
)
def test_hostile_receipts_csv_is_refused_on_its_line(csv_text, first_line):
    parsed = read_receipts_csv(csv_text)
    assert all(row.line != first_line for row in parsed.rows)
    assert parsed.problems[0].startswith(f"line {first_line:,}:")


def test_a_large_bad_csv_gives_a_short_list_of_problems():
    parsed = read_receipts_csv(("2026," + "y" * 9_000 + "\n") * 150)
    assert len(parsed.problems) == LIMITS.csv_problems_shown + 1
    assert sum(len(p) for p in parsed.problems) < 10_000  # the 1.35 MB input is not echoed


# ----------------------------------------------------------------- the web app


@pytest.fixture
def editor(client):
    sign_in(client, EDITOR)
    return client


def plan_id(app, name="Baseline LEAD plan") -> int:
    with app.app_context():
        return db.session.scalar(select(PlanRecord.id).where(PlanRecord.name == name))


def stored_document(app, pid) -> str:
    with app.app_context():
        return db.session.get(PlanRecord, pid).document


def post_form(client, url, changes):
    page = client.get(url)
    assert page.status_code == 200
    data = form_values(page.get_data(as_text=True))
    data.update(changes)
    return client.post(url, data=data, content_type="multipart/form-data")


def field_block(html: str, name: str) -> str:
    block = html[html.index(f'id="{name}"') :]
    return block[: block.index('<div class="field') if '<div class="field' in block else None]


@pytest.mark.parametrize(
    ("section", "field", "value"),
    [
        ("assumptions", "fringe_rate", "1e-999999999"),
        ("assumptions", "inflation", "1e-999999"),
        ("assumptions", "salary_escalation", "0." + "0" * 38 + "1"),
        ("fund", "opening_balance", "1e999999999"),
        ("fund", "opening_balance", "١٢٣"),
        ("fund", "opening_balance", "1_000"),
        ("fund", "moa_executed_on", "0001-01-01"),
        ("settings", "start_fy", "1e999999999"),
        ("participants", "ramp", ", ".join(["1"] * 41)),
    ],
)
def test_hostile_form_values_are_refused_beside_their_field_and_kept(
    app, editor, section, field, value
):
    pid = plan_id(app)
    before = stored_document(app, pid)
    response = post_form(editor, f"/j/orange-county/plans/{pid}/edit/{section}", {field: value})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    block = field_block(html, field)
    assert 'class="error" role="alert"' in block  # the problem beside its field
    assert f'value="{value}"' in block  # the input is kept
    assert stored_document(app, pid) == before


def post_import(client, body: bytes, name: str = "plan.json"):
    return client.post(
        "/j/orange-county/plans/import",
        data={"csrf_token": token(client, "/j/orange-county/"), "file": (io.BytesIO(body), name)},
        content_type="multipart/form-data",
    )


@pytest.mark.parametrize(
    ("text", "path"),
    [
        (plan_text(start_fy="1e999999999"), "start_fy"),
        (plan_text(assumptions='{"fringe_rate": 1e-999999999}'), "assumptions.fringe_rate"),
        (plan_text(lines=other_lines(201)), "line_items"),
        (plan_text(lines=nested(100_000)), "(file)"),
    ],
)
def test_hostile_plan_imports_are_refused_with_the_path(app, editor, text, path):
    with app.app_context():
        count = db.session.scalar(select(db.func.count(PlanRecord.id)))
    response = post_import(editor, text.encode())
    assert response.status_code == 422
    assert f"{path}:" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(db.func.count(PlanRecord.id))) == count


def test_hostile_receipts_csv_post_is_refused_and_the_preview_stays_small(app, editor):
    pid = plan_id(app)
    url = f"/j/orange-county/plans/{pid}/edit/receipts/csv"
    csrf = token(editor, f"/j/orange-county/plans/{pid}/edit/receipts")
    response = editor.post(
        url, data={"csrf_token": csrf, "csv_text": "2026,1e-999999999", "confirm": "1"}
    )
    assert response.status_code == 422
    assert "line 1:" in response.get_data(as_text=True)
    big = ("2026," + "y" * 9_000 + "\n") * 150
    response = editor.post(url, data={"csrf_token": csrf, "csv_text": big})
    assert response.status_code == 422
    assert len(response.data) < len(big) * 2  # the input kept once, the problems short


@pytest.mark.parametrize(
    "query",
    ["plans=²", "plans=١", "plans=" + "9" * 5000, f"plans={2**63}", f"plans={2**31}", "plans=-1"],
)
def test_comparison_with_a_non_id_is_not_found(app, editor, query):
    assert editor.get(f"/j/orange-county/compare?{query}").status_code == 404


@pytest.mark.parametrize(
    "plan", ["9" * 5000, str(2**63), str(2**63 - 1), str(2**31), str(2**31 - 1), "²", "١"]
)
def test_a_plan_id_beyond_the_column_is_not_found(app, editor, plan):
    assert editor.get(f"/j/orange-county/plans/{plan}").status_code == 404


@pytest.mark.parametrize("version", ["²", "9" * 5000, str(2**63), str(2**31)])
def test_a_button_with_a_non_id_version_changes_nothing(app, editor, version):
    pid = plan_id(app)
    before = stored_document(app, pid)
    base = f"/j/orange-county/plans/{pid}"
    csrf = token(editor, base)
    deleted = editor.post(
        base + "/lines/food/delete", data={"csrf_token": csrf, "version": version}
    )
    renamed = editor.post(
        base + "/rename", data={"csrf_token": csrf, "version": version, "name": "Renamed"}
    )
    assert deleted.status_code == 302
    assert renamed.status_code < 500
    with app.app_context():
        ids = [
            line["id"]
            for line in json.loads(db.session.get(PlanRecord, pid).document)["line_items"]
        ]
    assert "food" in ids  # a version that is not a number is not the version shown
    assert json.loads(stored_document(app, pid))["line_items"] == json.loads(before)["line_items"]


def test_nul_in_a_slug_or_a_file_name_is_a_bad_request(app, editor):
    assert editor.get("/j/orange%00county/").status_code in (400, 404)
    pid = plan_id(app)
    assert editor.get(f"/j/orange-county/plans/{pid}/lines/fo%00od").status_code == 400
    response = post_import(editor, plan_text().encode(), name="pl\x00an.json")
    assert response.status_code == 400


# ----------------------------------------------------------------- charts


@pytest.mark.sqlite_only  # what a chart and the PDF draw of a stored name
def test_mathtext_in_names_and_strategies_is_drawn_literally(app, editor):
    pid = plan_id(app)
    base = f"/j/orange-county/plans/{pid}"
    with app.app_context():
        record = db.session.get(PlanRecord, pid)
        document = json.loads(record.document)
        document["name"] = r"$\frac$ plan"
        document["line_items"][0]["strategy"] = r"$x^{$"
        record.document = json.dumps(document)
        record.name = r"$\frac$ plan"
        db.session.commit()
    chart = editor.get(base + "/charts/strategies.svg")
    assert chart.status_code == 200
    assert "$x^{$" in chart.get_data(as_text=True)
    other = plan_id(app, "Orange alternative")
    compare = editor.get(f"/j/orange-county/compare/chart.svg?plans={pid}&plans={other}")
    assert compare.status_code == 200
    assert r"$\frac$ plan" in compare.get_data(as_text=True)
    pdf = editor.get(base + "/report.pdf")
    assert pdf.status_code == 200
    assert pdf.data.startswith(b"%PDF")


# ----------------------------------------------------------------- L2: line ids


def test_lines_called_new_and_create_open_in_the_editor(app, editor):
    document = json.loads(
        plan_text(
            lines=json.dumps(
                [
                    {"id": "new", "kind": "other", "label": "Newsletter", "annual_amount": "10"},
                    {"id": "create", "kind": "other", "label": "Creative", "annual_amount": "20"},
                ]
            )
        )
    )
    document["name"] = "Reserved ids"
    assert post_import(editor, json.dumps(document).encode()).status_code == 302
    pid = plan_id(app, "Reserved ids")
    for line_id, label in (("new", "Newsletter"), ("create", "Creative")):
        page = editor.get(f"/j/orange-county/plans/{pid}/lines/{line_id}")
        assert page.status_code == 200
        assert form_values(page.get_data(as_text=True))["label"] == label
    adding = editor.get(f"/j/orange-county/plans/{pid}/add-line")
    assert adding.status_code == 200
    added = post_form(
        editor,
        f"/j/orange-county/plans/{pid}/add-line/create?kind=other",
        {"label": "New", "annual_amount": "5"},
    )
    assert added.status_code == 302
    with app.app_context():
        ids = [
            line["id"]
            for line in json.loads(db.session.get(PlanRecord, pid).document)["line_items"]
        ]
    assert ids == ["new", "create", "new-2"]  # "New" is numbered past the line `new`


# ----------------------------------------------------------------- bounded documents


def test_the_plans_texts_together_are_limited_on_the_text_that_goes_past():
    each = LIMITS.long_text_max
    lines = [
        {"id": f"l{i}", "kind": "other", "annual_amount": "1", "justification": "j" * each}
        for i in range(LIMITS.text_total_max // each + 1)
    ]
    found = problems_of(plan_text(lines=json.dumps(lines)))
    assert found == [(f"line_items[{LIMITS.text_total_max // each}].justification", TOO_MANY)]
    parse_plan_text(plan_text(lines=json.dumps(lines[:-1])), default_cost_tables())


def test_the_strategy_chart_has_one_series_per_colour():
    from planner.present import charts

    lines = [
        {
            "id": f"l{i}",
            "kind": "other",
            "annual_amount": str(1000 + i),
            "strategy": f"S{i} " + "w" * 150,
        }
        for i in range(20)
    ]
    projection = project(parse_plan_text(plan_text(lines=json.dumps(lines)), default_cost_tables()))
    series = charts._strategy_series(projection, {})
    assert len(series) == len(charts.PALETTE)
    assert series[-1][0] == "13 other strategies"
    # nothing is lost: the series still add up to the spending of every FY
    assert [sum(column) for column in zip(*(v for _, v in series), strict=True)] == list(
        projection.by_year
    )
    assert all(len(name) <= charts.LEGEND_TEXT for name, _ in series)


def test_a_stored_plan_that_breaks_a_limit_says_so_rather_than_failing(app, editor):
    pid = plan_id(app)
    with app.app_context():
        record = db.session.get(PlanRecord, pid)
        document = json.loads(record.document)
        document["fund"]["moa_executed_on"] = "0001-01-01"  # saved before the limit existed
        record.document = json.dumps(document)
        db.session.commit()
    page = editor.get(f"/j/orange-county/plans/{pid}")
    assert page.status_code == 422
    assert "fund.moa_executed_on" in page.get_data(as_text=True)


def test_the_pdf_basis_is_condensed_only_past_its_budget():
    from planner.scenarios.summaries import (
        BasisGroup,
        basis_shown,
        fy_columns,
        past_pdf_budget,
    )

    rows = LIMITS.pdf_line_years_max
    assert not past_pdf_budget(13, 18, rows)  # the demo: every FY
    assert not past_pdf_budget(rows // 40, 40, rows)
    assert past_pdf_budget(rows // 40 + 1, 40, rows)
    # 40 FYs in 5-FY periods: 8 columns; a period's amount is the sum of its FYs', a level
    # its highest FY, so each row still foots to the plan's total
    fys = tuple(range(2026, 2066))
    cols = fy_columns(fys, [f"FY{fy}" for fy in fys], LIMITS.pdf_period_years)
    values = tuple(range(1, 41))  # 1 + 2 + … + 40 = 820
    assert cols.groups[0] == (0, 1, 2, 3, 4)
    assert len(cols.groups) == 8
    assert cols.sums(values)[:2] == (15, 40)  # 1+2+3+4+5; 6+7+8+9+10
    assert sum(cols.sums(values)) == 820
    assert cols.peaks(values)[:2] == (5, 10)
    assert cols.heads[0] == "FY2026 to FY2030"
    assert cols.blocks == (tuple(range(8)),)
    assert fy_columns(fys, [str(fy) for fy in fys]).sums(values) == values  # unchanged
    # a basis of four rows keeps its first and last; the two between are one row and cost
    groups = (
        BasisGroup(2026, 2026, "a", (10,)),
        BasisGroup(2027, 2030, "b", (1, 2, 3, 4)),
        BasisGroup(2031, 2031, "c", (7,)),
        BasisGroup(2032, 2033, "d", (5, 6)),
    )
    assert basis_shown(groups).groups == groups
    shown = basis_shown(groups, 1)
    assert shown.first == groups[:1]
    assert shown.last == groups[-1:]
    assert (shown.omitted_first_fy, shown.omitted_last_fy, shown.omitted_years) == (2027, 2031, 5)
    assert shown.omitted_total == 1 + 2 + 3 + 4 + 7
    assert shown.total == 10 + 17 + 11 == sum(g.total for g in groups)


def test_a_large_plans_document_writes_the_first_and_last_basis():
    import datetime as dt

    from planner.reports.context import plan_document
    from planner.reports.render import plan_report_html
    from planner.scenarios.summaries import basis_groups

    count = LIMITS.pdf_line_years_max // 40 + 1
    # each line starts in FY2028-29: its basis has rows for FY2026-27, FY2027-28 (no cost)
    # and FY2028-29 to FY2065-66 — the first and last kept, the one between folded
    lines = [
        {
            "id": f"l{i}",
            "kind": "other",
            "annual_amount": str(1000 + i),
            "label": f"Line {i}",
            "strategy": f"S{i}",
            "start_fy": 2028,
        }
        for i in range(count)
    ]
    plan = parse_plan_text(plan_text(lines=json.dumps(lines), years="40"), default_cost_tables())
    projection = project(plan)
    html = plan_report_html(plan_document(plan, prepared_on=dt.date(2026, 11, 28)))
    basis = html[html.index('id="line-items"') :]
    basis = basis[: basis.index("</section>")]
    assert len(basis_groups(projection.line_items[0], projection.fiscal_years)) == 3
    assert basis.count('<tr class="omitted">') == count
    assert basis.count('<tr class="omitted"><th scope="row">FY2027-28</th>') == count
    assert basis.count("FY2028-29 to FY2065-66 (38 FYs)") == count
    # the tables by FY show 5-FY periods that still foot
    table = html[html.index('id="projection"') :]
    table = table[: table.index("</table>")]
    assert ">FY2026-27 to FY2030-31<" in table
    assert ">FY2040-41<" not in table
    first = projection.line_items[0]
    assert f">{sum(first.by_year[:5]):,}<" in table
    assert f">{sum(first.by_year[35:]):,}<" in table
    assert f">{first.total:,}<" in table
    # SF-424A: the five largest strategies and one column for the others, which foots
    sf424a = html[html.index('id="object-classes"') :]
    sf424a = sf424a[: sf424a.index("</table>")]
    assert f"{count - 5} other strategies" in sf424a
    assert sf424a.count('<th scope="col" class="num">') == 5 + 1 + 1
    others = sum(sorted(projection.strategy_totals.values())[: count - 5])
    assert f">${others:,}<" in sf424a


def test_the_demo_document_is_not_condensed():
    import datetime as dt
    from pathlib import Path

    from planner.reports.context import plan_document
    from planner.reports.render import plan_report_html

    demo = Path(__file__).resolve().parent.parent / "examples" / "demo-orange-county.json"
    plan = parse_plan_text(demo.read_text(), default_cost_tables())
    assert not len(plan.line_items) * plan.years > LIMITS.pdf_line_years_max
    html = plan_report_html(plan_document(plan, prepared_on=dt.date(2026, 11, 28)))
    assert "condensed" not in html
    assert 'class="omitted"' not in html
    assert "other strategies" not in html
