"""Review API: tags (single, bulk), notes (time, page, region, private), clips, note
search and the case timeline; each write is a custody event, and access follows policy."""

from __future__ import annotations

import pytest

from tests.app_kit import Api


@pytest.fixture()
def review(api: Api, team) -> tuple[Api, dict]:  # type: ignore[no-untyped-def]
    case_id = team["case"]["id"]
    items = [
        api.upload(
            case_id,
            team["investigator"],
            f"clip {n}".encode(),
            name=f"clip{n}.mp4",
            captured_at=f"2026-11-2{n}T10:00:00+05:00",
        ).json()["id"]
        for n in (3, 1, 2)
    ]
    return api, {**team, "items": items}


def test_bulk_tagging_is_idempotent_and_recorded(review) -> None:  # type: ignore[no-untyped-def]
    api, team = review
    case_id, items = team["case"]["id"], team["items"]
    url = f"/api/v1/cases/{case_id}/tags"
    body = {"items": items, "tags": ["Suspect ", "weapon"]}
    assert api.client.post(url, json=body, headers=team["prosecutor"]).json() == {"added": 6}
    assert api.client.post(url, json=body, headers=team["prosecutor"]).json() == {"added": 0}
    assert api.client.get(url, headers=team["auditor"]).json() == {"suspect": 3, "weapon": 3}
    assert len(api.events("item.tag.added")) == 3
    gone = api.client.delete(f"/api/v1/items/{items[0]}/tags/SUSPECT", headers=team["prosecutor"])
    assert gone.status_code == 204
    assert len(api.events("item.tag.removed")) == 1
    again = api.client.delete(f"/api/v1/items/{items[0]}/tags/suspect", headers=team["prosecutor"])
    assert again.status_code == 404


def test_bulk_tagging_is_all_or_nothing(review) -> None:  # type: ignore[no-untyped-def]
    api, team = review
    case_id = team["case"]["id"]
    other = api.case(team["outsider"], number="202611210000002")
    foreign = api.upload(other, team["outsider"], b"elsewhere").json()["id"]
    response = api.client.post(
        f"/api/v1/cases/{case_id}/tags",
        json={"items": [*team["items"], foreign], "tags": ["x"]},
        headers=team["prosecutor"],
    )
    assert response.status_code == 403
    assert api.client.get(f"/api/v1/cases/{case_id}/tags", headers=team["prosecutor"]).json() == {}
    bad = api.client.post(
        f"/api/v1/items/{team['items'][0]}/tags", json={"tags": [" "]}, headers=team["prosecutor"]
    )
    assert bad.status_code == 400


def test_notes_private_time_page_region(review) -> None:  # type: ignore[no-untyped-def]
    api, team = review
    item = team["items"][0]
    url = f"/api/v1/items/{item}/notes"
    shared = api.client.post(
        url, json={"body": "Голос за кадром", "start": 12.5, "end": 14}, headers=team["prosecutor"]
    )
    assert shared.status_code == 201, shared.text
    private = api.client.post(
        url,
        json={"body": "my theory", "private": True, "page": 2, "region": "0.1,0.2,0.3,0.4"},
        headers=team["investigator"],
    )
    assert private.status_code == 201 and private.json()["region"] == "0.1000,0.2000,0.3000,0.4000"
    for body in [
        {"body": "x", "start": 5, "end": 1},
        {"body": ""},
        {"body": "x", "region": "2,0,0,0"},
    ]:
        assert api.client.post(url, json=body, headers=team["prosecutor"]).status_code in {400, 422}
    seen = api.client.get(f"/api/v1/items/{item}/annotations", headers=team["prosecutor"]).json()
    assert [n["body"] for n in seen["notes"]] == ["Голос за кадром"]
    mine = api.client.get(f"/api/v1/items/{item}/annotations", headers=team["investigator"]).json()
    assert len(mine["notes"]) == 2
    found = api.client.get(
        f"/api/v1/cases/{team['case']['id']}/notes", params={"q": "ГОЛОС"}, headers=team["auditor"]
    )
    assert [n["body"] for n in found.json()] == ["Голос за кадром"]
    # Only the author deletes; a private note is invisible (404) to others.
    note_id = shared.json()["id"]
    assert (
        api.client.delete(f"/api/v1/notes/{note_id}", headers=team["investigator"]).status_code
        == 403
    )
    hidden = private.json()["id"]
    assert (
        api.client.delete(f"/api/v1/notes/{hidden}", headers=team["prosecutor"]).status_code == 404
    )
    assert (
        api.client.delete(f"/api/v1/notes/{note_id}", headers=team["prosecutor"]).status_code == 204
    )
    actions = [a for _, a, _ in api.events() if a.startswith("item.note")]
    assert actions == ["item.note.added", "item.note.added", "item.note.deleted"]


