"""The log's Ed25519 keys on a PKCS#11 token (an HSM, or SoftHSM2 in tests).

Keys are generated on the token (CKM_EC_EDWARDS_KEY_PAIR_GEN, sensitive and never
extractable) and sign there (CKM_EDDSA): the private key never exists outside the token,
so no file anywhere holds it. A key ring is every key pair under the configured key label:
the private keys sign, the public keys verify. Rotation adds a pair under a new CKA_ID
(the creation time, so keys sort oldest first); retiring destroys the older private keys
and keeps their public keys, so the checkpoints they signed stay verifiable.

PKCS#11 keeps one login per application and token, and a session's operations must not
interleave: each (module, token) gets one logged-in session per process, used under a
lock. Errors name the setting to fix (DALEL_PKCS11_*).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import pkcs11
from pkcs11 import Attribute, KeyType, Mechanism, ObjectClass
from pkcs11.exceptions import (
    MultipleTokensReturned,
    NoSuchToken,
    PinExpired,
    PinIncorrect,
    PinInvalid,
    PinLenRange,
    PinLocked,
    PKCS11Error,
    UserAlreadyLoggedIn,
)

from custody.keys import KeyRing, KeyStoreError
from custody.note import ED25519, NoteSigner, Verifier

# DER of the Ed25519 curve OID 1.3.101.112 (RFC 8410), as PKCS#11 3.0 CKA_EC_PARAMS.
ED25519_PARAMS = bytes.fromhex("06032b6570")
MODULE, TOKEN, PIN, KEY = (
    "DALEL_PKCS11_MODULE",
    "DALEL_PKCS11_TOKEN_LABEL",
    "DALEL_PKCS11_PIN (or DALEL_PKCS11_PIN_FILE)",
    "DALEL_PKCS11_KEY_LABEL",
)
_PIN_REFUSED = (PinIncorrect, PinInvalid, PinLenRange, PinLocked, PinExpired)
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Pkcs11Config:
    """Which module, token, PIN and key label; `name` is the log's origin."""

    module: Path
    token_label: str
    pin: str = field(repr=False)
    key_label: str
    name: str


class _Token:
    """One logged-in session on a token, shared by every key store of the process."""

    def __init__(self, module: Path, token_label: str, pin: str) -> None:
        try:
            lib = pkcs11.lib(str(module))
        except PKCS11Error as exc:
            raise KeyStoreError(f"{MODULE}: cannot load PKCS#11 module {module}: {exc}") from exc
        try:
            token = lib.get_token(token_label=token_label)
        except (NoSuchToken, MultipleTokensReturned) as exc:
            labels = sorted(t.label for t in lib.get_tokens() if t.label)
            what = "several tokens" if isinstance(exc, MultipleTokensReturned) else "no token"
            raise KeyStoreError(
                f"{TOKEN}: module {module} has {what} labelled {token_label!r} "
                f"(tokens there: {', '.join(labels) or 'none'})"
            ) from exc
        if Mechanism.EDDSA not in token.slot.get_mechanisms():
            raise KeyStoreError(
                f"{TOKEN}: token {token_label!r} cannot sign Ed25519 (no CKM_EDDSA mechanism)"
            )
        if not pin:
            raise KeyStoreError(f"{PIN}: no PIN given for token {token_label!r}")
        try:
            self.session = token.open(user_pin=pin, rw=True)
        except _PIN_REFUSED as exc:
            raise KeyStoreError(
                f"{PIN}: token {token_label!r} refused the PIN ({type(exc).__name__})"
            ) from exc
        except UserAlreadyLoggedIn:  # logged in by another library user of this process
            self.session = token.open(rw=True)
        except PKCS11Error as exc:
            raise KeyStoreError(f"{TOKEN}: cannot open token {token_label!r}: {exc!r}") from exc
        self.lock = threading.Lock()
        # Private key objects by (label, CKA_ID): a search per signature costs more than
        # the signature. Handles live as long as the session; a dropped one is reopened.
        self.keys: dict[tuple[str, bytes], Any] = {}

    def close(self) -> None:
        # A session the token already dropped: nothing is left to close.
        with contextlib.suppress(PKCS11Error):
            self.session.close()


_TOKENS: dict[tuple[Path, str], _Token] = {}
_TOKENS_LOCK = threading.Lock()


@dataclass(frozen=True, slots=True)
class Pkcs11Signer:
    """One private key on the token; `sign` runs on the token."""

    name: str
    public_key: bytes
    cka_id: bytes
    store: Pkcs11KeyStore = field(compare=False, repr=False)
    sig_type: int = ED25519

    @property
    def verifier(self) -> Verifier:
        return Verifier(name=self.name, sig_type=self.sig_type, public_key=self.public_key)

    def sign(self, message: bytes) -> bytes:
        return self.store.sign(cka_id=self.cka_id, message=message)


def _public_key(point: bytes) -> bytes:
    # PKCS#11 3.0 stores CKA_EC_POINT for Edwards keys as a DER OCTET STRING (SoftHSM2
    # does); some modules give the 32 raw bytes.
    if len(point) == 34 and point[:2] == b"\x04\x20":
        return point[2:]
    if len(point) == 32:
        return point
    raise KeyStoreError(f"{KEY}: a public key on the token is not an Ed25519 key")


