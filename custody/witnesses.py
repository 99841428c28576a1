"""The witness registry: which cosigners the log accepts (`dalel witness add NAME KEY`).

Anyone may run a witness, but only the cosignatures of witnesses an administrator
registered are stored and served: an anonymous flood of self-made keys would otherwise
bury the checkpoint under signatures nobody trusts (and one of them could bear the name
of a real court). Registration and removal are custody events, recorded by the caller
(evidence.service) in the same transaction.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from custody.errors import CustodyConflict, CustodyNotFound, SignatureError, WitnessNotRegistered
from custody.events import utc_now
from custody.models import Witness
from custody.note import COSIGNATURE_V1, Verifier


def parse_witness_key(*, name: str, key: str) -> Verifier:
    """A witness verifier key (`name+hash+base64`, type 0x04) that bears `name`."""
    verifier = Verifier.parse(key)
    if verifier.sig_type != COSIGNATURE_V1:
        raise SignatureError(
            "a witness key must be a cosignature/v1 key (type 0x04), as `dalel witness` makes"
        )
    if verifier.name != name:
        raise SignatureError(f"the key is named {verifier.name!r}, not {name!r}")
    return verifier


def active_witnesses(*, session: Session) -> list[Witness]:
    """Registered witnesses not removed, in order of registration."""
    return list(
        session.exec(
            select(Witness).where(col(Witness.removed_at).is_(None)).order_by(col(Witness.id))
        ).all()
    )


def list_witnesses(*, session: Session, include_removed: bool = False) -> list[Witness]:
    """Every registration (with `include_removed`, past ones too), oldest first."""
    if not include_removed:
        return active_witnesses(session=session)
    return list(session.exec(select(Witness).order_by(col(Witness.id))).all())


def register_witness(*, session: Session, name: str, key: str, by: str) -> Witness:
    """Register a witness key; CustodyConflict if the name or the key is already active."""
    verifier = parse_witness_key(name=name, key=key)
    for existing in active_witnesses(session=session):
        if existing.name == name:
            raise CustodyConflict(f"witness {name} is already registered; remove it first")
        if existing.key_id == verifier.key_id.hex() and existing.verifier == str(verifier):
            raise CustodyConflict(f"this key is already registered as witness {existing.name}")
    witness = Witness(
        name=name,
        key_id=verifier.key_id.hex(),
        verifier=str(verifier),
        added_by=by,
        added_at=utc_now(),
    )
    session.add(witness)
    session.flush()
    return witness


def remove_witness(*, session: Session, name: str, by: str) -> Witness:
    """Stop accepting and serving a witness's cosignatures (the row stays, marked)."""
    found = [w for w in active_witnesses(session=session) if w.name == name]
    if not found:
        raise CustodyNotFound(f"no registered witness {name}")
    witness = found[0]
    witness.removed_at = utc_now()
    witness.removed_by = by
    session.add(witness)
    session.flush()
    return witness


def registered_witness(*, session: Session, verifier: Verifier) -> Witness:
    """The active registration of exactly this key, or WitnessNotRegistered."""
    for witness in active_witnesses(session=session):
        if witness.verifier == str(verifier):
            return witness
    raise WitnessNotRegistered(
        f"witness key {verifier.name}+{verifier.key_id.hex()} is not registered with this "
        "log: its administrator adds it with `dalel witness add NAME KEY`"
    )
