"""The upload form's server side: a browser without script posts the form, and times
typed into its date-and-time fields are read in the chosen time zone (no field is
refused for lacking an offset, no raw field name in the message); a page's own API calls
get refusals in the page's language (problem JSON `message`); the case page offers the
form only to those who may upload, with the limit the script checks."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from evidence.models import Role
from evidence.web.upload_form import default_time_zone, time_zone_choices, zoned_fields
from tests.app_kit import Api
from tests.web.conftest import csrf_of, sign_in


def _post_form(web: Api, case_id: str, token: str, **fields: str):  # type: ignore[no-untyped-def]
    return web.client.post(
        f"/cases/{case_id}/upload?csrf={token}",
        data=fields,
        files={"file": ("рапорт.txt", "Рапорт\n".encode() * 10, "text/plain")},
        follow_redirects=False,
    )


def test_a_time_typed_without_offset_is_read_in_the_forms_time_zone(web: Api, team) -> None:  # type: ignore[no-untyped-def]
    web.user("officer2", Role.OFFICER)
    case_id = team["case"]["id"]
    token = sign_in(web, "officer")
    done = _post_form(
        web,
        case_id,
        token,
        source_kind="document",
        captured_at="2026-11-21T09:30",
        collected_at="2026-11-21T12:00:00",
        time_zone="+06:00",
        device="Планшет",
    )
    assert done.status_code == 303, done.text
    item_id = done.headers["location"].rsplit("/", 1)[1]
    item = web.client.get(f"/api/v1/items/{item_id}", headers=team["officer"]).json()
    assert item["captured_at"].startswith("2026-11-21T03:30:00")  # 09:30 at UTC+6
    assert item["collected_at"].startswith("2026-11-21T06:00:00")
    assert item["device"] == "Планшет"


def test_an_unparseable_time_names_the_field_in_words_in_the_pages_language(web: Api, team) -> None:  # type: ignore[no-untyped-def]
    token = sign_in(web, "officer")
    web.client.cookies.set("dalel_lang", "ru")
    before = web.client.get(
        f"/api/v1/cases/{team['case']['id']}/items", headers=team["officer"]
    ).json()
    refused = _post_form(web, team["case"]["id"], token, captured_at="21 ноября утром")
    assert refused.status_code == 400
    assert "время съёмки — не дата и время" in refused.text
    assert "captured_at" not in refused.text
    after = web.client.get(
        f"/api/v1/cases/{team['case']['id']}/items", headers=team["officer"]
    ).json()
    assert after == before


def test_a_pages_api_call_gets_the_refusal_in_the_pages_language(web: Api, team) -> None:  # type: ignore[no-untyped-def]
    token = sign_in(web, "officer")
    body = {"filename": "a\u202etxt.exe", "size": 10}
    url = f"/api/v1/cases/{team['case']['id']}/uploads"
    page_call = web.client.post(f"{url}?lang=kk", json=body, headers={"X-CSRF-Token": token})
    assert page_call.status_code == 400
    problem = page_call.json()
    assert problem["message"] and problem["message"] != problem["detail"]
    assert re.search(r"[әіңғүұқөһ]", problem["message"])  # Kazakh letters
    # A client with a bearer token and no cookie keeps the plain English problem.
    web.client.cookies.delete("dalel_session")
    api_call = web.client.post(url, json=body, headers=team["officer"])
    assert api_call.status_code == 400 and "message" not in api_call.json()
    assert api_call.json()["detail"] == problem["detail"]


def test_the_case_page_offers_the_upload_to_uploaders_only(web: Api, team) -> None:  # type: ignore[no-untyped-def]
    sign_in(web, "officer")
    page = web.client.get(f"/cases/{team['case']['id']}").text
    assert 'id="upload-form"' in page and 'src="/static/dist/upload.js"' in page
    assert f'data-max-bytes="{web.settings.max_upload_bytes}"' in page
    assert "webkitdirectory" in page
    csrf_of(page)
    sign_in(web, "auditor")
    web.client.post(
        f"/api/v1/cases/{team['case']['id']}/members",
        json={"username": "auditor", "role": "auditor"},
        headers=team["prosecutor"],
    )
    page = web.client.get(f"/cases/{team['case']['id']}")
    assert page.status_code == 200
    assert 'id="upload-form"' not in page.text


def test_time_zone_choices_and_default() -> None:
    values = [v for v, _ in time_zone_choices()]
    assert values[0] == "-12:00" and values[-1] == "+14:00" and "+05:45" in values
    assert len(values) == len(set(values))
    assert default_time_zone(datetime(2026, 7, 1, tzinfo=UTC)) == "+05:00"  # Asia/Almaty
    kept = zoned_fields({"captured_at": "2026-01-01T10:00+03:00", "time_zone": "+06:00"})
    assert kept["captured_at"] == "2026-01-01T10:00:00+03:00"
    assert "collected_at" not in zoned_fields({"collected_at": " ", "time_zone": "bogus"})
