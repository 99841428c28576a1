"""The defence side: a lawyer's disclosures, their files, private notes; and the views
of disclosures that the prosecution and auditors get.

Recipients see only their own disclosures and only the served (watermarked) files;
every view and download goes through evidence.service.disclosed_content, which records it in
custody first. The prosecutor hears of the first receipt and the first opening.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from sqlmodel import Session, col, select

from custody.events import utc_now
from custody.models import LedgerEntry
from disclosure import notify, prepare
from disclosure.errors import DisclosureGone, DisclosureNotFound, WatermarkPending
from disclosure.models import (
    DefenceNote,
    Disclosure,
    DisclosureEntry,
    DisclosureTranche,
    Receipt,
)
from disclosure.receipts import record_receipt
from disclosure.schemas import DisclosurePublic, EntryPublic, TranchePublic
from disclosure.service import load_disclosure, status_of
from disclosure.streaming import guard_stream
from evidence.i18n import N_
from evidence.models import Role, User
from evidence.policy import Perm, Principal
from evidence.ranges import ByteRange
from evidence.service.access import record_denial, require, require_case
from evidence.service.custody_view import EntryReader
from evidence.service.disclosed_content import items_with_blobs, open_disclosed
from evidence.service.items import Content
from evidence.storage import ObjectStore


def entries_of(session: Session, disclosure_id: str, *, current: bool) -> list[DisclosureEntry]:
    query = select(DisclosureEntry).where(DisclosureEntry.disclosure_id == disclosure_id)
    if current:
        query = query.where(col(DisclosureEntry.withdrawn_in).is_(None))
    order = (col(DisclosureEntry.added_in), col(DisclosureEntry.position))
    return list(session.exec(query.order_by(*order)).all())


def public(session: Session, disclosure: Disclosure, *, for_defence: bool) -> DisclosurePublic:
    """The disclosure as its viewer may see it (the defence: served files only)."""
    entries = entries_of(session, disclosure.id, current=for_defence)
    if for_defence and status_of(disclosure) != "active":
        entries = []
    found = items_with_blobs(session=session, item_ids=[e.served_id or e.item_id for e in entries])
    state = prepare.readiness(session, entries)
    recipient = session.get(User, disclosure.recipient_id)
    tranches = session.exec(
        select(DisclosureTranche)
        .where(DisclosureTranche.disclosure_id == disclosure.id)
        .order_by(col(DisclosureTranche.number))
    ).all()
    items = []
    for e in entries:
        # Until the copy is ready the defence learns the file's name and type only.
        item, blob = found[e.served_id or e.item_id]
        ready = e.served_id is not None
        job = state[e.id].job
        items.append(
            EntryPublic(
                entry_id=e.id, state=state[e.id].state, served_id=e.served_id,
                name=item.original_name if ready else f"watermarked-{item.original_name}",
                sha256=blob.sha256 if ready else None,
                size=blob.size if ready else None, media_type=blob.media_type,
                added_in=e.added_in, withdrawn_in=e.withdrawn_in,
                watermarked=e.served_id != e.item_id,
                source_id=None if for_defence else e.source_id,
                item_id=None if for_defence else e.item_id,
                error=job.error if job is not None and not for_defence else None,
            )
        )  # fmt: skip
    return DisclosurePublic(
        id=disclosure.id,
        case_id=disclosure.case_id,
        recipient=recipient.username if recipient else "",
        note=disclosure.note,
        status=status_of(disclosure),
        tranches=disclosure.tranches,
        created_at=disclosure.created_at,
        expires_at=disclosure.expires_at,
        revoked_at=disclosure.revoked_at,
        first_received_at=None if for_defence else disclosure.first_received_at,
        first_opened_at=None if for_defence else disclosure.first_opened_at,
        items=items,
        preparing=sum(1 for i in items if i.state != "ready" and i.withdrawn_in is None),
        history=[
            TranchePublic(number=t.number, added=t.added, withdrawn=t.withdrawn, note=t.note,
                          created_at=t.created_at)
            for t in tranches
        ],
    )  # fmt: skip


def list_for_case(
    *, session: Session, principal: Principal, case_id: str, client: str | None = None
) -> list[DisclosurePublic]:
    """Disclosures of a case, for its prosecution (and auditors)."""
    require_case(
        session, principal=principal, perm=Perm.DISCLOSURE_READ, case_id=case_id, client=client
    )
    rows = session.exec(
        select(Disclosure).where(Disclosure.case_id == case_id).order_by(col(Disclosure.created_at))
    ).all()
    return [public(session, d, for_defence=False) for d in rows]


def list_mine(*, session: Session, principal: Principal) -> list[DisclosurePublic]:
    """A lawyer's own disclosures (nobody else's), newest first."""
    rows = session.exec(
        select(Disclosure)
        .where(Disclosure.recipient_id == principal.user_id)
        .order_by(col(Disclosure.created_at).desc())
    ).all()
    return [public(session, d, for_defence=True) for d in rows]


def _mine(
    session: Session, principal: Principal, disclosure_id: str, client: str | None = None
) -> Disclosure:
    """The caller's disclosure; anyone else's is "not found" (its existence is hidden),
    and the attempt is recorded as a refusal all the same."""
    disclosure = session.get(Disclosure, disclosure_id)
    if disclosure is None:
        raise DisclosureNotFound("no such disclosure")
    if disclosure.recipient_id != principal.user_id:
        raise hidden(session, principal, disclosure, client)
    return disclosure


def hidden(
    session: Session, principal: Principal, disclosure: Disclosure, client: str | None
) -> DisclosureNotFound:
    """Record the refusal of someone else's disclosure; it answers "not found"."""
    record_denial(
        session, principal=principal, perm=Perm.DISCLOSURE_RECEIVE, client=client,
        case_id=disclosure.case_id, details={"disclosure": disclosure.id},
    )  # fmt: skip
    return DisclosureNotFound("no such disclosure")


