"""Transcribing a recording again in a language a reviewer chose: an `asr` job per
language, the next machine version, earlier versions kept; API and item page."""

from __future__ import annotations

from pathlib import Path

from tests.app_kit import Api, make_team
from tests.web.conftest import sign_in

pytest_plugins = ["tests.ingest.conftest_integration"]


def _upload(api: Api, team: dict, path: Path, name: str) -> str:
    response = api.upload(team["case"]["id"], team["prosecutor"], path.read_bytes(), name=name)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def test_transcribe_again_in_kazakh(
    ingest_api: Api, speech: dict[str, Path], photo_jpeg: Path
) -> None:
    api = ingest_api
    team = make_team(api)
    audio = _upload(api, team, speech["kk"], "сұрақ.wav")
    first = api.client.get(f"/api/v1/items/{audio}/transcript", headers=team["prosecutor"])
    assert first.status_code == 200 and first.json()["version"] == 1

    url = f"/api/v1/items/{audio}/transcribe"
    assert api.client.post(url, json={"language": "kk"}, headers=team["officer"]).status_code == 403
    bad = api.client.post(url, json={"language": "de"}, headers=team["investigator"])
    assert bad.status_code == 422
    queued = api.client.post(url, json={"language": "kk"}, headers=team["investigator"])
    assert queued.status_code == 202, queued.text
    job = queued.json()
    assert (job["stage"], job["subject"], job["state"]) == ("asr", "kk", "done")

    latest = api.client.get(f"/api/v1/items/{audio}/transcript", headers=team["prosecutor"])
    assert latest.json()["version"] == 2 and latest.json()["language"] == "kk"
    versions = api.client.get(
        f"/api/v1/items/{audio}/transcript/versions", headers=team["prosecutor"]
    ).json()
    assert [v["version"] for v in versions] == [1, 2]
    derived = api.client.get(f"/api/v1/items/{audio}/derivatives", headers=team["prosecutor"])
    transcripts = [d for d in derived.json() if d["derivative_kind"] == "transcript"]
    assert len(transcripts) == 2
    assert transcripts[-1]["derivation"]["parameters"]["language"] == "kk"

    # Asking again changes nothing; another language is another job and version.
    again = api.client.post(url, json={"language": "kk"}, headers=team["prosecutor"])
    assert again.status_code == 202 and again.json()["id"] == job["id"]
    russian = api.client.post(url, json={"language": "ru"}, headers=team["prosecutor"])
    assert russian.json()["subject"] == "ru" and russian.json()["id"] != job["id"]
    latest = api.client.get(f"/api/v1/items/{audio}/transcript", headers=team["prosecutor"])
    assert latest.json()["version"] == 3 and latest.json()["language"] == "ru"

    photo = _upload(api, team, photo_jpeg, "photo.jpg")
    refused = api.client.post(
        f"/api/v1/items/{photo}/transcribe", json={"language": "kk"}, headers=team["prosecutor"]
    )
    assert refused.status_code == 415


def test_item_page_offers_the_language_to_reviewers(
    sqlite_api: Api, speech: dict[str, Path]
) -> None:
    api = sqlite_api
    api.client.cookies.set("dalel_lang", "kk")
    team = make_team(api)
    audio = _upload(api, team, speech["ru"], "звонок.wav")
    sign_in(api, "officer")
    assert f'action="/items/{audio}/transcribe"' not in api.client.get(f"/items/{audio}").text
    csrf = sign_in(api, "investigator")
    page = api.client.get(f"/items/{audio}").text
    assert f'action="/items/{audio}/transcribe"' in page and "Қайта транскрипциялау тілі" in page
    done = api.client.post(f"/items/{audio}/transcribe", data={"csrf": csrf, "language": "ru"})
    assert done.status_code == 200 and done.url.path == f"/items/{audio}"
    latest = api.client.get(f"/api/v1/items/{audio}/transcript", headers=team["investigator"])
    assert latest.json()["language"] == "ru" and latest.json()["version"] == 2
    wrong = api.client.post(f"/items/{audio}/transcribe", data={"csrf": csrf, "language": "xx"})
    assert wrong.status_code == 400 and "kk, ru, en" in wrong.text
