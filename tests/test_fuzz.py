"""Hypothesis fuzzing of every way input reaches the app: plan import, the receipts CSV and
every editor form. Whatever is posted, the answer is a redirect after a valid save or a clear
4xx with a message — never a 500 — and a refused post leaves the plan exactly as it was.

Each example starts from a fresh copy of the seeded database (`fresh`), so no example sees
what an earlier one saved and a failure Hypothesis finds replays on its own."""

from __future__ import annotations

import functools
import io
import json
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from planner.extensions import db
from planner.models import PlanRecord
from tests.plans import EXAMPLES
from tests.strategies import examples
from tests.web import EDITOR, form_values, sign_in

pytestmark = pytest.mark.fuzz

# function_scoped_fixture: the fixtures are set up once per test, and `fresh` resets the
# database at the start of every example.
SETTINGS = settings(
    max_examples=examples(150),
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
OK = {302}
REFUSED = {400, 404, 409, 413, 422}

numbers = st.one_of(
    st.decimals(allow_nan=False, allow_infinity=False, places=3).map(str),
    st.integers(-(10**12), 10**12).map(str),
    st.sampled_from(
        [
            "",
            " ",
            "-0",
            "1e9",
            "1e400",
            "NaN",
            "Infinity",
            "0x10",
            "½",
            "1,5",
            "FY2027",
            "FY2026-27",
            "2026",
            "2026-27",
            "2031-06-30",
            "true",
            "null",
        ]
    ),
    st.text(alphabet=string.printable + "−×€→", max_size=12),
)


def budget(app, thorough: int) -> int:
    """This engine's example count: all of the profile's on SQLite, a fifth on PostgreSQL,
    where each example's reset costs about 50 ms more. The SQLite run covers the input
    space; the PostgreSQL run is there for what only its driver refuses (NUL bytes)."""
    count = max(5, examples(thorough) // 2)  # half: make test's time on two cores
    with app.app_context():
        return count if db.engine.dialect.name == "sqlite" else max(5, count // 5)


@pytest.fixture
def fresh(app, reset_database):
    """Put the seeded database back (the signed-in clients stay signed in: the accounts
    and their ids are the template's)."""

    def reset() -> None:
        with app.app_context():
            reset_database()

    return reset


@pytest.fixture
def editor(app):
    client = app.test_client()
    sign_in(client, EDITOR)
    with app.app_context():
        pid = db.session.scalar(
            select(PlanRecord.id).where(PlanRecord.name == "Baseline LEAD plan")
        )
    return client, pid


def plan_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(db.func.count(PlanRecord.id)))


def test_fresh_puts_the_database_back(app, editor, fresh):
    """What one example saves is gone for the next: a plan created after each reset is the
    only one beyond the seeded three, and it gets a new id the same way each time."""
    client, _ = editor
    seeded = plan_count(app)
    ids = []
    for _ in range(2):
        fresh()
        assert plan_count(app) == seeded
        token = form_values(client.get("/j/orange-county/").get_data(as_text=True))["csrf_token"]
        created = client.post(
            "/j/orange-county/plans/new",
            data={"csrf_token": token, "name": "One more", "template": "demo"},
        )
        assert created.status_code == 302
        assert plan_count(app) == seeded + 1
        ids.append(created.headers["Location"])
    assert ids[0] == ids[1]


def snapshot(app, pid):
    with app.app_context():
        record = db.session.get(PlanRecord, pid)
        return record.version, record.document


def loaded_once(client, url):
    """The values of the form at `url` (its CSRF token and version included), loaded at the
    first example that asks: every example starts from the same seeded database in the same
    signed-in session, so each load would show the same form."""
    return functools.cache(lambda: form_values(client.get(url).get_data(as_text=True)))


def post_changed_form(app, client, pid, url, fields, values, form) -> None:
    """Take the form as loaded (`form()`), put the generated values in, post it: saved (302)
    and the plan's page still shows it, or refused with a message beside a field and the
    plan exactly as it was."""
    before = snapshot(app, pid)
    page = dict(form())
    page.update(dict(zip(fields, values, strict=True)))
    response = client.post(url, data=page)
    assert response.status_code in OK | REFUSED, response.status_code
    if response.status_code == 302:
        assert client.get(f"/j/orange-county/plans/{pid}").status_code == 200
    else:
        assert snapshot(app, pid) == before
        body = response.get_data(as_text=True)
        assert 'class="error"' in body or "error-summary" in body


SECTIONS = {
    "assumptions": [
        "salary_escalation",
        "inflation",
        "fringe_rate",
        "health_per_fte",
        "fte_increment",
        "productive_hours_per_fte",
        "indirect_rate",
    ],
    "fund": ["opening_balance", "interest_rate", "moa_executed_on"],
    "participants": [
        "referrals_community",
        "enrollment_arrest_diversion",
        "ramp",
        "average_months_enrolled",
        "initial_active",
    ],
    "settings": ["name", "start_fy", "years"],
}


@pytest.mark.parametrize("section", sorted(SECTIONS))
def test_fuzz_editor_sections(app, editor, fresh, section):
    client, pid = editor
    url = f"/j/orange-county/plans/{pid}/edit/{section}"
    fields = SECTIONS[section]
    form = loaded_once(client, url)

    @settings(SETTINGS, max_examples=budget(app, 150))
    @given(st.lists(numbers, min_size=len(fields), max_size=len(fields)))
    def run(values):
        fresh()
        post_changed_form(app, client, pid, url, fields, values, form)

    run()


def test_fuzz_line_item_forms(app, editor, fresh):
    client, pid = editor
    url = f"/j/orange-county/plans/{pid}/lines/case-managers"
    fields = [
        "caseload_average",
        "caseload_max",
        "min_fte",
        "max_fte",
        "salary",
        "start_fy",
        "end_fy",
        "delivery",
        "strategy",
    ]
    form = loaded_once(client, url)

    @settings(SETTINGS, max_examples=budget(app, 150))
    @given(st.lists(numbers, min_size=len(fields), max_size=len(fields)))
    def run(values):
        fresh()
        post_changed_form(app, client, pid, url, fields, values, form)

    run()


def test_fuzz_receipts_csv(app, editor, fresh):
    client, pid = editor
    url = f"/j/orange-county/plans/{pid}/edit/receipts/csv"
    rows = st.lists(st.tuples(numbers, numbers).map(lambda r: f"{r[0]},{r[1]}"), max_size=6)
    csv_texts = st.one_of(rows.map("\n".join), st.text(max_size=80))
    receipts_form = loaded_once(client, f"/j/orange-county/plans/{pid}/edit/receipts")

    @settings(SETTINGS, max_examples=budget(app, 150))
    @given(csv_texts, st.booleans())
    def run(csv_text, confirm):
        fresh()
        before = snapshot(app, pid)
        token_page = receipts_form()
        data = {"csrf_token": token_page["csrf_token"], "csv_text": csv_text}
        if confirm:
            data["confirm"] = "1"
        response = client.post(url, data=data)
        assert response.status_code in {200, 302} | REFUSED, response.status_code
        if response.status_code != 302:
            assert snapshot(app, pid) == before

    run()


def json_values():
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(10**6), 10**6),
        st.floats(allow_nan=False, allow_infinity=False),
        numbers,
    )
    return st.recursive(
        scalars,
        lambda children: st.one_of(
            st.lists(children, max_size=4),
            st.dictionaries(
                st.sampled_from(
                    [
                        "id",
                        "kind",
                        "fte",
                        "role",
                        "receipts",
                        "years",
                        "start_fy",
                        "line_items",
                        "x",
                    ]
                ),
                children,
                max_size=4,
            ),
        ),
        max_leaves=12,
    )


