"""scripts/system_packages.py against its list, scripts/system-packages.txt: the list
parses, it names every library WeasyPrint loads and every program the tests run, and the
check reports exactly the missing packages from a dpkg status file."""

from __future__ import annotations

import importlib.util
import io
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location(
    "system_packages", ROOT / "scripts" / "system_packages.py"
)
system_packages = importlib.util.module_from_spec(_spec)
sys.modules["system_packages"] = system_packages
_spec.loader.exec_module(system_packages)

PACKAGES = system_packages.read_list()
BY_NAME = {package.name: package for package in PACKAGES}

# The Debian (bookworm) package of each library WeasyPrint opens with ffi.dlopen.
WEASYPRINT_LIBRARIES = {
    "libgobject-2.0-0": "libglib2.0-0",
    "libpango-1.0-0": "libpango-1.0-0",
    "libharfbuzz-0": "libharfbuzz0b",
    "libharfbuzz-subset-0": "libharfbuzz-subset0",
    "libfontconfig-1": "libfontconfig1",
    "libpangoft2-1.0-0": "libpangoft2-1.0-0",
}
# Optional libraries WeasyPrint opens without a warning when they are absent.
WEASYPRINT_OPTIONAL = {"libharfbuzz-vector-0"}


def status_file(tmp_path, installed, config_only=()):
    stanzas = [f"Package: {name}\nStatus: install ok installed\nVersion: 1\n" for name in installed]
    stanzas += [
        f"Package: {name}\nStatus: deinstall ok config-files\nVersion: 1\n" for name in config_only
    ]
    path = tmp_path / "status"
    path.write_text("\n".join(stanzas))
    return path


def test_the_list_parses_into_known_groups():
    assert PACKAGES, "the list is empty"
    for package in PACKAGES:
        assert package.groups <= set(system_packages.GROUPS), package
        assert package.reason, f"{package.name} says what it is for"
    assert BY_NAME["npm"].command == "npm"


def test_every_library_weasyprint_loads_is_a_run_package():
    # WeasyPrint's source, read without importing it (its import opens the libraries)
    package = importlib.util.find_spec("weasyprint")
    assert package is not None
    assert package.submodule_search_locations
    source = Path(package.submodule_search_locations[0], "text", "ffi.py").read_text()
    opened = set(re.findall(r"_dlopen\(\s*ffi, '([^']+)'", source))
    assert opened, "could not read WeasyPrint's library names"
    assert opened - WEASYPRINT_OPTIONAL == set(WEASYPRINT_LIBRARIES), (
        "WeasyPrint loads a different set of libraries: update the list and this table"
    )
    for package in WEASYPRINT_LIBRARIES.values():
        assert "run" in BY_NAME[package].groups, package


def test_the_programs_the_tests_run_are_test_packages():
    from tests.test_browser import CHROMIUM

    assert CHROMIUM == "/usr/bin/chromium"
    for name in ("chromium", "poppler-utils", "npm", "libreoffice-calc-nogui"):
        assert "test" in BY_NAME[name].groups, name
    assert "ci" in BY_NAME["postgresql"].groups
    assert "fonts-dejavu-core" in [p.name for p in PACKAGES if "run" in p.groups]


def test_check_reports_each_missing_package(tmp_path):
    run_names = [p.name for p in PACKAGES if "run" in p.groups]
    test_names = [p.name for p in PACKAGES if "test" in p.groups]
    # Everything for `run` installed but libharfbuzz-subset0, which was removed with its
    # configuration kept; of `test`, only chromium.
    present = [name for name in run_names if name != "libharfbuzz-subset0"] + ["chromium"]
    status = status_file(tmp_path, present, config_only=["libharfbuzz-subset0"])
    out = io.StringIO()
    code = system_packages.main(["check", "run", "test", "--status", str(status)], out=out)
    reported = re.findall(r"^missing: (\S+)$", out.getvalue(), flags=re.M)
    expected = ["libharfbuzz-subset0"] + [n for n in test_names if n != "chromium"]
    # npm and LibreOffice count as present when their command is on PATH (a Node.js or a
    # LibreOffice installed some other way).
    for package in PACKAGES:
        if (
            "test" in package.groups
            and package.command
            and system_packages.shutil.which(package.command)
        ):
            expected.remove(package.name)
    assert code == 1
    assert reported == expected


def test_check_passes_when_everything_is_installed(tmp_path):
    status = status_file(tmp_path, [p.name for p in PACKAGES])
    out = io.StringIO()
    assert (
        system_packages.main(["check", "run", "test", "ci", "--status", str(status)], out=out) == 0
    )
    assert "missing" not in out.getvalue()


def test_a_command_on_path_stands_for_its_package():
    npm = BY_NAME["npm"]
    assert system_packages.missing([npm], ["test"], set(), which=lambda c: None) == [npm]
    assert system_packages.missing([npm], ["test"], set(), which=lambda c: "/usr/bin/npm") == []
    assert system_packages.missing([npm], ["run"], set(), which=lambda c: None) == []


def test_as_root_it_updates_once_then_installs_the_missing_ones():
    calls = []
    out = io.StringIO()
    code = system_packages.install(
        ["chromium", "poppler-utils"],
        root=True,
        have_apt=True,
        run=lambda command, **_: calls.append(command),
        out=out,
    )
    assert code == 0
    assert calls == [
        ["apt-get", "update", "-q"],
        ["apt-get", "install", "-y", "-q", "chromium", "poppler-utils"],
    ]


@pytest.mark.parametrize(("root", "have_apt"), [(False, True), (True, False)])
def test_otherwise_it_stops_at_once_with_the_exact_command(root, have_apt):
    calls = []
    out = io.StringIO()
    code = system_packages.install(
        ["libharfbuzz-subset0"],
        root=root,
        have_apt=have_apt,
        run=lambda command, **_: calls.append(command),
        out=out,
    )
    assert code == 1
    assert calls == []
    assert "sudo apt-get update && sudo apt-get install -y libharfbuzz-subset0" in out.getvalue()


def test_nothing_missing_runs_nothing():
    calls = []
    assert (
        system_packages.install(
            [], root=True, have_apt=True, run=lambda command, **_: calls.append(command)
        )
        == 0
    )
    assert calls == []


def test_a_malformed_line_names_its_line(tmp_path):
    path = tmp_path / "list.txt"
    path.write_text("# comment\nchromium test the browser\nfoo prod something\n")
    with pytest.raises(ValueError, match=r"list.txt:3: unknown group"):
        system_packages.read_list(path)
    path.write_text("chromium test the browser\nchromium run again\n")
    with pytest.raises(ValueError, match="listed twice: chromium"):
        system_packages.read_list(path)
