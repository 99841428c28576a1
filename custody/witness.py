"""`dalel witness`: an independent party checks the log only grows, then cosigns it.

Run by another institution (a court, a prosecutor's office, the bar). It keeps the last
checkpoint it cosigned in its own state directory, fetches the log's latest checkpoint and
a consistency proof from it, refuses a log that rolled back or forked, and posts a C2SP
tlog-cosignature. Whoever verifies a bundle can then demand k of n such witnesses.
"""

from __future__ import annotations

import base64
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from custody.checkpoint import CheckpointBody
from custody.errors import CustodyError, ProofError, WitnessError
from custody.keys import load_keys
from custody.merkle import verify_consistency
from custody.note import COSIGNATURE_V1, NoteSigner, Verifier, cosign, open_note

API = "/api/v1/ledger"


@dataclass(frozen=True, slots=True)
class WitnessResult:
    """What one witness run did: `cosigned` a new checkpoint, or found it `unchanged`."""

    status: str
    size: int
    root: bytes
    cosignature: str | None


def witness_key(*, state_dir: Path, name: str) -> NoteSigner:
    """The witness's cosigning key, generated (0600) on first use."""
    return load_keys(key_dir=state_dir / "keys", name=name, sig_type=COSIGNATURE_V1).signers[-1]


def _read_state(state_dir: Path) -> dict[str, Any]:
    path = state_dir / "state.json"
    if not path.exists():
        return {}
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def _write_state(state_dir: Path, state: dict[str, Any]) -> None:
    # Write-then-rename: a crash never leaves a half-written state that would let a
    # rolled-back log through on the next run.
    tmp = state_dir / "state.json.tmp"
    tmp.write_text(json.dumps(state, indent=2, sort_keys=True))
    os.replace(tmp, state_dir / "state.json")


def _get(client: httpx.Client, url: str) -> httpx.Response:
    try:
        response = client.get(url)
    except httpx.HTTPError as exc:
        raise WitnessError(f"cannot reach the log at {url}: {exc}") from exc
    if response.status_code != 200:
        raise WitnessError(f"{url} answered {response.status_code}: {response.text[:200]}")
    return response


def _log_verifiers(
    client: httpx.Client, base: str, state: dict[str, Any], log_key: str | None
) -> list[str]:
    if log_key:
        return [log_key]
    if state.get("log_keys"):
        return list(state["log_keys"])
    # First contact and no key given: trust on first use, then pin it in the state.
    return [line for line in _get(client, f"{base}/key").text.splitlines() if line.strip()]


def run_witness(
    *,
    server_url: str,
    state_dir: Path,
    name: str,
    client: httpx.Client | None = None,
    log_key: str | None = None,
) -> WitnessResult:
    """Check the log at `server_url` grew consistently since last time, then cosign it."""
    state_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    own_client = client is None
    http = client or httpx.Client(timeout=30)
    base = server_url.rstrip("/") + API
    try:
        return _run(http, base, state_dir, name, log_key)
    finally:
        if own_client:
            http.close()


def _run(
    http: httpx.Client, base: str, state_dir: Path, name: str, log_key: str | None
) -> WitnessResult:
    signer = witness_key(state_dir=state_dir, name=name)
    state = _read_state(state_dir)
    keys = _log_verifiers(http, base, state, log_key)
    try:
        verifiers = [Verifier.parse(k) for k in keys]
        text = open_note(_get(http, f"{base}/checkpoint").text, verifiers)
        body = CheckpointBody.parse(text)
    except CustodyError as exc:
        raise WitnessError(f"the log's checkpoint does not verify: {exc}") from exc
    if state.get("origin", body.origin) != body.origin:
        raise WitnessError(f"log origin changed from {state['origin']!r} to {body.origin!r}")
    old_size = int(state.get("size", 0))
    old_root = base64.b64decode(state.get("root", ""))
    if body.size < old_size:
        raise WitnessError(f"log rolled back from size {old_size} to {body.size}: refusing")
    if body.size == old_size and old_size and body.root != old_root:
        raise WitnessError(f"log forked: two different roots at size {old_size}: refusing")
    if body.size == old_size and old_size:
        return WitnessResult(status="unchanged", size=body.size, root=body.root, cosignature=None)
    if old_size:
        url = f"{base}/proof/consistency?first={old_size}&second={body.size}"
        hashes = [base64.b64decode(h) for h in _get(http, url).json()["hashes"]]
        try:
            verify_consistency(
                first=old_size,
                second=body.size,
                proof=hashes,
                first_root=old_root,
                second_root=body.root,
            )
        except ProofError as exc:
            raise WitnessError(f"log is inconsistent with size {old_size}: {exc}") from exc
    line = cosign(text, signer, int(time.time()))
    payload = {"size": body.size, "witness_key": str(signer.verifier), "cosignature": line}
    try:
        response = http.post(f"{base}/cosignatures", json=payload)
    except httpx.HTTPError as exc:
        raise WitnessError(f"cannot deliver the cosignature: {exc}") from exc
    if response.status_code == 403:
        raise WitnessError(
            f"log refused the cosignature (403): this witness is not registered there; give "
            f"the log's administrator its key for `dalel witness add {signer.name} KEY`: "
            f"{signer.verifier}"
        )
    if response.status_code not in (200, 201, 409):
        raise WitnessError(f"log refused the cosignature ({response.status_code}): {response.text}")
    _write_state(
        state_dir,
        {
            "origin": body.origin,
            "size": body.size,
            "root": base64.b64encode(body.root).decode(),
            "checkpoint": text,
            "log_keys": keys,
        },
    )
    return WitnessResult(status="cosigned", size=body.size, root=body.root, cosignature=line)
