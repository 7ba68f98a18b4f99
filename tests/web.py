"""Helpers for driving the app as a person would: pages, forms with CSRF tokens."""

from __future__ import annotations

import re
from html import unescape

PASSWORD = "correct horse battery"  # noqa: S105 - test accounts only
EDITOR = "editor@orange.example"
VIEWER = "viewer@orange.example"
OTHER = "editor@durham.example"
ADMIN = "admin@planner.example"

_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def token(client, url: str) -> str:
    page = client.get(url)
    assert page.status_code == 200, (url, page.status_code)
    found = _TOKEN.search(page.get_data(as_text=True))
    assert found, f"no CSRF token on {url}"
    return found.group(1)


def sign_in(client, email: str, password: str = PASSWORD):
    response = client.post(
        "/sign-in",
        data={"email": email, "password": password, "csrf_token": token(client, "/sign-in")},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


def text(response) -> str:
    """The page's text with tags removed and entities decoded (for reading numbers)."""
    body = response.get_data(as_text=True)
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", body, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", body)))


def form_values(html: str) -> dict[str, str]:
    """The current values of a page's form inputs (for posting a form back unchanged)."""
    values: dict[str, str] = {}
    for tag in re.findall(r"<input[^>]*>", html):
        name = re.search(r'name="([^"]+)"', tag)
        if not name:
            continue
        kind = re.search(r'type="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if kind and kind.group(1) == "checkbox":
            if "checked" in tag:
                values[name.group(1)] = "y"
            continue
        values[name.group(1)] = unescape(value.group(1)) if value else ""
    for name, body in re.findall(
        r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', html, flags=re.S
    ):
        values[name] = unescape(body).lstrip("\n")
    for name, body in re.findall(
        r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, flags=re.S
    ):
        chosen = (
            re.search(r'<option[^>]*selected[^>]*value="([^"]*)"', body)
            or re.search(r'<option[^>]*value="([^"]*)"[^>]*selected', body)
            or re.search(r'<option[^>]*value="([^"]*)"', body)
        )  # a browser sends the first option
        values[name] = unescape(chosen.group(1)) if chosen else ""
    return values
