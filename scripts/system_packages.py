#!/usr/bin/env python3
"""The Debian packages planner needs, from scripts/system-packages.txt: check them, or
install the missing ones.

    python3 scripts/system_packages.py check   run test     # list what is missing (exit 1)
    python3 scripts/system_packages.py install run test ci  # install it, or say how

`install` runs `apt-get update` once and then `apt-get install` for the missing packages
when it runs as root on a machine with apt-get; otherwise it stops at once (exit 1) and
prints the exact command to run. Set PLANNER_SKIP_SYSTEM_PACKAGES=1 to skip the check on a
machine that provides the same libraries some other way (it then only prints a note).

Standard library only: it runs before the virtual environment exists.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

LIST = Path(__file__).with_name("system-packages.txt")
DPKG_STATUS = Path("/var/lib/dpkg/status")
GROUPS = ("run", "test", "ci")


@dataclass(frozen=True)
class Package:
    name: str
    groups: frozenset[str]
    command: str | None  # present if this command is on PATH, however it was installed
    reason: str


def read_list(path: Path = LIST) -> list[Package]:
    """The packages of the list file; a malformed line stops with its line number."""
    packages: list[Package] = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        fields = line.split(None, 2)
        if len(fields) < 3:
            raise ValueError(f"{path.name}:{number}: expected NAME GROUPS REASON")
        name, groups_text, rest = fields
        groups = frozenset(groups_text.split(","))
        if not groups <= set(GROUPS):
            raise ValueError(f"{path.name}:{number}: unknown group in {groups_text!r}")
        command = None
        if rest.startswith("cmd="):
            command, _, rest = rest.partition(" ")
            command = command.removeprefix("cmd=")
        packages.append(Package(name, groups, command, rest.strip()))
    names = [package.name for package in packages]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ValueError(f"{path.name}: listed twice: {', '.join(duplicates)}")
    return packages


def installed_packages(status: Path = DPKG_STATUS) -> set[str]:
    """Names of the packages dpkg's status file says are installed ("install ok installed";
    a package removed with its configuration kept is not)."""
    names: set[str] = set()
    for stanza in status.read_text(encoding="utf-8", errors="replace").split("\n\n"):
        fields = {}
        for line in stanza.splitlines():
            key, sep, value = line.partition(":")
            if sep and not line.startswith((" ", "\t")):
                fields[key] = value.strip()
        if fields.get("Status", "").endswith(" installed") and "Package" in fields:
            names.add(fields["Package"])
    return names


def missing(
    packages: Iterable[Package],
    groups: Iterable[str],
    installed: set[str],
    which: Callable[[str], str | None] = shutil.which,
) -> list[Package]:
    """The packages of these groups that are neither installed nor provided by a command."""
    wanted = set(groups)
    return [
        package
        for package in packages
        if package.groups & wanted
        and package.name not in installed
        and not (package.command and which(package.command))
    ]


def apt_commands(names: Sequence[str]) -> list[list[str]]:
    return [["apt-get", "update", "-q"], ["apt-get", "install", "-y", "-q", *names]]


def manual_command(names: Sequence[str]) -> str:
    return "sudo apt-get update && sudo apt-get install -y " + " ".join(names)


def install(
    names: Sequence[str],
    *,
    root: bool,
    have_apt: bool,
    run: Callable[..., object] = subprocess.run,
    out=sys.stdout,
) -> int:
    """Install the packages with apt-get when we can, else print the command and fail."""
    if not names:
        return 0
    if not (root and have_apt):
        why = "not root" if have_apt else "no apt-get on this machine"
        print(
            f"Missing system packages ({why}): {' '.join(names)}\n"
            f"Run:\n    {manual_command(names)}\n"
            "(or set PLANNER_SKIP_SYSTEM_PACKAGES=1 if this machine provides them "
            "some other way)",
            file=out,
        )
        return 1
    print(f"Installing system packages: {' '.join(names)}", file=out, flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in apt_commands(names):
        run(command, check=True, env=env)
    return 0


def main(argv: Sequence[str] | None = None, *, out=sys.stdout) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mode", choices=["check", "install", "list"])
    parser.add_argument("groups", nargs="+", choices=GROUPS)
    parser.add_argument(
        "--status", type=Path, default=DPKG_STATUS, help="dpkg's status file (for tests)"
    )
    args = parser.parse_args(argv)
    packages = read_list()
    if args.mode == "list":
        for package in packages:
            if package.groups & set(args.groups):
                print(package.name, file=out)
        return 0
    if os.environ.get("PLANNER_SKIP_SYSTEM_PACKAGES"):
        print(
            "PLANNER_SKIP_SYSTEM_PACKAGES is set: not checking the system packages "
            f"({', '.join(args.groups)})",
            file=out,
        )
        return 0
    if not args.status.exists():
        names = [p.name for p in packages if p.groups & set(args.groups)]
        print(
            f"No dpkg status file ({args.status}): this is not a Debian-like machine. "
            f"Install the equivalents of: {' '.join(names)}\n"
            "then set PLANNER_SKIP_SYSTEM_PACKAGES=1.",
            file=out,
        )
        return 1
    absent = [
        package.name for package in missing(packages, args.groups, installed_packages(args.status))
    ]
    if not absent:
        count = sum(1 for package in packages if package.groups & set(args.groups))
        print(f"System packages ({', '.join(args.groups)}): all {count} present.", file=out)
        return 0
    if args.mode == "check":
        for name in absent:
            print(f"missing: {name}", file=out)
        return 1 if absent else 0
    return install(
        absent, root=os.geteuid() == 0, have_apt=shutil.which("apt-get") is not None, out=out
    )


if __name__ == "__main__":
    sys.exit(main())
