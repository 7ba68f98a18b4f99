"""The plan's `uncertainty` section (cost model §12): which inputs vary, and how.

Each variable is a triangular distribution (`low ≤ mode ≤ high`). Multipliers scale a plan
value (`referrals`, `enrollment_rate`, `receipts`: 0–10); the others are absolute values
(`average_months_enrolled` in months; the four rates within §8's bounds). A variable the
section does not give is fixed at the plan's value.

`substitute` writes one set of values into a resolved plan, exactly: the simulated plan of
§12 that the exact engine projects (the tornado, and the check of the vectorized engine).
"""

from __future__ import annotations

import dataclasses
import decimal
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from . import streams
from .money import dollars, q, round_half_up

if TYPE_CHECKING:  # parse imports this module; the reader is only a type here
    from .plan import Plan

# §12's order: the tornado keeps it for ties, the draws are taken in it.
VARIABLES = (
    "referrals",
    "enrollment_rate",
    "average_months_enrolled",
    "receipts",
    "salary_escalation",
    "health_escalation",
    "inflation",
    "interest_rate",
)
MULTIPLIERS = frozenset({"referrals", "enrollment_rate", "receipts"})
RATES = frozenset({"salary_escalation", "health_escalation", "inflation", "interest_rate"})
MONTHS = "average_months_enrolled"
MULTIPLIER_MAX = Decimal(10)
RATE_MIN, RATE_MAX = Decimal("-0.5"), Decimal(1)
MONTHS_MIN, MONTHS_MAX = 1, 120
DRAWS_MIN, DRAWS_MAX, DRAWS_DEFAULT = 1, 100_000, 10_000
SEED_MAX = 2**63 - 1
SECTION_KEYS = ("draws", "seed", *VARIABLES)
TRIANGLE_KEYS = ("low", "mode", "high")

LABELS = {
    "referrals": "Referrals (× the plan's)",
    "enrollment_rate": "Enrollment rate (× the plan's)",
    "average_months_enrolled": "Months enrolled",
    "receipts": "Settlement receipts (× the plan's)",
    "salary_escalation": "Salary escalation",
    "health_escalation": "Health escalation",
    "inflation": "Inflation",
    "interest_rate": "Interest rate",
}


@dataclass(frozen=True)
class Triangle:
    low: Decimal
    mode: Decimal
    high: Decimal

    @property
    def collapsed(self) -> bool:
        return self.low == self.high


@dataclass(frozen=True)
class Uncertainty:
    draws: int = DRAWS_DEFAULT
    seed: int = 0
    # The given variables, in VARIABLES order.
    variables: MappingProxyType[str, Triangle] = dataclasses.field(
        default_factory=lambda: MappingProxyType({})
    )

    def with_run(self, draws: int | None = None, seed: int | None = None) -> Uncertainty:
        """The same ranges with another number of draws or seed (the CLI's options)."""
        return dataclasses.replace(
            self,
            draws=self.draws if draws is None else draws,
            seed=self.seed if seed is None else seed,
        )


def bounds(name: str) -> tuple[Decimal, Decimal]:
    if name in MULTIPLIERS:
        return Decimal(0), MULTIPLIER_MAX
    if name == MONTHS:
        return Decimal(MONTHS_MIN), Decimal(MONTHS_MAX)
    return RATE_MIN, RATE_MAX


# --------------------------------------------------------------------------- reading


def read_uncertainty(reader: Any, value: Any) -> Uncertainty | None:
    """The section read with parse.py's reader (every problem with its path); None when the
    plan has no section. `reader` is reader._Reader (§15 limits on the text come first)."""
    from .fields import MISSING as _MISSING
    from .fields import Field

    if value is None:
        return None
    path = "uncertainty"
    source = reader.obj(value, path, SECTION_KEYS)
    if source is None:
        return None
    draws = reader.field(
        source,
        Field(
            "draws", "whole", low=Decimal(DRAWS_MIN), high=Decimal(DRAWS_MAX), fixed=DRAWS_DEFAULT
        ),
        path,
    )
    seed = reader.field(
        source, Field("seed", "whole", low=Decimal(0), high=Decimal(SEED_MAX), fixed=0), path
    )
    found: dict[str, Triangle] = {}
    for name in VARIABLES:
        if source.get(name) is None:
            continue
        here = f"{path}.{name}"
        triangle = reader.obj(source[name], here, TRIANGLE_KEYS)
        if triangle is None:
            continue
        low, high = bounds(name)
        field_values = {
            key: reader.field(
                triangle, Field(key, "number", required=True, low=low, high=high), here
            )
            for key in TRIANGLE_KEYS
        }
        if any(v is _MISSING or v is None for v in field_values.values()):
            continue
        lo, mode, hi = (field_values[k] for k in TRIANGLE_KEYS)
        if not lo <= mode <= hi:
            reader.error(
                f"{here}.mode" if lo <= hi else f"{here}.high",
                f"low ≤ mode ≤ high is required (got low {_text(lo)}, mode "
                f"{_text(mode)}, high {_text(hi)})",
            )
            continue
        found[name] = Triangle(lo, mode, hi)
    if _MISSING in (draws, seed):
        return None
    return Uncertainty(draws=draws, seed=seed, variables=MappingProxyType(found))


