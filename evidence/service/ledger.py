"""Custody read-side for people: item histories with proofs, checkpoints, exports.

Checkpoint signing needs the log's key directory and origin, which come from settings;
everything else about the ledger lives in custody/.
"""

from __future__ import annotations

import base64
import io
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from sqlmodel import Session, col, select

import custody
from custody import merkle
from custody.checkpoint import make_checkpoint, served_note
from custody.export import BundleItem, ExportResult, export_bundle
from custody.keys import load_keys
from custody.models import Checkpoint, CheckpointTimestamp, LedgerEntry
from custody.note import Signer
from custody.timestamp import TimestampError, fetch_timestamp, store_timestamp
from custody.tree import node_fetcher
from evidence.errors import NotFound
from evidence.models import Blob, Case, Item, Role
from evidence.policy import Perm, Principal
from evidence.service.access import load_case, load_item, require
from evidence.storage import ObjectStore

if TYPE_CHECKING:
    from evidence.config import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class LedgerConfig:
    """Where the log's signing keys live and the name (origin) it signs under."""

    key_dir: Path
    origin: str
    tsa_url: str | None = None  # timestamp each new checkpoint (RFC 3161)

    @classmethod
    def from_settings(cls, settings: Settings) -> LedgerConfig:
        assert settings.ledger_key_dir is not None  # filled in by Settings
        return cls(
            key_dir=settings.ledger_key_dir, origin=settings.ledger_origin, tsa_url=settings.tsa_url
        )


def log_signers(ledger: LedgerConfig) -> list[Signer]:
    """The log's current signing keys (bundles carry heads signed with them)."""
    return load_keys(key_dir=ledger.key_dir, name=ledger.origin).signers


def checkpoint(*, session: Session, ledger: LedgerConfig, force: bool = False) -> Checkpoint:
    """Sign a checkpoint if the log grew (or always, with `force`), and commit it."""
    keys = load_keys(key_dir=ledger.key_dir, name=ledger.origin)
    signed = make_checkpoint(session=session, keys=keys, origin=ledger.origin, force=force)
    session.commit()
    if ledger.tsa_url:
        try:
            timestamp(session=session, ledger=ledger, checkpoint=signed)
        except TimestampError as exc:  # the checkpoint stands; the next one is stamped
            log.warning("checkpoint %s not timestamped: %s", signed.size, exc)
    return signed


def timestamp(
    *, session: Session, ledger: LedgerConfig, checkpoint: Checkpoint
) -> CheckpointTimestamp | None:
    """Have the configured TSA timestamp a checkpoint unless it already has; committed.

    The network call runs between transactions, so no database lock waits on the TSA.
    """
    if not ledger.tsa_url or checkpoint.id is None:
        return None
    done = session.exec(
        select(CheckpointTimestamp).where(CheckpointTimestamp.checkpoint_id == checkpoint.id)
    ).first()
    cp_id, note = checkpoint.id, checkpoint.note
    session.commit()
    if done is not None:
        return done
    token, gen_time = fetch_timestamp(note=note, tsa_url=ledger.tsa_url)
    stamp = store_timestamp(
        session=session, checkpoint_id=cp_id, tsa_url=ledger.tsa_url, token=token,
        gen_time=gen_time,
    )  # fmt: skip
    session.commit()
    return stamp


@dataclass(frozen=True, slots=True)
class ItemCustody:
    item: Item
    entries: list[LedgerEntry]
    proofs: list[list[bytes]]
    checkpoint: str
    tree_size: int
    withheld: frozenset[int] = frozenset()


def _defence_entry(entry: LedgerEntry) -> bool:
    return bool(json.loads(entry.leaf).get("actor", {}).get("role") == Role.DEFENCE)


