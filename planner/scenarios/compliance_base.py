"""The shape of a compliance rule (spec: compliance_rules.md), apart from the rules themselves.

A rule is three parts, so that rewording a message cannot change what a rule decides:

- its **facts**: a `TypedDict` whose keys are documented where it is declared (the FYs,
  amounts, lines, strategies, shares and the fix the rule found);
- its **logic**: `(RuleContext) -> Finding[Facts]` — the status, the FYs and line items
  involved, the inputs that would change it, and the facts; it writes no English;
- its **words**: a renderer `(status, facts) -> str`, which reads nothing but the facts.

`@rule(id, citation, render)` joins them into a `Rule`; calling a `Rule` with a context gives
the `RuleResult` the pages, PDFs, workbook and CLI read (`message` is the renderer's text). A
rule in its own module imports this module (not `compliance`, which lists the rules in
`RULES`), so registering it there is one line.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Generic, Literal, TypedDict, TypeVar

from .fiscal import fy_label
from .plan import LineItem, Plan
from .projection import LineProjection, Projection
from .tables import CostTables

Status = Literal["pass", "warn", "fail", "info"]
STATUSES: tuple[Status, ...] = ("pass", "warn", "fail", "info")


@dataclass(frozen=True)
class RuleResult:
    rule: str
    status: Status
    message: str
    fiscal_years: tuple[int, ...]
    line_items: tuple[str, ...]
    citation: str
    # Where a user changes the plan to fix it: "line:<id>", "fund", "participants",
    # "program.authorizations", … (the web page links to these; not part of the JSON).
    inputs: tuple[str, ...] = field(default=(), compare=False)
    # The figures behind the message (the rule's `…Facts` TypedDict, documented where it is
    # declared): FYs, amounts, lines, the fix. Tests and pages read these, never the message;
    # not part of the lead-compliance/1 JSON, whose shape the spec fixes.
    facts: Mapping[str, Any] = field(default_factory=dict, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "status": self.status,
            "message": self.message,
            "fiscal_years": list(self.fiscal_years),
            "line_items": list(self.line_items),
            "citation": self.citation,
        }

    def __getstate__(self) -> dict[str, Any]:
        """A pickled or copied result carries its message written out."""
        state = dict(self.__dict__)
        state[_MESSAGE] = self.message
        return state


_MESSAGE = "_message"


class _Message:
    """`RuleResult.message`: the text, or a call that writes it when first read (a rule's
    words are rendered from its facts only for a result whose message is shown; checking a
    plan, counting its findings or judging it writes no English)."""

    def __get__(self, result: RuleResult | None, owner: type | None = None) -> Any:
        if result is None:
            return self
        found = result.__dict__[_MESSAGE]
        if not isinstance(found, str):
            found = result.__dict__[_MESSAGE] = found()
        return found

    def __set__(self, result: RuleResult, value: str | Callable[[], str]) -> None:
        result.__dict__[_MESSAGE] = value


RuleResult.message = _Message()  # type: ignore[assignment]  # after @dataclass: the field stays


_NEW_RESULT = object.__new__


class StaleContribution(TypedDict):
    """A `contribution` line (cost model §17) whose amounts no longer equal the lead plan's
    `by_source` for this government: only the web app knows both plans, so it finds these
    and passes them in (FUNDING-SOURCES warns)."""

    line: str  # the contribution line's id
    lead: str  # the lead government's name
    program: str
    fiscal_years: list[int]  # the FYs whose amounts differ


@dataclass(frozen=True)
class RuleContext:
    """What every rule reads: the plan, its projection, the cost tables and `as_of`."""

    plan: Plan
    projection: Projection
    tables: CostTables
    as_of: dt.date
    # Filled by the web app, which knows the lead's plan of a shared program (§17).
    stale_contributions: tuple[StaleContribution, ...] = ()

    def threshold(self, key: str) -> Decimal:
        return self.tables.threshold(key)

    def spending_lines(self) -> list[tuple[LineItem, LineProjection]]:
        """The lines with settlement spending (cost model §16): every MOA rule reads the
        settlement fund's part, so a line wholly paid by another source is not its concern."""
        return [
            (item, line)
            for item, line in zip(self.plan.line_items, self.projection.line_items, strict=True)
            if line.settlement_total > 0
        ]

    def fys_with_spending(self, line: LineProjection) -> tuple[int, ...]:
        """The FYs in which the line spends settlement money (§16)."""
        return tuple(
            fy
            for fy, amount in zip(self.projection.fiscal_years, line.settlement, strict=True)
            if amount > 0
        )


