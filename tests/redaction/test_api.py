"""Redaction plans over HTTP on SQLite and PostgreSQL: analyse, review, approve, release gate."""

from __future__ import annotations

from redaction.residual import is_releasable
from tests.app_kit import Api
from tests.redaction.kit import IIN, TEXT, upload_text


def test_analyse_review_approve_release(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    item_id = upload_text(api, team)
    c = api.client
    plan = c.post(f"/api/v1/items/{item_id}/redactions", json={}, headers=team["investigator"])
    assert plan.status_code == 201, plan.text
    body = plan.json()
    assert body["status"] == "draft" and body["version"] == 1 and body["source_kind"] == "text"
    types = {p["entity_type"] for p in body["proposals"]}
    assert {"KZ_IIN", "PHONE_NUMBER", "PERSON"} <= types
    assert all(p["decision"] == "pending" and p["reason"] for p in body["proposals"])
    iin = next(p for p in body["proposals"] if p["entity_type"] == "KZ_IIN")
    assert iin["text"] == IIN and iin["target"]["kind"] == "span"

    # Access: outsiders and officers may not analyse; officers may not approve.
    for who in ("outsider", "officer", "defence", "admin"):
        r = c.post(f"/api/v1/items/{item_id}/redactions", json={}, headers=team[who])
        assert r.status_code in (403, 404), (who, r.text)
    denied_before = len(api.events("access.denied"))

    # Approval needs every proposal decided.
    r = c.post(f"/api/v1/redactions/{body['id']}/approve", headers=team["prosecutor"])
    assert r.status_code == 409 and "pending" in r.json()["detail"]

    r = c.patch(
        f"/api/v1/redactions/{body['id']}/proposals",
        json={"default": "accepted"},
        headers=team["investigator"],
    )
    assert r.status_code == 200, r.text
    v2 = r.json()
    assert v2["version"] == 2 and all(p["decision"] == "accepted" for p in v2["proposals"])
    old = c.get(f"/api/v1/redactions/{body['id']}", headers=team["prosecutor"]).json()
    assert old["status"] == "superseded"
    # Editing a superseded version is a conflict.
    r = c.patch(
        f"/api/v1/redactions/{body['id']}/proposals/1",
        json={"decision": "rejected"},
        headers=team["prosecutor"],
    )
    assert r.status_code == 409

    for who in ("investigator", "officer", "outsider"):
        r = c.post(f"/api/v1/redactions/{v2['id']}/approve", headers=team[who])
        assert r.status_code in (403, 404), (who, r.text)
    assert len(api.events("access.denied")) >= denied_before + 3

    r = c.post(f"/api/v1/redactions/{v2['id']}/approve", headers=team["prosecutor"])
    assert r.status_code == 200, r.text
    done = r.json()
    assert done["status"] == "approved" and done["releasable"] is True
    assert done["residual"]["passed"] is True and done["derivative_id"]

    derived = c.get(f"/api/v1/items/{done['derivative_id']}", headers=team["prosecutor"]).json()
    assert derived["derivative_kind"] == "redacted" and derived["parent_id"] == item_id
    assert derived["derivation"]["plan_id"] == v2["id"]
    content = c.get(
        f"/api/v1/items/{done['derivative_id']}/content", headers=team["prosecutor"]
    ).text
    assert IIN not in content and "123-45-67" not in content and "Иванов Пётр" not in content
    assert "[ИИН]" in content and "автомобиль у дома" in content
    original = c.get(f"/api/v1/items/{item_id}/content", headers=team["prosecutor"]).text
    assert original == TEXT  # the original is untouched

    actions = [a for _, a, _ in api.events()]
    for action in ("redaction.plan.created", "redaction.plan.revised",
                   "redaction.plan.approved", "redaction.residual.checked"):  # fmt: skip
        assert action in actions
    r = c.post(f"/api/v1/redactions/{v2['id']}/approve", headers=team["prosecutor"])
    assert r.status_code == 409
    listed = c.get(f"/api/v1/items/{item_id}/redactions", headers=team["auditor"])
    assert [p["version"] for p in listed.json()] == [2, 1]
    with api.session() as session:  # the gate disclosure uses
        assert is_releasable(session=session, item_id=done["derivative_id"])
        assert not is_releasable(session=session, item_id=item_id)


def test_residual_check_blocks_release(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    """A name approved for removal that still appears elsewhere blocks the release."""
    text = "Свидетель Ерболат видел машину. Потом Ерболат ушёл домой."
    item_id = upload_text(api, team, text)
    c = api.client
    plan = c.post(
        f"/api/v1/items/{item_id}/redactions",
        json={"entities": ["KZ_IIN"]},
        headers=team["prosecutor"],
    ).json()
    assert plan["proposals"] == []
    start = text.index("Ерболат")
    r = c.post(
        f"/api/v1/redactions/{plan['id']}/proposals",
        json={
            "items": [
                {
                    "target": {"kind": "span", "start": start, "end": start + 7},
                    "entity_type": "PERSON",
                }
            ]
        },
        headers=team["prosecutor"],
    )
    assert r.status_code == 201, r.text
    manual = r.json()
    assert manual["proposals"][0]["decision"] == "accepted"
    assert manual["proposals"][0]["text"] == "Ерболат"
    r = c.post(f"/api/v1/redactions/{manual['id']}/approve", headers=team["prosecutor"])
    blocked = r.json()
    assert blocked["releasable"] is False and blocked["derivative_id"] is None
    assert blocked["residual"]["blocking"][0]["text"] == "Ерболат"
    r = c.post(f"/api/v1/redactions/{manual['id']}/approve", headers=team["prosecutor"])
    assert r.status_code == 409  # blocked is final for this version: revise it

    # Fix it with "redact all occurrences" on the blocked plan: a new draft, then release.
    r = c.post(
        f"/api/v1/redactions/{manual['id']}/redact-all",
        json={"text": "ерболат", "entity_type": "PERSON"},
        headers=team["prosecutor"],
    )
    assert r.status_code == 200, r.text
    fixed = r.json()
    assert len(fixed["proposals"]) == 2 and fixed["status"] == "draft"
    r = c.post(f"/api/v1/redactions/{fixed['id']}/approve", headers=team["prosecutor"])
    assert r.json()["releasable"] is True, r.text
    content = c.get(
        f"/api/v1/items/{r.json()['derivative_id']}/content", headers=team["prosecutor"]
    ).text
    assert "Ерболат" not in content and content.count("[ЛИЦО 1]") == 2


def test_bad_targets_are_rejected(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    item_id = upload_text(api, team, "Короткий текст без данных.")
    c = api.client
    plan = c.post(f"/api/v1/items/{item_id}/redactions", json={}, headers=team["prosecutor"])
    plan_id = plan.json()["id"]
    for target in ({"kind": "span", "start": 5, "end": 500}, {"kind": "time", "start": 3, "end": 1},
                   {"kind": "box", "page": 0, "left": 1, "top": 1, "width": 2, "height": 2},
                   {"kind": "circle"}):  # fmt: skip
        r = c.post(
            f"/api/v1/redactions/{plan_id}/proposals",
            json={"items": [{"target": target}]},
            headers=team["prosecutor"],
        )
        assert r.status_code == 400, (target, r.text)
    r = c.patch(
        f"/api/v1/redactions/{plan_id}/proposals",
        json={"decisions": [{"number": 99, "decision": "accepted"}]},
        headers=team["prosecutor"],
    )
    assert r.status_code == 400
    assert c.get("/api/v1/redactions/nope", headers=team["prosecutor"]).status_code == 404
    archive = api.upload(
        team["case"]["id"], team["prosecutor"], b"PK\x03\x04" + bytes(40), name="a.zip"
    )
    r = c.post(
        f"/api/v1/items/{archive.json()['id']}/redactions", json={}, headers=team["prosecutor"]
    )
    assert r.status_code == 422 and "no redaction renderer" in r.json()["detail"]
    listed = c.get(f"/api/v1/items/{item_id}/redactions", headers=team["prosecutor"]).json()
    assert len(listed) == 1  # nothing changed
