"""A jurisdiction's actuals (cost model §11): stored once per closed FY, applied to every plan
of the jurisdiction that covers the FY, entered by a form or a ledger CSV (previewed first).

Every check names its problem with a structured `code` (tests and pages read the code, not
the wording). Functions take the session and never commit: the view owns the transaction.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from planner.cost_tables import default_cost_tables
from planner.models import ActualChange, FundActual, Jurisdiction, User
from planner.models.base import utcnow
from planner.scenarios import FiscalYearError, PlanError, fy_label, load_plan_json, parse_fy
from planner.scenarios.actuals import parse_actuals_section
from planner.scenarios.fields import CAP
from planner.scenarios.fiscal import fy_of
from planner.scenarios.parse import Field, check_field, money
from planner.scenarios.plan import PATHWAYS
from planner.services import DbSession
from planner.services.plan_documents import (
    ACTUALS_KEY,
    document_span,
    entry_of,
    records_of,
)
from planner.services.plans import diff_documents, plans_of

LEDGER_ITEMS = ("receipts", "interest", "audit_costs", "spending")
PROGRAM_ITEMS = ("referrals", "enrolled")
ITEMS = LEDGER_ITEMS + PROGRAM_ITEMS
UNASSIGNED = "unassigned"
CSV_COLUMNS = ("fiscal_year", "item", "strategy_or_pathway", "amount")
ITEM_NAMES = {
    "receipts": "Settlement funds received",
    "interest": "Interest earned",
    "audit_costs": "Audit costs",
    "spending": "Spent",
    "referrals": "Referrals",
    "enrolled": "Enrolled",
    "reported_on": "Exhibit E filed on",
}
PATHWAY_NAMES = {
    "arrest_diversion": "arrest diversion",
    "social_contact": "social contact",
    "community": "community",
}
_INTEREST = Field("interest", "number", low=-CAP, cap=CAP)  # a loss may be negative (§11)


# ------------------------------------------------------------------------ problems


@dataclass(frozen=True)
class ActualsProblem:
    """One reason actuals cannot be saved. `code` is one of: columns, fiscal_year, item,
    amount, negative, duplicate, unknown_strategy, unknown_pathway, required,
    outside_plan, not_ended, gap, stale, too_many, not_csv, empty, date."""

    code: str
    message: str
    fiscal_year: int | None = None
    line: int | None = None  # the CSV line
    field: str = ""  # the form field or the entry's key (`spending.A:10`)

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line else ""
        return where + self.message


class ActualsError(ValueError):
    def __init__(self, problems: Iterable[ActualsProblem]):
        self.problems = tuple(problems)
        super().__init__("; ".join(str(p) for p in self.problems))


class StaleActuals(Exception):  # noqa: N818 - what the user sees
    """The FY's record changed since the page was shown."""

    def __init__(self, record: FundActual | None):
        self.record = record
        super().__init__("the actuals changed since the page was shown")


# ------------------------------------------------------------------------ reading records


def outcomes_of(record: FundActual | None) -> dict[str, dict[str, str]]:
    return json.loads(record.outcomes or "{}") if record is not None else {}


# ------------------------------------------------------------------------ checking entries


def _typed(text: Any) -> Any:
    """An amount as typed (`$1,019,496.00`, a ledger's `(1,234)`) as the plain text the engine
    reads; anything else unchanged."""
    if not isinstance(text, str):
        return text
    raw = text.strip().replace(",", "").replace("$", "")
    if raw.startswith("(") and raw.endswith(")"):
        raw = "-" + raw[1:-1]  # a ledger's (1,234) is a negative amount
    return raw


