"""A phone dump on disk and a `dalel serve` that can be killed and started again on its
port (bulk upload test and benchmark)."""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.app_kit import PASSWORD
from tests.evidence.conftest import dalel
from tests.storage_fixtures import free_port

CASE = "202611210000777"
SETUP = """
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


def make_dump(root: Path, *, files: int, size: int, duplicates: float = 0.0) -> dict[str, bytes]:
    """`files` files of `size` bytes in a few folders, a share of them copies of others
    (the same photo saved twice), each with its own modification time."""
    rng = random.Random(21)
    copies = int(files * duplicates)
    contents: dict[str, bytes] = {}
    folders = ["DCIM/Camera", "WhatsApp/Media/Images", "Telegram/Documents", "Download"]
    for i in range(files - copies):
        rel = f"sdcard/{folders[i % len(folders)]}/IMG_{i:05}.jpg"
        contents[rel] = os.urandom(size)
    originals = list(contents)
    for i in range(copies):
        contents[f"sdcard/Backup/copy_{i:04}.jpg"] = contents[rng.choice(originals)]
    for n, (rel, data) in enumerate(contents.items()):
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        os.utime(path, ns=(1_780_000_000_000_000_000 + n * 1_000_000_000,) * 2)
    return contents


class Server:
    """`dalel serve` on a fixed port over one data folder (SQLite, local objects)."""

    def __init__(self, tmp_path: Path, extra: dict[str, str] | None = None) -> None:
        self.env = {
            **os.environ,
            "DALEL_DATA_DIR": str(tmp_path / "var"),
            "DALEL_PASSWORD": PASSWORD,
            **(extra or {}),
        }
        self.env.pop("DALEL_DATABASE_URL", None)
        self.env.pop("DALEL_STORAGE_URL", None)
        setup = subprocess.run(
            [sys.executable, "-c", SETUP], env=self.env, capture_output=True, text=True
        )
        assert setup.returncode == 0, setup.stdout + setup.stderr
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.database = tmp_path / "var" / "dalel.sqlite3"
        self.process: subprocess.Popen[bytes] | None = None
        self.start()
        token = httpx.post(
            f"{self.url}/api/v1/auth/token", data={"username": "aigerim", "password": PASSWORD}
        ).json()["access_token"]
        self.headers = {"Authorization": f"Bearer {token}"}
        self.case_id = httpx.get(
            f"{self.url}/api/v1/cases", params={"number": CASE}, headers=self.headers
        ).json()[0]["id"]
        added = httpx.post(
            f"{self.url}/api/v1/cases/{self.case_id}/members",
            json={"username": "olzhas"},
            headers=self.headers,
        )
        assert added.status_code == 201, added.text

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "evidence.cli", "serve", "--port", str(self.port)],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 120  # a loaded 2-core machine starts slowly
        while True:
            try:
                httpx.get(f"{self.url}/api/v1/openapi.json", timeout=1)
                return
            except httpx.HTTPError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.process.kill()
                    raise RuntimeError("dalel serve did not start") from None
                time.sleep(0.2)

    def kill(self) -> None:
        """The network cut: the process dies at once, mid-request."""
        assert self.process is not None
        self.process.kill()
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def count(self, sql: str) -> int:
        with sqlite3.connect(f"file:{self.database}?mode=ro", uri=True, timeout=30) as db:
            return int(db.execute(sql).fetchone()[0])

    def upload_command(self, *args: str) -> list[str]:
        return [
            sys.executable, "-m", "evidence.cli", "upload", "--case", CASE,
            "--server", self.url, "--quiet", *args,
        ]  # fmt: skip

    def client_env(self, tmp_path: Path) -> dict[str, str]:
        return {**self.env, "DALEL_USER": "olzhas", "XDG_STATE_HOME": str(tmp_path / "state")}


def run_cli(server: Server, env: dict[str, str], *args: str) -> str:
    result = dalel(env, "upload", "--case", CASE, "--server", server.url, "--quiet", *args)
    return result.stdout


def copy_and_hash_seconds(folder: Path, target: Path) -> float:
    """The baseline: `cp -r` of the folder plus `sha256sum` of every file in it."""
    start = time.perf_counter()
    subprocess.run(["cp", "-r", str(folder), str(target)], check=True)
    subprocess.run(
        ["find", str(folder), "-type", "f", "-exec", "sha256sum", "{}", "+"],
        stdout=subprocess.DEVNULL,
        check=True,
    )
    elapsed = time.perf_counter() - start
    shutil.rmtree(target)
    return elapsed
