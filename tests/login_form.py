"""Sign in through the web form as a browser does: load the page, post its CSRF token."""

from __future__ import annotations

import re
from typing import Any

CSRF = re.compile(r'name="csrf" value="([0-9a-f]+)"')


def post_login(client: Any, data: dict[str, str], **kwargs: Any) -> Any:
    """POST /login with the token of the login page (login CSRF protection)."""
    page = client.get("/login")
    match = CSRF.search(page.text)
    assert match, "the login page has no CSRF token"
    return client.post("/login", data={**data, "csrf": match.group(1)}, **kwargs)


# The suite's password (tests/evidence/conftest.py PASSWORD).
SUITE_PASSWORD = "correct horse battery"


def session_cookie(client: Any, username: str, password: str = SUITE_PASSWORD) -> str:
    """A web session of `username` (the cookie's value), signed in through the form by a
    second client of the same app: API bearer tokens are not valid as the cookie."""
    from fastapi.testclient import TestClient

    browser = TestClient(client.app)  # no `with`: the app is already running
    response = post_login(
        browser, {"username": username, "password": password}, follow_redirects=False
    )
    assert response.status_code == 303, response.text
    return str(browser.cookies["dalel_session"])


def csrf_of(html: str) -> str:
    """The CSRF token of a page's form."""
    match = CSRF.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)
