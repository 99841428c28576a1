"""The review page: analyse, decide, add by hand, approve — plain forms with CSRF."""

from __future__ import annotations

import re

import pytest

from tests.app_kit import PASSWORD, Api
from tests.login_form import csrf_of, post_login
from tests.redaction.kit import IIN, TEXT

sqlite_only = pytest.mark.parametrize("api", ["sqlite"], indirect=True)


@sqlite_only
def test_review_page_flow(api: Api, team) -> None:
    r = api.upload(team["case"]["id"], team["prosecutor"], TEXT.encode(), name="p.txt")
    item_id = r.json()["id"]
    web = api.client
    web.cookies.clear()
    web.get("/lang/en")
    assert post_login(web, {"username": "prosecutor", "password": PASSWORD}).status_code == 200
    start = web.get(f"/items/{item_id}/redaction")
    assert start.status_code == 200 and "Analyse" in start.text
    r = web.post(f"/items/{item_id}/redaction", data={"csrf": "0" * 64})
    assert r.status_code == 403  # a forged form changes nothing
    r = web.post(
        f"/items/{item_id}/redaction", data={"csrf": csrf_of(start.text), "language": "ru"}
    )
    assert r.status_code == 200 and "/review" in str(r.url)
    page = r.text
    assert '<mark class="pending"' in page and IIN in page
    assert "Approve and render" in page
    number = re.search(r'name="d-(\d+)" value="accepted"', page).group(1)  # type: ignore[union-attr]
    r = web.post(
        str(r.url).replace("/review", "/review/decisions"),
        data={"csrf": csrf_of(page), f"d-{number}": "rejected", "default": "accepted"},
    )
    assert r.status_code == 200 and "Version 2" in r.text.replace("</strong>", "")
    assert '<mark class="rejected"' in r.text and '<mark class="accepted"' in r.text
    assert "[ИИН]" in r.text  # the "after" column
    r = web.post(
        str(r.url).replace("/review", "/review/manual"),
        data={
            "csrf": csrf_of(r.text),
            "kind": "all",
            "text": "автомобиль",
            "entity_type": "MANUAL",
        },
    )
    assert r.status_code == 200 and "Version 3" in r.text.replace("</strong>", "")
    after = r.text.split('aria-label="After">')[1].split("</pre>")[0]
    assert "автомобиль" not in after and "[MANUAL]" in after
    r = web.post(str(r.url).replace("/review", "/review/approve"), data={"csrf": csrf_of(r.text)})
    assert r.status_code == 200
    assert "Passed" in r.text and "Open the redacted copy" in r.text
    assert web.get("/redaction/review.css").headers["content-type"].startswith("text/css")

    web.cookies.clear()
    web.get("/lang/en")
    post_login(web, {"username": "investigator", "password": PASSWORD})
    page = web.get(str(r.url))
    assert page.status_code == 200 and "Approve and render" not in page.text
    web.cookies.clear()
    post_login(web, {"username": "outsider", "password": PASSWORD})
    assert web.get(str(r.url)).status_code == 403