def _text(value: Decimal) -> str:
    return format(value, "f")


def uncertainty_to_dict(section: Uncertainty) -> dict[str, Any]:
    """The section as the plan file writes it (every value explicit, exact decimals)."""
    return {
        "draws": section.draws,
        "seed": section.seed,
        **{
            name: {k: _text(getattr(t, k)) for k in TRIANGLE_KEYS}
            for name, t in section.variables.items()
        },
    }


# --------------------------------------------------------------------------- substitution


def plan_value(plan: Plan, name: str) -> Decimal:
    """The value a variable has in the plan itself: 1 for a multiplier."""
    if name in MULTIPLIERS:
        return Decimal(1)
    if name == MONTHS:
        return Decimal(plan.participants.average_months_enrolled)
    if name == "interest_rate":
        return plan.fund.interest_rate
    return getattr(plan.assumptions, name)  # type: ignore[no-any-return]


def months(value: Decimal | float) -> int:
    """A months-enrolled value as used: rounded half-up to a whole month, within 1–120."""
    whole = int(round_half_up(value if isinstance(value, Decimal) else Decimal(value)))
    return min(MONTHS_MAX, max(MONTHS_MIN, whole))


def closed_fys(plan: Plan) -> frozenset[int]:
    """The FYs the plan's actuals close (§11); their fund figures stay as they were."""
    return frozenset(entry.fy for entry in plan.actuals)


# Products of a plan value (≤ 40 characters) and a drawn value (a float, exactly): exact.
_EXACT = decimal.Context(prec=400, rounding=decimal.ROUND_HALF_UP)


def substitute(plan: Plan, values: Mapping[str, Decimal]) -> Plan:
    """The simulated plan of §12: `values` (variable → value; a multiplier for the first
    three) written into the resolved plan. Defaults the plan resolved stay as resolved:
    the drawn rates escalate from the start FY, as the plan's own rates do."""
    people = plan.participants
    fund = plan.fund
    assumptions = plan.assumptions
    if "referrals" in values:
        m = values["referrals"]
        people = dataclasses.replace(
            people,
            referrals_per_year=MappingProxyType(
                {p: _EXACT.multiply(v, m) for p, v in people.referrals_per_year.items()}
            ),
        )
    if "enrollment_rate" in values:
        m = values["enrollment_rate"]
        people = dataclasses.replace(
            people,
            enrollment_rate=MappingProxyType(
                {
                    p: min(Decimal(1), _EXACT.multiply(v, m))
                    for p, v in people.enrollment_rate.items()
                }
            ),
        )
    if MONTHS in values:
        people = dataclasses.replace(people, average_months_enrolled=months(values[MONTHS]))
    if "receipts" in values:
        m = values["receipts"]
        closed = closed_fys(plan)
        inside = range(plan.start_fy, plan.end_fy + 1)
        if fund.receipts_by_stream:  # §18: each stream's amount, rounded, then summed
            open_fys = {fy for fy in inside if fy not in closed}
            fund = streams.scaled(fund, m, open_fys)
        else:
            fund = dataclasses.replace(
                fund,
                receipts=tuple(
                    (
                        fy,
                        Decimal(dollars(dollars(amount) * q(m)))
                        if fy in inside and fy not in closed
                        else amount,
                    )
                    for fy, amount in fund.receipts
                ),
            )
    if "interest_rate" in values:
        fund = dataclasses.replace(fund, interest_rate=values["interest_rate"])
    rates = {
        n: values[n] for n in ("salary_escalation", "health_escalation", "inflation") if n in values
    }
    if rates:
        assumptions = dataclasses.replace(assumptions, **rates)
    return dataclasses.replace(plan, participants=people, fund=fund, assumptions=assumptions)


# --------------------------------------------------------------------------- offered ranges


@dataclass(frozen=True)
class OfferedRange:
    """A range `cost_tables/uncertainty_ranges.toml` offers, with its source and year.
    `mode` None: the plan's own value (a rate)."""

    name: str
    low: Decimal
    mode: Decimal | None
    high: Decimal
    source: str
    year: int


def offered_triangle(plan: Plan, offered: OfferedRange) -> Triangle:
    """The range offered to this plan: the mode is the plan's value unless the table gives
    one, and the ends are widened to take the mode in (never silently applied: the page
    fills a form with it, and the county saves it or not)."""
    mode = offered.mode if offered.mode is not None else plan_value(plan, offered.name)
    return Triangle(min(offered.low, mode), mode, max(offered.high, mode))


def offered_section(
    plan: Plan, offered: Mapping[str, OfferedRange], current: Uncertainty | None = None
) -> Uncertainty:
    """The plan's section with every offered range filled in (variables the plan already
    gives are replaced; draws and seed kept)."""
    base = current or plan.uncertainty or Uncertainty()
    found = dict(base.variables)
    for name, entry in offered.items():
        found[name] = offered_triangle(plan, entry)
    ordered = {name: found[name] for name in VARIABLES if name in found}
    return dataclasses.replace(base, variables=MappingProxyType(ordered))
