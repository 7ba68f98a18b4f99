"""The uncertainty ranges form (cost model §12): three values a variable, draws and seed.
The values are checked by the engine's parser (one set of limits for the form and the file);
the form only asks that a variable be given whole (low, most likely and high) or not at all."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import Length

from planner.scenarios.uncertainty import LABELS, TRIANGLE_KEYS, VARIABLES, Uncertainty

PARTS = {"low": "low", "mode": "most likely", "high": "high"}
TEXT_MAX = 40  # §15: a number's text


def field_name(variable: str, part: str) -> str:
    return f"{variable}_{part}"


class UncertaintyForm(FlaskForm):
    draws = StringField(
        "Simulated plans",
        validators=[Length(max=TEXT_MAX)],
        description="1 to 100,000; 10,000 unless you choose otherwise.",
    )
    seed = StringField(
        "Random seed",
        validators=[Length(max=TEXT_MAX)],
        description="A whole number: the same seed gives the same results.",
    )
    version = HiddenField()


for _name in VARIABLES:
    for _part in TRIANGLE_KEYS:
        setattr(
            UncertaintyForm,
            field_name(_name, _part),
            StringField(f"{LABELS[_name]}: {PARTS[_part]}", validators=[Length(max=TEXT_MAX)]),
        )


def fill(form: UncertaintyForm, section: Uncertainty) -> None:
    form.draws.data = str(section.draws)
    form.seed.data = str(section.seed)
    for name in VARIABLES:
        triangle = section.variables.get(name)
        for part in TRIANGLE_KEYS:
            form[field_name(name, part)].data = (
                format(getattr(triangle, part), "f") if triangle else ""
            )


def section_of(form: UncertaintyForm) -> tuple[dict[str, Any] | None, dict[str, str]]:
    """The plan file's `uncertainty` section from the form (text values: the parser reads
    them), and the form's own problems by field. No variable given and draws/seed blank:
    None (the section is removed)."""
    problems: dict[str, str] = {}
    section: dict[str, Any] = {}
    for key in ("draws", "seed"):
        text = (form[key].data or "").strip()
        if text:
            section[key] = text
    for name in VARIABLES:
        texts = {part: (form[field_name(name, part)].data or "").strip() for part in TRIANGLE_KEYS}
        given = [part for part, text in texts.items() if text]
        if not given:
            continue
        if len(given) < len(TRIANGLE_KEYS):
            for part in TRIANGLE_KEYS:
                if not texts[part]:
                    problems[field_name(name, part)] = (
                        "give low, most likely and high, or leave all three blank"
                    )
            continue
        section[name] = texts
    if not any(name in section for name in VARIABLES) and not problems:
        return None, problems
    return section, problems


def field_of_path(path: str) -> str | None:
    """`uncertainty.referrals.low` → `referrals_low`; `uncertainty.draws` → `draws`."""
    parts = path.split(".")
    if parts[0] != "uncertainty" or len(parts) < 2:
        return None
    if len(parts) == 2:
        return parts[1] if parts[1] in ("draws", "seed") else None
    if parts[1] in VARIABLES and parts[2] in TRIANGLE_KEYS:
        return field_name(parts[1], parts[2])
    return None