def test_clips(review) -> None:  # type: ignore[no-untyped-def]
    api, team = review
    item = team["items"][1]
    url = f"/api/v1/items/{item}/clips"
    made = api.client.post(
        url, json={"start": 3, "end": 9.5, "title": "Удар"}, headers=team["prosecutor"]
    )
    assert made.status_code == 201, made.text
    assert (
        api.client.post(url, json={"start": 9, "end": 3}, headers=team["prosecutor"]).status_code
        == 400
    )
    seen = api.client.get(f"/api/v1/items/{item}/annotations", headers=team["auditor"]).json()
    assert [(c["start"], c["end"], c["title"]) for c in seen["clips"]] == [(3.0, 9.5, "Удар")]
    assert (
        api.client.delete(f"/api/v1/clips/{made.json()['id']}", headers=team["auditor"]).status_code
        == 403
    )
    assert (
        api.client.delete(
            f"/api/v1/clips/{made.json()['id']}", headers=team["prosecutor"]
        ).status_code
        == 204
    )
    assert len(api.events("item.clip.added")) == len(api.events("item.clip.deleted")) == 1


def test_timeline_orders_by_captured_time(review) -> None:  # type: ignore[no-untyped-def]
    api, team = review
    url = f"/api/v1/cases/{team['case']['id']}/timeline"
    entries = api.client.get(url, headers=team["prosecutor"]).json()
    assert [e["name"] for e in entries] == ["clip1.mp4", "clip2.mp4", "clip3.mp4"]
    assert len(api.events("case.timeline.read")) == 1
    # Officers see only their own uploads; outsiders nothing at all.
    assert api.client.get(url, headers=team["officer"]).json() == []
    assert api.client.get(url, headers=team["outsider"]).status_code == 403


def test_access_to_annotations(review) -> None:  # type: ignore[no-untyped-def]
    api, team = review
    item = team["items"][0]
    for who in ["outsider", "defence", "admin"]:
        assert (
            api.client.get(f"/api/v1/items/{item}/annotations", headers=team[who]).status_code
            == 403
        )
        response = api.client.post(
            f"/api/v1/items/{item}/tags", json={"tags": ["x"]}, headers=team[who]
        )
        assert response.status_code == 403
    # Auditors read but do not annotate; officers may not touch others' uploads.
    assert (
        api.client.post(
            f"/api/v1/items/{item}/notes", json={"body": "x"}, headers=team["auditor"]
        ).status_code
        == 403
    )
    assert (
        api.client.post(
            f"/api/v1/items/{item}/notes", json={"body": "x"}, headers=team["officer"]
        ).status_code
        == 403
    )
    own = api.upload(team["case"]["id"], team["officer"], b"my bodycam").json()["id"]
    assert (
        api.client.post(
            f"/api/v1/items/{own}/notes", json={"body": "x"}, headers=team["officer"]
        ).status_code
        == 201
    )
    denied = [a for _, a, _ in api.events() if a == "access.denied"]
    assert len(denied) >= 8
    missing = api.client.get(
        "/api/v1/items/00000000-0000-0000-0000-000000000000/annotations", headers=team["prosecutor"]
    )
    assert missing.status_code == 404


def test_the_media_pipeline_is_the_apps_and_its_absence_an_empty_state(review) -> None:  # type: ignore[no-untyped-def]
    """What the timeline reads from ingest comes from the app's `MediaPipeline`
    (app.state.media, installed by create_app); without one the answer is the items."""
    from evidence.hooks import MediaPipeline, NoMediaPipeline
    from ingest.pages import IngestPages

    api, team = review
    app = api.client.app
    assert isinstance(app.state.media, IngestPages)
    media: MediaPipeline = app.state.media  # the Protocol is what handlers see
    assert media.chat_messages is not None
    url = f"/api/v1/cases/{team['case']['id']}/timeline"
    app.state.media = NoMediaPipeline()
    try:
        entries = api.client.get(url, headers=team["prosecutor"]).json()
        page = api.client.get(f"/cases/{team['case']['id']}", headers=team["prosecutor"])
    finally:
        app.state.media = media
    assert [e["name"] for e in entries] == ["clip1.mp4", "clip2.mp4", "clip3.mp4"]
    assert page.status_code == 200
