"""The plan documents the app projects: a stored plan with its jurisdiction's recorded
actuals for its closed FYs (cost model §11 `actuals`), and a decoded plan file split back into
the plan and its actuals."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.models import FundActual, Jurisdiction, PlanRecord
from planner.scenarios import FiscalYearError, fy_label, parse_fy
from planner.services import DbSession

ACTUALS_KEY = "actuals"


def records_of(session: DbSession, jurisdiction: Jurisdiction) -> dict[int, FundActual]:
    """The jurisdiction's recorded FYs, in order."""
    found = session.scalars(
        select(FundActual)
        .where(FundActual.jurisdiction_id == jurisdiction.id)
        .order_by(FundActual.fiscal_year)
    )
    return {r.fiscal_year: r for r in found}


def entry_of(record: FundActual) -> dict[str, Any]:
    return json.loads(record.entry)


def entries_of(session: DbSession, jurisdiction: Jurisdiction) -> dict[int, dict[str, Any]]:
    return {fy: entry_of(r) for fy, r in records_of(session, jurisdiction).items()}


def applied_fys(start_fy: int, years: int, recorded: Iterable[int]) -> list[int]:
    """The FYs of a plan whose actuals apply: the recorded run from the plan's first FY
    without a gap (§11: the closed FYs are the plan's first FYs)."""
    have = set(recorded)
    found = []
    for fy in range(start_fy, start_fy + years):
        if fy not in have:
            break
        found.append(fy)
    return found


def document_span(document_text: str) -> tuple[int, int] | None:
    try:
        document = json.loads(document_text)
        return parse_fy(document["start_fy"]), int(document["years"])
    except (ValueError, KeyError, TypeError, FiscalYearError):
        return None


def projected_document(record: Any) -> str:
    """The plan document every page, PDF, workbook, chart and export projects: the stored
    plan with the jurisdiction's actuals for its closed FYs (§11 `actuals`). A stored plan
    never carries them itself; anything but a stored plan (a cached text) is returned as is.
    """
    if not isinstance(record, PlanRecord):
        return record.document
    span = document_span(record.document)
    if span is None:
        return record.document
    session = Session.object_session(record)
    if session is None:
        return record.document
    entries = entries_of(session, record.jurisdiction)
    fys = applied_fys(*span, entries)
    if not fys:
        return record.document
    return with_actuals(record.document, {fy: entries[fy] for fy in fys})


def with_actuals(document_text: str, entries: Mapping[int, Mapping[str, Any]]) -> str:
    """The plan file's text with an `actuals` section (the stored text is kept byte for
    byte, so its numbers stay exact)."""
    body = document_text.rstrip()
    if not body.endswith("}"):
        return document_text
    section = json.dumps(
        {fy_label(fy): dict(entries[fy]) for fy in sorted(entries)}, ensure_ascii=False
    )
    head = body[:-1].rstrip()
    joiner = "" if head.endswith("{") else ","
    return f'{head}{joiner}\n  "{ACTUALS_KEY}": {section}\n}}\n'


def without_actuals(document: Any) -> tuple[Any, dict[int, dict[str, Any]] | None]:
    """A decoded plan file split into the plan and its `actuals` section by FY (None when
    it has none, or when the section is not an object of FYs: the engine reports that)."""
    if not isinstance(document, dict) or ACTUALS_KEY not in document:
        return document, None
    section = document.get(ACTUALS_KEY)
    if not isinstance(section, dict):
        return document, None
    found: dict[int, dict[str, Any]] = {}
    for key, entry in section.items():
        try:
            found[parse_fy(key)] = _plain(entry)
        except FiscalYearError:
            return document, None
    rest = {k: v for k, v in document.items() if k != ACTUALS_KEY}
    return rest, found


def _plain(value: Any) -> Any:
    """A decoded value with its numbers as their text (the way the records keep them)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, (bool, str)) or value is None:
        return value
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)