def get_disclosure(
    *, session: Session, principal: Principal, disclosure_id: str, client: str | None = None
) -> DisclosurePublic:
    """One disclosure: the recipient's view (marks it opened) or the prosecution's."""
    disclosure, case = load_disclosure(session, disclosure_id)
    if principal.user_id == disclosure.recipient_id:
        if status_of(disclosure) == "active":
            first_time(session, disclosure, "opened")
        return public(session, disclosure, for_defence=True)
    # Refused either way; a lawyer is told "not found": they never learn of another's.
    if principal.role is Role.DEFENCE:
        raise hidden(session, principal, disclosure, client)
    require(session, principal=principal, perm=Perm.DISCLOSURE_READ, case=case, client=client)
    return public(session, disclosure, for_defence=False)


def first_time(session: Session, disclosure: Disclosure, what: str) -> None:
    """Notify the disclosing prosecutor the first time material is received / opened."""
    column = "first_received_at" if what == "received" else "first_opened_at"
    if getattr(disclosure, column) is not None:
        return
    setattr(disclosure, column, utc_now())
    session.add(disclosure)
    session.commit()
    recipient = session.get(User, disclosure.recipient_id)
    name = recipient.username if recipient else "the defence"
    template = (
        N_("Disclosure %(disclosure)s: %(recipient)s first opened the material")
        if what == "opened"
        else N_("Disclosure %(disclosure)s: %(recipient)s first received the material")
    )
    notify.notify(
        session=session,
        user_id=disclosure.created_by,
        kind=f"disclosure.{what}",
        disclosure_id=disclosure.id,
        template=template,
        params={"disclosure": disclosure.id[:8], "recipient": name},
        data={"recipient": name},
    )


def pending_error(session: Session, entries: list[DisclosureEntry]) -> WatermarkPending:
    """The refusal for files whose watermarked copy is not ready: which, and when to retry."""
    state = prepare.readiness(session, entries)
    names = {
        item.id: item.original_name
        for item, _ in items_with_blobs(
            session=session, item_ids=[e.item_id for e in entries]
        ).values()
    }
    pending: list[dict[str, object]] = [
        {"entry_id": e.id, "name": names.get(e.item_id, ""), "state": state[e.id].state}
        for e in entries
    ]
    failed = [p for p in pending if p["state"] == "failed"]
    listed = ", ".join(str(p["name"]) for p in pending)
    if failed:
        return WatermarkPending(
            "the watermarked copy of %(files)s could not be prepared; the prosecution "
            "can queue it again",
            pending=pending, retry_after=None, files=listed,
        )  # fmt: skip
    return WatermarkPending(
        "the watermarked copy of %(files)s is being prepared; try again shortly",
        pending=pending, retry_after=max(state[e.id].retry_after for e in entries),
        files=listed,
    )  # fmt: skip


