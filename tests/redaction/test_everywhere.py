"""Issue 15, case-wide "redact this everywhere": one name in three items in three
grammatical cases is proposed in all three, reviewed in one list grouped by item."""

from __future__ import annotations

from redaction.everywhere import find_forms, russian_forms
from tests.app_kit import Api
from tests.redaction.kit import upload_text

TEXTS = {
    "nom.txt": "Свидетель Иванова показала, что видела автомобиль у дома.",
    "gen.txt": "Со слов Ивановой, машина уехала в 22:40.",
    "dat.txt": "Следователь передал повестку Иванову лично.",
    "kk.txt": "Тергеуші Ивановаға хабарласып, Ивановадан түсініктеме алды.",
    "other.txt": "Иванов Пётр и Ивановский район не имеют отношения к делу.",
}


def test_russian_forms_keep_the_gender_typed() -> None:
    assert {"Иванова", "Ивановой", "Иванову"} <= russian_forms("Иванова")
    assert "Иванов" not in russian_forms("Иванова") and "Ивановым" not in russian_forms("Иванова")
    assert {"Иванов", "Иванова", "Ивановым"} <= russian_forms("Иванов")


def test_forms_and_kazakh_endings_found_whole_words_only() -> None:
    text = "Иванова; ИВАНОВОЙ; Иванову; Ивановаға; Иванова-ның; Ивановский; Иванов; 123456"
    found = [text[a:b] for a, b in find_forms(text=text, needle="Иванова")]
    assert found == ["Иванова", "ИВАНОВОЙ", "Иванову", "Ивановаға", "Иванова-ның"]
    assert [text[a:b] for a, b in find_forms(text=text, needle="123456")] == ["123456"]
    assert find_forms(text="1234567", needle="123456") == []


def test_redact_everywhere_in_three_items(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    c, pro = api.client, team["prosecutor"]
    ids = {}
    for name, text in TEXTS.items():
        ids[name] = upload_text(api, team, text)
        r = c.post(
            f"/api/v1/items/{ids[name]}/redactions",
            json={"entities": ["KZ_IIN"]},  # nothing but what we ask for
            headers=pro,
        )
        assert r.status_code == 201, r.text
    never = upload_text(api, team, "Иванова не анализировалась.")  # no plan: listed as skipped
    url = f"/api/v1/cases/{team['case']['id']}/redact-everywhere"

    # A dry run writes nothing and shows the same list.
    r = c.post(url, json={"text": "Иванова", "dry_run": True}, headers=pro)
    assert r.status_code == 200, r.text
    preview = r.json()
    assert all(g["version"] == 1 for g in preview["items"])
    versions = [c.get(f"/api/v1/items/{i}/redactions", headers=pro).json()[0]["version"]
                for i in ids.values()]  # fmt: skip
    assert versions == [1] * len(ids)

    r = c.post(url, json={"text": "Иванова", "reason": "KZ-CPC-art.97-WITNESS"}, headers=pro)
    assert r.status_code == 200, r.text
    result = r.json()
    by_item = {g["item_id"]: g for g in result["items"]}
    found = {name: [p["text"] for p in by_item[i]["proposals"]] for name, i in ids.items()
             if i in by_item}  # fmt: skip
    assert found == {
        "nom.txt": ["Иванова"],
        "gen.txt": ["Ивановой"],
        "dat.txt": ["Иванову"],
        "kk.txt": ["Ивановаға", "Ивановадан"],
    }, found
    assert [g["item_id"] for g in result["items"]] == [ids[n] for n in found]  # case order
    assert {"item_id": never, "name": "protocol.txt", "why": "not analysed"} in result["skipped"]

    def shown(groups: list[dict]) -> list:  # type: ignore[type-arg]
        return [[(p["number"], p["text"], p["target"]) for p in g["proposals"]] for g in groups]

    assert shown(preview["items"]) == shown(result["items"])
    for group in result["items"]:
        assert group["version"] == 2
        for p in group["proposals"]:
            assert p["decision"] == "pending" and p["entity_type"] == "PERSON"
            assert p["reason"] == "KZ-CPC-art.97-WITNESS" and p["note"] is None
    assert {"Иванова", "Ивановой", "Иванову"} <= set(result["forms"][0])

    # Reviewed per item, approved: the rendered copies have every form gone.
    for group in result["items"]:
        v3 = c.patch(
            f"/api/v1/redactions/{group['plan_id']}/proposals",
            json={"default": "accepted"}, headers=pro,
        ).json()  # fmt: skip
        done = c.post(f"/api/v1/redactions/{v3['id']}/approve", headers=pro).json()
        assert done["releasable"] is True, done["residual"]
        content = c.get(f"/api/v1/items/{done['derivative_id']}/content", headers=pro).text
        assert "Иванов" not in content, content

    # Again: nothing new to add, the existing proposals are listed (and none is doubled).
    r = c.post(url, json={"text": "Иванова"}, headers=pro)
    assert r.json()["items"] == [] or all(g["version"] == 2 for g in r.json()["items"])


def test_bad_requests_change_nothing(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    c, pro = api.client, team["prosecutor"]
    item = upload_text(api, team, TEXTS["nom.txt"])
    c.post(f"/api/v1/items/{item}/redactions", json={"entities": ["KZ_IIN"]}, headers=pro)
    url = f"/api/v1/cases/{team['case']['id']}/redact-everywhere"
    assert c.post(url, json={"text": "Иванова", "reason": "NOPE"}, headers=pro).status_code == 422
    assert c.post(url, json={"text": "   "}, headers=pro).status_code == 400
    assert c.post(url, json={"text": ""}, headers=pro).status_code == 422
    r = c.post(url, json={"text": "Иванова"}, headers=team["outsider"])
    assert r.status_code in (403, 404)
    assert c.get(f"/api/v1/items/{item}/redactions", headers=pro).json()[0]["version"] == 1
