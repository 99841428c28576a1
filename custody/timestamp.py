"""Optional RFC 3161 timestamps on checkpoints, from a configured Time-Stamping Authority.

A timestamp proves a checkpoint's signed note existed no later than the TSA's time, which
a court may weigh independently of our own clocks and keys. The token is the TSA's full
DER TimeStampResp; the timestamped message is the checkpoint note as the log signed it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import httpx
from cryptography.x509 import Certificate
from rfc3161_client import (
    TimestampRequestBuilder,
    VerificationError,
    VerifierBuilder,
    decode_timestamp_response,
)
from sqlmodel import Session

from custody.errors import CustodyError
from custody.events import utc_now
from custody.models import Checkpoint, CheckpointTimestamp

_GRANTED = (0, 1)  # PKIStatus granted, grantedWithMods


class TimestampError(CustodyError):
    """The TSA could not be reached, refused, or returned a token that does not verify."""


def request_timestamp(
    *,
    session: Session,
    checkpoint: Checkpoint,
    tsa_url: str,
    client: httpx.Client | None = None,
) -> CheckpointTimestamp:
    """Ask the TSA at `tsa_url` to timestamp `checkpoint`; store and return the token."""
    if checkpoint.id is None:
        raise TimestampError("checkpoint must be stored before it is timestamped")
    token, gen_time = fetch_timestamp(note=checkpoint.note, tsa_url=tsa_url, client=client)
    return store_timestamp(
        session=session, checkpoint_id=checkpoint.id, tsa_url=tsa_url, token=token,
        gen_time=gen_time,
    )  # fmt: skip


def store_timestamp(
    *, session: Session, checkpoint_id: int, tsa_url: str, token: bytes, gen_time: datetime
) -> CheckpointTimestamp:
    """Keep a TSA's token for a checkpoint (inside the caller's transaction)."""
    stamp = CheckpointTimestamp(
        checkpoint_id=checkpoint_id,
        tsa_url=tsa_url,
        token=token,
        gen_time=gen_time,
        created_at=utc_now(),
    )
    session.add(stamp)
    session.flush()
    return stamp


def fetch_timestamp(
    *, note: str, tsa_url: str, client: httpx.Client | None = None
) -> tuple[bytes, datetime]:
    """The TSA's checked reply (DER TimeStampResp) over a checkpoint note, and its time.

    No database work: callers on SQLite must not hold the write lock for a network call.
    """
    message = note.encode()
    request = TimestampRequestBuilder().data(message).nonce(nonce=True)
    query = request.cert_request(cert_request=True).build()
    http = client or httpx.Client(timeout=30)
    try:
        response = http.post(
            tsa_url,
            content=query.as_bytes(),
            headers={"Content-Type": "application/timestamp-query"},
        )
    except httpx.HTTPError as exc:
        raise TimestampError(f"TSA {tsa_url} unreachable: {exc}") from exc
    finally:
        if client is None:
            http.close()
    if response.status_code != 200:
        raise TimestampError(f"TSA {tsa_url} answered {response.status_code}")
    try:
        reply = decode_timestamp_response(response.content)
    except ValueError as exc:
        raise TimestampError(f"TSA {tsa_url} sent an unreadable reply: {exc}") from exc
    if reply.status not in _GRANTED:
        raise TimestampError(f"TSA {tsa_url} refused: status {reply.status}")
    info = reply.tst_info
    if info.nonce != query.nonce or info.message_imprint.message != query.message_imprint.message:
        raise TimestampError(f"TSA {tsa_url} timestamped something else")
    return response.content, info.gen_time.astimezone(UTC)


def verify_timestamp(*, token: bytes, note: str, roots: Sequence[Certificate]) -> datetime:
    """Verify a stored token over checkpoint `note` against trusted TSA roots; its time."""
    try:
        reply = decode_timestamp_response(token)
        VerifierBuilder(roots=list(roots)).build().verify_message(reply, note.encode())
    except (ValueError, VerificationError) as exc:
        raise TimestampError(f"timestamp does not verify: {exc}") from exc
    return reply.tst_info.gen_time.astimezone(UTC)
