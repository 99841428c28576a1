"""The vault's command line (`dalel`), a served instance, and jobs run inline; the app
itself (`api`, `team`) comes from tests/conftest.py."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.app_kit import PASSWORD
from tests.storage_fixtures import free_port


def dalel(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "evidence.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"dalel {' '.join(args)} failed: {result.stdout}{result.stderr}")
    return result


_SETUP = """
import sys
from evidence.cli import main
for argv in (
    ["user", "add", "olzhas", "--role", "officer"],
    ["user", "add", "aigerim", "--role", "prosecutor"],
    ["case", "create", "202611210000777", "--title", "Грабеж", "--by", "aigerim"],
):
    if main(argv) != 0:
        sys.exit("dalel " + " ".join(argv) + " failed")
"""


@pytest.fixture()
def server(tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    env = {**os.environ, "DALEL_DATA_DIR": str(tmp_path / "var"), "DALEL_PASSWORD": PASSWORD}
    env.pop("DALEL_DATABASE_URL", None)
    env.pop("DALEL_STORAGE_URL", None)
    # The operator's set-up through the CLI's own entry point, in one interpreter: every
    # start costs seconds on a loaded machine, and this fixture serves many tests.
    setup = subprocess.run([sys.executable, "-c", _SETUP], env=env, capture_output=True, text=True)
    assert setup.returncode == 0, setup.stdout + setup.stderr
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "evidence.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90  # a loaded 2-core CI machine starts slowly
    while True:
        try:
            httpx.get(f"{url}/api/v1/openapi.json", timeout=1)
            break
        except httpx.HTTPError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise RuntimeError("dalel serve did not start") from None
            time.sleep(0.2)
    yield url, env
    process.terminate()
    process.wait(timeout=10)
