"""Plan inputs and their sources as a reader of the documents says them: labels in words,
values formatted (3%, $82,063.80, 18 months), and sources a grant writer can cite instead of
the planner's own design notes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from planner.present import formatting
from planner.present.labels import LABELS, unit_of
from planner.scenarios import fy_label
from planner.scenarios.summaries import DefaultRow

SECTIONS = {
    "assumptions": "",
    "constants": "",
    "fund": "Fund: ",
    "participants": "Participants: ",
    "salary": "Base salary: ",
    "case_management": "Case management: ",
    "warm_handoff": "Warm hand-off: ",
    "officer_training": "Officer training: ",
    "participant_phones": "Phones for participants: ",
    "participant_support": "Participant support: ",
}
# SF-424A Section B object class categories, as the form names them.
CLASS_NAMES = {
    "personnel": "Personnel",
    "fringe": "Fringe Benefits",
    "travel": "Travel",
    "equipment": "Equipment",
    "supplies": "Supplies",
    "contractual": "Contractual",
    "construction": "Construction",
    "other": "Other",
    "indirect": "Indirect Charges",
}
MODES = {"staffed": "staffed posts", "on_call": "on call", "contract": "contracted"}
PATHWAYS = {
    "arrest_diversion": "arrest diversion",
    "social_contact": "social contact",
    "community": "community referrals",
}
EXTRA_LABELS = {
    "paid_hours_per_fte": "Paid hours per FTE a year",
    "program_manager": "program manager",
    "clinical_supervisor": "clinical supervisor",
    "case_manager": "case manager",
    "outreach_worker": "outreach worker",
    "peer_specialist": "peer specialist",
    "data_analyst": "data analyst",
    "officer_hourly": "officer (per hour)",
}
_RATE = re.compile(r"(rate|escalation|inflation|share|turnover)$")
_MONEY = re.compile(
    r"(salary\.|health_per_fte|stipend|_cost|cost_per|per_participant_year|"
    r"rate_per_hour|officer_hourly|opening_balance|materials)"
)


def input_label(key: str) -> str:
    """'warm_handoff.on_call.stipend_per_hour' -> 'Warm hand-off (on call): On-call stipend
    per hour ($)'; 'assumptions.salary_escalation' -> 'Salary escalation a year'."""
    parts = key.split(".")
    section, rest = parts[0], parts[1:]
    prefix = SECTIONS.get(section, section.replace("_", " ").capitalize() + ": ")
    if rest and rest[0] in MODES:
        prefix = prefix.rstrip(": ") + f" ({MODES[rest[0]]}): "
        rest = rest[1:]
    name = rest[-1] if rest else section
    if section == "participants" and rest[0] == "enrollment_rate":
        return f"Participants: enrollment rate, {PATHWAYS.get(name, name)}"
    if section == "salary":
        return prefix + EXTRA_LABELS.get(name, name.replace("_", " "))
    words = EXTRA_LABELS.get(name) or LABELS.get(name, (name.replace("_", " ").capitalize(),))[0]
    return prefix + words


def format_input(key: str, value) -> str:
    if value is None:
        return ""
    if isinstance(value, tuple):
        return ", ".join(format_input(key, v) for v in value)
    if not isinstance(value, Decimal | int):
        return str(value)
    name = key.rsplit(".", 1)[-1]
    unit = unit_of(key)  # the input's own unit when a field has this default
    if unit:
        return formatting.by_unit(value, unit)
    if _RATE.search(name) or name == "ramp" or ".enrollment_rate." in key:
        return formatting.percent(Decimal(value))
    if _MONEY.search(key):
        return formatting.money_cents(Decimal(value))
    if name.endswith("months_enrolled"):
        return f"{formatting.number(value, 0)} months"
    places = 0 if Decimal(value) == Decimal(value).to_integral_value() else 2
    return formatting.number(value, places)


