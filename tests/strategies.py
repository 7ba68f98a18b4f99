"""Hypothesis strategies that build valid `lead-plan/1` documents."""

from __future__ import annotations

import functools
import os
from decimal import Decimal

from hypothesis import strategies as st

# The Hypothesis profile (registered in tests/conftest.py): `ci` is thorough and is what CI
# and `make test` use; `dev`, the default elsewhere, is quick.
PROFILE = os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")


def examples(thorough: int) -> int:
    """A test's example count: `thorough` in the ci profile, a tenth (at least 5) in dev."""
    return thorough if PROFILE == "ci" else max(5, thorough // 10)


# The strategies below are made once (`dec`, `ints`, `one_of`) and drawn from many times: a
# strategy made inside a draw is validated again at each (about half of what drawing a plan
# cost). The same strategies, so the same plans are drawn.


@functools.cache
def dec(low: str, high: str, places: int = 2) -> st.SearchStrategy[str]:
    return st.decimals(
        Decimal(low), Decimal(high), places=places, allow_nan=False, allow_infinity=False
    ).map(lambda d: format(d, "f"))


@functools.cache
def ints(low: int, high: int) -> st.SearchStrategy[int]:
    return st.integers(low, high)


@functools.cache
def one_of(*values) -> st.SearchStrategy:
    """`st.sampled_from(values)`, made once for each tuple of values."""
    return st.sampled_from(values)


BOOLEANS = st.booleans()


KIND_NAMES = (
    "position",
    "warm_handoff",
    "officer_training",
    "participant_phones",
    "participant_support",
    "service_gap",
    "other_strategy",
    "other",
    "contribution",
)
KINDS = one_of(*KIND_NAMES)
KINDS_AND_CASE_MANAGEMENT = one_of(*KIND_NAMES, "case_management")


@functools.cache
def fy_lists(first: int, last: int) -> st.SearchStrategy[list[int]]:
    return st.lists(ints(first, last), unique=True, max_size=4)


@st.composite
def line_items(draw, index: int, start_fy: int, years: int, has_case_management: bool):
    kind = draw(KINDS if has_case_management else KINDS_AND_CASE_MANAGEMENT)
    line: dict = {
        "id": f"line-{index}",
        "kind": kind,
        "strategy": draw(one_of("A:10", "A:7", "B:D.1.4", "", None)),
    }
    if draw(BOOLEANS):
        first = draw(ints(start_fy - 2, start_fy + years))
        line["start_fy"] = first
        line["end_fy"] = draw(ints(first, first + years + 2))
    if kind == "position":
        line["role"] = draw(one_of("program_manager", "data_analyst", "other", "peer_specialist"))
        line["fte"] = draw(dec("0", "3", 2))
        if line["role"] == "other" or draw(BOOLEANS):
            line["salary"] = draw(dec("20000", "150000", 2))
        if draw(BOOLEANS):
            line["delivery"] = draw(one_of("county", "contract"))
    elif kind == "case_management":
        line["caseload_average"] = draw(dec("5", "30", 0))
        line["caseload_max"] = draw(dec("5", "40", 0))
        line["min_fte"] = draw(dec("0", "2", 1))
        if draw(BOOLEANS):
            line["max_fte"] = format(Decimal(line["min_fte"]) + draw(ints(0, 6)), "f")
        if draw(BOOLEANS):
            line["delivery"] = "contract"
    elif kind == "warm_handoff":
        mode = draw(one_of("staffed", "on_call", "contract"))
        line["mode"] = mode
        line["hours_per_week"] = draw(dec("0", "168", 1))
        if mode == "staffed" and draw(BOOLEANS):
            line["staff_per_post"] = draw(dec("0", "3", 0))
    elif kind == "officer_training":
        line["officers"] = draw(ints(0, 400))
        line["refresher_interval_years"] = draw(ints(1, 4))
        line["annual_turnover"] = draw(dec("0", "0.5", 2))
        line["class_size"] = draw(ints(1, 40))
    elif kind == "participant_phones":
        line["high_risk_share"] = draw(dec("0", "1", 2))
    elif kind == "participant_support":
        line["per_participant_year"] = draw(dec("0", "2000", 2))
    elif kind == "service_gap":
        line["category"] = draw(one_of("food", "housing", "medical"))
        line["status"] = draw(one_of("adequate", "gap", "unknown"))
        if line["status"] == "gap":
            line["units"] = draw(dec("0", "20", 1))
            line["unit_cost"] = draw(dec("0", "30000", 2))
    elif kind == "contribution":  # §17: the lead's figures, FY by FY, inside the plan
        line["to"] = draw(one_of("ashe-county", "city-of-durham"))
        line["program"] = "Shared LEAD"
        fys = draw(fy_lists(start_fy, start_fy + years - 1))
        line["amounts"] = {str(fy): draw(dec("0", "300000", 2)) for fy in fys}
    else:
        line["annual_amount"] = draw(dec("0", "500000", 2))
        line["escalate"] = draw(BOOLEANS)
        line["object_class"] = draw(
            one_of("travel", "equipment", "supplies", "contractual", "other")
        )
    return line


STREAMS = ("wave-one", "wave-two", "purdue-sackler", "other")
STREAM_LISTS = st.lists(st.sampled_from(STREAMS), min_size=1, max_size=3, unique=True)
RAMPS = st.lists(dec("0", "1.5", 2), max_size=3)


@st.composite
def plan_documents(
    draw,
    *,
    rates_nonnegative: bool = False,
    steady_participants: bool = False,
    kinds_excluded: tuple[str, ...] = (),
    funding: bool = False,
):
    start_fy = draw(ints(2020, 2035))
    years = draw(ints(1, 20))
    low_rate = "0" if rates_nonnegative else "-0.1"
    ramp = draw(RAMPS)
    if steady_participants:
        ramp = [format(v, "f") for v in sorted(Decimal(r) for r in ramp) if v <= 1]
    lines = []
    has_cm = False
    for index in range(draw(ints(0, 8))):
        line = draw(line_items(index, start_fy, years, has_cm))
        if line["kind"] in kinds_excluded:
            continue
        has_cm = has_cm or line["kind"] == "case_management"
        lines.append(line)
    receipts = {
        str(fy): draw(dec("0", "2000000", 2))
        for fy in range(start_fy - 1, start_fy + years + 1)
        if draw(BOOLEANS)
    }
    # §18: half the plans give their receipts by settlement stream instead
    by_stream = None
    if draw(BOOLEANS):
        by_stream = {
            stream: {
                str(fy): draw(dec("0", "1000000", 2))
                for fy in range(start_fy - 1, start_fy + years + 1)
                if draw(BOOLEANS)
            }
            for stream in draw(STREAM_LISTS)
        }
    document = {
        "schema": "lead-plan/1",
        "name": "generated",
        "start_fy": start_fy,
        "years": years,
        "assumptions": {
            "salary_escalation": draw(dec(low_rate, "0.1", 3)),
            "health_escalation": draw(dec(low_rate, "0.1", 3)),
            "inflation": draw(dec(low_rate, "0.1", 3)),
            "fringe_rate": draw(dec("0", "0.4", 4)),
            "indirect_rate": draw(dec("0", "0.3", 3)),
            "fte_increment": draw(one_of("0.25", "0.5", "1")),
        },
        "fund": {
            "opening_balance": draw(dec("0", "5000000", 2)),
            "interest_rate": draw(dec(low_rate, "0.06", 3)),
            **({"receipts": receipts} if by_stream is None else {"receipts_by_stream": by_stream}),
        },
        "participants": {
            "referrals_per_year": {
                "arrest_diversion": draw(dec("0", "200", 0)),
                "social_contact": draw(dec("0", "200", 0)),
                "community": draw(dec("0", "200", 1)),
            },
            "ramp": ramp,
            "average_months_enrolled": draw(ints(1, 36)),
            "initial_active": "0" if steady_participants else draw(dec("0", "80", 0)),
        },
        "line_items": lines,
    }
    if funding:
        add_funding(draw, document)
    return document


def _month_start(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}-01"


def _month_end(year: int, month: int) -> str:
    import calendar

    return f"{year:04d}-{month:02d}-{calendar.monthrange(year, month)[1]:02d}"


def add_funding(draw, document: dict) -> None:
    """Funding sources (cost model §16) and valid `funded_by` entries on some lines: shares
    that add up to at most 1 in every FY, amounts only in FYs of the plan and the line's
    window where the source has months."""
    start_fy, years = document["start_fy"], document["years"]
    sources = []
    for index in range(draw(ints(0, 3))):
        source: dict = {
            "id": f"src-{index}",
            "name": f"Source {index}",
            "kind": draw(one_of("grant", "general_fund", "medicaid", "partner", "other")),
        }
        if source["kind"] == "partner":
            source["jurisdiction"] = "city-of-greenville"
        first_month = None
        if draw(BOOLEANS):  # a month in or just before the plan
            first_month = draw(ints((start_fy - 1) * 12 + 6, (start_fy + years) * 12 + 5))
            source["start"] = _month_start(first_month // 12, first_month % 12 + 1)
        if draw(BOOLEANS):
            low = first_month if first_month is not None else (start_fy - 1) * 12
            last_month = draw(ints(low, low + 60))
            source["end"] = _month_end(last_month // 12, last_month % 12 + 1)
        if draw(BOOLEANS):
            source["award"] = draw(dec("0", "900000", 2))
        sources.append(source)
    if not sources:
        return
    document["funding"] = {"sources": sources}

    def months_in(source: dict, fy: int) -> int:
        first, last = fy * 12 + 6, fy * 12 + 17
        if "start" in source:
            y, m = int(source["start"][:4]), int(source["start"][5:7])
            first = max(first, y * 12 + m - 1)
        if "end" in source:
            y, m = int(source["end"][:4]), int(source["end"][5:7])
            last = min(last, y * 12 + m - 1)
        return max(0, last - first + 1)

    last_fy = start_fy + years - 1
    for line in document["line_items"]:
        if not draw(BOOLEANS):
            continue
        left = Decimal(1)  # shares of one line add up to at most 1, whatever the months
        entries = []
        for _ in range(draw(ints(1, 3))):
            source = draw(st.sampled_from(sources))
            if draw(BOOLEANS):
                share = min(left, Decimal(draw(dec("0", "1", 2))))
                left -= share
                entries.append({"source": source["id"], "share": format(share, "f")})
            else:
                first = max(start_fy, line.get("start_fy", start_fy))
                last = min(last_fy, line.get("end_fy", last_fy))
                fys = [fy for fy in range(first, last + 1) if months_in(source, fy) > 0]
                chosen = draw(st.lists(st.sampled_from(fys), unique=True)) if fys else []
                entries.append(
                    {
                        "source": source["id"],
                        "amounts": {str(fy): draw(dec("0", "300000", 2)) for fy in chosen},
                    }
                )
        line["funded_by"] = entries
