"""The one export path: custody export, court export and disclosure bundles.

    authorise each item → record the reads → commit → sign a checkpoint → bundle items
    → (the caller) write or stream the bundle

`plan_export` does everything up to the bundle items, once, for all three; they differ
only in the purpose recorded, extra event details, and what they add to the bundle.
Every read is committed before the first byte, and the checkpoint signed afterwards
covers those reads, so a bundle proves its own making. That checkpoint is signed only
after every entry since the previous one was checked (custody.tail: hashes, chains, and
that each names a real actor and subject); if one does not verify, nothing is signed over
it and the bundle anchors to the newest checkpoint from before it. Files are written all or nothing
(`ExportPlan.write`: a temporary name renamed when complete); a write that fails is
recorded as stopped on every file, so the ledger never claims a delivery that did not
happen without saying so.
"""

from __future__ import annotations

import io
import shutil
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from sqlmodel import Session, col, select

import custody
from custody import Actor
from custody.export import BundleItem, ExportResult, export_bundle
from custody.models import Checkpoint
from custody.note import NoteSigner
from custody.view import Readable
from evidence import hooks
from evidence.errors import NotFound
from evidence.models import Blob, Case, Item
from evidence.policy import Perm, Principal
from evidence.service.access import load_item, require
from evidence.service.custody_view import EntryReader
from evidence.service.ledger import LedgerConfig, anchor, log_signers
from evidence.service.releases import record_released
from evidence.service.retention import purged_items
from evidence.storage import ObjectStore


