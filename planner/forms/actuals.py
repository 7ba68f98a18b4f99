"""Forms of a jurisdiction's actuals: one FY's figures, the ledger CSV upload, the Exhibit F
impact measures. Every value is text checked by the service (`planner.services.actuals`,
which checks the text as the plan file would) before any arithmetic."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from planner.scenarios.plan import PATHWAYS
from planner.services.actuals import PATHWAY_NAMES, UNASSIGNED

AMOUNT_TEXT = 40  # §15: a number's text is at most 40 characters
EXTRA_STRATEGIES = 2  # blank rows for a strategy the plan does not fund
CSV_TEXT = 2_000_000


def field_name(code: str) -> str:
    """`A:10` -> `spending_A_10` (a form field for a strategy's spending)."""
    return "spending_" + "".join(c if c.isalnum() else "_" for c in code)


@dataclass(frozen=True)
class StrategyRow:
    code: str
    title: str
    name: str  # the form field


def _amount(label: str, description: str = "") -> StringField:
    return StringField(
        label, validators=[Optional(), Length(max=AMOUNT_TEXT)], description=description
    )


def fy_form(rows: Iterable[StrategyRow]) -> type[FlaskForm]:
    """The form of one FY: the fund's figures, spending by strategy (a row per strategy,
    and blank rows for others), participants, and the Exhibit E filing date."""
    attrs: dict[str, Any] = {
        "version": HiddenField(),
        "plan": HiddenField(),
        "receipts": _amount(
            "Settlement funds received (2)", "Every payment received July 1 to June 30"
        ),
        "interest": _amount("Interest earned", "MOA §D.3; a loss is negative"),
        "audit_costs": _amount("Audit costs (4)", "MOA §F.3; blank is $0"),
        "enrolled": _amount("Participants enrolled"),
        "reported_on": StringField(
            "Exhibit E filed on (YYYY-MM-DD)", validators=[Optional(), Length(max=20)]
        ),
    }
    for row in rows:
        attrs[row.name] = _amount(f"{row.code} {row.title}")
    for index in range(1, EXTRA_STRATEGIES + 1):
        attrs[f"other_code_{index}"] = StringField(
            f"Other strategy {index}: code", validators=[Optional(), Length(max=20)]
        )
        attrs[f"other_amount_{index}"] = _amount(f"Other strategy {index}: amount")
    for pathway in PATHWAYS:
        attrs[f"referrals_{pathway}"] = _amount(f"Referrals by {PATHWAY_NAMES[pathway]}")
    return type("ActualsFyForm", (FlaskForm,), attrs)


def fill(form: FlaskForm, entry: Mapping[str, Any], rows: Iterable[StrategyRow]) -> None:
    """Put a recorded entry into the form."""
    for key in ("receipts", "interest", "audit_costs", "enrolled", "reported_on"):
        getattr(form, key).data = entry.get(key, "")
    spending = dict(entry.get("spending") or {})
    for row in rows:
        getattr(form, row.name).data = spending.pop(row.code, "")
    for index, (code, amount) in enumerate(spending.items(), start=1):
        if index > EXTRA_STRATEGIES:
            break
        getattr(form, f"other_code_{index}").data = code
        getattr(form, f"other_amount_{index}").data = amount
    for pathway in PATHWAYS:
        getattr(form, f"referrals_{pathway}").data = (entry.get("referrals") or {}).get(pathway, "")


def entry_from(
    form: FlaskForm, rows: Iterable[StrategyRow]
) -> tuple[dict[str, Any], dict[str, tuple[str, ...]]]:
    """The entry the form describes (text as typed, trimmed) and, for each of the entry's
    keys, the form fields it came from (a strategy typed in: its code field, then its
    amount field), to put each problem beside its field."""

    def text(name: str) -> str:
        return (getattr(form, name).data or "").strip()

    entry: dict[str, Any] = {}
    where: dict[str, tuple[str, ...]] = {}
    for key in ("receipts", "interest", "audit_costs", "enrolled", "reported_on"):
        where[key] = (key,)
        if text(key):
            entry[key] = text(key)
    spending: dict[str, str] = {}
    for row in rows:
        where[f"spending.{row.code}"] = (row.name,)
        if text(row.name):
            spending[row.code] = text(row.name)
    for index in range(1, EXTRA_STRATEGIES + 1):
        code, amount = text(f"other_code_{index}"), text(f"other_amount_{index}")
        if code or amount:
            code = code or UNASSIGNED
            where[f"spending.{code}"] = (f"other_code_{index}", f"other_amount_{index}")
            spending[code] = amount or "0"
    entry["spending"] = spending
    referrals = {}
    for pathway in PATHWAYS:
        where[f"referrals.{pathway}"] = (f"referrals_{pathway}",)
        if text(f"referrals_{pathway}"):
            referrals[pathway] = text(f"referrals_{pathway}")
    if referrals:
        entry["referrals"] = referrals
    return entry, where


class ActualsCsvForm(FlaskForm):
    file = FileField("Ledger CSV file")
    csv_text = TextAreaField("Or paste the CSV", validators=[Optional(), Length(max=CSV_TEXT)])
    entries_json = HiddenField(validators=[Optional(), Length(max=CSV_TEXT)])
    plan = HiddenField()
    versions = HiddenField(validators=[Optional(), Length(max=20_000)])


class ActualsButtonForm(FlaskForm):
    """A button on a FY's record (delete): CSRF and the version the page showed."""

    version = HiddenField()


def outcomes_form(
    strategies: Iterable[str], measures: Iterable[tuple[str, str]]
) -> type[FlaskForm]:
    """One text field per funded strategy and impact measure (`outcome__A_10__key`)."""
    attrs: dict[str, Any] = {"version": HiddenField(), "plan": HiddenField()}
    measures = list(measures)
    for code in strategies:
        for key, label in measures:
            attrs[outcome_name(code, key)] = StringField(
                label, validators=[Optional(), Length(max=2000)]
            )
    return type("OutcomesForm", (FlaskForm,), attrs)


def outcome_name(code: str, key: str) -> str:
    return f"outcome__{field_name(code)[9:]}__{key}"
