"""Write the published JSON Schemas (planner/scenarios/schemas.py) under schemas/.

    .venv/bin/python scripts/write_schemas.py

tests/test_public_schemas.py fails when the files are not what the module builds."""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from planner.scenarios.schemas import all_schemas  # noqa: E402


def schema_text(schema: dict) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def main() -> None:
    for name, schema in all_schemas().items():
        kind, version = name.split("/")
        path = ROOT / "schemas" / kind / f"{version}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(schema_text(schema), encoding="utf-8")
        print(path.relative_to(ROOT))


if __name__ == "__main__":
    main()
