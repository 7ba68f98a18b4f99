"""The monthly participant cohort model (cost model §4)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .money import Q, q, quantize6
from .plan import PATHWAYS, Participants


@dataclass(frozen=True)
class ParticipantYears:
    """Per plan year, quantized to 6 places; every later formula uses these values."""

    new_enrollees: tuple[Decimal, ...]
    avg_active: tuple[Decimal, ...]
    peak_active: tuple[Decimal, ...]
    participant_months: tuple[Decimal, ...]
    ramp: tuple[Q, ...]  # ramp_k for each plan year
    referrals: Q  # steady-state referrals a year, all pathways


def ramp_factor(participants: Participants, k: int) -> Q:
    return q(participants.ramp[k]) if k < len(participants.ramp) else Q(1)


def project_participants(participants: Participants, years: int) -> ParticipantYears:
    months_enrolled = participants.average_months_enrolled
    steady = sum(
        q(participants.referrals_per_year[p]) * q(participants.enrollment_rate[p]) for p in PATHWAYS
    )
    ramps = tuple(ramp_factor(participants, k) for k in range(years))
    yearly_new = [ramps[k] * steady for k in range(years)]
    monthly_new = [n / 12 for n in yearly_new]
    initial_monthly = q(participants.initial_active) / months_enrolled

    # n_m, the cohort that enrolls in month m (§4), for m from -M to the last month: the
    # initial cohorts in months -M+1 … -1, none before.
    zero = Q(0)
    cohorts = [zero] + [initial_monthly] * (months_enrolled - 1)
    for n in monthly_new:
        cohorts.extend([n] * 12)
    # active_{-1}: the cohorts of months -M+1 … -1.
    active = initial_monthly * (months_enrolled - 1)
    new, avg, peak, months_total = [], [], [], []
    for k in range(years):
        total = zero
        highest = None
        for month in range(12 * k, 12 * k + 12):
            # cohorts[i] is n_(i - M): in comes n_month, out goes n_(month - M)
            active += cohorts[month + months_enrolled] - cohorts[month]
            total += active
            highest = active if highest is None or active > highest else highest
        new.append(quantize6(yearly_new[k]))
        avg.append(quantize6(total / 12))
        peak.append(quantize6(highest if highest is not None else 0))
        months_total.append(quantize6(total))
    return ParticipantYears(
        new_enrollees=tuple(new),
        avg_active=tuple(avg),
        peak_active=tuple(peak),
        participant_months=tuple(months_total),
        ramp=ramps,
        referrals=sum((q(participants.referrals_per_year[p]) for p in PATHWAYS), Q(0)),
    )


class ScaledParticipants:
    """The participants with every pathway's referrals × m, for many m (the §13 fit).

    The cohort model is linear in the referrals: each month's active count is an initial
    part plus m times a referral part, so both parts are computed once and each m costs a
    few multiplications. `at(m)` equals `project_participants` of the scaled plan exactly
    (the same rationals, quantized the same way)."""

    def __init__(self, participants: Participants, years: int):
        months_enrolled = participants.average_months_enrolled
        steady = sum(
            q(participants.referrals_per_year[p]) * q(participants.enrollment_rate[p])
            for p in PATHWAYS
        )
        self.ramps = tuple(ramp_factor(participants, k) for k in range(years))
        self.yearly_new = [self.ramps[k] * steady for k in range(years)]
        monthly_new = [n / 12 for n in self.yearly_new]
        initial_monthly = q(participants.initial_active) / months_enrolled

        def enrolled_in(month: int) -> tuple[Q, Q]:  # (initial part, referral part)
            if month >= 0:
                return Q(0), monthly_new[month // 12]
            if month > -months_enrolled:
                return initial_monthly, Q(0)
            return Q(0), Q(0)

        fixed, scaled = initial_monthly * (months_enrolled - 1), Q(0)
        self.months: list[list[tuple[Q, Q]]] = []
        for k in range(years):
            year = []
            for month in range(12 * k, 12 * k + 12):
                in_i, in_r = enrolled_in(month)
                out_i, out_r = enrolled_in(month - months_enrolled)
                fixed += in_i - out_i
                scaled += in_r - out_r
                year.append((fixed, scaled))
            self.months.append(year)
        self.referrals = sum((q(participants.referrals_per_year[p]) for p in PATHWAYS), Q(0))
        # Each year's sum of active counts is linear too: Σ(i + m·r) = Σi + m·Σr, exactly.
        self.sums = [
            (sum((i for i, _ in year), Q(0)), sum((r for _, r in year), Q(0)))
            for year in self.months
        ]

    def at(self, multiplier: Q) -> ParticipantYears:
        new, avg, peak, months_total = [], [], [], []
        for k, year in enumerate(self.months):
            fixed, scaled = self.sums[k]
            total = fixed + multiplier * scaled
            new.append(quantize6(self.yearly_new[k] * multiplier))
            avg.append(quantize6(total / 12))
            peak.append(quantize6(max(i + multiplier * r for i, r in year)))
            months_total.append(quantize6(total))
        return ParticipantYears(
            new_enrollees=tuple(new),
            avg_active=tuple(avg),
            peak_active=tuple(peak),
            participant_months=tuple(months_total),
            ramp=self.ramps,
            referrals=self.referrals * multiplier,
        )
