"""The pure LEAD cost engine: plan parsing, participants, line items, fund, compliance.

No web, database, PDF or locale library is imported here (an import-linter contract in
setup.cfg keeps it so); every value comes in through frozen objects and `as_of` dates.
"""

from .fiscal import FiscalYearError, fy_label, parse_fy
from .parse import (
    PlanError,
    Problem,
    dump_plan_json,
    load_plan_json,
    parse_plan,
    parse_plan_text,
    plan_to_dict,
)
from .plan import Plan
from .projection import Projection, project, projection_to_dict

__all__ = [
    "FiscalYearError",
    "Plan",
    "PlanError",
    "Problem",
    "Projection",
    "dump_plan_json",
    "fy_label",
    "load_plan_json",
    "parse_fy",
    "parse_plan",
    "parse_plan_text",
    "plan_to_dict",
    "project",
    "projection_to_dict",
]
