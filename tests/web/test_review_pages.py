"""Review pages: case list with filters, sorting and bulk tagging; the item page and its
forms; search and timeline; languages; what outsiders see (nothing, by URL guessing too)."""

from __future__ import annotations

import re

from sqlmodel import select

from evidence import service
from evidence.models import Item
from tests.app_kit import Api
from tests.web.conftest import csrf_of, sign_in


def _items(api: Api, team) -> list[str]:  # type: ignore[no-untyped-def]
    case_id = team["case"]["id"]
    specs = [
        (
            "допрос.mp4",
            "bodycam",
            "2026-11-20T09:00:00+05:00",
            b"\x00\x00\x00\x18ftypmp42" + b"1" * 64,
        ),
        ("photo.jpg", "photo", "2026-11-19T09:00:00+05:00", b"\xff\xd8\xff\xe0" + b"2" * 64),
        ("scan.pdf", "document", "", b"%PDF-1.4 scanned"),
    ]
    ids = []
    for name, source, captured, data in specs:
        fields = {"source_kind": source, **({"captured_at": captured} if captured else {})}
        response = api.upload(case_id, team["investigator"], data, name=name, **fields)
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
    return ids


def _names(html: str) -> list[str]:
    return re.findall(r'<a href="/items/[^"]+">([^<]+)</a>', html)


def test_case_page_filters_sorts_and_bulk_tags(web: Api, team) -> None:  # type: ignore[no-untyped-def]
    ids = _items(web, team)
    case_url = f"/cases/{team['case']['id']}"
    sign_in(web, "investigator")
    page = web.client.get(case_url)
    assert _names(page.text) == ["photo.jpg", "допрос.mp4", "scan.pdf"]  # captured, untimed last
    assert _names(web.client.get(case_url + "?sort=name&order=desc").text)[0] == "допрос.mp4"
    assert _names(web.client.get(case_url + "?q=ДОПРОС").text) == ["допрос.mp4"]
    assert _names(web.client.get(case_url + "?source=photo").text) == ["photo.jpg"]
    assert _names(web.client.get(case_url + "?since=2026-11-20").text) == ["допрос.mp4"]
    tagged = web.client.post(
        f"{case_url}/tags",
        data={
            "csrf": csrf_of(page.text),
            "item": ids[:2],
            "tags": "Suspect, ночь",
            "back": case_url,
        },
    )
    assert tagged.status_code == 200 and "4 tags added." in tagged.text
    assert _names(web.client.get(case_url + "?tag=ночь").text) == ["photo.jpg", "допрос.mp4"]
    forged = web.client.post(f"{case_url}/tags", data={"csrf": "0" * 64, "item": ids, "tags": "x"})
    assert forged.status_code == 403


def test_thumbnail_and_processing_columns(web: Api, team) -> None:  # type: ignore[no-untyped-def]
    ids = _items(web, team)
    with web.session() as session:
        service.register_derivative(
            session=session,
            store=web.client.app.state.store,  # type: ignore[attr-defined]
            parent_id=ids[0],
            source=b"\xff\xd8\xff\xe0thumb",
            name="thumb.jpg",
            derivative_kind="thumbnail",
            derivation={"tool": "test", "version": "1"},
        )
        thumb = session.exec(select(Item.id).where(Item.derivative_kind == "thumbnail")).one()
    sign_in(web, "investigator")
    page = web.client.get(f"/cases/{team['case']['id']}").text
    assert f'src="/api/v1/items/{thumb}/content"' in page
    assert "thumb.jpg" not in page  # derivatives appear on their parent's page, not in the list
    item = web.client.get(f"/items/{ids[0]}").text
    assert "thumb.jpg" in item and f'poster="/api/v1/items/{thumb}/content"' in item


