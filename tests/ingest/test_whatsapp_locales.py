"""WhatsApp exports in Russian, English and Kazakh, recognised by their content whatever
the file is called, parsed into messages, and (through the pipeline) searchable by the
sender's name and number."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from ingest.media.chats import parse_chat_export
from ingest.media.detect import Kind, detect
from ingest.media.whatsapp import chat_name, looks_like_whatsapp, parse_whatsapp
from tests.app_kit import Api, make_team

pytest_plugins = ["tests.ingest.conftest_integration"]
ALMATY = timedelta(hours=5)

# Android, Russian locale: «Чат WhatsApp с Ерланом.txt» (the file issue 17 found unread).
RUSSIAN = (
    "21.11.2026, 09:58 - Сообщения и звонки защищены сквозным шифрованием. Никто вне "
    "этого чата не может их прочитать или прослушать.\n"
    "21.11.2026, 10:02 - Ерлан Ерубаев: Встретимся у рынка в 10\n"
    "21.11.2026, 10:03 - \u202a+7 701 123 45 67\u202c: Деньги перевёл\n"
    "проверь до вечера\n"
    "21.11.2026, 10:05 - Ерлан Ерубаев: IMG-20261121-WA0003.jpg (файл добавлен)\n"
    "21.11.2026, 10:06 - Ерлан Ерубаев: <Без медиафайлов>\n"
)
# iOS, English locale, zipped as «WhatsApp Chat - Aigerim.zip» with _chat.txt inside.
ENGLISH = (
    "[11/21/26, 9:58:01\u202fAM] Aigerim: \u200eMessages and calls are end-to-end encrypted.\n"
    "[11/21/26, 10:15:42\u202fAM] Aigerim: See you at the market\n"
    "[11/21/26, 10:16:03\u202fPM] Yerlan Yerubayev: "
    "\u200e<attached: 00000012-PHOTO-2026-11-21.jpg>\n"
)
# Android, Kazakh locale.
KAZAKH = (
    "21.11.2026, 11:00 - Хабарлар мен қоңыраулар өтпелі шифрлаумен қорғалған.\n"
    "21.11.2026, 11:01 - Айгерім: Ертең Жезқазғанға барамын\n"
    "21.11.2026, 11:02 - Ерлан: Жарайды, көлікпен бе?\n"
)


def test_russian_android_export_by_any_name(tmp_path: Path) -> None:
    path = tmp_path / "Чат WhatsApp с Ерланом.txt"
    path.write_text(RUSSIAN, encoding="utf-8")
    assert detect(path=path).kind is Kind.CHAT_EXPORT
    chat = parse_whatsapp(path=path, utc_offset=ALMATY, chat_name=chat_name(path.name))
    assert chat.name == "Ерланом"
    notice, meet, money, photo, omitted = chat.messages
    assert notice.system and notice.sender is None
    assert (meet.sender, meet.text, meet.sent_at) == (
        "Ерлан Ерубаев", "Встретимся у рынка в 10", "2026-11-21T05:02:00+00:00",
    )  # fmt: skip
    assert money.sender == "+7 701 123 45 67"  # direction marks are not part of the number
    assert money.text == "Деньги перевёл\nпроверь до вечера"
    assert photo.attachments[0].path == "IMG-20261121-WA0003.jpg"
    assert omitted.attachments[0].problem == "not_included"


def test_english_ios_export_in_a_zip(tmp_path: Path) -> None:
    zipped = tmp_path / "WhatsApp Chat - Aigerim.zip"
    with zipfile.ZipFile(zipped, "w") as zf:
        zf.writestr("_chat.txt", ENGLISH)
        zf.writestr("00000012-PHOTO-2026-11-21.jpg", b"\xff\xd8\xff")
    assert detect(path=zipped).kind is Kind.CHAT_EXPORT
    folder = tmp_path / "out"
    with zipfile.ZipFile(zipped) as zf:
        zf.extractall(folder)
    [chat] = parse_chat_export(folder=folder, utc_offset=timedelta(0))
    notice, market, photo = chat.messages
    assert notice.system and market.text == "See you at the market"
    assert market.sent_at == "2026-11-21T10:15:42+00:00"  # month first: US locale
    assert photo.sender == "Yerlan Yerubayev" and photo.attachments[0].present
    assert photo.sent_at == "2026-11-21T22:16:03+00:00"


def test_kazakh_android_export_and_other_names(tmp_path: Path) -> None:
    zipped = tmp_path / "export.zip"
    with zipfile.ZipFile(zipped, "w") as zf:
        zf.writestr("WhatsApp чаты: Айгерім.txt", KAZAKH)
        zf.writestr("notes.txt", "21.11.2026 протокол\nобычная заметка\n")
    assert detect(path=zipped).kind is Kind.CHAT_EXPORT
    folder = tmp_path / "out"
    with zipfile.ZipFile(zipped) as zf:
        zf.extractall(folder)
    [chat] = parse_chat_export(folder=folder, utc_offset=ALMATY)  # notes.txt is no chat
    assert chat.name == "Айгерім"
    assert [m.sender for m in chat.messages] == [None, "Айгерім", "Ерлан"]
    assert chat.messages[1].text == "Ертең Жезқазғанға барамын"
    year_first = tmp_path / "WhatsApp Chat with Bob.txt"
    year_first.write_text("2026-11-21, 22:15 - Bob: hi\n2026-11-22, 08:00 - Bob: morning\n")
    assert chat_name(year_first.name) == "Bob"
    hi, morning = parse_whatsapp(path=year_first, utc_offset=timedelta(0)).messages
    assert (hi.sent_at, morning.sent_at) == (
        "2026-11-21T22:15:00+00:00", "2026-11-22T08:00:00+00:00",
    )  # fmt: skip


@pytest.mark.parametrize(
    "head",
    [
        "21.11.2026 протокол допроса\nобычный текст\n",
        "Отчёт\n21.11.2026, 10:00 - начало смены\nдалее текст\n",
        "",
    ],
)
def test_ordinary_text_is_no_chat(head: str) -> None:
    assert not looks_like_whatsapp(head)


def _zip(name: str, body: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(name, body)
    return buf.getvalue()


def test_pipeline_finds_messages_by_sender(sqlite_api: Api) -> None:
    api = sqlite_api
    team = make_team(api)
    case_id = team["case"]["id"]
    response = api.upload(
        case_id, team["prosecutor"], _zip("Чат WhatsApp с Ерланом.txt", RUSSIAN),
        name="WhatsApp Chat - Ерлан.zip",
    )  # fmt: skip
    assert response.status_code == 201, response.text
    chat_id = response.json()["id"]

    def get(path: str, **params: Any) -> Any:
        answer = api.client.get(f"/api/v1{path}", params=params, headers=team["prosecutor"])
        assert answer.status_code == 200, answer.text
        return answer.json()

    messages = get(f"/items/{chat_id}/messages")
    assert [m["sender"] for m in messages][1:3] == ["Ерлан Ерубаев", "+7 701 123 45 67"]
    # The suspect's name finds the messages he sent, though it is not in their text.
    hits = get(f"/cases/{case_id}/search", q="Ерубаев")["hits"]
    assert {h["locator"]["message"] for h in hits} == {"2", "4"}  # 5: media, no text
    assert {h["sender"] for h in hits} == {"Ерлан Ерубаев"}
    by_number = get(f"/cases/{case_id}/search", q="87011234567")["hits"]
    assert [h["locator"]["message"] for h in by_number] == ["3"]
    sent = get(f"/cases/{case_id}/search", q="рынок", sender="Ерубаев", kind="chat")["hits"]
    assert [h["locator"]["message"] for h in sent] == ["2"]
    assert sent[0]["snippet"] == "Встретимся у [рынка] в 10"
    # Neither words nor a sender: a clear 400; an unknown kind: 422 (nothing searched).
    empty = api.client.get(f"/api/v1/cases/{case_id}/search", params={"q": "  "},
                           headers=team["prosecutor"])  # fmt: skip
    assert empty.status_code == 400 and "sender" in empty.json()["detail"]
    wrong = api.client.get(f"/api/v1/cases/{case_id}/search", params={"q": "x", "kind": "video"},
                           headers=team["prosecutor"])  # fmt: skip
    assert wrong.status_code == 422
    only_sender = get(f"/cases/{case_id}/search", sender="+7 701 123 45 67")["hits"]
    assert [h["locator"]["message"] for h in only_sender] == ["3"]
