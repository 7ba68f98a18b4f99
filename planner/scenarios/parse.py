"""Read a `lead-plan/1` document into a resolved `Plan` (cost model §8).

Every problem is collected with its exact path (`line_items[3].fte: must be ≥ 0`) and
reported all at once in a `PlanError`. Omitted values take their `cost_tables/` defaults,
money defaults aged to the plan's start FY (§2).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from .actuals import actuals_to_dict, read_actuals
from .fields import (
    LONG_TEXT,
    MISSING,
    SHORT_TEXT,  # noqa: F401 - re-exported (the limits tests read it here)
    ZERO,
    count,
    divisor,
    escalation,
    share,
)
from .fields import (
    Field as Field,  # re-exported: the forms and services build fields with it
)
from .fields import (
    money as money,  # re-exported
)
from .fiscal import FiscalYearError, fy_label, parse_fy
from .funding import funded_by_to_list, funding_to_dict, read_funded_by, read_funding
from .kinds import REGISTRY, plan_values
from .kinds.base import LineKind
from .kinds.warm_handoff import on_call_hourly_rate
from .limits import (
    FISCAL_YEAR,
    NESTING,
    TOO_MANY,
    json_number,
    nesting_problem,
)
from .plan import (
    JURISDICTION_KINDS,
    PATHWAYS,
    SCHEMA,
    Assumptions,
    Authorization,
    Fund,
    FundingEntry,
    FundingSource,
    JurisdictionRef,
    LineItem,
    Participants,
    Plan,
    Program,
)
from .reader import DEFAULT_YEARS, _join, _Reader
from .reader import PlanError as PlanError  # re-exported: the engine's callers catch it here
from .reader import Problem as Problem  # re-exported
from .streams import Streams, with_streams
from .tables import CostTables
from .uncertainty import read_uncertainty, uncertainty_to_dict

_MISSING = MISSING
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
YEARS_MIN, YEARS_MAX = 1, 40
MONTHS_MIN, MONTHS_MAX = 1, 120


class _JsonObject(dict[str, Any]):
    """A JSON object that remembers keys given more than once."""

    duplicates: tuple[str, ...] = ()


def _object_pairs(pairs: list[tuple[str, Any]]) -> _JsonObject:
    found = _JsonObject(pairs)  # a key given twice: its first place, its last value
    if len(found) != len(pairs):
        seen: set[str] = set()
        again: list[str] = []
        for key, _ in pairs:
            if key in seen:
                again.append(key)
            seen.add(key)
        found.duplicates = tuple(dict.fromkeys(again))
    return found


def _reject_constant(name: str) -> Decimal:
    raise ValueError(f"{name} is not a number")


def load_plan_json(text: str | bytes) -> Any:
    """Parse JSON with exact decimals and duplicate-key tracking; raises PlanError."""
    try:
        return json.loads(
            text,
            parse_float=json_number,  # keeps each number's text for the §15 checks
            parse_int=json_number,
            parse_constant=_reject_constant,
            object_pairs_hook=_object_pairs,
        )
    except UnicodeDecodeError as exc:
        raise PlanError([Problem("(file)", f"is not UTF-8 text ({exc.reason})")]) from exc
    except RecursionError as exc:  # thousands of nested lists or objects (§15)
        raise PlanError(
            [
                Problem(
                    "(file)",
                    "is nested too deeply (lists or objects inside "
                    "each other thousands of levels deep)",
                    NESTING,
                )
            ]
        ) from exc
    except json.JSONDecodeError as exc:
        raise PlanError(
            [
                Problem(
                    "(file)",
                    f"is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}",
                )
            ]
        ) from exc
    except ValueError as exc:
        raise PlanError([Problem("(file)", f"is not valid JSON: {exc}")]) from exc


# --------------------------------------------------------------------------- fields

ASSUMPTION_FIELDS: tuple[Field, ...] = (
    escalation("salary_escalation", default="assumptions.salary_escalation"),
    escalation("health_escalation", default="assumptions.health_escalation"),
    escalation("inflation", default="assumptions.inflation"),
    share("fringe_rate", default="assumptions.fringe_rate"),
    money("health_per_fte", default="assumptions.health_per_fte"),
    share("contract_overhead_rate", default="assumptions.contract_overhead_rate"),
    divisor("productive_hours_per_fte", default="assumptions.productive_hours_per_fte"),
    divisor("fte_increment", default="assumptions.fte_increment"),
    count("overtime_multiplier", default="assumptions.overtime_multiplier"),
    share("overtime_fringe_rate", default="assumptions.overtime_fringe_rate"),
    share("indirect_rate", default="assumptions.indirect_rate"),
    escalation("discount_rate", default="assumptions.discount_rate"),
)

FUND_FIELDS: tuple[Field, ...] = (
    money("opening_balance", default="fund.opening_balance"),
    escalation("interest_rate", default="fund.interest_rate"),
    Field("moa_executed_on", "date", nullable=True),
    Field("reserve_months", "number", low=ZERO, high=Decimal(24), default="fund.reserve_months"),
)

COMMON_LINE_FIELDS: tuple[Field, ...] = (
    Field("id", "text", required=True),
    Field("kind", "text", required=True),
    Field("label", "text", nullable=True),
    Field("strategy", "text", nullable=True),
    Field("justification", "text", fixed="", max_length=LONG_TEXT),
    Field("start_fy", "fy", nullable=True),
    Field("end_fy", "fy", nullable=True),
)


def line_fields(kind: str, choice: str | None = None) -> tuple[Field, ...]:
    """Every field a line of this kind takes after the common ones, for this value of its
    choice (mode, role, status; None = not known): the kind's definition says (`kinds/`)."""
    definition = REGISTRY.get(kind)
    return definition.fields(choice) if definition else ()


