"""When the money is short: ways to fit the plan to its fund, side by side (issue 22).

Each option is a complete plan (a `lead-plan/1` document, parsed again by the one parser)
and every figure it states is read from `project()` and the compliance rules of that plan,
never re-derived here: what the page, the CLI and the tests read is the projection of the
option's own plan. The options are:

- `fewer_referrals`: the §13 referrals fit (which respects LEAD-CASELOAD);
- `trim_lines`: one proportional trim of the fixed lines (lines whose cost does not follow
  the participants) the user has not protected, each on its driver's grid;
- `later_start`: the LEAD program starts the fewest FYs later that keep the reserve;
- `shorter_horizon`: the plan covers only the FYs the fund carries (a risk: it ends there);
- `smaller_reserve`: the reserve months lowered to what the fund keeps (a risk);
- `extra_money`: the whole dollars a FY that keep the plan whole, to seek from a grant, the
  general fund or a partner (`extra_per_year`);
- `chance_referrals`: with `max_deficit_chance`, the largest referrals multiplier (no more
  than the reserve fit's) whose simulated chance of a deficit is at most that (§12, seeded).

`smallest_program` is the least-cost plan of the same government on which every LEAD
fidelity rule passes, and whether its fund sustains it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Any

from .compliance import RULES, RuleResult, _Check
from .fiscal import fy_label, parse_fy
from .fit import (
    MULTIPLIER_STEPS,
    REFERRALS,
    _largest_by_margin,
    caseload_cap,
    caseload_shortfall,
    first_open_year,
    fit,
    headroom,
    reserves,
    scaled_referrals,
    with_driver,
)
from .kinds import REGISTRY
from .kinds.base import Driver
from .money import dollars, fmt_money, fmt_quantity, q, round_half_up
from .parse import dump_plan_json, load_plan_json, parse_plan
from .plan import PATHWAYS, SERVICE_CATEGORIES, LineItem, Plan
from .projection import Projection, project
from .simulation import draw_values
from .tables import CostTables
from .uncertainty import OfferedRange, Uncertainty, offered_section

OPTIONS_SCHEMA = "lead-options/1"
OPTION_DRAWS = 1000  # draws for each option's chance of a deficit (the plan's seed)
NON_LEAD_KINDS = ("other_strategy", "contribution")
EXTRA_SOURCES = "a grant, the general fund or a partner government"


# ----------------------------------------------------------------------------- figures


@dataclass(frozen=True)
class Figures:
    """What one plan buys and what it leaves in the fund, read from its projection."""

    total: int  # totals.total: the program's whole cost over the plan
    spending: int  # the fund's spending over the plan
    lead_cost: int  # the LEAD lines' cost (§17's LEAD line)
    participants: Decimal  # enrolled over the plan (Σ new enrollees), 2 places
    participant_years: Decimal  # Σ participant-months / 12, 2 places
    cost_per_participant: int | None  # lead_cost / participants, whole dollars
    cost_per_participant_year: int | None
    peak_fte: Decimal
    fte_first_full_year: Decimal  # the FTE of the plan's last FY (steady state)
    reserve_kept: bool  # every open FY closes at or above its reserve
    lowest_margin: int | None  # min over open FYs of closing − reserve
    lowest_margin_fy: int | None
    closing_last: int
    first_deficit_fy: int | None
    rules: dict[str, str]  # LEAD rule id → status
    deficit_chance: float | None = None  # §12 simulation, seeded; None without ranges

    @property
    def fidelity_failing(self) -> list[str]:
        return [rule for rule, status in self.rules.items() if status in ("fail", "warn")]

    def to_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "spending": self.spending,
            "lead_cost": self.lead_cost,
            "participants": format(self.participants, "f"),
            "participant_years": format(self.participant_years, "f"),
            "cost_per_participant": self.cost_per_participant,
            "cost_per_participant_year": self.cost_per_participant_year,
            "peak_fte": format(self.peak_fte, "f"),
            "reserve_kept": self.reserve_kept,
            "lowest_margin": self.lowest_margin,
            "lowest_margin_fy": self.lowest_margin_fy,
            "closing_last": self.closing_last,
            "first_deficit_fy": self.first_deficit_fy,
            "deficit_chance": self.deficit_chance,
            "fidelity": self.rules,
            "fidelity_failing": self.fidelity_failing,
        }

    def words(self) -> str:
        """The figures in one sentence."""
        per = (
            f", {fmt_money(self.cost_per_participant)} of LEAD cost per participant"
            if self.cost_per_participant is not None
            else ""
        )
        chance = (
            f"; chance of a deficit {self.deficit_chance:.0%}"
            if self.deficit_chance is not None
            else ""
        )
        reserve = (
            "keeps its reserve in every FY"
            if self.reserve_kept
            else f"misses its reserve (first deficit {fy_label(self.first_deficit_fy)})"
            if self.first_deficit_fy is not None
            else "misses its reserve"
        )
        failing = self.fidelity_failing
        fidelity = (
            "every LEAD fidelity rule passes"
            if not failing
            else f"LEAD rules not passing: {', '.join(failing)}"
        )
        return (
            f"{fmt_money(self.total)} over the plan; {_whole(self.participants)} participants "
            f"enrolled{per}; up to {fmt_quantity(self.peak_fte)} FTE; {reserve}{chance}; "
            f"{fidelity}."
        )


def _whole(value: Decimal) -> str:
    return f"{round_half_up(value):,}"


def is_lead_line(item: LineItem) -> bool:
    """§17: any kind but other_strategy and contribution, strategy A:10, B:D.1… or none."""
    if item.kind in NON_LEAD_KINDS:
        return False
    code = item.strategy
    return code is None or code == "A:10" or code == "B:D.1" or code.startswith("B:D.1.")


def lead_rules(
    plan: Plan, projection: Projection, tables: CostTables, as_of: dt.date
) -> dict[str, str]:
    """Each LEAD fidelity rule's status on this plan."""
    context = _Check(plan, projection, tables, as_of)
    found: dict[str, str] = {}
    for rule, check in RULES:
        if rule.startswith("LEAD-"):
            result: RuleResult = check(context)
            found[rule] = result.status
    return found


