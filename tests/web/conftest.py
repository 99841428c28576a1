"""Page-test fixtures: the whole app (SQLite and PostgreSQL), and helpers to act as a browser."""

from __future__ import annotations

import re

import pytest

from tests.app_kit import PASSWORD, Api
from tests.login_form import post_login

CSRF = re.compile(r'name="csrf" value="([0-9a-f]+)"')


@pytest.fixture()
def web(api: Api) -> Api:
    """The app, with the English interface by default."""
    api.client.cookies.set("dalel_lang", "en")
    return api


def sign_in(app_api: Api, name: str, **extra: str) -> str:
    """Sign `name` in through the form; returns a CSRF token of the new session."""
    client = app_api.client
    client.cookies.delete("dalel_session")
    response = post_login(client, {"username": name, "password": PASSWORD, **extra})
    assert response.status_code == 200, response.text
    return csrf_of(client.get("/account").text)


def csrf_of(html: str) -> str:
    match = CSRF.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)