# --------------------------------------------------------------------------- reader


def check_field(field: Field, raw: Any, tables: CostTables) -> tuple[Any, str | None]:
    """Check one value as the plan file would: (converted value, None) or (None, message).
    The web forms call this so that a form and a plan file have the same limits."""
    reader = _Reader(tables)
    reader.start_fy, reader.years = 2000, 101  # a form's FY amounts: any FY §1 allows
    value = reader.scalar(field, raw, field.name)
    if reader.problems:
        return None, reader.problems[0].message
    return value, None


TOP_KEYS = (
    "schema",
    "name",
    "jurisdiction",
    "start_fy",
    "years",
    "assumptions",
    "fund",
    "participants",
    "program",
    "line_items",
    "actuals",
    "uncertainty",
    "funding",
)


_TOP_KEYS = frozenset(TOP_KEYS)


def parse_plan(document: Any, tables: CostTables) -> Plan:
    """Turn a decoded `lead-plan/1` document into a resolved Plan, or raise PlanError."""
    reader = _Reader(tables)
    too_deep = nesting_problem(document, reader.limits)
    if too_deep is not None:
        raise PlanError(
            [
                Problem(
                    too_deep,
                    f"is nested deeper than {reader.limits.nesting_max} "
                    "levels of JSON lists and objects",
                    NESTING,
                )
            ]
        )
    root = reader.obj(document, "", _TOP_KEYS)
    if root is None:
        raise PlanError([Problem("(plan)", "must be a JSON object")])

    schema = root.get("schema", _MISSING)
    if schema is _MISSING:
        reader.error("schema", f'is required (write "{SCHEMA}")')
    elif schema != SCHEMA:
        reader.error("schema", f'must be "{SCHEMA}" (got {json.dumps(str(schema))})')

    name = reader.field(root, SETTINGS_FIELDS["name"], "")
    jurisdiction = _read_jurisdiction(reader, root.get("jurisdiction"))

    start_fy = reader.field(root, SETTINGS_FIELDS["start_fy"], "")
    if start_fy is not _MISSING:
        reader.start_fy = start_fy
    years = reader.field(root, SETTINGS_FIELDS["years"], "")
    if years is not _MISSING:
        reader.years = years

    assumptions = _read_assumptions(reader, root.get("assumptions"))
    fund = _read_fund(reader, root.get("fund"))
    participants = _read_participants(reader, root.get("participants"))
    program = _read_program(reader, root.get("program"))
    funding, funding_ok = _read_funding_section(reader, root.get("funding"))
    lines = parse_lines(
        reader, root.get("line_items", _MISSING), funding=funding, funding_ok=funding_ok
    )
    uncertainty = read_uncertainty(reader, root.get("uncertainty"))
    actuals = read_actuals(
        reader, root.get("actuals"), start_fy is not _MISSING and years is not _MISSING
    )
    if not reader.problems:
        _check_text_total(reader, program, lines)

    if reader.problems:
        if reader.unlisted:
            reader.problems.append(
                Problem("(plan)", f"and {reader.unlisted:,} more problems not listed")
            )
        raise PlanError(reader.problems)
    return Plan(
        name=name,
        jurisdiction=jurisdiction,
        start_fy=start_fy,
        years=years,
        assumptions=assumptions,
        fund=fund,
        participants=participants,
        program=program,
        line_items=lines,
        uncertainty=uncertainty,
        actuals=actuals,
        funding=funding,
    )


