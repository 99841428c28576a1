"""A case's custody as people read it: who (name and role), what (the action), when,
from where, on which item — every event of the case's items and of the case itself,
through the one custody view (`custody_view.EntryReader`: what the viewer may not read
in clear stays a sealed line with its leaf hash). Routine reads by one person in a row
collapse into one line with a count; the list can be narrowed to a person or an action;
auditors may take it as CSV. Each view and export is itself recorded first.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

import custody
from custody.models import LedgerEntry
from custody.view import ShownEvent
from evidence.models import Case, Item, User
from evidence.policy import Perm, Principal
from evidence.service.access import load_case, require
from evidence.service.custody_view import EntryReader

# Reads that happen many times a day: shown once per run with a count.
ROUTINE = frozenset(
    {
        "item.metadata.read", "item.content.read", "item.custody.read", "item.downloaded",
        "case.timeline.read", "case.searched", "case.custody.read", "access.denied",
    }
)  # fmt: skip
LIMIT = 5000  # the newest events shown (the CSV has them all)


@dataclass
class Line:
    """One line of the timeline: one event, or a run of routine events of one person."""

    first: ShownEvent
    last: ShownEvent
    count: int = 1
    items: set[str] = field(default_factory=set)

    @property
    def event(self) -> dict[str, object] | None:
        return self.first.event

    @property
    def actor(self) -> dict[str, str]:
        actor = (self.first.event or {}).get("actor")
        return actor if isinstance(actor, dict) else {}

    @property
    def action(self) -> str:
        return str((self.first.event or {}).get("action", ""))

    def at(self, which: str = "first") -> datetime | None:
        event = (self.first if which == "first" else self.last).event or {}
        value = event.get("at")
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")) if value else None


@dataclass(frozen=True)
class Timeline:
    case: Case
    lines: list[Line]
    total: int
    shown: int
    people: list[tuple[str, str, str]]  # (actor id, name, role) of the events shown
    actions: list[str]
    names: dict[str, str]  # user id → full name
    items: dict[str, str]  # item id → original name


def _entries(session: Session, case_id: str, limit: int | None) -> list[LedgerEntry]:
    """The case's events (its own chain and its items'), oldest first."""
    query = select(LedgerEntry).where(LedgerEntry.case_id == case_id)
    if limit is not None:
        query = query.order_by(col(LedgerEntry.idx).desc()).limit(limit)
        return list(reversed(session.exec(query).all()))
    return list(session.exec(query.order_by(col(LedgerEntry.idx))).all())


def _record(
    session: Session, principal: Principal, case: Case, client: str | None, view: str
) -> None:
    custody.record(
        session=session,
        action=custody.Action.CASE_CUSTODY_READ,
        actor=principal.actor(),
        case_id=case.id,
        case_number=case.number,
        client=client,
        details={"view": view},
    )
    session.commit()


def _shown(
    session: Session, principal: Principal, case: Case, limit: int | None
) -> tuple[int, list[ShownEvent]]:
    entries = _entries(session, case.id, limit)
    total = len(entries)
    if limit is not None and total >= limit:
        count = select(func.count()).select_from(LedgerEntry).where(LedgerEntry.case_id == case.id)
        total = int(session.exec(count).one())
    return total, EntryReader(session, principal).show(entries)


def group(events: Iterable[ShownEvent]) -> list[Line]:
    """Consecutive routine events of one person and one action become one line."""
    lines: list[Line] = []
    for shown in events:
        event = shown.event or {}
        actor = event.get("actor") if isinstance(event.get("actor"), dict) else {}
        action = str(event.get("action", ""))
        item = str(event.get("item") or "")
        last = lines[-1] if lines else None
        if (
            last is not None
            and shown.event is not None
            and action in ROUTINE
            and last.event is not None
            and last.action == action
            and last.actor.get("id") == actor.get("id")  # type: ignore[union-attr]
        ):
            last.last, last.count = shown, last.count + 1
            if item:
                last.items.add(item)
            continue
        lines.append(Line(shown, shown, items={item} if item else set()))
    return lines


def case_timeline(
    *,
    session: Session,
    principal: Principal,
    case_id: str,
    person: str = "",
    action: str = "",
    client: str | None = None,
) -> Timeline:
    """The case's custody timeline for its page (the newest `LIMIT` events)."""
    case = load_case(session, case_id)
    require(session, principal=principal, perm=Perm.CASE_CUSTODY, case=case, client=client)
    _record(session, principal, case, client, "timeline")
    total, shown = _shown(session, principal, case, LIMIT)
    clear = [s.event for s in shown if s.event is not None]
    people = {
        str(a["id"]): (str(a.get("name", "")), str(a.get("role", "")))
        for e in clear
        if isinstance(a := e.get("actor"), dict) and "id" in a
    }
    actions = sorted({str(e.get("action", "")) for e in clear})
    if person or action:
        shown = [
            s for s in shown if s.event is not None
            and (not person or (s.event.get("actor") or {}).get("id") == person)
            and (not action or s.event.get("action") == action)
        ]  # fmt: skip
    names = dict(
        session.exec(select(User.id, User.full_name).where(col(User.id).in_(people))).all()
    )
    item_ids = {str(e["item"]) for e in clear if e.get("item")}
    items = dict(
        session.exec(select(Item.id, Item.original_name).where(col(Item.id).in_(item_ids))).all()
    )
    session.commit()
    return Timeline(
        case=case, lines=group(shown), total=total, shown=len(shown),
        people=sorted(((i, n, r) for i, (n, r) in people.items()), key=lambda p: p[1]),
        actions=actions, names=names,
        items=items,
    )  # fmt: skip


CSV_HEADER = (
    "index", "at_utc", "person_id", "person", "role", "device", "action", "item_id",
    "item", "client", "leaf_hash", "sealed",
)  # fmt: skip


def case_custody_csv(
    *, session: Session, principal: Principal, case_id: str, client: str | None = None
) -> Iterator[str]:
    """Every event of the case as CSV lines (auditors); sealed events keep their index
    and leaf hash. The export is recorded before the first line."""
    case = load_case(session, case_id)
    require(session, principal=principal, perm=Perm.CUSTODY_EXPORT, case=case, client=client)
    _record(session, principal, case, client, "csv")
    _, shown = _shown(session, principal, case, None)
    items = dict(
        session.exec(select(Item.id, Item.original_name).where(Item.case_id == case.id)).all()
    )
    session.commit()
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(CSV_HEADER)
    yield flush()
    for s in shown:
        e = s.event or {}
        actor = e.get("actor") if isinstance(e.get("actor"), dict) else {}
        item_id = str(e.get("item") or "")
        writer.writerow(
            [
                s.index, e.get("at", ""), actor.get("id", ""), actor.get("name", ""),  # type: ignore[union-attr]
                actor.get("role", ""), actor.get("device", ""), e.get("action", ""),  # type: ignore[union-attr]
                item_id, items.get(item_id, ""), e.get("client", "") or "",
                s.leaf_hash.hex(), "yes" if s.sealed else "",
            ]
        )  # fmt: skip
        yield flush()
