"""C2SP signed notes (c2sp.org/signed-note) with Ed25519, and tlog-cosignature/v1.

A note is UTF-8 text ending in a newline, a blank line, then signature lines
"— <name> <base64(key id || signature)>". The key id is the first 4 bytes of
SHA-256(name || 0x0A || type || public key): type 0x01 for Ed25519 note signatures,
0x04 for timestamped witness cosignatures (c2sp.org/tlog-cosignature).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import nacl.exceptions
import nacl.signing

from custody.errors import SignatureError

ED25519 = 0x01
COSIGNATURE_V1 = 0x04
_DASH = "\u2014 "


def key_hash(name: str, sig_type: int, public_key: bytes) -> bytes:
    """First 4 bytes of SHA-256(name || "\\n" || type || key): the signature's key id."""
    return hashlib.sha256(name.encode() + b"\n" + bytes([sig_type]) + public_key).digest()[:4]


def _check_name(name: str) -> None:
    if not name or "+" in name or any(c.isspace() for c in name):
        raise SignatureError(f"invalid key name {name!r}: no spaces, newlines or '+'")


@dataclass(frozen=True, slots=True)
class Verifier:
    """A public key as a C2SP verifier key string `name+hash+base64(type || key)`."""

    name: str
    sig_type: int
    public_key: bytes

    @property
    def key_id(self) -> bytes:
        return key_hash(self.name, self.sig_type, self.public_key)

    def __str__(self) -> str:
        blob = base64.b64encode(bytes([self.sig_type]) + self.public_key).decode()
        return f"{self.name}+{self.key_id.hex()}+{blob}"

    @classmethod
    def parse(cls, text: str) -> Verifier:
        """Parse a verifier key string; the hash in it must match the key."""
        try:
            name, hash_hex, blob = text.strip().split("+", 2)
            raw = base64.b64decode(blob, validate=True)
        except (ValueError, binascii.Error) as exc:
            raise SignatureError(f"malformed verifier key {text!r}") from exc
        _check_name(name)
        if len(raw) != 33 or raw[0] not in (ED25519, COSIGNATURE_V1):
            raise SignatureError(f"verifier key {name} is not an Ed25519 key")
        verifier = cls(name=name, sig_type=raw[0], public_key=raw[1:])
        if verifier.key_id.hex() != hash_hex:
            raise SignatureError(f"verifier key {name} has a wrong key hash")
        return verifier


class NoteSigner(Protocol):
    """Anything that signs notes under a name: a key in a file (`Signer`) or one that
    never leaves a hardware token (custody.pkcs11)."""

    @property
    def name(self) -> str: ...

    @property
    def sig_type(self) -> int: ...

    @property
    def verifier(self) -> Verifier: ...

    def sign(self, message: bytes) -> bytes: ...


@dataclass(frozen=True, slots=True)
class Signer:
    """A private Ed25519 key with its name; `str()` gives the C2SP private key string."""

    name: str
    sig_type: int
    seed: bytes

    @classmethod
    def generate(cls, name: str, sig_type: int = ED25519) -> Signer:
        """A fresh random key."""
        _check_name(name)
        return cls(name=name, sig_type=sig_type, seed=bytes(nacl.signing.SigningKey.generate()))

    @property
    def verifier(self) -> Verifier:
        public = bytes(nacl.signing.SigningKey(self.seed).verify_key)
        return Verifier(name=self.name, sig_type=self.sig_type, public_key=public)

    def sign(self, message: bytes) -> bytes:
        return nacl.signing.SigningKey(self.seed).sign(message).signature

    def __str__(self) -> str:
        blob = base64.b64encode(bytes([self.sig_type]) + self.seed).decode()
        return f"PRIVATE+KEY+{self.name}+{self.verifier.key_id.hex()}+{blob}"

    @classmethod
    def parse(cls, text: str) -> Signer:
        """Parse a private key string written by `str()`."""
        try:
            p1, p2, name, hash_hex, blob = text.strip().split("+", 4)
            raw = base64.b64decode(blob, validate=True)
        except (ValueError, binascii.Error) as exc:
            raise SignatureError("malformed private key") from exc
        if (p1, p2) != ("PRIVATE", "KEY") or len(raw) != 33:
            raise SignatureError("malformed private key")
        signer = cls(name=name, sig_type=raw[0], seed=raw[1:])
        if signer.verifier.key_id.hex() != hash_hex:
            raise SignatureError(f"private key {name} has a wrong key hash")
        return signer


@dataclass(frozen=True, slots=True)
class NoteSignature:
    """One signature line: key name, 4-byte key id and the signature bytes after it."""

    name: str
    key_id: bytes
    signature: bytes

    def line(self) -> str:
        blob = base64.b64encode(self.key_id + self.signature).decode()
        return f"{_DASH}{self.name} {blob}\n"


