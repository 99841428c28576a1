"""Withheld inputs, blinded: a recipient never sees the plain hash of what it does not get.

A disclosure bundle names the inputs it leaves out (the original, the un-watermarked
redaction) so a verifier can tell "withheld by design" from "missing". Named by plain
SHA-256, a short original (a two-line statement) could be recovered by hashing guesses;
so the manifest carries a commitment instead:

    commitment = SHA-256("dalel-withheld/v1\\n" ‖ salt ‖ SHA-256 of the input)

with a random 128-bit salt per disclosure and input, kept by the system. On a court's
order the salt is revealed (`reveal`, recorded in custody): with the input's hash from
the court export, the court recomputes the commitment and sees that the defence's
bundle was derived from exactly that input.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from sqlmodel import Session, select

import custody
from custody.events import utc_now
from disclosure.errors import DisclosureInvalid, DisclosureNotFound
from disclosure.models import Disclosure, WithheldSalt
from evidence.models import Item
from evidence.policy import Perm, Principal
from evidence.service.access import require_case

TAG = b"dalel-withheld/v1\n"
MAX_ORDER = 500


def commitment(*, salt: bytes, sha256: str) -> str:
    """The commitment to an input's SHA-256 (hex) under `salt`."""
    return hashlib.sha256(TAG + salt + bytes.fromhex(sha256)).hexdigest()


def blind(session: Session, *, disclosure_id: str, item: Item) -> str:
    """The commitment to a withheld input in this disclosure (its salt made once, kept;
    flushed with the caller's transaction)."""
    row = session.exec(
        select(WithheldSalt).where(
            WithheldSalt.disclosure_id == disclosure_id, WithheldSalt.item_id == item.id
        )
    ).first()
    if row is None:
        row = WithheldSalt(
            disclosure_id=disclosure_id, item_id=item.id, salt=secrets.token_hex(16),
            created_at=utc_now(),
        )  # fmt: skip
        session.add(row)
        session.flush()
    return commitment(salt=bytes.fromhex(row.salt), sha256=item.sha256)


def reveal(
    *,
    session: Session,
    principal: Principal | None,
    disclosure_id: str,
    item_id: str,
    order: str,
    client: str | None = None,
) -> dict[str, Any]:
    """Reveal a withheld input's salt on a court order: court members of the case
    (`withheld.reveal`), or the operator on the server (`principal` None). The order's
    reference is recorded with the revelation on the case's chain."""
    order = " ".join(order.split())
    if not order or len(order) > MAX_ORDER:
        raise DisclosureInvalid("name the court order (1 to %(max)d characters)", max=MAX_ORDER)
    disclosure = session.get(Disclosure, disclosure_id)
    if disclosure is None:
        raise DisclosureNotFound("no such disclosure")
    if principal is not None:
        require_case(
            session, principal=principal, perm=Perm.WITHHELD_REVEAL,
            case_id=disclosure.case_id, client=client,
        )  # fmt: skip
    row = session.exec(
        select(WithheldSalt).where(
            WithheldSalt.disclosure_id == disclosure.id, WithheldSalt.item_id == item_id
        )
    ).first()
    item = session.get(Item, item_id)
    if row is None or item is None:
        raise DisclosureNotFound("this disclosure withheld no such item")
    custody.record(
        session=session,
        action=custody.Action.DISCLOSURE_WITHHELD_REVEALED,
        actor=principal.actor() if principal is not None else custody.SYSTEM,
        case_id=disclosure.case_id,
        client=client,
        details={"disclosure": disclosure.id, "item": item.id, "order": order},
    )
    session.commit()
    return {
        "disclosure_id": disclosure.id,
        "item_id": item.id,
        "sha256": item.sha256,
        "salt": row.salt,
        "commitment": commitment(salt=bytes.fromhex(row.salt), sha256=item.sha256),
    }
