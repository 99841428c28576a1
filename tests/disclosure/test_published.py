"""The genuine verifiers' hashes are published: at a public endpoint and in the README,
equal to the files this release ships (and to the copies bundles carry)."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from custody.export import VERIFIER_SOURCE
from disclosure.published import VERIFY_HTML, verifier_hashes
from tests.app_kit import Api

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_publishes_the_verifiers_hashes() -> None:
    actual = {
        "verifier.py": hashlib.sha256(VERIFIER_SOURCE.read_bytes()).hexdigest(),
        "verify.html": hashlib.sha256(VERIFY_HTML.read_bytes()).hexdigest(),
    }
    assert verifier_hashes() == actual
    table = dict(re.findall(r"^\| `(verifier\.py|verify\.html)` \| `([0-9a-f]{64})` \|$",
                            README.read_text(), re.MULTILINE))  # fmt: skip
    assert table == actual, (
        "README's table of verifier hashes is stale: after changing a verifier, write "
        f"{actual} into the table under 'The verifiers of this release'"
    )


def test_the_hashes_are_served_without_sign_in(api: Api) -> None:
    response = api.client.get("/api/v1/ledger/verifier")
    assert response.status_code == 200
    assert response.json()["sha256"] == verifier_hashes()
    assert response.json()["version"]