def _amount(
    text: Any,
    name: str,
    *,
    fy: int,
    key: str,
    line: int | None = None,
    allow_negative: bool = False,
) -> tuple[Decimal | None, ActualsProblem | None]:
    """One amount as typed (`$1,019,496.00`), checked on its text first (§15)."""
    raw = _typed(text)
    value, problem = check_field(
        _INTEREST if allow_negative else money(name), raw, default_cost_tables()
    )
    if problem is None:
        return value, None
    signed, again = check_field(_INTEREST, raw, default_cost_tables())
    negative = again is None and signed is not None and signed < 0 and not allow_negative
    return None, ActualsProblem(
        "negative" if negative else "amount", f"{name} {problem}", fy, line, key
    )


def known_strategy(code: str) -> bool:
    return code == UNASSIGNED or default_cost_tables().strategy_title(code) is not None


def check_entry(fy: int, entry: Mapping[str, Any]) -> list[ActualsProblem]:
    """The problems of one FY's §11 entry (amounts as typed); [] when it can be saved.

    The engine reads the entry exactly as in a plan file (`scenarios.actuals.read_actuals`):
    it is the one judge of the entry's items, what is required, the filing date and the
    amounts' limits, in one wording. This adds only what a form or a ledger needs besides:
    amounts typed with `$`, `,` or a ledger's parentheses, named as the page names them, and
    strategies that the cost tables know (the engine checks a code's form only)."""
    problems: list[ActualsProblem] = []
    for key in ("receipts", "interest", "audit_costs", "enrolled"):
        if entry.get(key) not in (None, ""):
            _, problem = _amount(
                entry[key], ITEM_NAMES[key], fy=fy, key=key, allow_negative=key == "interest"
            )
            problems += [problem] if problem else []
    spending = entry.get("spending", {})
    for code, amount in spending.items() if isinstance(spending, Mapping) else ():
        if not known_strategy(code):
            problems.append(
                ActualsProblem(
                    "unknown_strategy",
                    f"'{code}' is not a strategy of MOA Exhibit A or B (or 'unassigned')",
                    fy,
                    field=f"spending.{code}",
                )
            )
            continue
        _, problem = _amount(amount, f"spending on {code}", fy=fy, key=f"spending.{code}")
        problems += [problem] if problem else []
    referrals = entry.get("referrals", {})
    for pathway, amount in referrals.items() if isinstance(referrals, Mapping) else ():
        if pathway in PATHWAYS:
            _, problem = _amount(
                amount, f"referrals by {PATHWAY_NAMES[pathway]}", fy=fy, key=f"referrals.{pathway}"
            )
            problems += [problem] if problem else []
    flagged = {p.field for p in problems}
    return problems + [p for p in _engine_problems(fy, entry) if p.field not in flagged]


def _engine_code(key: str, entry: Mapping[str, Any]) -> str:
    """The code of an engine problem at the entry's `key` (`spending.A:10`)."""
    top, _, rest = key.partition(".")
    if top == "reported_on":
        return "date"
    if top not in ITEM_NAMES:
        return "item"
    if top == "referrals" and rest and rest not in PATHWAYS:
        return "unknown_pathway"
    if key == top and entry.get(top) in (None, ""):
        return "required"
    return "amount"


def _engine_problems(fy: int, entry: Mapping[str, Any]) -> list[ActualsProblem]:
    """The engine's own reading of the entry (exactly as in a plan file; amounts as plain
    text), its problems named by the entry's key."""
    plain = {
        key: (
            {k: _typed(v) for k, v in value.items()}
            if isinstance(value, Mapping)
            else value
            if key == "reported_on"
            else _typed(value)
        )
        for key, value in entry.items()
        if value is not None and value != ""  # an empty optional item is left out
    }
    section = load_plan_json(json.dumps({fy_label(fy): plain}))
    try:
        parse_actuals_section(section, default_cost_tables())
    except PlanError as error:
        prefix = f"{ACTUALS_KEY}.{fy_label(fy)}."
        found = []
        for p in error.problems:
            key = p.path.removeprefix(prefix)
            found.append(ActualsProblem(_engine_code(key, entry), p.message, fy, field=key))
        return found
    return []


