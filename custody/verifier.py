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
8. every file re-hashes to its item's SHA-256 and size;
9. RFC 3161 timestamps, when the bundle has them, cover its own log-signed checkpoints;
   with --tsa-root (PEM of the TSA's root) and the rfc3161-client package, the TSA's
   signature is verified too, and a bundle without timestamps fails.

Trust anchors (log keys, witness keys, k) come from the bundle unless given on the command
line (--log-key, --witness-key, --witnesses-required): pin them from an independent source.
Sizes and roots are only ever taken from signed checkpoints; any size, algorithm or other
field a proof carries about itself is ignored. Hashing is always SHA-256.
Exit status: 0 verified, 1 something failed (named in the output), 2 unusable bundle.

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
                    "file": "files/..."}]
    events          [{"index", "leaf": base64 RFC 8785 event, "proof": [base64]}]
    timestamps      [{"size", "tsa", "note": the log-signed checkpoint note as
                    timestamped, "token": base64 DER TimeStampResp}] (optional)
    heads           signed note by a log key: "dalel custody heads v1", origin, anchor
                    size, anchor root, then per item "<id> <events> <last index>
                    <base64 leaf hash of the last event>"
  files/            the evidence files
  verifier.py       this program
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
HEADS = "dalel custody heads v1"


class Invalid(Exception):
    """One verification failure; the message says what failed."""


class Unusable(Invalid):
    """The bundle cannot be read at all."""


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
    """A bundle folder or ZIP: bundle.json plus files/."""

    def __init__(self, path: Path) -> None:
        self.root = path
        try:
            self.zip = zipfile.ZipFile(path) if path.is_file() else None
            self.data: dict[str, Any] = json.loads(self.read("bundle.json"))
        except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
            raise Unusable(f"cannot read bundle.json: {exc}") from exc
        if self.data.get("format") != FORMAT:
            raise Invalid(f"not a {FORMAT} bundle")

    def read(self, name: str) -> bytes:
        if self.zip is not None:
            return self.zip.read(name)
        return (self.root / name).read_bytes()

    def file_digest(self, name: str) -> tuple[str, int]:
        digest, size = hashlib.sha256(), 0
        if ".." in Path(name).parts or name.startswith("/"):
            raise Invalid(f"unsafe path {name!r} in bundle")
        handle = self.zip.open(name) if self.zip is not None else (self.root / name).open("rb")
        with handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
                size += len(chunk)
        return digest.hexdigest(), size


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
    item_id: str, chain: list[tuple[int, bytes, dict[str, Any]]], heads: Heads | None
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


def check_items(
    bundle: Bundle, anchor: dict[str, Any], hash_files: bool, heads: Heads | None = None
) -> dict[str, list[str]]:
    """Steps 4-8: per-item failures (an empty list means the item verified)."""
    d = bundle.data
    chains: dict[str, list[tuple[int, bytes, dict[str, Any]]]] = {}
    loose: list[str] = []
    seen: set[int] = set()
    for ev in d.get("events", []):
        index = int(ev["index"])
        try:
            leaf = base64.b64decode(ev["leaf"], validate=True)
            digest = hash_leaf(leaf)
            if index in seen:
                raise Invalid(f"entry {index} appears twice")
            seen.add(index)
            verify_inclusion(digest, index, anchor["size"], _b64list(ev["proof"]), anchor["root"])
            event = json.loads(leaf)
        except (Invalid, ValueError, binascii.Error) as exc:
            loose.append(f"entry {index}: {exc}")
            continue
        chains.setdefault(str(event.get("item")), []).append((index, digest, event))
    items = {str(item["id"]): item for item in d.get("items", [])}
    # Derivation inputs may be named by item id or by content SHA-256. Inputs a bundle
    # withholds by design (a disclosure leaves out originals) are known by id and hash
    # only: the chain to them is checked, their bytes cannot be.
    withheld = {str(w["id"]): w for w in d.get("withheld", [])}
    refs = (
        {str(w["sha256"]): w for w in withheld.values()}
        | withheld
        | {str(item["sha256"]): item for item in items.values()}
        | items
    )
    verdicts: dict[str, list[str]] = {item_id: [] for item_id in items}
    if loose:
        verdicts["(events)"] = loose
    left_out = sorted(set(heads or {}) - set(items))
    if left_out:
        verdicts["(heads)"] = [f"in the signed heads but not in the bundle: {', '.join(left_out)}"]
    for item_id, item in items.items():
        fails = verdicts[item_id]
        chain = sorted(chains.get(item_id, []), key=lambda c: c[0])
        fails += _check_chain(item, chain)
        fails += _check_head(item_id, chain, heads)
        if chain:
            fails += _check_derivation(item, chain[0][2], refs)
        if hash_files:
            try:
                file_sha, file_size = bundle.file_digest(item["file"])
            except Invalid as exc:
                fails.append(str(exc))
            except (OSError, KeyError) as exc:
                fails.append(f"file {item.get('file')} is missing: {exc}")
            else:
                if file_sha != item["sha256"] or file_size != int(item["size"]):
                    fails.append(
                        f"file {item['file']} altered: sha256 {file_sha}, {file_size} bytes"
                    )
    return verdicts


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
        if other is None or sha not in (None, other["sha256"]):
            fails.append(f"derivation input {ref} recorded in the ledger is not in the bundle")
        else:
            recorded.add(other["id"])
    if recorded and declared and recorded != declared:
        fails.append("derivation inputs differ from those recorded in the ledger")
    return fails


def _check_chain(item: dict[str, Any], chain: list[tuple[int, bytes, dict[str, Any]]]) -> list[str]:
    if not chain:
        return ["no custody events"]
    fails = []
    first = chain[0][2]
    if first.get("action") not in FIRST_ACTIONS or first.get("prev") is not None:
        fails.append(f"chain does not start with its creation (entry {chain[0][0]})")
    if first.get("sha256") not in (None, item["sha256"]):
        fails.append("creation event records a different SHA-256 than the file")
    for (_, prev_digest, _), (index, _, event) in itertools.pairwise(chain):
        if event.get("prev") != prev_digest.hex():
            fails.append(f"chain gap before entry {index}: an event is missing or altered")
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
    try:
        verdicts = check_items(bundle, anchor, hash_files=not opts.no_files, heads=heads)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        say(f"FAILED: malformed bundle: {exc!r}")
        return 1
    failed = 0
    for item_id, fails in verdicts.items():
        if fails:
            failed += 1
            say(f"FAIL  item {item_id}: " + "; ".join(fails))
        else:
            say(f"OK    item {item_id}")
    if failed:
        say(f"RESULT: NOT VERIFIED - {failed} of {len(verdicts)} failed")
        return 1
    say(f"RESULT: VERIFIED - {len(verdicts)} items, anchored at tree size {anchor['size']}")
    return 0


if __name__ == "__main__":  # pragma: no cover - run as a script inside bundles
    sys.exit(main())
