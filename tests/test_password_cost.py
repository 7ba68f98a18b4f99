"""Production hashes passwords at full cost; only the tests' own accounts are cheaper.

tests/conftest.py lowers scrypt's N for the test accounts so that a sign-in does not cost a
test a fraction of a second; this checks the parameters the app has without that."""

from __future__ import annotations

import subprocess
import sys

from werkzeug.security import check_password_hash

from planner.services import accounts


def test_the_app_as_shipped_hashes_with_scrypt_at_full_cost():
    script = (
        "from planner.services.accounts import hash_password, PASSWORD_HASH_METHOD;"
        "print(PASSWORD_HASH_METHOD); print(hash_password('a long passphrase'))"
    )
    done = subprocess.run(  # noqa: S603 - our own script
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    method, hashed = done.stdout.split()
    assert method == "scrypt:32768:8:1"  # N = 2^15, r = 8, p = 1
    assert hashed.startswith("scrypt:32768:8:1$")
    assert check_password_hash(hashed, "a long passphrase")


def test_the_tests_lower_only_the_work_factor():
    assert accounts.PASSWORD_HASH_METHOD.startswith("scrypt:")
    assert accounts.hash_password("x").startswith(accounts.PASSWORD_HASH_METHOD + "$")
