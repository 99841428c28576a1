"""Disclosures: create, add tranches, revoke, flag items, and the access lookup.

A prosecutor selects items; each is replaced by what may be disclosed (its approved
redaction, or the original only when explicitly marked disclosable; "do not disclose"
blocks it), then stamped with a per-recipient watermark — by a `wmark` job queued after
the commit (`disclosure.prepare`), never inside the request. Every change is a custody
event on the case chain and on each item's chain, committed with the change.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum

from sqlalchemy import or_
from sqlmodel import Session, col, select

import custody
from custody.events import format_time, utc_now
from disclosure import prepare
from disclosure.errors import (
    DisclosureGone,
    DisclosureInvalid,
    DisclosureNotFound,
)
from disclosure.models import Disclosure, DisclosureEntry, DisclosureTranche
from disclosure.selection import resolve
from evidence.models import Case, Role, User
from evidence.policy import Perm, Principal
from evidence.service.access import require_case
from evidence.service.disclosed_content import items_with_blobs, needs_watermark
from evidence.storage import ObjectStore


class DisclosureStatus(StrEnum):
    """A disclosure's state (a word the pages translate, also inside messages)."""

    ACTIVE = "active"
    REVOKED = "revoked"
    EXPIRED = "expired"


def status_of(disclosure: Disclosure, now: datetime | None = None) -> DisclosureStatus:
    """Active, revoked or expired (compares equal to "active", "revoked", "expired")."""
    if disclosure.revoked_at is not None:
        return DisclosureStatus.REVOKED
    if disclosure.expires_at is not None and disclosure.expires_at <= (now or utc_now()):
        return DisclosureStatus.EXPIRED
    return DisclosureStatus.ACTIVE


def is_disclosed(session: Session, user_id: str, item_id: str) -> bool:
    """The lookup for evidence.hooks: is `item_id` served to `user_id` right now?

    True only for the served file (the watermarked copy when there is one) of an entry
    not withdrawn, in a disclosure to that user that is neither revoked nor expired.
    """
    rows = session.exec(
        select(Disclosure)
        .join(DisclosureEntry, DisclosureEntry.disclosure_id == Disclosure.id)  # type: ignore[arg-type]
        .where(
            DisclosureEntry.served_id == item_id,
            col(DisclosureEntry.withdrawn_in).is_(None),
            Disclosure.recipient_id == user_id,
            col(Disclosure.revoked_at).is_(None),
        )
    ).all()
    now = utc_now()
    return any(status_of(d, now) == "active" for d in rows)


def ever_disclosed(session: Session, item_id: str) -> bool:
    """The lookup for evidence.hooks: was `item_id` ever disclosed to anyone (as what a
    prosecutor disclosed, or as a recipient's served copy)? Retention keeps such copies
    until their own date when the original they came from is purged."""
    entry = session.exec(
        select(DisclosureEntry.id).where(
            or_(col(DisclosureEntry.item_id) == item_id, col(DisclosureEntry.served_id) == item_id)
        )
    ).first()
    return entry is not None


def _recipient(session: Session, username: str) -> User:
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None or user.role is not Role.DEFENCE:
        raise DisclosureInvalid("%(username)r is not a defence account", username=username)
    return user


def _entries(
    *,
    session: Session,
    case: Case,
    disclosure: Disclosure,
    item_ids: Iterable[str],
    tranche: int,
) -> list[DisclosureEntry]:
    """Resolve and check the selected items (before any row is added).

    Files that take a watermark get no served file yet (`served_id` None): their
    per-recipient copy is prepared by a `wmark` job queued after the commit
    (`disclosure.prepare`); other files are served as they are.
    """
    picked, seen = [], set()
    for item_id in dict.fromkeys(item_ids):
        source, disclosed = resolve(session, case=case, item_id=item_id)
        if disclosed.id not in seen:  # an original and its redaction: one entry
            seen.add(disclosed.id)
            picked.append((source, disclosed))
    blobs = items_with_blobs(session=session, item_ids=[d.id for _, d in picked])
    entries = []
    for position, (source, disclosed) in enumerate(picked):
        stamped = needs_watermark(blobs[disclosed.id][1].media_type)
        entries.append(
            DisclosureEntry(
                id=str(uuid.uuid4()),
                disclosure_id=disclosure.id,
                source_id=source.id,
                item_id=disclosed.id,
                served_id=None if stamped else disclosed.id,
                added_in=tranche,
                position=position,
            )
        )
    return entries


