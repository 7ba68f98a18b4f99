"""Load `cost_tables/` (TOML defaults and thresholds, MOA CSVs, the offered uncertainty ranges)
into frozen objects."""

from __future__ import annotations

import csv
import functools
import os
import tomllib
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType

from planner.scenarios.fiscal import parse_fy
from planner.scenarios.outcomes import ReturnAssumptions
from planner.scenarios.tables import (
    CostTables,
    Default,
    ExhibitAStrategy,
    ExhibitBItem,
    GovernmentShare,
    Jurisdiction,
    Limits,
    ReceiptTotal,
    ReportingField,
    SettlementStream,
    ShapeYear,
    SharePool,
)
from planner.scenarios.uncertainty import VARIABLES, OfferedRange, bounds

TABLES_DIR = Path(__file__).resolve().parent.parent / "cost_tables"


def _flatten(prefix: str, node: dict) -> dict[str, Default]:
    found: dict[str, Default] = {}
    if "value" in node and "source" in node:
        raw = node["value"]
        value = tuple(Decimal(v) for v in raw) if isinstance(raw, list) else Decimal(raw)
        found[prefix] = Default(
            key=prefix,
            value=value,
            source=node["source"],
            year=int(node["year"]),
            base_fy=node.get("base_fy"),
            escalation=node.get("escalation"),
        )
        return found
    for key, child in node.items():
        if isinstance(child, dict):
            found.update(_flatten(f"{prefix}.{key}" if prefix else key, child))
    return found


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _optional_csv(path: Path) -> list[dict[str, str]]:
    """The rows of a table a custom cost-tables directory may leave out (none then)."""
    return _read_csv(path) if path.exists() else []


def load_limits(path: Path) -> Limits:
    """The §15 limits: each a whole number with its source."""
    with path.open("rb") as handle:
        entries = _flatten("", tomllib.load(handle))
    return Limits(
        **{key: int(entry.value) for key, entry in entries.items()},  # type: ignore[arg-type]
        entries=MappingProxyType(entries),
    )


def load_cost_tables(directory: Path | None = None) -> CostTables:
    directory = directory or Path(os.environ.get("PLANNER_COST_TABLES", TABLES_DIR))
    with (directory / "defaults.toml").open("rb") as handle:
        defaults = _flatten("", tomllib.load(handle))
    thresholds: dict[str, Default] = {}
    compliance = directory / "compliance.toml"
    if compliance.exists():
        with compliance.open("rb") as handle:
            thresholds = _flatten("", tomllib.load(handle))
    exhibit_a = tuple(
        ExhibitAStrategy(
            code=row["code"],
            number=int(row["number"]),
            title=row["title"],
            summary=row["summary"],
            source_url=row["source_url"],
        )
        for row in _read_csv(directory / "exhibit_a.csv")
    )
    exhibit_b = tuple(
        ExhibitBItem(
            code=f"B:{row['item_code']}",
            part=row["part"],
            section_letter=row["section_letter"],
            section_title=row["section_title"],
            summary=row["summary"],
            source_url=row["source_url"],
            verified=row["verified"].strip().lower() == "yes",
        )
        for row in _read_csv(directory / "exhibit_b_items.csv")
    )
    jurisdictions = tuple(
        Jurisdiction(
            name=row["name"],
            kind=row["kind"],
            fips=row["county_fips"],
            county=row["county"],
            slug=row["slug"],
            note=row["note"],
        )
        for row in _read_csv(directory / "nc_local_governments.csv")
    )
    starting: dict[str, Default] = {}
    if (directory / "starting_plan.toml").exists():
        with (directory / "starting_plan.toml").open("rb") as handle:
            starting = _flatten("", tomllib.load(handle))
    totals = tuple(
        ReceiptTotal(
            slug=row["slug"],
            name=row["name"],
            total=Decimal(row["total_usd"]) if row["total_usd"] else None,
            covers=row["covers"],
            status=row["status"],
            basis=row["basis"],
            source_url=row["source_url"],
            caveat=row["caveat"],
            other_figures=row["other_figures"],
        )
        for row in _optional_csv(directory / "nc_receipt_totals.csv")
    )
    shape = tuple(
        ShapeYear(
            fy=parse_fy(row["fiscal_year"]),
            fraction=Decimal(row["fraction"]),
            of_total=row["of_total"],
            basis=row["basis"],
            source_url=row["source_url"],
            status=row["status"],
            note=row["note"],
        )
        for row in _optional_csv(directory / "nc_payment_shape.csv")
    )
    reporting = tuple(
        ReportingField(
            report=row["report"],
            field=row["field"],
            order=int(row["order"]),
            words=row["words"],
            source=row["source"],
            source_url=row["source_url"],
            year=int(row["year"]),
            status=row["status"],
            note=row["note"],
        )
        for row in _optional_csv(directory / "reporting_fields.csv")
    )
    streams, pools = load_streams(directory / STREAMS_FILE)
    shares = tuple(
        GovernmentShare(
            slug=row["slug"],
            name=row["name"],
            figure=Decimal(row["figure_usd"]),
            scope=row["figure_scope"],
            status=row["status"],
            year=int(row["year"]),
            said=row["figure"],
            source_url=row["source_url"],
            caveat=row["caveat"],
        )
        for row in _optional_csv(directory / "nc_shares.csv")
    )
    limits_file = directory / "limits.toml"
    limits = load_limits(limits_file if limits_file.exists() else TABLES_DIR / "limits.toml")
    return CostTables(
        defaults=MappingProxyType(defaults),
        limits=limits,
        exhibit_a=exhibit_a,
        exhibit_b=exhibit_b,
        thresholds=MappingProxyType(thresholds),
        jurisdictions=jurisdictions,
        receipt_totals=totals,
        payment_shape=shape,
        starting=MappingProxyType(starting),
        reporting_fields=reporting,
        streams=streams,
        share_pools=MappingProxyType(pools),
        shares=shares,
    )


