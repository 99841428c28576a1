"""Telegram Desktop and WhatsApp chat exports → messages with UTC times and attachments.

Attachments are paths relative to the export folder (the same relative paths the
archive unpacker records), so the job can link each message to its child item.
A path that is missing, or that tries to leave the export folder, is kept with a
flag rather than dropped: what the export claims is part of the evidence.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from ingest.errors import ChatExportInvalid
from ingest.media.archive import safe_relative_path

# Telegram writes this instead of a path when media was excluded from the export.
_TG_NOT_INCLUDED = "(File not included"
_TG_MEDIA_KEYS = ("photo", "file", "thumbnail")


@dataclass(frozen=True, slots=True)
class Attachment:
    path: str  # relative to the export folder, as written in the export
    kind: str  # photo, file, video_file, voice_message, sticker, ...
    present: bool  # the file exists in the export folder
    problem: str | None = None  # not_included, missing, path_traversal, absolute_path


@dataclass(slots=True)
class Message:
    id: str
    sender: str | None
    sent_at: str | None  # UTC ISO 8601
    text: str
    sender_id: str | None = None
    reply_to: str | None = None
    attachments: list[Attachment] = field(default_factory=list)
    system: bool = False  # service message (joins, calls, encryption notices)
    edited_at: str | None = None
    forwarded_from: str | None = None


@dataclass(slots=True)
class Chat:
    platform: str  # "telegram" or "whatsapp"
    name: str | None
    chat_type: str | None
    chat_id: str | None
    messages: list[Message]
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def make_attachment(folder: Path, raw: str, kind: str) -> Attachment:
    """An export's attachment reference, checked: inside the folder, present or why not."""
    if raw.startswith(_TG_NOT_INCLUDED):
        return Attachment(path="", kind=kind, present=False, problem="not_included")
    rel, problem = safe_relative_path(raw)
    if rel is None:
        return Attachment(path=raw, kind=kind, present=False, problem=problem)
    present = (folder / rel).is_file()
    return Attachment(path=rel, kind=kind, present=present, problem=None if present else "missing")


# ---------------------------------------------------------------- Telegram


def flatten_telegram_text(value: Any) -> str:
    """Telegram `text`/`text_entities`: a string, or a list of strings and {type, text}."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "".join(
            part if isinstance(part, str) else str(part.get("text", ""))
            for part in value
            if isinstance(part, str | dict)
        )
    return ""


def _tg_time(msg: dict[str, Any], key: str, utc_offset: timedelta | None) -> str | None:
    # *_unixtime is UTC and present in exports since 2021; `date` is local wall time.
    unix = msg.get(f"{key}_unixtime")
    if unix not in (None, ""):
        return datetime.fromtimestamp(int(unix), UTC).isoformat()
    local = msg.get(key)
    if not isinstance(local, str) or utc_offset is None:
        return None
    dt = datetime.fromisoformat(local).replace(tzinfo=timezone(utc_offset))
    return dt.astimezone(UTC).isoformat()


def _tg_message(msg: dict[str, Any], folder: Path, utc_offset: timedelta | None) -> Message:
    system = msg.get("type") == "service"
    text = flatten_telegram_text(
        msg["text_entities"] if "text_entities" in msg else msg.get("text", "")
    )
    if system and not text and msg.get("action"):
        text = str(msg["action"])
    attachments = []
    for key in _TG_MEDIA_KEYS:
        raw = msg.get(key)
        if isinstance(raw, str) and raw:
            kind = key if key != "file" else str(msg.get("media_type") or "file")
            attachments.append(make_attachment(folder, raw, kind))
    reply = msg.get("reply_to_message_id")
    sender = msg.get("actor") if system else msg.get("from")
    sender_id = msg.get("actor_id") if system else msg.get("from_id")
    return Message(
        id=str(msg.get("id")),
        sender=sender if isinstance(sender, str) else None,
        sender_id=str(sender_id) if sender_id is not None else None,
        sent_at=_tg_time(msg, "date", utc_offset),
        text=text,
        reply_to=str(reply) if reply is not None else None,
        attachments=attachments,
        system=system,
        edited_at=_tg_time(msg, "edited", utc_offset) if msg.get("edited") else None,
        forwarded_from=msg.get("forwarded_from")
        if isinstance(msg.get("forwarded_from"), str)
        else None,
    )


def parse_telegram(*, path: Path | str, utc_offset: timedelta | None = None) -> list[Chat]:
    """Parse a Telegram Desktop `result.json` (one chat, or a full export of all chats).

    Media paths are resolved against the folder holding result.json. `utc_offset`
    is used only for old exports without `date_unixtime` (then `date` is local time).
    """
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ChatExportInvalid(f"{path.name}: not a readable Telegram export ({exc})") from exc
    if not isinstance(data, dict):
        raise ChatExportInvalid(f"{path.name}: Telegram export must be a JSON object")
    if "messages" in data:
        raw_chats = [data]
    else:
        raw_chats = [
            *((data.get("chats") or {}).get("list") or []),
            *((data.get("left_chats") or {}).get("list") or []),
        ]
    if not raw_chats:
        raise ChatExportInvalid(f"{path.name}: no messages or chats list in the export")
    chats = []
    for raw in raw_chats:
        notes: list[str] = []
        messages = []
        for i, msg in enumerate(raw.get("messages") or []):
            if not isinstance(msg, dict):
                notes.append(f"message #{i}: not an object, skipped")
                continue
            try:
                messages.append(_tg_message(msg, path.parent, utc_offset))
            except (ValueError, TypeError) as exc:
                notes.append(f"message {msg.get('id', i)}: unreadable ({exc})")
        chats.append(
            Chat(
                platform="telegram",
                name=raw.get("name"),
                chat_type=raw.get("type"),
                chat_id=str(raw["id"]) if raw.get("id") is not None else None,
                messages=messages,
                notes=notes,
            )
        )
    return chats


def whatsapp_files(folder: Path) -> list[Path]:
    """Text files under `folder` whose content is a WhatsApp export, whatever their name
    or the phone's language («_chat.txt», «WhatsApp Chat with ….txt», «Чат WhatsApp с
    ….txt»); at most 1,000 text files are looked at."""
    from ingest.media.whatsapp import sniff

    found = []
    for n, candidate in enumerate(sorted(folder.rglob("*.txt"))):
        if n >= 1000:
            break
        if candidate.is_file() and sniff(candidate):
            found.append(candidate)
    return found


def parse_chat_export(*, folder: Path | str, utc_offset: timedelta) -> list[Chat]:
    """Find and parse the chat export in an unpacked folder: a Telegram `result.json`, or
    every WhatsApp export in it (recognised by content).

    `utc_offset` is the zone of the phone or PC that made the export (WhatsApp
    writes local wall-clock times only); e.g. timedelta(hours=5) for Almaty.
    """
    from ingest.media.whatsapp import chat_name, parse_whatsapp

    folder = Path(folder)
    for candidate in sorted(folder.rglob("result.json")):
        return parse_telegram(path=candidate, utc_offset=utc_offset)
    chats = [
        parse_whatsapp(path=path, utc_offset=utc_offset, chat_name=chat_name(path.name))
        for path in whatsapp_files(folder)
    ]
    if not chats:
        raise ChatExportInvalid(f"no Telegram result.json or WhatsApp export under {folder.name}")
    return chats
