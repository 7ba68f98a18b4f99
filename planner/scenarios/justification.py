"""A line's justification as the documents print it: the user's own text, or — while the user
has written none — one written from the line's current numbers, so that it follows them
(caseloads set to 15/20 say 15 and 20) and never prints an instruction to the planner.

The starting plans leave every justification blank; a user who writes one owns it from then on.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .money import fmt_fte, fmt_money, fmt_percent, fmt_quantity
from .plan import LineItem

# What each service category covers, as the documents name it.
SERVICE_WORDS = {
    "food": "food pantries and meal programs",
    "medical": "primary care and clinics that accept uninsured patients",
    "housing": "shelter, bridge and supportive housing",
    "benefits": "Medicaid, SNAP and disability benefits enrollment",
    "behavioral_health": "outpatient mental health, substance use treatment and MOUD",
    "harm_reduction": "syringe services, naloxone and drug checking",
}


def plural(count: Decimal | int, one: str, many: str | None = None) -> str:
    """ "1 unit", "2 units", "1.5 units" — the number as written, then the word."""
    many = many or one + "s"
    return f"{fmt_quantity(count)} {one if Decimal(count) == 1 else many}"


def _position(p: Any) -> str:
    fte = fmt_fte(p.fte)
    if p.role == "program_manager":
        employer = (
            "employed independently of the police and of the case-management provider"
            if p.independent
            else "employed by one of the program's agencies"
        )
        return (
            f"A {fte} FTE program manager, {employer}, who convenes the policy coordinating "
            "group and the operational work group (LEAD Support Bureau; Duke evaluation brief "
            "§V.d)."
        )
    if p.role == "data_analyst":
        return (
            f"A {fte} FTE data analyst who tracks every referral offered, people found "
            "ineligible and people never offered LEAD, with demographics, for the program's "
            "reviews (Duke evaluation brief §V.f)."
        )
    return f"A {fte} FTE {p.role.replace('_', ' ')} for the LEAD program."


def _case_management(p: Any) -> str:
    return (
        "Field-based intensive case management, staffed so that caseloads average no more "
        f"than {fmt_quantity(p.caseload_average)} and never exceed {fmt_quantity(p.caseload_max)} "
        "participants a case manager (LEAD Support Bureau caseload guidance: an average of at "
        "most 20, never more than 25; Duke evaluation brief §V.d)."
    )


def _warm_handoff(p: Any) -> str:
    hours = plural(p.hours_per_week, "hour")
    if p.mode == "on_call":
        return (
            f"Case managers take turns on call for {hours} a week outside business hours, so "
            "that an officer can hand a person off to LEAD at any hour (Duke evaluation brief "
            "§V.d)."
        )
    who = "Staff" if p.mode == "staffed" else "A contracted service"
    return (
        f"{who} take a warm hand-off from officers {hours} a week (Duke evaluation brief "
        "§V.d: at all hours)."
    )


def _officer_training(p: Any) -> str:
    every = (
        "every year"
        if p.refresher_interval_years == 1
        else f"every {plural(p.refresher_interval_years, 'year')}"
    )
    refresher = (
        f"a {plural(p.refresher_hours, 'hour')} refresher {every}"
        if p.refresher_hours > 0
        else "no refresher"
    )
    return (
        f"Training for {plural(p.officers, 'officer')} who refer people to LEAD: "
        f"{plural(p.initial_hours, 'hour')} at first, then {refresher}, on harm reduction, "
        "substance use disorder and the LEAD protocol (Duke evaluation brief §V.c)."
    )


def _phones(p: Any) -> str:
    return (
        f"Prepaid phones and service for the {fmt_percent(p.high_risk_share)} of participants "
        "at high risk of losing contact with their case manager (Duke evaluation brief §V.e)."
    )


def _support(p: Any) -> str:
    return (
        f"Flexible funds of {fmt_money(p.per_participant_year)} a participant a year for "
        "identification documents, transportation, hygiene items and short stays while "
        "housing is found."
    )


def _service(p: Any) -> str:
    what = SERVICE_WORDS.get(p.category, p.category.replace("_", " "))
    if p.status == "adequate":
        return (
            f"Assessed adequate: LEAD participants can use the {what} that exist; the fund "
            "buys none."
        )
    if p.status == "gap" and p.units is not None and p.unit_cost is not None:
        return (
            f"A gap: LEAD participants cannot get {what} today; the fund buys "
            f"{plural(p.units, 'unit')} a year at {fmt_money(p.unit_cost)} each "
            "(Duke evaluation brief §II, §V.e)."
        )
    return f"Not yet assessed: whether {what} can take LEAD participants."


WRITERS: dict[str, Callable[[Any], str]] = {
    "position": _position,
    "case_management": _case_management,
    "warm_handoff": _warm_handoff,
    "officer_training": _officer_training,
    "participant_phones": _phones,
    "participant_support": _support,
    "service_gap": _service,
}


def default_justification(line: LineItem) -> str:
    """The justification written from the line's numbers ("" for a kind with none)."""
    writer = WRITERS.get(line.kind)
    return writer(line.params) if writer is not None else ""


