"""Withheld inputs are blinded: the hash-guessing attack of the penetration test fails.

The original of a short statement has few possible texts (6 name pairs × 10⁴ phone
endings): with its plain SHA-256 anywhere the recipient can see it, hashing every guess
recovers the exact text in a fraction of a second. Nothing the defence is served carries
that hash (nor the original's id, place or collector); the manifest's salted commitment
is tied to the original only when a court has the salt revealed.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import zipfile

from evidence import service
from evidence.models import Role
from tests.app_kit import Api
from tests.disclosure.conftest import disclose

NAMES = ["Ахметов Ерлан", "Иванов Пётр", "Серікқызы Айгүл", "Ким Олег", "Нуров Дамир", "Ли Анна"]
TEMPLATE = "Свидетель {name}, тел. +7 701 555 {phone:04d}, видел машину у ул. Абая."


def _guesses() -> dict[str, str]:
    """Every candidate statement's SHA-256 (hex) -> the statement."""
    return {
        hashlib.sha256(TEMPLATE.format(name=n, phone=p).encode()).hexdigest(): n
        for n in NAMES
        for p in range(10_000)
    }


def _served_outputs(api: Api, lawyer: dict[str, str], disclosure_id: str, served: str) -> str:
    """Everything the lawyer can get about the disclosure, as one text."""
    parts = [
        api.client.get(f"/api/v1/disclosures/{disclosure_id}", headers=lawyer).text,
        api.client.get(f"/api/v1/items/{served}", headers=lawyer).text,
        api.client.get(f"/api/v1/items/{served}/custody", headers=lawyer).text,
        api.client.get(f"/api/v1/disclosures/{disclosure_id}/items/{served}/content",
                       headers=lawyer).text,
    ]  # fmt: skip
    bundle = api.client.get(f"/api/v1/disclosures/{disclosure_id}/bundle", headers=lawyer)
    assert bundle.status_code == 200, bundle.text
    archive = zipfile.ZipFile(io.BytesIO(bundle.content))
    for name in archive.namelist():
        data = archive.read(name)
        parts.append(data.decode("utf-8", "replace"))
        if name.endswith(".json"):  # leaves travel base64-encoded: decode them too
            for leaf in re.findall(rb'"leaf": "([A-Za-z0-9+/=]+)"', data):
                parts.append(base64.b64decode(leaf).decode("utf-8", "replace"))
    for index in re.findall(r'"index": (\d+)', "\n".join(parts)):
        entry = api.client.get(f"/api/v1/ledger/entries/{index}", headers=lawyer)
        if entry.status_code == 200:
            parts.append(entry.content.decode("utf-8", "replace"))
    return "\n".join(parts)


