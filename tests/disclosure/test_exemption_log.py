"""Issue 15, exemption log: each hidden region's legal basis travels with the disclosure
bundle and the court export — entity type, basis, approver, time, region — and never the
hidden value; the offline verifier ties the log to the plans the manifest records."""

from __future__ import annotations

import io
import json
import random
import subprocess
import sys
import zipfile
from pathlib import Path

from evidence.models import Role
from redaction import numbers as n
from redaction.residual import normalise_lookalikes
from tests.app_kit import Api
from tests.disclosure.conftest import disclose

IIN = n.make_iin(rng=random.Random(11))
IBAN = n.make_kz_iban(rng=random.Random(11))
PLANTED = {
    "name": "Серікова Айгерім Гүлнұрқызы",
    "iin": IIN,
    "phone": "+7 701 845 23 17",
    "iban": IBAN,
    "address": "Шымкент қаласы, Тәуке хан даңғылы, 12-үй",
    "witness": "Ахметов Ерлан Маратович",
}
TEXT = (
    f"Куәгер {PLANTED['name']}, ЖСН {IIN}, тел. {PLANTED['phone']}, мекенжайы: "
    f"{PLANTED['address']}. Шот {IBAN}.\n"
    f"Свидетель {PLANTED['witness']} показал, что видел автомобиль."
)
WITNESS = "KZ-CPC-art.97-WITNESS"


def _approved(api: Api, team) -> tuple[str, dict]:  # type: ignore[no-untyped-def,type-arg]
    """Upload, analyse, hide everything, give the witness's name its own basis, approve."""
    c, pro = api.client, team["prosecutor"]
    item = api.upload(team["case"]["id"], pro, TEXT.encode(), name="protocol.txt").json()
    plan = c.post(f"/api/v1/items/{item['id']}/redactions", json={}, headers=pro).json()
    found = {p["text"]: p for p in plan["proposals"]}
    assert set(PLANTED.values()) <= set(found), sorted(found)
    witness = found[PLANTED["witness"]]["number"]

    # A basis not in the list: 422, and the plan is unchanged (no new version).
    r = c.patch(
        f"/api/v1/redactions/{plan['id']}/proposals",
        json={"decisions": [{"number": witness, "basis": "BECAUSE-I-SAY-SO"}]},
        headers=pro,
    )
    assert r.status_code == 422 and "BECAUSE-I-SAY-SO" in r.json()["detail"], r.text
    assert c.get(f"/api/v1/items/{item['id']}/redactions", headers=pro).json()[0]["version"] == 1
    r = c.post(
        f"/api/v1/redactions/{plan['id']}/proposals",
        json={"items": [{"target": {"kind": "span", "start": 0, "end": 6}, "reason": "NOPE"}]},
        headers=pro,
    )
    assert r.status_code == 422

    r = c.patch(
        f"/api/v1/redactions/{plan['id']}/proposals",
        json={
            "default": "accepted",
            "decisions": [{"number": witness, "basis": WITNESS, "note": "state protection order"}],
        },
        headers=pro,
    )
    assert r.status_code == 200, r.text
    v2 = r.json()
    row = next(p for p in v2["proposals"] if p["number"] == witness)
    assert row["reason"] == WITNESS and row["note"] == "state protection order"
    done = c.post(f"/api/v1/redactions/{v2['id']}/approve", headers=pro).json()
    assert done["releasable"] is True, done["residual"]
    return item["id"], done


def _assert_no_value(raw: bytes) -> None:
    text = raw.decode()
    flat = normalise_lookalikes(text)
    for what, value in PLANTED.items():
        assert value not in text, what
        assert normalise_lookalikes(value) not in flat, what
    for word in ("Серікова", "Гүлнұрқызы", "Ахметов", "Тәуке", IBAN[4:12], IIN[:8]):
        assert word not in text


def _log_of(archive: zipfile.ZipFile, plan: dict, item_id: str) -> dict:  # type: ignore[type-arg]
    raw = archive.read("exemption-log.json")
    _assert_no_value(raw)
    log = json.loads(raw)
    assert log["format"] == "dalel-exemption-log/1"
    (entry,) = [e for e in log["items"] if e["item"] == item_id]
    (logged,) = entry["plans"]
    assert logged["plan_id"] == plan["id"] and logged["approved_by"] == "prosecutor"
    assert logged["approved_at"].startswith(plan["approved_at"][:16])
    accepted = {p["number"]: p for p in plan["proposals"] if p["decision"] == "accepted"}
    assert {r["number"] for r in logged["regions"]} == set(accepted)
    for region in logged["regions"]:
        source = accepted[region["number"]]
        assert region["entity_type"] == source["entity_type"]
        assert region["basis"] == source["reason"]
        assert region["region"]["kind"] == "span" and "text" not in region
    assert {"KZ-PDL-art.8", WITNESS} <= set(log["bases"])
    assert log["bases"][WITNESS]["ru"].startswith("защита свидетеля")
    # The same log for people, in each language: no value either (read as text).
    heads = {"kk": "Бүркемелеу негіздерінің журналы", "ru": "Журнал оснований обезличивания",
             "en": "Redaction exemption log"}  # fmt: skip
    for lang, head in heads.items():
        pdf = archive.read(f"exemption-log.{lang}.pdf")
        assert pdf.startswith(b"%PDF")
        text = subprocess.run(
            ["pdftotext", "-", "-"], input=pdf, capture_output=True, timeout=60, check=True
        ).stdout
        _assert_no_value(text)
        words = " ".join(text.decode().split())
        assert head in words and plan["id"] in words and WITNESS in words, words
        assert "state protection order" in words  # the reviewer's note
    return log