def reserve_margin(plan: Plan, projection: Projection) -> int:
    """The smallest closing balance above its reserve over the open FYs (< 0: missed)."""
    fund = projection.fund
    reserve = reserves(plan.fund.reserve_months, fund.spending)
    return min(
        (fund.closing[k] - reserve[k] for k in range(first_open_year(plan), plan.years)),
        default=0,
    )


def _misses(plan: Plan, projection: Projection) -> list[int]:
    fund = projection.fund
    reserve = reserves(plan.fund.reserve_months, fund.spending)
    return [k for k in range(first_open_year(plan), plan.years) if fund.closing[k] < reserve[k]]


def figures_of(
    plan: Plan,
    projection: Projection,
    tables: CostTables,
    as_of: dt.date,
    deficit_chance: float | None = None,
) -> Figures:
    people = projection.participants
    lead = sum(
        line.total
        for item, line in zip(plan.line_items, projection.line_items, strict=True)
        if is_lead_line(item)
    )
    enrolled = sum(people.new_enrollees, Decimal(0))
    years = sum(people.participant_months, Decimal(0)) / 12
    fund = projection.fund
    reserve = reserves(plan.fund.reserve_months, fund.spending)
    open_years = range(first_open_year(plan), plan.years)
    margins = [(fund.closing[k] - reserve[k], k) for k in open_years]
    low = min(margins) if margins else None
    return Figures(
        total=projection.total,
        spending=fund.spending_total,
        lead_cost=lead,
        participants=round_half_up(enrolled, 2),
        participant_years=round_half_up(years, 2),
        cost_per_participant=int(round_half_up(Decimal(lead) / enrolled)) if enrolled else None,
        cost_per_participant_year=int(round_half_up(Decimal(lead) / years)) if years else None,
        peak_fte=max(projection.fte_by_year, default=Decimal(0)),
        fte_first_full_year=projection.fte_by_year[-1] if projection.fte_by_year else Decimal(0),
        reserve_kept=all(m >= 0 for m, _ in margins),
        lowest_margin=None if low is None else low[0],
        lowest_margin_fy=None if low is None else projection.fiscal_years[low[1]],
        closing_last=fund.closing[-1] if fund.closing else 0,
        first_deficit_fy=fund.first_deficit_fy,
        rules=lead_rules(plan, projection, tables, as_of),
        deficit_chance=deficit_chance,
    )


# ----------------------------------------------------------------------------- options


@dataclass(frozen=True)
class Option:
    kind: str
    title: str
    summary: str  # what changed, in one sentence of plain numbers
    changes: tuple[str, ...]  # each change and by how much
    plan: Plan
    projection: Projection
    figures: Figures
    risk: str | None = None
    extra_per_year: dict[int, int] | None = None  # FY → whole dollars (extra_money only)

    def document(self) -> dict[str, Any]:
        """The option's whole lead-plan/1 file."""
        result: dict[str, Any] = json.loads(dump_plan_json(self.plan))
        return result

    def to_dict(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "kind": self.kind,
            "title": self.title,
            "summary": self.summary,
            "changes": list(self.changes),
            "risk": self.risk,
            "figures_text": self.figures.words(),
            "figures": self.figures.to_dict(),
        }
        if self.extra_per_year is not None:
            found["extra_per_year"] = {fy_label(fy): v for fy, v in self.extra_per_year.items()}
        found["plan"] = self.document()
        return found


@dataclass(frozen=True)
class Unavailable:
    kind: str
    reason: str


@dataclass(frozen=True)
class SmallestProgram:
    plan: Plan
    projection: Projection
    figures: Figures
    sustains: bool
    gap_per_year: int | None  # the cut a year the fund needs from its first open FY (> 0)
    extra_per_year: dict[int, int]
    carried_through: int | None  # the last FY the fund carries it alone (None: not even one)
    sentence: str
    changes: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "sustains": self.sustains,
            "sentence": self.sentence,
            "gap_per_year": self.gap_per_year,
            "extra_per_year": {fy_label(fy): v for fy, v in self.extra_per_year.items()},
            "carried_through": None
            if self.carried_through is None
            else fy_label(self.carried_through),
            "changes": list(self.changes),
            "figures_text": self.figures.words(),
            "figures": self.figures.to_dict(),
            "plan": json.loads(dump_plan_json(self.plan)),
        }


@dataclass(frozen=True)
class OptionsResult:
    base: Figures
    needed: bool  # the plan misses its reserve in some open FY
    options: tuple[Option, ...]
    unavailable: tuple[Unavailable, ...]
    protected: tuple[str, ...]
    max_deficit_chance: Decimal | None
    smallest: SmallestProgram | None

    def option(self, kind: str) -> Option | None:
        return next((o for o in self.options if o.kind == kind), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": OPTIONS_SCHEMA,
            "needed": self.needed,
            "protected": list(self.protected),
            "max_deficit_chance": None
            if self.max_deficit_chance is None
            else format(self.max_deficit_chance, "f"),
            "base": {"figures_text": self.base.words(), "figures": self.base.to_dict()},
            "options": [o.to_dict() for o in self.options],
            "unavailable": [{"kind": u.kind, "reason": u.reason} for u in self.unavailable],
            "smallest_program": None if self.smallest is None else self.smallest.to_dict(),
        }