_INTERNAL = (
    (re.compile(r"^Cost model spec §\d+:\s*"), "Planner default: "),
    (re.compile(r"^compliance_rules\.md [A-Z-]+:\s*"), "Planner threshold: "),
    (re.compile(r";\s*lead_costs\.md §\d+"), ""),
    (re.compile(r"\b[\w-]+\.md(?: §[\w.]+)?[,;]?\s*"), ""),
    (re.compile(r"\s*\(brief (§[IVX.a-z]+)"), r" (Duke Wilson Center LEAD policy brief \1"),
    (re.compile(r"\bDuke evaluation brief\b"), "Duke Wilson Center LEAD policy brief"),
    (re.compile(r"\(policy brief (§[IVX.a-z]+)\)"), r"(LEAD policy brief \1)"),
)


def public_source(text: str) -> str:
    """A source as a reader can cite it: the planner's design notes become 'Planner
    default' (its reasoning kept), file names are dropped."""
    for pattern, replacement in _INTERNAL:
        text = pattern.sub(replacement, text)
    return text


@dataclass(frozen=True)
class InputRow:
    label: str
    default: str
    aged_from: str
    plan_value: str
    source: str
    year: int


def input_rows(rows: list[DefaultRow]) -> list[InputRow]:
    return [
        InputRow(
            input_label(r.key),
            format_input(r.key, r.default),
            fy_label(r.base_fy) if r.base_fy else "",
            format_input(r.key, r.plan_value),
            public_source(r.source),
            r.year,
        )
        for r in rows
    ]


_COUNTS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def count_words(count: int, noun: str) -> str:
    """4, 'year' -> 'four years' (words up to ten, as in running text; digits above)."""
    number = _COUNTS[count] if 0 <= count < len(_COUNTS) else f"{count:,}"
    return f"{number} {noun if count == 1 else noun + 's'}"


_MONEY_NAMES = {
    "salary",
    "health_per_fte",
    "stipend_per_hour",
    "hourly_rate",
    "rate_per_hour",
    "unit_cost",
    "annual_amount",
    "device_cost",
    "monthly_service_cost",
    "per_participant_year",
    "trainer_cost_per_session",
    "materials_per_trainee",
    "officer_hourly_rate",
    "opening_balance",
    "amount",
}


def change_label(change) -> str:
    """An input that differs between plans, in words: 'Salary escalation a year',
    'Receipts FY2027-28', 'Average caseload limit'."""
    parts = change.path.split(".")
    if parts[:2] == ["fund", "receipts"]:
        return f"Receipts {parts[-1]}"
    if change.name == "line":
        return "The line item"
    if parts[0] == "participants" and len(parts) == 3:
        pathway = PATHWAYS.get(parts[2], parts[2])
        what = "Referrals a year" if parts[1] == "referrals_per_year" else "Enrollment rate"
        return f"{what}, {pathway}"
    name = re.sub(r"\[\d+\]$", "", change.name)
    return LABELS.get(name, (name.replace("_", " ").capitalize(),))[0]


def change_value(change, value) -> str:
    """One plan's value of a changed input, formatted; '—' where the plan lacks it."""
    if value is None:
        return "—" if change.name != "line" else "not in this plan"
    if change.name == "line":
        return "in this plan"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if change.name == "justification" or (isinstance(value, str) and len(value) > 60):
        return "(text, changed)"
    parts = change.path.split(".")
    if isinstance(value, tuple):
        return ", ".join(change_value(change, v) for v in value)
    if change.name in ("start_fy", "end_fy") and isinstance(value, int | Decimal):
        return fy_label(int(value))
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        if change.name in _MONEY_NAMES or parts[:2] == ["fund", "receipts"]:
            return (
                formatting.money_cents(Decimal(value))
                if Decimal(value) % 1
                else formatting.money(Decimal(value))
            )
        if _RATE.search(change.name) or parts[-1].startswith("ramp"):
            return formatting.percent(Decimal(value))
        places = 0 if Decimal(value) == Decimal(value).to_integral_value() else 2
        return formatting.number(value, places)
    return str(value).replace("_", " ")
