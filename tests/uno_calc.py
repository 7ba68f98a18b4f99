"""Drive one headless LibreOffice through its UNO API: load a workbook once, change some of
its cells, recalculate, read the results, put the cells back, and again.

Run under the system Python that has Debian's python3-uno (`/usr/bin/python3`, not the
project's virtual environment): `python3 tests/uno_calc.py PROFILE_DIR`. It reads one JSON
request a line on stdin and writes one JSON answer a line on stdout:

    {"op": "sweep", "path": "/abs/book.xlsx", "sheets": ["Projection", ...],
     "cases": [{"Inputs!B5": 12.5, "Inputs!B9": "gap", "Inputs!B11": true}, ...]}
    -> {"ok": true, "results": [{"Projection": [[...], ...], ...}, ...]}

Per workbook, LibreOffice recalculates everything once (calculateAll); per case, what follows
the changed cells (calculate; `"all": true` in the request: calculateAll every time).
Each case starts from the workbook as loaded: its changes are undone (formulas, numbers,
text and blanks as they were) before the next. A case `{}` reads the workbook unchanged.
An empty cell is read as null (and so is a formula's error: getDataArray tells them not
apart). End with EOF or {"op": "quit"}; the LibreOffice process it started ends with it.

The test (tests/test_workbook_recalc.py) starts it once per test session, so a change costs
tens of milliseconds instead of the seconds of a `soffice --convert-to` run per workbook.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import uno  # type: ignore[import-not-found]  # Debian's python3-uno
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]
from com.sun.star.connection import NoConnectException  # type: ignore[import-not-found]
from com.sun.star.table.CellContentType import (  # type: ignore[import-not-found]
    EMPTY,
    FORMULA,
    TEXT,
)


def prop(name: str, value: Any) -> Any:
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


class Office:
    """One LibreOffice process, reached through a named pipe."""

    def __init__(self, profile: Path):
        pipe = f"planner_uno_{os.getpid()}"
        profile.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(  # noqa: S603 - the LibreOffice on PATH
            [
                shutil.which("soffice") or "soffice",
                f"-env:UserInstallation={profile.resolve().as_uri()}",
                "--headless",
                "--invisible",
                "--norestore",
                "--nologo",
                "--nodefault",
                f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext(
            "com.sun.star.bridge.UnoUrlResolver", local
        )
        deadline = time.monotonic() + 120
        while True:
            try:
                context = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
                break
            except NoConnectException:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise
                time.sleep(0.1)
        self.desktop = context.ServiceManager.createInstanceWithContext(
            "com.sun.star.frame.Desktop", context
        )

    def close(self) -> None:
        try:
            self.desktop.terminate()
        except Exception:  # noqa: BLE001, S110 - the bridge goes down with the process
            pass
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def used_area(sheet: Any) -> Any:
    """The sheet's cells from A1 to the last one used (a change of values keeps it)."""
    cursor = sheet.createCursor()
    cursor.gotoEndOfUsedArea(False)
    end = cursor.getRangeAddress()
    return sheet.getCellRangeByPosition(0, 0, end.EndColumn, end.EndRow)


def read(area: Any) -> list[list[Any]]:
    """Numbers and text of an area, None for an empty cell. A formula's error reads as
    None too (getDataArray gives '' for both): the test finds no number where it wants one."""
    return [[None if value == "" else value for value in row] for row in area.getDataArray()]


def put(cell: Any, value: Any) -> None:
    if value is None:
        cell.setFormula("")
    elif isinstance(value, bool):
        cell.setValue(1.0 if value else 0.0)
    elif isinstance(value, int | float):
        cell.setValue(float(value))
    else:
        cell.setString(str(value))


def saved(cell: Any) -> tuple[str, Any]:
    kind = cell.getType()
    if kind == FORMULA:
        return "formula", cell.getFormula()
    if kind == TEXT:
        return "text", cell.getString()
    if kind == EMPTY:
        return "empty", None
    return "value", cell.getValue()


def restore(cell: Any, state: tuple[str, Any]) -> None:
    kind, value = state
    if kind == "formula":
        cell.setFormula(value)
    elif kind == "text":
        cell.setString(value)
    elif kind == "empty":
        cell.setFormula("")
    else:
        cell.setValue(value)


def sweep(office: Office, request: dict[str, Any]) -> list[dict[str, Any]]:
    url = Path(request["path"]).resolve().as_uri()
    doc = office.desktop.loadComponentFromURL(url, "_blank", 0, (prop("Hidden", True),))
    try:
        sheets = doc.getSheets()
        areas = {
            n: used_area(sheets.getByName(n)) for n in request["sheets"] if sheets.hasByName(n)
        }
        doc.calculateAll()  # LibreOffice's own values in place of those the file stores
        results = []
        for case in request["cases"]:
            cells = {}
            for ref, value in case.items():
                name, _, address = ref.partition("!")
                cell = sheets.getByName(name).getCellRangeByName(address)
                cells[ref] = (cell, saved(cell))
                put(cell, value)
            if request.get("all"):
                doc.calculateAll()
            else:
                doc.calculate()  # the cells that follow a changed one
            results.append({n: read(area) for n, area in areas.items()})
            for cell, state in cells.values():
                restore(cell, state)
        return results
    finally:
        doc.close(True)


def main() -> int:
    office = Office(Path(sys.argv[1]))
    try:
        for line in sys.stdin:
            request = json.loads(line)
            if request.get("op") == "quit":
                break
            try:
                answer = {"ok": True, "results": sweep(office, request)}
            except Exception as error:  # noqa: BLE001 - reported to the test, which fails
                answer = {"ok": False, "error": f"{type(error).__name__}: {error}"}
            sys.stdout.write(json.dumps(answer) + "\n")
            sys.stdout.flush()
    finally:
        office.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