class _Builder:
    """Parse, project and judge candidate plans of one base plan."""

    def __init__(
        self,
        plan: Plan,
        tables: CostTables,
        as_of: dt.date,
        section: Uncertainty | None,
        original: tuple[Plan, Projection] | None = None,
    ):
        self.plan = plan
        # The plan the user gave, when the options start from a repaired copy of it.
        self.original = original
        self.tables = tables
        self.as_of = as_of
        self.section = section
        self.values = draw_values(section) if section is not None else None
        self.base_text = dump_plan_json(plan)
        self.base_document = json.loads(self.base_text)

    def document(self) -> dict[str, Any]:
        """A fresh copy of the plan's file (plain JSON: the export writes every decimal as
        text)."""
        found: dict[str, Any] = json.loads(self.base_text)
        return found

    def parse(self, document: dict[str, Any]) -> Plan:
        return parse_plan(load_plan_json(json.dumps(document)), self.tables)

    def final(self, plan: Plan) -> Plan:
        """A candidate built in memory, written as its plan file and read again."""
        return self.parse(json.loads(dump_plan_json(plan)))

    def chance(self, plan: Plan) -> float | None:
        if self.values is None or self.section is None:
            return None
        from .vectorized import evaluate

        closing = evaluate(plan, self.values, self.section.draws).closing
        return float((closing < 0).any(axis=1).mean())

    def option(
        self,
        kind: str,
        title: str,
        summary: str,
        changes: Iterable[str],
        plan: Plan,
        *,
        risk: str | None = None,
        extra: dict[int, int] | None = None,
    ) -> Option:
        projection = project(plan)
        return Option(
            kind,
            title,
            summary,
            tuple(changes),
            plan,
            projection,
            figures_of(plan, projection, self.tables, self.as_of, self.chance(plan)),
            risk,
            extra,
        )


def plan_options(
    plan: Plan,
    tables: CostTables,
    *,
    as_of: dt.date,
    protect: Iterable[str] = (),
    max_deficit_chance: Decimal | None = None,
    ranges: Mapping[str, OfferedRange] | None = None,
    smallest: bool = True,
) -> OptionsResult:
    """The ways to fit `plan` to its fund, each a complete plan that keeps its reserve in
    every open FY and passes LEAD-CASELOAD whenever the plan's own case-management line does.
    `protect` names lines no option cuts; `ranges` (the offered §12 ranges) stand in for a
    plan without an uncertainty section when the chance of a deficit is shown."""
    protected = tuple(dict.fromkeys(protect))
    ids = {item.id for item in plan.line_items}
    unknown = [p for p in protected if p not in ids]
    if unknown:
        raise ValueError(
            f"the plan has no line {', '.join(repr(u) for u in unknown)} to protect "
            f"(its lines: {', '.join(sorted(ids)) or 'none'})"
        )
    section = _section(plan, ranges)
    build = _Builder(plan, tables, as_of, section)
    projection = project(plan)
    base = figures_of(plan, projection, tables, as_of, build.chance(plan))
    needed = not base.reserve_kept
    found: list[Option] = []
    missing: list[Unavailable] = []

    carried = caseload_cap(plan, 100) if needed else 100
    repair: str | None = None
    if carried is None:
        needed_reason = "no option can carry the participants: " + caseload_shortfall(plan)
        missing.append(Unavailable("caseload", needed_reason))
        needed_and_open = False
    else:
        needed_and_open = needed
        if carried < 100:
            # LEAD-CASELOAD first: never participants without the case managers they need.
            multiplier = Decimal(carried) / 100
            work = build.final(scaled_referrals(plan, multiplier))
            repair = (
                f"first, referrals × {multiplier:.2f} ({_referrals_text(plan)} → "
                f"{_referrals_text(work)} a year), the most the case managers carry "
                "(LEAD-CASELOAD)"
            )
            build = _Builder(work, tables, as_of, section, original=(plan, projection))
            projection = project(work)

    def add(result: Option | Unavailable | None) -> None:
        if isinstance(result, Option):
            if repair is not None:
                result = dataclasses.replace(result, changes=(repair, *result.changes))
            if result.figures.reserve_kept:
                found.append(result)
            else:  # never offer a plan that misses the reserve
                missing.append(Unavailable(result.kind, "the plan it builds misses its reserve"))
        elif isinstance(result, Unavailable):
            missing.append(result)

    if needed_and_open:
        referrals = _fewer_referrals(build, projection)
        add(referrals)
        add(_trim_lines(build, projection, protected))
        add(_later_start(build))
        add(_shorter_horizon(build, projection))
        add(_smaller_reserve(build, projection))
        add(_extra_money(build, projection))
        if max_deficit_chance is not None:
            add(_chance_referrals(build, projection, max_deficit_chance, referrals))
    elif max_deficit_chance is not None and carried is not None:
        add(_chance_referrals(build, projection, max_deficit_chance, None))
    program = smallest_program(plan, tables, as_of=as_of) if smallest else None
    return OptionsResult(
        base,
        needed,
        tuple(found),
        tuple(missing),
        protected,
        max_deficit_chance,
        program,
    )


