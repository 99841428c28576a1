"""Witnesses of the log: registered by administrators, the only accepted cosigners.

Registration and removal are custody events on the system chain. A cosignature from a
key nobody registered is refused, and the refusal is recorded (with the caller's
address) — throttled per address before it gets here, so a flood of self-made keys
neither reaches the checkpoint nor floods the ledger.
"""

from __future__ import annotations

from sqlmodel import Session

import custody
from custody import witnesses as registry
from custody.checkpoint import add_cosignature
from custody.errors import WitnessNotRegistered
from custody.models import Cosignature, Witness
from evidence.policy import Perm, Principal
from evidence.service.access import require

# The actor of an anonymous request (a witness is not a user of the system).
ANONYMOUS = custody.Actor(id="anonymous", name="anonymous", role="public")
COSIGN = "ledger.cosign"  # the permission an unregistered key lacks, as recorded
OPERATOR = "operator"  # who registers from the server's own command line


def _actor(
    session: Session, principal: Principal | None, perm: Perm, client: str | None
) -> tuple[custody.Actor, str]:
    if principal is None:
        return custody.SYSTEM, OPERATOR
    require(session, principal=principal, perm=perm, client=client)
    return principal.actor(), principal.username


def list_witnesses(
    *,
    session: Session,
    principal: Principal | None,
    include_removed: bool = False,
    client: str | None = None,
) -> list[Witness]:
    """Registered witnesses (administrators and auditors; None: the local operator)."""
    _actor(session, principal, Perm.LEDGER_SYSTEM, client)
    return registry.list_witnesses(session=session, include_removed=include_removed)


def add_witness(
    *,
    session: Session,
    principal: Principal | None,
    name: str,
    key: str,
    client: str | None = None,
) -> Witness:
    """Register witness `name` with its cosignature/v1 verifier key (administrators)."""
    actor, by = _actor(session, principal, Perm.WITNESS_MANAGE, client)
    witness = registry.register_witness(session=session, name=name, key=key, by=by)
    custody.record(
        session=session,
        action=custody.Action.LEDGER_WITNESS_ADDED,
        actor=actor,
        client=client,
        details={"witness": witness.name, "key": witness.verifier},
    )
    session.commit()
    return witness


def remove_witness(
    *,
    session: Session,
    principal: Principal | None,
    name: str,
    client: str | None = None,
) -> Witness:
    """Stop accepting and serving a witness's cosignatures (administrators)."""
    actor, by = _actor(session, principal, Perm.WITNESS_MANAGE, client)
    witness = registry.remove_witness(session=session, name=name, by=by)
    custody.record(
        session=session,
        action=custody.Action.LEDGER_WITNESS_REMOVED,
        actor=actor,
        client=client,
        details={"witness": witness.name, "key": witness.verifier},
    )
    session.commit()
    return witness


def submit_cosignature(
    *, session: Session, size: int, witness_key: str, line: str, client: str | None = None
) -> Cosignature:
    """Store a registered witness's cosignature on the checkpoint of `size` (no sign-in:
    the signature is the credential). An unregistered key is refused and recorded."""
    try:
        stored = add_cosignature(session=session, size=size, witness_key=witness_key, line=line)
    except WitnessNotRegistered:
        session.rollback()
        custody.record(
            session=session,
            action=custody.Action.ACCESS_DENIED,
            actor=ANONYMOUS,
            client=client,
            details={"permission": COSIGN, "witness_key": witness_key},
        )
        session.commit()
        raise
    session.commit()
    return stored
