"""Issue 15, the release gate gates: an approved value read back in any look-alike form
blocks release until the reviewer adds a box or overrides with a recorded reason; labels
speak the language of the text they replace."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import text as sql

from redaction import numbers as n
from redaction.render.text import render_text, span_language
from redaction.residual import (
    Report,
    check_pages,
    is_releasable,
    leaked_values,
    normalise_lookalikes,
)
from tests.app_kit import Api
from tests.redaction.kit import upload_text

IBAN = "KZ63949T83A40A6S42AT"
VALUES = [
    {"number": 1, "entity_type": "KZ_VEHICLE_PLATE", "text": "123ABC02"},
    {"number": 2, "entity_type": "IBAN_CODE", "text": IBAN},
    {"number": 3, "entity_type": "PHONE_NUMBER", "text": "+7 701 845 23 17"},
    {"number": 4, "entity_type": "PERSON", "text": "Серікова Айгерім"},
]


@pytest.mark.parametrize(
    ("read", "number"),
    [
        ("Көлік нөмірі 123АВСО2 тұр", 1),  # Cyrillic А, В, С and О for 0
        ("Көлік нөмірі 123 ABC 02", 1),
        ("Шот К263949Т83А40А6542АТ", 2),  # Cyrillic К, Т, А; Z read as 2, S as 5
        ("Шот KZ63 949T 83A4 0A6S 42AT", 2),
        ("тел. 8 (701) 845-23-17", 3),
        ("тел. +7 7O1 84S 23 I7", 3),
        ("куәгер СЕРIКОВА АЙГЕРIМ", 4),  # Latin I for Kazakh і
    ],
)
def test_values_read_back_in_look_alike_forms_are_leaks(read: str, number: int) -> None:
    assert [leak["number"] for leak in leaked_values(text=read, values=VALUES)] == [number]


def test_placeholders_and_other_values_are_not_leaks() -> None:
    text = "[МЕМ. НӨМІР] тұр, шот [ШОТ], тел. [ТЕЛЕФОН], 124АВСО2, Серікбаев"
    assert leaked_values(text=text, values=VALUES) == []


def test_skeleton() -> None:
    assert normalise_lookalikes("123 АВС О2") == normalise_lookalikes("123ABC02") == "123abc02"
    assert normalise_lookalikes("К2187225") == normalise_lookalikes("KZ187225")


FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


@pytest.mark.skipif(not shutil.which("tesseract"), reason="tesseract missing")
def test_ocr_of_a_page_that_still_shows_the_values_blocks(tmp_path: Path) -> None:
    """The trial's page: the reviewer approved the true values, the output still shows
    them, and tesseract reads them in its own way (the plate as «123АВСО2»)."""
    page = tmp_path / "out.png"
    image = Image.new("RGB", (1500, 380), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, 40)
    for i, line in enumerate(
        ["Көлік нөмірі 123ABC02 қара түсті", f"Шот {IBAN}", "Тел. +7 701 845 23 17"]
    ):
        draw.text((60, 60 + 100 * i), line, fill="black", font=font)
    image.save(page)
    report = Report()
    check_pages(report, path=page, pdf=False, values=VALUES[:3], language="kk")
    result = report.as_dict()
    assert not result["passed"]
    assert {b["number"] for b in result["blocking"] if b["check"] == "ocr"} == {1, 2, 3}, result


def _leaf_details(where: Api, action: str) -> list[dict]:  # type: ignore[type-arg]
    with where.engine.connect() as conn:
        rows = conn.execute(
            sql("SELECT leaf FROM ledger_entry WHERE action = :a ORDER BY idx"), {"a": action}
        )
        return [json.loads(bytes(row[0]))["details"] for row in rows]


def test_blocked_plan_released_only_by_a_box_or_a_recorded_override(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    text = "Свидетель Ерболат видел машину. Потом Ерболат ушёл домой."
    item_id = upload_text(api, team, text)
    c, pro = api.client, team["prosecutor"]
    plan = c.post(
        f"/api/v1/items/{item_id}/redactions", json={"entities": ["KZ_IIN"]}, headers=pro
    ).json()
    start = text.index("Ерболат")
    manual = c.post(
        f"/api/v1/redactions/{plan['id']}/proposals",
        json={"items": [{"target": {"kind": "span", "start": start, "end": start + 7},
                         "entity_type": "PERSON"}]},
        headers=pro,
    ).json()  # fmt: skip
    blocked = c.post(f"/api/v1/redactions/{manual['id']}/approve", headers=pro).json()
    assert blocked["releasable"] is False and blocked["derivative_id"] is None
    plan_id = blocked["id"]

    # Refused, and nothing changes: no reason, a short one, someone who may not approve.
    before = c.get(f"/api/v1/redactions/{plan_id}", headers=pro).json()
    r = c.post(f"/api/v1/redactions/{plan_id}/override", json={}, headers=pro)
    assert r.status_code == 422
    r = c.post(f"/api/v1/redactions/{plan_id}/override", json={"reason": "ok"}, headers=pro)
    assert r.status_code == 422
    r = c.post(
        f"/api/v1/redactions/{plan_id}/override",
        json={"reason": "the second mention is the witness's own signature"},
        headers=team["investigator"],
    )
    assert r.status_code in (403, 404)
    assert c.get(f"/api/v1/redactions/{plan_id}", headers=pro).json() == before
    assert _leaf_details(api, "redaction.residual.overridden") == []

    reason = "the second mention is a street name, not the witness"
    r = c.post(f"/api/v1/redactions/{plan_id}/override", json={"reason": reason}, headers=pro)
    assert r.status_code == 200, r.text
    released = r.json()
    assert released["releasable"] is True and released["derivative_id"]
    assert released["residual"]["passed"] is False  # what the check found stays visible
    assert released["residual"]["override"]["reason"] == reason
    (event,) = _leaf_details(api, "redaction.residual.overridden")
    assert event["reason"] == reason and event["plan_id"] == plan_id and event["blocking"] == 1
    with api.session() as session:
        assert is_releasable(session=session, item_id=released["derivative_id"])
    derived = c.get(f"/api/v1/items/{released['derivative_id']}", headers=pro).json()
    assert derived["derivation"]["residual"] == "overridden"
    # Once is enough.
    r = c.post(f"/api/v1/redactions/{plan_id}/override", json={"reason": reason}, headers=pro)
    assert r.status_code == 409


def test_a_plan_that_passed_cannot_be_overridden(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    iin = n.make_iin(rng=random.Random(5))
    item_id = upload_text(api, team, f"ИИН {iin}.")
    c, pro = api.client, team["prosecutor"]
    plan = c.post(f"/api/v1/items/{item_id}/redactions", json={}, headers=pro).json()
    v2 = c.patch(
        f"/api/v1/redactions/{plan['id']}/proposals", json={"default": "accepted"}, headers=pro
    ).json()
    done = c.post(f"/api/v1/redactions/{v2['id']}/approve", headers=pro).json()
    assert done["releasable"] is True
    r = c.post(
        f"/api/v1/redactions/{v2['id']}/override", json={"reason": "no reason at all"}, headers=pro
    )
    assert r.status_code == 409


MIXED = (
    "Протокол допроса. Свидетель Ахметов Ерлан показал следующее.\n"
    "Куәгердің айтуынша, Серікова Айгерім Гүлнұрқызы кеше үйге келді және телефон "
    "нөмірін қалдырды.\n"
    "Witness statement: Mr. John Miller saw the car near the house."
)


def test_labels_in_the_language_of_the_text_they_replace() -> None:
    spans = []
    for name in ("Ахметов Ерлан", "Серікова Айгерім Гүлнұрқызы", "John Miller"):
        start = MIXED.index(name)
        spans.append(_Span(start, start + len(name), "PERSON"))
    assert [span_language(MIXED, s.start, s.end) for s in spans] == ["ru", "kk", "en"]
    out = render_text(text=MIXED, spans=spans, language="auto").text
    assert "[ЛИЦО 1]" in out and "[ТҰЛҒА 2]" in out and "[PERSON 3]" in out, out
    # An explicit language still labels everything in it.
    assert render_text(text=MIXED, spans=spans, language="en").text.count("[PERSON") == 3


def test_approved_text_item_labels_each_language(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    item_id = upload_text(api, team, MIXED)
    c, pro = api.client, team["prosecutor"]
    plan = c.post(f"/api/v1/items/{item_id}/redactions", json={}, headers=pro).json()
    v2 = c.patch(
        f"/api/v1/redactions/{plan['id']}/proposals", json={"default": "accepted"}, headers=pro
    ).json()
    done = c.post(f"/api/v1/redactions/{v2['id']}/approve", headers=pro).json()
    content = c.get(f"/api/v1/items/{done['derivative_id']}/content", headers=pro).text
    assert "[ЛИЦО" in content and "[ТҰЛҒА" in content and "[PERSON" in content, content


class _Span:
    def __init__(self, start: int, end: int, entity_type: str) -> None:
        self.start, self.end, self.entity_type = start, end, entity_type


@pytest.mark.parametrize("api", ["sqlite"], indirect=True)
def test_review_page_bases_notes_and_override(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    """On the page: each proposal's basis is a list of the configured bases, with a note;
    a blocked plan offers the override with a reason, in the page's language."""
    import re

    from tests.evidence.conftest import PASSWORD
    from tests.login_form import post_login

    def csrf(html: str) -> str:
        return re.search(r'name="csrf" value="([0-9a-f]+)"', html).group(1)  # type: ignore[union-attr]

    text = "Свидетель Ерболат видел машину. Потом Ерболат ушёл домой."
    item_id = upload_text(api, team, text)
    web = api.client
    web.cookies.clear()
    web.get("/lang/ru")
    post_login(web, {"username": "prosecutor", "password": PASSWORD})
    start = web.get(f"/items/{item_id}/redaction")
    r = web.post(f"/items/{item_id}/redaction", data={"csrf": csrf(start.text), "language": "ru"})
    page = r.text
    assert "Правовое основание" in page or "правовое основание" in page.lower()
    assert "защита свидетеля или потерпевшего" in page  # a basis, by its Russian name
    numbers = re.findall(r'name="b-(\d+)"', page)
    assert numbers, page
    first = numbers[0]
    form = {"csrf": csrf(page), "default": "rejected", f"d-{first}": "accepted",
            f"b-{first}": "KZ-CPC-art.97-WITNESS", f"n-{first}": "охрана свидетеля"}  # fmt: skip
    for other in numbers[1:]:
        form[f"b-{other}"] = "KZ-PDL-art.8"  # unchanged: not counted as a change
    r = web.post(str(r.url).replace("/review", "/review/decisions"), data=form)
    assert r.status_code == 200, r.text
    assert "правовые основания: 1, примечания: 1" in r.text  # the version's change, in Russian
    plan_id = str(r.url).split("/redactions/")[1].split("/")[0]
    plan = api.client.get(f"/api/v1/redactions/{plan_id}", headers=team["prosecutor"]).json()
    chosen = next(p for p in plan["proposals"] if str(p["number"]) == first)
    assert chosen["reason"] == "KZ-CPC-art.97-WITNESS" and chosen["note"] == "охрана свидетеля"
    # An unknown code from a forged form is refused, and nothing changes.
    r2 = web.post(
        str(r.url).replace("/review", "/review/decisions"),
        data={"csrf": csrf(r.text), f"b-{first}": "NOPE"},
    )
    assert r2.status_code == 409
    r = web.post(str(r.url).replace("/review", "/review/approve"), data={"csrf": csrf(r.text)})
    assert r.status_code == 200
    assert "Выпустить по этой причине" in r.text, r.text  # blocked: a mention is kept
    r = web.post(
        str(r.url).replace("/review", "/review/override"),
        data={"csrf": csrf(r.text), "reason": "второе упоминание — название улицы"},
    )
    assert r.status_code == 200 and "второе упоминание — название улицы" in r.text
    assert "Блокировку снял" in r.text