def _record_entries(
    session: Session,
    *,
    principal: Principal,
    case: Case,
    disclosure: Disclosure,
    entries: list[DisclosureEntry],
    action: custody.Action,
    tranche: int,
    client: str | None,
) -> None:
    events = []
    for entry in entries:
        # A copy still being prepared gets its own event when its job serves it.
        chain = [entry.source_id, entry.served_id] if entry.served_id else [entry.source_id]
        for item_id in dict.fromkeys(chain):
            events.append(
                custody.NewEvent(
                    action=action,
                    actor=principal.actor(),
                    case_id=case.id,
                    case_number=case.number,
                    item_id=item_id,
                    client=client,
                    details={
                        "disclosure": disclosure.id,
                        "tranche": tranche,
                        "recipient": disclosure.recipient_id,
                        "disclosed_item": entry.item_id,
                        "served_item": entry.served_id,
                        "entry": entry.id,
                    },
                )
            )
    custody.record_many(session=session, events=events)


def create_disclosure(
    *,
    session: Session,
    store: ObjectStore,
    principal: Principal,
    case_id: str,
    recipient: str,
    items: list[str],
    expires_at: datetime | None = None,
    note: str = "",
    client: str | None = None,
) -> Disclosure:
    """Disclose items of a case to a defence lawyer as tranche 1 (prosecutor only)."""
    case = require_case(
        session, principal=principal, perm=Perm.DISCLOSURE_CREATE, case_id=case_id, client=client
    )
    if expires_at is not None and (expires_at.tzinfo is None or expires_at <= utc_now()):
        raise DisclosureInvalid("expires_at must be a future time with a UTC offset")
    if not items:
        raise DisclosureInvalid("select at least one item")
    user = _recipient(session, recipient)
    disclosure = Disclosure(
        id=str(uuid.uuid4()),
        case_id=case.id,
        recipient_id=user.id,
        created_by=principal.user_id,
        note=note,
        tranches=1,
        created_at=utc_now(),
        expires_at=expires_at,
    )
    entries = _entries(
        session=session, case=case, disclosure=disclosure, item_ids=items, tranche=1,
    )  # fmt: skip
    session.add(disclosure)
    session.flush()
    session.add_all(entries)
    session.add(
        DisclosureTranche(
            disclosure_id=disclosure.id,
            number=1,
            note=note,
            added=[e.served_id for e in entries if e.served_id],
            withdrawn=[],
            created_by=principal.user_id,
            created_at=disclosure.created_at,
        )
    )
    custody.record(
        session=session,
        action=custody.Action.DISCLOSURE_CREATED,
        actor=principal.actor(),
        case_id=case.id,
        case_number=case.number,
        client=client,
        details={
            "disclosure": disclosure.id,
            "recipient": {"id": user.id, "name": user.username},
            "tranche": 1,
            "items": [e.served_id for e in entries if e.served_id],
            "preparing": _preparing(entries),
            "expires_at": format_time(expires_at) if expires_at else None,
        },
    )
    _record_entries(
        session, principal=principal, case=case, disclosure=disclosure, entries=entries,
        action=custody.Action.ITEM_DISCLOSED, tranche=1, client=client,
    )  # fmt: skip
    pending = prepare.to_prepare(entries)
    session.commit()
    prepare.queue_watermarks(pending)
    session.expire_all()  # an inline (sync) job may have served some already
    return disclosure


def _preparing(entries: list[DisclosureEntry]) -> list[dict[str, str]]:
    """Entries whose watermarked copy a job still has to make (named in the event)."""
    return [{"entry": e.id, "item": e.item_id} for e in entries if e.served_id is None]


def load_disclosure(session: Session, disclosure_id: str) -> tuple[Disclosure, Case]:
    disclosure = session.get(Disclosure, disclosure_id)
    if disclosure is None:
        raise DisclosureNotFound("no such disclosure")
    case = session.get(Case, disclosure.case_id)
    assert case is not None
    return disclosure, case


