"""Read a receipts CSV (`fiscal_year,amount`, the shape of CORE-NC's payment schedule), or by
settlement stream (`stream,fiscal_year,amount`, cost model §18) for a plan that gives its
receipts by stream."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from decimal import Decimal

from planner.cost_tables import default_cost_tables
from planner.scenarios import FiscalYearError, fy_label, parse_fy
from planner.scenarios.parse import check_field, money

# CSV files also write a FY as 2026-27, 2026-2027 or "FY 2026-27": unambiguous, so accepted.
_SPAN = re.compile(r"^(?:FY\s*)?([0-9]{4})\s*[-–]\s*([0-9]{2}|[0-9]{4})$", re.IGNORECASE)


@dataclass(frozen=True)
class ReceiptRow:
    line: int
    fiscal_year: int
    amount: Decimal
    stream: str | None = None  # a stream's slug (§18), in a CSV by stream

    @property
    def key(self) -> int | tuple[str, int]:
        return self.fiscal_year if self.stream is None else (self.stream, self.fiscal_year)


@dataclass(frozen=True)
class ReceiptsCsv:
    rows: tuple[ReceiptRow, ...]
    problems: tuple[str, ...]  # "line 4: amount must be ≥ 0"

    def as_document(self) -> dict[str, str]:
        return {fy_label(r.fiscal_year): format(r.amount, "f") for r in self.rows}

    def as_streams(self) -> dict[str, dict[str, str]]:
        """A CSV by stream as `fund.receipts_by_stream` entries."""
        found: dict[str, dict[str, str]] = {}
        for r in self.rows:
            found.setdefault(r.stream or "", {})[fy_label(r.fiscal_year)] = format(r.amount, "f")
        return found


def _fiscal_year(text: str) -> int:
    span = _SPAN.match(text.strip())
    if span:
        start, end = int(span.group(1)), span.group(2)
        if int(end[-2:]) != (start + 1) % 100:
            raise FiscalYearError(
                f"'{text}' is not a fiscal year: {start} is followed by {fy_label(start)}"
            )
        return parse_fy(str(start))
    return parse_fy(text.strip())


def _is_header(record: list[str]) -> bool:
    return bool(record) and record[0].strip().lower() in (
        "fiscal_year",
        "fy",
        "fiscal year",
        "stream",
        "settlement",
    )


def read_receipts_csv(text: str, *, by_stream: bool = False) -> ReceiptsCsv:
    """The rows of a receipts CSV and its problems, within the §15 limits: at most
    `csv_rows_max` lines are read and `receipts_max` receipts kept, and the preview lists at
    most `csv_problems_shown` problems (the rest are counted)."""
    limits = default_cost_tables().limits
    assert limits is not None  # noqa: S101
    rows: list[ReceiptRow] = []
    problems: list[str] = []
    seen: dict[int | tuple[str, int], int] = {}
    columns = "stream,fiscal_year,amount" if by_stream else "fiscal_year,amount"
    width = 3 if by_stream else 2
    streams = default_cost_tables().stream_slugs
    amount_field = money("amount")
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    records: list[list[str]] = []
    try:
        for record in reader:
            if len(records) >= limits.csv_rows_max:
                return ReceiptsCsv(
                    (),
                    (
                        f"line {limits.csv_rows_max + 1:,}: the file has more "
                        f"than {limits.csv_rows_max:,} lines; a plan keeps at "
                        f"most {limits.receipts_max} receipts",
                    ),
                )
            records.append(record)
    except csv.Error as error:
        return ReceiptsCsv((), (f"line {reader.line_num}: not CSV ({error})",))
    filled = [r for r in records if r and not all(not cell.strip() for cell in r)]
    if filled and records[0] and _is_header(records[0]):
        filled = filled[1:]
    if len(filled) > limits.receipts_max:
        return ReceiptsCsv(
            (),
            (
                f"line 1: the file has {len(filled):,} rows; a plan keeps at "
                f"most {limits.receipts_max} receipts",
            ),
        )
    for number, record in enumerate(records, start=1):
        if not record or all(not cell.strip() for cell in record):
            continue
        if number == 1 and _is_header(record):
            continue  # the header
        if len(record) != width:
            problems.append(
                f"line {number}: expected {width} columns ({columns}), found {len(record)}"
            )
            continue
        stream = record[0].strip().lower() if by_stream else None
        if stream is not None and stream not in streams:
            problems.append(
                f"line {number}: stream '{record[0].strip()[:40]}' is not a settlement "
                "stream: use one of " + ", ".join(streams)
            )
            continue
        fy_text, amount_text = record[-2:]
        try:
            fy = _fiscal_year(fy_text)
        except FiscalYearError as error:
            problems.append(f"line {number}: fiscal_year {error}")
            continue
        amount, problem = check_field(
            amount_field, amount_text.strip().replace("$", ""), default_cost_tables()
        )
        if problem:
            problems.append(f"line {number}: amount {problem}")
            continue
        key = fy if stream is None else (stream, fy)
        if key in seen:
            problems.append(f"line {number}: {fy_label(fy)} is already on line {seen[key]}")
            continue
        seen[key] = number
        rows.append(ReceiptRow(number, fy, amount, stream))
    if not rows and not problems:
        problems.append(f"line 1: the file has no rows (write {columns})")
    if len(problems) > limits.csv_problems_shown:
        more = len(problems) - limits.csv_problems_shown
        problems = [*problems[: limits.csv_problems_shown], f"… and {more:,} more problems"]
    order = {slug: n for n, slug in enumerate(streams)}
    rows.sort(key=lambda r: (order.get(r.stream or "", -1), r.fiscal_year))
    return ReceiptsCsv(tuple(rows), tuple(problems))