def test_fuzz_plan_import(app, editor, fresh):
    client, _ = editor
    base = json.loads((EXAMPLES / "minimal.json").read_text())
    keys = [
        "schema",
        "start_fy",
        "years",
        "participants",
        "line_items",
        "fund",
        "name",
        "assumptions",
    ]
    county_page = loaded_once(client, "/j/orange-county/")

    @settings(SETTINGS, max_examples=budget(app, 150))
    @given(
        st.dictionaries(st.sampled_from(keys), json_values(), max_size=4),
        st.binary(max_size=40),
        st.booleans(),
    )
    def run(changes, raw, use_raw):
        fresh()
        with app.app_context():
            count = db.session.scalar(select(db.func.count(PlanRecord.id)))
        document = {**base, **changes}
        body = raw if use_raw else json.dumps(document).encode()
        page = county_page()
        response = client.post(
            "/j/orange-county/plans/import",
            data={"csrf_token": page["csrf_token"], "file": (io.BytesIO(body), "plan.json")},
            content_type="multipart/form-data",
        )
        assert response.status_code in OK | REFUSED, response.status_code
        with app.app_context():
            after = db.session.scalar(select(db.func.count(PlanRecord.id)))
        assert after == count + (1 if response.status_code == 302 else 0)

    run()


texts = st.one_of(
    numbers,
    st.text(max_size=300),
    st.sampled_from(["<script>alert(1)</script>", "' OR 1=1 --", "\x00", "y"]),
)

