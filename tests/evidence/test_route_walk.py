"""Walk every GET route: wherever evidence bytes leave, a custody event must precede them."""

from __future__ import annotations

import os
import re

from tests.app_kit import Api, walk_routes

READ_ACTIONS = {"item.content.read", "item.downloaded"}


def _get_routes(api: Api) -> list[str]:
    paths = set(api.client.app.openapi()["paths"])  # type: ignore[attr-defined]
    for route in walk_routes(api.client.app.router.routes):  # type: ignore[attr-defined]
        if "GET" in (route.methods or set()):
            paths.add(route.path)
    assert "/items/{item_id}" in paths and "/cases/{case_id}" in paths  # pages are walked too
    return sorted(paths)


def _values(api: Api, team, item_id: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """A real object for every path parameter of the app (placeholders where making one
    would need a media pipeline): no route is skipped for its parameter's name."""
    case_id = team["case"]["id"]
    prosecutor = team["prosecutor"]
    clip = api.client.post(
        f"/api/v1/items/{item_id}/clips", json={"start": 0, "end": 1}, headers=prosecutor
    )
    upload = api.client.post(
        f"/api/v1/cases/{case_id}/uploads", json={"filename": "later.bin", "size": 10},
        headers=team["officer"],
    )  # fmt: skip
    api.client.post(
        f"/api/v1/items/{item_id}/disclosure-flags", json={"disclosable_original": True},
        headers=prosecutor,
    )  # fmt: skip
    disclosure = api.client.post(
        f"/api/v1/cases/{case_id}/disclosures", json={"recipient": "defence", "items": [item_id]},
        headers=prosecutor,
    )  # fmt: skip
    assert clip.status_code == 201 and upload.status_code == 201, (clip.text, upload.text)
    assert disclosure.status_code == 201, disclosure.text
    asked = api.client.post(
        f"/api/v1/cases/{case_id}/evidence-requests",
        json={"person_name": "Witness", "phone": "+77010000000"}, headers=prosecutor,
    )  # fmt: skip
    assert asked.status_code == 201, asked.text
    return {
        "token": asked.json()["link"].rsplit("/", 1)[1], "request_id": asked.json()["id"],
        "submission_id": "no-such-submission",
        "item_id": item_id, "case_id": case_id, "index": "0", "username": "officer",
        "clip_id": clip.json()["id"], "upload_id": upload.json()["id"],
        "disclosure_id": disclosure.json()["id"], "code": "en", "fmt": "txt",
        "path": "0/000", "plan_id": "no-such-plan", "purge_id": "no-such-purge",
        # Paths of other methods (the OpenAPI lists them) are walked too: GET answers 405.
        "key_id": "no-such-key", "hold_id": "no-such-hold", "name": "tag",
        "note_id": "no-such-note", "notification_id": "no-such-notification", "number": "1",
        "receipt_id": "no-such-receipt", "stage": "detect", "page": "1",
    }  # fmt: skip


def test_no_bytes_leave_without_a_custody_event(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    marker = b"EVIDENCE-MARKER-" + os.urandom(16).hex().encode()
    case_id = team["case"]["id"]
    item = api.upload(case_id, team["officer"], marker * 4, name="marker.txt").json()
    values = _values(api, team, item["id"])
    leaked: list[str] = []
    served: list[str] = []
    walked: list[str] = []
    for path in _get_routes(api):
        # Every parameter has a value: a route with a new parameter name fails here.
        url = re.sub(r"{(\w+)(?::\w+)?}", lambda m: values[m.group(1)], path)
        walked.append(path)
        for who in ["prosecutor", "officer", "investigator", "auditor", "defence", "outsider"]:
            before = api.events()
            response = api.client.get(url, headers=team[who])
            if marker not in response.content:
                continue
            served.append(f"{url} as {who}")
            new = api.events()[len(before) :]
            if not any(
                action in READ_ACTIONS and item_id == item["id"] for _, action, item_id in new
            ):
                leaked.append(f"{url} as {who}")
    assert len(walked) == len(_get_routes(api)), "every route is walked"
    assert any("/disclosures/" in s and "defence" in s for s in served), served
    assert any(s.startswith(f"/api/v1/items/{item['id']}/content") for s in served), served
    assert not leaked, f"evidence bytes left without a custody event: {leaked}"
