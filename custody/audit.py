"""`ledger verify`: recompute the whole log from its leaves and compare with what is stored.

Checks every leaf hash against its bytes, every row's columns against its event, every
item's `prev` chain, every stored interior node, and every checkpoint (signature, size,
root). Problems name the entry index and the item, so an examiner knows what to look at.
Memory stays bounded: leaves stream in order and nodes are compared in windows.

Damage is reported once, where it is: a deleted row is one finding (custody.gaps) — the
tree is rebuilt around it from the stored nodes, so the nodes and checkpoints after it
still verify and are not named, and the next event of its item, whose `prev` names the
missing event, tells whose it was. Callers may look at every event as it streams by
(`observers`, e.g. fsck's reference checks) or only at the entries no checkpoint signed
yet (`tail`): those are the ones a forger could have added unseen.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, text
from sqlmodel import Session, col

from custody import merkle
from custody.checkpoint import CheckpointBody, cosignatures_of, log_verifiers
from custody.errors import CustodyError
from custody.gaps import Gaps
from custody.models import Checkpoint, LedgerEntry, LedgerNode
from custody.note import Verifier, open_note, split_note, verify_cosignature
from custody.witnesses import active_witnesses

_WINDOW = 65_536  # leaves per node comparison window

# Looks at one parsed event (its index and JSON object); returns what is wrong with it.
Observer = Callable[[int, dict[str, Any]], Iterable[str]]


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the stored ledger."""

    message: str
    index: int | None = None
    item_id: str | None = None

    def __str__(self) -> str:
        where = [f"entry {self.index}"] if self.index is not None else []
        if self.item_id:
            where.append(f"item {self.item_id}")
        return f"{', '.join(where)}: {self.message}" if where else self.message


@dataclass(slots=True)
class LedgerReport:
    """Result of `verify_ledger`: the recomputed size and root, and any problems.

    `signed` and `witnessed` are the sizes of the newest checkpoint whose signature
    verifies and of the newest one a registered witness cosigned (None: none yet);
    entries past them are not yet protected by a signature or by a witness.
    """

    size: int = 0
    root: bytes = merkle.EMPTY_ROOT
    checkpoints: int = 0
    signed: int = 0
    witnessed: int | None = None
    problems: list[Problem] = field(default_factory=list)
    gap_items: set[str] = field(default_factory=set)  # whose deleted events a gap holds

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def unsigned(self) -> int:
        """Entries beyond the newest valid signed checkpoint."""
        return max(0, self.size - self.signed)

    @property
    def unwitnessed(self) -> int:
        """Entries beyond the newest checkpoint a registered witness cosigned."""
        return max(0, self.size - (self.witnessed or 0))


