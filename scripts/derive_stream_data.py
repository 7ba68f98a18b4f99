"""Rebuild the derived parts of `cost_tables/` for the settlement streams (cost model §14, §18).

Pure arithmetic on the shipped tables, no network:

- `nc_receipt_totals.csv`: the ten governments found since (review of December 2026, anchors
  §1.3) and Randolph's corrected Wave One figure, each all-settlement total derived as
  Wave One × 12,296,286 / 6,799,780 (Orange County's official ratio, as the other rows);
- `nc_shares.csv`: each government's share of a stream's local pool, from the one figure
  its total rests on (a Wave One total, an all-settlement total, or a Purdue estimate);
- prints the Wave One and Wave Two payment shapes of `settlement_streams.toml` (the rest of
  each total after the known 2022 payments, in proportion to the common shape's fractions).

Run from the repository: `python scripts/derive_stream_data.py` (rewrites the two CSVs).
"""

from __future__ import annotations

import csv
import re
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

TABLES = Path(__file__).resolve().parent.parent / "cost_tables"
RATIO = (Decimal(12296286), Decimal(6799780))
RATIO_TEXT = (
    "× 12,296,286 / 6,799,780 (Orange County's official all-settlement and Wave One totals; "
    "Guilford, Forsyth and Greensboro's CORE-NC Aug-2023 figures give the same ratio within 0.4%)"
)

# slug: (Wave One figure, status, what the source says, source URL, caveat, year)
FOUND = {
    "lee-county": (
        "4206172",
        "reported",
        "Wave One '$4,206,172'; payments $161,599 (spring 2022) and $355,388 (summer 2022)",
        "https://rantnc.com/2022/04/13/countys-share-of-opioid-settlement-not-enough-commissioners-told/",
        "",
        2022,
    ),
    "mcdowell-county": (
        "3783884",
        "reported",
        "Wave One '$3,783,884 spread out over an 18-year period' (AG Stein's letter)",
        "https://mcdowellnews.com/news/local/mcdowell-county-commissioners-hear-about-opioid-lawsuit-settlement/article_1da6a244-ba7f-11ec-be32-5374921db25a.html",
        "",
        2022,
    ),
    "moore-county": (
        "6250000",
        "reported",
        "Wave One '$6.25 million' over 18 years; first payment $240,435 (The Pilot)",
        "https://eweisblat.journoportfolio.com/articles/fighting-back-county-approves-opioid-aid/",
        "rounded figure; a total of $11.3 million was reported in Aug 2023 (the derived total "
        "agrees within 0.1%)",
        2022,
    ),
    "cleveland-county": (
        "7200000",
        "reported",
        "Wave One $7.2 million over 18 years; Wave Two $5.7 million (Shelby Star)",
        "https://www.shelbystar.com/story/news/2023/04/14/more-money-coming-to-combat-opioid-crisis/70108182007/",
        "rounded figure; 'just shy of $13 million' in all was reported (the derived total "
        "agrees within 0.2%)",
        2023,
    ),
    "stanly-county": (
        "4700000",
        "reported",
        "Wave One 'close to $4.7 million over an 18-year period' (The Stanly News & Press)",
        "https://www.thesnaponline.com/2022/08/19/stanly-to-receive-4-7-million-over-18-years-from-settlement-funds-to-battle-opioid-epidemic/",
        "rounded figure; a combined $8.4 million was reported in 2023 (the derived total is "
        "1.2% higher)",
        2022,
    ),
    "wilson-county": (
        "4678163",
        "derived",
        "Wave One derived: the two 2022 payments, '$575,000 of first-wave funds', ÷ 0.1229115 "
        "(the common first and summer-2022 fractions)",
        "https://www.publicradioeast.org/2023-04-24/opioid-settlement-money-finally-reaching-north-carolina-counties-and-communities",
        "low confidence: the $575,000 is rounded and equals Stanly County's; the Wilson Times "
        "gave 'more than $4 million'",
        2023,
    ),
    "lincoln-county": (
        "6000000",
        "reported",
        "Wave One 'almost $6 million' (Lincoln Herald)",
        "https://www.lincolnherald.com/main.asp?SectionID=3&SubSectionID=28&ArticleID=42733",
        "rounded figure; 'over $11 million' in all was reported in Nov 2025 (the derived total "
        "is 1.4% lower)",
        2022,
    ),
    "johnston-county": (
        "8000000",
        "reported",
        "Wave One 'over $8 million' between 2022 and 2038 (News & Observer text on a mirror)",
        "https://rochesterhealthyliving.com/johnston-county-residents-weigh-in-on-opioid-settlement-plan/",
        "a lower bound; the county's release of 2026-02-19 gives a '$15 million share' of all "
        "settlements (the derived total is 3.6% lower)",
        2022,
    ),
    "watauga-county": (
        "3000000",
        "reported",
        "Wave One '$3 million' (AG Stein, Watauga Democrat)",
        "https://www.wataugademocrat.com/news/local/commissioners-to-accept-grant-applications-for-opioid-settlement-funds/article_7859d4b4-bd39-11ed-9dee-f309efe352b5.html",
        "rounded figure; '$5,465,816 over 18 years' was reported in 2023 (the derived total is "
        "0.7% lower)",
        2023,
    ),
    "edgecombe-county": (
        "2683550",
        "derived",
        "Wave One derived from the Purdue estimate: 'more than $515,000' ÷ (85% × $145.4M) × "
        "$644.0M (Center Square via an aggregator, June 2025)",
        "https://potusnews.news/north-carolinas-share-is-145m-of-7-4b-settlement-with-purdue-pharma-north-carolina",
        "a lower bound ('more than $515,000'), from a secondary source",
        2025,
    ),
    "randolph-county": (
        "9824046",
        "reported",
        "Wave One '$9,824,046 distributed over 18 years'; payments $377,436 and $830,054 "
        "(High Point Enterprise)",
        "https://www.hpenews.com/archdale_trinity_news/fund-created-for-opioid-damages/article_36e76705-0ce0-5097-baa1-0be4ca531fb1.html",
        "corrected in December 2026: the 2022 payments are exactly 3.8420% and 8.4492% of "
        "$9,824,046, so it is the Wave One total; the $8.8 million of the county's March 2023 "
        "minutes gave a total about 11.6% low",
        2022,
    ),
}
EXTRA_FIGURES = {
    "moore-county": "wave_one $6,250,000 (reported); all_settlements $11,300,000 (reported); "
    "wave_one_prefinal $7,000,000 (reported)",
    "cleveland-county": "wave_one $7,200,000 (reported); wave_two $5,700,000 (reported)",
    "stanly-county": "wave_one $4,700,000 (reported); wave_two $3,738,000 (reported)",
    "wilson-county": "wave_one more than $4,000,000 (reported)",
    "lincoln-county": "wave_one $6,000,000 (reported); all settlements over $11,000,000 (reported)",
    "johnston-county": "wave_one over $8,000,000 (reported); all_settlements $15,000,000 "
    "(official)",
    "watauga-county": "wave_one $3,000,000 (reported); all_settlements $5,465,816 (reported)",
    "edgecombe-county": "purdue $515,000 (reported)",
    "lee-county": "wave_one $4,206,172 (reported)",
    "mcdowell-county": "wave_one $3,783,884 (reported)",
    "randolph-county": "wave_one $9,824,046 (reported); wave_one $8,800,000 (official, "
    "contradicted by the payment ratios); wave_two $7,800,000 (official)",
}


