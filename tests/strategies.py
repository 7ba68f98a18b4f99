"""Hypothesis strategies that build valid `lead-plan/1` documents."""

from __future__ import annotations

import os
from decimal import Decimal

from hypothesis import strategies as st

# The Hypothesis profile (registered in tests/conftest.py): `ci` is thorough and is what CI
# and `make test` use; `dev`, the default elsewhere, is quick.
PROFILE = os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")


def examples(thorough: int) -> int:
    """A test's example count: `thorough` in the ci profile, a tenth (at least 5) in dev."""
    return thorough if PROFILE == "ci" else max(5, thorough // 10)


def dec(low: str, high: str, places: int = 2) -> st.SearchStrategy[str]:
    return st.decimals(
        Decimal(low), Decimal(high), places=places, allow_nan=False, allow_infinity=False
    ).map(lambda d: format(d, "f"))


@st.composite
def line_items(draw, index: int, start_fy: int, years: int, has_case_management: bool):
    kinds = [
        "position",
        "warm_handoff",
        "officer_training",
        "participant_phones",
        "participant_support",
        "service_gap",
        "other_strategy",
        "other",
        "contribution",
    ]
    if not has_case_management:
        kinds.append("case_management")
    kind = draw(st.sampled_from(kinds))
    line: dict = {
        "id": f"line-{index}",
        "kind": kind,
        "strategy": draw(st.sampled_from(["A:10", "A:7", "B:D.1.4", "", None])),
    }
    if draw(st.booleans()):
        first = draw(st.integers(start_fy - 2, start_fy + years))
        line["start_fy"] = first
        line["end_fy"] = draw(st.integers(first, first + years + 2))
    if kind == "position":
        line["role"] = draw(
            st.sampled_from(["program_manager", "data_analyst", "other", "peer_specialist"])
        )
        line["fte"] = draw(dec("0", "3", 2))
        if line["role"] == "other" or draw(st.booleans()):
            line["salary"] = draw(dec("20000", "150000", 2))
        if draw(st.booleans()):
            line["delivery"] = draw(st.sampled_from(["county", "contract"]))
    elif kind == "case_management":
        line["caseload_average"] = draw(dec("5", "30", 0))
        line["caseload_max"] = draw(dec("5", "40", 0))
        line["min_fte"] = draw(dec("0", "2", 1))
        if draw(st.booleans()):
            line["max_fte"] = format(Decimal(line["min_fte"]) + draw(st.integers(0, 6)), "f")
        if draw(st.booleans()):
            line["delivery"] = "contract"
    elif kind == "warm_handoff":
        mode = draw(st.sampled_from(["staffed", "on_call", "contract"]))
        line["mode"] = mode
        line["hours_per_week"] = draw(dec("0", "168", 1))
        if mode == "staffed" and draw(st.booleans()):
            line["staff_per_post"] = draw(dec("0", "3", 0))
    elif kind == "officer_training":
        line["officers"] = draw(st.integers(0, 400))
        line["refresher_interval_years"] = draw(st.integers(1, 4))
        line["annual_turnover"] = draw(dec("0", "0.5", 2))
        line["class_size"] = draw(st.integers(1, 40))
    elif kind == "participant_phones":
        line["high_risk_share"] = draw(dec("0", "1", 2))
    elif kind == "participant_support":
        line["per_participant_year"] = draw(dec("0", "2000", 2))
    elif kind == "service_gap":
        line["category"] = draw(st.sampled_from(["food", "housing", "medical"]))
        line["status"] = draw(st.sampled_from(["adequate", "gap", "unknown"]))
        if line["status"] == "gap":
            line["units"] = draw(dec("0", "20", 1))
            line["unit_cost"] = draw(dec("0", "30000", 2))
    elif kind == "contribution":  # §17: the lead's figures, FY by FY, inside the plan
        line["to"] = draw(st.sampled_from(["ashe-county", "city-of-durham"]))
        line["program"] = "Shared LEAD"
        fys = draw(st.lists(st.integers(start_fy, start_fy + years - 1), unique=True, max_size=4))
        line["amounts"] = {str(fy): draw(dec("0", "300000", 2)) for fy in fys}
    else:
        line["annual_amount"] = draw(dec("0", "500000", 2))
        line["escalate"] = draw(st.booleans())
        line["object_class"] = draw(
            st.sampled_from(["travel", "equipment", "supplies", "contractual", "other"])
        )
    return line


STREAMS = ("wave-one", "wave-two", "purdue-sackler", "other")


@st.composite
def plan_documents(
    draw,
    *,
    rates_nonnegative: bool = False,
    steady_participants: bool = False,
    kinds_excluded: tuple[str, ...] = (),
    funding: bool = False,
):
    start_fy = draw(st.integers(2020, 2035))
    years = draw(st.integers(1, 20))
    low_rate = "0" if rates_nonnegative else "-0.1"
    ramp = draw(st.lists(dec("0", "1.5", 2), max_size=3))
    if steady_participants:
        ramp = [format(v, "f") for v in sorted(Decimal(r) for r in ramp) if v <= 1]
    lines = []
    has_cm = False
    for index in range(draw(st.integers(0, 8))):
        line = draw(line_items(index, start_fy, years, has_cm))
        if line["kind"] in kinds_excluded:
            continue
        has_cm = has_cm or line["kind"] == "case_management"
        lines.append(line)
    receipts = {
        str(fy): draw(dec("0", "2000000", 2))
        for fy in range(start_fy - 1, start_fy + years + 1)
        if draw(st.booleans())
    }
    # §18: half the plans give their receipts by settlement stream instead
    by_stream = None
    if draw(st.booleans()):
        by_stream = {
            stream: {
                str(fy): draw(dec("0", "1000000", 2))
                for fy in range(start_fy - 1, start_fy + years + 1)
                if draw(st.booleans())
            }
            for stream in draw(
                st.lists(st.sampled_from(STREAMS), min_size=1, max_size=3, unique=True)
            )
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
            "fte_increment": draw(st.sampled_from(["0.25", "0.5", "1"])),
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
            "average_months_enrolled": draw(st.integers(1, 36)),
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
    for index in range(draw(st.integers(0, 3))):
        source: dict = {
            "id": f"src-{index}",
            "name": f"Source {index}",
            "kind": draw(
                st.sampled_from(["grant", "general_fund", "medicaid", "partner", "other"])
            ),
        }
        if source["kind"] == "partner":
            source["jurisdiction"] = "city-of-greenville"
        first_month = None
        if draw(st.booleans()):  # a month in or just before the plan
            first_month = draw(st.integers((start_fy - 1) * 12 + 6, (start_fy + years) * 12 + 5))
            source["start"] = _month_start(first_month // 12, first_month % 12 + 1)
        if draw(st.booleans()):
            low = first_month if first_month is not None else (start_fy - 1) * 12
            last_month = draw(st.integers(low, low + 60))
            source["end"] = _month_end(last_month // 12, last_month % 12 + 1)
        if draw(st.booleans()):
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
        if not draw(st.booleans()):
            continue
        left = Decimal(1)  # shares of one line add up to at most 1, whatever the months
        entries = []
        for _ in range(draw(st.integers(1, 3))):
            source = draw(st.sampled_from(sources))
            if draw(st.booleans()):
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
