"""A line's justification as the documents print it: the user's own text, or — while the user
has written none — one written from the line's current numbers, so that it follows them
(caseloads set to 15/20 say 15 and 20) and never prints an instruction to the planner.

The starting plans leave every justification blank; a user who writes one owns it from then on.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
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
