"""Production hashes passwords at full cost; only the tests' own accounts are cheaper.

tests/conftest.py lowers scrypt's N for the test accounts so that a sign-in does not cost a
test a fraction of a second; this checks the parameters the app has without that: the
module's value as it was before the tests lowered it (`SHIPPED_PASSWORD_HASH_METHOD`, read
from the imported module; nothing else sets it), and a hash made with it."""

from __future__ import annotations

from werkzeug.security import check_password_hash

from planner.services import accounts
from tests import conftest


def test_the_app_as_shipped_hashes_with_scrypt_at_full_cost(monkeypatch):
    shipped = conftest.SHIPPED_PASSWORD_HASH_METHOD
    assert shipped == "scrypt:32768:8:1"  # N = 2^15, r = 8, p = 1
    monkeypatch.setattr(accounts, "PASSWORD_HASH_METHOD", shipped)
    hashed = accounts.hash_password("a long passphrase")
    assert hashed.startswith("scrypt:32768:8:1$")
    assert check_password_hash(hashed, "a long passphrase")


def test_the_tests_lower_only_the_work_factor():
    assert accounts.PASSWORD_HASH_METHOD == conftest.TEST_PASSWORD_HASH_METHOD
    assert accounts.PASSWORD_HASH_METHOD.startswith("scrypt:")
    assert accounts.hash_password("x").startswith(accounts.PASSWORD_HASH_METHOD + "$")