def _read_funding_section(reader: _Reader, value: Any) -> tuple[tuple[FundingSource, ...], bool]:
    """`funding` (cost model §16): its sources, and whether it was read without problems."""
    before = len(reader.problems) + reader.unlisted
    sources = read_funding(reader, value)
    return sources, len(reader.problems) + reader.unlisted == before


def _check_text_total(reader: _Reader, program: Program, lines: tuple[LineItem, ...]) -> None:
    """§15: the free texts of a plan together stay within a printable size; the problem is
    on the text that goes past it (line indexes are the document's: every line is valid)."""
    limit = reader.limits.text_total_max
    total = len(program.equity_outreach_plan)
    texts = [(f"line_items[{i}].justification", line.justification) for i, line in enumerate(lines)]
    for path, text in [("program.equity.outreach_plan", ""), *texts]:
        total += len(text)
        if total > limit:
            reader.error(
                path,
                f"the plan's justifications and outreach plan together must be "
                f"at most {limit:,} characters (this text brings them to "
                f"{total:,})",
                TOO_MANY,
            )
            return


_AMOUNT = money("amount")  # a receipt's amount
_JURISDICTION_FIELDS = (
    Field("name", "text", nullable=True),
    Field("kind", "choice", nullable=True, choices=JURISDICTION_KINDS),
    Field("fips", "text", nullable=True),
)


def _read_jurisdiction(reader: _Reader, value: Any) -> JurisdictionRef:
    source = reader.obj(value, "jurisdiction", ("name", "kind", "fips")) or {}
    found = reader.fields(source, _JURISDICTION_FIELDS, "jurisdiction")
    return JurisdictionRef(**{k: (None if v is _MISSING else v) for k, v in found.items()})


def _read_assumptions(reader: _Reader, value: Any) -> Assumptions:
    source = reader.obj(value, "assumptions", _ASSUMPTION_KEYS) or {}
    found: dict[str, Any] = {}
    for field in ASSUMPTION_FIELDS:
        found[field.name] = reader.field(source, field, "assumptions")
        # Money defaults read later (health_per_fte, salaries…) are aged with these rates.
        if field.name in _RATE_OF:
            value = found[field.name]
            reader.rates[_RATE_OF[field.name]] = (
                value if value is not _MISSING else reader.tables.value(field.default or "")
            )
    return Assumptions(**{k: (Decimal(0) if v is _MISSING else v) for k, v in found.items()})


_RATE_OF = {"salary_escalation": "salary", "health_escalation": "health", "inflation": "inflation"}
_ASSUMPTION_KEYS = frozenset(f.name for f in ASSUMPTION_FIELDS)


def _read_fund(reader: _Reader, value: Any) -> Fund:
    source = reader.obj(value, "fund", _FUND_KEYS) or {}
    found = reader.fields(source, FUND_FIELDS, "fund")
    receipts = _read_receipts(reader, source.get("receipts"))
    streams = _read_receipts_by_stream(reader, source)
    opening = found["opening_balance"]
    fund = Fund(
        opening_balance=Decimal(0) if opening is _MISSING else opening,
        interest_rate=Decimal(0) if found["interest_rate"] is _MISSING else found["interest_rate"],
        moa_executed_on=None if found["moa_executed_on"] is _MISSING else found["moa_executed_on"],
        receipts=receipts,
        reserve_months=(
            reader.tables.value("fund.reserve_months")
            if found["reserve_months"] is _MISSING
            else found["reserve_months"]
        ),
        opening_balance_given=source.get("opening_balance") is not None,
    )
    return with_streams(fund, streams) if streams else fund


STREAMS_KEY = "receipts_by_stream"
_FUND_KEYS = frozenset(f.name for f in FUND_FIELDS) | {"receipts", STREAMS_KEY}


