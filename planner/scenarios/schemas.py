"""The published JSON Schemas (draft 2020-12) of the documents planner reads and writes
(issue 24): `lead-plan/1` (the plan file, cost model §8), `lead-projection/1` (§9, what
`planner project --json` prints), `lead-compliance/1` (`planner check --json`),
`lead-annual-report/1` (the filed Exhibit E reports of a public plan) and
`lead-public-index/1` (the index of public plans).

`lead-plan/1` is built from the parser's own field tables and the line kinds' fields, so
it names every key the parser accepts, and no other, with each value's type, its choices and
its numeric limits. What a schema cannot say (a FY within the plan, an end after its start,
a total that must add up) the parser still checks, with the path of each problem.
`scripts/write_schemas.py` writes them under `schemas/<name>/<version>.json`; a test
checks the files are what this module builds."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .actuals import ACTUALS_KEYS
from .compliance import COMPLIANCE_SCHEMA
from .fields import Field
from .funding import ENTRY_KEYS, SOURCE_FIELDS
from .kinds import REGISTRY
from .parse import (
    ASSUMPTION_FIELDS,
    AUTHORIZATION_FIELDS,
    COMMON_LINE_FIELDS,
    FUND_FIELDS,
    PARTICIPANT_FIELDS,
    PROGRAM_SECTIONS,
    SETTINGS_FIELDS,
    STREAMS_KEY,
)
from .plan import OBJECT_CLASSES, PATHWAYS, SCHEMA
from .projection import PROJECTION_SCHEMA
from .uncertainty import SECTION_KEYS, TRIANGLE_KEYS, VARIABLES

DRAFT = "https://json-schema.org/draft/2020-12/schema"
BASE = "https://planner.invalid/schemas/"  # the `$id` base; the app serves them at /schemas/
ANNUAL_REPORT_SCHEMA = "lead-annual-report/1"
INDEX_SCHEMA = "lead-public-index/1"

# A number as the parser reads it: a JSON number, or its text (commas and spaces allowed).
NUMBER_TEXT = r"^\s*[-+]?([0-9][0-9,]*(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?\s*$"
DATE_TEXT = r"^\s*[0-9]{4}-[0-9]{2}-[0-9]{2}\s*$"
FY_TEXT = r"^\s*(FY[0-9]{4}-[0-9]{2}|[0-9]{4})\s*$"
STRATEGY_KEY = r"^(A:[0-9]{1,2}|B:[A-L]\.[0-9]+(\.[0-9]+)?|unassigned)$"
ID_TEXT = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"
NO_CONTROL = r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$"


def _number(field: Field | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": ["number", "string"],
        "pattern": NUMBER_TEXT,
    }
    if field is not None:
        if field.type == "whole":
            schema["type"] = ["integer", "string"]
        low = Decimal(0) if field.positive and field.low is None else field.low
        if low is not None:
            schema["exclusiveMinimum" if field.positive else "minimum"] = _plain_number(low)
        high = field.high if field.high is not None else field.cap
        if high is not None:
            schema["maximum"] = _plain_number(high)
        if field.cap is not None and field.low is None and not field.positive:
            schema["minimum"] = -_plain_number(field.cap)
    return schema


def _plain_number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _fy_amounts() -> dict[str, Any]:
    return {
        "type": ["object", "null"],
        "propertyNames": {"pattern": FY_TEXT},
        "additionalProperties": _number(),
    }


def field_schema(field: Field) -> dict[str, Any]:
    """One input of a plan file as a JSON Schema."""
    schema: dict[str, Any]
    if field.type in ("number", "whole"):
        schema = _number(field)
    elif field.type == "bool":
        schema = {"type": "boolean"}
    elif field.type == "text":
        schema = {"type": "string", "maxLength": field.max_length, "pattern": NO_CONTROL}
    elif field.type == "choice":
        schema = {"enum": list(field.choices)}
    elif field.type == "fy":
        schema = {"type": ["string", "integer"], "pattern": FY_TEXT}
    elif field.type == "date":
        schema = {"type": "string", "pattern": DATE_TEXT}
    elif field.type == "government":
        schema = {"type": "string", "pattern": r"^[a-z0-9-]+$"}
    else:  # fy_amounts
        schema = _fy_amounts()
    if field.nullable or not field.required:  # null reads as "not given" (its default)
        schema = {"anyOf": [schema, {"type": "null"}]} if "enum" in schema else _or_null(schema)
    return schema


def _or_null(schema: dict[str, Any]) -> dict[str, Any]:
    kinds = schema.get("type")
    if isinstance(kinds, str):
        schema["type"] = [kinds, "null"]
    elif isinstance(kinds, list) and "null" not in kinds:
        schema["type"] = [*kinds, "null"]
    return schema


def _section(fields: tuple[Field, ...], extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """An object of these fields and no other key (null reads as empty)."""
    properties = {f.name: field_schema(f) for f in fields}
    properties.update(extra or {})
    return {
        "type": ["object", "null"],
        "properties": properties,
        "required": [f.name for f in fields if f.required],
        "additionalProperties": False,
    }


def _pathways(value: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": ["object", "null"],
        "properties": dict.fromkeys(PATHWAYS, value),
        "additionalProperties": False,
    }


def _line_item() -> dict[str, Any]:
    """A line item: the common fields, then its kind's fields (every value of its mode,
    role or status: which of them apply to a given choice the parser tells)."""
    funded_by = {
        "type": ["array", "null"],
        "items": {
            "type": "object",
            "properties": {
                "source": {"type": "string"},
                "share": _number(),
                "amounts": _fy_amounts(),
            },
            "required": ["source"],
            "additionalProperties": False,
        },
    }
    common = {f.name: field_schema(f) for f in COMMON_LINE_FIELDS}
    common["id"]["pattern"] = ID_TEXT
    common["kind"] = {"enum": list(REGISTRY)}
    by_kind = []
    for name, kind in REGISTRY.items():
        fields = {f.name: f for f in kind.all_fields()}
        by_kind.append(
            {
                "if": {"properties": {"kind": {"const": name}}, "required": ["kind"]},
                "then": {
                    "properties": {key: field_schema(f) for key, f in fields.items()},
                    "propertyNames": {
                        "enum": [*common, *fields, "funded_by"],
                    },
                    "required": [k for k, f in fields.items() if f.required],
                },
            }
        )
    return {
        "type": "object",
        "properties": {**common, "funded_by": funded_by},
        "required": [f.name for f in COMMON_LINE_FIELDS if f.required],
        "allOf": by_kind,
    }


def _actuals() -> dict[str, Any]:
    entry: dict[str, Any] = {
        "type": "object",
        "properties": {
            "receipts": _number(),
            "interest": _number(),
            "audit_costs": _number(),
            "spending": {
                "type": "object",
                "propertyNames": {"pattern": STRATEGY_KEY},
                "additionalProperties": _number(),
            },
            "referrals": {"anyOf": [_pathways(_number()), {"type": "null"}]},
            "enrolled": {"anyOf": [_number(), {"type": "null"}]},
            "reported_on": {"type": ["string", "null"], "pattern": DATE_TEXT},
        },
        "required": ["receipts", "spending"],
        "additionalProperties": False,
    }
    assert set(entry["properties"]) == set(ACTUALS_KEYS)  # noqa: S101 - in step with the reader
    return {
        "type": ["object", "null"],
        "propertyNames": {"pattern": FY_TEXT},
        "additionalProperties": entry,
    }


def _uncertainty() -> dict[str, Any]:
    triangle = {
        "type": "object",
        "properties": dict.fromkeys(TRIANGLE_KEYS, _number()),
        "required": list(TRIANGLE_KEYS),
        "additionalProperties": False,
    }
    properties: dict[str, Any] = {
        "draws": {"type": ["integer", "string"], "pattern": NUMBER_TEXT},
        "seed": {"type": ["integer", "string"], "pattern": NUMBER_TEXT},
    }
    properties.update(dict.fromkeys(VARIABLES, {"anyOf": [triangle, {"type": "null"}]}))
    assert set(properties) == set(SECTION_KEYS)  # noqa: S101
    return {"type": ["object", "null"], "properties": properties, "additionalProperties": False}


def plan_schema() -> dict[str, Any]:
    """`lead-plan/1`: every key the parser reads, with its type and limits."""
    program_sections = {name: _section(fields) for name, fields in PROGRAM_SECTIONS.items()}
    program = {
        "type": ["object", "null"],
        "properties": {
            **program_sections,
            "authorizations": {
                "type": ["array", "null"],
                "items": {
                    **_section(AUTHORIZATION_FIELDS),
                    "type": "object",
                },
            },
        },
        "additionalProperties": False,
    }
    participants = _section(
        tuple(PARTICIPANT_FIELDS.values()),
        {
            "referrals_per_year": _pathways(_number()),
            "enrollment_rate": _pathways(_number()),
            "ramp": {"type": ["array", "null"], "items": _number()},
        },
    )
    fund = _section(
        FUND_FIELDS,
        {
            "receipts": _fy_amounts(),
            STREAMS_KEY: {
                "type": ["object", "null"],
                "propertyNames": {"pattern": r"^[a-z0-9-]+$"},
                "additionalProperties": _fy_amounts(),
            },
        },
    )
    funding = {
        "type": ["object", "null"],
        "properties": {
            "sources": {
                "type": ["array", "null"],
                "items": {**_section(SOURCE_FIELDS), "type": "object"},
            }
        },
        "additionalProperties": False,
    }
    assert set(ENTRY_KEYS) == {"source", "share", "amounts"}  # noqa: S101
    settings = {name: field_schema(f) for name, f in SETTINGS_FIELDS.items()}
    return {
        "$schema": DRAFT,
        "$id": BASE + SCHEMA + ".json",
        "title": SCHEMA,
        "description": "A LEAD plan file (cost model §8): what `planner project` reads and "
        "the app writes. Numbers may be JSON numbers or their text; every key not listed "
        "is refused.",
        "type": "object",
        "properties": {
            "schema": {"const": SCHEMA},
            **settings,
            "jurisdiction": {
                "type": ["object", "null"],
                "properties": {
                    "name": {"type": ["string", "null"]},
                    "kind": {"enum": ["county", "municipality", None]},
                    "fips": {"type": ["string", "null"]},
                },
                "additionalProperties": False,
            },
            "assumptions": _section(ASSUMPTION_FIELDS),
            "fund": fund,
            "participants": participants,
            "program": program,
            "line_items": {"type": "array", "items": _line_item()},
            "actuals": _actuals(),
            "uncertainty": _uncertainty(),
            "funding": funding,
        },
        "required": ["schema", *(n for n, f in SETTINGS_FIELDS.items() if f.required)],
        "additionalProperties": False,
    }


# ---------------------------------------------------------------- the documents written


def _ints() -> dict[str, Any]:
    return {"type": "array", "items": {"type": "integer"}}


def _two_places() -> dict[str, Any]:
    return {"type": "array", "items": {"type": "string", "pattern": r"^-?[0-9]+\.[0-9]{2}$"}}


def _by(key: dict[str, Any] | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "additionalProperties": _ints()}
    if key is not None:
        schema["propertyNames"] = key
    return schema


def _closed(properties: dict[str, Any], optional: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": [k for k in properties if k not in optional],
        "additionalProperties": False,
    }


def projection_schema() -> dict[str, Any]:
    """`lead-projection/1` (§9): whole dollars by FY, in the order of `fiscal_years`."""
    strategy = {"pattern": STRATEGY_KEY}
    line = _closed(
        {
            "id": {"type": "string"},
            "label": {"type": ["string", "null"]},
            "kind": {"enum": list(REGISTRY)},
            "strategy": {"type": ["string", "null"]},
            "by_object_class": _by({"enum": list(OBJECT_CLASSES)}),
            "by_year": _ints(),
            "total": {"type": "integer"},
            "fte": _two_places(),
            "basis": {"type": "array", "items": {"type": "string"}},
            "by_source": _by(),
        }
    )
    actuals = _closed(
        {
            "closed_fys": _ints(),
            "planned_by_strategy": _by(strategy),
            "actual_by_strategy": _by(strategy),
            "variance_by_strategy": _by(strategy),
            "receipts": _closed({"planned": _ints(), "actual": _ints()}),
            "interest": _closed({"planned": _ints(), "actual": _ints()}),
            "audit_costs": _ints(),
        }
    )
    return {
        "$schema": DRAFT,
        "$id": BASE + PROJECTION_SCHEMA + ".json",
        "title": PROJECTION_SCHEMA,
        "description": "A plan's projection (cost model §9), as `planner project --json` "
        "prints it: whole dollars, FTE and participants to two places, each list in the "
        "order of `fiscal_years`.",
        **_closed(
            {
                "schema": {"const": PROJECTION_SCHEMA},
                "fiscal_years": _ints(),
                "labels": {
                    "type": "array",
                    "items": {"type": "string", "pattern": r"^FY[0-9]{4}-[0-9]{2}$"},
                },
                "line_items": {"type": "array", "items": line},
                "by_strategy": _by(strategy),
                "settlement_by_strategy": _by(strategy),
                "by_source": _by(),
                "by_object_class": _by({"enum": list(OBJECT_CLASSES)}),
                "totals": _closed(
                    {
                        "by_year": _ints(),
                        "total": {"type": "integer"},
                        "npv_spending": {"type": "integer"},
                        "npv_receipts": {"type": "integer"},
                        "fte_by_year": _two_places(),
                    }
                ),
                "participants": _closed(
                    {
                        "new_enrollees": _two_places(),
                        "avg_active": _two_places(),
                        "peak_active": _two_places(),
                        "participant_months": _two_places(),
                    }
                ),
                "fund": _closed(
                    {
                        "begin": _ints(),
                        "receipts": _ints(),
                        "interest": _ints(),
                        "spending": _ints(),
                        "closing": _ints(),
                        "first_deficit_fy": {"type": ["integer", "null"]},
                        "receipts_outside_plan": {
                            "type": "object",
                            "additionalProperties": {
                                "anyOf": [
                                    {"type": "integer"},
                                    {"type": "object", "additionalProperties": {"type": "integer"}},
                                ]
                            },
                        },
                        "receipts_by_stream": _by(),
                    },
                    optional=("receipts_by_stream",),
                ),
                "actuals": actuals,
            },
            optional=("actuals",),
        ),
    }


def compliance_schema() -> dict[str, Any]:
    """`lead-compliance/1`: each rule's result as of a date."""
    result = _closed(
        {
            "rule": {"type": "string"},
            "status": {"enum": ["pass", "warn", "fail", "info"]},
            "message": {"type": "string"},
            "fiscal_years": _ints(),
            "line_items": {"type": "array", "items": {"type": "string"}},
            "citation": {"type": "string"},
        }
    )
    return {
        "$schema": DRAFT,
        "$id": BASE + COMPLIANCE_SCHEMA + ".json",
        "title": COMPLIANCE_SCHEMA,
        "description": "The MOA and LEAD-fidelity checklist of a plan as of a date, as "
        "`planner check --json` prints it.",
        **_closed(
            {
                "schema": {"const": COMPLIANCE_SCHEMA},
                "as_of": {"type": "string", "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"},
                "results": {"type": "array", "items": result},
            }
        ),
    }