def clean_entry(entry: Mapping[str, Any]) -> dict[str, Any]:
    """An entry as stored: amounts as plain decimal text (no `$` or `,`), empty optional
    items left out, keys in §11's order, strategies and pathways in their given order."""

    def number(text: Any, negative: bool = False) -> str:
        value, _ = _amount(text, "amount", fy=0, key="", allow_negative=negative)
        assert value is not None  # noqa: S101 - checked by check_entry first
        return (
            format(value.normalize(), "f")
            if value == value.to_integral_value()
            else format(value, "f")
        )

    found: dict[str, Any] = {
        "receipts": number(entry["receipts"]),
        "interest": number(entry["interest"], True),
    }
    if entry.get("audit_costs") not in (None, ""):
        found["audit_costs"] = number(entry["audit_costs"])
    found["spending"] = {code: number(v) for code, v in (entry.get("spending") or {}).items()}
    referrals = {
        p: number(v) for p, v in (entry.get("referrals") or {}).items() if v not in (None, "")
    }
    if referrals:
        found["referrals"] = referrals
    if entry.get("enrolled") not in (None, ""):
        found["enrolled"] = number(entry["enrolled"])
    if entry.get("reported_on") not in (None, ""):
        found["reported_on"] = str(entry["reported_on"])
    return found


# ------------------------------------------------------------------------ which FYs


def plan_spans(session: DbSession, jurisdiction: Jurisdiction) -> list[tuple[int, int]]:
    """(first FY, years) of each of the jurisdiction's plans."""
    return [
        span
        for r in plans_of(session, jurisdiction)
        if (span := document_span(r.document)) is not None
    ]


def check_fys(
    fys: Iterable[int],
    recorded: Iterable[int],
    spans: list[tuple[int, int]],
    as_of: dt.date,
    *,
    plan_span: tuple[int, int] | None = None,
    lines: Mapping[int, int] | None = None,
) -> list[ActualsProblem]:
    """FYs to be recorded: each has ended by `as_of`, lies inside the plan (`plan_span`, the
    plan the user came from) or inside one of the jurisdiction's plans, and leaves no gap
    in the recorded FYs (each new FY's predecessor is recorded, is among the new ones, or
    comes before the plan and every record)."""
    new = sorted(set(fys))
    lines = lines or {}
    have = set(recorded) | set(new)
    problems: list[ActualsProblem] = []
    current = fy_of(as_of)
    covering = [plan_span] if plan_span else spans
    lower = min(have) if have else 0
    if plan_span:
        lower = min(lower, plan_span[0])
    for fy in new:
        line = lines.get(fy)
        if fy >= current:
            problems.append(
                ActualsProblem(
                    "not_ended",
                    f"{fy_label(fy)} has not ended (it ends June 30, {fy + 1}): "
                    "actuals are for closed FYs",
                    fy,
                    line,
                    "fiscal_year",
                )
            )
        elif not any(start <= fy < start + years for start, years in covering):
            where = "this plan's FYs" if plan_span else "the FYs of any of the jurisdiction's plans"
            problems.append(
                ActualsProblem(
                    "outside_plan", f"{fy_label(fy)} is outside {where}", fy, line, "fiscal_year"
                )
            )
        elif fy > lower and fy - 1 not in have:
            problems.append(
                ActualsProblem(
                    "gap",
                    f"{fy_label(fy)} leaves a gap: {fy_label(fy - 1)} has no actuals "
                    "(closed FYs follow each other; enter the earlier FY first)",
                    fy,
                    line,
                    "fiscal_year",
                )
            )
    return problems


def next_fy(records: Iterable[int], current: int) -> int | None:
    """The closed FY to record next: the one after the last recorded (None when that one
    has not ended); the FY just ended when nothing is recorded."""
    have = sorted(records)
    candidate = have[-1] + 1 if have else current - 1
    return candidate if candidate < current else None


