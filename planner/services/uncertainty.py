"""The uncertainty ranges of a stored plan (cost model §12), saved through the plan's
versioned save path (the analysis itself is cached in `planner.services.analyses`)."""

from __future__ import annotations

from typing import Any

from planner.models import PlanRecord, User
from planner.scenarios import Plan
from planner.services import DbSession
from planner.services.plans import document_of, normalized, update_plan


def save_ranges(
    session: DbSession,
    record: PlanRecord,
    user: User | None,
    section: dict[str, Any] | None,
    *,
    expected_version: int | None,
) -> Plan:
    """Store (or, with None, remove) the plan's `uncertainty` section; raises PlanError with
    each problem's path (`uncertainty.referrals.low`), StaleVersion or PlanFrozen."""

    def change(document: dict[str, Any]) -> None:
        if section is None:
            document.pop("uncertainty", None)
        else:
            document["uncertainty"] = section

    return update_plan(
        session,
        record,
        user,
        change,
        expected_version=expected_version,
        action="edited the uncertainty ranges",
    )


def check_ranges(record: PlanRecord, section: dict[str, Any] | None) -> Plan:
    """The plan with this section, parsed and not saved (raises PlanError)."""
    document = document_of(record)
    if section is None:
        document.pop("uncertainty", None)
    else:
        document["uncertainty"] = section
    return normalized(document)[0]
