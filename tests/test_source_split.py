"""The documents' split of the plan's cost by who pays (SF-424A Section A columns)."""

from __future__ import annotations

from planner.scenarios import project
from planner.scenarios.source_split import source_split
from tests.plans import document, parse

LINES = (
    {"id": "a", "kind": "other", "annual_amount": "100000", "escalate": False, "strategy": "A:10"},
    {
        "id": "b",
        "kind": "other",
        "annual_amount": "40000",
        "escalate": False,
        "strategy": "A:10",
        "funded_by": [{"source": "gf", "amounts": {"FY2027-28": "10000"}}],
    },
    {
        "id": "c",
        "kind": "other_strategy",
        "annual_amount": "20000",
        "escalate": False,
        "strategy": "A:1",
    },
)


def test_federal_non_federal_and_settlement_columns_foot_and_cross_foot():
    doc = document(*LINES)
    doc["line_items"][0]["funded_by"] = [{"source": "cossup", "share": "0.75"}]
    doc["funding"] = {
        "sources": [
            {
                "id": "cossup",
                "name": "COSSUP",
                "kind": "grant",
                "start": "2026-10-01",
                "end": "2027-09-30",
            },
            {"id": "gf", "name": "General fund", "kind": "general_fund"},
        ]
    }
    plan = parse(doc)
    split = source_split(plan, project(plan))
    assert split is not None
    # Line a, 100,000 a year: COSSUP pays 0.75 × months/12 × 100,000:
    #   FY2026-27: Oct–Jun = 9 months -> 0.75 × 9/12 × 100,000 = 56,250
    #   FY2027-28: Jul–Sep = 3 months -> 0.75 × 3/12 × 100,000 = 18,750
    #   FY2028-29: 0
    assert split.by_year["federal"] == (56250, 18750, 0)
    # Line b: the general fund pays 10,000 in FY2027-28.
    assert split.by_year["non_federal"] == (0, 10000, 0)
    # Settlement: 160,000 a year of cost less the above.
    assert split.by_year["settlement"] == (160000 - 56250, 160000 - 28750, 160000)
    assert split.by_strategy["A:10"] == {
        "federal": 75000,
        "non_federal": 10000,
        "settlement": 3 * 140000 - 85000,
    }
    assert split.by_strategy["A:1"] == {"federal": 0, "non_federal": 0, "settlement": 60000}
    assert split.total == 3 * 160000 == sum(split.totals.values())
    cossup = split.payers[0]
    assert (cossup.total, cossup.last_fy, cossup.ends_fy) == (75000, 2027, 2027)


def test_no_sources_no_split():
    plan = parse(document(*LINES[:1]))
    assert source_split(plan, project(plan)) is None