# ------------------------------------------------------------------------ saving


def _record_change(
    session: DbSession,
    jurisdiction: Jurisdiction,
    fy: int,
    user: User | None,
    action: str,
    path: str,
    old: Any,
    new: Any,
) -> None:
    def text(value: Any) -> str | None:
        if value is None or isinstance(value, str):
            return value
        return json.dumps(value, ensure_ascii=False, sort_keys=True)

    session.add(
        ActualChange(
            jurisdiction_id=jurisdiction.id,
            fiscal_year=fy,
            user_id=user.id if user else None,
            user_email=user.email if user else None,
            action=action,
            path=path,
            old_value=text(old),
            new_value=text(new),
        )
    )


def _diff(before: Any, after: Any, path: str = "") -> list[tuple[str, Any, Any]]:
    return diff_documents(before, after, path)


def save_fy(
    session: DbSession,
    jurisdiction: Jurisdiction,
    user: User | None,
    fy: int,
    entry: Mapping[str, Any],
    *,
    expected_version: int | None,
    as_of: dt.date,
    action: str,
    plan_span: tuple[int, int] | None = None,
) -> FundActual:
    """Record one FY's figures (a new FY, or a change): checked FY and entry, the version
    the page showed (0 for a new FY), each changed value in the history. Raises
    ActualsError (nothing saved) or StaleActuals."""
    records = records_of(session, jurisdiction)
    record = records.get(fy)
    shown = 0 if record is None else record.version
    if expected_version is not None and expected_version != shown:
        raise StaleActuals(record)
    problems = check_entry(fy, entry)
    if record is None:
        problems = (
            check_fys([fy], records, plan_spans(session, jurisdiction), as_of, plan_span=plan_span)
            + problems
        )
    if problems:
        raise ActualsError(problems)
    cleaned = clean_entry(entry)
    before = entry_of(record) if record is not None else None
    if record is None:
        record = FundActual(
            jurisdiction_id=jurisdiction.id,
            fiscal_year=fy,
            entry=json.dumps(cleaned, ensure_ascii=False),
            outcomes="{}",
        )
        session.add(record)
        _record_change(session, jurisdiction, fy, user, action, "", None, cleaned)
    elif before != cleaned:
        record.entry = json.dumps(cleaned, ensure_ascii=False)
        record.updated_at = utcnow()
        for path, old, new in _diff(before, cleaned):
            _record_change(session, jurisdiction, fy, user, action, path, old, new)
    session.flush()
    return record


def save_outcomes(
    session: DbSession,
    jurisdiction: Jurisdiction,
    user: User | None,
    fy: int,
    outcomes: Mapping[str, Mapping[str, str]],
    *,
    expected_version: int | None,
) -> FundActual:
    """Keep the Exhibit F impact measures filled in for a recorded FY ({strategy:
    {measure: text}}; blank measures are left out)."""
    record = records_of(session, jurisdiction).get(fy)
    if record is None:
        raise ActualsError(
            [ActualsProblem("required", f"enter {fy_label(fy)}'s actuals first", fy)]
        )
    if expected_version is not None and expected_version != record.version:
        raise StaleActuals(record)
    limit = default_cost_tables().limits
    assert limit is not None  # noqa: S101
    cleaned: dict[str, dict[str, str]] = {}
    problems = []
    for strategy, measures in outcomes.items():
        for key, value in measures.items():
            text = (value or "").strip()
            if len(text) > limit.short_text_max * 10:
                problems.append(
                    ActualsProblem(
                        "amount",
                        f"{key} is longer than {limit.short_text_max * 10} characters",
                        fy,
                        field=f"{strategy}.{key}",
                    )
                )
            elif text:
                cleaned.setdefault(strategy, {})[key] = text
    if problems:
        raise ActualsError(problems)
    before = outcomes_of(record)
    if before != cleaned:
        record.outcomes = json.dumps(cleaned, ensure_ascii=False)
        record.updated_at = utcnow()
        for path, old, new in _diff(before, cleaned, "outcomes"):
            _record_change(
                session, jurisdiction, fy, user, "filled the impact report", path, old, new
            )
        session.flush()
    return record


