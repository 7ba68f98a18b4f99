"""Sign-in ceilings across client addresses (review L5): per account tried and for the whole
site, answered 429 before any password is checked; a browser that signed in before (its
device cookie) is not kept out by a flood from elsewhere. And passwords built of the
context (a government's name, the site's name, the email, a season and a year) are
refused (review L9), on the web and in the service."""

from __future__ import annotations

import pytest

from planner.extensions import db
from planner.services.accounts import AccountError, create_user, password_problem
from tests.test_sessions import post_sign_in
from tests.web import EDITOR, PASSWORD, sign_in, token


def at(address: str) -> dict:
    return {"environ_base": {"REMOTE_ADDR": address}}


def test_one_account_tried_from_many_addresses_is_limited(app):
    app.config["LOGIN_ACCOUNT_RATE_LIMIT"] = "3 per minute"
    client = app.test_client()
    for number in range(3):
        answer = post_sign_in(client, EDITOR, "a wrong guess", **at(f"192.0.2.{number + 1}"))
        assert answer.status_code == 401
    limited = post_sign_in(client, " Editor@Orange.example ", "a wrong guess", **at("192.0.2.9"))
    assert limited.status_code == 429  # the same account, however it is spelled
    other = post_sign_in(client, "nobody@x.example", "a wrong guess", **at("192.0.2.9"))
    assert other.status_code == 401  # another account from that address goes on


def test_the_whole_site_has_a_ceiling_on_sign_in_posts(app):
    app.config["LOGIN_GLOBAL_RATE_LIMIT"] = "4 per minute"
    client = app.test_client()
    for number in range(4):
        answer = post_sign_in(
            client, f"nobody{number}@x.example", "a wrong guess", **at(f"198.51.100.{number}")
        )
        assert answer.status_code == 401
    limited = post_sign_in(client, "someone@x.example", "a wrong guess", **at("198.51.100.99"))
    assert limited.status_code == 429
    assert client.get("/sign-in").status_code == 200  # only the posts are limited


def test_a_browser_that_signed_in_before_is_not_kept_out_by_a_flood(app):
    owner = app.test_client()
    sign_in(owner, EDITOR)  # gets its device cookie
    owner.post("/sign-out", data={"csrf_token": token(owner, "/account/password")})
    app.config["LOGIN_GLOBAL_RATE_LIMIT"] = "2 per minute"
    app.config["LOGIN_ACCOUNT_RATE_LIMIT"] = "2 per minute"
    stranger = app.test_client()
    for number in range(3):
        post_sign_in(stranger, f"nobody{number}@x.example", "a wrong guess", **at("203.0.113.5"))
    assert post_sign_in(stranger, EDITOR, PASSWORD, **at("203.0.113.6")).status_code == 429
    assert post_sign_in(owner, EDITOR, PASSWORD).status_code == 302


@pytest.mark.parametrize(
    "password",
    [
        "OrangeCounty2026",
        "Summer2026!!",
        "LEADprogram2026",
        "Winter2027Durham",
        "durham-county-2025",
        "CityOfDurham2026!",
        "November2026Planner",
        "jane.doe2026!!",
    ],
)
def test_passwords_built_of_the_context_are_refused(password):
    assert password_problem(password, "jane.doe@county.example") is not None


@pytest.mark.parametrize(
    "password",
    ["correct horse battery", "kettle umbrella 1987 quietly", "orange giraffe umbrella 77"],
)
def test_passphrases_with_a_context_word_among_others_are_accepted(password):
    assert password_problem(password, "jane.doe@county.example") is None


def test_a_context_password_is_refused_beside_the_field(app, client):
    sign_in(client, EDITOR)
    url = "/account/password"
    response = client.post(
        url,
        data={
            "csrf_token": token(client, url),
            "current": PASSWORD,
            "new": "OrangeCounty2026",
            "confirm": "OrangeCounty2026",
        },
    )
    assert response.status_code == 422
    sign_in(app.test_client(), EDITOR)  # the password is unchanged


def test_an_email_longer_than_the_column_is_refused_with_a_message(app):
    with app.app_context():
        with pytest.raises(AccountError):
            create_user(db.session, "a" * 300 + "@county.example", "kettle umbrella quietly")
        db.session.rollback()
