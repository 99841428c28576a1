"""The genuine verifiers of this release, by SHA-256: what a court checks its copy against.

A bundle carries `verifier.py` and `verify.html`; whoever runs them trusts their code.
These hashes are published three ways — `GET /api/v1/ledger/verifier`, the README, and
inside the signed statement of every bundle — so a court can confirm that the verifier
it is about to run is the one this release shipped, not one swapped inside a bundle.
"""

from __future__ import annotations

import hashlib
from functools import cache
from importlib import metadata
from pathlib import Path

from custody.statement import VERIFIER_SOURCE

VERIFY_HTML = Path(__file__).with_name("static") / "verify.html"
VERIFIERS = {"verifier.py": VERIFIER_SOURCE, "verify.html": VERIFY_HTML}


@cache
def verifier_hashes() -> dict[str, str]:
    """{file name: SHA-256 hex} of the verifiers installed with this release."""
    return {name: hashlib.sha256(path.read_bytes()).hexdigest() for name, path in VERIFIERS.items()}


def release_version() -> str:
    """This release's version (the installed package's, as `pip show dalel` reports it)."""
    try:
        return metadata.version("dalel")
    except metadata.PackageNotFoundError:  # run from a source tree without installing
        return "unknown"
