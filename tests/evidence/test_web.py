"""The plain web pages: sign in, see cases, upload through the form, view an item."""

from __future__ import annotations

import re

from tests.app_kit import PASSWORD, Api
from tests.login_form import post_login


def test_sign_in_upload_and_view(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    client = api.client
    assert client.get("/", follow_redirects=False).headers["location"] == "/login"
    client.cookies.set("dalel_lang", "en")
    bad = post_login(client, {"username": "officer", "password": "wrong"})
    assert bad.status_code == 401 and "Wrong username, password or code." in bad.text
    page = post_login(client, {"username": "officer", "password": PASSWORD})
    assert page.status_code == 200 and "202611210000001" in page.text
    case_page = client.get(f"/cases/{team['case']['id']}")
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', case_page.text).group(1)  # type: ignore[union-attr]
    forged = client.post(
        f"/cases/{team['case']['id']}/upload",
        params={"csrf": "0" * 64},
        files={"file": ("x.jpg", b"forged", "image/jpeg")},
    )
    assert forged.status_code == 403
    # The form's token rides in its URL: it is checked before the file streams in.
    uploaded = client.post(
        f"/cases/{team['case']['id']}/upload",
        params={"csrf": csrf},
        files={"file": ("протокол.pdf", b"%PDF-1.4 scanned", "application/pdf")},
        data={"source_kind": "document", "location": "Астана"},
    )
    assert uploaded.status_code == 200, uploaded.text
    assert "протокол.pdf" in uploaded.text and "Астана" in uploaded.text
    assert len(api.events("item.created")) == 1
    listing = client.get(f"/cases/{team['case']['id']}")
    assert "протокол.pdf" in listing.text
    client.post("/logout", data={"csrf": csrf})
    assert client.get("/cases", follow_redirects=False).headers["location"] == "/login"


def test_outsider_cannot_open_case_page(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    post_login(api.client, {"username": "outsider", "password": PASSWORD})
    response = api.client.get(f"/cases/{team['case']['id']}")
    assert response.status_code == 403
    assert "Кража" not in response.text


def test_each_role_starts_on_its_own_page(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    defence = post_login(api.client, {"username": "defence", "password": PASSWORD})
    assert defence.url.path == "/portal"
    api.client.cookies.clear()
    officer = post_login(api.client, {"username": "officer", "password": PASSWORD})
    assert officer.url.path == "/cases"