def direct_result(
    rule_id: str,
    status: Status,
    message: str,
    citation: str,
    *,
    fiscal_years: Iterable[int] = (),
    line_items: Iterable[str] = (),
    inputs: Iterable[str] = (),
    facts: Mapping[str, Any] | None = None,
) -> RuleResult:
    """A result written directly, for a rule not (yet) in the facts + renderer form."""
    return RuleResult(
        rule_id,
        status,
        message,
        tuple(sorted(set(fiscal_years))),
        tuple(dict.fromkeys(line_items)),
        citation,
        tuple(inputs),
        facts or {},
    )


F = TypeVar("F", bound=Mapping[str, Any])


@dataclass(frozen=True)
class Finding(Generic[F]):
    """What a rule's logic decides. FYs are sorted and line ids deduplicated by `Rule`."""

    status: Status
    facts: F
    fiscal_years: Iterable[int] = ()
    line_items: Iterable[str] = ()
    inputs: Iterable[str] = ()


@dataclass(frozen=True)
class Rule(Generic[F]):
    """One checklist rule: its id and citation, its logic and its words."""

    id: str
    citation: str
    logic: Callable[[RuleContext], Finding[F]]
    render: Callable[[Status, F], str]

    def __call__(self, context: RuleContext) -> RuleResult:
        return self.result(self.logic(context))

    def result(self, finding: Finding[F]) -> RuleResult:
        # What `RuleResult(...)` stores, in its order, without the frozen class's __init__
        # (one `object.__setattr__` a field; every check makes twenty-odd results): the
        # message a call that writes it when read (`_Message`).
        found = _NEW_RESULT(RuleResult)
        found.__dict__.update(
            rule=self.id,
            status=finding.status,
            _message=functools.partial(self.render, finding.status, finding.facts),
            fiscal_years=tuple(sorted(set(finding.fiscal_years))),
            line_items=tuple(dict.fromkeys(finding.line_items)),
            citation=self.citation,
            inputs=tuple(finding.inputs),
            facts=finding.facts,
        )
        return found


def rule(
    rule_id: str, citation: str, render: Callable[[Status, F], str]
) -> Callable[[Callable[[RuleContext], Finding[F]]], Rule[F]]:
    """`@rule("MOA-STRATEGY", "NC MOA §E.6(b)(ii)", render_strategy)` over a rule's logic."""

    def register(logic: Callable[[RuleContext], Finding[F]]) -> Rule[F]:
        return Rule(rule_id, citation, logic, render)

    return register


# ----------------------------------------------------------------------------- shared facts


class LineRef(TypedDict):
    """A line item a message names: its id and its label ("" when it has none)."""

    id: str
    label: str


def line_ref(item: LineItem) -> LineRef:
    return {"id": item.id, "label": item.label or ""}


def line_refs(items: Iterable[LineItem]) -> list[LineRef]:
    return [line_ref(item) for item in items]


def ids(refs: Iterable[LineRef]) -> list[str]:
    return [ref["id"] for ref in refs]


def strategy_title(code: str | None, tables: CostTables) -> str:
    """`A:10 Criminal justice diversion programs` — a code is shown with its title."""
    if not code:
        return "no strategy"
    title = tables.strategy_title(code)
    return f"{code} {title}" if title else code


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # February 29 in a year that has none
        return day.replace(year=day.year + years, day=28)


# ----------------------------------------------------------------------------- words


def fy_ranges(fiscal_years: Iterable[int]) -> str:
    """[2029, 2030, 2031, 2034] -> "FY2029-30 to FY2031-32 and FY2034-35"."""
    years = sorted(set(fiscal_years))
    runs: list[tuple[int, int]] = []
    for fy in years:
        if runs and fy == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], fy)
        else:
            runs.append((fy, fy))
    parts = [fy_label(a) if a == b else f"{fy_label(a)} to {fy_label(b)}" for a, b in runs]
    return and_list(parts)


def and_list(parts: list[str]) -> str:
    """["a", "b", "c"] -> "a, b and c"."""
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def long_date(day: dt.date) -> str:
    """`March 16, 2030`."""
    return f"{calendar.month_name[day.month]} {day.day}, {day.year}"


def name(ref: LineRef) -> str:
    """`'Phones for participants'` (its label, or its id when it has none)."""
    return f"'{ref['label'] or ref['id']}'"


def names(refs: Iterable[LineRef]) -> str:
    return and_list([name(ref) for ref in refs])


def plural(count: int, word: str, plural_word: str | None = None) -> str:
    """`1 FY`, `3 FYs`."""
    return f"{count} {word if count == 1 else (plural_word or word + 's')}"


def verb(count: int, one: str, many: str) -> str:
    """The verb agreeing with a count: verb(1, "has", "have") -> "has"."""
    return one if count == 1 else many
