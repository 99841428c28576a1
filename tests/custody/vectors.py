"""The RFC 9162 test vectors (transparency-dev/merkle, Apache-2.0) and a reference tree,
shared by the Merkle, verifier and tiles suites.

The vectors are used in place from `shared/vectors/rfc9162` beside the checkout (never
copied into it). Without them the vector suites are skipped; under CI (`CI` set) that
is a failure, so a CI run never passes with zero vector cases.
"""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

import pytest

from custody import merkle

CHECKOUT = Path(__file__).resolve().parents[2]
VECTORS = CHECKOUT.parent / "shared" / "vectors" / "rfc9162"


def require_vectors() -> None:
    """Skip without the vectors; fail under CI, where they must be present."""
    if VECTORS.is_dir():
        return
    if os.environ.get("CI"):
        pytest.fail(f"the shared RFC 9162 vectors are missing from {VECTORS} (required in CI)")
    pytest.skip(f"shared RFC 9162 vectors absent from {VECTORS}")


def vector_files(kind: str) -> list[Path]:
    folder = VECTORS / kind
    return sorted(folder.rglob("*.json")) if folder.is_dir() else []


def b64(value: str | None) -> bytes:
    return base64.b64decode(value or "")


def leaf_hashes(n: int) -> list[bytes]:
    return [merkle.hash_leaf(i.to_bytes(4, "big")) for i in range(n)]


# ---- naive recursive reference, straight from RFC 9162 §2.1.1-2.1.4 -------------------


def ref_mth(d: list[bytes]) -> bytes:
    if not d:
        return hashlib.sha256(b"").digest()
    if len(d) == 1:
        return d[0]
    k = merkle.split_point(len(d))
    return merkle.hash_children(ref_mth(d[:k]), ref_mth(d[k:]))


def ref_path(m: int, d: list[bytes]) -> list[bytes]:
    if len(d) <= 1:
        return []
    k = merkle.split_point(len(d))
    if m < k:
        return [*ref_path(m, d[:k]), ref_mth(d[k:])]
    return [*ref_path(m - k, d[k:]), ref_mth(d[:k])]


def ref_subproof(m: int, d: list[bytes], b: bool) -> list[bytes]:
    if m == len(d):
        return [] if b else [ref_mth(d)]
    k = merkle.split_point(len(d))
    if m <= k:
        return [*ref_subproof(m, d[:k], b), ref_mth(d[k:])]
    return [*ref_subproof(m - k, d[k:], False), ref_mth(d[:k])]