def add_tranche(
    *,
    session: Session,
    store: ObjectStore,
    principal: Principal,
    disclosure_id: str,
    add: list[str],
    withdraw: list[str],
    note: str = "",
    client: str | None = None,
) -> DisclosureTranche:
    """Tranche N+1: add items and withdraw others; the tranche lists both."""
    disclosure, case = load_disclosure(session, disclosure_id)
    require_case(
        session, principal=principal, perm=Perm.DISCLOSURE_MANAGE, case_id=case.id, client=client
    )
    if status_of(disclosure) != "active":
        raise DisclosureGone("the disclosure is %(status)s", status=status_of(disclosure))
    if not add and not withdraw:
        raise DisclosureInvalid("a tranche adds or withdraws at least one item")
    number = disclosure.tranches + 1
    current = list(
        session.exec(
            select(DisclosureEntry).where(
                DisclosureEntry.disclosure_id == disclosure.id,
                col(DisclosureEntry.withdrawn_in).is_(None),
            )
        ).all()
    )
    gone = [e for e in current if {e.id, e.source_id, e.item_id, e.served_id} & set(withdraw)]
    if len(gone) < len(set(withdraw)):
        raise DisclosureInvalid("some items to withdraw are not in this disclosure")
    held = {e.source_id for e in current} - {e.source_id for e in gone}
    new = _entries(
        session=session, case=case, disclosure=disclosure,
        item_ids=[i for i in add if i not in held], tranche=number,
    )  # fmt: skip
    for entry in gone:
        entry.withdrawn_in = number
        session.add(entry)
    session.add_all(new)
    disclosure.tranches = number
    session.add(disclosure)
    tranche = DisclosureTranche(
        disclosure_id=disclosure.id,
        number=number,
        note=note,
        added=[e.served_id for e in new if e.served_id],
        withdrawn=[e.served_id or e.id for e in gone],
        created_by=principal.user_id,
        created_at=utc_now(),
    )
    session.add(tranche)
    custody.record(
        session=session,
        action=custody.Action.DISCLOSURE_TRANCHE_ADDED,
        actor=principal.actor(),
        case_id=case.id,
        case_number=case.number,
        client=client,
        details={"disclosure": disclosure.id, "tranche": number,
                 "added": tranche.added, "withdrawn": tranche.withdrawn,
                 "preparing": _preparing(new)},
    )  # fmt: skip
    _record_entries(
        session, principal=principal, case=case, disclosure=disclosure, entries=new,
        action=custody.Action.ITEM_DISCLOSED, tranche=number, client=client,
    )  # fmt: skip
    _record_entries(
        session, principal=principal, case=case, disclosure=disclosure, entries=gone,
        action=custody.Action.ITEM_DISCLOSURE_WITHDRAWN, tranche=number, client=client,
    )  # fmt: skip
    pending = prepare.to_prepare(new)
    session.commit()
    prepare.queue_watermarks(pending)
    session.expire_all()  # an inline (sync) job may have served some already
    return tranche


def prepare_again(
    *, session: Session, principal: Principal, disclosure_id: str, client: str | None = None
) -> Disclosure:
    """Queue again the watermark jobs of a disclosure that are not done (prosecution)."""
    disclosure, case = load_disclosure(session, disclosure_id)
    require_case(
        session, principal=principal, perm=Perm.DISCLOSURE_MANAGE, case_id=case.id, client=client
    )
    if status_of(disclosure) != "active":
        raise DisclosureGone("the disclosure is %(status)s", status=status_of(disclosure))
    prepare.requeue(session, disclosure.id)
    session.expire_all()
    return disclosure


def revoke(
    *, session: Session, principal: Principal, disclosure_id: str, reason: str = "",
    client: str | None = None,
) -> Disclosure:  # fmt: skip
    """End the recipient's access at once (the lookup checks `revoked_at` on every read)."""
    disclosure, case = load_disclosure(session, disclosure_id)
    require_case(
        session, principal=principal, perm=Perm.DISCLOSURE_REVOKE, case_id=case.id, client=client
    )
    if disclosure.revoked_at is not None:
        return disclosure
    disclosure.revoked_at, disclosure.revoked_by = utc_now(), principal.user_id
    session.add(disclosure)
    custody.record(
        session=session,
        action=custody.Action.DISCLOSURE_REVOKED,
        actor=principal.actor(),
        case_id=case.id,
        case_number=case.number,
        client=client,
        details={"disclosure": disclosure.id, "reason": reason},
    )
    session.commit()
    return disclosure