class _ChunkReader(io.RawIOBase):
    """A file-like view of an object store stream, for copying into a bundle."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending:
            try:
                self._pending = next(self._chunks)
            except StopIteration:
                return 0
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


@dataclass(frozen=True, slots=True)
class ExportPlan:
    """Items authorised and recorded for one export, with what the bundle needs."""

    items: dict[str, tuple[Item, Blob]]  # in export order
    bundle_items: list[BundleItem]
    readable: Readable  # the exporter's custody view: what they may see in clear
    signers: list[NoteSigner]
    anchor: Checkpoint  # signed after the reads were committed
    store: ObjectStore
    actor: Actor
    purpose: str
    client: str | None = None
    details: dict[str, Any] = field(default_factory=dict)

    def chunks(self, item_id: str) -> Iterator[bytes]:
        """The stored bytes of one exported item."""
        return self.store.get(self.items[item_id][1].storage_key)

    def open(self, item_id: str) -> BinaryIO:
        return io.BufferedReader(_ChunkReader(self.chunks(item_id)), 1 << 20)

    def write(
        self,
        *,
        session: Session,
        out: Path,
        witness_keys: Sequence[str] = (),
        witnesses_required: int = 0,
        extra_files: Mapping[str, bytes] | None = None,
        release: Mapping[str, str] | None = None,
    ) -> ExportResult:
        """Write the custody bundle to `out` (a folder, or a ZIP when it ends in .zip),
        all or nothing: it appears under its name only when complete. `extra_files` (a
        report) join it, covered like every file by the signed statement, which names
        `release` (the release's verifier hashes). Redacted items bring their exemption
        log (the verifier refuses a redacted item without one). On failure nothing is
        left behind and every file's delivery is recorded as stopped."""
        plans = {b.id: list(b.redaction_plans) for b in self.bundle_items if b.redaction_plans}
        extra_files = {**(extra_files or {}), **hooks.exemption_files(session, plans)}
        partial = out.with_name(f".{out.stem}.partial{out.suffix}")  # same kind: ZIP or folder
        _remove(partial)
        try:
            result = export_bundle(
                session=session, items=self.bundle_items, open_content=self.open, out=partial,
                witness_keys=witness_keys, witnesses_required=witnesses_required,
                signers=self.signers, readable=self.readable, extra_files=extra_files,
                release=release,
            )  # fmt: skip
            _remove(out)
            partial.rename(out)
        except BaseException as exc:
            _remove(partial)
            self.stopped(session=session, item_ids=list(self.items), reason=repr(exc)[:200])
            raise
        return ExportResult(
            path=out, anchor_size=result.anchor_size, events=result.events,
            events_after_anchor=result.events_after_anchor,
        )  # fmt: skip

    def stopped(
        self, *, session: Session, item_ids: list[str], reason: str, **details: Any
    ) -> None:
        """Record that these files' delivery did not complete (committed at once)."""
        session.rollback()
        custody.record_many(
            session=session,
            events=[
                custody.NewEvent(
                    action=custody.Action.ACCESS_DENIED,
                    actor=self.actor,
                    case_id=self.items[item_id][0].case_id,
                    item_id=item_id,
                    sha256=self.items[item_id][0].sha256,
                    client=self.client,
                    details={
                        "permission": str(Perm.ITEM_CONTENT),
                        "purpose": self.purpose,
                        "reason": reason,
                        **self.details,
                        **details,
                    },
                )
                for item_id in item_ids
                if item_id in self.items
            ],
        )
        session.commit()


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def _plans_of(item: Item) -> tuple[str, ...]:
    """The redaction plan a redacted derivative was rendered from (its derivation says)."""
    plan_id = (item.derivation or {}).get("plan_id")
    return (str(plan_id),) if item.derivative_kind == "redacted" and plan_id else ()


def items_with_blobs(*, session: Session, item_ids: list[str]) -> dict[str, tuple[Item, Blob]]:
    """Metadata (no bytes) of several items at once."""
    rows = session.exec(
        select(Item, Blob)
        .join(Blob, Blob.sha256 == Item.sha256)  # type: ignore[arg-type]
        .where(col(Item.id).in_(item_ids))
    ).all()
    return {item.id: (item, blob) for item, blob in rows}


def plan_export(
    *,
    session: Session,
    store: ObjectStore,
    principal: Principal | None,
    ledger: LedgerConfig,
    item_ids: Sequence[str],
    purpose: str,
    release: str,
    scope: str | None = None,
    details: dict[str, Any] | None = None,
    client: str | None = None,
) -> ExportPlan:
    """Authorise every item for the exporter, record every read, commit, sign a
    checkpoint, and describe the items for the bundle.

    `principal` None is the local operator (the CLI on the server: the system exports,
    and sees every event in clear). The bytes are recorded as released (`release`: the
    kind; `scope`: the disclosure, by default the item's case) with the reads, for the
    public verify. Derivation inputs are named by item id when the input is exported
    too (the verifier follows them); others are the ledger's to name.
    """
    ids = list(dict.fromkeys(item_ids))
    found = items_with_blobs(session=session, item_ids=ids)
    for item_id in ids:
        item, case = load_item(session, item_id)
        if principal is not None:
            require(
                session, principal=principal, perm=Perm.ITEM_CONTENT, case=case, item=item,
                client=client,
            )  # fmt: skip
    actor = principal.actor() if principal is not None else custody.SYSTEM
    extra = details or {}
    # Purged items travel as their record and chain only: nothing is read or released.
    purged = purged_items(session, ids)
    custody.record_many(
        session=session,
        events=[
            custody.NewEvent(
                action=custody.Action.ITEM_DOWNLOADED,
                actor=actor,
                case_id=found[item_id][0].case_id,
                item_id=item_id,
                sha256=found[item_id][0].sha256,
                client=client,
                details={"purpose": purpose, **extra},
            )
            for item_id in ids
            if item_id not in purged
        ],
    )
    for item, _ in found.values():
        if item.id in purged:
            continue
        scoped = scope or f"{release}:{item.case_id}"
        record_released(session=session, items=[item], kind=release, scope=scoped)
    session.commit()
    signed = anchor(session=session, ledger=ledger)
    bundle_items = [
        BundleItem(
            id=item.id,
            sha256=item.sha256,
            size=blob.size,
            name=item.original_name,
            kind=str(item.kind),
            inputs=(item.parent_id,) if item.parent_id in found else (),
            purged=item.id in purged,
            redaction_plans=_plans_of(item),
        )
        for item, blob in (found[i] for i in ids)
    ]
    return ExportPlan(
        items={i: found[i] for i in ids}, bundle_items=bundle_items,
        readable=EntryReader(session, principal).may_read, signers=log_signers(ledger),
        anchor=signed, store=store, actor=actor, purpose=purpose, client=client, details=extra,
    )  # fmt: skip


def export_custody(
    *,
    session: Session,
    store: ObjectStore,
    principal: Principal | None,
    ledger: LedgerConfig,
    out: Path,
    case_number: str | None = None,
    item_ids: list[str] | None = None,
    witness_keys: tuple[str, ...] = (),
    witnesses_required: int = 0,
    client: str | None = None,
    release: Mapping[str, str] | None = None,
) -> ExportResult:
    """Write a custody bundle (files, events, proofs, checkpoints) for a case or items.

    `principal` None means the local operator (the CLI on the server). The anchor is
    the newest checkpoint that meets the witness policy (`witnesses_required` of
    `witness_keys`)."""
    if case_number:
        case = session.exec(select(Case).where(Case.number == case_number)).first()
        if case is None:
            raise NotFound("no case %(number)s", number=case_number)
        ids = list(
            session.exec(
                select(Item.id).where(Item.case_id == case.id).order_by(col(Item.created_at))
            ).all()
        )
    else:
        ids = [load_item(session, item_id)[0].id for item_id in item_ids or []]
    plan = plan_export(
        session=session, store=store, principal=principal, ledger=ledger, item_ids=ids,
        purpose="custody-export", release="custody-export", client=client,
    )  # fmt: skip
    return plan.write(
        session=session, out=out, witness_keys=witness_keys,
        witnesses_required=witnesses_required, release=release,
    )  # fmt: skip
