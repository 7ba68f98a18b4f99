"""Funding sources on a plan (cost model §16), as the web app edits them: a source of the
plan's `funding.sources` and the `funded_by` entries of the lines it pays.

These functions change a plan document (a dict, exact decimals); the caller saves it with
`update_plan`, which has the engine check the whole plan before anything is written. No
arithmetic on money here: the split between sources is the engine's (`by_source`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from planner.scenarios.funding import PARTNER

SOURCE_KEYS = ("id", "name", "kind", "start", "end", "award", "jurisdiction")


@dataclass(frozen=True)
class LinePayment:
    """What one source pays of one line, as the plan file writes it: a share (0–1) or
    amounts by FY (label → dollars); both None: it pays nothing of the line."""

    share: Any = None
    amounts: dict[str, Any] | None = None


class UnknownSource(LookupError):
    """The plan has no funding source with this id."""


def sources_of(document: dict[str, Any]) -> list[dict[str, Any]]:
    funding = document.get("funding") or {}
    return list(funding.get("sources") or [])


def source_index(document: dict[str, Any], source_id: str) -> int:
    for index, source in enumerate(sources_of(document)):
        if source.get("id") == source_id:
            return index
    raise UnknownSource(source_id)


def new_source_id(document: dict[str, Any], name: str) -> str:
    """A slug for a new source from its name, unique in the plan ('settlement' is the
    fund's own)."""
    base = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:50] or "source"
    taken = {s.get("id") for s in sources_of(document)} | {"settlement"}
    found, n = base, 2
    while found in taken:
        found, n = f"{base}-{n}", n + 1
    return found


def payments_of(document: dict[str, Any], source_id: str) -> dict[str, LinePayment]:
    """line id → what the source pays of it (its first entry naming the source)."""
    found: dict[str, LinePayment] = {}
    for line in document.get("line_items") or []:
        for entry in line.get("funded_by") or []:
            if entry.get("source") == source_id:
                found[line.get("id")] = LinePayment(entry.get("share"), entry.get("amounts"))
                break
    return found


def set_source(
    document: dict[str, Any],
    source_id: str | None,
    values: dict[str, Any],
    payments: dict[str, LinePayment],
) -> str:
    """Add a source (`source_id` None) or replace one, and set what it pays of each line
    (`payments`, by line id; a line not named pays nothing from it). Returns its id. The
    source keeps its place in `funding.sources`, and each line its entries' order."""
    sources = sources_of(document)
    source = {k: values.get(k) for k in SOURCE_KEYS if k != "id"}
    if source.get("kind") != PARTNER:
        source.pop("jurisdiction", None)
    if source_id is None:
        source_id = values.get("id") or new_source_id(document, str(values.get("name") or ""))
        sources.append({"id": source_id, **source})
    else:
        sources[source_index(document, source_id)] = {"id": source_id, **source}
    document["funding"] = {**(document.get("funding") or {}), "sources": sources}
    for line in document.get("line_items") or []:
        entries = list(line.get("funded_by") or [])
        at = next((i for i, e in enumerate(entries) if e.get("source") == source_id), None)
        payment = payments.get(line.get("id"))
        entry: dict[str, Any] | None = None
        if payment is not None and payment.share is not None:
            entry = {"source": source_id, "share": payment.share}
        elif payment is not None and payment.amounts is not None:
            entry = {"source": source_id, "amounts": payment.amounts}
        entries = [e for e in entries if e.get("source") != source_id]
        if entry is not None:
            entries.insert(len(entries) if at is None else at, entry)
        if entries:
            line["funded_by"] = entries
        else:
            line.pop("funded_by", None)
    return source_id


def remove_source(document: dict[str, Any], source_id: str) -> None:
    """Take the source out of the plan and out of every line it paid (the settlement fund
    pays what it paid)."""
    sources = sources_of(document)
    del sources[source_index(document, source_id)]
    if sources:
        document["funding"] = {**(document.get("funding") or {}), "sources": sources}
    else:
        document.pop("funding", None)
    for line in document.get("line_items") or []:
        entries = [e for e in line.get("funded_by") or [] if e.get("source") != source_id]
        if entries:
            line["funded_by"] = entries
        else:
            line.pop("funded_by", None)
