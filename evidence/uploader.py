"""The upload client behind `dalel upload`: folders, progress, resume, skip by hash.

It speaks the public REST API, so it runs on any workstation or docking station, over
one keep-alive HTTP client shared by `jobs` parallel requests. Files under
`BATCH_BELOW` travel many to a request as a tar (`POST /cases/{id}/items/batch`: one
transaction and one ledger append per request), which is what makes a phone
extraction of tens of thousands of small files fast; a batch cut off by the network
is sent again once the server answers (less what it had already registered). Files up
to `RESUMABLE_FROM` go in one multipart request each; larger ones use the resumable
protocol, whose session ids are kept in a state file so an interrupted run resumes
where it stopped. Files already in the case (by SHA-256) are not sent again.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from tqdm import tqdm

RESUMABLE_FROM = 64 * 1024 * 1024
CHUNK = 16 * 1024 * 1024
# Files under this size go in batches of at most BATCH_FILES files and BATCH_BYTES bytes
# (inside the server's default DALEL_BATCH_MAX_FILES / DALEL_BATCH_MAX_BYTES).
BATCH_BELOW = 4 * 1024 * 1024
BATCH_FILES = 500
BATCH_BYTES = 32 * 1024 * 1024
# A batch the network or an overloaded server cut off is tried again this long.
RETRY_SECONDS = 120.0
# Batch fields that go in the tar's global pax header (the same names as the form's).
_BATCH_FIELDS = (
    "source_kind", "device", "captured_at", "collected_at", "collected_by", "location",
    "description",
)  # fmt: skip


class UploadFailed(Exception):
    """The server refused a file or could not be reached; the message says why."""


@dataclass
class Summary:
    """What a run did: files registered, files already in the case, failures with why."""

    uploaded: int = 0
    skipped: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def add(self, *, uploaded: int = 0, skipped: int = 0) -> None:
        with self.lock:
            self.uploaded += uploaded
            self.skipped += skipped

    def fail(self, name: str, reason: str) -> None:
        with self.lock:
            self.failed.append((name, reason))


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


def iter_files(paths: list[Path], *, inside: bool = False) -> Iterator[tuple[Path, str]]:
    """Files to send with their path relative to the folder given (folders recursively):
    the folder's name first, or with `inside` (an extraction) the path within it."""
    for path in paths:
        if path.is_dir():
            base = path if inside else path.parent
            for file in sorted(p for p in path.rglob("*") if p.is_file() and not p.is_symlink()):
                yield file, file.relative_to(base).as_posix()
        elif path.is_file():
            yield path, path.name
        else:
            raise UploadFailed(f"{path} does not exist")


def modified_at(stat: os.stat_result) -> str:
    """A file's modification time as ISO 8601 in UTC (`source_modified_at`)."""
    return datetime.fromtimestamp(stat.st_mtime_ns / 1e9, UTC).isoformat()


@dataclass(frozen=True, slots=True)
class LocalFile:
    path: Path
    relative: str
    size: int
    modified: str | None  # kept as `source_modified_at` (an extraction's file times)


def _transient(exc: BaseException | None, response: httpx.Response | None) -> bool:
    """A failure worth waiting out: the server unreachable or cut off mid-answer, or
    busy (503) or rate-limited (429)."""
    if exc is not None:
        return isinstance(exc, httpx.TransportError)
    return response is not None and response.status_code in {429, 502, 503, 504}


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

    def send(
        self, case_id: str, path: Path, relative: str, sha256: str, bar: tqdm,
        modified: str | None = None,
    ) -> bool:  # fmt: skip
        """Send one file (multipart, or resumable when large); True when it was new."""
        fields = {**self.metadata, "original_path": relative}
        if modified:
            fields["source_modified_at"] = modified
        if path.stat().st_size >= RESUMABLE_FROM:
            return self._resumable(case_id, path, sha256, fields, bar)
        with open(path, "rb") as handle:
            response = self.client.post(
                f"/api/v1/cases/{case_id}/items",
                data={**fields, "sha256": sha256},
                files={"file": (path.name, handle, "application/octet-stream")},
            )
        _check(response)
        bar.update(path.stat().st_size)
        return not response.json().get("duplicate")

    def _resumable(
        self, case_id: str, path: Path, sha256: str, fields: dict[str, Any], bar: tqdm
    ) -> bool:
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
        done = self.client.post(f"/api/v1/uploads/{upload_id}/finalize", json={"sha256": sha256})
        _check(done)
        del self.state.data[key]
        self.state.save()
        return not done.json().get("duplicate")

    def run(
        self,
        *,
        number: str,
        paths: list[Path],
        progress: bool = True,
        jobs: int = 4,
        extraction: bool = False,
    ) -> Summary:
        """Upload every file not yet in the case; `jobs` requests travel at once.

        `extraction`: `paths` are the folders of a device extraction, whose files keep
        their path inside it and their modification times (`source_modified_at`).
        """
        case_id = self.case_id(number)
        files = []
        for path, relative in iter_files(paths, inside=extraction):
            stat = path.stat()
            files.append(LocalFile(path, relative, stat.st_size,
                                   modified_at(stat) if extraction else None))  # fmt: skip
        known = self.known_hashes(case_id)
        summary = Summary()
        below = min(BATCH_BELOW, RESUMABLE_FROM)
        small = [f for f in files if 0 < f.size < below]  # empty ones get the server's answer
        single = [f for f in files if not 0 < f.size < below]
        with tqdm(total=sum(f.size for f in files), unit="B", unit_scale=True,
                  disable=not progress) as bar:  # fmt: skip
            batches = _group(small)
            sender = _BatchSender(self, case_id, known, summary, bar)

            def one(entry: LocalFile) -> None:
                try:
                    sha256 = sha256_file(entry.path)
                    if sha256 in known:
                        summary.add(skipped=1)
                        bar.update(entry.size)
                        return
                    new = self.send(case_id, entry.path, entry.relative, sha256, bar,
                                    entry.modified)  # fmt: skip
                    summary.add(uploaded=int(new), skipped=int(not new))
                except (UploadFailed, httpx.HTTPError, OSError) as exc:
                    summary.fail(entry.relative, str(exc))

            with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
                work = [pool.submit(sender.send, batch) for batch in batches]
                work += [pool.submit(one, entry) for entry in single]
                for future in work:
                    future.result()
        return summary


