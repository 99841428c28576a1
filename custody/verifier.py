#!/usr/bin/env python3
"""Offline verifier for Dalel custody bundles.  Usage:  python verifier.py BUNDLE_DIR_OR_ZIP

Needs only Python 3.11+ and PyNaCl (pip install pynacl; rfc3161-client too, to check
timestamps); no server, no database. It travels inside every bundle, so a court can read
exactly what it checks:

1. every checkpoint note is signed by a trusted log key (C2SP signed-note, Ed25519);
2. consecutive checkpoints are consistent (RFC 9162 §2.1.4.2): the log only grew;
3. the newest checkpoint carries cosignatures from at least k trusted witnesses
   (C2SP tlog-cosignature/v1);
4. every event's leaf is included in the tree that checkpoint signs (RFC 9162 §2.1.3.2);
5. every item's events form a complete chain (each `prev` is the leaf hash of the item's
   previous event; the first is its creation or derivation, with the item's SHA-256);
6. every item's history is complete up to the anchor: the log's signed heads statement
   names each item's event count and last event, and the chain must end exactly there
   (without it a history cut short would pass step 5; --allow-unattested accepts
   bundles that have none, saying so);
7. every derivative names inputs present in the bundle, with matching hashes;
8. every file re-hashes to its item's SHA-256 and size, except for an item whose chain
   ends with `item.purged`: its bytes were deleted after its retention (reported as
   "purged on DATE under approvals X and Y", from that event);
9. RFC 3161 timestamps, when the bundle has them, cover its own log-signed checkpoints;
   with --tsa-root (PEM of the TSA's root) and the rfc3161-client package, the TSA's
   signature is verified too, and a bundle without timestamps fails;
10. the log's signed file statement (statement.txt, for the anchor) names the SHA-256
   and size of every other file in the bundle: a file it does not list, or one that
   differs, fails (--allow-unattested accepts a bundle that has no statement). It also
   names the SHA-256 of the release's genuine verifier.py and verify.html.

Trust anchors (log keys, witness keys, k) come from the bundle unless given on the command
line (--log-key, --witness-key, --witnesses-required): pin them from an independent source.
Sizes and roots are only ever taken from signed checkpoints; any size, algorithm or other
field a proof carries about itself is ignored. Hashing is always SHA-256.
Exit status: 0 verified, 1 something failed (named in the output), 2 unusable bundle.
A damaged bundle (a ZIP that is truncated or corrupt, a file that cannot be read) never
stops the verifier: every item it can read gets its verdict, each unreadable one says
why, and a "bundle damaged: ..." line names what was damaged (exit 1, or 2 when not even
bundle.json can be read).

Bundle format (a folder or a ZIP of it), format "dalel-custody-bundle/1":
  bundle.json
    format          "dalel-custody-bundle/1"
    origin          log origin, the first line of every checkpoint
    log_keys        C2SP verifier keys "name+hash+base64(0x01 || Ed25519 key)"
    witness_keys    C2SP verifier keys "name+hash+base64(0x04 || Ed25519 key)"
    witness_policy  {"k": n}: cosignatures needed on the newest checkpoint
    checkpoints     signed notes (C2SP tlog-checkpoint + cosignature lines), oldest
                    first; the last one anchors every inclusion proof
    consistency     [{"first", "second", "hashes": [base64]}] between consecutive
                    checkpoints (RFC 9162 §2.1.4)
    items           [{"id", "sha256", "size", "name", "kind", "inputs": [ids or sha256],
                    "file": "files/..." (null when purged), "purged": true (optional)}]
    events          [{"index", "leaf": base64 RFC 8785 event, "proof": [base64]}], or
                    sealed (an event the exporter may not show, e.g. the defence's
                    reading): [{"index", "item", "leaf_hash": base64, "proof"}]
    timestamps      [{"size", "tsa", "note": the log-signed checkpoint note as
                    timestamped, "token": base64 DER TimeStampResp}] (optional)
    heads           signed note by a log key: "dalel custody heads v1", origin, anchor
                    size, anchor root, then per item "<id> <events> <last index>
                    <base64 leaf hash of the last event>"
  files/            the evidence files
  verifier.py       this program
  statement.txt     signed note by a log key: "dalel bundle files v1", origin, anchor
                    size, anchor root, "release <verifier> <sha256>" lines, then
                    "file <sha256> <size> <path>" for every other file of the bundle
"""

from __future__ import annotations

import argparse
import base64
import binascii
import hashlib
import hmac
import itertools
import json
import struct
import sys
import zipfile
from pathlib import Path
from typing import Any

import nacl.exceptions
import nacl.signing

