"""The board's documents read back (issue 23): the justification PDF (pdfplumber, as
tests/test_documents.py reads it), the resolution and the project ordinance (python-docx) and
the workbook (openpyxl, its stored values). Each states the FYs and the amounts; they must be
the same in every one."""

from __future__ import annotations

import datetime as dt
import io
import re

import docx
import openpyxl
import pdfplumber

MONTHS = {
    name: number
    for number, name in enumerate(
        (
            "January February March April May June July August September October November December"
        ).split(),
        start=1,
    )
}


def fy_label(fy: int) -> str:
    return f"FY{fy}-{(fy + 1) % 100:02d}"


def _date(text: str) -> dt.date:
    month, day, year = re.fullmatch(r"(\w+) (\d+), (\d{4})", text.strip()).groups()
    return dt.date(int(year), MONTHS[month], int(day))


def _dollars(text: str) -> int:
    return int(text.replace("$", "").replace(",", ""))


def pdf_text(body: bytes) -> str:
    with pdfplumber.open(io.BytesIO(body)) as document:
        return "\n".join(page.extract_text() or "" for page in document.pages)


def docx_text(body: bytes) -> str:
    document = docx.Document(io.BytesIO(body))
    rows = [" | ".join(c.text for c in row.cells) for t in document.tables for row in t.rows]
    return "\n".join([p.text for p in document.paragraphs] + rows)


def resolution_facts(body: bytes) -> tuple[tuple[int, ...], dict[str, int]]:
    """The FYs the resolution authorizes and each strategy's amount (its Exhibit code)."""
    text = docx_text(body)
    amounts: dict[str, int] = {}
    fys: set[tuple[int, ...]] = set()
    for block in re.split(r"\n\d+\. \w+ strategy authorized\n", text)[1:]:
        exhibit = re.search(r"Strategy is included in Exhibit: (\w)", block).group(1)
        item = re.search(
            r"Item letter and/or number in Exhibit A or Exhibit B to the MOA: (\S+)", block
        )
        amount = re.search(r"Amount authorized for this strategy: (\$[\d,]+)", block).group(1)
        period = re.search(r"Start date: (\w+ \d+, \d{4})\s+End date: (\w+ \d+, \d{4})", block)
        start, end = _date(period.group(1)), _date(period.group(2))
        assert (start.month, start.day, end.month, end.day) == (7, 1, 6, 30)
        fys.add(tuple(range(start.year, end.year)))
        amounts[f"{exhibit}:{item.group(1)}"] = _dollars(amount)
    assert len(fys) == 1, fys  # one period for the meeting
    return fys.pop(), amounts


def workbook_facts(body: bytes) -> tuple[list[int], dict[str, dict[int, int]], int]:
    """The plan's FYs, each strategy's spending by FY and the total (stored values)."""
    book = openpyxl.load_workbook(io.BytesIO(body), data_only=True)
    rows = list(book["Strategies"].iter_rows(values_only=True))
    header = next(r for r in rows if r and r[0] == "Strategy")
    columns = {
        i: int(v[2:6]) for i, v in enumerate(header) if isinstance(v, str) and v.startswith("FY")
    }
    by_strategy = {
        r[1]: {fy: int(r[i]) for i, fy in columns.items()}
        for r in rows
        if r and isinstance(r[1], str) and re.fullmatch(r"[AB]:\S+", r[1])
    }
    total = next(r for r in rows if r and r[0] == "Total")[header.index("Total")]
    return sorted(columns.values()), by_strategy, int(total)


def agree(documents: dict[str, bytes], figures: dict[str, int] | None = None) -> dict:
    """Assert that the PDF, the resolution, the ordinance and the workbook state the same
    FYs and amounts; return what they state."""
    fys, authorized = resolution_facts(documents["resolution"])
    plan_fys, by_strategy, total = workbook_facts(documents["xlsx"])
    # the workbook's spending over the resolution's FYs is what the resolution authorizes
    assert {code: sum(by_fy[fy] for fy in fys) for code, by_fy in by_strategy.items()} == authorized
    assert sum(sum(by_fy.values()) for by_fy in by_strategy.values()) == total
    if figures and "total" in figures:
        assert figures["total"] == total  # the plan page's total
    # the PDF: the same total, the same authorizations for the same FYs
    pdf = re.sub(r"[ \t]+", " ", pdf_text(documents["pdf"]))
    assert _dollars(re.search(r"Total planned spending\n(\$[\d,]+)", pdf).group(1)) == total
    period = f"{fy_label(fys[0])} to {fy_label(fys[-1])}"
    for code, amount in authorized.items():
        assert re.search(rf"{re.escape(code)} [^\n]*{period} \${amount:,}", pdf), (code, period)
    flat = re.sub(r"\s+", " ", pdf)
    asked = re.search(r"for (FY\d{4}-\d\d) to (FY\d{4}-\d\d), (\$[\d,]+) in all", flat)
    assert asked is not None, pdf[pdf.index("What the board is asked") :][:900]
    assert (asked.group(1), asked.group(2)) == (fy_label(fys[0]), fy_label(fys[-1]))
    assert _dollars(asked.group(3)) == sum(authorized.values())
    # the project ordinance: the resolution's FYs, each strategy's amount appropriated
    ordinance = docx_text(documents["ordinance"])
    assert f"{fy_label(fys[0])} through {fy_label(fys[-1])}" in ordinance
    appropriated = {
        f"{exhibit}:{item}": _dollars(amount)
        for exhibit, item, amount in re.findall(
            r"\(MOA Exhibit (\w), item (\S+)\) \| (\$[\d,]+)", ordinance
        )
    }
    assert appropriated == authorized
    if "memo" in documents:  # the cover memo: what is asked, for the same FYs; the plan's cost
        memo = re.sub(r"\s+", " ", pdf_text(documents["memo"]))
        asked_memo = re.search(r"(\$[\d,]+) for (FY\d{4}-\d\d) to (FY\d{4}-\d\d)", memo)
        assert asked_memo is not None, memo[:1500]
        assert (_dollars(asked_memo.group(1)), asked_memo.group(2), asked_memo.group(3)) == (
            sum(authorized.values()),
            fy_label(fys[0]),
            fy_label(fys[-1]),
        )
        for code, amount in authorized.items():
            assert re.search(rf"{re.escape(code)} [^$]*\${amount:,}", memo), code
        assert re.search(rf"spends \${total:,} over", memo)
    return {"fys": fys, "authorized": authorized, "total": total, "plan_fys": plan_fys}