def _verify(folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "verifier.py", "."], cwd=folder, capture_output=True, text=True,
        timeout=60,
    )  # fmt: skip


def test_bundle_carries_the_exemption_log_and_the_verifier_checks_it(
    api: Api, team, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    item_id, plan = _approved(api, team)
    body = disclose(api, team, [item_id]).json()
    r = api.client.get(f"/api/v1/disclosures/{body['id']}/bundle", headers=team["defence"])
    assert r.status_code == 200, r.text
    archive = zipfile.ZipFile(io.BytesIO(r.content))
    manifest = json.loads(archive.read("manifest.json"))
    (served,) = manifest["items"]
    assert served["redaction_plans"] == [plan["id"]]
    _log_of(archive, plan, served["id"])
    statement = archive.read("statement.txt").decode()
    assert "exemption-log.json" in statement  # signed like every other file

    archive.extractall(tmp_path / "bundle")
    result = _verify(tmp_path / "bundle")
    assert result.returncode == 0, result.stdout + result.stderr

    # A log that names another plan (or drops one) does not verify, and says why.
    path = tmp_path / "bundle" / "exemption-log.json"
    log = json.loads(path.read_text())
    log["items"][0]["plans"][0]["plan_id"] = "another-plan"
    path.write_text(json.dumps(log))
    result = _verify(tmp_path / "bundle")
    assert result.returncode == 1
    assert "exemption log does not match the manifest's redaction plans" in result.stdout
    path.unlink()
    result = _verify(tmp_path / "bundle")
    assert result.returncode == 1 and "redacted, but no exemption log" in result.stdout


def test_court_export_carries_the_exemption_log(api: Api, team, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _, plan = _approved(api, team)
    api.user("judge", Role.COURT)
    api.client.post(
        f"/api/v1/cases/{team['case']['id']}/members", json={"username": "judge"},
        headers=team["prosecutor"],
    )  # fmt: skip
    r = api.client.get(
        f"/api/v1/cases/{team['case']['id']}/court-export", headers=api.token("judge")
    )
    assert r.status_code == 200, r.text
    archive = zipfile.ZipFile(io.BytesIO(r.content))
    manifest = json.loads(archive.read("bundle.json"))
    (redacted,) = [i for i in manifest["items"] if i.get("redaction_plans")]
    assert redacted["id"] == plan["derivative_id"] and redacted["redaction_plans"] == [plan["id"]]
    _log_of(archive, plan, redacted["id"])
    archive.extractall(tmp_path / "export")
    result = _verify(tmp_path / "export")
    assert result.returncode == 0, result.stdout + result.stderr


def test_approval_needs_a_basis_for_every_hidden_region(api: Api, team, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A region whose basis is not in the configured list (a deployment dropped a code, a
    plan from before the list) cannot be approved: 409, the plan stays a draft."""
    from sqlmodel import select

    from redaction.models import RedactionPlan, RedactionProposal

    c, pro = api.client, team["prosecutor"]
    item = api.upload(team["case"]["id"], pro, f"ИИН {IIN}".encode(), name="a.txt").json()
    plan = c.post(f"/api/v1/items/{item['id']}/redactions", json={}, headers=pro).json()
    v2 = c.patch(
        f"/api/v1/redactions/{plan['id']}/proposals", json={"default": "accepted"}, headers=pro
    ).json()
    with api.session() as session:  # a plan written before its code left the list
        (row,) = session.exec(
            select(RedactionProposal).where(RedactionProposal.plan_id == v2["id"])
        )
        row.reason = "KZ-OLD-CODE"
        session.add(row)
        session.commit()
    r = c.post(f"/api/v1/redactions/{v2['id']}/approve", headers=pro)
    assert r.status_code == 409 and "legal basis" in r.json()["detail"], r.text
    with api.session() as session:
        assert session.get(RedactionPlan, v2["id"]).status == "draft"  # type: ignore[union-attr]
    # Choosing a basis from the list (a new version) makes it approvable.
    r = c.patch(
        f"/api/v1/redactions/{v2['id']}/proposals",
        json={"decisions": [{"number": 1, "basis": "KZ-PDL-art.8"}]},
        headers=pro,
    )
    assert r.status_code == 200, r.text
    r = c.post(f"/api/v1/redactions/{r.json()['id']}/approve", headers=pro)
    assert r.status_code == 200 and r.json()["releasable"] is True, r.text


def test_bases_are_listed_in_each_language(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    for language, word in (("kk", "куәгер"), ("ru", "свидетел"), ("en", "witness")):
        r = api.client.get(
            f"/api/v1/redaction-bases?language={language}", headers=team["prosecutor"]
        )
        assert r.status_code == 200
        labels = {b["code"]: b["label"] for b in r.json()}
        assert {"KZ-PDL-art.8", WITNESS, "KZ-STATE-SECRET", "KZ-CPC-art.201-SECRECY"} <= set(labels)
        assert word in labels[WITNESS].lower()
