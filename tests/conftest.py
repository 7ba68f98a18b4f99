import pytest

from planner.cost_tables import default_cost_tables


@pytest.fixture(scope="session")
def tables():
    return default_cost_tables()
