"""Funding sources: what the settlement fund does not pay (cost model §16).

A plan may declare other sources (`funding.sources`: a grant, the general fund, Medicaid, a
partner government, other) and each line may name who pays part of it (`funded_by`: a
`share` of the line's cost, prorated by the months of the FY inside the source's period, or
`amounts` by FY). This module reads both (every problem with its exact path, the §15 limits
checked on the text before any arithmetic), writes them back (a round trip), and splits each
line's cost between the sources and the settlement fund (`allocate`):

    T = the line's total in FY k (its rounded components), R = T
    for each funded_by entry, in order:
        share:   a = min(R, A, round_half_up(share × months_k / 12 × T))   (exact, rounded once)
        amounts: a = min(R, A, round_half_up(amount_k))
        R = R − a, and A (what remains of the source's award; none: no limit) falls by a
    R is the line's settlement spending in FY k

FYs are taken in order and, within a FY, lines in plan order, so an award runs out in the
first FYs it pays.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .fields import Field, money, share
from .fiscal import fy_label
from .money import dollars, q
from .plan import FUNDING_KINDS, SETTLEMENT, FundingEntry, FundingSource, LineItem, Plan
from .reader import _MISSING, _join, _Reader

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
SOURCE_KEYS = ("id", "name", "kind", "start", "end", "award", "jurisdiction")
ENTRY_KEYS = ("source", "share", "amounts")
SOURCE_FIELDS: tuple[Field, ...] = (
    Field("id", "text", required=True),
    Field("name", "text", required=True),
    Field("kind", "choice", required=True, choices=FUNDING_KINDS),
    Field("start", "date", nullable=True),
    Field("end", "date", nullable=True),
    money("award", nullable=True),
    Field("jurisdiction", "text", nullable=True),
)
SHARE_FIELD = share("share")
AMOUNT_FIELD = money("amount")
PARTNER = "partner"


# --------------------------------------------------------------------------- reading


def read_funding(reader: _Reader, value: Any) -> tuple[FundingSource, ...]:
    """The `funding` section (its `sources`), or () when absent."""
    if value is None:
        return ()
    section = reader.obj(value, "funding", ("sources",))
    if not section:
        return ()
    raw = section.get("sources")
    path = "funding.sources"
    if raw is None:
        return ()
    if not isinstance(raw, list):
        reader.error(path, "must be a list")
        return ()
    if reader.too_many(raw, path, reader.limits.funding_sources_max, "funding sources"):
        return ()
    found: list[FundingSource] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(raw):
        here = f"{path}[{index}]"
        sub = reader.obj(item, here, SOURCE_KEYS)
        if sub is None:
            continue
        values = reader.fields(sub, SOURCE_FIELDS, here)
        ok = _MISSING not in values.values()
        source_id = values["id"]
        if source_id is not _MISSING:
            if not _ID.match(source_id):
                reader.error(
                    f"{here}.id",
                    f"must be a short slug of letters, digits, '-' or '_' (got '{source_id}')",
                )
                ok = False
            elif source_id == SETTLEMENT:
                reader.error(
                    f"{here}.id", "'settlement' is reserved for the settlement fund itself"
                )
                ok = False
            elif source_id in seen:
                reader.error(
                    f"{here}.id",
                    f"duplicate id '{source_id}' (also funding.sources[{seen[source_id]}])",
                )
                ok = False
            else:
                seen[source_id] = index
        start, end = values["start"], values["end"]
        if isinstance(start, dt.date) and start.day != 1:
            reader.error(f"{here}.start", "must be the first day of a month (e.g. 2025-10-01)")
            ok = False
        if isinstance(end, dt.date) and (end + dt.timedelta(days=1)).day != 1:
            reader.error(f"{here}.end", "must be the last day of a month (e.g. 2028-09-30)")
            ok = False
        elif isinstance(start, dt.date) and isinstance(end, dt.date) and end < start:
            reader.error(f"{here}.end", f"must not be before start ({start.isoformat()})")
            ok = False
        kind, jurisdiction = values["kind"], values["jurisdiction"]
        if kind == PARTNER and jurisdiction is None:
            reader.error(
                f"{here}.jurisdiction",
                "is required for a partner (the slug of the government that pays)",
            )
            ok = False
        elif kind not in (PARTNER, _MISSING) and jurisdiction not in (None, _MISSING):
            reader.error(
                f"{here}.jurisdiction", f"is only for a partner source (this one is a {kind})"
            )
            ok = False
        elif isinstance(jurisdiction, str) and not _ID.match(jurisdiction):
            reader.error(
                f"{here}.jurisdiction",
                f"must be a government's slug such as city-of-greenville (got '{jurisdiction}')",
            )
            ok = False
        if not ok:
            continue
        award = values["award"]
        found.append(
            FundingSource(
                id=source_id,
                name=values["name"],
                kind=kind,
                start=start,
                end=end,
                award=None if award is None else dollars(award),
                jurisdiction=jurisdiction,
                award_text=award,
            )
        )
    return tuple(found)


def read_funded_by(
    reader: _Reader,
    value: Any,
    path: str,
    sources: Mapping[str, FundingSource],
    window: tuple[int, int] | None,
    sources_ok: bool,
) -> tuple[FundingEntry, ...]:
    """One line's `funded_by` list. `window`: the line's first and last FY as resolved
    (None when unknown: a problem elsewhere). `sources_ok`: the `funding` section was read
    without problems (else an unknown id may only be a source that was refused)."""
    if value is None:
        return ()
    here = _join(path, "funded_by")
    if not isinstance(value, list):
        reader.error(here, "must be a list")
        return ()
    if reader.too_many(value, here, reader.limits.funded_by_max, "funding entries a line"):
        return ()
    first_plan, last_plan = reader.start_fy, reader.start_fy + reader.years - 1
    entries: list[FundingEntry] = []
    complete = True
    for index, item in enumerate(value):
        at = f"{here}[{index}]"
        sub = reader.obj(item, at, ENTRY_KEYS)
        if sub is None:
            complete = False
            continue
        source_id = reader.field(sub, Field("source", "text", required=True), at)
        source = sources.get(source_id) if isinstance(source_id, str) else None
        if isinstance(source_id, str) and source is None:
            if sources_ok:
                known = ", ".join(sources) or "none are declared in funding.sources"
                reader.error(
                    f"{at}.source", f"unknown funding source '{source_id}' (sources: {known})"
                )
            complete = False
        has_share = sub.get("share") is not None
        has_amounts = sub.get("amounts") is not None
        if has_share == has_amounts:
            reader.error(
                at,
                "give exactly one of share and amounts"
                + (" (not both)" if has_share else " (neither is given)"),
            )
            complete = False
            continue
        if has_share:
            found_share = reader.scalar(SHARE_FIELD, sub["share"], f"{at}.share")
            if found_share is _MISSING or source is None:
                complete = False
                continue
            entries.append(FundingEntry(source.id, share=found_share))
            continue
        amounts = _read_amounts(
            reader, sub["amounts"], f"{at}.amounts", source, window, (first_plan, last_plan)
        )
        if amounts is None or source is None:
            complete = False
            continue
        entries.append(FundingEntry(source.id, amounts=amounts))
    if complete and window is not None:
        _check_shares(reader, here, entries, sources, window)
    return tuple(entries)


def _read_amounts(
    reader: _Reader,
    value: Any,
    path: str,
    source: FundingSource | None,
    window: tuple[int, int] | None,
    plan_fys: tuple[int, int],
) -> tuple[tuple[int, Decimal], ...] | None:
    found_source = reader.obj(value, path)
    if found_source is None or reader.too_many(
        found_source, path, reader.limits.actuals_max, "FYs of amounts"
    ):
        return None
    found: list[tuple[int, Decimal]] = []
    entries, ok = reader.fy_entries(found_source, path)
    for here, fy, raw in entries:
        amount = reader.scalar(AMOUNT_FIELD, raw, here)
        if amount is _MISSING:
            ok = False
            continue
        if not plan_fys[0] <= fy <= plan_fys[1]:
            reader.error(
                here,
                f"{fy_label(fy)} is outside the plan ({fy_label(plan_fys[0])} to "
                f"{fy_label(plan_fys[1])})",
            )
            ok = False
            continue
        if window is not None and not window[0] <= fy <= window[1]:
            reader.error(
                here,
                f"{fy_label(fy)} is outside the line's years ({fy_label(window[0])} to "
                f"{fy_label(window[1])})",
            )
            ok = False
            continue
        if source is not None and source.months_in(fy) == 0:
            reader.error(
                here,
                f"{source.id} pays nothing in {fy_label(fy)}: no month of it lies inside the "
                f"source's period ({period_text(source)})",
            )
            ok = False
            continue
        found.append((fy, amount))
    return tuple(found) if ok else None


def _check_shares(
    reader: _Reader,
    path: str,
    entries: Sequence[FundingEntry],
    sources: Mapping[str, FundingSource],
    window: tuple[int, int],
) -> None:
    """§16: in each FY, a line's share × months_k / 12 add up to at most 1."""
    shares = [e for e in entries if e.share is not None]
    if not shares:
        return
    first = max(window[0], reader.start_fy)
    last = min(window[1], reader.start_fy + reader.years - 1)
    for fy in range(first, last + 1):
        total = sum(
            (q(e.share) * sources[e.source].months_in(fy) / 12 for e in shares if e.share),
            q(0),
        )
        if total > 1:
            reader.error(
                path,
                f"the shares add up to {float(total):.4g} of the line's cost in {fy_label(fy)} "
                "(share × months of the FY inside each source's period ÷ 12); at most 1",
            )
            return


