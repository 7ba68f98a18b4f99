"""Forms for every input of a plan, built from the engine's own field definitions.

A form field checks its value with `planner.scenarios.parse.check_field`, the same check a
plan file gets; the whole plan is then validated by the engine before anything is saved, and
its problems come back to the field they belong to.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from planner.cost_tables import default_cost_tables
from planner.present.labels import hint_of, label_of
from planner.scenarios import Plan, fy_label
from planner.scenarios.editing import DefaultNote, default_note
from planner.scenarios.kinds import REGISTRY
from planner.scenarios.parse import (
    ASSUMPTION_FIELDS,
    COMMON_LINE_FIELDS,
    FUND_FIELDS,
    PARTICIPANT_FIELDS,
    PROGRAM_SECTIONS,
    RAMP_FIELD,
    SETTINGS_FIELDS,
    Field,
    check_field,
    enrollment_field,
    referral_field,
)
from planner.scenarios.plan import PATHWAYS
from planner.scenarios.typed_input import canonical

MISSING = object()


@dataclass(frozen=True)
class Input:
    """One form input: its name in the form, where it lives in the plan document, and the
    engine field that says its type and limits."""

    name: str
    path: tuple[str | int, ...]
    field: Field
    long_text: bool = False
    is_list: bool = False
    label: str | None = None  # instead of the field name's label (e.g. a FY's receipts)
    when: tuple[str, ...] = ()  # a line input shown only for these values of its choice

    @property
    def path_text(self) -> str:
        text = ""
        for part in self.path:
            text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
        return text


class EngineCheck:
    """A WTForms validator that runs the plan file's own check on one value."""

    def __init__(self, spec: Input):
        self.spec = spec

    def __call__(self, form: FlaskForm, field: Any) -> None:
        raw = (field.data or "").strip() if isinstance(field.data, str) else field.data
        if raw in ("", None):
            if self.spec.field.required:
                raise ValidationError(self.spec.field.required_message)
            return
        if self.spec.field.type == "fy_amounts":  # "FY2026-27: 12000; FY2027-28: 12500"
            _, problem = check_field(self.spec.field, amounts_from_text(raw), default_cost_tables())
            if problem:
                raise ValidationError(problem)
            return
        values = [v.strip() for v in raw.split(",") if v.strip()] if self.spec.is_list else [raw]
        limits = default_cost_tables().limits
        if limits is not None and len(values) > limits.ramp_max:  # §15, before any check
            raise ValidationError(f"at most {limits.ramp_max} values (got {len(values):,})")
        for value in values:
            typed = canonical(self.spec.field, value)  # "$1,200", "2.5%", "08/16/2021"
            _, problem = check_field(self.spec.field, typed, default_cost_tables())
            if problem:
                raise ValidationError(problem)


def amounts_from_text(text: str) -> dict[str, str]:
    """FY amounts as a form types them, "FY2026-27: 12,000; FY2027-28: 12,500" (a `;` or a
    new line between entries), as the plan file's FY → dollars object; an entry without a
    `:` keeps its text as the key, for the engine to refuse at its path."""
    found: dict[str, str] = {}
    for entry in text.replace("\n", ";").split(";"):
        if entry.strip():
            key, _, amount = entry.partition(":")
            found[key.strip()] = amount.strip().replace(",", "")
    return found


def amounts_text(value: Any) -> str:
    """The plan file's FY → dollars object as the form shows it."""
    if not isinstance(value, dict):
        return ""
    return "; ".join(
        f"{fy_label(int(fy)) if str(fy).isdigit() else fy}: {amount}"
        for fy, amount in value.items()
    )


def strategy_choices() -> list[SelectChoice]:
    tables = default_cost_tables()
    choices = [SelectChoice("", "— no strategy —")]
    choices += [
        SelectChoice(a.code, f"{a.code} {a.title}", optgroup="Exhibit A (Option A)")
        for a in tables.exhibit_a
    ]
    for item in tables.exhibit_b:
        summary = item.summary if len(item.summary) <= 90 else item.summary[:87] + "…"
        choices.append(
            SelectChoice(item.code, f"{item.code} {summary}", optgroup="Exhibit B (Option B)")
        )
    return choices


def _choice_label(value: str) -> str:
    return value.replace("_", " ")


def build_form(inputs: Iterable[Input], *, strategy_names: Iterable[str] = ()) -> type[FlaskForm]:
    """A FlaskForm class with one field per input (CSRF included)."""
    attrs: dict[str, Any] = {}
    strategy_names = set(strategy_names)
    for spec in inputs:
        f = spec.field
        label = spec.label or f.label or label_of(spec.name)
        hint = f.hint or hint_of(spec.name)
        if f.help:  # a line's own override of a plan-wide rate
            label, hint = f"{label} for this line", f"{f.help}; blank = the plan's"
        if f.type == "bool":
            attrs[spec.name] = BooleanField(label, description=hint)
        elif spec.name in strategy_names:
            attrs[spec.name] = SelectField(
                label, choices=strategy_choices(), description=hint, validate_choice=False
            )
        elif f.type == "choice":
            choices = [SelectChoice(c, _choice_label(c)) for c in f.choices]
            if f.nullable:
                choices = [SelectChoice("", "—"), *choices]
            attrs[spec.name] = SelectField(label, choices=choices, description=hint)
        elif spec.long_text:
            attrs[spec.name] = TextAreaField(label, description=hint)
        else:
            attrs[spec.name] = StringField(label, description=hint, validators=[EngineCheck(spec)])
    return type("PlanSectionForm", (FlaskForm,), attrs)