def _section(plan: Plan, ranges: Mapping[str, OfferedRange] | None) -> Uncertainty | None:
    """The §12 section that gives each option's chance of a deficit: the plan's own (its
    seed; at most OPTION_DRAWS draws), else the offered ranges, else none."""
    own = plan.uncertainty
    if own is not None and own.variables:
        return own.with_run(draws=min(own.draws, OPTION_DRAWS))
    if ranges:
        return offered_section(plan, ranges).with_run(
            draws=OPTION_DRAWS, seed=own.seed if own else 0
        )
    return None


# ----------------------------------------------------------------------------- referrals


def _referrals_text(plan: Plan) -> str:
    return "/".join(_number(plan.participants.referrals_per_year[p]) for p in PATHWAYS)


def _number(value: Decimal) -> str:
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return format(value.normalize(), "f")


def referrals_words(plan: Plan, *, scale: Decimal) -> str:
    """ "referrals 40/30/25 → 8/6/5 a year; 837 → 167 participants" for the plan with every
    pathway's referrals × scale (what applying the §13 fit writes)."""
    scaled = scaled_referrals(plan, scale)
    return _referrals_change(plan, scaled, project(plan), project(scaled))


def _with_referrals(build: _Builder, multiplier: Decimal) -> Plan:
    document = build.document()
    referrals = document["participants"]["referrals_per_year"]
    for p in PATHWAYS:
        amount = build.plan.participants.referrals_per_year[p] * multiplier
        referrals[p] = format(amount.normalize(), "f") if amount else "0"
    return build.parse(document)


def _referrals_change(before: Plan, after: Plan, base: Projection, new: Projection) -> str:
    return (
        f"referrals {_referrals_text(before)} → {_referrals_text(after)} a year; "
        f"{_whole(sum(base.participants.new_enrollees, Decimal(0)))} → "
        f"{_whole(sum(new.participants.new_enrollees, Decimal(0)))} participants"
    )


def _fewer_referrals(build: _Builder, projection: Projection) -> Option | Unavailable:
    plan = build.plan
    result = fit(plan, REFERRALS, projection, headroom_years=())
    if result.value_number is None:
        return Unavailable("fewer_referrals", result.reason or "no referral level fits")
    multiplier = result.value_number
    fitted = _with_referrals(build, multiplier)
    option = build.option(
        "fewer_referrals",
        "Fewer referrals",
        "",
        (),
        fitted,
    )
    before, before_projection = build.original or (plan, projection)
    change = _referrals_change(before, fitted, before_projection, option.projection)
    factor = "" if build.original else f" × {result.value}"
    return dataclasses.replace(
        option,
        summary=f"Every pathway's referrals{factor}: {change}.",
        changes=(change,),
    )


def _chance_referrals(
    build: _Builder, projection: Projection, chance: Decimal, referrals: Option | Unavailable | None
) -> Option | Unavailable:
    """The largest referrals multiplier (no more than the reserve fit's, nor than the case
    managers carry) whose simulated chance of a deficit is at most `chance`."""
    plan = build.plan
    if build.values is None or build.section is None:
        return Unavailable(
            "chance_referrals", "the plan has no uncertainty ranges to simulate (§12)"
        )
    if all(plan.participants.referrals_per_year[p] == 0 for p in PATHWAYS):
        return Unavailable("chance_referrals", "the plan has no referrals to fit")
    reserve_fit = fit(plan, REFERRALS, projection, headroom_years=())
    if reserve_fit.value_number is None:
        return Unavailable("chance_referrals", reserve_fit.reason or "no referral level fits")
    top = min(int(reserve_fit.value_number * 100), caseload_cap(plan) or 0, MULTIPLIER_STEPS)
    limit = float(chance)

    def ok(n: int) -> bool:
        found = build.chance(scaled_referrals(plan, Decimal(n) / 100))
        return found is not None and found <= limit

    if not ok(0):
        return Unavailable(
            "chance_referrals",
            f"even with no referrals the chance of a deficit is above {chance:%}".replace(
                ".000000%", "%"
            ),
        )
    low, high = 0, top
    while low < high:
        middle = (low + high + 1) // 2
        if ok(middle):
            low = middle
        else:
            high = middle - 1
    multiplier = Decimal(low) / 100
    fitted = _with_referrals(build, multiplier)
    option = build.option("chance_referrals", "", "", (), fitted)
    before, before_projection = build.original or (plan, projection)
    change = _referrals_change(before, fitted, before_projection, option.projection)
    percent = f"{float(chance):.0%}"
    return dataclasses.replace(
        option,
        title=f"Fewer referrals, at most a {percent} chance of a deficit",
        summary=(
            f"Every pathway's referrals × {multiplier:.2f}, the largest program whose "
            f"simulated chance of a deficit is at most {percent} (seed "
            f"{build.section.seed}, {build.section.draws:,} draws): {change}."
        ),
        changes=(change,),
    )


# ----------------------------------------------------------------------------- trim


def _drivers(plan: Plan, protected: tuple[str, ...]) -> list[tuple[LineItem, Driver]]:
    """The fixed lines (cost not following the participants) the trim may move."""
    found = []
    for item in plan.line_items:
        kind = REGISTRY[item.kind]
        if item.id in protected or kind.uses_participants:
            continue
        driver = kind.driver(item.params, item.id, plan.assumptions)
        if isinstance(driver, Driver) and driver.current > 0:
            found.append((item, driver))
    return found


def _trimmed_value(driver: Driver, share: int) -> Decimal:
    """The driver × share/100, down to its grid."""
    steps = (driver.current * share / 100 / driver.step).to_integral_value(ROUND_HALF_UP)
    return driver.step * steps