def period_text(source: FundingSource) -> str:
    start = source.start.isoformat() if source.start else "no start"
    end = source.end.isoformat() if source.end else "no end"
    return f"{start} to {end}"


# --------------------------------------------------------------------------- writing


def _plain(value: Any) -> Any:
    return format(value, "f") if isinstance(value, Decimal) else value


def source_to_dict(source: FundingSource) -> dict[str, Any]:
    found: dict[str, Any] = {
        "id": source.id,
        "name": source.name,
        "kind": source.kind,
        "start": source.start.isoformat() if source.start else None,
        "end": source.end.isoformat() if source.end else None,
        "award": None if source.award_text is None else _plain(source.award_text),
    }
    if source.kind == PARTNER:
        found["jurisdiction"] = source.jurisdiction
    return found


def funding_to_dict(plan: Plan) -> dict[str, Any]:
    """`{"funding": {...}}` for a plan with sources; {} for one without (it writes none)."""
    if not plan.funding:
        return {}
    return {"funding": {"sources": [source_to_dict(s) for s in plan.funding]}}


def funded_by_to_list(line: LineItem) -> list[dict[str, Any]]:
    found = []
    for entry in line.funded_by:
        if entry.share is not None:
            found.append({"source": entry.source, "share": _plain(entry.share)})
        else:
            found.append(
                {
                    "source": entry.source,
                    "amounts": {fy_label(fy): _plain(a) for fy, a in entry.amounts or ()},
                }
            )
    return found


