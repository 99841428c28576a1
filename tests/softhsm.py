"""A real PKCS#11 token for tests: SoftHSM2 (Debian `softhsm2`) in a private token folder.

SoftHSM reads its configuration (SOFTHSM2_CONF) and lists its tokens once, when the module
is first loaded in a process: the fixture sets the variable and initialises the token
before anything loads it, and tests tell their keys apart by key label.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

MODULE = Path("/usr/lib/softhsm/libsofthsm2.so")
TOKEN_LABEL = "dalel-test"
PIN = "24680135"


@dataclass(frozen=True)
class SoftHsm:
    module: Path
    token_label: str
    pin: str
    conf: Path

    def env(self, key_label: str) -> dict[str, str]:
        """Settings of a Dalel process signing with `key_label` on this token."""
        return {
            "SOFTHSM2_CONF": str(self.conf),
            "DALEL_KEY_STORE": "pkcs11",
            "DALEL_PKCS11_MODULE": str(self.module),
            "DALEL_PKCS11_TOKEN_LABEL": self.token_label,
            "DALEL_PKCS11_PIN": self.pin,
            "DALEL_PKCS11_KEY_LABEL": key_label,
        }


def new_label() -> str:
    """A key label no other test uses."""
    return f"dalel-ledger-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="session")
def softhsm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SoftHsm]:
    util = shutil.which("softhsm2-util")
    if util is None or not MODULE.exists():
        if os.environ.get("CI"):
            pytest.fail("SoftHSM2 is required in CI: apt-get install softhsm2")
        pytest.skip("SoftHSM2 not installed (apt-get install softhsm2)")
    root = tmp_path_factory.mktemp("softhsm")
    (root / "tokens").mkdir()
    conf = root / "softhsm2.conf"
    conf.write_text(
        f"directories.tokendir = {root / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n"
    )
    env = {**os.environ, "SOFTHSM2_CONF": str(conf)}
    subprocess.run(
        [util, "--init-token", "--free", "--label", TOKEN_LABEL, "--pin", PIN,
         "--so-pin", "13579246"],
        env=env, check=True, capture_output=True,
    )  # fmt: skip
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOFTHSM2_CONF", str(conf))
        yield SoftHsm(module=MODULE, token_label=TOKEN_LABEL, pin=PIN, conf=conf)