def _government() -> dict[str, Any]:
    return _closed(
        {
            "name": {"type": "string"},
            "kind": {"enum": ["county", "municipality"]},
            "fips": {"type": ["string", "null"]},
            "slug": {"type": "string"},
        }
    )


def annual_report_schema() -> dict[str, Any]:
    """`lead-annual-report/1`: the filed annual financial reports (MOA Exhibit E)."""
    date = {"type": "string", "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}
    report = _closed(
        {
            "fiscal_year": {"type": "integer"},
            "label": {"type": "string", "pattern": r"^FY[0-9]{4}-[0-9]{2}$"},
            "plan": {"type": "string"},
            "jurisdiction": {"type": ["string", "null"]},
            "lines": {
                "type": "array",
                "items": _closed(
                    {
                        "field": {"type": "string"},
                        "words": {"type": "string"},
                        "amount": {"type": "integer"},
                    }
                ),
            },
            "spent_by_strategy": {
                "type": "array",
                "items": _closed(
                    {
                        "code": {"type": "string", "pattern": STRATEGY_KEY},
                        "exhibit": {"enum": ["A", "B", None]},
                        "item": {"type": ["string", "null"]},
                        "title": {"type": "string"},
                        "listed": {"type": "boolean"},
                        "amount": {"type": "integer"},
                    }
                ),
            },
            "balanced": {"type": "boolean"},
            "due_on": date,
            "reported_on": {"anyOf": [date, {"type": "null"}]},
        }
    )
    return {
        "$schema": DRAFT,
        "$id": BASE + ANNUAL_REPORT_SCHEMA + ".json",
        "title": ANNUAL_REPORT_SCHEMA,
        "description": "A plan's annual financial reports (MOA Exhibit E) filed with the "
        "state, one per closed fiscal year, whole dollars.",
        **_closed(
            {
                "schema": {"const": ANNUAL_REPORT_SCHEMA},
                "jurisdiction": _government(),
                "plan": {"type": "string"},
                "reports": {"type": "array", "items": report},
            }
        ),
    }


def index_schema(documents: dict[str, str]) -> dict[str, Any]:
    """`lead-public-index/1`: every public plan, with its page and its documents' URLs."""
    date = {"type": "string", "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}
    url = {"type": "string", "format": "uri"}
    document = {
        kind: _closed({"url": url, "schema": {"const": schema}})
        for kind, schema in documents.items()
    }
    entry = _closed(
        {
            "jurisdiction": _government(),
            "plan_id": {"type": "integer"},
            "version": {"type": "integer"},
            "name": {"type": "string"},
            "adopted_on": {"anyOf": [date, {"type": "null"}]},
            "published_at": {"type": "string"},
            "as_of": date,
            "summary": _closed(
                {
                    "total": {"type": "integer"},
                    "npv_spending": {"type": "integer"},
                    "receipts": {"type": "integer"},
                    "closing_balance": {"type": "integer"},
                    "first_deficit_fy": {"type": ["integer", "null"]},
                    "first_fy": {"type": "integer"},
                    "last_fy": {"type": "integer"},
                    "checklist": {
                        "type": "object",
                        "additionalProperties": {"type": "integer"},
                    },
                }
            ),
            "page": url,
            "pdf": url,
            "documents": _closed(document),
        }
    )
    return {
        "$schema": DRAFT,
        "$id": BASE + INDEX_SCHEMA + ".json",
        "title": INDEX_SCHEMA,
        "description": "Every adopted plan its government has published, with the URLs of "
        "its page, its PDF and its JSON documents.",
        **_closed(
            {
                "schema": {"const": INDEX_SCHEMA},
                "plans": {"type": "array", "items": entry},
            }
        ),
    }


DOCUMENTS = {
    "plan": SCHEMA,
    "projection": PROJECTION_SCHEMA,
    "compliance": COMPLIANCE_SCHEMA,
    "annual-reports": ANNUAL_REPORT_SCHEMA,
}


def all_schemas() -> dict[str, dict[str, Any]]:
    """Each published schema by its name (`lead-plan/1`, …)."""
    return {
        SCHEMA: plan_schema(),
        PROJECTION_SCHEMA: projection_schema(),
        COMPLIANCE_SCHEMA: compliance_schema(),
        ANNUAL_REPORT_SCHEMA: annual_report_schema(),
        INDEX_SCHEMA: index_schema(DOCUMENTS),
    }