def test_item_page_records_and_annotates(web: Api, team) -> None:  # type: ignore[no-untyped-def]
    ids = _items(web, team)
    csrf = sign_in(web, "investigator")
    before = len(web.events())
    page = web.client.get(f"/items/{ids[0]}")
    assert page.status_code == 200
    new = [a for _, a, i in web.events()[before:] if i == ids[0]]
    assert new == ["item.metadata.read", "item.custody.read"]
    assert '<video id="player"' in page.text and f"/api/v1/items/{ids[0]}/content" in page.text
    url = f"/items/{ids[0]}"
    assert web.client.post(f"{url}/tags", data={"csrf": csrf, "tags": "оружие"}).status_code == 200
    noted = web.client.post(
        f"{url}/notes", data={"csrf": csrf, "body": "Выстрел", "start": "1:05", "end": "1:07"}
    )
    assert noted.status_code == 200 and "Выстрел" in noted.text and "1:05–1:07" in noted.text
    clip = web.client.post(
        f"{url}/clips", data={"csrf": csrf, "start": "0:10", "end": "0:20", "title": "Подход"}
    )
    assert clip.status_code == 200 and "Подход" in clip.text and 'data-t="10.0"' in clip.text
    bad = web.client.post(f"{url}/clips", data={"csrf": csrf, "start": "0:20", "end": "0:10"})
    assert bad.status_code == 400 and "a range ends after it starts" in bad.text
    assert web.client.post(f"{url}/notes", data={"csrf": "0", "body": "x"}).status_code == 403
    image = web.client.get(f"/items/{ids[1]}").text
    assert '<img id="image"' in image and 'name="region"' in image


def test_search_and_timeline_pages(web: Api, team) -> None:  # type: ignore[no-untyped-def]
    ids = _items(web, team)
    csrf = sign_in(web, "investigator")
    web.client.post(
        f"/items/{ids[2]}/notes", data={"csrf": csrf, "body": "Подпись Ахметова", "page": "2"}
    )
    case_url = f"/cases/{team['case']['id']}"
    found = web.client.get(f"{case_url}/search?q=ахметов")
    assert found.status_code == 200
    assert f'href="/items/{ids[2]}?page=2#notes"' in found.text
    assert len(web.events("case.searched")) == 1
    timeline = web.client.get(f"{case_url}/timeline").text
    assert timeline.index("photo.jpg") < timeline.index("допрос.mp4")
    assert "1 item has no captured time" in timeline


def test_languages_dates_and_numbers(web: Api, team) -> None:  # type: ignore[no-untyped-def]
    ids = _items(web, team)
    sign_in(web, "investigator")
    texts = {}
    for lang in ["kk", "ru", "en"]:
        web.client.cookies.set("dalel_lang", lang)
        texts[lang] = web.client.get(f"/items/{ids[0]}").text
        assert f'<html lang="{lang}">' in texts[lang]
    assert "Тегтер" in texts["kk"] and "Теги" in texts["ru"] and "Tags" in texts["en"]
    # 09:00 in Almaty (UTC+5), localised month names and separators.
    assert "20 қар." in texts["kk"] and "20 нояб." in texts["ru"] and "Nov 20, 2026" in texts["en"]
    assert re.search(r"9:00:00\s?AM", texts["en"]) and "09:00:00" in texts["ru"]
    # Without a cookie the browser's preference decides.
    web.client.cookies.delete("dalel_lang")
    ru = web.client.get("/cases", headers={"Accept-Language": "ru-RU,ru;q=0.9,en;q=0.8"})
    assert "Мои дела" in ru.text


def test_outsider_sees_nothing_by_url_guessing(web: Api, team) -> None:  # type: ignore[no-untyped-def]
    ids = _items(web, team)
    csrf = sign_in(web, "investigator")
    web.client.post(f"/items/{ids[0]}/notes", data={"csrf": csrf, "body": "секретная заметка"})
    case_url = f"/cases/{team['case']['id']}"
    for who in ["outsider", "admin", "defence"]:
        csrf = sign_in(web, who)
        assert "Кража" not in web.client.get("/cases").text
        pages = [case_url, f"{case_url}/search?q=секретная", f"{case_url}/timeline"]
        pages += [f"/items/{i}" for i in ids]
        for url in pages:
            response = web.client.get(url)
            assert response.status_code == 403, (who, url)
            for secret in ["Кража", "допрос.mp4", "photo.jpg", "секретная заметка"]:
                assert secret not in response.text, (who, url)
        for url, data in [
            (f"/items/{ids[0]}/tags", {"tags": "x"}),
            (f"/items/{ids[0]}/notes", {"body": "x"}),
            (f"{case_url}/tags", {"item": ids[0], "tags": "x"}),
        ]:
            assert web.client.post(url, data={"csrf": csrf, **data}).status_code == 403
    missing = web.client.get("/items/00000000-0000-0000-0000-000000000000")
    assert missing.status_code == 404
    assert web.events("access.denied")


def test_signed_out_pages_redirect(web: Api, team) -> None:  # type: ignore[no-untyped-def]
    for url in ["/cases", f"/cases/{team['case']['id']}", "/account", "/items/x"]:
        response = web.client.get(url, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == "/login"
