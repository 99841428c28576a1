"""Access to the ingest endpoints: need-to-know per the one policy, denials recorded."""

from __future__ import annotations

from pathlib import Path

from tests.app_kit import Api, make_team

pytest_plugins = ["tests.ingest.conftest_integration"]

EDIT = {"segments": [{"start": 0.0, "end": 1.0, "text": "правка"}], "verified": False}


def _routes(item: str, case_id: str) -> list[tuple[str, str, dict | None]]:
    return [
        ("GET", f"/api/v1/items/{item}/jobs", None),
        ("POST", f"/api/v1/items/{item}/jobs/ocr/rerun", None),
        ("GET", f"/api/v1/items/{item}/transcript", None),
        ("PUT", f"/api/v1/items/{item}/transcript", EDIT),
        ("GET", f"/api/v1/items/{item}/transcript/versions", None),
        ("GET", f"/api/v1/items/{item}/transcript.txt", None),
        ("GET", f"/api/v1/items/{item}/transcript.docx", None),
        ("GET", f"/api/v1/items/{item}/text", None),
        ("GET", f"/api/v1/items/{item}/messages", None),
        ("GET", f"/api/v1/items/{item}/metadata", None),
        ("GET", f"/api/v1/cases/{case_id}/search?q=witness", None),
    ]


def _call(api: Api, method: str, url: str, body, headers):  # type: ignore[no-untyped-def]
    return api.client.request(method, url, json=body, headers=headers)


def test_access_on_every_endpoint(ingest_api: Api, rendered_pages) -> None:  # type: ignore[no-untyped-def]
    api = ingest_api
    team = make_team(api)
    case_id = team["case"]["id"]
    png: Path = rendered_pages["eng"].png
    mine = api.upload(case_id, team["officer"], png.read_bytes(), name="own.png").json()["id"]
    # Different bytes (trailing data after IEND), same page: uploads are deduplicated per case.
    theirs = api.upload(case_id, team["prosecutor"], png.read_bytes() + b"\0", name="p.png")
    theirs = theirs.json()["id"]
    denied_before = len(api.events("access.denied"))

    # Outsiders (another prosecutor, defence) get 403 on everything, recorded.
    for who in ("outsider", "defence"):
        for method, url, body in _routes(theirs, case_id):
            response = _call(api, method, url, body, team[who])
            assert response.status_code == 403, (who, method, url, response.text)
    assert len(api.events("access.denied")) >= denied_before + 2 * len(_routes(theirs, case_id))

    # An officer reads their own item's text and finds only their own items.
    officer = team["officer"]
    assert api.client.get(f"/api/v1/items/{mine}/text", headers=officer).status_code == 200
    assert api.client.get(f"/api/v1/items/{theirs}/text", headers=officer).status_code == 403
    hits = api.client.get(
        f"/api/v1/cases/{case_id}/search", params={"q": "witness"}, headers=officer
    ).json()["hits"]
    assert hits and {h["item_id"] for h in hits} == {mine}
    pro_hits = api.client.get(
        f"/api/v1/cases/{case_id}/search", params={"q": "witness"}, headers=team["prosecutor"]
    ).json()["hits"]
    assert {h["item_id"] for h in pro_hits} == {mine, theirs}
    # ...but may not re-run stages or edit transcripts.
    rerun = api.client.post(f"/api/v1/items/{mine}/jobs/ocr/rerun", headers=officer)
    assert rerun.status_code == 403

    # An auditor sees job states, not content; an administrator re-runs, reads nothing.
    auditor, admin = team["auditor"], team["admin"]
    assert api.client.get(f"/api/v1/items/{theirs}/jobs", headers=auditor).status_code == 200
    assert api.client.get(f"/api/v1/items/{theirs}/text", headers=auditor).status_code == 403
    search = api.client.get(f"/api/v1/cases/{case_id}/search?q=witness", headers=auditor)
    assert search.status_code == 403
    assert api.client.get(f"/api/v1/items/{theirs}/jobs", headers=admin).status_code == 200
    response = api.client.post(f"/api/v1/items/{theirs}/jobs/ocr/rerun", headers=admin)
    assert response.status_code == 202, response.text
    assert response.json()["state"] == "done" and response.json()["attempts"] == 2
    assert api.client.get(f"/api/v1/items/{theirs}/text", headers=admin).status_code == 403
    assert api.client.get(f"/api/v1/items/{theirs}/metadata", headers=admin).status_code == 403
    missing = api.client.post(f"/api/v1/items/{theirs}/jobs/nonsense/rerun", headers=admin)
    assert missing.status_code == 404

    # Reads of derived content are custody events of the item.
    reads = [e for e in api.events("item.content.read") if e[2] == mine]
    assert reads


def test_not_processed_is_404(ingest_api: Api, rendered_pages) -> None:  # type: ignore[no-untyped-def]
    api = ingest_api
    team = make_team(api)
    png: Path = rendered_pages["eng"].png
    item = api.upload(team["case"]["id"], team["prosecutor"], png.read_bytes(), name="a.png")
    item_id = item.json()["id"]
    for path in ("transcript", "messages", "transcript.srt"):
        response = api.client.get(f"/api/v1/items/{item_id}/{path}", headers=team["prosecutor"])
        assert response.status_code == 404, (path, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