OTHER_FORMS = {
    # url suffix (under the plan) → fields and values
    "/edit/program": [
        "presented_on",
        "tracks_all_offers",
        "goal_stated",
        "outreach_plan",
        "narrow_disqualifiers",
    ],
    "/edit/authorizations": ["strategy", "amount", "start", "end", "adopted_on"],
    "/add-line/create?kind=service_gap": [
        "label",
        "category",
        "status",
        "units",
        "unit_cost",
        "object_class",
        "justification",
    ],
    "/add-line/create?kind=warm_handoff&mode=on_call": [
        "hours_per_week",
        "stipend_per_hour",
        "after_hours_share",
        "hourly_rate",
    ],
    "/rename": ["name"],
}


@pytest.mark.parametrize("suffix", sorted(OTHER_FORMS))
def test_fuzz_other_plan_forms(app, editor, fresh, suffix):
    client, pid = editor
    url = f"/j/orange-county/plans/{pid}{suffix}"
    fields = OTHER_FORMS[suffix]
    form = loaded_once(client, url)

    @settings(SETTINGS, max_examples=budget(app, 120))
    @given(st.lists(texts, min_size=len(fields), max_size=len(fields)))
    def run(values):
        fresh()
        post_changed_form(app, client, pid, url, fields, values, form)

    run()


def test_fuzz_sign_in_and_new_plan(app, editor, fresh):
    client, _ = editor
    anonymous = app.test_client()

    @settings(SETTINGS, max_examples=budget(app, 150))
    @given(texts, texts, texts, st.sampled_from(["demo", "blank", "other", ""]))
    def run(email, password, name, template):
        fresh()
        token = form_values(anonymous.get("/sign-in").get_data(as_text=True))["csrf_token"]
        response = anonymous.post(
            "/sign-in", data={"email": email, "password": password, "csrf_token": token}
        )
        assert response.status_code in {400, 401, 429}  # 429: the per-address limit
        with app.app_context():
            count = db.session.scalar(select(db.func.count(PlanRecord.id)))
        token = form_values(client.get("/j/orange-county/").get_data(as_text=True))["csrf_token"]
        created = client.post(
            "/j/orange-county/plans/new",
            data={"csrf_token": token, "name": name, "template": template},
        )
        assert created.status_code in OK | REFUSED
        with app.app_context():
            after = db.session.scalar(select(db.func.count(PlanRecord.id)))
        assert after == count + (1 if created.status_code == 302 else 0)

    run()