def open_item(
    *,
    session: Session,
    store: ObjectStore,
    principal: Principal,
    disclosure_id: str,
    item_id: str,
    download: bool = False,
    start: int = 0,
    end: int | None = None,
    byte_range: ByteRange | None = None,
    client: str | None = None,
) -> tuple[Content, Receipt | None]:
    """Stream or download one served file of the caller's disclosure (recorded first).

    `item_id` is the served file's id or the entry's id; a file whose watermarked copy
    is not ready yet raises `WatermarkPending` (nothing is read or recorded).
    """
    disclosure = _mine(session, principal, disclosure_id, client)
    if status_of(disclosure) != "active":
        raise DisclosureGone("this disclosure is %(status)s", status=status_of(disclosure))
    entry = next(
        (e for e in entries_of(session, disclosure.id, current=True)
         if item_id in {e.served_id, e.id}),
        None,
    )  # fmt: skip
    if entry is None:
        raise DisclosureNotFound("no such item in this disclosure")
    if entry.served_id is None:
        raise pending_error(session, [entry])
    item_id = entry.served_id
    content = open_disclosed(
        session=session, store=store, principal=principal, item_id=item_id,
        disclosure_id=disclosure.id, client=client, download=download, start=start, end=end,
        byte_range=byte_range,
    )  # fmt: skip
    receipt = None
    if download and content.length == content.blob.size:
        receipt = record_receipt(
            session=session, disclosure_id=disclosure.id, recipient_id=principal.user_id,
            what="item", item_id=item_id, sha256=content.blob.sha256, size=content.blob.size,
        )  # fmt: skip
        session.commit()
    first_time(session, disclosure, "received" if download else "opened")
    session.commit()  # no transaction (SQLite: no write lock) held while the bytes flow
    bind = session.get_bind()
    guarded = guard_stream(
        content.chunks, engine=bind.engine, principal=principal,
        disclosure_id=disclosure.id, item_id=item_id, client=client,
        purpose="disclosure-download" if download else "disclosure-view",
    )  # fmt: skip
    return replace(content, chunks=guarded), receipt


def add_note(
    *, session: Session, principal: Principal, disclosure_id: str, text: str,
    item_id: str | None = None,
) -> DefenceNote:  # fmt: skip
    """A private note of the recipient (never shown to anyone else)."""
    disclosure = _mine(session, principal, disclosure_id)
    note = DefenceNote(
        disclosure_id=disclosure.id, author_id=principal.user_id, item_id=item_id, text=text,
        created_at=utc_now(),
    )  # fmt: skip
    session.add(note)
    session.commit()
    return note


def list_notes(*, session: Session, principal: Principal, disclosure_id: str) -> list[DefenceNote]:
    disclosure = _mine(session, principal, disclosure_id)
    return list(
        session.exec(
            select(DefenceNote)
            .where(
                DefenceNote.disclosure_id == disclosure.id,
                DefenceNote.author_id == principal.user_id,
            )
            .order_by(col(DefenceNote.created_at))
        ).all()
    )


def access_trail(
    *, session: Session, principal: Principal, disclosure_id: str, client: str | None = None
) -> list[dict[str, Any]]:
    """The recipient's reads under this disclosure: for auditors only, not prosecutors
    (the defence's activity, shown through the one custody view)."""
    disclosure, case = load_disclosure(session, disclosure_id)
    require(session, principal=principal, perm=Perm.DISCLOSURE_READ, case=case, client=client)
    require(session, principal=principal, perm=Perm.DEFENCE_ACTIVITY, case=case, client=client)
    reader = EntryReader(session, principal)
    served = [e.served_id for e in entries_of(session, disclosure.id, current=False) if e.served_id]
    rows = session.exec(
        select(LedgerEntry)
        .where(col(LedgerEntry.item_id).in_(served))
        .order_by(col(LedgerEntry.idx))
    ).all()
    trail = []
    for row in rows:
        event = json.loads(row.leaf)
        if event.get("actor", {}).get("id") == disclosure.recipient_id and reader.may_read(row):
            trail.append({"index": row.idx, **event})
    return trail