def _trim_lines(
    build: _Builder, projection: Projection, protected: tuple[str, ...]
) -> Option | Unavailable:
    plan = build.plan
    movable = _drivers(plan, protected)
    if not movable:
        return Unavailable(
            "trim_lines", "no fixed line is left to trim (every one is protected or has no cost)"
        )

    def candidate(share: int) -> Plan:
        found = plan
        for item, driver in movable:
            found = with_driver(found, item.id, driver.name, _trimmed_value(driver, share))
        return found

    known: dict[int, Plan] = {}

    def margin(share: int) -> int:
        known[share] = candidate(share)
        return reserve_margin(known[share], project(known[share]))

    if margin(0) < 0:
        return Unavailable(
            "trim_lines",
            "even with every unprotected fixed line cut to nothing the fund misses its "
            "reserve: the participants' lines and the protected lines alone cost more",
        )
    low, _ = _largest_by_margin(0, 99, margin)
    known.setdefault(low, candidate(low))
    trimmed = build.final(known[low])
    changes = []
    before = after = 0
    for item, driver in movable:
        value = _trimmed_value(driver, low)
        before += projection.line(item.id).total
        if value == driver.current:
            continue
        changes.append(
            f"{item.label or item.id}: {driver.name.replace('_', ' ')} "
            f"{driver.text(driver.current)} → {driver.text(value)}"
        )
    option = build.option("trim_lines", "Trim the fixed lines", "", (), trimmed)
    after = sum(option.projection.line(item.id).total for item, _ in movable)
    cut = before - after
    share = f"{100 - low}%"
    kept = f"; protected: {', '.join(protected)}" if protected else "; no line protected"
    summary = (
        f"Every fixed line not protected cut by about {share} (to {low}% of its driver, on "
        f"its own steps): {fmt_money(before)} → {fmt_money(after)} over the plan, "
        f"{fmt_money(cut)} less{kept}. The participants stay as planned."
    )
    return dataclasses.replace(option, summary=summary, changes=tuple(changes))


# ----------------------------------------------------------------------------- later start


def _ramp_max(tables: CostTables) -> int:
    return tables.limits.ramp_max if tables.limits is not None else 40


def _later_start(build: _Builder) -> Option | Unavailable:
    plan = build.plan
    if plan.actuals:
        return Unavailable("later_start", "the program has closed FYs: it has already started")
    if plan.participants.initial_active > 0:
        return Unavailable(
            "later_start", "the program already has active participants: it cannot start later"
        )
    lead = [item for item in plan.line_items if is_lead_line(item)]
    if not lead:
        return Unavailable("later_start", "the plan has no LEAD line to start later")
    latest = min(item.end_fy for item in lead)

    def candidate(delay: int) -> Plan:
        start = plan.start_fy + delay
        lines = tuple(
            dataclasses.replace(item, start_fy=start, stated_start_fy=start)
            if is_lead_line(item) and item.start_fy < start
            else item
            for item in plan.line_items
        )
        ramp = (Decimal(0),) * delay + (plan.participants.ramp or (Decimal(1),))
        people = dataclasses.replace(plan.participants, ramp=ramp)
        return dataclasses.replace(plan, line_items=lines, participants=people)

    most = min(plan.years - 1, latest - plan.start_fy, _ramp_max(build.tables) - 2)
    known: dict[int, Plan] = {}

    def margin(earlier: int) -> int:  # `earlier` FYs before the latest start tried
        delay = most - earlier
        known[delay] = candidate(delay)
        return reserve_margin(known[delay], project(known[delay]))

    if most < 1 or margin(0) < 0:
        return Unavailable(
            "later_start",
            "no later start within the plan keeps the reserve (the fund runs short even "
            "with the program starting in its last FYs)",
        )
    earlier, _ = _largest_by_margin(0, most - 1, margin)
    low = most - earlier
    known.setdefault(low, candidate(low))
    later = build.final(known[low])
    start = plan.start_fy + low
    change = (
        f"the LEAD lines and referrals start in {fy_label(start)} instead of "
        f"{fy_label(plan.start_fy)} ({low} FY{'s' if low > 1 else ''} later); the fund "
        "saves its receipts meanwhile"
    )
    return build.option(
        "later_start",
        "Start later",
        f"Start the program {low} FY{'s' if low > 1 else ''} later: {change}.",
        (change,),
        later,
        risk="The county goes without the program until it starts.",
    )


# ----------------------------------------------------------------------------- horizon, reserve


def _amounts_until(line: dict[str, Any], end: int) -> None:
    """A line's amounts by FY (a contribution's, §17; a source's `amounts`, §16) kept to the
    FYs up to `end`: a FY outside the plan is an error in a plan file."""

    def kept(amounts: Any) -> Any:
        if not isinstance(amounts, dict):
            return amounts
        return {fy: v for fy, v in amounts.items() if parse_fy(fy) <= end}

    if "amounts" in line:
        line["amounts"] = kept(line["amounts"])
    entries = line.get("funded_by")
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, dict) and "amounts" in entry:
            entry["amounts"] = kept(entry["amounts"])
    if isinstance(entries, list):  # an entry left with no FY pays nothing: it goes
        line["funded_by"] = [e for e in entries if not isinstance(e, dict) or e.get("amounts", 1)]


