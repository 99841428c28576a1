"""`ledger verify`: recompute the whole log from its leaves and compare with what is stored.

Checks every leaf hash against its bytes, every row's columns against its event, every
item's `prev` chain, every stored interior node, and every checkpoint (signature, size,
root). Problems name the entry index and the item, so an examiner knows what to look at.
Memory stays bounded: leaves stream in order and nodes are compared in windows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, text
from sqlmodel import Session, col

from custody import merkle
from custody.checkpoint import CheckpointBody, cosignatures_of, log_verifiers
from custody.errors import CustodyError
from custody.models import Checkpoint, LedgerEntry, LedgerNode
from custody.note import Verifier, open_note, split_note, verify_cosignature

_WINDOW = 65_536  # leaves per node comparison window


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
    """Result of `verify_ledger`: the recomputed size and root, and any problems."""

    size: int = 0
    root: bytes = merkle.EMPTY_ROOT
    checkpoints: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


class _Walker:
    """Streams leaves, rebuilding the tree and comparing as it goes."""

    def __init__(self, session: Session, report: LedgerReport) -> None:
        self.session = session
        self.report = report
        self.stack: list[tuple[int, bytes]] = []
        self.pending: dict[tuple[int, int], tuple[bytes, str | None]] = {}
        self.last_by_subject: dict[str, bytes] = {}
        self.roots: dict[int, bytes] = {0: merkle.EMPTY_ROOT}

    def problem(self, message: str, index: int | None = None, item: str | None = None) -> None:
        self.report.problems.append(Problem(message=message, index=index, item_id=item))

    def leaf(self, row: Any, wanted_sizes: set[int]) -> None:
        idx, leaf = int(row.idx), bytes(row.leaf)
        item = row.item_id or row.subject
        if idx != self.report.size:
            self.problem(
                f"entries {self.report.size}..{idx - 1} are missing (deleted rows)", idx, item
            )
        digest = merkle.hash_leaf(leaf)
        if digest != bytes(row.leaf_hash):
            self.problem("stored leaf hash does not match the leaf bytes (edited)", idx, item)
        self._check_event(row, leaf, digest, item)
        n = self.report.size
        node, level = digest, 0
        while self.stack and self.stack[-1][0] == level:
            node = merkle.hash_children(self.stack.pop()[1], node)
            level += 1
            self.pending[(level, ((n + 1) >> level) - 1)] = (node, item)
        self.stack.append((level, node))
        self.report.size = n + 1
        if self.report.size in wanted_sizes:
            self.roots[self.report.size] = merkle.fold_range([h for _, h in self.stack])
        if self.report.size % _WINDOW == 0:
            self.flush_nodes()

    def _check_event(self, row: Any, leaf: bytes, digest: bytes, item: str) -> None:
        idx = int(row.idx)
        try:
            event = json.loads(leaf)
        except ValueError:
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
        expected = self.last_by_subject.get(subject)
        if event.get("prev") != (expected.hex() if expected else None):
            self.problem(
                "chain broken: `prev` is not the previous event of this subject "
                "(an event was deleted, inserted or reordered)",
                idx,
                item,
            )
        self.last_by_subject[subject] = digest

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

    def extra_nodes(self) -> None:
        """Stored nodes beyond the recomputed tree (one scan; `>>` works in PG and SQLite)."""
        rows = self.session.execute(
            text("SELECT level, idx FROM ledger_node WHERE idx >= (:size >> level)"),
            {"size": self.report.size},
        ).all()
        for level, idx in rows:
            self.problem(f"node level {level} #{idx} covers entries that do not exist")


def verify_ledger(*, session: Session) -> LedgerReport:
    """Recompute the log from its leaves and check every stored node and checkpoint."""
    report = LedgerReport()
    checkpoints = list(
        session.execute(select(Checkpoint).order_by(col(Checkpoint.id))).scalars().all()
    )
    walker = _Walker(session, report)
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
    walker.flush_nodes()
    walker.extra_nodes()
    report.root = merkle.fold_range([h for _, h in walker.stack]) if walker.stack else report.root
    _check_checkpoints(session, checkpoints, walker)
    return report


def _check_checkpoints(session: Session, checkpoints: list[Checkpoint], walker: _Walker) -> None:
    verifiers = log_verifiers(session=session)
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
        root = walker.roots.get(body.size)
        if root is None:
            walker.problem(f"{label}: signs a size the log never reached ({walker.report.size})")
        elif root != body.root:
            walker.problem(f"{label}: signed root differs from the recomputed tree")
        _check_cosignatures(session, cp, label, walker)


def _check_cosignatures(session: Session, cp: Checkpoint, label: str, walker: _Walker) -> None:
    """Each stored cosignature must still verify against its checkpoint and witness key."""
    text, _ = split_note(cp.note)
    for cosig in cosignatures_of(session=session, checkpoint=cp):
        try:
            _, lines = split_note(text + "\n" + cosig.line)
            verify_cosignature(text, lines[0], Verifier.parse(cosig.verifier))
        except CustodyError as exc:
            walker.problem(f"{label}: cosignature by {cosig.key_name} does not verify: {exc}")