def _read_receipts_by_stream(reader: _Reader, fund: Mapping[str, Any]) -> Streams:
    """§18: stream (a slug of cost_tables/) → FY → dollars, instead of `fund.receipts`; the
    §15 receipts limit counts every entry of every stream."""
    path = f"fund.{STREAMS_KEY}"
    value = fund.get(STREAMS_KEY)
    if value is None:
        return ()
    if fund.get("receipts") is not None:
        reader.error(path, "give fund.receipts or fund.receipts_by_stream, not both")
        return ()
    source = reader.obj(value, path)
    if not source:
        return ()
    if reader.too_many(source, path, reader.limits.receipts_max, "receipt entries"):
        return ()
    count = sum(len(v) for v in source.values() if isinstance(v, (dict, list)))
    if count > reader.limits.receipts_max:
        reader.error(
            path,
            f"at most {reader.limits.receipts_max:,} receipt entries in all streams "
            f"(got {count:,})",
            TOO_MANY,
        )
        return ()
    known = reader.tables.stream_slugs
    found = []
    for stream, amounts in source.items():
        here = _join(path, stream)
        if stream not in known:
            reader.error(here, "is not a settlement stream: use one of " + ", ".join(known))
            continue
        found.append((stream, _read_receipts(reader, amounts, here, limited=False)))
    return tuple(found)


def _read_receipts(
    reader: _Reader, value: Any, where: str = "fund.receipts", *, limited: bool = True
) -> tuple[tuple[int, Decimal], ...]:
    source = reader.obj(value, where)
    if not source or (
        limited and reader.too_many(source, where, reader.limits.receipts_max, "receipt entries")
    ):
        return ()
    found: dict[int, Decimal] = {}
    first_key: dict[int, str] = {}
    amount_field = _AMOUNT
    for key, raw in source.items():
        try:
            fy = parse_fy(key)
        except FiscalYearError as exc:
            reader.error(_join(where, key), f"is not a fiscal year: {exc}", FISCAL_YEAR)
            continue
        # A plain amount needs no path (`plain`); anything else is read at its path.
        amount = _MISSING if type(raw) is not str else reader.plain(amount_field, raw)
        if amount is _MISSING:
            amount = reader.scalar(amount_field, raw, _join(where, key))
        if fy in found or fy in first_key:
            path = _join(where, key)
            reader.error(path, f"the same FY as '{first_key[fy]}' ({fy_label(fy)}) is given twice")
            continue
        first_key[fy] = key
        if amount is not _MISSING:
            found[fy] = amount
    return tuple(sorted(found.items()))


def _read_participants(reader: _Reader, value: Any) -> Participants:
    path = "participants"
    source = (
        reader.obj(
            value,
            path,
            (
                "referrals_per_year",
                "enrollment_rate",
                "ramp",
                "average_months_enrolled",
                "initial_active",
            ),
        )
        or {}
    )
    referrals_src = (
        reader.obj(source.get("referrals_per_year"), f"{path}.referrals_per_year", PATHWAYS) or {}
    )
    referrals = {}
    for pathway in PATHWAYS:
        # A missing pathway has no referrals (§4).
        got = reader.field(referrals_src, referral_field(pathway), f"{path}.referrals_per_year")
        referrals[pathway] = Decimal(0) if got is _MISSING else got
    rates_src = reader.obj(source.get("enrollment_rate"), f"{path}.enrollment_rate", PATHWAYS) or {}
    rates = {}
    for pathway in PATHWAYS:
        got = reader.field(rates_src, enrollment_field(pathway), f"{path}.enrollment_rate")
        rates[pathway] = Decimal(0) if got is _MISSING else got
    ramp_value = source.get("ramp")
    ramp: tuple[Decimal, ...] = reader.tables.values("participants.ramp")
    if ramp_value is not None:
        if not isinstance(ramp_value, list):
            reader.error(f"{path}.ramp", 'must be a list of multipliers such as ["0.5", "0.75"]')
        elif not reader.too_many(
            ramp_value, f"{path}.ramp", reader.limits.ramp_max, "ramp multipliers"
        ):
            items = [
                reader.scalar(RAMP_FIELD, item, f"{path}.ramp[{i}]")
                for i, item in enumerate(ramp_value)
            ]
            ramp = tuple(item for item in items if item is not _MISSING)
    months = reader.field(source, PARTICIPANT_FIELDS["average_months_enrolled"], path)
    initial = reader.field(source, PARTICIPANT_FIELDS["initial_active"], path)
    return Participants(
        referrals_per_year=MappingProxyType(referrals),
        enrollment_rate=MappingProxyType(rates),
        ramp=ramp,
        average_months_enrolled=1 if months is _MISSING else months,
        initial_active=Decimal(0) if initial is _MISSING else initial,
    )


