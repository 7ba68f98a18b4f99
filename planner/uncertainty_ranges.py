"""Load `cost_tables/uncertainty_ranges.toml`: the ranges the uncertainty section offers."""

from __future__ import annotations

import functools
import os
import tomllib
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType

from planner.cost_tables import TABLES_DIR
from planner.scenarios.uncertainty import VARIABLES, OfferedRange, bounds

FILE = "uncertainty_ranges.toml"


def load_ranges(directory: Path | None = None) -> MappingProxyType[str, OfferedRange]:
    directory = directory or Path(os.environ.get("PLANNER_COST_TABLES", TABLES_DIR))
    path = directory / FILE
    if not path.exists():
        path = TABLES_DIR / FILE
    with path.open("rb") as handle:
        raw = tomllib.load(handle)
    found: dict[str, OfferedRange] = {}
    for name, entry in raw.items():
        if name not in VARIABLES:
            raise ValueError(f"{FILE}: unknown variable {name!r}")
        low, high = Decimal(entry["low"]), Decimal(entry["high"])
        mode = Decimal(entry["mode"]) if "mode" in entry else None
        least, most = bounds(name)
        if not least <= low <= (mode if mode is not None else low) <= high <= most:
            raise ValueError(f"{FILE}: {name} must have {least} ≤ low ≤ mode ≤ high ≤ {most}")
        found[name] = OfferedRange(name, low, mode, high, entry["source"], int(entry["year"]))
    return MappingProxyType({n: found[n] for n in VARIABLES if n in found})


@functools.cache
def default_ranges() -> MappingProxyType[str, OfferedRange]:
    return load_ranges()