def _shorter_horizon(build: _Builder, projection: Projection) -> Option | Unavailable:
    plan = build.plan
    missed = _misses(plan, projection)
    years = missed[0] if missed else plan.years
    if years < max(1, first_open_year(plan) + 1):
        return Unavailable(
            "shorter_horizon",
            f"the fund misses its reserve already in {fy_label(plan.start_fy + years)}",
        )
    end = plan.start_fy + years - 1
    document = build.document()
    document["years"] = years
    kept = []
    dropped = []
    for line in document["line_items"]:
        item = plan.line(line["id"])
        if item.start_fy > end:
            dropped.append(item.label or item.id)
            continue
        if line.get("end_fy") is not None and item.end_fy > end:
            line["end_fy"] = end
        _amounts_until(line, end)
        kept.append(line)
    document["line_items"] = kept
    shorter = build.parse(document)
    change = (
        f"the plan covers {years} FY{'s' if years > 1 else ''} ({fy_label(plan.start_fy)} to "
        f"{fy_label(end)}) instead of {plan.years}"
    )
    changes = [change] + [f"{name} starts after {fy_label(end)}: left out" for name in dropped]
    need = projection.by_year[years] if years < plan.years else 0
    return build.option(
        "shorter_horizon",
        "Fewer years",
        f"Plan for fewer years: {change}.",
        changes,
        shorter,
        risk=(
            f"A risk, not a fix: after {fy_label(end)} the fund cannot carry the program "
            f"(it would cost {fmt_money(need)} in {fy_label(end + 1)}); it must end then or "
            f"find other money."
        ),
    )


def _smaller_reserve(build: _Builder, projection: Projection) -> Option | Unavailable:
    plan = build.plan
    fund = projection.fund
    open_years = range(first_open_year(plan), plan.years)
    if any(fund.closing[k] < 0 for k in open_years):
        return Unavailable(
            "smaller_reserve",
            f"the fund runs below $0 in {fy_label(fund.first_deficit_fy or plan.start_fy)}: "
            "no reserve, however small, makes up for a deficit",
        )
    current = plan.fund.reserve_months
    quarter = Decimal("0.25")
    months = (current / quarter).to_integral_value(ROUND_FLOOR) * quarter
    while months > 0:
        reserve = reserves(months, fund.spending)
        if all(fund.closing[k] >= reserve[k] for k in open_years):
            break
        months -= quarter
    months = max(months, Decimal(0))
    document = build.document()
    document["fund"]["reserve_months"] = format(months.normalize(), "f") if months else "0"
    smaller = build.parse(document)
    change = (
        f"reserve {fmt_quantity(current)} → {fmt_quantity(months)} months of spending "
        f"(GFOA's guideline is at least 2)"
    )
    return build.option(
        "smaller_reserve",
        "A smaller reserve",
        f"Keep a smaller reserve: {change}.",
        (change,),
        smaller,
        risk=(
            "A risk, not a fix: the program and its cost stay as planned, and the fund keeps "
            "less against a bad year (receipts below the estimate, costs above it)."
        ),
    )


# ----------------------------------------------------------------------------- extra money


def extra_needed(plan: Plan, projection: Projection) -> dict[int, int]:
    """The least whole dollars to add to each open FY's receipts, earliest first, so that
    every open FY keeps its reserve: each FY adds what its closing balance still lacks
    (money added earlier already raises it, with the interest it earns)."""
    fund = projection.fund
    reserve = reserves(plan.fund.reserve_months, fund.spending)
    start = first_open_year(plan)
    rate = q(plan.fund.interest_rate)
    balance = fund.begin[start] if start < plan.years else 0
    extra: dict[int, int] = {}
    for k in range(start, plan.years):
        interest = dollars(max(balance, 0) * rate)
        balance = balance + fund.receipts[k] + interest - fund.spending[k]
        if balance < reserve[k]:
            extra[plan.fiscal_years[k]] = reserve[k] - balance
            balance = reserve[k]
    return extra


def _with_extra(build: _Builder, extra: Mapping[int, int]) -> Plan:
    document = build.document()
    receipts = document["fund"].setdefault("receipts", {})
    by_fy = dict(build.plan.fund.receipts)
    for fy, amount in extra.items():
        receipts.pop(str(fy), None)
        receipts[fy_label(fy)] = format(
            (Decimal(dollars(by_fy.get(fy, Decimal(0)))) + amount).normalize(), "f"
        )
    return build.parse(document)


def _extra_money(build: _Builder, projection: Projection) -> Option | Unavailable:
    plan = build.plan
    if "receipts_by_stream" in build.base_document.get("fund", {}):
        return Unavailable("extra_money", "the plan gives its receipts by stream")
    extra = extra_needed(plan, projection)
    if not extra:
        return Unavailable("extra_money", "the plan needs no extra money")
    whole = _with_extra(build, extra)
    total = sum(extra.values())
    first, last = min(extra), max(extra)
    change = (
        f"{fmt_money(total)} more over {len(extra)} FY{'s' if len(extra) > 1 else ''} "
        f"({fy_label(first)} to {fy_label(last)}; at most {fmt_money(max(extra.values()))} "
        f"in one FY), entered as added receipts"
    )
    return build.option(
        "extra_money",
        "Find the money",
        f"Keep the plan whole with {change}, to seek from {EXTRA_SOURCES}.",
        [change] + [f"{fy_label(fy)}: {fmt_money(amount)}" for fy, amount in sorted(extra.items())],
        whole,
        risk="Only as sure as the money found: until it is committed the plan is short.",
        extra=dict(sorted(extra.items())),
    )


# ----------------------------------------------------------------------------- the smallest program


