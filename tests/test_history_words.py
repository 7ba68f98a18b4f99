"""The history names every change in the editor's words: the uncertainty ranges too, never raw
JSON (planner/present/history.py)."""

from __future__ import annotations

import json

from planner.present.history import describe


def test_a_new_uncertainty_section_is_written_out_range_by_range() -> None:
    section = {
        "draws": 10000,
        "seed": 3,
        "referrals": {"low": "0.6", "mode": "1", "high": "1.2"},
        "salary_escalation": {"low": "0.02", "high": "0.05"},
        "average_months_enrolled": {"low": "12", "high": "24"},
    }
    where, old, new = describe("uncertainty", None, json.dumps(section), {})
    assert where == "Uncertainty ranges"
    assert old == "—"
    # in the order of cost model §12's variables, then the draws and the seed
    assert new == (
        "Referrals (× the plan's) 0.6× to 1.2× (most likely 1×); "
        "Months enrolled 12 months to 24 months; Salary escalation 2% to 5%; "
        "draws 10,000; seed 3"
    )
    assert "{" not in new


def test_one_bound_of_one_range() -> None:
    assert describe("uncertainty.referrals.low", "0.6", "0.5", {}) == (
        "Uncertainty: Referrals (× the plan's), low",
        "0.6×",
        "0.5×",
    )
    assert (
        describe("uncertainty.interest_rate", None, json.dumps({"low": "0", "high": "0.04"}), {})[2]
        == "0% to 4%"
    )
