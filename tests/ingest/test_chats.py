"""Telegram and WhatsApp exports: fixed samples plus generated round trips."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.errors import ChatExportInvalid
from ingest.media.chats import flatten_telegram_text, parse_chat_export, parse_telegram
from ingest.media.whatsapp import parse_whatsapp

ALMATY = timedelta(hours=5)


def _telegram_export(folder: Path) -> Path:
    (folder / "photos").mkdir(parents=True, exist_ok=True)
    (folder / "photos" / "photo_1@02-01-2023_10-11-12.jpg").write_bytes(b"\xff\xd8\xff")
    data = {
        "name": "Айгүл",
        "type": "personal_chat",
        "id": 4242,
        "messages": [
            {
                "id": 1, "type": "service", "date": "2023-01-02T15:00:00",
                "date_unixtime": "1672653600", "actor": "Айгүл", "actor_id": "user7",
                "action": "phone_call", "text": "", "text_entities": [],
            },
            {
                "id": 2, "type": "message", "date": "2023-01-02T15:11:12",
                "date_unixtime": "1672654272", "from": "Иван", "from_id": "user9",
                "text": ["Встреча ", {"type": "bold", "text": "завтра"}, " в 10:00"],
                "text_entities": [
                    {"type": "plain", "text": "Встреча "},
                    {"type": "bold", "text": "завтра"},
                    {"type": "plain", "text": " в 10:00"},
                ],
            },
            {
                "id": 3, "type": "message", "date": "2023-01-02T15:12:00",
                "date_unixtime": "1672654320", "from": "Айгүл", "from_id": "user7",
                "reply_to_message_id": 2, "photo": "photos/photo_1@02-01-2023_10-11-12.jpg",
                "text": "", "edited": "2023-01-02T15:13:00", "edited_unixtime": "1672654380",
            },
            {
                "id": 4, "type": "message", "date": "2023-01-02T15:14:00",
                "date_unixtime": "1672654440", "from": "Иван", "from_id": "user9",
                "file": "(File not included. Change data exporting settings to download.)",
                "media_type": "voice_message", "text": "",
                "forwarded_from": "Канал",
            },
            {
                "id": 5, "type": "message", "date": "2023-01-02T15:15:00",
                "date_unixtime": "1672654500", "from": "Иван", "from_id": "user9",
                "file": "../../../etc/passwd", "text": "https://t.me/x",
                "text_entities": [{"type": "link", "text": "https://t.me/x"}],
            },
        ],
    }  # fmt: skip
    path = folder / "result.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_telegram_single_chat(tmp_path: Path) -> None:
    path = _telegram_export(tmp_path)
    [chat] = parse_telegram(path=path)
    assert (chat.platform, chat.name, chat.chat_type, chat.chat_id) == (
        "telegram", "Айгүл", "personal_chat", "4242",
    )  # fmt: skip
    call, text, photo, voice, link = chat.messages
    assert call.system and call.sender == "Айгүл" and call.text == "phone_call"
    assert text.text == "Встреча завтра в 10:00" and text.sender_id == "user9"
    assert text.sent_at == "2023-01-02T10:11:12+00:00"  # unixtime, not the local `date`
    assert photo.reply_to == "2" and photo.edited_at == "2023-01-02T10:13:00+00:00"
    assert [(a.path, a.kind, a.present) for a in photo.attachments] == [
        ("photos/photo_1@02-01-2023_10-11-12.jpg", "photo", True)
    ]
    assert voice.attachments[0].problem == "not_included"
    assert voice.attachments[0].kind == "voice_message" and voice.forwarded_from == "Канал"
    assert link.attachments[0].problem == "path_traversal"
    json.dumps(chat.as_dict(), ensure_ascii=False)


def test_telegram_full_export_and_old_format(tmp_path: Path) -> None:
    data = {
        "about": "Telegram Desktop export",
        "chats": {"list": [{"name": "A", "type": "saved_messages", "id": 1, "messages": [
            {"id": 10, "type": "message", "date": "2020-05-01T12:00:00", "from": "Me",
             "text": "old export without unixtime"}]}]},
        "left_chats": {"list": [{"name": "B", "type": "private_group", "id": 2, "messages": []}]},
    }  # fmt: skip
    path = tmp_path / "result.json"
    path.write_text(json.dumps(data))
    chats = parse_telegram(path=path, utc_offset=ALMATY)
    assert [c.name for c in chats] == ["A", "B"]
    assert chats[0].messages[0].sent_at == "2020-05-01T07:00:00+00:00"
    # Without an offset, an old export's local time is not guessed.
    assert parse_telegram(path=path)[0].messages[0].sent_at is None


def test_telegram_broken(tmp_path: Path) -> None:
    bad = tmp_path / "result.json"
    bad.write_text("{not json")
    with pytest.raises(ChatExportInvalid):
        parse_telegram(path=bad)
    bad.write_text("[]")
    with pytest.raises(ChatExportInvalid):
        parse_telegram(path=bad)


IOS_SAMPLE = (
    "\u200e[02.01.23, 10:11:12] Группа: \u200eСообщения и звонки защищены сквозным шифрованием.\n"
    "[02.01.23, 10:11:12] Иван Петров: Привет\nвторая строка\n"
    "\u200e[13.01.23, 22:00:01] Иван Петров: "
    "\u200e<attached: 00000012-PHOTO-2023-01-13-22-00-01.jpg>\n"
    "[13.01.23, 22:01:00] +7 701 123 4567: \u200eimage omitted\n"
)
ANDROID_SAMPLE = (
    "13/01/2023, 22:00 - Messages and calls are end-to-end encrypted.\n"
    "13/01/2023, 22:01 - Айгүл: IMG-20230113-WA0001.jpg (file attached)\nқолтаңба\n"
    "01/02/2023, 09:05 - Айгүл: <Media omitted>\n"
)


def test_whatsapp_ios(tmp_path: Path) -> None:
    (tmp_path / "_chat.txt").write_text(IOS_SAMPLE, encoding="utf-8")
    (tmp_path / "00000012-PHOTO-2023-01-13-22-00-01.jpg").write_bytes(b"\xff\xd8")
    [chat] = parse_chat_export(folder=tmp_path, utc_offset=ALMATY)
    notice, hello, photo, omitted = chat.messages
    assert notice.system and "шифрованием" in notice.text
    assert hello.text == "Привет\nвторая строка" and not hello.system
    assert hello.sent_at == "2023-01-02T05:11:12+00:00"
    assert photo.text == "" and photo.attachments[0].present
    assert photo.attachments[0].kind == "photo"
    assert omitted.sender == "+7 701 123 4567" and omitted.attachments[0].problem == "not_included"


def test_whatsapp_android_and_us_dates(tmp_path: Path) -> None:
    path = tmp_path / "chat.txt"
    path.write_text(ANDROID_SAMPLE, encoding="utf-8")
    chat = parse_whatsapp(path=path, utc_offset=ALMATY)
    notice, photo, omitted = chat.messages
    assert notice.system and notice.sender is None
    assert photo.text == "қолтаңба" and photo.attachments[0].path == "IMG-20230113-WA0001.jpg"
    assert photo.attachments[0].problem == "missing"
    assert omitted.sent_at == "2023-02-01T04:05:00+00:00"  # day-first (13/01 settles it)
    us = tmp_path / "us.txt"
    us.write_text("[1/13/23, 10:05:00\u202fPM] Bob: hi\n[2/1/23, 12:00:00 AM] Bob: midnight\n")
    hi, midnight = parse_whatsapp(path=us, utc_offset=timedelta(0)).messages
    assert hi.sent_at == "2023-01-13T22:05:00+00:00"
    assert midnight.sent_at == "2023-02-01T00:00:00+00:00"


def test_whatsapp_not_an_export(tmp_path: Path) -> None:
    path = tmp_path / "_chat.txt"
    path.write_text("just a note\n")
    with pytest.raises(ChatExportInvalid):
        parse_whatsapp(path=path, utc_offset=ALMATY)
    (tmp_path / "empty").mkdir()
    with pytest.raises(ChatExportInvalid):
        parse_chat_export(folder=tmp_path / "empty", utc_offset=ALMATY)


# ----------------------------------------------------------------- round trips

names = st.text(
    alphabet=st.sampled_from(
        "АБВГДЕЖЗИКЛМНОПРСТУФӘҒҚҢӨҰҮҺІабвгдеёжзийклмнопрстуфәғқңөұүһіAZaz +0123456789_"
    ),
    min_size=1, max_size=20,
).map(str.strip).filter(lambda s: s and ": " not in s and not s.startswith("\u200e"))  # fmt: skip
line_text = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs", "Cc", "Zl", "Zp"), blacklist_characters="\u200e\u202f<>\x85"
    ),
    min_size=1, max_size=40,
).map(str.strip).filter(bool)  # fmt: skip
bodies = st.lists(line_text, min_size=1, max_size=3).map("\n".join)
times = st.datetimes(min_value=datetime(2015, 1, 1), max_value=datetime(2035, 12, 31)).map(
    lambda d: d.replace(microsecond=0)
)
messages = st.lists(st.tuples(names, times, bodies), min_size=1, max_size=15)
_HEADERISH = re.compile(r"^\[?\d{1,2}[./-]\d{1,2}[./-]\d{2,4}")


def _plausible(body: str) -> bool:
    """Continuation lines must not look like a new message, or omitted media."""
    return not any(_HEADERISH.match(line) for line in body.splitlines()) and not re.search(
        r"omitted|отсутствует|file attached|файл", body, re.IGNORECASE
    )


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(msgs=messages, ios=st.booleans(), offset_h=st.integers(-12, 14))
def test_whatsapp_round_trip(
    tmp_path: Path, msgs: list[tuple[str, datetime, str]], ios: bool, offset_h: int
) -> None:
    msgs = [m for m in msgs if _plausible(m[2])]
    if not msgs:
        return
    lines = []
    for sender, when, body in msgs:
        if ios:
            lines.append(f"[{when:%d.%m.%y, %H:%M:%S}] {sender}: {body}")
        else:
            lines.append(f"{when:%d/%m/%Y, %H:%M} - {sender}: {body}")
    path = tmp_path / f"rt-{ios}.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    offset = timedelta(hours=offset_h)
    chat = parse_whatsapp(path=path, utc_offset=offset, day_first=True)
    assert len(chat.messages) == len(msgs)
    for parsed, (sender, when, body) in zip(chat.messages, msgs, strict=True):
        assert parsed.sender == sender
        assert parsed.text == body
        local = when if ios else when.replace(second=0)
        assert parsed.sent_at == (local - offset).replace(tzinfo=UTC).isoformat()


entity = st.one_of(
    line_text,
    st.fixed_dictionaries(
        {"type": st.sampled_from(["bold", "italic", "link", "mention", "phone"]), "text": line_text}
    ),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    items=st.lists(
        st.tuples(names, st.integers(1_400_000_000, 2_000_000_000), st.lists(entity, max_size=5)),
        min_size=1,
        max_size=10,
    )
)
def test_telegram_round_trip(tmp_path: Path, items: list[tuple[str, int, list]]) -> None:
    messages = [
        {
            "id": i, "type": "message", "from": sender, "from_id": f"user{i}",
            "date": "2000-01-01T00:00:00", "date_unixtime": str(unix), "text": parts,
            **({"reply_to_message_id": i - 1} if i > 1 else {}),
        }
        for i, (sender, unix, parts) in enumerate(items, 1)
    ]  # fmt: skip
    path = tmp_path / "result.json"
    path.write_text(
        json.dumps({"name": "x", "type": "personal_chat", "id": 1, "messages": messages})
    )
    [chat] = parse_telegram(path=path)
    for parsed, (sender, unix, parts) in zip(chat.messages, items, strict=True):
        assert parsed.sender == sender
        assert parsed.text == flatten_telegram_text(parts)
        assert parsed.text == "".join(p if isinstance(p, str) else p["text"] for p in parts)
        assert parsed.sent_at == datetime.fromtimestamp(unix, UTC).isoformat()
    assert [m.reply_to for m in chat.messages] == [None] + [str(i) for i in range(1, len(items))]