# The plan-wide inputs the editor's forms show, one definition each (the forms import these).
SETTINGS_FIELDS: dict[str, Field] = {
    f.name: f
    for f in (
        Field("name", "text", fixed=""),
        Field("start_fy", "fy", required=True),
        Field(
            "years", "whole", low=Decimal(YEARS_MIN), high=Decimal(YEARS_MAX), fixed=DEFAULT_YEARS
        ),
    )
}
PARTICIPANT_FIELDS: dict[str, Field] = {
    f.name: f
    for f in (
        Field(
            "average_months_enrolled",
            "whole",
            low=Decimal(MONTHS_MIN),
            high=Decimal(MONTHS_MAX),
            default="participants.average_months_enrolled",
        ),
        count("initial_active", default="participants.initial_active"),
    )
}
RAMP_FIELD = count("ramp")


@functools.cache
def referral_field(pathway: str) -> Field:
    return count(pathway, fixed=Decimal(0))  # a missing pathway has no referrals (§4)


@functools.cache
def enrollment_field(pathway: str) -> Field:
    return share(pathway, default=f"participants.enrollment_rate.{pathway}")


PROGRAM_SECTIONS: dict[str, tuple[Field, ...]] = {
    "collaborative_planning": (Field("presented_on", "date", nullable=True),),
    "data_collection": (
        Field("tracks_all_offers", "bool", fixed=False),
        Field("tracks_ineligible", "bool", fixed=False),
        Field("tracks_not_offered", "bool", fixed=False),
    ),
    "equity": (
        Field("goal_stated", "bool", fixed=False),
        Field("outreach_plan", "text", fixed="", max_length=LONG_TEXT),
    ),
    "eligibility": (
        Field("allows_supervised_probation", "bool", fixed=False),
        Field("narrow_disqualifiers", "bool", fixed=False),
    ),
}

PROGRAM_KEYS = (
    "collaborative_planning",
    "authorizations",
    "data_collection",
    "equity",
    "eligibility",
)
AUTHORIZATION_FIELDS = (
    Field("strategy", "text", required=True),
    money("amount", required=True),
    Field("start", "date", required=True),
    Field("end", "date", required=True),
    Field("adopted_on", "date", nullable=True),
    Field("budget_ordinance_on", "date", nullable=True),
)


# The keys each object may have, made once (`_Reader.obj` asks of every key it is given).
_SECTION_KEYS = {key: frozenset(f.name for f in fields) for key, fields in PROGRAM_SECTIONS.items()}
_AUTHORIZATION_KEYS = frozenset(f.name for f in AUTHORIZATION_FIELDS)


def _read_program(reader: _Reader, value: Any) -> Program:
    path = "program"
    source = reader.obj(value, path, PROGRAM_KEYS) or {}

    def section(key: str, fields: tuple[Field, ...]) -> dict[str, Any]:
        here = _join(path, key)
        sub = reader.obj(source.get(key), here, _SECTION_KEYS[key]) or {}
        return reader.fields(sub, fields, here)

    planning = section("collaborative_planning", PROGRAM_SECTIONS["collaborative_planning"])
    collection = section("data_collection", PROGRAM_SECTIONS["data_collection"])
    equity = section("equity", PROGRAM_SECTIONS["equity"])
    eligibility = section("eligibility", PROGRAM_SECTIONS["eligibility"])
    authorizations = []
    raw = source.get("authorizations")
    if raw is not None and not isinstance(raw, list):
        reader.error(f"{path}.authorizations", "must be a list")
        raw = None
    if reader.too_many(
        raw, f"{path}.authorizations", reader.limits.authorizations_max, "authorizations"
    ):
        raw = None
    for index, item in enumerate(raw or []):
        here = f"{path}.authorizations[{index}]"
        sub = reader.obj(item, here, _AUTHORIZATION_KEYS)
        if sub is None:
            continue
        found = reader.fields(sub, AUTHORIZATION_FIELDS, here)
        if any(value is _MISSING for value in found.values()):
            continue
        if found["end"] < found["start"]:
            reader.error(f"{here}.end", "must not be before start")
            continue
        if not _whole_months(reader, here, found["start"], found["end"]):
            continue
        authorizations.append(Authorization(**found))

    def flag(found: dict[str, Any], key: str) -> Any:
        return None if found[key] is _MISSING else found[key]

    return Program(
        presented_on=flag(planning, "presented_on"),
        authorizations=tuple(authorizations),
        tracks_all_offers=bool(flag(collection, "tracks_all_offers")),
        tracks_ineligible=bool(flag(collection, "tracks_ineligible")),
        tracks_not_offered=bool(flag(collection, "tracks_not_offered")),
        equity_goal_stated=bool(flag(equity, "goal_stated")),
        equity_outreach_plan=flag(equity, "outreach_plan") or "",
        allows_supervised_probation=bool(flag(eligibility, "allows_supervised_probation")),
        narrow_disqualifiers=bool(flag(eligibility, "narrow_disqualifiers")),
    )