class Pkcs11KeyStore:
    """The log's keys on a PKCS#11 token (custody.keys.KeyStore)."""

    def __init__(self, config: Pkcs11Config) -> None:
        self.config = config

    def _token(self) -> _Token:
        key = (self.config.module, self.config.token_label)
        with _TOKENS_LOCK:
            token = _TOKENS.get(key)
            if token is None:
                token = _Token(self.config.module, self.config.token_label, self.config.pin)
                _TOKENS[key] = token
            return token

    def _run(self, action: Callable[[_Token], T]) -> T:
        """Run `action(token)` under the token's lock; a session the token dropped
        (restarted HSM, network module) is reopened once before giving up."""
        for attempt in (1, 2):
            token = self._token()
            try:
                with token.lock:
                    return action(token)
            except KeyStoreError:
                raise
            except PKCS11Error as exc:
                with _TOKENS_LOCK:
                    if _TOKENS.get((self.config.module, self.config.token_label)) is token:
                        del _TOKENS[(self.config.module, self.config.token_label)]
                token.close()
                if attempt == 2:
                    raise KeyStoreError(
                        f"{TOKEN}: token {self.config.token_label!r} failed: {exc!r}"
                    ) from exc
        raise AssertionError("unreachable")

    def _pairs(self, token: _Token) -> tuple[dict[bytes, Any], dict[bytes, bytes]]:
        """Private key objects and public keys under the key label, by CKA_ID."""
        label, session = self.config.key_label, token.session
        private = {
            bytes(k[Attribute.ID]): k
            for k in session.get_objects(
                {Attribute.CLASS: ObjectClass.PRIVATE_KEY, Attribute.LABEL: label,
                 Attribute.KEY_TYPE: KeyType.EC_EDWARDS}
            )
        }  # fmt: skip
        public = {
            bytes(k[Attribute.ID]): _public_key(bytes(k[Attribute.EC_POINT]))
            for k in session.get_objects(
                {Attribute.CLASS: ObjectClass.PUBLIC_KEY, Attribute.LABEL: label,
                 Attribute.KEY_TYPE: KeyType.EC_EDWARDS}
            )
        }  # fmt: skip
        return private, public

    def ring(self) -> KeyRing:
        """Signers for the private keys under the label, verifiers for every public key."""
        private, public = self._run(self._pairs)
        missing = sorted(set(private) - set(public))
        if missing:
            raise KeyStoreError(
                f"{KEY}: private key id {missing[0]!r} labelled {self.config.key_label!r} has "
                "no public key on the token"
            )
        if not private:
            raise KeyStoreError(
                f"{KEY}: token {self.config.token_label!r} holds no Ed25519 signing key "
                f"labelled {self.config.key_label!r}; create one with `dalel ledger rotate-key`"
            )
        name = self.config.name
        signers: list[NoteSigner] = [
            Pkcs11Signer(name=name, public_key=public[i], cka_id=i, store=self)
            for i in sorted(private)
        ]
        verifiers = [
            Verifier(name=name, sig_type=ED25519, public_key=public[i]) for i in sorted(public)
        ]
        return KeyRing(signers=signers, verifiers=verifiers)

    def sign(self, *, cka_id: bytes, message: bytes) -> bytes:
        """Ed25519 signature by the private key `cka_id`, computed on the token."""

        label = self.config.key_label

        def on_token(token: _Token) -> bytes:
            key: Any = token.keys.get((label, cka_id))
            if key is None:
                key = token.session.get_key(
                    object_class=ObjectClass.PRIVATE_KEY, label=label, id=cka_id
                )
                token.keys[(label, cka_id)] = key
            return bytes(key.sign(message, mechanism=Mechanism.EDDSA))

        return self._run(on_token)

    def rotate(self, *, retire: bool = False) -> Verifier:
        """Generate a key pair on the token under a new CKA_ID; with `retire`, destroy
        the older private keys (their public keys stay, so old checkpoints verify)."""
        cka_id = f"{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}".encode()
        label = self.config.key_label

        def on_token(token: _Token) -> bytes:
            public, _private = token.session.generate_keypair(
                KeyType.EC_EDWARDS,
                mechanism=Mechanism.EC_EDWARDS_KEY_PAIR_GEN,
                store=True,
                public_template={
                    Attribute.EC_PARAMS: ED25519_PARAMS, Attribute.LABEL: label,
                    Attribute.ID: cka_id, Attribute.TOKEN: True, Attribute.VERIFY: True,
                },
                private_template={
                    Attribute.LABEL: label, Attribute.ID: cka_id, Attribute.TOKEN: True,
                    Attribute.PRIVATE: True, Attribute.SENSITIVE: True,
                    Attribute.EXTRACTABLE: False, Attribute.SIGN: True,
                },
            )  # fmt: skip
            if retire:
                for old_id, key in self._pairs(token)[0].items():
                    if old_id != cka_id:
                        key.destroy()
                        token.keys.pop((label, old_id), None)
            return _public_key(bytes(public[Attribute.EC_POINT]))

        public_key = self._run(on_token)
        return Verifier(name=self.config.name, sig_type=ED25519, public_key=public_key)

    def check(self) -> None:
        """Module, token, PIN and a signing key under the label must all be there."""
        self.ring()
