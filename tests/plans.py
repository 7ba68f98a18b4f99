"""Plan documents for the engine tests: a base with every assumption stated, so that the
hand-computed figures depend only on what each test writes down."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from planner.cost_tables import default_cost_tables
from planner.scenarios import Plan, parse_plan, project
from planner.scenarios.parse import load_plan_json
from planner.scenarios.projection import Projection

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

BASE: dict[str, Any] = {
    "schema": "lead-plan/1",
    "name": "Test plan",
    "start_fy": 2026,
    "years": 3,
    "assumptions": {
        "salary_escalation": "0.03",
        "health_escalation": "0.05",
        "inflation": "0.025",
        "fringe_rate": "0.22",
        "health_per_fte": "6000",
        "contract_overhead_rate": "0.15",
        "productive_hours_per_fte": "1792",
        "fte_increment": "0.5",
        "overtime_multiplier": "1.5",
        "overtime_fringe_rate": "0.0765",
        "indirect_rate": "0",
        "discount_rate": "0.03",
    },
    "fund": {"opening_balance": "0", "interest_rate": "0.02", "receipts": {}},
    "participants": {
        "referrals_per_year": {"arrest_diversion": "50"},
        "enrollment_rate": {"arrest_diversion": "0.6", "social_contact": "0.4", "community": "0.5"},
        "ramp": [],
        "average_months_enrolled": 18,
        "initial_active": "0",
    },
    "line_items": [],
}


def document(*lines: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """BASE with these line items; keyword arguments replace top-level sections (a dict
    value is merged into the section)."""
    doc = copy.deepcopy(BASE)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(doc.get(key), dict):
            doc[key] = {**doc[key], **value}
        else:
            doc[key] = value
    doc["line_items"] = [dict(line) for line in lines]
    return doc


def as_json_document(doc: dict[str, Any]) -> Any:
    """What a plan file with this content decodes to (exact decimals, tracked keys)."""
    return load_plan_json(json.dumps(doc))


def parse(doc: dict[str, Any]) -> Plan:
    return parse_plan(as_json_document(doc), default_cost_tables())


def run(*lines: dict[str, Any], **changes: Any) -> Projection:
    return project(parse(document(*lines, **changes)))


def example(name: str) -> Plan:
    return parse_plan(load_plan_json((EXAMPLES / name).read_bytes()), default_cost_tables())


D = Decimal