def _whole_months(reader: _Reader, path: str, start: dt.date, end: dt.date) -> bool:
    """An authorization's period is whole months (MOA-AUTHORIZATION, amended): it starts on
    the first day of a month and ends on the last day of one."""
    ok = True
    if start.day != 1:
        reader.error(f"{path}.start", "must be the first day of a month (e.g. 2025-11-01)")
        ok = False
    if (end + dt.timedelta(days=1)).day != 1:
        reader.error(f"{path}.end", "must be the last day of a month (e.g. 2026-06-30)")
        ok = False
    return ok


def parse_lines(
    reader: _Reader,
    value: Any,
    *,
    funding: tuple[FundingSource, ...] = (),
    funding_ok: bool = True,
) -> tuple[LineItem, ...]:
    """`line_items` (§5, §8): each line read by its kind's definition (`kinds/`); a line's
    `funded_by` (§16) against the plan's funding sources."""
    if value is _MISSING:
        reader.error("line_items", "is required (a list of line items; it may be empty)")
        return ()
    if not isinstance(value, list):
        reader.error("line_items", "must be a list")
        return ()
    if reader.too_many(value, "line_items", reader.limits.line_items_max, "line items"):
        return ()
    lines: list[_Line] = []
    seen_ids: dict[str, int] = {}
    case_management_at: int | None = None
    case_management: _Line | None = None
    pending_on_call: list[_Line] = []
    for index, item in enumerate(value):
        path = f"line_items[{index}]"
        parsed = _read_line(reader, item, path)
        if parsed is None:
            continue
        parsed.index = index
        line_id = parsed.id
        if line_id is not _MISSING and line_id in seen_ids:
            reader.error(
                f"{path}.id", f"duplicate id '{line_id}' (also line_items[{seen_ids[line_id]}])"
            )
        elif line_id is not _MISSING:
            seen_ids[line_id] = index
        if parsed.kind == "case_management":
            if case_management_at is not None:
                reader.error(
                    f"{path}.kind",
                    "a plan has at most one case_management line "
                    f"(the first is line_items[{case_management_at}])",
                )
            else:
                case_management_at = index
        if not parsed.complete:
            continue
        if parsed.kind == "case_management":
            case_management = parsed
        if (
            parsed.kind == "warm_handoff"
            and parsed.params.get("mode") == "on_call"
            and parsed.params.get("hourly_rate") is None
        ):
            pending_on_call.append(parsed)
        lines.append(parsed)
    # §5 on_call: hourly_rate defaults to the plan's case-manager salary / 2,080, to the cent.
    if pending_on_call:
        salary = (
            case_management.params["salary"]
            if case_management is not None
            else reader.default_for("salary.case_manager")
        )
        hourly = on_call_hourly_rate(salary, reader.tables.value("constants.paid_hours_per_fte"))
        for parsed in pending_on_call:
            parsed.params["hourly_rate"] = hourly
    return tuple(
        LineItem(
            funded_by=_line_funding(reader, p, funding, funding_ok),
            id=p.id,
            kind=p.kind,
            label=p.label,
            strategy=p.strategy,
            justification=p.justification,
            start_fy=reader.start_fy if p.start_fy is None else p.start_fy,
            end_fy=reader.start_fy + reader.years - 1 if p.end_fy is None else p.end_fy,
            params=REGISTRY[p.kind].make(p.params),
            stated_start_fy=p.start_fy,
            stated_end_fy=p.end_fy,
        )
        for p in lines
    )


