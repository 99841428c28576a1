"""A real `dalel serve` process for tests that kill it: start, kill -9, start again.

The server runs in its own process group, so a kill -9 takes the tools it started
(ffmpeg of an in-process job) with it, as a crash of the machine's service would.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def dalel(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """`dalel ARGS` in a fresh interpreter (its exit code is the caller's to judge)."""
    return subprocess.run(
        [sys.executable, "-m", "evidence.cli", *args],
        env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


_SETUP = """
import json, sys
from evidence.cli import main
for args in json.loads(sys.argv[1]):
    if main(args) != 0:
        sys.exit("dalel " + " ".join(args) + " failed")
"""


def setup(env: dict[str, str], *commands: tuple[str, ...]) -> None:
    """Several `dalel` commands in one interpreter (every start costs seconds on a
    loaded machine); each must succeed."""
    done = subprocess.run(
        [sys.executable, "-c", _SETUP, json.dumps(commands)],
        env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr


_MANY = """
import contextlib, io, json, sys
from evidence.cli import main
results = []
for args in json.loads(sys.argv[1]):
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        try:
            code = main(args)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
    results.append([code, out.getvalue()])
sys.stdout.write(json.dumps(results))
"""


def run_many(env: dict[str, str], *commands: tuple[str, ...]) -> list[tuple[int, str]]:
    """Several `dalel` commands in one interpreter, in order: (exit code, output) each."""
    done = subprocess.run(
        [sys.executable, "-c", _MANY, json.dumps(commands)],
        env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return [(int(code), str(out)) for code, out in json.loads(done.stdout)]


class Served:
    """`dalel serve` on a free port with `env`; its output goes to `log`."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env = env
        self.log = log
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 90) -> None:
        """Start it and wait until it answers (a loaded 2-core machine starts slowly)."""
        with open(self.log, "ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "evidence.cli", "serve", "--port", str(self.port)],
                env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        deadline = time.monotonic() + timeout
        while True:
            try:
                httpx.get(f"{self.url}/api/v1/ledger/key", timeout=1)
                return
            except httpx.HTTPError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.kill()
                    raise RuntimeError(f"dalel serve did not start:\n{self.tail()}") from None
                time.sleep(0.1)

    def kill(self) -> None:
        """kill -9 of the server and everything it started."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        self.process = None

    def stop(self) -> None:
        """A clean shutdown (SIGTERM), kill -9 if it does not end in time."""
        if self.process is None:
            return
        self.process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=20)
        self.kill()

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""
