"""The one custody view: which ledger entries a principal may read in clear.

Every path that shows custody (the item custody API and page, court exports and their
report, custody and disclosure bundles, `GET /ledger/entries/{i}`, inclusion proofs)
asks `EntryReader.may_read` (or `may_read_entry`) and shows what it refuses as a sealed
event: its leaf hash and proof, which keep the chain verifiable, and nothing else.

The rules, all taken from the policy table:

- one's own events are always readable by oneself;
- the defence's events (reading, downloading, receipts) are readable by the lawyer
  who caused them and by auditors (`defence.activity`) who may read that chain;
- item events: `item.custody` on the item; an item's creation or derivation event also
  by whoever holds `item.origin` (a defence lawyer, for what was disclosed to them,
  so a bundle proves where a served file came from);
- case events: `case.custody` in the case;
- system events (accounts, keys, receipt keys): `ledger.system` (auditors, administrators).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

import custody
from custody.models import Checkpoint, LedgerEntry
from custody.view import Entry, ItemCustody, ShownEvent, item_custody, show
from evidence import hooks
from evidence.models import Item, Role
from evidence.policy import Perm, Principal, allowed
from evidence.service.access import case_role, load_item, require

ORIGIN_ACTIONS = frozenset({"item.created", "item.derived"})
DEFENCE = str(Role.DEFENCE)


class EntryReader:
    """Decides, for one principal, which entries they may read in clear.

    Decisions about a chain (an item's, a case's) are looked up once and cached, so a
    view of thousands of events costs a few queries.
    """

    def __init__(self, session: Session, principal: Principal | None) -> None:
        """`principal` None is the local operator (the CLI on the server): everything."""
        self.session = session
        self.principal = principal
        self._item: dict[str, tuple[Role | None, bool, bool] | None] = {}
        self._case: dict[str, Role | None] = {}

    def may_read(self, entry: Entry) -> bool:
        """May this principal read `entry` (a ledger row) in clear?"""
        if self.principal is None:
            return True
        event = json.loads(entry.leaf)
        actor = event.get("actor") if isinstance(event, dict) else None
        actor = actor if isinstance(actor, dict) else {}
        if actor.get("id") == self.principal.user_id:
            return True
        defence = actor.get("role") == DEFENCE
        subject = entry.subject
        if subject.startswith("item:"):
            return self._item_entry(subject[5:], event, defence)
        if subject.startswith("case:"):
            role = self._case_role(subject[5:])
            return self._allowed(Perm.CASE_CUSTODY, role) and (
                not defence or self._allowed(Perm.DEFENCE_ACTIVITY, role)
            )
        return self._allowed(Perm.LEDGER_SYSTEM, None) and (
            not defence or self._allowed(Perm.DEFENCE_ACTIVITY, None)
        )

    def _allowed(
        self, perm: Perm, role: Role | None, *, own: bool = False, disclosed: bool = False
    ) -> bool:
        assert self.principal is not None
        return allowed(
            principal=self.principal, perm=perm, case_role=role, own_item=own, disclosed=disclosed
        )

    def _case_role(self, case_id: str) -> Role | None:
        if case_id not in self._case:
            assert self.principal is not None
            self._case[case_id] = case_role(
                self.session, case_id=case_id, user_id=self.principal.user_id
            )
        return self._case[case_id]

    def _item_facts(self, item_id: str) -> tuple[Role | None, bool, bool] | None:
        """(case role, own item, disclosed to the caller) for an item; None if unknown."""
        if item_id not in self._item:
            assert self.principal is not None
            item = self.session.get(Item, item_id)
            if item is None:
                self._item[item_id] = None
            else:
                disclosed = self.principal.role is Role.DEFENCE and hooks.is_disclosed(
                    self.session, self.principal.user_id, item.id
                )
                self._item[item_id] = (
                    self._case_role(item.case_id),
                    item.uploaded_by == self.principal.user_id,
                    disclosed,
                )
        return self._item[item_id]

    def _item_entry(self, item_id: str, event: Any, defence: bool) -> bool:
        facts = self._item_facts(item_id)
        if facts is None:
            return False
        role, own, disclosed = facts
        if defence:
            return self._allowed(Perm.ITEM_CUSTODY, role, own=own) and self._allowed(
                Perm.DEFENCE_ACTIVITY, role
            )
        if self._allowed(Perm.ITEM_CUSTODY, role, own=own, disclosed=disclosed):
            return True
        origin = (
            isinstance(event, dict)
            and event.get("action") in ORIGIN_ACTIONS
            and event.get("prev") is None
        )
        return origin and self._allowed(Perm.ITEM_ORIGIN, role, own=own, disclosed=disclosed)

    def show(
        self, entries: Iterable[Entry], proofs: Iterable[list[bytes]] = ()
    ) -> list[ShownEvent]:
        """The entries as this principal sees them (with their proofs, when given)."""
        listed = list(entries)
        paired = list(proofs) or [[] for _ in listed]
        return [
            show(entry, readable=self.may_read(entry), proof=proof)
            for entry, proof in zip(listed, paired, strict=True)
        ]


def may_read_entry(*, session: Session, principal: Principal, entry: LedgerEntry | int) -> bool:
    """May `principal` read this ledger entry (a row, or its index) in clear?

    The one decision behind every custody display and behind `GET /ledger/entries/{i}`
    and inclusion proofs: an unknown index is simply not readable.
    """
    if isinstance(entry, int):
        row = session.exec(select(LedgerEntry).where(col(LedgerEntry.idx) == entry)).first()
        if row is None:
            return False
        entry = row
    return EntryReader(session, principal).may_read(entry)


def proven_custody(
    *, session: Session, reader: EntryReader, item_id: str, anchor: Checkpoint | None = None
) -> ItemCustody:
    """An item's chain as `reader`'s principal may see it, with inclusion proofs to the
    checkpoint `anchor` (default: the latest). Nothing is recorded: callers that show
    this to a person record the read themselves."""
    return item_custody(session=session, item_id=item_id, readable=reader.may_read, anchor=anchor)


def custody_page(
    *,
    session: Session,
    principal: Principal,
    item_id: str,
    limit: int = 200,
    client: str | None = None,
) -> tuple[int, list[ShownEvent]]:
    """An item's custody events for its web page (the newest `limit`, oldest first) and
    their total count, without proofs: the page tells the story, `GET
    /items/{id}/custody` gives the provable record. The read is recorded first, so it
    is the last event listed."""
    item, case = load_item(session, item_id)
    require(
        session, principal=principal, perm=Perm.ITEM_CUSTODY, case=case, item=item, client=client
    )
    custody.record(
        session=session,
        action=custody.Action.ITEM_CUSTODY_READ,
        actor=principal.actor(),
        case_id=case.id,
        item_id=item.id,
        sha256=item.sha256,
        client=client,
        details={"view": "item-page"},
    )
    session.commit()
    subject = f"item:{item.id}"
    total = session.exec(
        select(func.count()).select_from(LedgerEntry).where(LedgerEntry.subject == subject)
    ).one()
    newest = session.exec(
        select(LedgerEntry)
        .where(LedgerEntry.subject == subject)
        .order_by(col(LedgerEntry.idx).desc())
        .limit(limit)
    ).all()
    return int(total), EntryReader(session, principal).show(reversed(newest))
