"""Custody events: what happened to which evidence, by whom, encoded canonically.

An event is a small JSON object. Its RFC 8785 canonical encoding is the ledger leaf, so
the bytes a court re-hashes are exactly the bytes we hashed: no field order, whitespace
or number formatting can drift between writer and verifier.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import rfc8785

EVENT_VERSION = 1
SALT_BYTES = 16  # 128 bits: a leaf hash cannot be confirmed by guessing the event


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
    ITEM_PROCESSING_REFUSED = "item.processing.refused"  # a quota or guard said no
    ACCESS_DENIED = "access.denied"
    CASE_CREATED = "case.created"
    CASE_MEMBER_ADDED = "case.member.added"
    CASE_MEMBER_REMOVED = "case.member.removed"
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
    USER_DISABLED = "user.disabled"
    USER_ENABLED = "user.enabled"
    USER_ROLE_CHANGED = "user.role.changed"
    CASE_UPDATED = "case.updated"  # title or status
    ITEM_TAGGED = "item.tag.added"
    ITEM_UNTAGGED = "item.tag.removed"
    ITEM_NOTE_ADDED = "item.note.added"
    ITEM_NOTE_DELETED = "item.note.deleted"
    ITEM_CLIP_ADDED = "item.clip.added"
    ITEM_CLIP_DELETED = "item.clip.deleted"
    ITEM_CLIP_EXPORT = "item.clip.export"
    CASE_TIMELINE_READ = "case.timeline.read"
    CASE_SEARCHED = "case.searched"
    CASE_CUSTODY_READ = "case.custody.read"  # the case's custody timeline or its CSV
    REDACTION_PLAN_CREATED = "redaction.plan.created"
    REDACTION_PLAN_REVISED = "redaction.plan.revised"
    REDACTION_PLAN_APPROVED = "redaction.plan.approved"
    REDACTION_RESIDUAL_CHECKED = "redaction.residual.checked"
    REDACTION_RESIDUAL_OVERRIDDEN = "redaction.residual.overridden"
    DISCLOSURE_CREATED = "disclosure.created"
    DISCLOSURE_TRANCHE_ADDED = "disclosure.tranche.added"
    DISCLOSURE_REVOKED = "disclosure.revoked"
    DISCLOSURE_RECEIPT_SIGNED = "disclosure.receipt.signed"
    DISCLOSURE_KEY_REGISTERED = "disclosure.key.registered"
    DISCLOSURE_WITHHELD_REVEALED = "disclosure.withheld.revealed"
    ITEM_DISCLOSED = "item.disclosed"
    ITEM_DISCLOSURE_WITHDRAWN = "item.disclosure.withdrawn"
    ITEM_DISCLOSURE_FLAGGED = "item.disclosure.flagged"
    FILE_RELEASED = "file.released"
    LEDGER_WITNESS_ADDED = "ledger.witness.added"
    LEDGER_WITNESS_REMOVED = "ledger.witness.removed"
    ITEM_RETENTION_SET = "item.retention.set"
    CASE_RETENTION_SET = "case.retention.set"
    CASE_LIFECYCLE_SET = "case.lifecycle.set"
    LEGAL_HOLD_PLACED = "legal_hold.placed"
    LEGAL_HOLD_RELEASED = "legal_hold.released"
    PURGE_PROPOSED = "purge.proposed"
    PURGE_APPROVED = "purge.approved"
    PURGE_REJECTED = "purge.rejected"
    RETENTION_REFUSED = "retention.refused"
    RETENTION_CONFIG_LOADED = "retention.config.loaded"
    STORAGE_REPAIRED = "storage.repaired"  # fsck --repair removed crash leftovers
    # Evidence requests to victims and witnesses (evidence.service.citizen).
    REQUEST_CREATED = "citizen.request.created"
    REQUEST_OPENED = "citizen.request.opened"
    REQUEST_REVOKED = "citizen.request.revoked"
    REQUEST_REFUSED = "citizen.request.refused"  # an expired, revoked or used-up link
    SUBMISSION_RECEIVED = "citizen.file.received"  # in quarantine; the receipt names it
    SUBMISSION_ACCEPTED = "citizen.file.accepted"
    SUBMISSION_REJECTED = "citizen.file.rejected"
    SUBMISSION_PREVIEWED = "citizen.file.previewed"  # its quarantine thumbnail was shown


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


def new_salt() -> str:
    """A fresh random salt for one event, as 32 hex digits."""
    return secrets.token_hex(SALT_BYTES)


def new_salts(count: int) -> list[str]:
    """`count` fresh salts from one read of the system's random source (a batch append
    would otherwise make one system call per event)."""
    digits = secrets.token_hex(SALT_BYTES * count)
    return [digits[i : i + 2 * SALT_BYTES] for i in range(0, len(digits), 2 * SALT_BYTES)]


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
    salt: str | None = None,
    subject: str | None = None,
) -> dict[str, Any]:
    """Assemble an event object; `prev` is the leaf hash of the subject's previous event.

    Every new event carries a random `salt` (given, or fresh from `new_salt`): the leaf
    hashes are public (tlog-tiles), and without a salt anyone could confirm a guess of a
    low-entropy event ("officer X read item Y at minute Z") against them. Events written
    before salts existed have none and stay valid; verifiers accept both. `subject`
    overrides the chain (the ledger moves events about a purged item to its case's).
    """
    event: dict[str, Any] = {
        "v": EVENT_VERSION,
        "action": str(action),
        "at": format_time(at),
        "actor": actor.as_json(),
        "subject": subject or subject_of(item_id=item_id, case_id=case_id),
        "prev": prev.hex() if prev is not None else None,
    }
    optional = {
        "case": case_id,
        "case_number": case_number,
        "item": item_id,
        "sha256": sha256,
        "client": client,
        "salt": salt or new_salt(),
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