def justification_text(line: LineItem) -> str:
    """What the documents print: the user's text, or the one written from the numbers."""
    own = line.justification.strip()
    return own if own else default_justification(line)


# ------------------------------------------------------------------------ contradictions

# A number the text states, by the words after (or, for caseloads, around) it, and the line's
# parameters that say the same quantity (issue 23, point 6).
_NUMBER = r"(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?"
_STATED: tuple[tuple[str, str, Callable[[str], bool]], ...] = (
    ("FTE", rf"\b{_NUMBER}[ -]?FTE\b", lambda name: name in ("fte", "min_fte", "max_fte")),
    (
        "hours",
        rf"\b{_NUMBER}[ -]hours?\b",
        lambda name: "hours" in name,
    ),
    ("officers", rf"\b{_NUMBER} (?:police |sheriff'?s? )?officers?\b", lambda n: n == "officers"),
    ("units", rf"\b{_NUMBER} (?:units?|beds?|slots?)\b", lambda name: name == "units"),
    ("percent", rf"\b{_NUMBER} ?%", lambda name: name.endswith("_share")),
)
_DOLLARS = re.compile(rf"\$\s?{_NUMBER}")
_CASELOAD = re.compile(r"\bcaseloads?\b", re.IGNORECASE)
_GUIDANCE = re.compile(r"\([^()]*\b(?:guidance|brief|et al)\b[^()]*\)", re.IGNORECASE)
_SENTENCE = re.compile(r"[^.;!?]+(?:[.;!?]+(?=\s|$)|$)")


@dataclass(frozen=True)
class Contradiction:
    """A number the user's justification states that none of its line's numbers is."""

    what: str  # "caseload", "FTE", "hours", "officers", "units", "percent", "dollars"
    stated: Decimal
    line_values: tuple[Decimal, ...]  # the line's numbers of that quantity, as its text shows

    @property
    def message(self) -> str:
        shown = " and ".join(fmt_quantity(v) for v in self.line_values)
        if self.what == "dollars":
            return (
                f"the justification says {fmt_money(self.stated)}; the line's amounts are "
                f"{' and '.join(fmt_money(v) for v in self.line_values)}"
            )
        if self.what == "percent":
            return (
                f"the justification says {fmt_quantity(self.stated)}%; the line's share is "
                f"{' and '.join(fmt_percent(v) for v in self.line_values)}"
            )
        return (
            f"the justification says {fmt_quantity(self.stated)} {self.what}; the line has {shown}"
        )


def _states(stated: Decimal, values: Iterable[Decimal]) -> bool:
    """Whether `stated` is one of `values` as written to its own precision: "$525" states
    $525.31, "0.5" states 0.50; "25" does not state 20."""
    exponent = stated.as_tuple().exponent
    step = Decimal(1).scaleb(exponent if isinstance(exponent, int) else 0)
    return any(Decimal(v).quantize(step, rounding=ROUND_HALF_UP) == stated for v in values)