def delete_fy(
    session: DbSession,
    jurisdiction: Jurisdiction,
    user: User | None,
    fy: int,
    *,
    expected_version: int | None,
) -> None:
    """Remove a FY's record: only the first or the last recorded FY (no gap is left)."""
    records = records_of(session, jurisdiction)
    record = records.get(fy)
    if record is None:
        raise ActualsError([ActualsProblem("required", f"{fy_label(fy)} has no actuals", fy)])
    if expected_version is not None and expected_version != record.version:
        raise StaleActuals(record)
    if fy - 1 in records and fy + 1 in records:
        raise ActualsError(
            [
                ActualsProblem(
                    "gap",
                    f"removing {fy_label(fy)} would leave a gap between {fy_label(fy - 1)} "
                    f"and {fy_label(fy + 1)}",
                    fy,
                )
            ]
        )
    _record_change(
        session, jurisdiction, fy, user, "removed the FY's actuals", "", entry_of(record), None
    )
    session.delete(record)
    session.flush()


# ------------------------------------------------------------------------ the ledger CSV


@dataclass(frozen=True)
class CsvRow:
    line: int
    fiscal_year: int
    item: str
    key: str  # the strategy or pathway ("" for the FY's own items)
    amount: str  # as checked, plain decimal text


@dataclass(frozen=True)
class ActualsCsv:
    rows: tuple[CsvRow, ...]
    problems: tuple[ActualsProblem, ...]
    items: Mapping[int, frozenset[str]] = field(default_factory=dict)  # items given per FY

    def entries(self) -> dict[int, dict[str, Any]]:
        """The uploaded figures by FY, as §11 entries."""
        found: dict[int, dict[str, Any]] = {}
        for row in self.rows:
            entry = found.setdefault(row.fiscal_year, {"spending": {}})
            if row.item in ("spending", "referrals"):
                entry.setdefault(row.item, {})[row.key] = row.amount
            else:
                entry[row.item] = row.amount
        return found


_SPAN = re.compile(r"^(?:FY\s*)?([0-9]{4})\s*[-–]\s*([0-9]{2}|[0-9]{4})$", re.IGNORECASE)


def _csv_fy(text: str) -> int:
    span = _SPAN.match(text.strip())
    if span:
        start, end = int(span.group(1)), span.group(2)
        if int(end[-2:]) != (start + 1) % 100:
            raise FiscalYearError(f"'{text}' is not a fiscal year")
        return parse_fy(str(start))
    return parse_fy(text.strip())


CSV_TEMPLATE = (
    ",".join(CSV_COLUMNS) + "\n"
    "FY2025-26,receipts,,1019496.00\n"
    "FY2025-26,interest,,31250.00\n"
    "FY2025-26,audit_costs,,2500.00\n"
    "FY2025-26,spending,A:10,402113.00\n"
    "FY2025-26,spending,A:7,44870.00\n"
    "FY2025-26,referrals,arrest_diversion,35\n"
    "FY2025-26,referrals,social_contact,22\n"
    "FY2025-26,referrals,community,9\n"
    "FY2025-26,enrolled,,33\n"
)


