"""What a finance office types in a form — "$1,200,000", "2.5%", "08/16/2021" — is read as the
plan file writes it; anything else gets the plan file's own error."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner.scenarios.parse import ASSUMPTION_FIELDS, FUND_FIELDS
from planner.scenarios.typed_input import canonical, share_of_percent
from tests.test_web_editor import base, plan_id, post_form, stored
from tests.web import EDITOR, sign_in

FUND = {f.name: f for f in FUND_FIELDS}
ASSUMPTIONS = {f.name: f for f in ASSUMPTION_FIELDS}


@pytest.mark.parametrize(
    ("field", "typed", "stored_as"),
    [
        (FUND["opening_balance"], "$1,200,000", "1200000"),
        (FUND["opening_balance"], " $ 1,200,000.50 ", "1200000.50"),
        (FUND["opening_balance"], "1200000", "1200000"),
        (FUND["interest_rate"], "2.5%", "0.025"),  # 2.5 / 100, exactly
        (FUND["interest_rate"], "-0.5 %", "-0.005"),
        (FUND["interest_rate"], "0.025", "0.025"),
        (ASSUMPTIONS["salary_escalation"], "3%", "0.03"),
        (FUND["moa_executed_on"], "08/16/2021", "2021-08-16"),
        (FUND["moa_executed_on"], "8/6/2021", "2021-08-06"),
        (FUND["moa_executed_on"], "2021-08-16", "2021-08-16"),
        (ASSUMPTIONS["productive_hours_per_fte"], "1,800", "1800"),
    ],
)
def test_typed_values_by_hand(field, typed, stored_as) -> None:
    assert canonical(field, typed) == stored_as


@pytest.mark.parametrize(
    ("field", "typed"),
    [
        (FUND["opening_balance"], "1,20,000"),  # not grouped by thousands: left to the check
        (FUND["opening_balance"], "$1.200.000"),
        (FUND["opening_balance"], "12%"),  # a percent is no amount of money
        (ASSUMPTIONS["productive_hours_per_fte"], "$1,800"),  # nor are hours dollars
        (FUND["moa_executed_on"], "16 Aug 2021"),
        (FUND["interest_rate"], "2.5%%"),
        (FUND["opening_balance"], "9" * 100),  # longer than a number is typed: unread
    ],
)
def test_other_text_is_left_to_the_plan_files_check(field, typed) -> None:
    assert canonical(field, typed) == typed.strip()


@given(st.decimals(min_value=0, max_value=10**11, places=2))
def test_money_written_with_dollar_sign_and_commas_reads_back_exactly(amount: Decimal) -> None:
    typed = f"${amount:,.2f}"
    assert Decimal(canonical(FUND["opening_balance"], typed)) == amount


@given(st.decimals(min_value=0, max_value=100, places=4))
def test_a_percent_is_the_rate_over_100_exactly(percent: Decimal) -> None:
    assert Decimal(canonical(FUND["interest_rate"], f"{percent}%")) == percent / 100


def test_the_fund_form_takes_what_a_finance_office_types(app, client) -> None:
    sign_in(client, EDITOR)
    response = post_form(
        client,
        base(app) + "/edit/fund",
        {"opening_balance": "$1,200,000", "interest_rate": "2.5%", "moa_executed_on": "08/16/2021"},
    )
    assert response.status_code == 302
    fund = stored(app, plan_id(app))[2].fund
    assert fund.opening_balance == Decimal("1200000")
    assert fund.interest_rate == Decimal("0.025")
    assert str(fund.moa_executed_on) == "2021-08-16"
    # shown back as stored
    page = client.get(base(app) + "/edit/fund").get_data(as_text=True)
    assert 'value="0.025"' in page
    assert 'value="2021-08-16"' in page


def test_a_wrong_typed_value_is_kept_beside_its_field(app, client) -> None:
    sign_in(client, EDITOR)
    document, version, _ = stored(app, plan_id(app))
    response = post_form(client, base(app) + "/edit/fund", {"opening_balance": "$1.200.000"})
    assert response.status_code == 422
    assert 'value="$1.200.000"' in response.get_data(as_text=True)
    assert stored(app, plan_id(app))[:2] == (document, version)


def test_a_partners_percentage_is_its_share_exactly() -> None:
    # 25 % of a line is a share of 0.25; 12.5 % is 0.125 (exact: a decimal shift, no float)
    assert share_of_percent("25") == Decimal("0.25")
    assert share_of_percent(" 12.5 % ") == Decimal("0.125")
    assert share_of_percent("100") == 1
    for refused in ("0", "-5", "100.01", "a quarter", "", "1e999999999", "NaN", "9" * 100):
        assert share_of_percent(refused) is None, refused
