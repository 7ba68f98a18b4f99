"""`make test-fast` leaves out a test module whose `pytestmark` deselects every test of it
(tests/conftest.py, `pytest_ignore_collect`): only when no test of it could be selected."""

from __future__ import annotations

import pytest

from tests.conftest import _could_select

FAST = "not browser and not web and not postgres and not fuzz and not slow"


@pytest.mark.parametrize(
    ("expression", "marks", "selects"),
    [
        (FAST, {"web"}, False),  # test-fast: a web-only module is not imported
        (FAST, {"browser", "skipif"}, False),
        (FAST, {"weasyprint"}, True),  # a mark test-fast does not exclude
        ("web and postgres", {"web"}, True),  # the conftest adds `postgres` to some web tests
        ("not web or slow", {"web"}, True),  # a web test that is also slow
        ("web", {"web"}, True),
        ("((", {"web"}, True),  # an expression it cannot read: collected, as before
    ],
)
def test_a_module_is_left_out_only_when_none_of_its_tests_could_be_selected(
    expression, marks, selects
):
    assert _could_select(expression, marks) is selects