class _Walker:
    """Streams leaves, rebuilding the tree and comparing as it goes."""

    def __init__(self, session: Session, report: LedgerReport) -> None:
        self.session = session
        self.report = report
        # Perfect subtrees of the frontier; None where a deleted leaf leaves it unknown.
        self.stack: list[tuple[int, bytes | None]] = []
        self.pending: dict[tuple[int, int], tuple[bytes, str | None]] = {}
        self.last_by_subject: dict[str, tuple[bytes, int]] = {}
        self.roots: dict[int, bytes | None] = {0: merkle.EMPTY_ROOT}
        self.gaps = Gaps()
        self.observers: list[Observer] = []
        self.tail: Observer | None = None
        self.tail_from = 0

    def problem(self, message: str, index: int | None = None, item: str | None = None) -> None:
        self.report.problems.append(Problem(message=message, index=index, item_id=item))

    def leaf(self, row: Any, wanted_sizes: set[int]) -> None:
        idx, leaf = int(row.idx), bytes(row.leaf)
        item = row.item_id or row.subject
        if idx > self.report.size:
            self.missing(self.report.size, idx, wanted_sizes)
        digest = merkle.hash_leaf(leaf)
        if digest != bytes(row.leaf_hash):
            self.problem("stored leaf hash does not match the leaf bytes (edited)", idx, item)
        self._check_event(row, leaf, digest, item)
        self.push(digest, wanted_sizes, item)

    def missing(self, start: int, end: int, wanted_sizes: set[int]) -> None:
        """Entries start..end-1 have no row: rebuild the tree around them."""
        self.gaps.add(start, end)
        for _ in range(start, end):
            self.push(None, wanted_sizes, None)

    def push(self, digest: bytes | None, wanted_sizes: set[int], item: str | None) -> None:
        n = self.report.size
        node, level = digest, 0
        while self.stack and self.stack[-1][0] == level:
            left = self.stack.pop()[1]
            level += 1
            position = ((n + 1) >> level) - 1
            if left is None or node is None:
                # A subtree over a deleted leaf cannot be recomputed: take the stored node,
                # so that everything above it is still checked (the gap is one finding).
                node = self._stored_node(level, position)
            else:
                node = merkle.hash_children(left, node)
                self.pending[(level, position)] = (node, item)
        self.stack.append((level, node))
        self.report.size = n + 1
        if self.report.size in wanted_sizes:
            hashes = [h for _, h in self.stack]
            self.roots[self.report.size] = (
                None if any(h is None for h in hashes) else merkle.fold_range(hashes)  # type: ignore[arg-type]
            )
        if self.report.size % _WINDOW == 0:
            self.flush_nodes()

    def _stored_node(self, level: int, idx: int) -> bytes | None:
        found = self.session.execute(
            select(col(LedgerNode.hash)).where(
                col(LedgerNode.level) == level, col(LedgerNode.idx) == idx
            )
        ).scalar_one_or_none()
        return None if found is None else bytes(found)

    def _check_event(self, row: Any, leaf: bytes, digest: bytes, item: str) -> None:
        idx = int(row.idx)
        try:
            event = json.loads(leaf)
        except ValueError:
            self.problem("leaf is not a JSON event", idx, item)
            return
        if not isinstance(event, dict):
            self.problem("leaf is not a JSON event", idx, item)
            return
        columns = {
            "subject": row.subject,
            "action": row.action,
            "item": row.item_id,
            "case": row.case_id,
            "prev": row.prev_hash.hex() if row.prev_hash is not None else None,
        }
        for key, value in columns.items():
            if event.get(key) != value:
                self.problem(f"column {key!r} differs from the signed event", idx, item)
        subject = str(event.get("subject", row.subject))
        expected, last_idx = self.last_by_subject.get(subject, (None, -1))
        prev = event.get("prev")
        # When the event before this one is missing and a deleted row lies between this
        # subject's last event and this one, that row was this subject's (one finding).
        broken = prev != (expected.hex() if expected else None)
        if broken and not (
            prev and self.gaps.claim(after=last_idx, before=idx, subject=item, by=idx)
        ):
            self.problem(
                "chain broken: `prev` is not the previous event of this subject "
                "(an event was deleted, inserted or reordered)",
                idx,
                item,
            )
        self.last_by_subject[subject] = (digest, idx)
        for observe in self.observers:
            for message in observe(idx, event):
                self.problem(message, idx, item)
        if self.tail is not None and idx >= self.tail_from:
            for message in self.tail(idx, event):
                self.problem(f"not yet signed: {message}", idx, item)

    def flush_nodes(self) -> None:
        """Compare recomputed nodes with stored ones, one range query per level."""
        by_level: dict[int, list[int]] = {}
        for level, idx in self.pending:
            by_level.setdefault(level, []).append(idx)
        for level, indexes in sorted(by_level.items()):
            rows = self.session.execute(
                select(col(LedgerNode.idx), col(LedgerNode.hash)).where(
                    col(LedgerNode.level) == level,
                    col(LedgerNode.idx) >= min(indexes),
                    col(LedgerNode.idx) <= max(indexes),
                )
            ).all()
            stored = {int(i): bytes(h) for i, h in rows}
            for idx in sorted(indexes):
                expected, item = self.pending.pop((level, idx))
                got = stored.get(idx)
                first, last = idx << level, ((idx + 1) << level) - 1
                span = f"node level {level} #{idx} (entries {first}..{last})"
                if got is None:
                    self.problem(f"{span} is missing", idx << level, item)
                elif got != expected:
                    self.problem(f"{span} differs from the recomputed tree", idx << level, item)

    @staticmethod
    def signed_end(checkpoints: Sequence[Checkpoint]) -> int:
        """How far the checkpoints say the log reaches (rows deleted at its end leave
        them behind; stored nodes are no such evidence: one forged node would do)."""
        return max((int(c.size) for c in checkpoints), default=0)

    def extra_nodes(self) -> None:
        """Stored nodes beyond the recomputed tree (one scan; `>>` works in PG and SQLite)."""
        rows = self.session.execute(
            text("SELECT level, idx FROM ledger_node WHERE idx >= (:size >> level)"),
            {"size": self.report.size},
        ).all()
        for level, idx in rows:
            self.problem(f"node level {level} #{idx} covers entries that do not exist")


