"""The statewide figures of one plan and who is behind on a day (scenarios/statewide.py),
checked by hand on the demo plan; the runway chart parses."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from decimal import ROUND_HALF_UP, Decimal

from planner.cost_tables import default_cost_tables
from planner.scenarios import project
from planner.scenarios.statewide import ReportDue, affordability, behind, plan_figures
from tests.plans import example

TABLES = default_cost_tables()
AS_OF = dt.date(2026, 12, 7)


def test_the_demo_plans_figures():
    plan = example("demo-orange-county.json")
    projection = project(plan)
    figures = plan_figures(plan, projection, TABLES, AS_OF)
    # Receipts FY2026-27 to FY2038-39: 1,019,496 + 1,003,000 + 985,000 + 962,000 + 948,000
    # + 931,000 + 915,000 + 902,000 + 886,000 + 640,000 + 612,000 + 598,000 + 575,000.
    assert figures.receipts == 10_976_496
    assert figures.opening_balance == 1_450_000
    # The fund first closes below $0 in FY2042-43: 2042 − 2026 = 16 FYs of 18.
    assert figures.first_deficit_fy == 2042
    assert figures.runway_years == 16
    assert figures.closing_balance == projection.fund.closing[-1]
    # Opening + receipts + interest − spending = closing (the fund's identity, §6).
    assert (
        figures.opening_balance
        + figures.receipts
        + projection.fund.interest_total
        - figures.spending
        == figures.closing_balance
    )
    assert sum(figures.by_strategy.values()) == sum(projection.settlement_by_year)
    assert figures.fidelity_rules == 11
    assert 0 <= figures.fidelity_passing <= figures.fidelity_rules
    assert figures.participants == Decimal("793.50")
    # Cost per participant: the LEAD lines' cost ÷ the participants, to the dollar.
    per = (figures.lead_cost / Decimal("793.50")).quantize(Decimal(1), ROUND_HALF_UP)
    assert figures.cost_per_participant == per
    # The two authorizations cover FY2026-27 alone; both strategies spend every FY.
    assert figures.unauthorized_fys == tuple(range(2027, 2044))
    assert [r.fy for r in figures.reports] == list(range(2026, 2044))
    assert figures.reports[0].due_on == dt.date(2027, 9, 28)


def test_who_is_behind_on_a_day():
    reports = (
        ReportDue(2026, dt.date(2027, 9, 28), True),
        ReportDue(2027, dt.date(2028, 9, 28), False),
        ReportDue(2028, dt.date(2029, 9, 28), False),
    )
    # September 28, 2028 is FY2028-29: FY2027-28 and FY2028-29 have begun; FY2027-28's
    # report is due that day, not yet late.
    found = behind((2027, 2028, 2030), reports, dt.date(2028, 9, 28))
    assert found.authorizations == (2027, 2028)
    assert found.reports == ()
    # A day later it is late; FY2026-27's was filed.
    assert behind((), reports, dt.date(2028, 9, 29)).reports == (2027,)
    assert not behind((2030,), reports[:1], dt.date(2028, 9, 29)).any


def test_a_governments_means_against_the_smallest_program():
    found = affordability(TABLES, "orange-county", start_fy=2027, as_of=AS_OF)
    assert found.estimated
    assert found.receipts is not None
    assert found.receipts > 0
    assert found.sustains is not None
    assert found.smallest_yearly > 0
    unknown = affordability(TABLES, "ashe-county", start_fy=2027, as_of=AS_OF)
    assert unknown.sustains is None
    assert unknown.receipts is None
    # The smallest program is the same plan for both: the cost tables' defaults.
    assert unknown.smallest_yearly == found.smallest_yearly


def test_the_runway_chart_parses_and_marks_a_short_fund():
    from planner.present.statewide import runway_svg
    from planner.scenarios.statewide import Behind
    from planner.services.statewide import Row

    def row(name: str, runway: int) -> Row:
        return Row(
            slug=name.lower(), name=name, kind="county", plans=1, plan_id=1, plan_name="p",
            status="draft", first_fy=2026, last_fy=2043, receipts=1, opening_balance=0,
            closing_balance=0, runway_years=runway, years=18, participants=Decimal(1),
            cost_per_participant=1, fidelity_passing=1, fidelity_rules=11, by_strategy={},
            behind=Behind((), ()), estimated_receipts=None, smallest_yearly=None,
            sustains=None, gap_per_year=None,
        )  # fmt: skip

    svg = runway_svg([row("Lasts <&>", 18), row("Short", 9)])
    assert svg is not None
    root = ET.fromstring(svg)  # noqa: S314 - the SVG is our own output
    assert "1 of the 2 plans shown run out" in "".join(root.itertext())
    assert "#B30000" in svg  # the short one in the deficit colour
    assert runway_svg([]) is None
