"""The case search page: matching words marked (escaped, not trusted as HTML), filters
by kind and chat sender, similar names labelled, the help in kk/ru/en, every search
recorded."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import text

from evidence.web.search_views import marked
from ingest.search import Entry, replace_entries
from tests.app_kit import Api
from tests.web.conftest import sign_in


def _indexed(web: Api, team) -> str:  # type: ignore[no-untyped-def]
    case_id = team["case"]["id"]
    response = web.upload(case_id, team["investigator"], b"chat export", name="chat.txt")
    assert response.status_code == 201, response.text
    item_id = str(response.json()["id"])
    with web.session() as session:
        replace_entries(
            session=session, case_id=case_id, item_id=item_id, source="chat",
            entries=[
                Entry("Встретимся у рынка <b>в 10</b>", {"message": "1", "position": 0},
                      "Ерлан Ерубаев", datetime(2026, 11, 20, 5, tzinfo=UTC)),
                Entry("Деньги у рынка", {"message": "2", "position": 1}, "+7 701 123 45 67",
                      datetime(2026, 11, 21, 5, tzinfo=UTC)),
                Entry("Еробаев придёт", {"message": "3", "position": 2}, "Айгерім"),
            ],
        )  # fmt: skip
        session.commit()
    return item_id


def test_search_page_marks_filters_and_records(web: Api, team) -> None:  # type: ignore[no-untyped-def]
    item_id = _indexed(web, team)
    sign_in(web, "investigator")
    url = f"/cases/{team['case']['id']}/search"
    page = web.client.get(url, params={"q": "рынок"})
    assert page.status_code == 200
    assert "<mark>рынка</mark> &lt;b&gt;в 10&lt;/b&gt;" in page.text  # the text stays text
    assert page.text.count(f'href="/items/{item_id}?msg=') == 2
    assert "Ерлан Ерубаев" in page.text and "+7 701 123 45 67" in page.text
    only = web.client.get(url, params={"q": "рынок", "sender": "87011234567", "kind": "chat"})
    assert only.text.count(f'href="/items/{item_id}?msg=1&amp;mark=%D1%80%D1%8B%D0%BD') == 1
    assert f'href="/items/{item_id}?msg=0' not in only.text
    by_sender = web.client.get(url, params={"sender": "Ерубаев"})
    assert by_sender.text.count(f"/items/{item_id}?msg=") == 1
    fuzzy = web.client.get(url, params={"q": "Yerubayev"})
    assert "similar name" in fuzzy.text and "<mark>Еробаев</mark>" in fuzzy.text
    dated = web.client.get(url, params={"q": "рынок", "since": "2026-11-21"})
    assert dated.text.count(f"/items/{item_id}?msg=") == 1
    bad = web.client.get(url, params={"q": "рынок", "since": "21.11.2026"})
    assert bad.status_code == 400
    with web.engine.connect() as conn:
        leaves = conn.execute(
            text("SELECT leaf FROM ledger_entry WHERE action = 'case.searched' ORDER BY idx")
        ).scalars()
        queries = [json.loads(leaf)["details"]["query"] for leaf in leaves]
    # Every search is recorded, with its sender; bad input (the date) changes nothing.
    assert queries == ["рынок", "рынок sender:87011234567", "sender:Ерубаев", "Yerubayev",
                       "рынок"]  # fmt: skip


def test_search_help_in_three_languages(web: Api, team) -> None:  # type: ignore[no-untyped-def]
    sign_in(web, "investigator")
    url = f"/cases/{team['case']['id']}/search"
    expected = {"kk": "Тырнақшадағы сөздер", "ru": "Слова в кавычках", "en": "Words in quotes"}
    for lang, words in expected.items():
        web.client.cookies.set("dalel_lang", lang)
        assert words in web.client.get(url).text


def test_marked_never_trusts_the_text() -> None:
    assert str(marked("a [<i>] b", [[3, 6]])) == "a <mark>&lt;i&gt;</mark> b"
    assert str(marked("<x>", [[0, 9]])) == "&lt;x&gt;"  # offsets that do not fit: plain text