# ------------------------------------------------------------------------ reading and writing


def get_path(document: Any, path: tuple[str | int, ...]) -> Any:
    node = document
    for part in path:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return MISSING
    return node


def set_path(document: Any, path: tuple[str | int, ...], value: Any) -> None:
    node = document
    for part in path[:-1]:
        if isinstance(part, str) and (part not in node or node[part] is None):
            node[part] = {}
        node = node[part]
    if value is MISSING:
        if isinstance(node, dict):
            node.pop(path[-1], None)
    else:
        node[path[-1]] = value


def display_value(spec: Input, value: Any) -> Any:
    """The stored value as the form shows it."""
    if value is MISSING or value is None:
        return False if spec.field.type == "bool" else ""
    if spec.field.type == "bool":
        return bool(value)
    if spec.is_list:
        return ", ".join(format(Decimal(str(v)), "f") for v in value)
    if spec.field.type == "fy":
        return fy_label(int(value))
    if spec.field.type == "fy_amounts":
        return amounts_text(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value) if not isinstance(value, str) else value


def fill_form(form: FlaskForm, inputs: Iterable[Input], document: Any) -> None:
    for spec in inputs:
        getattr(form, spec.name).data = display_value(spec, get_path(document, spec.path))


def form_value(spec: Input, form: FlaskForm) -> Any:
    """What the form's input writes into the document (MISSING = take the default)."""
    data = getattr(form, spec.name).data
    f = spec.field
    if f.type == "bool":
        return bool(data)
    text = (data or "").strip() if isinstance(data, str) else data
    if spec.is_list:
        return [canonical(f, v) for v in (text or "").split(",") if v.strip()]
    if f.type == "fy_amounts":
        return amounts_from_text(text or "")
    if text in ("", None):
        if f.type == "text":
            return None if f.nullable else ""
        if f.nullable:
            return None
        return MISSING
    return canonical(f, text) if isinstance(text, str) else text


def write_form(document: Any, inputs: Iterable[Input], form: FlaskForm) -> None:
    for spec in inputs:
        set_path(document, spec.path, form_value(spec, form))


def attach_problems(form: FlaskForm, inputs: Iterable[Input], problems: Iterable[Any]) -> list[str]:
    """Put each engine problem next to its field; return those no field owns."""
    by_path = {spec.path_text: spec for spec in inputs}
    unplaced = []
    for problem in problems:
        spec = by_path.get(problem.path)
        if spec is None:  # a list item such as participants.ramp[1]
            spec = next(
                (
                    s
                    for s in by_path.values()
                    if (s.is_list and problem.path.startswith(s.path_text + "["))
                    or (s.field.type == "fy_amounts" and problem.path.startswith(s.path_text + "."))
                ),
                None,
            )
        if spec is None:
            unplaced.append(str(problem))
            continue
        errors = getattr(form, spec.name).errors
        if isinstance(errors, tuple):
            errors = list(errors)
            getattr(form, spec.name).errors = errors
        if problem.message not in errors:
            errors.append(problem.message)
    return unplaced


# ------------------------------------------------------------------------ the sections


def settings_inputs() -> list[Input]:
    return [Input(f.name, (f.name,), f) for f in SETTINGS_FIELDS.values()]


def assumptions_inputs() -> list[Input]:
    return [Input(f.name, ("assumptions", f.name), f) for f in ASSUMPTION_FIELDS]


def fund_inputs() -> list[Input]:
    return [Input(f.name, ("fund", f.name), f) for f in FUND_FIELDS]


def participants_inputs() -> list[Input]:
    inputs = [
        Input(f"referrals_{p}", ("participants", "referrals_per_year", p), referral_field(p))
        for p in PATHWAYS
    ]
    inputs += [
        Input(f"enrollment_{p}", ("participants", "enrollment_rate", p), enrollment_field(p))
        for p in PATHWAYS
    ]
    inputs.append(Input("ramp", ("participants", "ramp"), RAMP_FIELD, is_list=True))
    inputs += [Input(f.name, ("participants", f.name), f) for f in PARTICIPANT_FIELDS.values()]
    return inputs


def program_inputs() -> list[Input]:
    return [
        Input(f.name, ("program", section, f.name), f, long_text=f.type == "text")
        for section, fields in PROGRAM_SECTIONS.items()
        for f in fields
    ]


def authorization_inputs(index: int) -> list[Input]:
    from planner.scenarios.parse import AUTHORIZATION_FIELDS

    return [
        Input(f.name, ("program", "authorizations", index, f.name), f) for f in AUTHORIZATION_FIELDS
    ]