# --------------------------------------------------------------------------- the split


@dataclass(frozen=True)
class Allocation:
    """Who pays each line in each plan FY (§16), whole dollars."""

    # Per line (plan order): the settlement fund's part of its cost per FY.
    settlement: tuple[tuple[int, ...], ...]
    # Per line: `settlement` and each source its funded_by names (in that order), per FY.
    by_line: tuple[dict[str, tuple[int, ...]], ...]
    # `settlement` and every declared source, in the order declared, per FY.
    by_source: dict[str, tuple[int, ...]]
    # What the entries asked of each source per FY before its award was spent (for the
    # FUNDING-SOURCES rule: asked − paid is what the settlement fund pays instead).
    asked: dict[str, tuple[int, ...]]


def has_funding(plan: Plan) -> bool:
    return any(line.funded_by for line in plan.line_items)


def allocate(plan: Plan, line_totals: Sequence[Sequence[int]]) -> Allocation:
    """Split each line's total per FY (`line_totals`, plan order) between its sources and
    the settlement fund (§16, the formula in this module's docstring)."""
    years = plan.years
    if not has_funding(plan):  # the settlement fund pays every line
        zeros = (0,) * years
        return Allocation(
            settlement=tuple(tuple(t) for t in line_totals),
            by_line=tuple({SETTLEMENT: tuple(t)} for t in line_totals),
            by_source={
                SETTLEMENT: tuple(map(sum, zip(*line_totals, strict=True)))
                if line_totals
                else zeros,
                **{s.id: zeros for s in plan.funding},
            },
            asked={s.id: zeros for s in plan.funding},
        )
    paid = {s.id: [0] * years for s in plan.funding}
    asked = {s.id: [0] * years for s in plan.funding}
    settlement = [list(t) for t in line_totals]
    per_line: list[dict[str, list[int]]] = [
        {SETTLEMENT: settlement[i], **{e.source: [0] * years for e in line.funded_by}}
        for i, line in enumerate(plan.line_items)
    ]
    # Every FY in order, then every line in plan order (see the module's docstring).
    remaining: dict[str, int | None] = {s.id: s.award for s in plan.funding}
    months = {s.id: [s.months_in(fy) for fy in plan.fiscal_years] for s in plan.funding}
    amounts = [
        [dict(e.amounts) if e.amounts is not None else None for e in line.funded_by]
        for line in plan.line_items
    ]
    for k, fy in enumerate(plan.fiscal_years):
        for i, line in enumerate(plan.line_items):
            if not line.funded_by:
                continue
            total = line_totals[i][k]
            rest = total
            for e, entry in enumerate(line.funded_by):
                by_fy = amounts[i][e]
                if by_fy is None:
                    share = q(entry.share or 0)
                    want = dollars(share * months[entry.source][k] / 12 * total)
                else:
                    want = dollars(by_fy.get(fy, 0))
                want = min(rest, want)
                left = remaining[entry.source]
                pay = want if left is None else min(want, left)
                if left is not None:
                    remaining[entry.source] = left - pay
                asked[entry.source][k] += want
                paid[entry.source][k] += pay
                per_line[i][entry.source][k] += pay
                rest -= pay
            settlement[i][k] = rest
    settlement_total = tuple(sum(s[k] for s in settlement) for k in range(years))
    return Allocation(
        settlement=tuple(tuple(s) for s in settlement),
        by_line=tuple({key: tuple(v) for key, v in line.items()} for line in per_line),
        by_source={SETTLEMENT: settlement_total, **{key: tuple(v) for key, v in paid.items()}},
        asked={key: tuple(v) for key, v in asked.items()},
    )


def settlement_spending(plan: Plan, line_totals: Sequence[Sequence[int]]) -> tuple[int, ...]:
    """The settlement fund's spending per FY (§6, §16) for these line totals."""
    if not has_funding(plan):
        return tuple(sum(t[k] for t in line_totals) for k in range(plan.years))
    return allocate(plan, line_totals).by_source[SETTLEMENT]


__all__ = [
    "Allocation",
    "allocate",
    "funded_by_to_list",
    "funding_to_dict",
    "has_funding",
    "read_funded_by",
    "read_funding",
    "settlement_spending",
    "source_to_dict",
]