def read_actuals_csv(text: str) -> ActualsCsv:
    """The rows of a ledger CSV (`fiscal_year,item,strategy_or_pathway,amount`; a header
    row is optional) and their problems, within the §15 limits."""
    limits = default_cost_tables().limits
    assert limits is not None  # noqa: S101
    rows: list[CsvRow] = []
    problems: list[ActualsProblem] = []
    seen: dict[tuple[int, str, str], int] = {}
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    records: list[list[str]] = []
    try:
        for record in reader:
            if len(records) >= limits.csv_rows_max:
                return ActualsCsv(
                    (),
                    (
                        ActualsProblem(
                            "too_many",
                            f"the file has more than {limits.csv_rows_max:,} lines",
                            line=limits.csv_rows_max + 1,
                        ),
                    ),
                )
            records.append(record)
    except csv.Error as error:
        return ActualsCsv(
            (), (ActualsProblem("not_csv", f"not CSV ({error})", line=reader.line_num),)
        )
    for number, record in enumerate(records, start=1):
        if not record or all(not cell.strip() for cell in record):
            continue
        if number == 1 and record[0].strip().lower() in ("fiscal_year", "fy", "fiscal year"):
            continue
        if len(record) != len(CSV_COLUMNS):
            problems.append(
                ActualsProblem(
                    "columns",
                    f"expected {len(CSV_COLUMNS)} columns ({','.join(CSV_COLUMNS)}), "
                    f"found {len(record)}",
                    line=number,
                )
            )
            continue
        fy_text, item, key, amount_text = (cell.strip() for cell in record)
        item = item.lower()
        try:
            fy = _csv_fy(fy_text)
        except FiscalYearError as error:
            problems.append(
                ActualsProblem(
                    "fiscal_year", f"fiscal_year {error}", line=number, field="fiscal_year"
                )
            )
            continue
        if item not in ITEMS:
            problems.append(
                ActualsProblem(
                    "item",
                    f"item '{item[:40]}' is not one of {', '.join(ITEMS)}",
                    fy,
                    number,
                    "item",
                )
            )
            continue
        if item == "spending":
            key = key or UNASSIGNED
            if not known_strategy(key):
                problems.append(
                    ActualsProblem(
                        "unknown_strategy",
                        f"'{key[:40]}' is not a strategy of MOA Exhibit A or B "
                        "(write a code such as A:10, or 'unassigned')",
                        fy,
                        number,
                        "strategy_or_pathway",
                    )
                )
                continue
        elif item == "referrals":
            if key not in PATHWAYS:
                problems.append(
                    ActualsProblem(
                        "unknown_pathway",
                        f"'{key[:40]}' is not a pathway ({', '.join(PATHWAYS)})",
                        fy,
                        number,
                        "strategy_or_pathway",
                    )
                )
                continue
        elif key:
            problems.append(
                ActualsProblem(
                    "item",
                    f"{item} takes no strategy or pathway (found '{key[:40]}')",
                    fy,
                    number,
                    "strategy_or_pathway",
                )
            )
            continue
        value, problem = _amount(
            amount_text,
            "amount",
            fy=fy,
            key="amount",
            line=number,
            allow_negative=item == "interest",
        )
        if problem is not None:
            problems.append(problem)
            continue
        assert value is not None  # noqa: S101
        where = (fy, item, key)
        if where in seen:
            problems.append(
                ActualsProblem(
                    "duplicate",
                    f"{fy_label(fy)} {item} {key} is already on line {seen[where]}",
                    fy,
                    number,
                    "item",
                )
            )
            continue
        seen[where] = number
        rows.append(CsvRow(number, fy, item, key, format(value, "f")))
    given: dict[int, set[str]] = {}
    for row in rows:
        given.setdefault(row.fiscal_year, set()).add(row.item)
    for fy, items in sorted(given.items()):
        for item in ("receipts", "interest"):
            if item not in items:
                problems.append(
                    ActualsProblem(
                        "required",
                        f"{fy_label(fy)} has no {item} row (write 0 when there were none)",
                        fy,
                        field=item,
                    )
                )
    if not rows and not problems:
        problems.append(
            ActualsProblem("empty", f"the file has no rows (write {','.join(CSV_COLUMNS)})", line=1)
        )
    if len(problems) > limits.csv_problems_shown:
        more = len(problems) - limits.csv_problems_shown
        problems = [
            *problems[: limits.csv_problems_shown],
            ActualsProblem("too_many", f"… and {more:,} more problems"),
        ]
    return ActualsCsv(
        tuple(sorted(rows, key=lambda r: (r.fiscal_year, r.line))),
        tuple(problems),
        {fy: frozenset(v) for fy, v in given.items()},
    )