SECTIONS = {
    "settings": ("Plan settings", settings_inputs),
    "assumptions": ("Assumptions", assumptions_inputs),
    "fund": ("Fund", fund_inputs),
    "participants": ("Participants and pathways", participants_inputs),
    "program": ("Program settings", program_inputs),
}


def line_inputs(kind: str, value: str | None, index: int) -> list[Input]:
    """The inputs of a line of this kind for this value of its choice: the common ones, then
    the kind's own as its definition gives them (`planner/scenarios/kinds/`)."""
    common = [f for f in COMMON_LINE_FIELDS if f.name not in ("id", "kind")]
    fields = list(common) + list(REGISTRY[kind].form_fields(value))
    return [
        Input(f.name, ("line_items", index, f.name), f, long_text=f.name == "justification")
        for f in fields
    ]


# ------------------------------------------------------------------------ line variants

# The input whose value decides which other inputs a line of the kind takes, and its values.
LINE_CHOICE = {name: kind.choice for name, kind in REGISTRY.items() if kind.choice}
CHOICE_VALUES = {kind.choice: kind.choice_values for kind in REGISTRY.values() if kind.choice}
# New line items fund Exhibit A strategy 10 (criminal justice diversion: LEAD itself); a
# non-LEAD line from the same fund names its own strategy.
NEW_LINE_STRATEGY = "A:10"


def line_variants(kind: str, index: int) -> dict[str, list[Input]]:
    """The inputs of a line of this kind for each value of its choice ({"": inputs} for a
    kind without one)."""
    definition = REGISTRY[kind]
    if definition.choice:
        return {v: line_inputs(kind, v, index) for v in definition.choice_values}
    return {"": line_inputs(kind, None, index)}


def line_form_inputs(kind: str, index: int) -> list[Input]:
    """Every input any variant of the kind takes, once, each with the choice values that
    show it (none: always shown)."""
    variants = line_variants(kind, index)
    found: dict[str, Input] = {}
    shown: dict[str, list[str]] = {}
    for value, inputs in variants.items():
        for spec in inputs:
            found.setdefault(spec.name, spec)
            shown.setdefault(spec.name, []).append(value)
    return [
        Input(
            spec.name,
            spec.path,
            spec.field,
            spec.long_text,
            spec.is_list,
            spec.label,
            () if len(shown[spec.name]) == len(variants) else tuple(shown[spec.name]),
        )
        for spec in found.values()
    ]


def active_inputs(kind: str, index: int, value: str) -> list[Input]:
    """The inputs a line of the kind takes for this value of its choice (what a save writes)."""
    variants = line_variants(kind, index)
    return variants.get(value) or next(iter(variants.values()))


def asked_inputs(kind: str, value: str) -> set[str]:
    """Inputs whose default can hide most of a plan's cost: the form asks for them."""
    return set(REGISTRY[kind].asked(value))


# ------------------------------------------------------------------------ defaults shown


def _value_text(spec_name: str, field: Field, value: Decimal) -> str:
    """A default as the form shows it: by the field's unit (planner/present/formatting.py)."""
    from planner.present.formatting import by_unit

    del spec_name
    return by_unit(value, field.measure)


def note_text(spec_name: str, field: Field, note: DefaultNote) -> str:
    """'Default when blank: $89.61 in FY2027-28 ($70.00 in FY2017-18, aged with inflation).
    Source: …'"""
    value = _value_text(spec_name, field, note.value)
    if note.base_value is not None and note.base_fy is not None and note.start_fy is not None:
        text = f"Default when blank: {value} in {fy_label(note.start_fy)}"
        if note.base_fy != note.start_fy:
            text += (
                f" ({_value_text(spec_name, field, note.base_value)} in "
                f"{fy_label(note.base_fy)}, aged with {note.escalation})"
            )
    else:
        text = f"Default when blank: {value}"
    return f"{text}. Source: {note.source} ({note.year})."


def default_notes(
    plan: Plan, inputs: Iterable[Input], kind: str | None = None, index: int = 0
) -> dict[str, list[tuple[tuple[str, ...], str]]]:
    """For each input with a cost-table default, what a blank takes for this plan and its
    source; for a line, per value of its choice when the default depends on it."""
    tables = default_cost_tables()
    variants = line_variants(kind, index) if kind else {"": list(inputs)}
    keys: dict[str, dict[str, list[str]]] = {}
    fields: dict[str, Field] = {}
    for value, specs in variants.items():
        for spec in specs:
            key = spec.field.default
            if key:
                keys.setdefault(spec.name, {}).setdefault(key, []).append(value)
                fields.setdefault(spec.name, spec.field)
    shown_for = {spec.name: spec.when for spec in inputs}
    found: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for name, by_key in keys.items():
        for key, values in by_key.items():
            note = default_note(plan, tables, key)
            if note is None:
                continue
            everywhere = len(by_key) == 1 and (
                not shown_for.get(name) or set(values) >= set(shown_for[name])
            )
            found.setdefault(name, []).append(
                ((), note_text(name, fields[name], note))
                if everywhere
                else (tuple(values), note_text(name, fields[name], note))
            )
    return found