def test_the_hash_guessing_attack_finds_nothing(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    case_id = team["case"]["id"]
    statement = TEMPLATE.format(name="Серікқызы Айгүл", phone=42)
    response = api.client.post(
        f"/api/v1/cases/{case_id}/items",
        files={"file": ("statement.txt", statement.encode(), "text/plain")},
        data={"location": "Алматы, ул. Абая 10", "collected_by": "сержант Беков"},
        headers=team["officer"],
    )
    assert response.status_code == 201, response.text
    original = response.json()
    with api.session() as session:
        redacted = service.register_derivative(
            session=session, store=api.client.app.state.store,  # type: ignore[attr-defined]
            parent_id=original["id"], source=b"Svidetel [NAME], tel. [PHONE].",
            name="statement-redacted.txt", derivative_kind="redacted",
            derivation={"tool": "dalel-redact", "version": "1", "plan_id": "p1"},
        )  # fmt: skip
    body = disclose(api, team, [original["id"]]).json()
    served = body["items"][0]["served_id"]
    assert served == redacted.id  # text takes no watermark: the redaction itself is served
    guesses = _guesses()
    target = hashlib.sha256(statement.encode()).hexdigest()
    assert guesses.get(target) == "Серікқызы Айгүл"  # the attack works on a plain hash
    seen = _served_outputs(api, team["defence"], body["id"], served)
    found = {h for h in re.findall(r"[0-9a-f]{64}", seen) if h in guesses}
    found |= {
        h.hex()
        for h in (base64.b64decode(b) for b in re.findall(r"[A-Za-z0-9+/]{43}=", seen))
        if h.hex() in guesses
    }
    assert not found, "a withheld original's hash was served: the statement is recoverable"
    # Its place and collector neither (the bundle names the withheld original by its id
    # only, so the verifier can follow the chain to it).
    assert "Абая 10" not in seen and "Беков" not in seen
    item = api.client.get(f"/api/v1/items/{served}", headers=team["defence"]).json()
    assert item["parent_id"] is None and item["location"] is None
    assert item["collected_by"] is None and item["uploaded_by"] is None
    assert set(item["derivation"]) <= {"tool", "version"}
    # The prosecution still sees where it came from.
    mine = api.client.get(f"/api/v1/items/{served}", headers=team["prosecutor"]).json()
    assert mine["parent_id"] == original["id"] and mine["location"] == "Алматы, ул. Абая 10"


def test_a_court_has_the_salt_revealed_on_order(api: Api, team, material) -> None:  # type: ignore[no-untyped-def]
    body = disclose(api, team, [material.original]).json()
    bundle = api.client.get(f"/api/v1/disclosures/{body['id']}/bundle", headers=team["defence"])
    manifest = json.loads(zipfile.ZipFile(io.BytesIO(bundle.content)).read("manifest.json"))
    commitment = {w["id"]: w["commitment"] for w in manifest["withheld"]}[material.original]
    url = f"/api/v1/disclosures/{body['id']}/withheld/{material.original}/reveal"
    order = {"order": "Постановление суда № 2-123/2026"}
    for who in ["defence", "prosecutor", "auditor"]:
        assert api.client.post(url, json=order, headers=team[who]).status_code in {403, 404}, who
    api.user("judge", Role.COURT)
    api.client.post(
        f"/api/v1/cases/{team['case']['id']}/members", json={"username": "judge"},
        headers=team["prosecutor"],
    )  # fmt: skip
    judge = api.token("judge")
    assert api.client.post(url, json={"order": " "}, headers=judge).status_code in {400, 422}
    revealed = api.client.post(url, json=order, headers=judge)
    assert revealed.status_code == 200, revealed.text
    answer = revealed.json()
    original = api.client.get(f"/api/v1/items/{material.original}", headers=judge).json()
    assert answer["sha256"] == original["sha256"] and answer["commitment"] == commitment
    salt = bytes.fromhex(answer["salt"])
    recomputed = hashlib.sha256(b"dalel-withheld/v1\n" + salt + bytes.fromhex(original["sha256"]))
    assert recomputed.hexdigest() == commitment
    assert [a for _, a, _ in api.events("disclosure.withheld.revealed")]


def test_a_duplicate_upload_does_not_show_another_officers_item(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    case_id = team["case"]["id"]
    data = b"the same bytes, twice"
    first = api.client.post(
        f"/api/v1/cases/{case_id}/items",
        files={"file": ("by-first.txt", data, "text/plain")},
        data={"description": "informant's tip", "location": "ул. Абая 10", "collected_by": "Беков"},
        headers=team["officer"],
    )
    assert first.status_code == 201
    api.user("second", Role.OFFICER)
    api.client.post(
        f"/api/v1/cases/{case_id}/members", json={"username": "second"}, headers=team["prosecutor"]
    )
    again = api.client.post(
        f"/api/v1/cases/{case_id}/items",
        files={"file": ("mine.txt", data, "text/plain")},
        headers=api.token("second"),
    )
    assert again.status_code == 200 and again.json()["duplicate"] is True
    shown = again.json()
    assert shown["original_name"] == "mine.txt"
    for field in ("description", "location", "collected_by", "uploaded_by"):
        assert shown[field] is None, field
    # The uploader of the first copy still sees their own item in full.
    own = api.client.post(
        f"/api/v1/cases/{case_id}/items",
        files={"file": ("again.txt", data, "text/plain")},
        headers=team["officer"],
    )
    assert own.json()["location"] == "ул. Абая 10"