FORMAT = "dalel-custody-bundle/1"
FIRST_ACTIONS = {"item.created", "item.derived"}
PURGED = "item.purged"  # an item's chain ends with it when its bytes were purged
HEADS = "dalel custody heads v1"
STATEMENT = "dalel bundle files v1"
STATEMENT_FILE = "statement.txt"
EXEMPTION_LOG = "exemption-log.json"


class Invalid(Exception):
    """One verification failure; the message says what failed."""


class Unusable(Invalid):
    """The bundle cannot be read at all."""


class Damaged(Invalid):
    """Part of the bundle cannot be read (a corrupt or truncated ZIP, an unreadable file)."""


# ---- RFC 9162 §2.1 --------------------------------------------------------------------


def hash_leaf(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def hash_children(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def verify_inclusion(leaf: bytes, index: int, size: int, proof: list[bytes], root: bytes) -> None:
    """RFC 9162 §2.1.3.2; size and root come from a signed checkpoint, never the proof."""
    if any(len(p) != 32 for p in proof) or len(root) != 32:
        raise Invalid("malformed inclusion proof")
    if not 0 <= index < size:  # 1. leaf_index < tree_size
        raise Invalid(f"entry {index} is not below checkpoint size {size}")
    fn, sn, r = index, size - 1, leaf  # 2.-3.
    for p in proof:  # 4.
        if sn == 0:  # 4a.
            raise Invalid("inclusion proof too long")
        if fn & 1 or fn == sn:  # 4b.
            r = hash_children(p, r)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = hash_children(r, p)
        fn, sn = fn >> 1, sn >> 1  # 4c.
    if sn != 0 or not hmac.compare_digest(r, root):  # 5.
        raise Invalid(f"inclusion proof for entry {index} does not match the checkpoint root")


def verify_consistency(first: int, second: int, proof: list[bytes], r1: bytes, r2: bytes) -> None:
    """RFC 9162 §2.1.4.2; a size-0 tree proves nothing and is refused."""
    if any(len(p) != 32 for p in proof) or first <= 0 or second < first:
        raise Invalid(f"no valid consistency proof from size {first} to {second}")
    if first == second:
        if proof or not hmac.compare_digest(r1, r2):
            raise Invalid(f"two different roots for tree size {first}")
        return
    if not proof:  # 1.
        raise Invalid("empty consistency proof")
    path = [r1, *proof] if first & (first - 1) == 0 else list(proof)  # 2.
    fn, sn = first - 1, second - 1  # 3.
    while fn & 1:  # 4.
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]  # 5.
    for c in path[1:]:  # 6.
        if sn == 0:
            raise Invalid("consistency proof too long")
        if fn & 1 or fn == sn:
            fr, sr = hash_children(c, fr), hash_children(c, sr)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = hash_children(sr, c)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0 or not hmac.compare_digest(fr, r1) or not hmac.compare_digest(sr, r2):  # 7.
        raise Invalid(f"checkpoints of size {first} and {second} are not consistent")


# ---- C2SP signed notes and cosignatures -------------------------------------------------


def parse_key(text: str, sig_type: int) -> tuple[str, bytes, bytes]:
    """(name, key id, public key) from a verifier key `name+hash+base64(type || key)`."""
    try:
        name, hash_hex, blob = text.strip().split("+", 2)
        raw = base64.b64decode(blob, validate=True)
    except (ValueError, binascii.Error) as exc:
        raise Invalid(f"malformed key {text!r}") from exc
    if len(raw) != 33 or raw[0] != sig_type:
        raise Invalid(f"key {name} is not of type {sig_type:#x}")
    key_id = hashlib.sha256(name.encode() + b"\n" + raw[:1] + raw[1:]).digest()[:4]
    if key_id.hex() != hash_hex:
        raise Invalid(f"key {name} has a wrong key hash")
    return name, key_id, raw[1:]


def split_note(note: str) -> tuple[str, list[tuple[str, bytes]]]:
    text, sep, sigs = note.rpartition("\n\n")
    if not sep or not sigs.endswith("\n"):
        raise Invalid("malformed signed note")
    lines = []
    for line in sigs[:-1].split("\n"):
        try:
            dash, name, blob = line.split(" ")
            raw = base64.b64decode(blob, validate=True)
        except (ValueError, binascii.Error) as exc:
            raise Invalid(f"malformed signature line {line!r}") from exc
        if dash != "\u2014" or len(raw) < 5:
            raise Invalid(f"malformed signature line {line!r}")
        lines.append((name, raw))
    return text + "\n", lines


def ed25519_ok(public: bytes, message: bytes, signature: bytes) -> bool:
    try:
        nacl.signing.VerifyKey(public).verify(message, signature)
    except (nacl.exceptions.BadSignatureError, ValueError):
        return False
    return True


def open_checkpoint(note: str, log_keys: list[tuple[str, bytes, bytes]]) -> dict[str, Any]:
    """Check a checkpoint's log signature; return origin, size, root, text and signers."""
    text, sigs = split_note(note)
    signers = []
    for name, raw in sigs:
        for key_name, key_id, public in log_keys:
            if (name, raw[:4]) == (key_name, key_id):
                if not ed25519_ok(public, text.encode(), raw[4:]):
                    raise Invalid(f"bad log signature by {name}")
                signers.append(f"{name}+{key_id.hex()}")
    if not signers:
        raise Invalid("checkpoint is not signed by a trusted log key")
    lines = text.split("\n")
    if len(lines) < 4 or not lines[1].isdigit() or (lines[1].startswith("0") and lines[1] != "0"):
        raise Invalid("malformed checkpoint text")
    try:
        root = base64.b64decode(lines[2], validate=True)
    except binascii.Error as exc:
        raise Invalid("malformed checkpoint root") from exc
    if len(root) != 32:
        raise Invalid("malformed checkpoint root")
    return {"origin": lines[0], "size": int(lines[1]), "root": root, "text": text,
            "signers": signers, "sigs": sigs}  # fmt: skip


def cosigners(cp: dict[str, Any], witness_keys: list[tuple[str, bytes, bytes]]) -> list[str]:
    """Trusted witnesses with a valid cosignature/v1 on the checkpoint."""
    good = []
    for name, raw in cp["sigs"]:
        for key_name, key_id, public in witness_keys:
            if (name, raw[:4]) != (key_name, key_id):
                continue
            if len(raw) != 76:
                raise Invalid(f"malformed cosignature by {name}")
            (timestamp,) = struct.unpack(">Q", raw[4:12])
            message = f"cosignature/v1\ntime {timestamp}\n{cp['text']}".encode()
            if not ed25519_ok(public, message, raw[12:]):
                raise Invalid(f"bad cosignature by witness {name}")
            if name not in good:
                good.append(name)
    return good


# ---- the bundle ---------------------------------------------------------------------------


class Bundle:
    """A bundle folder or ZIP: bundle.json plus files/. Whatever cannot be read (a
    damaged ZIP member, a truncated archive) raises `Damaged` naming it, and is noted in
    `damage`, so the verdicts can go on for everything else."""

    def __init__(self, path: Path) -> None:
        self.root = path
        self.damage: list[str] = []
        self.zip: zipfile.ZipFile | None = None
        if path.is_file():
            try:
                self.zip = zipfile.ZipFile(path)
            except Exception as exc:  # any damage to the archive's directory
                why = f"{path.name} is not a readable ZIP ({_why(exc)})"
                raise Unusable(f"bundle damaged: {why}") from exc
        elif not path.is_dir():
            raise Unusable(f"cannot read bundle.json: no bundle at {path}")
        try:
            raw = self.read("bundle.json")
        except Damaged as exc:
            raise Unusable(str(exc)) from exc
        except (OSError, KeyError) as exc:
            raise Unusable(f"cannot read bundle.json: {exc}") from exc
        try:
            data = json.loads(raw)
        except ValueError as exc:  # UnicodeDecodeError too
            raise Unusable(f"bundle damaged: bundle.json is not valid JSON ({exc})") from exc
        if not isinstance(data, dict):
            raise Unusable("bundle damaged: bundle.json is not a JSON object")
        self.data: dict[str, Any] = data
        if self.data.get("format") != FORMAT:
            raise Invalid(f"not a {FORMAT} bundle")

    def _damaged(self, name: str, exc: BaseException) -> Damaged:
        note = f"{name} ({_why(exc)})"
        if note not in self.damage:
            self.damage.append(note)
        return Damaged(f"bundle damaged: {name} cannot be read ({_why(exc)})")

    def read(self, name: str) -> bytes:
        if self.zip is None:
            return (self.root / name).read_bytes()
        self.zip.getinfo(name)  # KeyError: not in the bundle
        try:
            return self.zip.read(name)
        except Exception as exc:  # CRC, inflate, truncation, a header that lies
            raise self._damaged(name, exc) from exc

    def names(self) -> list[str]:
        """Every file of the bundle (folders left out), as relative POSIX paths."""
        if self.zip is not None:
            return [i.filename for i in self.zip.infolist() if not i.is_dir()]
        return sorted(
            p.relative_to(self.root).as_posix() for p in self.root.rglob("*") if p.is_file()
        )

    def file_digest(self, name: str) -> tuple[str, int]:
        digest, size = hashlib.sha256(), 0
        if not isinstance(name, str) or ".." in Path(name).parts or name.startswith("/"):
            raise Invalid(f"unsafe path {name!r} in bundle")
        if self.zip is None:
            with (self.root / name).open("rb") as handle:
                while chunk := handle.read(1 << 20):
                    digest.update(chunk)
                    size += len(chunk)
            return digest.hexdigest(), size
        self.zip.getinfo(name)  # KeyError: not in the bundle
        try:
            with self.zip.open(name) as handle:
                while chunk := handle.read(1 << 20):
                    digest.update(chunk)
                    size += len(chunk)
        except Exception as exc:  # CRC, inflate, truncation, a header that lies
            raise self._damaged(name, exc) from exc
        return digest.hexdigest(), size


def _why(exc: BaseException) -> str:
    """A damaged archive's error in a line: zipfile's and zlib's own words."""
    text = str(exc).strip() or "unreadable"
    return f"{type(exc).__name__}: {text}"[:200]


def _b64list(values: list[str]) -> list[bytes]:
    try:
        return [base64.b64decode(v, validate=True) for v in values]
    except (binascii.Error, TypeError) as exc:
        raise Invalid("proof hashes are not base64") from exc


def check_log(bundle: Bundle, opts: argparse.Namespace, say: Any) -> dict[str, Any]:
    """Steps 1-3: signatures, consistency, witness policy. Returns the anchor checkpoint."""
    d = bundle.data
    log_keys = _log_keys(bundle, opts)
    witness_keys = [parse_key(k, 0x04) for k in (opts.witness_key or d.get("witness_keys", []))]
    required = opts.witnesses_required
    if required is None:
        required = int(d.get("witness_policy", {}).get("k", 0))
    source = "command line" if opts.log_key else "the bundle (pin them with --log-key)"
    say(f"log keys from {source}: {', '.join(f'{n}+{i.hex()}' for n, i, _ in log_keys)}")
    notes = d.get("checkpoints") or []
    if not notes:
        raise Invalid("bundle has no checkpoint")
    cps = [open_checkpoint(note, log_keys) for note in notes]
    for cp in cps:
        if cp["origin"] != d.get("origin"):
            raise Invalid(f"checkpoint origin {cp['origin']!r} is not {d.get('origin')!r}")
    say(f"checkpoint signatures: OK ({len(cps)} checkpoints)")
    proofs = {(p["first"], p["second"]): p["hashes"] for p in d.get("consistency", [])}
    for old, new in itertools.pairwise(cps):
        if old["size"] > new["size"]:
            raise Invalid("checkpoints are not in growing order")
        hashes = _b64list(proofs.get((old["size"], new["size"]), []))
        verify_consistency(old["size"], new["size"], hashes, old["root"], new["root"])
    if len(cps) > 1:
        say(f"consistency: OK (sizes {' -> '.join(str(c['size']) for c in cps)})")
    anchor = cps[-1]
    good = cosigners(anchor, witness_keys)
    if len(good) < required:
        raise Invalid(
            f"witness policy: {len(good)} of the required {required} trusted witnesses "
            f"cosigned checkpoint {anchor['size']} ({', '.join(good) or 'none'})"
        )
    say(f"witnesses: {len(good)} of {required} required ({', '.join(good) or 'none'})")
    return anchor


def check_timestamps(
    bundle: Bundle,
    log_keys: list[tuple[str, bytes, bytes]],
    tsa_roots: list[Path] | None,
    say: Any,
) -> None:
    """Step 9: each token covers one of the bundle's checkpoints; with TSA roots, its
    signature is verified (rfc3161-client), else only reported."""
    stamps = bundle.data.get("timestamps") or []
    if tsa_roots and not stamps:
        raise Invalid("--tsa-root was given but the bundle carries no timestamp")
    if not stamps:
        return
    known = {}
    for note in bundle.data.get("checkpoints") or []:
        cp = open_checkpoint(note, log_keys)
        known[cp["size"]] = cp["root"]
    try:
        from cryptography import x509
        from rfc3161_client import VerificationError, VerifierBuilder, decode_timestamp_response
    except ImportError as exc:
        if tsa_roots:
            raise Unusable("checking timestamps needs: pip install rfc3161-client") from exc
        say(f"timestamps: {len(stamps)} present, not checked (pip install rfc3161-client)")
        return
    roots = [c for p in tsa_roots or [] for c in x509.load_pem_x509_certificates(p.read_bytes())]
    for stamp in stamps:
        note = str(stamp["note"])
        cp = open_checkpoint(note, log_keys)
        if known.get(cp["size"]) != cp["root"]:
            raise Invalid(f"a timestamp covers checkpoint {cp['size']}, not one of this bundle's")
        try:
            reply = decode_timestamp_response(base64.b64decode(stamp["token"], validate=True))
        except (ValueError, binascii.Error) as exc:
            raise Invalid(f"the timestamp of checkpoint {cp['size']} is unreadable") from exc
        when = reply.tst_info.gen_time.isoformat()
        if not roots:
            say(
                f"timestamp: checkpoint {cp['size']} by {when} per {stamp.get('tsa')} "
                "(TSA signature not checked: give --tsa-root)"
            )
            continue
        try:
            VerifierBuilder(roots=roots).build().verify_message(reply, note.encode())
        except VerificationError as exc:
            raise Invalid(
                f"the timestamp of checkpoint {cp['size']} does not verify: {exc}"
            ) from exc
        say(f"timestamp: checkpoint {cp['size']} existed by {when} (TSA signature verified)")


def _log_keys(bundle: Bundle, opts: argparse.Namespace) -> list[tuple[str, bytes, bytes]]:
    return [parse_key(k, 0x01) for k in (opts.log_key or bundle.data.get("log_keys", []))]


Heads = dict[str, tuple[int, int, bytes]]
Event = dict[str, Any] | None  # None: a sealed event (its leaf hash only)


def check_heads(
    bundle: Bundle, anchor: dict[str, Any], log_keys: list[tuple[str, bytes, bytes]]
) -> Heads | None:
    """Step 6's statement: {item id: (events, last index, last leaf hash)} signed by a
    trusted log key for the anchor checkpoint; None when the bundle carries none."""
    note = bundle.data.get("heads")
    if note is None:
        return None
    text, sigs = split_note(str(note))
    good = [
        name
        for name, raw in sigs
        for key_name, key_id, public in log_keys
        if (name, raw[:4]) == (key_name, key_id) and ed25519_ok(public, text.encode(), raw[4:])
    ]
    if not good:
        raise Invalid("the heads statement is not signed by a trusted log key")
    lines = text[:-1].split("\n")
    root = base64.b64encode(anchor["root"]).decode()
    if lines[:4] != [HEADS, anchor["origin"], str(anchor["size"]), root]:
        raise Invalid("the heads statement is for another checkpoint than the anchor")
    heads: Heads = {}
    for line in lines[4:]:
        try:
            item_id, events, last, digest = line.split(" ")
            heads[item_id] = (int(events), int(last), base64.b64decode(digest, validate=True))
        except (ValueError, binascii.Error) as exc:
            raise Invalid(f"malformed heads line {line!r}") from exc
    return heads


def _check_head(
    item_id: str, chain: list[tuple[int, bytes, Event]], heads: Heads | None
) -> list[str]:
    if heads is None:
        return []
    head = heads.get(item_id)
    if head is None:
        return ["not in the log's signed heads: its history's completeness is not attested"]
    events, last, digest = head
    if not chain or (len(chain), chain[-1][0], chain[-1][1]) != (events, last, digest):
        return [
            f"history incomplete: the log states {events} events ending at entry {last}, "
            f"the bundle has {len(chain)}" + (f" ending at entry {chain[-1][0]}" if chain else "")
        ]
    return []


def purge_note(chain: list[tuple[int, bytes, Event]]) -> str | None:
    """ "purged on DATE under approvals X and Y" when the item's chain ends with its purge
    (read from the verified `item.purged` event itself, never from the bundle's word)."""
    last = chain[-1][2] if chain else None
    if last is None or last.get("action") != PURGED:
        return None
    found = last.get("details")
    details: dict[str, Any] = found if isinstance(found, dict) else {}
    people = [
        f"{a.get('username', a.get('user', '?'))} ({a.get('step', '?')})"
        for a in details.get("approvals", [])
        if isinstance(a, dict)
    ]
    return f"purged on {str(last.get('at', ''))[:10]} under approvals {' and '.join(people)}"


def check_items(
    bundle: Bundle,
    anchor: dict[str, Any],
    hash_files: bool,
    heads: Heads | None = None,
    notes: dict[str, str] | None = None,
) -> dict[str, list[str]]:
    """Steps 4-8: per-item failures (an empty list means the item verified). A purged
    item (its chain ends with `item.purged`) has no file to re-hash; `notes` receives
    what its purge event says."""
    d = bundle.data
    chains: dict[str, list[tuple[int, bytes, Event]]] = {}
    loose: list[str] = []
    seen: set[int] = set()
    for position, ev in enumerate(_listed(d, "events")):
        index: Any = ev.get("index", f"#{position}") if isinstance(ev, dict) else f"#{position}"
        try:
            index = int(ev["index"])
            if "leaf" in ev:
                leaf = base64.b64decode(ev["leaf"], validate=True)
                digest, event = hash_leaf(leaf), json.loads(leaf)
                item_id = str(event.get("item"))
            else:  # sealed: known by its hash, which the proof and the chain still check
                digest, event, item_id = (
                    base64.b64decode(ev["leaf_hash"], validate=True),
                    None,
                    str(ev["item"]),
                )
                if len(digest) != 32:
                    raise Invalid("a sealed event's leaf hash is not 32 bytes")
            if index in seen:
                raise Invalid(f"entry {index} appears twice")
            seen.add(index)
            verify_inclusion(digest, index, anchor["size"], _b64list(ev["proof"]), anchor["root"])
        except (Invalid, ValueError, binascii.Error) as exc:
            loose.append(f"entry {index}: {exc}")
            continue
        except (KeyError, TypeError, AttributeError, OverflowError) as exc:
            loose.append(f"entry {index}: malformed ({_why(exc)})")
            continue
        chains.setdefault(item_id, []).append((index, digest, event))
    items: dict[str, dict[str, Any]] = {}
    for position, item in enumerate(_listed(d, "items")):
        if isinstance(item, dict) and isinstance(item.get("id"), str | int):
            items[str(item["id"])] = item
        else:
            loose.append(f"item #{position}: malformed record")
    # Derivation inputs may be named by item id or by content SHA-256. Inputs a bundle
    # withholds by design (a disclosure leaves out originals) are known by id and a
    # salted commitment (never their plain hash): the chain to them is checked, their
    # bytes cannot be.
    withheld = {
        str(w["id"]): w for w in _listed(d, "withheld") if isinstance(w, dict) and "id" in w
    }
    refs = (
        {str(w["sha256"]): w for w in withheld.values() if w.get("sha256")}
        | withheld
        | {str(item.get("sha256")): item for item in items.values()}
        | items
    )
    verdicts: dict[str, list[str]] = {item_id: [] for item_id in items}
    if loose:
        verdicts["(events)"] = loose
    left_out = sorted(set(heads or {}) - set(items))
    if left_out:
        verdicts["(heads)"] = [f"in the signed heads but not in the bundle: {', '.join(left_out)}"]
    for item_id, item in items.items():
        try:
            _check_item(bundle, item_id, item, chains, refs, heads, notes, hash_files,
                        verdicts[item_id])  # fmt: skip
        except Damaged as exc:
            verdicts[item_id].append(str(exc))
        except Exception as exc:  # a malformed record: this item's verdict, not a crash
            verdicts[item_id].append(f"malformed record ({_why(exc)})")
    return verdicts


def _listed(data: dict[str, Any], key: str) -> list[Any]:
    value = data.get(key) or []
    if not isinstance(value, list):
        raise Invalid(f"bundle.json {key!r} is not a list")
    return value


def _check_item(
    bundle: Bundle,
    item_id: str,
    item: dict[str, Any],
    chains: dict[str, list[tuple[int, bytes, Event]]],
    refs: dict[str, dict[str, Any]],
    heads: Heads | None,
    notes: dict[str, str] | None,
    hash_files: bool,
    fails: list[str],
) -> None:
    """Steps 5-8 for one item; failures are appended to `fails`."""
    chain = sorted(chains.get(item_id, []), key=lambda c: c[0])
    fails += _check_chain(item, chain)
    fails += _check_head(item_id, chain, heads)
    if chain and chain[0][2] is not None:
        fails += _check_derivation(item, chain[0][2], refs)
    purged = purge_note(chain)
    if purged is not None and notes is not None:
        notes[item_id] = purged
    if item.get("purged") and purged is None:
        fails.append("listed as purged, but its chain does not end with item.purged")
    if not item.get("file"):
        if purged is None:
            fails.append("the bundle has no file for it, and it was not purged")
        return  # purged: the bytes were deleted after retention, as the ledger proves
    if hash_files:
        try:
            file_sha, file_size = bundle.file_digest(item["file"])
        except Invalid as exc:
            fails.append(str(exc))
        except (OSError, KeyError) as exc:
            fails.append(f"file {item.get('file')} is missing: {exc}")
        else:
            if file_sha != item["sha256"] or file_size != int(item["size"]):
                fails.append(f"file {item['file']} altered: sha256 {file_sha}, {file_size} bytes")


def _check_derivation(
    item: dict[str, Any], first: dict[str, Any], refs: dict[str, dict[str, Any]]
) -> list[str]:
    """Inputs the bundle declares and inputs the ledger recorded must be the same items,
    all present in the bundle, with the recorded hashes (step 6)."""
    fails = []
    declared = set()
    for ref in item.get("inputs", []):
        if str(ref) in refs:
            declared.add(refs[str(ref)]["id"])
        else:
            fails.append(f"derivation input {ref} is missing from the bundle")
    details = first.get("details") if first.get("action") == "item.derived" else None
    recorded_refs = details.get("inputs", []) if isinstance(details, dict) else []
    recorded = set()
    for inp in recorded_refs:
        ref = inp.get("item") or inp.get("sha256") if isinstance(inp, dict) else inp
        other = refs.get(str(ref))
        sha = inp.get("sha256") if isinstance(inp, dict) else None
        if other is None or sha not in (None, other.get("sha256")):
            fails.append(f"derivation input {ref} recorded in the ledger is not in the bundle")
        else:
            recorded.add(other["id"])
    if recorded and declared and recorded != declared:
        fails.append("derivation inputs differ from those recorded in the ledger")
    return fails


def _check_chain(item: dict[str, Any], chain: list[tuple[int, bytes, Event]]) -> list[str]:
    if not chain:
        return ["no custody events"]
    fails = []
    first = chain[0][2]
    if first is None:
        return [
            f"the creation event (entry {chain[0][0]}) is sealed: the file cannot be tied to it"
        ]
    if first.get("action") not in FIRST_ACTIONS or first.get("prev") is not None:
        fails.append(f"chain does not start with its creation (entry {chain[0][0]})")
    if first.get("sha256") not in (None, item["sha256"]):
        fails.append("creation event records a different SHA-256 than the file")
    # A sealed event's own `prev` cannot be read; the event after it names its hash, and
    # the signed heads fix how many events the chain has, so nothing can be slipped in.
    for (_, prev_digest, _), (index, _, event) in itertools.pairwise(chain):
        if event is not None and event.get("prev") != prev_digest.hex():
            fails.append(f"chain gap before entry {index}: an event is missing or altered")
    return fails


def check_statement(
    bundle: Bundle,
    anchor: dict[str, Any],
    log_keys: list[tuple[str, bytes, bytes]],
    say: Any,
    hash_files: bool = True,
) -> list[str]:
    """Step 10: the log's signed statement (statement.txt) covers every other file of
    the bundle, each re-hashed; any file it does not list fails. Returns failures."""
    try:
        note = bundle.read(STATEMENT_FILE).decode()
    except Damaged as exc:
        return [str(exc)]
    except (OSError, KeyError, UnicodeDecodeError):
        return [
            f"no signed file statement ({STATEMENT_FILE}): the bundle's other files are not covered"
        ]
    text, sigs = split_note(note)
    if not any(
        (name, raw[:4]) == (key_name, key_id) and ed25519_ok(public, text.encode(), raw[4:])
        for name, raw in sigs
        for key_name, key_id, public in log_keys
    ):
        return ["the file statement is not signed by a trusted log key"]
    lines = text[:-1].split("\n")
    root = base64.b64encode(anchor["root"]).decode()
    if lines[:4] != [STATEMENT, anchor["origin"], str(anchor["size"]), root]:
        return ["the file statement is for another checkpoint than the anchor"]
    listed: dict[str, tuple[str, int]] = {}
    release: dict[str, str] = {}
    try:
        for line in lines[4:]:
            kind, rest = line.split(" ", 1)
            if kind == "release":
                name, digest = rest.split(" ")
                release[name] = digest
            elif kind == "file":
                digest, size, path = rest.split(" ", 2)
                listed[path] = (digest, int(size))
            else:
                raise ValueError(kind)
    except ValueError:
        return [f"malformed file statement line {line!r}"]
    fails = []
    for path in bundle.names():
        if path != STATEMENT_FILE and path not in listed:
            fails.append(f"file {path} is not covered by the signed statement")
    for path, expected in sorted(listed.items()):
        if not hash_files and path.startswith("files/"):
            continue  # --no-files: evidence files are not re-hashed
        try:
            actual = bundle.file_digest(path)
        except Invalid as exc:  # damaged, or an unsafe path
            fails.append(str(exc))
            continue
        except (OSError, KeyError):
            fails.append(f"file {path} named in the signed statement is missing")
            continue
        if actual != expected:
            fails.append(f"file {path} differs from the signed statement")
    if not fails:
        say(f"signed file statement: OK ({len(listed)} files)")
    mine = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()
    if release.get("verifier.py") not in (None, mine):
        say("note: this verifier.py is not the one the bundle's release shipped (compare its "
            f"SHA-256 {mine} with the published {release['verifier.py']})")  # fmt: skip
    for name, digest in sorted(release.items()):
        say(f"release {name}: sha256 {digest}")
    return fails


def check_exemptions(bundle: Bundle) -> dict[str, list[str]]:
    """The exemption log names exactly the redaction plans the manifest records for each
    item (``redaction_plans``): none missing, none added. Per-item failures."""
    recorded = {
        str(item["id"]): {str(p) for p in item.get("redaction_plans") or []}
        for item in _listed(bundle.data, "items")
        if isinstance(item, dict) and "id" in item
    }
    fails: dict[str, list[str]] = {}
    if EXEMPTION_LOG not in bundle.names():
        for item_id, plans in recorded.items():
            if plans:
                fails.setdefault(item_id, []).append("redacted, but no exemption log")
        return fails
    try:
        log = json.loads(bundle.read(EXEMPTION_LOG))
        logged = {
            str(entry["item"]): {str(plan["plan_id"]) for plan in entry["plans"]}
            for entry in log["items"]
        }
    except Exception as exc:  # a damaged log: a verdict, not a crash
        return {"(exemption log)": [f"unreadable ({_why(exc)})"]}
    for item_id in sorted(set(recorded) | set(logged)):
        want, got = recorded.get(item_id, set()), logged.get(item_id, set())
        if item_id not in recorded:
            fails.setdefault(item_id, []).append("in the exemption log but not in the manifest")
        elif want != got:
            missing, extra = sorted(want - got), sorted(got - want)
            fails.setdefault(item_id, []).append(
                "exemption log does not match the manifest's redaction plans"
                + (f" (missing {', '.join(missing)})" if missing else "")
                + (f" (not recorded {', '.join(extra)})" if extra else "")
            )
    return fails


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Verify a Dalel custody bundle offline.")
    parser.add_argument("bundle", type=Path, help="bundle folder or ZIP")
    parser.add_argument("--log-key", action="append", help="trusted log verifier key")
    parser.add_argument("--witness-key", action="append", help="trusted witness key")
    parser.add_argument("--witnesses-required", type=int, help="k of the witness keys")
    parser.add_argument("--no-files", action="store_true", help="skip re-hashing files")
    parser.add_argument(
        "--tsa-root", action="append", type=Path, help="PEM of a trusted TSA root (RFC 3161)"
    )
    parser.add_argument(
        "--allow-unattested",
        action="store_true",
        help="accept a bundle without signed heads (item histories may be cut short)",
    )
    opts = parser.parse_args(argv)
    say = print
    try:
        bundle = Bundle(opts.bundle)
        say(f"Dalel custody bundle {opts.bundle} (origin {bundle.data.get('origin')})")
        anchor = check_log(bundle, opts, say)
        heads = check_heads(bundle, anchor, _log_keys(bundle, opts))
        if heads is None and not opts.allow_unattested:
            raise Invalid(
                "the bundle has no signed heads, so a history cut short cannot be told from "
                "a complete one (--allow-unattested verifies it anyway)"
            )
        check_timestamps(bundle, _log_keys(bundle, opts), opts.tsa_root, say)
        say(
            f"completeness: {len(heads)} item heads signed by the log"
            if heads is not None
            else "completeness: NOT ATTESTED (no signed heads; --allow-unattested)"
        )
    except (Invalid, KeyError, TypeError, ValueError) as exc:
        say(f"FAILED: {exc}")
        return 2 if isinstance(exc, Unusable) else 1
    except Exception as exc:  # whatever a damaged bundle.json does: a verdict, not a crash
        say(f"FAILED: bundle damaged: malformed bundle.json ({_why(exc)})")
        return 1
    try:
        notes: dict[str, str] = {}
        verdicts = check_items(
            bundle, anchor, hash_files=not opts.no_files, heads=heads, notes=notes
        )
        covered = check_statement(
            bundle, anchor, _log_keys(bundle, opts), say, hash_files=not opts.no_files
        )
        for item_id, fails in check_exemptions(bundle).items():
            verdicts.setdefault(item_id, []).extend(fails)
    except Invalid as exc:
        say(f"FAILED: {exc}")
        return 1
    except Exception as exc:  # a malformed bundle.json: a verdict, not a crash
        say(f"FAILED: bundle damaged: malformed bundle.json ({_why(exc)})")
        return 1
    if covered and not (opts.allow_unattested and covered[0].startswith("no signed file")):
        verdicts["(files)"] = covered
    failed = 0
    for item_id, fails in verdicts.items():
        if fails:
            failed += 1
            say(f"FAIL  item {item_id}: " + "; ".join(fails))
        else:
            say(f"OK    item {item_id}" + (f": {notes[item_id]}" if item_id in notes else ""))
    if bundle.damage:
        say(f"bundle damaged: {len(bundle.damage)} file(s) cannot be read: "
            + "; ".join(bundle.damage))  # fmt: skip
    if failed or bundle.damage:
        say(f"RESULT: NOT VERIFIED - {failed} of {len(verdicts)} failed")
        return 1
    say(f"RESULT: VERIFIED - {len(verdicts)} items, anchored at tree size {anchor['size']}")
    return 0


if __name__ == "__main__":  # pragma: no cover - run as a script inside bundles
    sys.exit(main())