def smallest_program(plan: Plan, tables: CostTables, *, as_of: dt.date) -> SmallestProgram:
    """The least-cost plan of the same government, fund and participants' shape on which
    every LEAD fidelity rule passes: each staffing and coverage floor at its least passing
    level (a 1.0 FTE independent program manager, a 0.5 FTE analyst, case managers staffed to
    the caseload limits, the cheapest warm hand-off covering 168 hours, refreshers every 2
    years), no line the rules do not ask for, the participants one minimum case-management
    staffing carries (no more than the plan's), and the non-LEAD commitments kept."""
    build = _Builder(plan, tables, as_of, None)
    document = build.document()
    changes: list[str] = []
    fidelity = _fidelity_lines(plan, tables, build, changes)
    document["line_items"] = [
        line for line in document["line_items"] if not is_lead_line(plan.line(line["id"]))
    ] + fidelity
    program = document.setdefault("program", {})
    program["data_collection"] = {
        "tracks_all_offers": True,
        "tracks_ineligible": True,
        "tracks_not_offered": True,
    }
    equity = program.setdefault("equity", {})
    equity["goal_stated"] = True
    if not str(equity.get("outreach_plan") or "").strip():
        equity["outreach_plan"] = "To be written with the community before the first referral."
    program["eligibility"] = {"allows_supervised_probation": True, "narrow_disqualifiers": True}
    changes.append(
        "commits (at no cost) to the data collection, racial-equity and eligibility "
        "practices the fidelity rules ask for"
    )
    document.pop("uncertainty", None)
    document["name"] = f"Smallest fidelity program: {plan.name}"[:200]
    smallest = build.parse(document)
    multiplier = _one_staffing_multiplier(smallest)
    if multiplier is not None and multiplier < 1:
        for p in PATHWAYS:
            amount = smallest.participants.referrals_per_year[p] * multiplier
            document["participants"]["referrals_per_year"][p] = (
                format(amount.normalize(), "f") if amount else "0"
            )
        changes.append(
            f"referrals × {multiplier:.2f} ({_referrals_text(plan)} → "
            f"{_referrals_text(scaled_referrals(plan, multiplier))}"
            " a year): what one minimum case-management staffing carries"
        )
        smallest = build.parse(document)
    projection = project(smallest)
    figures = figures_of(smallest, projection, tables, as_of)
    sustains = figures.reserve_kept
    extra = {} if sustains else extra_needed(smallest, projection)
    start = first_open_year(smallest)
    gap: int | None = None
    carried: int | None = None
    if not sustains:
        room = headroom(smallest, projection, [start])[start] if start < smallest.years else None
        open_years = smallest.years - start
        gap = (
            -room
            if room is not None and room < 0
            else int(round_half_up(Decimal(sum(extra.values())) / open_years))
            if open_years
            else None
        )
        missed = _misses(smallest, projection)
        carried = smallest.start_fy + missed[0] - 1 if missed and missed[0] > start else None
    sentence = _smallest_sentence(smallest, figures, sustains, gap, extra, carried)
    return SmallestProgram(
        smallest, projection, figures, sustains, gap, extra, carried, sentence, tuple(changes)
    )


def _smallest_sentence(
    plan: Plan,
    figures: Figures,
    sustains: bool,
    gap: int | None,
    extra: Mapping[int, int],
    carried: int | None,
) -> str:
    yearly = int(round_half_up(Decimal(figures.total) / plan.years)) if plan.years else 0
    if sustains:
        return (
            f"The fund sustains the smallest fidelity program (about {fmt_money(yearly)} a "
            f"year) alone through {fy_label(plan.end_fy)}, keeping its reserve."
        )
    short = (
        f"it is short by about {fmt_money(gap)} a year"
        if gap is not None
        else f"it would need {fmt_money(sum(extra.values()))} more over the plan"
    )
    years = (
        f"plan fewer years (the fund carries it through {fy_label(carried)})"
        if carried is not None
        else "plan fewer years"
    )
    return (
        f"No fidelity LEAD program fits this fund alone: even the smallest (about "
        f"{fmt_money(yearly)} a year) misses its reserve, and {short}. Ways out: share the "
        f"program with a partner government, add another source ({EXTRA_SOURCES}), or "
        f"{years}."
    )


def _one_staffing_multiplier(plan: Plan) -> Decimal | None:
    """The largest referrals multiplier ≤ 1 at which the case managers stay at min_fte."""
    lines = plan.lines_of("case_management")
    if not lines or all(plan.participants.referrals_per_year[p] == 0 for p in PATHWAYS):
        return None
    item = lines[0]
    params: Any = item.params
    capped = dataclasses.replace(item, params=dataclasses.replace(params, max_fte=params.min_fte))
    variant = dataclasses.replace(
        plan, line_items=tuple(capped if i.id == item.id else i for i in plan.line_items)
    )
    n = caseload_cap(variant, 100)
    return None if n is None else Decimal(n) / 100


