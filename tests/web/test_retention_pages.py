"""Retention pages: a prosecutor sets the category, basis, purpose and dates, holds an
item, proposes a purge; a second prosecutor approves it; the item page shows the
tombstone; the due list for prosecutors and administrators; Kazakh and Russian too."""

from __future__ import annotations

import os

import pytest

from evidence.models import Role
from tests.app_kit import Api
from tests.web.conftest import csrf_of, sign_in

LONG_AGO = "2015-03-10T09:00:00+05:00"


@pytest.mark.usefixtures("purge_jobs")
def test_retention_workflow_in_the_browser(web: Api, team) -> None:  # type: ignore[no-untyped-def]
    case_id = team["case"]["id"]
    web.user("second", Role.PROSECUTOR)
    added = web.client.post(
        f"/api/v1/cases/{case_id}/members", json={"username": "second"},
        headers=team["prosecutor"],
    )  # fmt: skip
    assert added.status_code == 201
    item = web.upload(case_id, team["officer"], os.urandom(900), name="old.bin",
                      collected_at=LONG_AGO).json()  # fmt: skip
    csrf = sign_in(web, "prosecutor")
    page = web.client.get(f"/cases/{case_id}/retention")
    assert page.status_code == 200
    assert "Category not yet determined" in page.text
    saved = web.client.post(
        f"/cases/{case_id}/retention",
        data={"csrf": csrf, "category": "administrative", "legal_basis": "administrative-code",
              "legal_basis_text": "art. 803", "purpose": "investigation"},
    )  # fmt: skip
    assert saved.status_code == 200 and "Administrative offence" in saved.text
    dates = web.client.post(
        f"/cases/{case_id}/lifecycle",
        data={"csrf": csrf, "closed_at": "2016-01-15", "verdict_at": "", "appeal_ended_at": ""},
    )
    assert dates.status_code == 200 and 'value="2016-01-15"' in dates.text
    item_page = web.client.get(f"/items/{item['id']}")
    assert "art. 803" in item_page.text and "Pre-trial investigation" in item_page.text
    held = web.client.post(
        f"/cases/{case_id}/holds",
        data={"csrf": csrf, "reason": "expert review", "item": item["id"]},
    )
    assert held.status_code == 200 and "expert review" in held.text
    page = web.client.get(f"/cases/{case_id}/retention")
    assert "Nothing in this case is due for purging." in page.text
    hold_id = web.client.get(f"/api/v1/cases/{case_id}/holds", headers=team["prosecutor"]).json()[
        0
    ]["id"]
    web.client.post(f"/holds/{hold_id}/release", data={"csrf": csrf, "reason": "review done"})
    page = web.client.get(f"/cases/{case_id}/retention")
    assert "old.bin" in page.text and "Propose purging" in page.text
    proposed = web.client.post(
        f"/cases/{case_id}/purges",
        data={"csrf": csrf, "reason": "three years passed", "items": [item["id"]]},
    )
    assert proposed.status_code == 200 and "three years passed" in proposed.text
    assert "Approve the purge" not in proposed.text  # the proposer cannot approve
    purge_id = web.client.get(f"/api/v1/cases/{case_id}/purges", headers=team["prosecutor"]).json()[
        0
    ]["id"]
    own = web.client.post(f"/purges/{purge_id}/decide", data={"csrf": csrf, "decision": "approve"})
    assert own.status_code == 403
    csrf = sign_in(web, "second")
    page = web.client.get(f"/cases/{case_id}/retention")
    assert "Approve the purge" in page.text
    done = web.client.post(f"/purges/{purge_id}/decide", data={"csrf": csrf, "decision": "approve"})
    assert done.status_code == 200
    tombstone = web.client.get(f"/items/{item['id']}")
    assert "Purged on" in tombstone.text and "approved by second" in tombstone.text
    assert f'src="/api/v1/items/{item["id"]}/content"' not in tombstone.text
    for lang, word in (("kk", "Сақтау"), ("ru", "Хранение")):
        web.client.cookies.set("dalel_lang", lang)
        assert word in web.client.get(f"/cases/{case_id}/retention").text


def test_due_list_for_prosecutors_and_administrators(web: Api, team) -> None:  # type: ignore[no-untyped-def]
    case_id = team["case"]["id"]
    web.upload(case_id, team["officer"], os.urandom(700), collected_at=LONG_AGO)
    web.client.put(
        f"/api/v1/cases/{case_id}/retention", json={"category": "administrative"},
        headers=team["prosecutor"],
    )  # fmt: skip
    sign_in(web, "admin")
    page = web.client.get("/retention")
    assert page.status_code == 200 and "202611210000001" in page.text
    assert f'href="/cases/{case_id}/retention' not in page.text  # counts only, no items
    sign_in(web, "prosecutor")
    page = web.client.get("/retention")
    assert f'href="/cases/{case_id}/retention#purges"' in page.text
    sign_in(web, "outsider")
    assert "Nothing is due for purging." in web.client.get("/retention").text
    assert web.client.get(f"/cases/{case_id}/retention").status_code in {403, 404}
    csrf = csrf_of(web.client.get("/account").text)
    refused = web.client.post(
        f"/cases/{case_id}/holds", data={"csrf": csrf, "reason": "not my case"}
    )
    assert refused.status_code in {403, 404}
