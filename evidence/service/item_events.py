"""One way to record an event about an item: `record_item_event`.

Every custody event about an item names its case (id and ЕРДР number), the item and its
SHA-256; this fills them in from the rows, so no caller spells the ten-line
`custody.record(...)` call out again. The event joins the caller's transaction: it is
durable only with the change it describes.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

import custody
from custody import Actor
from custody.models import LedgerEntry
from evidence.models import Case, Item


def record_item_event(
    *,
    session: Session,
    action: custody.Action,
    actor: Actor,
    item: Item,
    case: Case,
    client: str | None = None,
    details: dict[str, Any] | None = None,
) -> LedgerEntry:
    """Append `action` on `item` (of `case`) by `actor` to the ledger, uncommitted."""
    return custody.record(
        session=session,
        action=action,
        actor=actor,
        case_id=case.id,
        case_number=case.number,
        item_id=item.id,
        sha256=item.sha256,
        client=client,
        details=details,
    )