def split_note(note: str) -> tuple[str, list[NoteSignature]]:
    """Split a signed note into its text (ending in a newline) and its signature lines."""
    text, sep, sigs = note.rpartition("\n\n")
    if not sep or not text or not sigs.endswith("\n"):
        raise SignatureError("malformed note: no signature block")
    out: list[NoteSignature] = []
    for line in sigs[:-1].split("\n"):
        if not line.startswith(_DASH):
            raise SignatureError(f"malformed signature line {line!r}")
        try:
            name, blob = line[len(_DASH) :].split(" ")
            raw = base64.b64decode(blob, validate=True)
        except (ValueError, binascii.Error) as exc:
            raise SignatureError(f"malformed signature line {line!r}") from exc
        if len(raw) < 5:
            raise SignatureError(f"signature line too short {line!r}")
        out.append(NoteSignature(name=name, key_id=raw[:4], signature=raw[4:]))
    return text + "\n", out


def sign_note(text: str, signers: Sequence[NoteSigner]) -> str:
    """Sign note text (which must end in a newline) with each Ed25519 signer."""
    if not text.endswith("\n") or "\n\n" in text:
        raise SignatureError("note text must end in one newline and have no blank lines")
    lines = [
        NoteSignature(signer.name, signer.verifier.key_id, signer.sign(text.encode())).line()
        for signer in signers
    ]
    return text + "\n" + "".join(lines)


def add_signatures(note: str, lines: list[str]) -> str:
    """Append extra signature lines (e.g. cosignatures) to a signed note."""
    return note + "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def _verify_ed25519(public_key: bytes, message: bytes, signature: bytes) -> bool:
    try:
        nacl.signing.VerifyKey(public_key).verify(message, signature)
    except (nacl.exceptions.BadSignatureError, ValueError):
        return False
    return True


def verified_signers(note: str, verifiers: list[Verifier]) -> tuple[str, list[Verifier]]:
    """Return the note text and the Ed25519 note verifiers whose signature on it is valid.

    Lines from unknown keys are ignored (a note may carry others' signatures); a line
    that names a known key but does not verify makes the whole note invalid.
    """
    text, sigs = split_note(note)
    good: list[Verifier] = []
    for sig in sigs:
        for v in verifiers:
            if v.sig_type != ED25519 or v.name != sig.name or v.key_id != sig.key_id:
                continue
            if not _verify_ed25519(v.public_key, text.encode(), sig.signature):
                raise SignatureError(f"bad signature by {v.name} ({v.key_id.hex()})")
            if v not in good:
                good.append(v)
    return text, good


def open_note(note: str, verifiers: list[Verifier]) -> str:
    """The note's text if at least one trusted key signed it; else SignatureError."""
    text, good = verified_signers(note, verifiers)
    if not good:
        raise SignatureError("note is not signed by any trusted log key")
    return text


# ---- tlog-cosignature/v1 -----------------------------------------------------------------


def cosignature_message(text: str, timestamp: int) -> bytes:
    """What a cosignature/v1 signs: header, time line, then the checkpoint text."""
    return f"cosignature/v1\ntime {timestamp}\n{text}".encode()


def cosign(text: str, signer: NoteSigner, timestamp: int) -> str:
    """A witness's cosignature line on checkpoint text at `timestamp` (Unix seconds)."""
    if signer.sig_type != COSIGNATURE_V1:
        raise SignatureError("cosignatures need a cosignature/v1 key")
    sig = signer.sign(cosignature_message(text, timestamp))
    return NoteSignature(
        signer.name, signer.verifier.key_id, struct.pack(">Q", timestamp) + sig
    ).line()


def verify_cosignature(text: str, sig: NoteSignature, verifier: Verifier) -> int:
    """Check one cosignature line against checkpoint text; return its timestamp."""
    if verifier.sig_type != COSIGNATURE_V1 or verifier.key_id != sig.key_id:
        raise SignatureError(f"cosignature is not by witness {verifier.name}")
    if sig.name != verifier.name or len(sig.signature) != 72:
        raise SignatureError(f"malformed cosignature by {verifier.name}")
    (timestamp,) = struct.unpack(">Q", sig.signature[:8])
    if not _verify_ed25519(
        verifier.public_key, cosignature_message(text, timestamp), sig.signature[8:]
    ):
        raise SignatureError(f"bad cosignature by witness {verifier.name}")
    return int(timestamp)


def witnesses_that_cosigned(note: str, witnesses: list[Verifier]) -> list[Verifier]:
    """The trusted witnesses with a valid cosignature on the note (bad lines raise)."""
    text, sigs = split_note(note)
    good: list[Verifier] = []
    for sig in sigs:
        for w in witnesses:
            if w.sig_type == COSIGNATURE_V1 and w.key_id == sig.key_id and w.name == sig.name:
                verify_cosignature(text, sig, w)
                if w not in good:
                    good.append(w)
    return good
