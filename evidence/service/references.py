"""Do the people and things a custody event names exist? (fsck, `ledger verify`, signing)

A forged event can be well formed — right `prev`, leaf hash and tree nodes — and still
name a user who never existed or an item nobody registered: the ledger's own hashes
cannot tell. This check reads the vault's tables: every actor must be a user (under
their own name) or one of the system's built-in actors, every subject an item or case.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from custody import SYSTEM
from custody.models import Checkpoint, LedgerEntry
from evidence.models import Case, Item, User
from evidence.service.citizen_actor import CITIZEN
from evidence.service.derive import WORKER
from evidence.service.witnesses import ANONYMOUS

BUILT_IN = {actor.id: actor for actor in (SYSTEM, WORKER, ANONYMOUS, CITIZEN)}


class References:
    """An observer for `custody.audit.verify_ledger`: problems with an event's names.

    `preload` reads every user, item and case id once (fsck walks the whole log);
    otherwise each id is looked up when first met (the few entries not yet signed).
    """

    def __init__(self, session: Session, *, preload: bool = False) -> None:
        self.session = session
        self.users: dict[str, str | None] = {}
        self.items: dict[str, bool] = {}
        self.cases: dict[str, bool] = {}
        self.complete = preload
        self._tail_read = False
        if preload:
            self.users = dict(session.exec(select(User.id, User.username)).all())
            self.items = dict.fromkeys(session.exec(select(Item.id)).all(), True)
            self.cases = dict.fromkeys(session.exec(select(Case.id)).all(), True)

    def __call__(self, idx: int, event: dict[str, Any]) -> Iterator[str]:
        actor = event.get("actor")
        if not isinstance(actor, dict):
            yield "the event names no actor"
        else:
            yield from self._actor(actor)
        subject = event.get("subject")
        kind, _, ident = str(subject).partition(":")
        if subject != "system" and not (
            (kind == "item" and self._item(ident)) or (kind == "case" and self._case(ident))
        ):
            yield f"its subject {subject} does not exist"
        for field, exists in (("item", self._item), ("case", self._case)):
            named = event.get(field)
            if named and f"{field}:{named}" != subject and not exists(str(named)):
                yield f"it names {field} {named}, which does not exist"

    def _actor(self, actor: dict[str, Any]) -> Iterator[str]:
        ident, name = str(actor.get("id")), actor.get("name")
        built_in = BUILT_IN.get(ident)
        if built_in is not None:
            if (name, actor.get("role")) != (built_in.name, built_in.role):
                yield f"actor {ident} is not the system's {built_in.name!r}"
            return
        if ident not in self.users and not self.complete:
            self.users[ident] = self.session.exec(
                select(User.username).where(col(User.id) == ident)
            ).first()
        username = self.users.get(ident)
        if username is None:
            yield f"actor {name!r} ({ident}) is not a user of this system (a forged event?)"
        elif name != username:
            yield f"actor {ident} is named {name!r} but the user is {username!r}"

    def _item(self, ident: str) -> bool:
        if ident not in self.items and not self.complete:
            self._unsigned_items()
            if ident not in self.items:
                found = self.session.exec(select(Item.id).where(col(Item.id) == ident)).first()
                self.items[ident] = found is not None
        return self.items.get(ident, False)

    def _unsigned_items(self) -> None:
        """Whether each item named by an entry no checkpoint signed yet exists, in one
        query, at the first miss: the signer checks exactly those entries, and a query
        per item of a bulk upload's thousands made its check the server's busiest code."""
        if self._tail_read:
            return
        self._tail_read = True
        signed = select(func.coalesce(func.max(Checkpoint.size), 0)).scalar_subquery()
        rows = self.session.execute(
            select(col(LedgerEntry.item_id), col(Item.id))
            .select_from(LedgerEntry)
            .outerjoin(Item, col(Item.id) == col(LedgerEntry.item_id))
            .where(col(LedgerEntry.idx) >= signed, col(LedgerEntry.item_id).is_not(None))
            .distinct()
        )
        for named, found in rows:
            self.items[str(named)] = found is not None

    def _case(self, ident: str) -> bool:
        if ident not in self.cases and not self.complete:
            found = self.session.exec(select(Case.id).where(col(Case.id) == ident)).first()
            self.cases[ident] = found is not None
        return self.cases.get(ident, False)
