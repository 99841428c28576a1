"""Custody events: what happened to which evidence, by whom, encoded canonically.

An event is a small JSON object. Its RFC 8785 canonical encoding is the ledger leaf, so
the bytes a court re-hashes are exactly the bytes we hashed: no field order, whitespace
or number formatting can drift between writer and verifier.
"""

from __future__ import annotations

import hashlib
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


def canonical(event: dict[str, Any]) -> bytes:
    """RFC 8785 (JCS) canonical JSON bytes of an event: the ledger leaf."""
    return rfc8785.dumps(event)


def leaf_hash(leaf: bytes) -> bytes:
    """RFC 9162 leaf hash: SHA-256(0x00 || leaf)."""
    return hashlib.sha256(b"\x00" + leaf).digest()