STREAMS_FILE = "settlement_streams.toml"


def load_streams(path: Path) -> tuple[tuple[SettlementStream, ...], dict[str, SharePool]]:
    """The settlement streams (cost model §18) in their order, and the share pools; none
    when a custom cost-tables directory leaves the file out."""
    if not path.exists():
        return (), {}
    with path.open("rb") as handle:
        raw = tomllib.load(handle)
    streams = []
    for slug, entry in sorted(raw.get("streams", {}).items(), key=lambda item: item[1]["order"]):
        shape = tuple(
            sorted((parse_fy(fy), Decimal(value)) for fy, value in entry.get("shape", {}).items())
        )
        if shape and sum(f for _, f in shape) != 1:
            raise ValueError(f"{STREAMS_FILE}: the shape of {slug} must add up to 1")
        total = entry.get("local_total")
        streams.append(
            SettlementStream(
                slug=slug,
                name=entry["name"],
                local_total=Decimal(total) if total is not None else None,
                local_total_basis=entry.get("local_total_basis", ""),
                source=entry["source"],
                source_url=entry["source_url"],
                year=int(entry["year"]),
                status=entry["status"],
                shape=shape,
                shape_basis=entry.get("shape_basis", ""),
                shape_source_url=entry.get("shape_source_url", ""),
                shape_year=entry.get("shape_year"),
                not_known=entry.get("not_known", ""),
            )
        )
    pools = {
        scope: SharePool(
            scope=scope,
            value=Decimal(entry["value"]),
            ratio=(Decimal(entry["ratio"][0]), Decimal(entry["ratio"][1]))
            if "ratio" in entry
            else None,
            source=entry["source"],
            source_url=entry["source_url"],
            year=int(entry["year"]),
        )
        for scope, entry in raw.get("pools", {}).items()
    }
    return tuple(streams), pools


@functools.cache
def default_cost_tables() -> CostTables:
    """The shipped tables, loaded once per process."""
    return load_cost_tables()


# --- The ranges the uncertainty section offers (cost_tables/uncertainty_ranges.toml) ----------

RANGES_FILE = "uncertainty_ranges.toml"


def load_ranges(directory: Path | None = None) -> MappingProxyType[str, OfferedRange]:
    directory = directory or Path(os.environ.get("PLANNER_COST_TABLES", TABLES_DIR))
    path = directory / RANGES_FILE
    if not path.exists():
        path = TABLES_DIR / RANGES_FILE
    with path.open("rb") as handle:
        raw = tomllib.load(handle)
    found: dict[str, OfferedRange] = {}
    for name, entry in raw.items():
        if name not in VARIABLES:
            raise ValueError(f"{RANGES_FILE}: unknown variable {name!r}")
        low, high = Decimal(entry["low"]), Decimal(entry["high"])
        mode = Decimal(entry["mode"]) if "mode" in entry else None
        least, most = bounds(name)
        if not least <= low <= (mode if mode is not None else low) <= high <= most:
            raise ValueError(
                f"{RANGES_FILE}: {name} must have {least} ≤ low ≤ mode ≤ high ≤ {most}"
            )
        found[name] = OfferedRange(name, low, mode, high, entry["source"], int(entry["year"]))
    return MappingProxyType({n: found[n] for n in VARIABLES if n in found})


@functools.cache
def default_ranges() -> MappingProxyType[str, OfferedRange]:
    return load_ranges()


# --- What the program may return (cost_tables/outcomes.toml; issue 22) ------------------------

OUTCOMES_FILE = "outcomes.toml"


@functools.cache
def default_outcomes() -> ReturnAssumptions:
    directory = Path(os.environ.get("PLANNER_COST_TABLES", TABLES_DIR))
    path = directory / OUTCOMES_FILE
    if not path.exists():
        path = TABLES_DIR / OUTCOMES_FILE
    with path.open("rb") as handle:
        return ReturnAssumptions.from_table(tomllib.load(handle))