def _number(whole: str, fraction: str | None) -> Decimal:
    return Decimal(whole.replace(",", "") + ("." + fraction if fraction else ""))


def _values(line: LineItem, test: Callable[[str], bool]) -> tuple[Decimal, ...]:
    found = []
    for field in dataclasses.fields(line.params):
        name, value = field.name, getattr(line.params, field.name)
        if test(name) and isinstance(value, (Decimal, int)) and not isinstance(value, bool):
            found.append(Decimal(value))
    return tuple(dict.fromkeys(found))


def contradictions(
    line: LineItem, amounts: Iterable[Decimal] = (), ftes: Iterable[Decimal] = ()
) -> tuple[Contradiction, ...]:
    """The numbers of the user's own justification that contradict the line: a caseload, an
    FTE (nor one of `ftes`, the line's FTE in each FY), hours, officers, units or a share the
    line's parameters do not have, or a dollar amount that is none of its dollar parameters
    nor `amounts` (its cost in each FY). A quantity the line has no parameter for is not
    judged; the text written from the numbers (no text of the user's) never contradicts them."""
    text = _GUIDANCE.sub(" ", line.justification.strip())  # the guidance it cites is not its own
    if not text.strip():
        return ()
    found: list[Contradiction] = []
    caseloads = _values(line, lambda name: name.startswith("caseload"))
    if caseloads:
        for sentence in _SENTENCE.findall(text):
            if not _CASELOAD.search(sentence):
                continue
            clean = _DOLLARS.sub(" ", re.sub(r"\d+ ?%|\d[\d,.]* ?(?:FTE|hours?)", " ", sentence))
            for whole, fraction in re.findall(rf"\b{_NUMBER}\b", clean):
                stated = _number(whole, fraction)
                if not _states(stated, caseloads) and not 1900 <= stated <= 2100:  # a year
                    found.append(Contradiction("caseload", stated, caseloads))
    for what, pattern, test in _STATED:
        values = _values(line, test)
        if what == "FTE":  # the FTE a line staffs in each FY (case management's vary)
            values = tuple(dict.fromkeys([*values, *(Decimal(f) for f in ftes if f)]))
        if not values:
            continue
        if what == "percent":
            values = tuple(v * 100 for v in values)
        for whole, fraction in re.findall(pattern, text, flags=re.IGNORECASE):
            stated = _number(whole, fraction)
            if not _states(stated, values):
                shown = tuple(v / 100 for v in values) if what == "percent" else values
                found.append(Contradiction(what, stated, shown))
    dollars = _values(line, lambda name: name in _MONEY_PARAMS)
    known = set(dollars) | {Decimal(a) for a in amounts}
    if dollars:
        for whole, fraction in _DOLLARS.findall(text):
            stated = _number(whole, fraction)
            if not _states(stated, known):
                found.append(Contradiction("dollars", stated, dollars))
    return tuple(dict.fromkeys(found))


# The dollar parameters a justification may state (a line's own rates are not stated).
_MONEY_PARAMS = frozenset(
    {
        "annual_amount",
        "unit_cost",
        "per_participant_year",
        "salary",
        "hourly_rate",
        "rate_per_hour",
        "monthly_service_cost",
        "device_cost",
        "trainer_cost_per_session",
        "materials_per_trainee",
        "stipend_per_hour",
        "officer_hourly_rate",
    }
)


def plan_contradictions(plan: Any, projection: Any) -> dict[str, tuple[Contradiction, ...]]:
    """Each line's contradictions (only lines with some), its yearly costs and FTE from the
    projection (`Plan`, `Projection`)."""
    found = {}
    for line, projected in zip(plan.line_items, projection.line_items, strict=True):
        amounts = [Decimal(v) for v in (*projected.by_year, projected.total)]
        found[line.id] = contradictions(line, amounts, projected.fte)
    return {key: value for key, value in found.items() if value}