# ------------------------------------------------------------------------ previews


@dataclass(frozen=True)
class ValueChange:
    what: str  # "receipts", "spending.A:10", ...
    now: str | None
    new: str | None


@dataclass(frozen=True)
class FyPreview:
    fiscal_year: int
    status: str  # "new" | "changed" | "unchanged" | "kept" (recorded; the file's ignored)
    changes: tuple[ValueChange, ...]
    entry: Mapping[str, Any]  # what will be stored


@dataclass(frozen=True)
class Preview:
    fys: tuple[FyPreview, ...]
    problems: tuple[ActualsProblem, ...]
    versions: str  # the recorded FYs' versions the preview was based on

    @property
    def saves(self) -> bool:
        return not self.problems and any(f.status in ("new", "changed") for f in self.fys)


def versions_text(records: Mapping[int, FundActual]) -> str:
    return ",".join(f"{fy}:{r.version}" for fy, r in sorted(records.items()))


def _flat(entry: Mapping[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, value in entry.items():
        if isinstance(value, Mapping):
            for sub, amount in value.items():
                found[f"{key}.{sub}"] = amount
        else:
            found[key] = value
    return found


def merged_entry(
    uploaded: Mapping[str, Any], recorded: Mapping[str, Any] | None, items: frozenset[str] | None
) -> dict[str, Any]:
    """A FY's entry after an upload: the ledger items (receipts, interest, audit costs,
    spending) are the file's; referrals and enrolled the file's when it has rows for them,
    else the recorded ones; the Exhibit E filing date is kept."""
    found = {k: v for k, v in uploaded.items() if k in LEDGER_ITEMS}
    found.setdefault("spending", {})
    for item in PROGRAM_ITEMS:
        if items is None or item in items:
            if item in uploaded:
                found[item] = uploaded[item]
        elif recorded and item in recorded:
            found[item] = recorded[item]
    if items is None and "reported_on" in uploaded:
        found["reported_on"] = uploaded["reported_on"]
    elif recorded and "reported_on" in recorded:
        found["reported_on"] = recorded["reported_on"]
    return found


def preview(
    session: DbSession,
    jurisdiction: Jurisdiction,
    uploaded: Mapping[int, Any],
    as_of: dt.date,
    *,
    plan_span: tuple[int, int] | None = None,
    items: Mapping[int, frozenset[str]] | None = None,
    problems: Iterable[ActualsProblem] = (),
    recorded_win: bool = False,
    lines: Mapping[int, int] | None = None,
) -> Preview:
    """What saving `uploaded` ({FY: entry}) would change, FY by FY, and every problem
    (nothing is saved). `recorded_win` (a plan file's actuals): a recorded FY is kept as it
    is and only the FYs the jurisdiction has no record for are offered."""
    records = records_of(session, jurisdiction)
    found = list(problems)
    offered = {fy: e for fy, e in uploaded.items() if not (recorded_win and fy in records)}
    found += check_fys(
        offered, records, plan_spans(session, jurisdiction), as_of, plan_span=plan_span, lines=lines
    )
    fys = []
    for fy in sorted(uploaded):
        record = records.get(fy)
        before = entry_of(record) if record is not None else None
        if recorded_win and record is not None:
            now, new = _flat(before or {}), _flat(clean_or_raw(fy, uploaded[fy]))
            changes = tuple(
                ValueChange(k, now.get(k), new.get(k))
                for k in dict.fromkeys([*now, *new])
                if now.get(k) != new.get(k)
            )
            fys.append(FyPreview(fy, "kept", changes, before or {}))
            continue
        entry = merged_entry(uploaded[fy], before, (items or {}).get(fy) if items else None)
        entry_problems = check_entry(fy, entry)
        found += entry_problems
        after = entry if entry_problems else clean_entry(entry)
        now, new = _flat(before or {}), _flat(after)
        changes = tuple(
            ValueChange(k, now.get(k), new.get(k))
            for k in dict.fromkeys([*now, *new])
            if now.get(k) != new.get(k)
        )
        status = "new" if record is None else "changed" if changes else "unchanged"
        fys.append(FyPreview(fy, status, changes, after))
    return Preview(tuple(fys), tuple(found), versions_text(records))


def clean_or_raw(fy: int, entry: Mapping[str, Any]) -> Mapping[str, Any]:
    return clean_entry(entry) if not check_entry(fy, entry) else entry


def apply_preview(
    session: DbSession,
    jurisdiction: Jurisdiction,
    user: User | None,
    shown: Preview,
    *,
    based_on: str,
    as_of: dt.date,
    action: str,
    plan_span: tuple[int, int] | None = None,
) -> int:
    """Save the FYs a preview showed as new or changed; `based_on` is the versions the
    preview was shown with (StaleActuals when a record changed since). Returns how many FYs
    were saved. Raises ActualsError with the preview's problems (nothing saved)."""
    if shown.problems:
        raise ActualsError(shown.problems)
    records = records_of(session, jurisdiction)
    if versions_text(records) != based_on:
        raise StaleActuals(None)
    saved = 0
    for fy_preview in shown.fys:
        if fy_preview.status not in ("new", "changed"):
            continue
        record = records.get(fy_preview.fiscal_year)
        save_fy(
            session,
            jurisdiction,
            user,
            fy_preview.fiscal_year,
            fy_preview.entry,
            expected_version=0 if record is None else record.version,
            as_of=as_of,
            action=action,
            plan_span=plan_span,
        )
        records[fy_preview.fiscal_year] = records_of(session, jurisdiction)[fy_preview.fiscal_year]
        saved += 1
    return saved


# ------------------------------------------------------------------------ history


@dataclass(frozen=True)
class ActualsEntry:
    at: dt.datetime
    who: str | None
    fiscal_year: int
    action: str
    where: str
    old: str
    new: str


def describe_path(path: str) -> str:
    if path == "":
        return "The FY's actuals"
    parts = path.split(".")
    if parts[0] == "outcomes":
        return "Impact report: " + " · ".join(p.replace("_", " ") for p in parts[1:])
    name = ITEM_NAMES.get(parts[0], parts[0])
    if len(parts) > 1:
        sub = PATHWAY_NAMES.get(parts[1], parts[1])
        return f"{name}: {sub}"
    return name


def _value_text(raw: str | None) -> str:
    if raw is None:
        return "—"
    if raw[:1] == "{":
        try:
            found = json.loads(raw)
        except ValueError:
            return raw
        return "; ".join(f"{describe_path(k)} {v}" for k, v in _flat(found).items()) or "none"
    return raw


def history(
    session: DbSession,
    jurisdiction: Jurisdiction,
    fys: Iterable[int] | None = None,
    limit: int | None = None,
) -> list[ActualsEntry]:
    """The recorded changes to the jurisdiction's actuals (of `fys`), newest first."""
    query = select(ActualChange).where(ActualChange.jurisdiction_id == jurisdiction.id)
    if fys is not None:
        query = query.where(ActualChange.fiscal_year.in_(list(fys)))
    query = query.order_by(ActualChange.id.desc())
    if limit:
        query = query.limit(limit)
    return [
        ActualsEntry(
            c.at,
            c.user_email,
            c.fiscal_year,
            c.action,
            describe_path(c.path),
            _value_text(c.old_value),
            _value_text(c.new_value),
        )
        for c in session.scalars(query)
    ]