@dataclass
class _Line:
    """One line item as read, before its typed parameters are made (_MISSING: refused)."""

    id: Any
    kind: str
    label: Any = None
    strategy: Any = None
    justification: Any = ""
    start_fy: Any = None
    end_fy: Any = None
    params: dict[str, Any] = dataclass_field(default_factory=dict)
    complete: bool = False
    index: int = 0  # its place in the document's line_items
    funded_by: Any = None  # as given (§16); read against the plan's sources


# A kind's fields for a value of its choice are a pure function of the two (`kinds/`): made
# once per process (the parser asks at every line; a position's are `replace`d copies).
@functools.cache
def _line_shape(
    definition: LineKind[Any], choice: str | None
) -> tuple[tuple[Field, ...], frozenset[str]]:
    """The fields a line of this kind and choice takes, and every key it may have."""
    fields = definition.fields(choice)
    return fields, frozenset({f.name for f in COMMON_LINE_FIELDS + fields} | {"funded_by"})


@functools.cache
def _choice_field(definition: LineKind[Any]) -> Field:
    """The field of a kind's choice (read first where it decides the parameters)."""
    return next(f for f in definition.all_fields() if f.name == definition.choice)


def _read_line(reader: _Reader, item: Any, path: str) -> _Line | None:
    if not isinstance(item, dict):
        reader.error(path, "must be an object")
        return None
    for key in getattr(item, "duplicates", ()):
        reader.error(_join(path, key), "duplicate key")
    common = reader.fields(item, COMMON_LINE_FIELDS, path)
    line_id, kind = common["id"], common["kind"]
    if line_id is not _MISSING and not _ID.match(line_id):
        reader.error(
            f"{path}.id", f"must be a short slug of letters, digits, '-' or '_' (got '{line_id}')"
        )
    if kind is _MISSING:
        return _Line(id=line_id, kind="")  # unusable
    definition = REGISTRY.get(kind)
    if definition is None:
        reader.error(f"{path}.kind", f"must be one of: {', '.join(REGISTRY)} (got '{kind}')")
        return _Line(id=line_id, kind="")
    choice: str | None = None
    if definition.choice:
        if definition.choice_first:  # the choice decides the parameters: read it first
            choice = reader.field(item, _choice_field(definition), path)
            if choice is _MISSING:
                return _Line(id=line_id, kind="")
        elif item.get(definition.choice) in definition.choice_values:
            choice = item[definition.choice]
    fields, allowed = _line_shape(definition, choice)
    for key in item:
        if key not in allowed:
            reader.error(_join(path, key), definition.unknown_key_message(key))
    params = reader.fields(item, fields, path)
    definition.check(params, lambda key, message: reader.error(f"{path}.{key}", message))
    start, end = common["start_fy"], common["end_fy"]
    if start not in (None, _MISSING) and end not in (None, _MISSING) and end < start:
        reader.error(f"{path}.end_fy", f"must not be before start_fy ({fy_label(start)})")
    strategy = common["strategy"]
    if isinstance(strategy, str):
        strategy = strategy.strip() or None  # "" is the same as none (§8)
    label = common["label"]
    # By identity: `in` would compare each Decimal with the marker, through the number ABCs.
    complete = not any(
        value is _MISSING
        for value in (line_id, *params.values(), start, end, label, common["justification"])
    )
    return _Line(
        id=line_id,
        kind=kind,
        label=label,
        strategy=strategy,
        justification=common["justification"],
        start_fy=start,
        end_fy=end,
        params=params,
        complete=complete,
        funded_by=item.get("funded_by"),
    )


def _line_funding(
    reader: _Reader, line: _Line, funding: tuple[FundingSource, ...], funding_ok: bool
) -> tuple[FundingEntry, ...]:
    """A line's `funded_by` (§16), read with its resolved window."""
    if line.funded_by is None:
        return ()
    last = reader.start_fy + reader.years - 1
    window = (
        reader.start_fy if line.start_fy is None else line.start_fy,
        last if line.end_fy is None else line.end_fy,
    )
    return read_funded_by(
        reader,
        line.funded_by,
        f"line_items[{line.index}]",
        {s.id: s for s in funding},
        window,
        funding_ok,
    )


# --------------------------------------------------------------------------- export


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple) and all(
        isinstance(pair, tuple) and len(pair) == 2 for pair in value
    ):  # FY amounts (§17): written by label
        return {fy_label(fy): _plain(amount) for fy, amount in value}
    return value


