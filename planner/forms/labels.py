"""What each input is called on screen, with a hint of its unit (the plan file's names stay
the keys, so an error path and a field always match)."""

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
    "reserve_months": ("Reserve to keep (months of spending)",
                       "GFOA: at least 2; 0 = spend the fund down"),
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
    "presented_on": ("Collaborative planning report presented on",
                     "needed for Exhibit B (Option B) strategies"),
    "tracks_all_offers": ("Track everyone offered a referral (demographics, source, "
                          "acceptance, enrollment)", ""),
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
    "budget_ordinance_on": ("Budget ordinance adopted on",
                            "annual budget or settlement project ordinance (G.S. 159-13.2)"),
    # line items
    "label": ("Label", "how the line is named in reports"),
    "justification": ("Justification", "why this cost is needed; printed in the PDF"),
    "role": ("Role", ""),
    "fte": ("FTE", "full-time equivalents"),
    "salary": ("Base salary ($ a year)", "in first-FY dollars"),
    "independent": ("Independent of the program's agencies", "program manager only"),
    "delivery": ("Delivered by", "county staff, or a contracted provider"),
    "caseload_average": ("Average caseload limit", "LEAD guidance: at most 20"),
    "caseload_max": ("Maximum caseload", "LEAD guidance: never above 25"),
    "min_fte": ("Minimum FTE", ""),
    "max_fte": ("Maximum FTE (cap)", "blank = no cap"),
    "mode": ("Coverage model", "staffed posts, on-call stipends, or a contract"),
    "hours_per_week": ("Hours covered a week", "168 = 24/7"),
    "staff_per_post": ("Staff per post", ""),
    "stipend_per_hour": ("On-call stipend per hour ($)", ""),
    "after_hours_share": ("Share of referrals after hours", "0.5 = 50%"),
    "hours_per_callout": ("Paid hours per call-out", ""),
    "hourly_rate": ("Hourly pay for call-outs ($)", "default: case-manager salary ÷ 2,080"),
    "rate_per_hour": ("Contract rate per covered hour ($)",
                      "what your provider charges for each hour of coverage. A county buying "
                      "priority response from an existing mobile crisis provider pays far less "
                      "than the cost of a dedicated crisis van (the default below): ask the "
                      "provider for its rate"),
    "officers": ("Officers to train", "whole number"),
    "initial_hours": ("Initial training hours", ""),
    "refresher_hours": ("Refresher hours", ""),
    "refresher_interval_years": ("Refresher every … years", "whole number"),
    "annual_turnover": ("Officer turnover a year", "0.10 = 10%"),
    "officer_hourly_rate": ("Officer hourly pay ($)", "backfill at overtime"),
    "class_size": ("Trainees per session", ""),
    "trainer_cost_per_session": ("Trainer cost per session ($)", ""),
    "materials_per_trainee": ("Materials per trainee ($)", ""),
    "high_risk_share": ("Share of participants given phones", "0.5 = 50%"),
    "monthly_service_cost": ("Phone service per month ($)", ""),
    "device_cost": ("Phone device ($)", ""),
    "per_participant_year": ("Support per participant-year ($)", ""),
    "category": ("Service category", ""),
    "status": ("Status", "adequate, gap, or not yet assessed"),
    "units": ("Units to fund", "e.g. beds, slots"),
    "unit_cost": ("Cost per unit a year ($)", ""),
    "object_class": ("Object class", "SF-424A budget category"),
    "annual_amount": ("Amount a year ($)", "in first-FY dollars"),
    "escalate": ("Escalate with inflation", ""),
}

KIND_NAMES = {
    "position": "Staff position",
    "case_management": "Case management (staffed from caseloads)",
    "warm_handoff": "Warm hand-off coverage",
    "officer_training": "Officer training",
    "participant_phones": "Phones for participants",
    "participant_support": "Participant support",
    "service_gap": "Service gap",
    "other_strategy": "Other strategy (non-LEAD, same fund)",
    "other": "Other LEAD cost",
}


def label_of(name: str) -> str:
    return LABELS.get(name, (name.replace("_", " ").capitalize(), ""))[0]


def hint_of(name: str) -> str:
    return LABELS.get(name, ("", ""))[1]


def is_money(name: str) -> bool:
    """A dollar amount (its label says '($…')."""
    return "($" in label_of(name)