def _fidelity_lines(
    plan: Plan, tables: CostTables, build: _Builder, changes: list[str]
) -> list[dict[str, Any]]:
    """The LEAD lines of the smallest program, as plan-file lines."""
    from .starting import starting_lines

    defaults = {(line["kind"], line.get("role")): line for line in starting_lines(tables)}
    own = {line["id"]: line for line in build.document()["line_items"]}
    lead = [item for item in plan.line_items if is_lead_line(item)]

    def first(kind: str, role: str | None = None) -> dict[str, Any] | None:
        for item in lead:
            if item.kind == kind and (role is None or getattr(item.params, "role", None) == role):
                return dict(own[item.id])
        return None

    def whole_plan(line: dict[str, Any]) -> dict[str, Any]:
        line["start_fy"] = None
        line["end_fy"] = None
        return line

    found: list[dict[str, Any]] = []
    used: set[str] = set()
    manager_fte = format(tables.threshold("program_manager.min_fte"), "f")
    analyst_fte = format(tables.threshold("data_analyst.min_fte"), "f")
    for role, fte, what in (
        ("program_manager", manager_fte, "program manager"),
        ("data_analyst", analyst_fte, "data analyst"),
    ):
        line = first("position", role)
        if line is None:
            line = dict(defaults[("position", role)])
            changes.append(f"adds a {fte} FTE {what}")
        elif Decimal(str(line["fte"])) != Decimal(fte):
            changes.append(f"{what} {line['fte']} → {fte} FTE")
        line["fte"] = fte
        if role == "program_manager":
            line["independent"] = True
        found.append(whole_plan(line))
    line = first("case_management")
    if line is None:
        line = dict(defaults[("case_management", None)])
        changes.append("adds case management staffed to the caseload limits")
    else:
        for key, threshold in (
            ("caseload_average", "caseload.average_max"),
            ("caseload_max", "caseload.max_max"),
        ):
            limit = tables.threshold(threshold)
            if Decimal(str(line[key])) > limit:
                changes.append(f"case management {key.replace('_', ' ')} → {fmt_quantity(limit)}")
                line[key] = format(limit, "f")
        if line.get("max_fte") is not None:
            changes.append("case management: no FTE cap, so the caseload is always carried")
            line["max_fte"] = None
    found.append(whole_plan(line))
    found.append(
        whole_plan(_cheapest_handoff(plan, build, first("warm_handoff"), defaults, changes))
    )
    line = first("officer_training")
    if line is None:
        line = dict(defaults[("officer_training", None)])
        changes.append("adds officer training")
    interval = int(tables.threshold("officer_training.max_refresher_interval_years"))
    if int(line.get("refresher_interval_years") or 1) != interval:
        changes.append(f"officer refreshers every {interval} years")
    line["refresher_interval_years"] = interval
    if not line.get("officers"):
        line.pop("officers", None)
        line["officers"] = defaults[("officer_training", None)]["officers"]
    found.append(whole_plan(line))
    line = first("participant_phones")
    if line is None:
        line = dict(defaults[("participant_phones", None)])
        changes.append("adds phones for participants")
    elif Decimal(str(line.get("high_risk_share") or 0)) == 0:
        line.pop("high_risk_share", None)
    found.append(whole_plan(line))
    categories: dict[str, LineItem] = {}
    for service in lead:
        if service.kind == "service_gap":
            categories.setdefault(str(getattr(service.params, "category", "")), service)
    for category in SERVICE_CATEGORIES:
        assessed = categories.get(category)
        if assessed is None:
            line = next(
                dict(d)
                for d in starting_lines(tables)
                if d["kind"] == "service_gap" and d["category"] == category
            )
            line["status"] = "adequate"
            line["justification"] = "Assumed available: confirm before adoption."
            changes.append(f"{category.replace('_', ' ')}: assumed adequate")
        else:
            line = dict(own[assessed.id])
            status = getattr(assessed.params, "status", "")
            units = getattr(assessed.params, "units", None)
            if status == "unknown" or (status == "gap" and not units):
                line["status"] = "adequate"
                line["units"] = None
                line["unit_cost"] = None
                changes.append(
                    f"{category.replace('_', ' ')}: assumed adequate (not assessed; a gap "
                    "adds its cost)"
                )
        found.append(line)
    dropped = [
        item.label or item.id for item in lead if item.id not in {line["id"] for line in found}
    ]
    used.update(line["id"] for line in found)
    if dropped:
        changes.append(f"leaves out what no fidelity rule asks for: {', '.join(dropped)}")
    return found


def _cheapest_handoff(
    plan: Plan,
    build: _Builder,
    line: dict[str, Any] | None,
    defaults: Mapping[tuple[str, str | None], dict[str, Any]],
    changes: list[str],
) -> dict[str, Any]:
    """The cheapest warm hand-off covering 168 hours: the plan's own line at its least
    covering hours, or an on-call line on the defaults, whichever costs less."""
    full = build.tables.threshold("warm_handoff.full_coverage_hours")
    business = build.tables.threshold("warm_handoff.business_hours")
    candidates: list[dict[str, Any]] = []
    if line is not None:
        own = dict(line)
        own["hours_per_week"] = format(
            full - business if own.get("mode") == "on_call" else full, "f"
        )
        candidates.append(own)
    on_call = dict(defaults[("warm_handoff", None)])
    on_call["hours_per_week"] = format(full - business, "f")
    if line is not None:
        on_call["id"] = line["id"]
    candidates.append(on_call)
    document = build.document()

    def cost(candidate: dict[str, Any]) -> int:
        trial = dict(document)
        trial["line_items"] = [whole(candidate)]
        found = build.parse(trial)
        return project(found).total

    def whole(candidate: dict[str, Any]) -> dict[str, Any]:
        return {**candidate, "start_fy": None, "end_fy": None}

    best = min(candidates, key=cost)
    if line is None:
        changes.append("adds an on-call warm hand-off (168 hours with business hours)")
    elif best is on_call and line.get("mode") != "on_call":
        changes.append(f"warm hand-off {line.get('mode')} → on call (the cheapest 24/7 cover)")
    return best


# ----------------------------------------------------------------------------- helpers for callers


def count_sustained(
    plans: Iterable[Plan], tables: CostTables, as_of: dt.date
) -> tuple[int, int, list[SmallestProgram]]:
    """How many of these plans' governments sustain the smallest fidelity program alone."""
    found = [smallest_program(plan, tables, as_of=as_of) for plan in plans]
    return sum(1 for p in found if p.sustains), len(found), found
