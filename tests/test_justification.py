"""A line's justification follows its numbers until the county writes its own, and never
prints an instruction to the planner (scenarios/justification.py)."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from planner.cost_tables import default_cost_tables
from planner.scenarios.justification import justification_text, plural
from planner.scenarios.starting import starting_plan
from tests.plans import example, parse

TABLES = default_cost_tables()
INSTRUCTIONS = ("To assess", "Mark it", "set its units")


def _line(plan, line_id):
    return plan.line(line_id)


def _start(slug: str = "ashe-county"):
    return parse(starting_plan(TABLES, slug, start_fy=2027).document)


def test_the_case_managers_text_says_the_caseloads_the_line_has() -> None:
    plan = _start()
    line = _line(plan, "case-managers")
    assert "no more than 20 and never exceed 25" in justification_text(line)
    tighter = dataclasses.replace(
        line,
        params=dataclasses.replace(
            line.params, caseload_average=Decimal(15), caseload_max=Decimal(20)
        ),
    )
    text = justification_text(tighter)
    assert "no more than 15 and never exceed 20 participants" in text


def test_service_lines_state_their_assessment_and_never_an_instruction() -> None:
    plan = _start()
    housing = _line(plan, "service-housing")
    assert justification_text(housing).startswith("Not yet assessed")
    gap = dataclasses.replace(
        housing,
        params=dataclasses.replace(
            housing.params, status="gap", units=Decimal(1), unit_cost=Decimal(12500)
        ),
    )
    # one unit, not "1 units"
    assert "the fund buys 1 unit a year at $12,500 each" in justification_text(gap)
    adequate = dataclasses.replace(
        housing, params=dataclasses.replace(housing.params, status="adequate")
    )
    assert justification_text(adequate).startswith("Assessed adequate")


def test_a_countys_own_text_wins() -> None:
    line = _line(_start(), "case-managers")
    own = dataclasses.replace(line, justification="Our own words.")
    assert justification_text(own) == "Our own words."


def test_plural_by_hand() -> None:
    assert plural(1, "year") == "1 year"
    assert plural(2, "year") == "2 years"
    assert plural(Decimal("1.5"), "unit") == "1.5 units"


@pytest.mark.parametrize("slug", [place.slug for place in TABLES.jurisdictions])
def test_no_starting_plan_prints_an_instruction(slug: str) -> None:
    plan = _start(slug)
    for line in plan.line_items:
        text = justification_text(line)
        assert text, line.id
        assert not any(words in text for words in INSTRUCTIONS), (line.id, text)


def test_the_demo_keeps_its_own_texts() -> None:
    plan = example("demo-orange-county.json")
    assert all(
        justification_text(line) == line.justification.strip()
        for line in plan.line_items
        if line.justification.strip()
    )


# ----------------------------------------------------------------- contradictions (issue 23)


def _with(line, text: str, **params):
    return dataclasses.replace(
        line, justification=text, params=dataclasses.replace(line.params, **params)
    )


def test_a_caseload_the_text_states_and_the_line_does_not_have_is_flagged() -> None:
    from planner.scenarios.justification import contradictions

    line = _line(_start(), "case-managers")
    # the review's case: caseloads set to 15/20, the county's text still says 20 and 25
    stale = _with(
        line,
        "Caseloads average no more than 20 and never exceed 25 participants (LEAD Support "
        "Bureau caseload guidance: an average of at most 20, never more than 25).",
        caseload_average=Decimal(15),
        caseload_max=Decimal(20),
    )
    found = contradictions(stale)
    # 20 is the line's maximum; 25 is none of its caseloads; the cited guidance is not judged
    assert [(c.what, c.stated, c.line_values) for c in found] == [
        ("caseload", Decimal(25), (Decimal(15), Decimal(20)))
    ]
    agreed = _with(stale, "Caseloads of 15 on average, never more than 20, since 2027.")
    assert contradictions(agreed) == ()
    # the text written from the numbers is never judged
    assert contradictions(_with(stale, "")) == ()


def test_fte_hours_units_and_dollars_against_the_line() -> None:
    from planner.scenarios.justification import contradictions

    plan = _start()
    analyst = _line(plan, "data-analyst")  # 0.5 FTE
    assert [c.stated for c in contradictions(_with(analyst, "A 1.0 FTE analyst."))] == [
        Decimal("1.0")
    ]
    assert contradictions(_with(analyst, "A half-time (0.5 FTE) analyst.")) == ()
    housing = _with(
        _line(plan, "service-housing"),
        "4 beds at $13,500 a year each.",
        status="gap",
        units=Decimal(3),
        unit_cost=Decimal(13500),
    )
    # 4 beds against 3 units; $13,500 is the unit cost
    assert [(c.what, c.stated) for c in contradictions(housing)] == [("units", Decimal(4))]
    training = _with(_line(plan, "officer-training"), "Training for 140 officers, 8 hours each.")
    officers = training.params.officers
    assert [(c.what, c.stated) for c in contradictions(training)] == (
        [] if officers == 140 else [("officers", Decimal(140))]
    )
    support = _with(_line(plan, "participant-support"), "Flexible funds of $600 a year.")
    # $600 is neither the per-participant amount nor one of the line's yearly costs
    assert [c.what for c in contradictions(support)] == ["dollars"]
    assert contradictions(support, amounts=[Decimal(600)]) == ()


def _amounts(line) -> tuple[list[Decimal], tuple[Decimal, ...]]:
    from planner.scenarios import project

    plan = _start()
    plan = dataclasses.replace(
        plan, line_items=tuple(line if li.id == line.id else li for li in plan.line_items)
    )
    projected = next(p for p in project(plan).line_items if p.id == line.id)
    return [Decimal(v) for v in (*projected.by_year, projected.total)], projected.fte


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from tests.strategies import examples  # noqa: E402

_WHOLE = st.integers(min_value=1, max_value=400).map(Decimal)


@settings(max_examples=examples(40), deadline=None)
@given(
    average=st.integers(min_value=5, max_value=20),
    extra=st.integers(min_value=0, max_value=5),
    units=_WHOLE,
    cost=st.integers(min_value=100, max_value=200_000).map(Decimal),
    officers=st.integers(min_value=1, max_value=900),
    hours=st.sampled_from([Decimal(4), Decimal(8), Decimal("12.5"), Decimal(40)]),
)
def test_the_text_written_from_the_numbers_never_contradicts_them(
    average, extra, units, cost, officers, hours
) -> None:
    """The writer and the checker read the same numbers: a county that pastes the written
    text as its own is never warned (issue 23, point 6)."""
    from planner.scenarios.justification import contradictions, default_justification

    plan = _start()
    changed = [
        dataclasses.replace(
            plan.line("case-managers"),
            params=dataclasses.replace(
                plan.line("case-managers").params,
                caseload_average=Decimal(average),
                caseload_max=Decimal(average + extra),
            ),
        ),
        dataclasses.replace(
            plan.line("service-housing"),
            params=dataclasses.replace(
                plan.line("service-housing").params, status="gap", units=units, unit_cost=cost
            ),
        ),
        dataclasses.replace(
            plan.line("officer-training"),
            params=dataclasses.replace(
                plan.line("officer-training").params, officers=officers, initial_hours=hours
            ),
        ),
        plan.line("data-analyst"),
        plan.line("warm-handoff"),
        plan.line("participant-support"),
        plan.line("phones"),
    ]
    for line in changed:
        own = dataclasses.replace(line, justification=default_justification(line))
        amounts, ftes = _amounts(own)
        assert contradictions(own, amounts, ftes) == (), own.justification