def _round(value: Decimal) -> Decimal:
    return value.quantize(Decimal(1), ROUND_HALF_UP)


def totals() -> list[dict[str, str]]:
    path = TABLES / "nc_receipt_totals.csv"
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        fields = list(reader.fieldnames or ())
        rows = list(reader)
    for row in rows:
        found = FOUND.get(row["slug"])
        if found is None:
            continue
        figure, status, said, url, caveat, _year = found
        wave_one = Decimal(figure)
        row.update(
            total_usd=str(_round(wave_one * RATIO[0] / RATIO[1])),
            covers="all_settlements",
            status="derived",
            basis=f"Wave One ${wave_one:,.0f} ({status}; {said}) {RATIO_TEXT}",
            source_url=url,
            caveat=caveat,
            other_figures=EXTRA_FIGURES[row["slug"]],
        )
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return rows


def shares(rows: list[dict[str, str]]) -> None:
    """One share figure per government with a known total."""
    out = []
    for row in rows:
        if not row["total_usd"]:
            continue
        if row["status"] == "derived":
            match = re.match(r"Wave One \$([\d,.]+) \((\w+); (.*)\) × 12,296,286", row["basis"])
            assert match, row["slug"]  # noqa: S101
            figure, status, said = match.group(1).replace(",", ""), match.group(2), match.group(3)
            scope = "wave_one"
        else:
            figure, status, said = row["total_usd"], row["status"], row["basis"]
            scope = "all_settlements"
        year = FOUND[row["slug"]][5] if row["slug"] in FOUND else _year_of(row["source_url"], said)
        out.append(
            {
                "slug": row["slug"],
                "name": row["name"],
                "figure_usd": figure,
                "figure_scope": scope,
                "status": status,
                "year": str(year),
                "figure": said,
                "source_url": row["source_url"],
                "caveat": row["caveat"],
            }
        )
    with (TABLES / "nc_shares.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, list(out[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(out)


def _year_of(url: str, said: str) -> int:
    """The year of the figure: the source's date in its address, else a year the text names
    (not a payment's last year), else 2022 (when the Wave One figures were announced)."""
    for text in (url, said):
        found = [y for y in re.findall(r"(20[12]\d)", text) if y not in ("2038", "2039")]
        if found:
            return int(found[0])
    return 2022


def shape(years: range, rest: Decimal) -> dict[int, Decimal]:
    with (TABLES / "nc_payment_shape.csv").open(newline="", encoding="utf-8") as handle:
        common = {
            int(r["fiscal_year"][2:6]): Decimal(r["fraction"])
            for r in csv.DictReader(handle)
            if r["of_total"] == "all_settlements"
        }
    whole = sum(common[y] for y in years)
    found = {
        y: (rest * common[y] / whole).quantize(Decimal("0.000001"), ROUND_HALF_UP) for y in years
    }
    found[years[-1]] += rest - sum(found.values())
    return found


if __name__ == "__main__":
    shares(totals())
    print("wave-one", shape(range(2023, 2039), 1 - Decimal("0.03842") - Decimal("0.084492")))
    print("wave-two", shape(range(2023, 2038), Decimal(1)))
