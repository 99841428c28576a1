"""Custody read-side for people: item histories with proofs, checkpoints, exports.

Checkpoint signing needs the log's key store (files or a PKCS#11 token) and origin, which
come from settings; everything else about the ledger lives in custody/.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlmodel import Session, col, select

import custody
from custody.checkpoint import make_checkpoint, require_latest_checkpoint
from custody.errors import UnverifiedTail
from custody.events import utc_now
from custody.keys import FileKeyStore, KeyStore, KeyStoreError
from custody.models import Checkpoint, CheckpointTimestamp
from custody.note import NoteSigner
from custody.timestamp import TimestampError, fetch_timestamp, store_timestamp
from custody.view import ItemCustody
from evidence.policy import Perm, Principal
from evidence.service.access import load_item, require
from evidence.service.custody_view import EntryReader, proven_custody
from evidence.service.references import References

if TYPE_CHECKING:
    from evidence.config import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class LedgerConfig:
    """Where the log's signing keys live and the name (origin) it signs under.

    `keystore` None: key files in `key_dir` (the embedded default)."""

    key_dir: Path
    origin: str
    tsa_url: str | None = None  # timestamp new checkpoints (RFC 3161)
    tsa_interval: float = 60.0  # at most one timestamp this often
    keystore: KeyStore | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> LedgerConfig:
        assert settings.ledger_key_dir is not None  # filled in by Settings
        return cls(
            key_dir=settings.ledger_key_dir, origin=settings.ledger_origin,
            tsa_url=settings.tsa_url, tsa_interval=settings.tsa_interval_seconds,
            keystore=keystore_for(settings),
        )  # fmt: skip

    def keys(self) -> KeyStore:
        """The key store that signs for this log."""
        return self.keystore or FileKeyStore(key_dir=self.key_dir, name=self.origin)


def keystore_for(settings: Settings) -> KeyStore:
    """The key store the settings name; KeyStoreError naming a missing setting.

    Opening nothing yet: `check()` reaches the token (at start, and for readiness)."""
    assert settings.ledger_key_dir is not None
    if settings.key_store == "file":
        return FileKeyStore(key_dir=settings.ledger_key_dir, name=settings.ledger_origin)
    if settings.pkcs11_module is None:
        raise KeyStoreError("DALEL_PKCS11_MODULE: set the PKCS#11 module's path (key store pkcs11)")
    if not settings.pkcs11_token_label:
        raise KeyStoreError("DALEL_PKCS11_TOKEN_LABEL: set the label of the token holding the key")
    pin = settings.pkcs11_pin.get_secret_value() if settings.pkcs11_pin else None
    return _pkcs11_store(
        settings.pkcs11_module, settings.pkcs11_token_label, pin, settings.pkcs11_pin_file,
        settings.pkcs11_key_label, settings.ledger_origin,
    )  # fmt: skip


@lru_cache(maxsize=8)
def _pkcs11_store(
    module: Path, token: str, pin: str | None, pin_file: Path | None, label: str, origin: str
) -> KeyStore:
    # One store per configuration and process: requests reuse its logged-in session.
    from custody.pkcs11 import Pkcs11Config, Pkcs11KeyStore

    if pin is None and pin_file is not None:
        try:
            pin = pin_file.read_text().rstrip("\r\n")
        except OSError as exc:
            raise KeyStoreError(f"DALEL_PKCS11_PIN_FILE: cannot read {pin_file}: {exc}") from exc
    if not pin:
        raise KeyStoreError("DALEL_PKCS11_PIN (or DALEL_PKCS11_PIN_FILE): set the token's PIN")
    config = Pkcs11Config(module=module, token_label=token, pin=pin, key_label=label, name=origin)
    return Pkcs11KeyStore(config)


def log_signers(ledger: LedgerConfig) -> list[NoteSigner]:
    """The log's current signing keys (bundles carry heads signed with them)."""
    return ledger.keys().ring().signers


def checkpoint(*, session: Session, ledger: LedgerConfig, force: bool = False) -> Checkpoint:
    """Sign a checkpoint if the log grew (or always, with `force`), and commit it.

    The entries it would newly sign are checked first, their actors and subjects too
    (UnverifiedTail, nothing signed, when one does not verify). A new checkpoint is
    timestamped when the newest timestamp is older than `tsa_interval` seconds (the
    log signs every second when busy; the TSA need not hear of each).
    """
    keys = ledger.keys().ring()
    try:
        signed = make_checkpoint(
            session=session, keys=keys, origin=ledger.origin, force=force,
            references=References(session),
        )  # fmt: skip
    except UnverifiedTail:
        session.rollback()
        raise
    session.commit()
    if ledger.tsa_url and _stamp_due(session, ledger.tsa_interval):
        try:
            timestamp(session=session, ledger=ledger, checkpoint=signed)
        except TimestampError as exc:  # the checkpoint stands; the next one is stamped
            log.warning("checkpoint %s not timestamped: %s", signed.size, exc)
    return signed


def anchor(*, session: Session, ledger: LedgerConfig) -> Checkpoint:
    """A checkpoint to prove against: a new one over what was just recorded, or — when
    the entries since the newest one do not verify, and no signature may cover them —
    the newest one signed before them (the refusal is logged; `ledger verify` names it)."""
    try:
        return checkpoint(session=session, ledger=ledger)
    except UnverifiedTail as exc:
        log.error("anchoring to the last verified checkpoint: %s", exc)
        return require_latest_checkpoint(session=session)


def _stamp_due(session: Session, interval: float) -> bool:
    newest = session.exec(
        select(CheckpointTimestamp.created_at).order_by(col(CheckpointTimestamp.id).desc()).limit(1)
    ).first()
    if newest is None:
        return True
    if newest.tzinfo is None:  # SQLite gives back naive UTC
        newest = newest.replace(tzinfo=UTC)
    return (utc_now() - newest).total_seconds() >= interval


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


def item_custody(
    *,
    session: Session,
    principal: Principal,
    item_id: str,
    ledger: LedgerConfig,
    client: str | None = None,
) -> ItemCustody:
    """An item's events as the caller may see them (`custody_view`), each with an
    inclusion proof to a checkpoint signed just now; the read is recorded first."""
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
    signed = anchor(session=session, ledger=ledger)
    return proven_custody(
        session=session, reader=EntryReader(session, principal), item_id=item.id, anchor=signed
    )