def item_custody(
    *,
    session: Session,
    principal: Principal,
    item_id: str,
    ledger: LedgerConfig,
    client: str | None = None,
) -> ItemCustody:
    """An item's events, each with an inclusion proof to a checkpoint signed just now."""
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
    )
    session.commit()
    signed = checkpoint(session=session, ledger=ledger)
    entries = list(
        session.exec(
            select(LedgerEntry)
            .where(LedgerEntry.subject == f"item:{item.id}", LedgerEntry.idx < signed.size)
            .order_by(col(LedgerEntry.idx))
        ).all()
    )
    proofs = merkle.inclusion_proofs([e.idx for e in entries], signed.size, node_fetcher(session))
    # The defence's own reading of disclosed material is for auditors only: others get
    # those events as leaf hashes, which still prove the chain is whole.
    withheld = frozenset(
        e.idx for e in entries if principal.role is not Role.AUDITOR and _defence_entry(e)
    )
    return ItemCustody(
        item=item,
        entries=entries,
        proofs=proofs,
        checkpoint=served_note(session=session, checkpoint=signed),
        tree_size=signed.size,
        withheld=withheld,
    )


def custody_json(result: ItemCustody) -> dict[str, Any]:
    """The public JSON shape of an item's custody (also used by exports and reports)."""
    return {
        "item_id": result.item.id,
        "tree_size": result.tree_size,
        "checkpoint": result.checkpoint,
        "events": [
            {
                "index": entry.idx,
                "leaf_hash": entry.leaf_hash.hex(),
                "inclusion_proof": [base64.b64encode(h).decode() for h in proof],
            }
            | (
                {"withheld": True}
                if entry.idx in result.withheld
                else {
                    "leaf": base64.b64encode(entry.leaf).decode(),
                    "event": json.loads(entry.leaf),
                }
            )
            for entry, proof in zip(result.entries, result.proofs, strict=True)
        ],
    }


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
) -> ExportResult:
    """Write a custody bundle (files, events, proofs, checkpoints) for a case or items.

    Each file read is recorded before the bundle is written, then a checkpoint is signed
    so that those reads, too, are anchored in the bundle. `principal` None means the
    local operator (the CLI on the server).
    """
    if case_number:
        case = session.exec(select(Case).where(Case.number == case_number)).first()
        if case is None:
            raise NotFound("no case %(number)s", number=case_number)
        items = list(session.exec(select(Item).where(Item.case_id == case.id)).all())
    else:
        items = [load_item(session, item_id)[0] for item_id in item_ids or []]
    actor = principal.actor() if principal else custody.SYSTEM
    for item in items:
        case = load_case(session, item.case_id)
        if principal is not None:
            require(
                session,
                principal=principal,
                perm=Perm.ITEM_CONTENT,
                case=case,
                item=item,
                client=client,
            )
        custody.record(
            session=session,
            action=custody.Action.ITEM_DOWNLOADED,
            actor=actor,
            case_id=case.id,
            item_id=item.id,
            sha256=item.sha256,
            client=client,
            details={"purpose": "custody-export"},
        )
    session.commit()
    checkpoint(session=session, ledger=ledger)
    blobs = {
        b.sha256: b
        for b in session.exec(
            select(Blob).where(col(Blob.sha256).in_({item.sha256 for item in items}))
        ).all()
    }
    bundle_items = [
        BundleItem(
            id=item.id,
            sha256=item.sha256,
            size=blobs[item.sha256].size,
            name=item.original_name,
            kind=str(item.kind),
            inputs=tuple((item.derivation or {}).get("inputs", ())),
        )
        for item in items
    ]
    keys = {item.id: blobs[item.sha256].storage_key for item in items}

    def open_content(item_id: str) -> BinaryIO:
        return io.BufferedReader(_ChunkReader(store.get(keys[item_id])), 1 << 20)

    return export_bundle(
        session=session,
        items=bundle_items,
        open_content=open_content,
        out=out,
        witness_keys=witness_keys,
        witnesses_required=witnesses_required,
        signers=log_signers(ledger),
    )
