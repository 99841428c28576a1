"""What may be disclosed: per-item flags, and the item disclosed in place of a selection.

An original is replaced by its approved redaction (a `redacted` derivative whose
derivation names the approved plan); the original itself only when flagged
`disclosable_original`; "do not disclose" on an item or on its original blocks it.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

import custody
from custody.events import utc_now
from disclosure.errors import DisclosureBlocked, DisclosureNotFound
from disclosure.models import DisclosureFlag
from evidence.i18n import N_
from evidence.models import Case, Item, ItemKind
from evidence.policy import Perm, Principal
from evidence.service import record_item_event
from evidence.service.access import require_case

DO_NOT_DISCLOSE = N_("marked do not disclose")


def get_flag(session: Session, item_id: str) -> DisclosureFlag | None:
    return session.get(DisclosureFlag, item_id)


def set_flags(
    *,
    session: Session,
    principal: Principal,
    item_id: str,
    do_not_disclose: bool | None = None,
    disclosable_original: bool | None = None,
    reason: str = "",
    client: str | None = None,
) -> DisclosureFlag:
    """Mark an item "do not disclose" and/or "original disclosable" (prosecutor only)."""
    item = session.get(Item, item_id)
    if item is None:
        raise DisclosureNotFound("no such item")
    case = require_case(
        session, principal=principal, perm=Perm.DISCLOSURE_MANAGE, case_id=item.case_id,
        client=client,
    )  # fmt: skip
    flag = session.get(DisclosureFlag, item.id) or DisclosureFlag(
        item_id=item.id, set_by=principal.user_id, set_at=utc_now()
    )
    if do_not_disclose is not None:
        flag.do_not_disclose = do_not_disclose
    if disclosable_original is not None:
        flag.disclosable_original = disclosable_original
    flag.reason, flag.set_by, flag.set_at = reason, principal.user_id, utc_now()
    session.add(flag)
    record_item_event(
        session=session,
        action=custody.Action.ITEM_DISCLOSURE_FLAGGED,
        actor=principal.actor(),
        item=item,
        case=case,
        client=client,
        details={
            "do_not_disclose": flag.do_not_disclose,
            "disclosable_original": flag.disclosable_original,
            "reason": reason,
        },
    )
    session.commit()
    return flag


def _blocked(session: Session, item: Item) -> bool:
    flag = get_flag(session, item.id)
    return flag is not None and flag.do_not_disclose


def resolve(session: Session, *, case: Case, item_id: str) -> tuple[Item, Item]:
    """(selected item, item to disclose in its place), or DisclosureBlocked saying why."""
    item = session.get(Item, item_id)
    if item is None or item.case_id != case.id:
        raise DisclosureNotFound("no item %(item)s in this case", item=item_id)
    if item.kind is ItemKind.DERIVATIVE or item.derivative_kind:
        parent = session.get(Item, item.parent_id) if item.parent_id else None
        if item.derivative_kind != "redacted" or not (item.derivation or {}).get("plan_id"):
            raise DisclosureBlocked(
                "item %(item)s is a derivative that is not an approved redaction",
                item=item.id,
                why=N_("a derivative that is not an approved redaction"),
            )
        if _blocked(session, item) or (parent is not None and _blocked(session, parent)):
            raise DisclosureBlocked(
                "item %(item)s is marked do not disclose", item=item.id, why=DO_NOT_DISCLOSE
            )
        return item, item
    if _blocked(session, item):
        raise DisclosureBlocked(
            "item %(item)s is marked do not disclose", item=item.id, why=DO_NOT_DISCLOSE
        )
    redactions = session.exec(
        select(Item)
        .where(Item.parent_id == item.id, Item.derivative_kind == "redacted")
        .order_by(col(Item.created_at).desc())
    ).all()
    for redacted in redactions:
        if (redacted.derivation or {}).get("plan_id") and not _blocked(session, redacted):
            return item, redacted
    flag = get_flag(session, item.id)
    if flag is not None and flag.disclosable_original:
        return item, item
    raise DisclosureBlocked(
        "item %(item)s has no approved redaction and its original is not marked disclosable",
        item=item.id,
        why=N_("no approved redaction, and the original is not marked disclosable"),
    )