def verify_ledger(
    *,
    session: Session,
    observers: Sequence[Observer] = (),
    tail: Observer | None = None,
) -> LedgerReport:
    """Recompute the log from its leaves and check every stored node and checkpoint.

    Every parsed event is shown to `observers`; those beyond the newest checkpoint also
    to `tail` (their problems say "not yet signed").
    """
    report = LedgerReport()
    checkpoints = list(
        session.execute(select(Checkpoint).order_by(col(Checkpoint.id))).scalars().all()
    )
    walker = _Walker(session, report)
    walker.observers = list(observers)
    walker.tail = tail
    walker.tail_from = checkpoints[-1].size if checkpoints else 0
    wanted = {c.size for c in checkpoints}
    rows = session.execute(
        select(
            col(LedgerEntry.idx),
            col(LedgerEntry.leaf),
            col(LedgerEntry.leaf_hash),
            col(LedgerEntry.subject),
            col(LedgerEntry.action),
            col(LedgerEntry.item_id),
            col(LedgerEntry.case_id),
            col(LedgerEntry.prev_hash),
        ).order_by(col(LedgerEntry.idx))
    ).yield_per(5_000)
    for row in rows:
        walker.leaf(row, wanted)
    end = walker.signed_end(checkpoints)
    if end > report.size:  # rows deleted at the end of the log
        walker.missing(report.size, end, wanted)
    walker.flush_nodes()
    walker.extra_nodes()
    if walker.stack and all(h is not None for _, h in walker.stack):
        report.root = merkle.fold_range([h for _, h in walker.stack])  # type: ignore[misc]
    for gap in walker.gaps.problems():
        walker.problem(gap.message, gap.index, gap.item)
    report.gap_items = walker.gaps.owners()
    _check_checkpoints(session, checkpoints, walker)
    return report


def _check_checkpoints(session: Session, checkpoints: list[Checkpoint], walker: _Walker) -> None:
    verifiers = log_verifiers(session=session)
    trusted = {w.verifier for w in active_witnesses(session=session)}
    for cp in checkpoints:
        walker.report.checkpoints += 1
        label = f"checkpoint #{cp.id} (size {cp.size})"
        try:
            body = CheckpointBody.parse(open_note(cp.note, verifiers))
        except CustodyError as exc:
            walker.problem(f"{label}: signature does not verify: {exc}")
            continue
        if body.size != cp.size or body.root != bytes(cp.root_hash):
            walker.problem(f"{label}: stored size/root differ from the signed note")
        if body.size not in walker.roots:
            walker.problem(f"{label}: signs a size the log never reached ({walker.report.size})")
            continue
        root = walker.roots[body.size]
        if root is not None and root != body.root:  # None: over a gap, already reported
            walker.problem(f"{label}: signed root differs from the recomputed tree")
            continue
        walker.report.signed = max(walker.report.signed, body.size)
        if _check_cosignatures(session, cp, label, walker, trusted):
            walker.report.witnessed = max(walker.report.witnessed or 0, body.size)


def _check_cosignatures(
    session: Session, cp: Checkpoint, label: str, walker: _Walker, trusted: set[str]
) -> bool:
    """Each stored cosignature must still verify against its checkpoint and witness key;
    True when one of a registered witness does."""
    text_, _ = split_note(cp.note)
    witnessed = False
    for cosig in cosignatures_of(session=session, checkpoint=cp):
        try:
            _, lines = split_note(text_ + "\n" + cosig.line)
            verify_cosignature(text_, lines[0], Verifier.parse(cosig.verifier))
        except CustodyError as exc:
            walker.problem(f"{label}: cosignature by {cosig.key_name} does not verify: {exc}")
            continue
        witnessed = witnessed or cosig.verifier in trusted
    return witnessed
