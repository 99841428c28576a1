"""Disclosed bytes that stop when access ends.

A revocation or an expiry takes effect at once for new requests (the access lookup runs
per request); for a transfer already under way, the disclosure's status is read again,
in a fresh short session of its own, every `CHECK_EVERY` bytes.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import Engine
from sqlmodel import Session

from disclosure.errors import DisclosureGone
from disclosure.models import Disclosure
from disclosure.service import DisclosureStatus, status_of
from evidence.policy import Principal
from evidence.service.disclosed_content import record_stream_stopped

CHECK_EVERY = 8 << 20


def live_status(engine: Engine, disclosure_id: str) -> DisclosureStatus:
    """The disclosure's status as stored now (a vanished one counts as revoked)."""
    with Session(engine) as side:
        row = side.get(Disclosure, disclosure_id)
        return status_of(row) if row is not None else DisclosureStatus.REVOKED


def guard_stream(
    chunks: Iterator[bytes],
    *,
    engine: Engine,
    principal: Principal,
    disclosure_id: str,
    item_id: str,
    purpose: str,
    client: str | None = None,
    check_every: int = CHECK_EVERY,
) -> Iterator[bytes]:
    """Pass `chunks` through until access ends; then record the stop (`access.denied` on
    the file) and raise, so the response ends incomplete instead of looking whole."""
    sent = since = 0
    for chunk in chunks:
        yield chunk
        sent, since = sent + len(chunk), since + len(chunk)
        if since < check_every:
            continue
        since = 0
        status = live_status(engine, disclosure_id)
        if status == "active":
            continue
        with Session(engine) as side:
            record_stream_stopped(
                session=side, principal=principal, disclosure_id=disclosure_id,
                item_ids=[item_id], reason=f"disclosure {status}", purpose=purpose,
                client=client, details={"bytes_sent": sent},
            )  # fmt: skip
        raise DisclosureGone("the disclosure was %(status)s during the transfer", status=status)