def _receipts_document(fund: Fund) -> dict[str, Any]:
    """`fund.receipts`, or `fund.receipts_by_stream` for a plan that gives its streams."""
    if fund.receipts_by_stream:
        return {
            STREAMS_KEY: {
                stream: {fy_label(fy): _plain(amount) for fy, amount in amounts}
                for stream, amounts in fund.receipts_by_stream
            }
        }
    return {"receipts": {fy_label(fy): _plain(amount) for fy, amount in fund.receipts}}


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    """The plan as a `lead-plan/1` document with every value written explicitly."""
    a = plan.assumptions
    p = plan.participants
    g = plan.program
    return {
        "schema": SCHEMA,
        "name": plan.name,
        "jurisdiction": {
            "name": plan.jurisdiction.name,
            "kind": plan.jurisdiction.kind,
            "fips": plan.jurisdiction.fips,
        },
        "start_fy": plan.start_fy,
        "years": plan.years,
        "assumptions": {f.name: _plain(getattr(a, f.name)) for f in ASSUMPTION_FIELDS},
        "fund": {
            "opening_balance": (
                _plain(plan.fund.opening_balance) if plan.fund.opening_balance_given else None
            ),
            "interest_rate": _plain(plan.fund.interest_rate),
            "moa_executed_on": _plain(plan.fund.moa_executed_on),
            "reserve_months": _plain(plan.fund.reserve_months),
            **_receipts_document(plan.fund),
        },
        "participants": {
            "referrals_per_year": {k: _plain(v) for k, v in p.referrals_per_year.items()},
            "enrollment_rate": {k: _plain(v) for k, v in p.enrollment_rate.items()},
            "ramp": [_plain(v) for v in p.ramp],
            "average_months_enrolled": p.average_months_enrolled,
            "initial_active": _plain(p.initial_active),
        },
        "program": {
            "collaborative_planning": {"presented_on": _plain(g.presented_on)},
            "authorizations": [
                {
                    "strategy": x.strategy,
                    "amount": _plain(x.amount),
                    "start": _plain(x.start),
                    "end": _plain(x.end),
                    "adopted_on": _plain(x.adopted_on),
                    "budget_ordinance_on": _plain(x.budget_ordinance_on),
                }
                for x in g.authorizations
            ],
            "data_collection": {
                "tracks_all_offers": g.tracks_all_offers,
                "tracks_ineligible": g.tracks_ineligible,
                "tracks_not_offered": g.tracks_not_offered,
            },
            "equity": {
                "goal_stated": g.equity_goal_stated,
                "outreach_plan": g.equity_outreach_plan,
            },
            "eligibility": {
                "allows_supervised_probation": g.allows_supervised_probation,
                "narrow_disqualifiers": g.narrow_disqualifiers,
            },
        },
        "line_items": [line_to_dict(line) for line in plan.line_items],
        **_actuals_section(plan),
        **({"uncertainty": uncertainty_to_dict(plan.uncertainty)} if plan.uncertainty else {}),
        **_funding_section(plan),
    }


def _funding_section(plan: Plan) -> dict[str, Any]:
    """`funding` (cost model §16) when the plan has sources; a plan without writes none."""
    return funding_to_dict(plan)


def _actuals_section(plan: Plan) -> dict[str, Any]:
    """`actuals` (cost model §11) when the plan has closed FYs; a plan without writes none."""
    return {"actuals": actuals_to_dict(plan.actuals)} if plan.actuals else {}


def line_to_dict(line: LineItem) -> dict[str, Any]:
    return {
        "id": line.id,
        "kind": line.kind,
        "label": line.label,
        "strategy": line.strategy,
        "justification": line.justification,
        # null stays null: "the plan's first/last FY" follows the plan (§5).
        "start_fy": line.stated_start_fy,
        "end_fy": line.stated_end_fy,
        **{k: _plain(v) for k, v in plan_values(REGISTRY[line.kind], line.params).items()},
        **_line_funding_section(line),
    }


def _line_funding_section(line: LineItem) -> dict[str, Any]:
    """`funded_by` (§16) when the line has entries; a line the fund pays alone writes none."""
    if not line.funded_by:
        return {}
    return {"funded_by": funded_by_to_list(line)}


def dump_plan_json(plan: Plan) -> str:
    return json.dumps(plan_to_dict(plan), indent=2, ensure_ascii=False) + "\n"


def parse_plan_text(text: str | bytes, tables: CostTables) -> Plan:
    return parse_plan(load_plan_json(text), tables)
