"""What each input is called on screen, with a hint of its unit (the plan file's names stay
the keys, so an error path and a field always match). A line kind's parameters are named by
their definitions in `planner/scenarios/kinds/`."""

from collections.abc import Iterator, Mapping

from planner.scenarios.kinds import REGISTRY

LABELS: dict[str, tuple[str, str]] = {
    # plan settings
    "name": ("Plan name", ""),
    "start_fy": ("First fiscal year", "e.g. FY2026-27"),
    "end_fy": ("Last fiscal year", "blank = to the end of the plan"),
    "years": ("Number of fiscal years", "1 to 40; the settlement runs 18"),
    # assumptions
    "salary_escalation": ("Salary escalation a year", "0.03 = 3%"),
    "health_escalation": ("Health cost escalation a year", "0.05 = 5%"),
    "inflation": ("Inflation a year (other costs)", "0.025 = 2.5%"),
    "fringe_rate": ("Fringe rate", "share of salary: FICA + LGERS, 0.22 = 22%"),
    "health_per_fte": ("Health insurance per FTE ($ a year)", "employer share"),
    "contract_overhead_rate": ("Contract overhead rate", "provider overhead, 0.15 = 15%"),
    "productive_hours_per_fte": ("Productive hours per FTE a year", "after leave and holidays"),
    "fte_increment": ("Hiring step (FTE)", "0.5 = half-time steps"),
    "overtime_multiplier": ("Overtime multiplier", "1.5 = time and a half"),
    "overtime_fringe_rate": ("Fringe on overtime", "FICA only, 0.0765"),
    "indirect_rate": ("Indirect cost rate", "on personnel, fringe, travel, supplies"),
    "discount_rate": ("Discount rate for present values", "0.03 = 3%"),
    # fund
    "opening_balance": ("Opening balance ($)", "unspent settlement money at the start"),
    "interest_rate": ("Interest rate a year", "on the beginning balance"),
    "moa_executed_on": ("MOA executed on", "date the governing body signed the MOA"),
    "reserve_months": (
        "Reserve to keep (months of spending)",
        "GFOA: at least 2; 0 = spend the fund down",
    ),
    # participants
    "referrals_arrest_diversion": ("Arrest-diversion referrals a year", ""),
    "referrals_social_contact": ("Social-contact referrals a year", ""),
    "referrals_community": ("Community referrals a year", "Let Everyone Advance with Dignity"),
    "enrollment_arrest_diversion": ("Enrollment rate, arrest diversion", "0.60 = 60%"),
    "enrollment_social_contact": ("Enrollment rate, social contact", "0.40 = 40%"),
    "enrollment_community": ("Enrollment rate, community", "0.50 = 50%"),
    "ramp": ("Ramp-up multipliers for the first years", "comma-separated, e.g. 0.5, 0.75"),
    "average_months_enrolled": ("Average months enrolled", "whole months, 1 to 120"),
    "initial_active": ("Participants already enrolled at the start", ""),
    # program
    "presented_on": (
        "Collaborative planning report presented on",
        "needed for Exhibit B (Option B) strategies",
    ),
    "tracks_all_offers": (
        "Track everyone offered a referral (demographics, source, acceptance, enrollment)",
        "",
    ),
    "tracks_ineligible": ("Track people officers wanted to refer but who were ineligible", ""),
    "tracks_not_offered": ("Track people with LEAD-eligible charges never offered LEAD", ""),
    "goal_stated": ("Racial equity is a stated goal of the program", ""),
    "outreach_plan": ("Outreach plan for communities of color", ""),
    "allows_supervised_probation": ("People on supervised probation are eligible", ""),
    "narrow_disqualifiers": ("Disqualifying past convictions are set narrowly", ""),
    # authorizations
    "strategy": ("Strategy", "Exhibit A or B item"),
    "amount": ("Amount authorized ($)", ""),
    "start": ("Period starts", ""),
    "end": ("Period ends", ""),
    "adopted_on": ("Adopted on", "date of the resolution"),
    "budget_ordinance_on": (
        "Budget ordinance adopted on",
        "annual budget or settlement project ordinance (G.S. 159-13.2)",
    ),
    # line items
    "label": ("Label", "how the line is named in reports"),
    "justification": ("Justification", "why this cost is needed; printed in the PDF"),
    # each line kind's own parameters: from its definition (planner/scenarios/kinds/)
    **{
        f.name: (f.label, f.hint)
        for kind in REGISTRY.values()
        for f in kind.all_fields()
        if f.label
    },
}


class _KindNames(Mapping[str, str]):
    """Each line kind's title by its name, read from the registry when asked (so a kind
    registered later, as in a test, is named too)."""

    def __getitem__(self, name: str) -> str:
        return REGISTRY[name].title

    def __iter__(self) -> Iterator[str]:
        return iter(REGISTRY)

    def __len__(self) -> int:
        return len(REGISTRY)


KIND_NAMES: Mapping[str, str] = _KindNames()
# The SF-424A object classes, lettered as the form letters them.
CLASS_LABELS = {
    "personnel": "a. Personnel",
    "fringe": "b. Fringe benefits",
    "travel": "c. Travel",
    "equipment": "d. Equipment",
    "supplies": "e. Supplies",
    "contractual": "f. Contractual",
    "construction": "g. Construction",
    "other": "h. Other",
    "indirect": "j. Indirect charges",
}


def kind_name(kind: str) -> str:
    """What the editor and the documents call a line kind (a kind registered later too)."""
    found = REGISTRY.get(kind)
    return found.title if found is not None else kind


def label_of(name: str) -> str:
    return LABELS.get(name, (name.replace("_", " ").capitalize(), ""))[0]


def hint_of(name: str) -> str:
    return LABELS.get(name, ("", ""))[1]


def is_money(name: str) -> bool:
    """A dollar amount: an input whose unit is dollars (an input that is no field, such as
    an authorization's or a receipt's amount: its label says '($')."""
    unit = unit_of(name)
    return unit == "dollars" if unit else "($" in label_of(name)


def _units() -> dict[str, str]:
    """Every input's unit by its name and by the cost-table key of its default."""
    from planner.scenarios.parse import ASSUMPTION_FIELDS, FUND_FIELDS

    found: dict[str, str] = {}
    fields = [*ASSUMPTION_FIELDS, *FUND_FIELDS]
    for kind in REGISTRY.values():
        for value in kind.choice_values or (None,):
            fields.extend(kind.fields(value))
    for f in fields:
        found.setdefault(f.name, f.measure)
        if f.default:
            found.setdefault(f.default, f.measure)
    return found


def unit_of(name: str) -> str:
    """The unit of an input, by its name (`salary_escalation`) or by the cost-table key of
    its default (`warm_handoff.on_call.stipend_per_hour`); "" when no field says."""
    return _units().get(name, "")
