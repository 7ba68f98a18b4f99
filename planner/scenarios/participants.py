"""The monthly participant cohort model (cost model §4)."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from decimal import Decimal
from itertools import accumulate
from operator import sub

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

    @functools.cached_property
    def exact(self) -> tuple[tuple[Q, ...], tuple[Q, ...], tuple[Q, ...], tuple[Q, ...]]:
        """The four quantized figures as exact rationals (new enrollees, average and peak
        active, participant-months), what the formulas read."""
        return (
            tuple(q(v) for v in self.new_enrollees),
            tuple(q(v) for v in self.avg_active),
            tuple(q(v) for v in self.peak_active),
            tuple(q(v) for v in self.participant_months),
        )


def ramp_factor(participants: Participants, k: int) -> Q:
    return q(participants.ramp[k]) if k < len(participants.ramp) else Q(1)


def project_participants(participants: Participants, years: int) -> ParticipantYears:
    months_enrolled = participants.average_months_enrolled
    steady = sum(
        q(participants.referrals_per_year[p]) * q(participants.enrollment_rate[p]) for p in PATHWAYS
    )
    ramps = tuple(ramp_factor(participants, k) for k in range(years))
    yearly_new = [ramps[k] * steady for k in range(years)]
    initial_monthly = q(participants.initial_active) / months_enrolled

    # The cohort model in whole numbers: every cohort n_m (§4) times D, a common denominator
    # of them all, so the monthly sums are integer additions; each year's figures are then
    # those integers over D (or 12 D), quantized as `quantize6` does: the same exact values.
    d = int(initial_monthly.denominator)
    for n in yearly_new:
        d = math.lcm(d, 12 * int(n.denominator))
    initial_d = int(initial_monthly * d)
    # n_m × D for m from -M to the last month: the initial cohorts in months -M+1 … -1.
    cohorts = [0] + [initial_d] * (months_enrolled - 1)
    monthly = [int(n * d) // 12 for n in yearly_new]  # N_k / 12 × D, a whole number
    for n_d in monthly:
        cohorts.extend([n_d] * 12)
    # Each month's active count × D, from active_{-1} × D: cohorts[i] is n_(i - M) × D, so
    # in month m in comes n_m (cohorts[m + M]) and out goes n_(m - M) (cohorts[m]); summed
    # in C loops (`accumulate`, `map`), whole numbers all.
    months = 12 * years
    actives = list(
        accumulate(
            map(sub, cohorts[months_enrolled : months_enrolled + months], cohorts[:months]),
            initial=initial_d * (months_enrolled - 1),
        )
    )
    # Each year's twelve counts: their sum and their highest, then the four figures × 10**6,
    # each numerator / denominator (≥ 0) to 6 places, half up, × 10**6 (`_half_up_int`'s:
    # (2 × numerator × 10**6 + denominator) // (2 × denominator)).
    by_year = [actives[i : i + 12] for i in range(1, months + 1, 12)]  # actives[0]: active_-1
    totals = list(map(sum, by_year))
    two_d = 2 * d
    n6s = [(24_000_000 * n_d + d) // two_d for n_d in monthly]  # N_k = 12 × (N_k / 12 × D) / D
    a6s = [(2_000_000 * total + 12 * d) // (24 * d) for total in totals]  # over 12 D
    p6s = [(2_000_000 * highest + d) // two_d for highest in map(max, by_year)]
    m6s = [(2_000_000 * total + d) // two_d for total in totals]
    # Each figure's Decimal and rational, made once (a steady program repeats its figures).
    scale = 10**6
    decimal_of: dict[int, Decimal] = {}
    rational_of: dict[int, Q] = {}
    for six in {*n6s, *a6s, *p6s, *m6s}:
        decimal_of[six] = Decimal(six).scaleb(-6)
        rational_of[six] = Q(six, scale)
    figures = (n6s, a6s, p6s, m6s)
    new, avg, peak, months_total = (tuple(map(decimal_of.__getitem__, f)) for f in figures)
    found = ParticipantYears(
        new_enrollees=new,
        avg_active=avg,
        peak_active=peak,
        participant_months=months_total,
        ramp=ramps,
        referrals=sum((q(participants.referrals_per_year[p]) for p in PATHWAYS), Q(0)),
    )
    found.__dict__["exact"] = tuple(tuple(map(rational_of.__getitem__, f)) for f in figures)
    return found


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