def _group(files: list[LocalFile]) -> list[list[LocalFile]]:
    """Consecutive files in batches within BATCH_FILES and BATCH_BYTES."""
    batches: list[list[LocalFile]] = []
    current: list[LocalFile] = []
    size = 0
    for entry in files:
        if current and (len(current) >= BATCH_FILES or size + entry.size > BATCH_BYTES):
            batches.append(current)
            current, size = [], 0
        current.append(entry)
        size += entry.size
    if current:
        batches.append(current)
    return batches


class _BatchSender:
    """Sends batches of small files: read once (hashed while read), files already in the
    case left out, the rest as one tar per request; waits out a network cut or a busy
    server, then sends again only what the server had not registered."""

    def __init__(
        self, uploader: Uploader, case_id: str, known: set[str], summary: Summary, bar: tqdm
    ) -> None:
        self.uploader = uploader
        self.client = uploader.client
        self.case_id = case_id
        self.known = known  # hashes in the case before the run
        self.summary = summary
        self.bar = bar
        self.batch_fields = {
            f"DALEL.{name}": str(value)
            for name, value in uploader.metadata.items()
            if name in _BATCH_FIELDS and value
        }

    def send(self, batch: list[LocalFile]) -> None:
        entries: list[tuple[LocalFile, bytes, str]] = []
        for entry in batch:
            try:
                data = entry.path.read_bytes()
            except OSError as exc:
                self.summary.fail(entry.relative, str(exc))
                continue
            sha256 = hashlib.sha256(data).hexdigest()
            if sha256 in self.known:
                self.summary.add(skipped=1)
                self.bar.update(entry.size)
                continue
            entries.append((entry, data, sha256))
        deadline = time.monotonic() + RETRY_SECONDS
        delay = 0.5
        while entries:
            try:
                response: httpx.Response | None = self._post(entries)
                error: BaseException | None = None
            except httpx.HTTPError as exc:
                response, error = None, exc
            if response is not None and response.status_code < 400:
                self._done(entries, response.json())
                return
            if not _transient(error, response) or time.monotonic() > deadline:
                self._refused(entries, error, response)
                return
            time.sleep(delay)
            delay = min(delay * 2, 5.0)
            entries = self._still_missing(entries)

    def _post(self, entries: list[tuple[LocalFile, bytes, str]]) -> httpx.Response:
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT,
                          pax_headers=self.batch_fields) as archive:  # fmt: skip
            for entry, data, sha256 in entries:
                info = tarfile.TarInfo(entry.relative)
                info.size = len(data)
                info.mode = 0o644
                info.pax_headers = {"DALEL.sha256": sha256}
                if entry.modified:
                    info.mtime = entry.path.stat().st_mtime
                    info.pax_headers["DALEL.source_modified_at"] = entry.modified
                archive.addfile(info, io.BytesIO(data))
        return self.client.post(
            f"/api/v1/cases/{self.case_id}/items/batch",
            content=buffer.getvalue(),
            headers={"Content-Type": "application/x-tar"},
        )

    def _done(self, entries: list[tuple[LocalFile, bytes, str]], body: dict[str, Any]) -> None:
        duplicates = sum(1 for file in body["files"] if file["item"]["duplicate"])
        self.summary.add(uploaded=len(entries) - duplicates, skipped=duplicates)
        self.bar.update(sum(entry.size for entry, _, _ in entries))

    def _refused(
        self,
        entries: list[tuple[LocalFile, bytes, str]],
        error: BaseException | None,
        response: httpx.Response | None,
    ) -> None:
        """A batch the server refused: when the refusal is about the files (one bad
        name refuses the whole batch), each is sent alone for its own answer."""
        if response is not None and response.status_code in {400, 413, 422}:
            for entry, _, sha256 in entries:
                try:
                    new = self.uploader.send(self.case_id, entry.path, entry.relative, sha256,
                                             self.bar, entry.modified)  # fmt: skip
                    self.summary.add(uploaded=int(new), skipped=int(not new))
                except (UploadFailed, httpx.HTTPError, OSError) as exc:
                    self.summary.fail(entry.relative, str(exc))
            return
        if error is not None or response is None:
            reason = str(error)
        else:
            reason = f"{response.status_code}: {_problem(response)}"
        for entry, _, _ in entries:
            self.summary.fail(entry.relative, reason)

    def _still_missing(
        self, entries: list[tuple[LocalFile, bytes, str]]
    ) -> list[tuple[LocalFile, bytes, str]]:
        """The entries the server has not registered: a batch whose answer was lost may
        have been committed, and sending it again would record every file twice."""
        try:
            present = self.uploader.known_hashes(self.case_id)
        except (UploadFailed, httpx.HTTPError):
            return entries  # still unreachable: send all again after the next pause
        missing = []
        for entry in entries:
            if entry[2] in present:
                self.summary.add(uploaded=1)
                self.bar.update(entry[0].size)
            else:
                missing.append(entry)
        return missing


def default_state_path() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "dalel" / "uploads.json"
