"""Receipts: what the defence downloaded, when, and optionally their signature on it.

Each download (one file, or a bundle) records a receipt. A lawyer may register an
Ed25519 public key and sign a receipt's statement with it, so the prosecution can prove
what was delivered: the statement names the hash and size of exactly those bytes (for a
bundle, the hash of its manifest, which lists every file's hash).
"""

from __future__ import annotations

import base64
import binascii

import nacl.exceptions
import nacl.signing
from sqlmodel import Session, col, select

import custody
from custody.events import format_time, utc_now
from disclosure.errors import DisclosureInvalid, DisclosureNotFound, SignatureInvalid
from disclosure.models import Disclosure, Receipt, ReceiptKey
from evidence.policy import Perm, Principal
from evidence.service.access import record_denial, require, require_case

STATEMENT_VERSION = "dalel-receipt/v1"


def _decode(text: str, size: int, what: str) -> bytes:
    """Accept hex or base64; refuse anything that is not exactly `size` bytes."""
    raw: bytes | None = None
    try:
        raw = bytes.fromhex(text)
    except ValueError:
        try:
            raw = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raw = None
    if raw is None or len(raw) != size:
        raise DisclosureInvalid(
            "%(what)s must be %(size)s bytes, hex or base64", what=what, size=size
        )
    return raw


def statement(receipt: Receipt) -> str:
    """The exact text a lawyer signs (UTF-8 bytes, trailing newline included)."""
    return (
        f"{STATEMENT_VERSION}\nreceipt {receipt.id}\ndisclosure {receipt.disclosure_id}\n"
        f"{receipt.what} {receipt.item_id or '-'}\nsha256 {receipt.sha256}\n"
        f"size {receipt.size}\ndownloaded {format_time(receipt.downloaded_at)}\n"
    )


def record_receipt(
    *,
    session: Session,
    disclosure_id: str,
    recipient_id: str,
    what: str,
    sha256: str,
    size: int,
    item_id: str | None = None,
) -> Receipt:
    """Record one delivery (committed by the caller's next commit)."""
    receipt = Receipt(
        disclosure_id=disclosure_id,
        recipient_id=recipient_id,
        item_id=item_id,
        what=what,
        sha256=sha256,
        size=size,
        downloaded_at=utc_now(),
    )
    session.add(receipt)
    return receipt


def register_key(
    *, session: Session, principal: Principal, public_key: str, client: str | None = None
) -> ReceiptKey:
    """A defence lawyer registers the Ed25519 key their receipt signatures verify with."""
    # A key is the lawyer's own, not a disclosure's: any defence account may hold one.
    require(session, principal=principal, perm=Perm.RECEIPT_SIGN, client=client, disclosed=True)
    raw = _decode(public_key.strip(), 32, "the public key")
    for old in session.exec(
        select(ReceiptKey).where(
            ReceiptKey.user_id == principal.user_id, col(ReceiptKey.revoked_at).is_(None)
        )
    ).all():
        old.revoked_at = utc_now()  # one current key: a new one replaces the old
        session.add(old)
    key = ReceiptKey(user_id=principal.user_id, public_key=raw.hex(), created_at=utc_now())
    session.add(key)
    custody.record(
        session=session,
        action=custody.Action.DISCLOSURE_KEY_REGISTERED,
        actor=principal.actor(),
        details={"key": key.public_key, "key_id": key.id},
    )
    session.commit()
    return key


def current_key(session: Session, user_id: str) -> ReceiptKey | None:
    return session.exec(
        select(ReceiptKey)
        .where(ReceiptKey.user_id == user_id, col(ReceiptKey.revoked_at).is_(None))
        .order_by(col(ReceiptKey.created_at).desc())
    ).first()


def sign_receipt(
    *,
    session: Session,
    principal: Principal,
    receipt_id: str,
    signature: str,
    client: str | None = None,
) -> Receipt:
    """Attach the recipient's signature after checking it against their registered key."""
    receipt = session.get(Receipt, receipt_id)
    if receipt is None:
        raise DisclosureNotFound("no such receipt")
    if receipt.recipient_id != principal.user_id:  # someone else's: refused, and hidden
        disclosure = session.get(Disclosure, receipt.disclosure_id)
        record_denial(
            session, principal=principal, perm=Perm.RECEIPT_SIGN, client=client,
            case_id=disclosure.case_id if disclosure else None, details={"receipt": receipt.id},
        )  # fmt: skip
        raise DisclosureNotFound("no such receipt")
    key = current_key(session, principal.user_id)
    if key is None:
        raise DisclosureInvalid("register a public key first: POST /receipts/keys")
    raw = _decode(signature.strip(), 64, "the signature")
    try:
        nacl.signing.VerifyKey(bytes.fromhex(key.public_key)).verify(
            statement(receipt).encode(), raw
        )
    except nacl.exceptions.BadSignatureError as exc:
        raise SignatureInvalid("the signature does not verify against your registered key") from exc
    receipt.signature, receipt.key_id, receipt.signed_at = raw.hex(), key.id, utc_now()
    session.add(receipt)

    disclosure = session.get(Disclosure, receipt.disclosure_id)
    assert disclosure is not None
    custody.record(
        session=session,
        action=custody.Action.DISCLOSURE_RECEIPT_SIGNED,
        actor=principal.actor(),
        case_id=disclosure.case_id,
        client=client,
        details={"disclosure": disclosure.id, "receipt": receipt.id, "sha256": receipt.sha256,
                 "key": key.public_key, "signature": receipt.signature},
    )  # fmt: skip
    session.commit()
    return receipt


def list_receipts(
    *, session: Session, principal: Principal, disclosure_id: str, client: str | None = None
) -> list[tuple[Receipt, ReceiptKey | None]]:
    """Receipts of a disclosure: for its recipient, and for the case's prosecution."""

    disclosure = session.get(Disclosure, disclosure_id)
    if disclosure is None:
        raise DisclosureNotFound("no such disclosure")
    require_case(
        session, principal=principal, perm=Perm.RECEIPT_READ, case_id=disclosure.case_id,
        client=client, disclosed=principal.user_id == disclosure.recipient_id,
    )  # fmt: skip
    rows = session.exec(
        select(Receipt)
        .where(Receipt.disclosure_id == disclosure.id)
        .order_by(col(Receipt.downloaded_at))
    ).all()
    return [(r, session.get(ReceiptKey, r.key_id) if r.key_id else None) for r in rows]
