"""REST endpoints of what a disclosure's recipient keeps: delivery receipts and the key
that signs them, and notifications (mounted by `disclosure.router`)."""

from __future__ import annotations

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from disclosure import notify, receipts
from disclosure.models import Receipt, ReceiptKey
from disclosure.schemas import (
    KeyCreate,
    KeyPublic,
    NotificationPublic,
    ReceiptPublic,
    SignatureCreate,
)
from evidence.deps import ClientDep, CurrentPrincipal, SessionDep

router = APIRouter()  # tagged "disclosure" by the router that mounts it


class AddressRequest(BaseModel):
    email: str = Field(max_length=254)


def receipt_public(receipt: Receipt, key: ReceiptKey | None = None) -> ReceiptPublic:
    return ReceiptPublic(
        id=receipt.id, disclosure_id=receipt.disclosure_id, what=receipt.what,
        item_id=receipt.item_id, sha256=receipt.sha256, size=receipt.size,
        downloaded_at=receipt.downloaded_at, statement=receipts.statement(receipt),
        signed=receipt.signature is not None, signature=receipt.signature,
        key=key.public_key if key else None, signed_at=receipt.signed_at,
    )  # fmt: skip


@router.get(
    "/disclosures/{disclosure_id}/receipts",
    response_model=list[ReceiptPublic],
    summary="Receipts of a disclosure",
)
def list_receipts(
    disclosure_id: str, principal: CurrentPrincipal, session: SessionDep, client: ClientDep
) -> list[ReceiptPublic]:
    """What was delivered and when, with the recipient's signature where given."""
    rows = receipts.list_receipts(
        session=session, principal=principal, disclosure_id=disclosure_id, client=client
    )
    return [receipt_public(r, k) for r, k in rows]


@router.post("/receipts/keys", response_model=KeyPublic, status_code=201, summary="Register key")
def register_key(
    body: KeyCreate, principal: CurrentPrincipal, session: SessionDep, client: ClientDep
) -> KeyPublic:
    """A defence lawyer's Ed25519 public key (replaces any earlier one)."""
    key = receipts.register_key(
        session=session, principal=principal, public_key=body.public_key, client=client
    )
    return KeyPublic(id=key.id, public_key=key.public_key, created_at=key.created_at)


@router.post(
    "/receipts/{receipt_id}/signature", response_model=ReceiptPublic, summary="Sign a receipt"
)
def sign_receipt(
    receipt_id: str, body: SignatureCreate, principal: CurrentPrincipal, session: SessionDep,
    client: ClientDep,
) -> ReceiptPublic:  # fmt: skip
    """Ed25519 signature (hex or base64) over the receipt's `statement` (UTF-8)."""
    receipt = receipts.sign_receipt(
        session=session, principal=principal, receipt_id=receipt_id, signature=body.signature,
        client=client,
    )  # fmt: skip
    return receipt_public(receipt, receipts.current_key(session, principal.user_id))


@router.get("/notifications", response_model=list[NotificationPublic], summary="Notifications")
def notifications(
    principal: CurrentPrincipal, session: SessionDep, unread: bool = False
) -> list[NotificationPublic]:
    rows = notify.list_notifications(session=session, user_id=principal.user_id, unread=unread)
    return [NotificationPublic.model_validate(n, from_attributes=True) for n in rows]


@router.post("/notifications/{notification_id}/read", status_code=204)
def mark_read(notification_id: str, principal: CurrentPrincipal, session: SessionDep) -> Response:
    notify.mark_read(session=session, user_id=principal.user_id, notification_id=notification_id)
    return Response(status_code=204)


@router.put("/notifications/address", status_code=204, summary="E-mail for notifications")
def set_address(body: AddressRequest, principal: CurrentPrincipal, session: SessionDep) -> Response:
    notify.set_address(session=session, user_id=principal.user_id, email=body.email)
    return Response(status_code=204)
