"""Custody events: what happened to which evidence, by whom, encoded canonically.

An event is a small JSON object. Its RFC 8785 canonical encoding is the ledger leaf, so
the bytes a court re-hashes are exactly the bytes we hashed: no field order, whitespace
or number formatting can drift between writer and verifier.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import rfc8785

EVENT_VERSION = 1


class Action(StrEnum):
    """Every kind of custody event. Values are stable: courts read them."""

    ITEM_CREATED = "item.created"
    ITEM_DUPLICATE_UPLOADED = "item.duplicate_uploaded"
    ITEM_DERIVED = "item.derived"
    ITEM_METADATA_READ = "item.metadata.read"
    ITEM_CONTENT_READ = "item.content.read"
    ITEM_DOWNLOADED = "item.downloaded"
    ITEM_CUSTODY_READ = "item.custody.read"
    ITEM_VERIFIED = "item.verified"
    ITEM_PURGED = "item.purged"
    ACCESS_DENIED = "access.denied"
    CASE_CREATED = "case.created"
    CASE_MEMBER_ADDED = "case.member.added"
    CASE_MEMBER_REMOVED = "case.member.removed"
    UPLOAD_STARTED = "upload.started"
    UPLOAD_REJECTED = "upload.rejected"
    UPLOAD_ABANDONED = "upload.abandoned"
    USER_CREATED = "user.created"
    USER_LOCKED = "user.locked"
    USER_UNLOCKED = "user.unlocked"
    APIKEY_CREATED = "apikey.created"
    APIKEY_REVOKED = "apikey.revoked"
    USER_TOTP_ENROLLED = "user.totp.enrolled"
    USER_SESSIONS_REVOKED = "user.sessions.revoked"
    USER_TOTP_RESET = "user.totp.reset"
    ITEM_TAGGED = "item.tag.added"
    ITEM_UNTAGGED = "item.tag.removed"
    ITEM_NOTE_ADDED = "item.note.added"
    ITEM_NOTE_DELETED = "item.note.deleted"
    ITEM_CLIP_ADDED = "item.clip.added"
    ITEM_CLIP_DELETED = "item.clip.deleted"
    ITEM_CLIP_EXPORT = "item.clip.export"
    CASE_TIMELINE_READ = "case.timeline.read"
    CASE_SEARCHED = "case.searched"
    REDACTION_PLAN_CREATED = "redaction.plan.created"
    REDACTION_PLAN_REVISED = "redaction.plan.revised"
    REDACTION_PLAN_APPROVED = "redaction.plan.approved"
    REDACTION_RESIDUAL_CHECKED = "redaction.residual.checked"
    DISCLOSURE_CREATED = "disclosure.created"
    DISCLOSURE_TRANCHE_ADDED = "disclosure.tranche.added"
    DISCLOSURE_REVOKED = "disclosure.revoked"
    DISCLOSURE_RECEIPT_SIGNED = "disclosure.receipt.signed"
    DISCLOSURE_KEY_REGISTERED = "disclosure.key.registered"
    ITEM_DISCLOSED = "item.disclosed"
    ITEM_DISCLOSURE_WITHDRAWN = "item.disclosure.withdrawn"
    ITEM_DISCLOSURE_FLAGGED = "item.disclosure.flagged"


@dataclass(frozen=True, slots=True)
class Actor:
    """Who caused an event: a person (or a device acting for one) or the system itself."""

    id: str
    name: str
    role: str
    device: str | None = None

    def as_json(self) -> dict[str, Any]:
        """Plain-JSON form of the actor, without empty fields."""
        data: dict[str, Any] = {"id": self.id, "name": self.name, "role": self.role}
        if self.device:
            data["device"] = self.device
        return data


SYSTEM = Actor(id="system", name="dalel", role="system")


def utc_now() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


def format_time(moment: datetime) -> str:
    """RFC 3339 UTC with microseconds, the only time format inside events."""
    if moment.tzinfo is None:
        raise ValueError("event times must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def subject_of(*, item_id: str | None, case_id: str | None) -> str:
    """The chain an event belongs to: its item, else its case, else the system chain."""
    if item_id:
        return f"item:{item_id}"
    if case_id:
        return f"case:{case_id}"
    return "system"


def build_event(
    *,
    action: Action,
    actor: Actor,
    at: datetime,
    prev: bytes | None,
    case_id: str | None = None,
    case_number: str | None = None,
    item_id: str | None = None,
    sha256: str | None = None,
    client: str | None = None,
    details: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Assemble an event object; `prev` is the leaf hash of the subject's previous event."""
    event: dict[str, Any] = {
        "v": EVENT_VERSION,
        "action": str(action),
        "at": format_time(at),
        "actor": actor.as_json(),
        "subject": subject_of(item_id=item_id, case_id=case_id),
        "prev": prev.hex() if prev is not None else None,
    }
    optional = {
        "case": case_id,
        "case_number": case_number,
        "item": item_id,
        "sha256": sha256,
        "client": client,
    }
    event.update({key: value for key, value in optional.items() if value is not None})
    if details:
        event["details"] = details
    return event


