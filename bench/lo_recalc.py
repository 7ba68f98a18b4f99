"""LibreOffice recalculating a workbook, for `engine_bench.py`'s spreadsheet anchor.

Run with the system Python (LibreOffice's `uno` module), by the bench:

    python3 bench/lo_recalc.py WORKBOOK.xlsx

It starts a headless soffice of its own (a private profile, a named pipe: no network port),
loads the workbook once, prints `ready`, then answers each line `N` on stdin with one JSON
line: N timings of `calculateAll()` (every formula cell recomputed), each as the wall time
and the CPU time soffice spent (the sum over its threads of /proc's schedstat, nanoseconds).
An empty line or end of input stops soffice (by its PID) and exits.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import uno  # type: ignore[import-not-found]
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]


def prop(name: str, value: object) -> PropertyValue:
    found = PropertyValue()
    found.Name, found.Value = name, value
    return found


def descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                parent = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
            children.setdefault(parent, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def cpu_ns(pids: list[int]) -> int:
    """CPU time of every thread of these processes (schedstat: ns on a CPU)."""
    total = 0
    for pid in pids:
        try:
            tasks = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                total += int(Path(f"/proc/{pid}/task/{task}/schedstat").read_text().split()[0])
            except OSError:
                continue
    return total


def main() -> None:
    book = Path(sys.argv[1]).resolve()
    pipe = f"planner_bench_{os.getpid()}"
    profile = Path(tempfile.mkdtemp(prefix="planner_bench_lo_"))
    office = subprocess.Popen(  # noqa: S603 - a fixed program and arguments
        [
            shutil.which("soffice") or "soffice",
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--nologo",
            "--nodefault",
            f"--accept=pipe,name={pipe};urp;",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext(
            "com.sun.star.bridge.UnoUrlResolver", local
        )
        ctx = None
        for _ in range(400):
            try:
                ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
                break
            except Exception:  # noqa: BLE001 - not up yet
                time.sleep(0.1)
        if ctx is None:
            raise SystemExit("LibreOffice did not start")
        desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        doc = desktop.loadComponentFromURL(book.as_uri(), "_blank", 0, (prop("Hidden", True),))
        pids = descendants(office.pid)
        for _ in range(3):  # warm up
            doc.calculateAll()
        print("ready", flush=True)
        for line in sys.stdin:
            if not line.strip():
                break
            samples = []
            for _ in range(int(line)):
                c0, w0 = cpu_ns(pids), time.perf_counter()
                doc.calculateAll()
                w1, c1 = time.perf_counter(), cpu_ns(pids)
                samples.append({"wall": w1 - w0, "cpu": (c1 - c0) / 1e9})
            print(json.dumps(samples), flush=True)
        doc.close(True)
    finally:
        office.terminate()
        try:
            office.wait(timeout=20)
        except subprocess.TimeoutExpired:
            office.kill()
            office.wait()
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    main()
