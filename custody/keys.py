"""The log's signing keys behind one `KeyStore` interface, and its file backend.

Two backends: key files (this module, the embedded default) and a PKCS#11 token
(custody.pkcs11: the key is generated on the token and never leaves it). Both rotate by
adding a key under a new key id and keep every verifier, so old checkpoints still verify.

A key directory holds `<created>-<keyid>.key` (private, 0600) and a matching `.pub`
(verifier key). Every private key present signs each checkpoint; retiring a key deletes
its private file but keeps the `.pub`, so checkpoints it signed stay verifiable.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from custody.errors import CustodyError
from custody.note import ED25519, NoteSigner, Signer, Verifier


class KeyStoreError(CustodyError):
    """The key directory is unusable (unreadable, or a key file is corrupt or too open)."""


@dataclass(frozen=True, slots=True)
class KeyRing:
    """The log's keys: the ones that sign now, and every verifier ever used."""

    signers: list[NoteSigner]
    verifiers: list[Verifier]


class KeyStore(Protocol):
    """Where the log's signing keys live: files, or a hardware token."""

    def ring(self) -> KeyRing:
        """The keys that sign now and every verifier ever used; KeyStoreError if unusable."""
        ...

    def rotate(self, *, retire: bool = False) -> Verifier:
        """Add a key under a new key id (the first key, on an empty store); with `retire`,
        the older keys stop signing. Their verifiers stay listed."""
        ...

    def check(self) -> None:
        """Raise KeyStoreError, naming the setting, when the store cannot sign; no side
        effects (the file store's first key is still made on first use)."""
        ...


def _write_private(path: Path, text: str) -> None:
    # O_EXCL + 0600 from the start: the key is never readable by others, not even briefly.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text + "\n")


def create_key(*, key_dir: Path, name: str, sig_type: int = ED25519) -> Signer:
    """Generate a new key in `key_dir` (rotation: older keys keep signing until retired)."""
    key_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    signer = Signer.generate(name, sig_type)
    stem = f"{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}-{signer.verifier.key_id.hex()}"
    _write_private(key_dir / f"{stem}.key", str(signer))
    (key_dir / f"{stem}.pub").write_text(str(signer.verifier) + "\n")
    return signer


def retire_key(*, key_dir: Path, key_id: str) -> None:
    """Stop signing with a key; its verifier stays listed so old checkpoints verify."""
    found = list(key_dir.glob(f"*-{key_id}.key"))
    if not found:
        raise KeyStoreError(f"no private key {key_id} in {key_dir}")
    for path in found:
        path.unlink()


def load_keys(*, key_dir: Path, name: str, sig_type: int = ED25519) -> KeyRing:
    """Load the key ring, generating a first key if the directory has none."""
    if not any(key_dir.glob("*.key")) and not any(key_dir.glob("*.pub")):
        create_key(key_dir=key_dir, name=name, sig_type=sig_type)
    signers: list[NoteSigner] = []
    for path in sorted(key_dir.glob("*.key")):
        if path.stat().st_mode & 0o077:
            raise KeyStoreError(f"{path} is readable by others; chmod 600 it")
        try:
            signers.append(Signer.parse(path.read_text()))
        except CustodyError as exc:
            raise KeyStoreError(f"{path}: {exc}") from exc
    verifiers = [Verifier.parse(p.read_text()) for p in sorted(key_dir.glob("*.pub"))]
    if not signers:
        raise KeyStoreError(f"no usable private key in {key_dir}; create one")
    return KeyRing(signers=signers, verifiers=verifiers)


@dataclass(frozen=True, slots=True)
class FileKeyStore:
    """Keys as files in `key_dir` (0600), the first made on first use."""

    key_dir: Path
    name: str
    sig_type: int = ED25519

    def ring(self) -> KeyRing:
        """Load the key ring (a first key is generated in an empty directory)."""
        return load_keys(key_dir=self.key_dir, name=self.name, sig_type=self.sig_type)

    def rotate(self, *, retire: bool = False) -> Verifier:
        """Add a key; with `retire`, delete the older private keys (their .pub stay)."""
        old = self.ring().signers
        new = create_key(key_dir=self.key_dir, name=self.name, sig_type=self.sig_type)
        if retire:
            for signer in old:
                retire_key(key_dir=self.key_dir, key_id=signer.verifier.key_id.hex())
        return new.verifier

    def check(self) -> None:
        """Existing keys must load; an empty or absent directory is fine (first use)."""
        if self.key_dir.is_dir() and any(self.key_dir.glob("*.[kp][eu][yb]")):
            self.ring()