_SAFE_INT = 2**53 - 1
_BMP_LOW = "\ud800"


def _plain(value: Any) -> bool:
    """True if the stdlib encoder's output is already RFC 8785 for this value.

    That holds for null, booleans, safe integers, strings, lists, and objects whose keys
    use only characters below U+D800 (there code-point order equals RFC 8785's UTF-16 key
    order); Python's escapes for control characters, quote and backslash are RFC 8785's.
    Floats and anything else take the reference encoder. Iterative: it runs per append.
    """
    stack = [value]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is str or item is None or kind is bool:
            continue
        if kind is dict:
            for key, child in item.items():
                if type(key) is not str or not (key.isascii() or max(key, default="") < _BMP_LOW):
                    return False
                stack.append(child)
        elif kind is list:
            stack.extend(item)
        elif kind is not int or not -_SAFE_INT <= item <= _SAFE_INT:
            return False
    return True


def canonical(event: dict[str, Any]) -> bytes:
    """RFC 8785 (JCS) canonical JSON bytes of an event: the ledger leaf.

    The pure-Python reference encoder costs ~150 µs per event, too slow for busy appends,
    so plain events (almost all) use the C JSON encoder, whose output is identical
    for them (property-tested against `rfc8785`).
    """
    if _plain(event):
        text = json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        try:
            return text.encode()
        except UnicodeEncodeError:  # a lone surrogate: let the reference encoder refuse it
            pass
    return rfc8785.dumps(event)


def leaf_hash(leaf: bytes) -> bytes:
    """RFC 9162 leaf hash: SHA-256(0x00 || leaf)."""
    return hashlib.sha256(b"\x00" + leaf).digest()


@dataclass(frozen=True, slots=True)
class EncodedEvent:
    """An event canonically encoded except for `prev`, which needs the append lock.

    RFC 8785 serialises an object as its members in key order, and `prev` is a top-level
    key, so the leaf is: the members before "prev", the prev member, the members after.
    Encoding the two halves before taking the lock keeps the serialised section short.
    """

    subject: str
    before: bytes  # '{"action":...' without the closing brace
    after: bytes  # '"sha256":...}' without the opening brace

    def leaf(self, prev: bytes | None) -> bytes:
        value = b"null" if prev is None else b'"' + prev.hex().encode() + b'"'
        return self.before + b',"prev":' + value + b"," + self.after


def encode_without_prev(event: dict[str, Any]) -> EncodedEvent:
    """Split-encode an event built by `build_event` (see EncodedEvent)."""
    before = {key: value for key, value in event.items() if key < "prev"}
    after = {key: value for key, value in event.items() if key > "prev"}
    return EncodedEvent(
        subject=str(event["subject"]),
        before=canonical(before)[:-1],
        after=canonical(after)[1:],
    )
