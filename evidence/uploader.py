"""The upload client behind `dalel upload`: folders, progress, resume, skip by hash.

It speaks the public REST API, so it runs on any workstation or docking station.
Small files go in one multipart request; large ones use the resumable protocol, whose
session ids are kept in a state file so an interrupted run resumes where it stopped.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from tqdm import tqdm

RESUMABLE_FROM = 64 * 1024 * 1024
CHUNK = 16 * 1024 * 1024


class UploadFailed(Exception):
    """The server refused a file or could not be reached; the message says why."""


@dataclass
class Summary:
    uploaded: int = 0
    skipped: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)


def _problem(response: httpx.Response) -> str:
    try:
        body = response.json()
        return str(body.get("detail") or body.get("title") or response.text)
    except ValueError:
        return response.text or response.reason_phrase


def _check(response: httpx.Response) -> httpx.Response:
    if response.status_code >= 400:
        raise UploadFailed(f"{response.status_code}: {_problem(response)}")
    return response


def iter_files(paths: list[Path]) -> Iterator[tuple[Path, str]]:
    """Files to send with their path relative to the folder given (folders recursively)."""
    for path in paths:
        if path.is_dir():
            for file in sorted(p for p in path.rglob("*") if p.is_file() and not p.is_symlink()):
                yield file, file.relative_to(path.parent).as_posix()
        elif path.is_file():
            yield path, path.name
        else:
            raise UploadFailed(f"{path} does not exist")


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


_STATE_LOCK = threading.Lock()


class StateFile:
    """Resumable session ids by (case, file, size, mtime): safe to delete at any time."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.data: dict[str, str] = json.loads(path.read_text())
        except (FileNotFoundError, ValueError):
            self.data = {}

    @staticmethod
    def key(case_id: str, path: Path) -> str:
        stat = path.stat()
        return f"{case_id}|{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}"

    def save(self) -> None:
        with _STATE_LOCK:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.write_text(json.dumps(self.data, indent=1))


class Uploader:
    """Upload files into one case through the REST API."""

    def __init__(self, client: httpx.Client, *, state: StateFile, metadata: dict[str, Any]):
        self.client = client
        self.state = state
        self.metadata = metadata

    def case_id(self, number: str) -> str:
        cases = _check(self.client.get("/api/v1/cases", params={"number": number})).json()
        return str(cases[0]["id"])

    def known_hashes(self, case_id: str) -> set[str]:
        """Hashes of the case's items visible to the caller, fetched once per run."""
        items = _check(self.client.get(f"/api/v1/cases/{case_id}/items")).json()
        return {str(item["sha256"]) for item in items}

    def send(self, case_id: str, path: Path, relative: str, sha256: str, bar: tqdm) -> None:
        fields = {**self.metadata, "original_path": relative}
        if path.stat().st_size >= RESUMABLE_FROM:
            self._resumable(case_id, path, sha256, fields, bar)
            return
        with open(path, "rb") as handle:
            response = self.client.post(
                f"/api/v1/cases/{case_id}/items",
                data={**fields, "sha256": sha256},
                files={"file": (path.name, handle, "application/octet-stream")},
            )
        _check(response)
        bar.update(path.stat().st_size)

    def _resumable(
        self, case_id: str, path: Path, sha256: str, fields: dict[str, Any], bar: tqdm
    ) -> None:
        key = StateFile.key(case_id, path)
        size = path.stat().st_size
        upload_id = self.state.data.get(key)
        offset = 0
        if upload_id:
            found = self.client.get(f"/api/v1/uploads/{upload_id}")
            if found.status_code == 200:
                offset = int(found.json()["offset"])
            else:
                upload_id = None
        if not upload_id:
            body = {**fields, "filename": path.name, "size": size, "sha256": sha256}
            created = _check(self.client.post(f"/api/v1/cases/{case_id}/uploads", json=body))
            upload_id = str(created.json()["id"])
            self.state.data[key] = upload_id
            self.state.save()
        bar.update(offset)
        with open(path, "rb") as handle:
            handle.seek(offset)
            while block := handle.read(CHUNK):
                sent = self.client.put(
                    f"/api/v1/uploads/{upload_id}",
                    content=block,
                    headers={"Upload-Offset": str(offset)},
                )
                _check(sent)
                offset += len(block)
                bar.update(len(block))
        _check(self.client.post(f"/api/v1/uploads/{upload_id}/finalize", json={"sha256": sha256}))
        del self.state.data[key]
        self.state.save()

    def run(
        self, *, number: str, paths: list[Path], progress: bool = True, jobs: int = 4
    ) -> Summary:
        """Upload every file not yet in the case; `jobs` files travel at once."""
        case_id = self.case_id(number)
        files = list(iter_files(paths))
        known = self.known_hashes(case_id)
        summary = Summary()
        lock = threading.Lock()
        total = sum(path.stat().st_size for path, _ in files)
        with tqdm(total=total, unit="B", unit_scale=True, disable=not progress) as bar:

            def one(entry: tuple[Path, str]) -> None:
                path, relative = entry
                try:
                    sha256 = sha256_file(path)
                    if sha256 in known:
                        with lock:
                            summary.skipped += 1
                        bar.update(path.stat().st_size)
                        return
                    self.send(case_id, path, relative, sha256, bar)
                    with lock:
                        summary.uploaded += 1
                except (UploadFailed, httpx.HTTPError, OSError) as exc:
                    with lock:
                        summary.failed.append((relative, str(exc)))

            with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
                list(pool.map(one, files))
        return summary


def default_state_path() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "dalel" / "uploads.json"
