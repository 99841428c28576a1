"""Signed checkpoints (c2sp.org/tlog-checkpoint) and the cosignatures witnesses add.

Checkpoint text:  "<origin>\\n<size>\\n<base64 root>\\n" + optional extension lines.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlmodel import Session, col, select

from custody.errors import CustodyConflict, CustodyNotFound, SignatureError, UnverifiedTail
from custody.events import utc_now
from custody.keys import KeyRing
from custody.ledger import lock_for_append
from custody.models import Checkpoint, Cosignature, LedgerKey
from custody.note import (
    COSIGNATURE_V1,
    Verifier,
    sign_note,
    split_note,
    verify_cosignature,
)
from custody.tail import References, check_tail
from custody.tree import current_size
from custody.witnesses import active_witnesses, registered_witness


@dataclass(frozen=True, slots=True)
class CheckpointBody:
    """The signed content of a checkpoint."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = field(default=())

    def text(self) -> str:
        lines = [self.origin, str(self.size), base64.b64encode(self.root).decode()]
        return "\n".join([*lines, *self.extensions]) + "\n"

    @classmethod
    def parse(cls, text: str) -> CheckpointBody:
        """Parse checkpoint text; sizes are plain decimals, roots 32 bytes."""
        lines = text.split("\n")
        if len(lines) < 4 or lines[-1] != "":
            raise SignatureError("checkpoint text needs origin, size and root lines")
        origin, size_text, root_text, *extensions = lines[:-1]
        if not size_text.isdigit() or (size_text != "0" and size_text.startswith("0")):
            raise SignatureError(f"checkpoint size {size_text!r} is not a decimal number")
        try:
            root = base64.b64decode(root_text, validate=True)
        except binascii.Error as exc:
            raise SignatureError("checkpoint root is not base64") from exc
        if len(root) != 32 or not origin:
            raise SignatureError("checkpoint root must be 32 bytes, origin non-empty")
        return cls(origin=origin, size=int(size_text), root=root, extensions=tuple(extensions))


def _remember_keys(session: Session, keys: KeyRing) -> None:
    """Record every verifier key in the database so /ledger/key and audits can list them."""
    known = set(session.exec(select(LedgerKey.key_id)).all())
    for verifier in keys.verifiers:
        if verifier.key_id.hex() not in known:
            session.add(
                LedgerKey(
                    key_id=verifier.key_id.hex(),
                    name=verifier.name,
                    verifier=str(verifier),
                    created_at=utc_now(),
                )
            )


def remember_keys(*, session: Session, keys: KeyRing) -> None:
    """Record the log's verifier keys (in the caller's transaction): a note signed before
    the first checkpoint, such as a person's receipt, then checks against them too."""
    _remember_keys(session, keys)


def make_checkpoint(
    *,
    session: Session,
    keys: KeyRing,
    origin: str,
    force: bool = False,
    references: References | None = None,
) -> Checkpoint:
    """Sign a checkpoint of the log as it is now, inside the caller's transaction.

    If the log has not grown since the latest checkpoint, that one is returned unless
    `force` (e.g. right after a key rotation) asks for a fresh signature. The entries
    since the latest checkpoint are checked first (custody.tail, with the caller's
    `references` check); UnverifiedTail, and nothing signed, when one does not verify.
    """
    latest = latest_checkpoint(session=session)
    size = current_size(session)
    if latest is not None and latest.size >= size and not force:
        return latest
    problems, root = check_tail(session=session, base=latest, size=size, references=references)
    if problems:
        raise UnverifiedTail(problems)
    lock_for_append(session)  # checkpoints are signed one at a time, sizes only grow
    newest = latest_checkpoint(session=session)
    if newest is not None and newest.size >= size and not (force and newest.size == size):
        return newest
    note = sign_note(CheckpointBody(origin=origin, size=size, root=root).text(), keys.signers)
    _remember_keys(session, keys)
    checkpoint = Checkpoint(size=size, root_hash=root, note=note, created_at=utc_now())
    session.add(checkpoint)
    session.flush()
    return checkpoint


def latest_checkpoint(*, session: Session) -> Checkpoint | None:
    """The most recently signed checkpoint, if any."""
    return session.exec(select(Checkpoint).order_by(col(Checkpoint.id).desc()).limit(1)).first()


def require_latest_checkpoint(*, session: Session) -> Checkpoint:
    """The latest checkpoint, or CustodyNotFound when none has been signed yet."""
    checkpoint = latest_checkpoint(session=session)
    if checkpoint is None:
        raise CustodyNotFound("no checkpoint has been signed yet")
    return checkpoint


def log_verifiers(*, session: Session) -> list[Verifier]:
    """Every key that ever signed a checkpoint, oldest first."""
    rows = session.exec(select(LedgerKey).order_by(col(LedgerKey.created_at))).all()
    return [Verifier.parse(row.verifier) for row in rows]


def cosignatures_of(*, session: Session, checkpoint: Checkpoint) -> list[Cosignature]:
    """Stored cosignatures on a checkpoint, in arrival order."""
    return list(
        session.exec(
            select(Cosignature)
            .where(Cosignature.checkpoint_id == checkpoint.id)
            .order_by(col(Cosignature.id))
        ).all()
    )


def served_note(*, session: Session, checkpoint: Checkpoint) -> str:
    """The checkpoint's signed note with the cosignature lines of registered witnesses.

    Cosignatures by a witness since removed (or stored before the registry existed, from
    keys nobody registered) are kept in the table for the audit but no longer served.
    """
    trusted = {w.verifier for w in active_witnesses(session=session)}
    lines = [
        c.line
        for c in cosignatures_of(session=session, checkpoint=checkpoint)
        if c.verifier in trusted
    ]
    return checkpoint.note + "".join(lines)


def add_cosignature(*, session: Session, size: int, witness_key: str, line: str) -> Cosignature:
    """Verify a registered witness's cosignature on the checkpoint of `size` and store it.

    WitnessNotRegistered for a key no administrator registered; CustodyConflict when this
    witness already cosigned that checkpoint (at most one each).
    """
    verifier = Verifier.parse(witness_key)
    if verifier.sig_type != COSIGNATURE_V1:
        raise SignatureError("witness key must be a cosignature/v1 (type 0x04) key")
    witness = registered_witness(session=session, verifier=verifier)
    checkpoint = session.exec(
        select(Checkpoint)
        .where(Checkpoint.size == size)
        .order_by(col(Checkpoint.id).desc())
        .limit(1)
    ).first()
    if checkpoint is None or checkpoint.id is None:
        raise CustodyNotFound(f"no checkpoint of size {size}")
    text, _ = split_note(checkpoint.note)
    _, sigs = split_note(text + "\n" + (line if line.endswith("\n") else line + "\n"))
    if len(sigs) != 1:
        raise SignatureError("send exactly one cosignature line")
    timestamp = verify_cosignature(text, sigs[0], verifier)
    duplicate = session.exec(
        select(Cosignature).where(
            Cosignature.checkpoint_id == checkpoint.id,
            col(Cosignature.key_name) == witness.name,
        )
    ).first()
    if duplicate is not None:
        raise CustodyConflict(f"witness {witness.name} already cosigned checkpoint {size}")
    cosignature = Cosignature(
        checkpoint_id=checkpoint.id,
        key_name=verifier.name,
        key_id=verifier.key_id.hex(),
        verifier=str(verifier),
        signed_at=datetime.fromtimestamp(timestamp, UTC),
        line=sigs[0].line(),
        created_at=utc_now(),
    )
    session.add(cosignature)
    session.flush()
    return cosignature
