"""WhatsApp chat export (a text file plus media files) → messages.

Recognised by content, not by name: the file is `_chat.txt` (iOS), «WhatsApp Chat with
….txt», «Чат WhatsApp с ….txt», «WhatsApp чаты: ….txt» or whatever the phone's
language calls it. Two line shapes exist, with many locale variants of each:
  iOS      `[02.01.23, 10:11:12] Name: text`  (also `[1/2/23, 10:11:12 AM]`)
  Android  `02/01/2023, 10:11 - Name: text`   (also `02.01.2023, 10:11 - ...`,
           `2023-01-02, 10:11 - ...`, `1/2/23, 10:11 PM - ...`)
A line that does not start a message continues the previous one. Times are the
phone's local wall clock, so the caller passes the UTC offset. Whether dates are
day-first is decided from the whole file (a field above 12 settles it), defaulting
to day-first as Kazakh and Russian locales write them; a four-digit first field is a
year (year-month-day).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from ingest.errors import ChatExportInvalid
from ingest.media.chats import Attachment, Chat, Message, make_attachment

WHATSAPP_NAMES = {"_chat.txt", "chat.txt"}
_DATE = r"(?P<date>\d{4}[./-]\d{1,2}[./-]\d{1,2}|\d{1,2}[./-]\d{1,2}[./-]\d{2,4})\.?"
_TIME = r"(?P<time>\d{1,2}:\d{2}(?::\d{2})?(?:[\s\u202f\u00a0]?[AaPp]\.?\s?[Mm]\.?)?)"
_IOS = re.compile(rf"^\u200e?\[{_DATE},?\s{_TIME}\]\s(?P<rest>.*)$")
_ANDROID = re.compile(rf"^\u200e?{_DATE},?\s{_TIME}\s[-–]\s(?P<rest>.*)$")
# Direction marks phones put around numbers and names (+7 701... as "\u202a+7 701\u202c").
_BIDI = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# What the export's file name says before the chat's name, in the languages we meet.
_NAME_PREFIX = re.compile(
    r"^(?:WhatsApp Chat (?:with|mit|con|avec|com|-)|WhatsApp Chat|Чат WhatsApp с|"
    r"Чат WhatsApp -|WhatsApp чаты:?|WhatsApp чат|Чат WhatsApp)\s*",
    re.IGNORECASE,
)
SNIFF_BYTES = 8192  # how much of a text file recognition reads
_ATTACHED = re.compile(r"<(?:attached|прикреплено|тіркелген):\s*(?P<name>[^>]+)>")
_FILE_ATTACHED = re.compile(
    r"^(?P<name>\S[^\n]*?)\s\((?:file attached|файл добавлен|файл тіркелді|файл прикреплен)\)"
)
_OMITTED = re.compile(
    r"^(?:<Media omitted>|<Без медиафайлов>|<Медиафайлдарсыз>|"
    r"(?:image|video|audio|sticker|GIF|document) omitted|"
    r"(?:изображение|видео|аудио|стикер|GIF) отсутствует)$",
    re.IGNORECASE,
)
_KIND_BY_PREFIX = {"IMG": "photo", "PHOTO": "photo", "VID": "video", "VIDEO": "video"}
_KIND_BY_PREFIX |= {"AUD": "audio", "AUDIO": "audio", "PTT": "voice_message", "STK": "sticker"}


def looks_like_whatsapp(head: str) -> bool:
    """Whether the start of a text file is a WhatsApp export: its first lines are dated
    message lines (two of the first 30 lines, or every line of a one-line export)."""
    lines = [line for line in head.replace("\r", "\n").split("\n")[:30] if line.strip()]
    dated = sum(1 for line in lines if _split_header(line.lstrip("\ufeff")) is not None)
    return dated >= 2 or (dated == 1 and len(lines) == 1)


def sniff(path: Path) -> bool:
    """`looks_like_whatsapp` on the first bytes of a file (never raises)."""
    try:
        with path.open("rb") as fh:
            head = fh.read(SNIFF_BYTES).decode("utf-8", "replace")
    except OSError:
        return False
    return looks_like_whatsapp(head)


def chat_name(file_name: str) -> str | None:
    """The chat's name from the export's file name («Чат WhatsApp с Иваном.txt» → «Иваном»);
    None for `_chat.txt` and the like."""
    stem = Path(file_name).stem
    if file_name.lower() in WHATSAPP_NAMES:
        return None
    return _NAME_PREFIX.sub("", stem).strip() or None


def _split_header(line: str) -> tuple[str, str, str, bool] | None:
    for pattern, ios in ((_IOS, True), (_ANDROID, False)):
        m = pattern.match(line)
        if m:
            return m.group("date"), m.group("time"), m.group("rest"), ios
    return None


def _day_first(dates: list[str]) -> bool:
    for d in dates:
        a, b, _ = re.split(r"[./-]", d)
        if len(a) == 4:  # year first: no question to settle
            continue
        if int(a) > 12:
            return True
        if int(b) > 12:
            return False
    return True


def _parse_time(date: str, clock: str, day_first: bool, utc_offset: timedelta) -> str:
    first, second, third = re.split(r"[./-]", date)
    if len(first) == 4:  # 2023-01-02
        year, month, day = int(first), int(second), int(third)
    else:
        a, b, year = int(first), int(second), int(third)
        day, month = (a, b) if day_first else (b, a)
        year = year + 2000 if year < 100 else year
    clock = clock.replace("\u202f", " ").replace("\u00a0", " ").replace(".", "").strip()
    pm = clock[-2:].upper() == "PM"
    am = clock[-2:].upper() == "AM"
    hms = [int(x) for x in clock.rstrip("AaPpMm ").split(":")]
    hour = hms[0] % 12 + (12 if pm else 0) if (am or pm) else hms[0]
    local = datetime(year, month, day, hour, hms[1], hms[2] if len(hms) > 2 else 0)
    return local.replace(tzinfo=timezone(utc_offset)).astimezone(UTC).isoformat()


def _kind(name: str) -> str:
    stem = re.sub(r"^\d+-", "", name)  # iOS: 00000012-PHOTO-2023-...
    prefix = re.split(r"[-_]", stem, maxsplit=1)[0].upper()
    return _KIND_BY_PREFIX.get(prefix, "file")


def _ios_system(text: str) -> bool:
    """iOS writes system notices as 'Chat name: \u200eMessages and calls are...'.

    Attachments and omitted-media notes carry the same mark, so they are excluded.
    """
    if not text.startswith("\u200e"):
        return False
    bare = text.replace("\u200e", "").strip()
    return not _ATTACHED.search(bare) and not _OMITTED.match(bare)


def _body(text: str, folder: Path) -> tuple[str, list[Attachment]]:
    """Pull attachment markers out of a message body; what remains is the caption."""
    attachments: list[Attachment] = []

    def take(m: re.Match[str]) -> str:
        name = m.group("name").strip()
        attachments.append(make_attachment(folder, name, _kind(name)))
        return ""

    text = _ATTACHED.sub(take, text)
    first, _, rest = text.partition("\n")
    if _FILE_ATTACHED.match(first):
        first = _FILE_ATTACHED.sub(take, first, count=1)
        text = (first + ("\n" + rest if rest else "")).strip()
    if _OMITTED.match(text.strip()):
        attachments.append(Attachment(path="", kind="media", present=False, problem="not_included"))
        text = ""
    return text.strip(), attachments


def parse_whatsapp(
    *,
    path: Path | str,
    utc_offset: timedelta,
    day_first: bool | None = None,
    chat_name: str | None = None,
) -> Chat:
    """Parse `_chat.txt`; attachments resolve against its folder."""
    path = Path(path)
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ChatExportInvalid(f"{path.name}: not a readable WhatsApp export ({exc})") from exc
    headers: list[tuple[tuple[str, str, str, bool], list[str]]] = []
    preamble: list[str] = []
    for line in raw.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        parsed = _split_header(line)
        if parsed:  # marks inside the sender ("\u202a+7 701 …\u202c") are not the name
            date, clock, rest, ios = parsed
            sender, sep, text = rest.partition(": ")
            if sep:
                parsed = (date, clock, _BIDI.sub("", sender) + sep + text, ios)
        if parsed:
            headers.append((parsed, []))
        elif headers:
            headers[-1][1].append(line)
        elif line.strip():
            preamble.append(line)
    if not headers:
        raise ChatExportInvalid(f"{path.name}: no WhatsApp message lines found")
    if day_first is None:
        day_first = _day_first([h[0][0] for h in headers])
    notes = [f"{len(preamble)} line(s) before the first message ignored"] if preamble else []
    messages = []
    for index, ((date, clock, rest, ios), more) in enumerate(headers, 1):
        body = "\n".join([rest, *more]).rstrip("\n")
        sender, sep, text = body.partition(": ")
        system = not sep or "\n" in sender
        if system:
            sender, text = "", body
        system = system or (ios and _ios_system(text))
        text = text.replace("\u200e", "")
        text, attachments = _body(text, path.parent)
        try:
            sent_at = _parse_time(date, clock, day_first, utc_offset)
        except ValueError as exc:
            notes.append(f"message {index}: bad date {date} {clock} ({exc})")
            sent_at = None
        messages.append(
            Message(
                id=str(index),
                sender=sender.replace("\u200e", "").strip() or None,
                sent_at=sent_at,
                text=text,
                attachments=attachments,
                system=system,
            )
        )
    return Chat(
        platform="whatsapp",
        name=chat_name,
        chat_type=None,
        chat_id=None,
        messages=messages,
        notes=notes,
    )
