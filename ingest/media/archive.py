"""ZIP and TAR unpacking with guards; every refusal is a recorded finding.

A seized archive is evidence: members we do not extract (traversal, links,
encrypted, over a limit) are listed with a reason, never silently dropped. An
archive refused as a whole (unreadable, too many entries) raises ArchiveRejected
before anything is written. Nested archives are not opened here: each extracted
archive becomes a child item and goes through this function again, so the caller
bounds the depth.
"""

from __future__ import annotations

import hashlib
import os
import stat
import tarfile
import zipfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any

from evidence.validation import name_problem
from ingest.errors import ArchiveRejected

_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class Limits:
    max_entries: int = 100_000  # more than this refuses the archive
    max_total_size: int = 64 * 2**30  # bytes written across all members
    max_member_size: int = 32 * 2**30
    max_ratio: float = 200.0  # uncompressed / compressed, per ZIP member and overall
    ratio_floor: int = 2**20  # ratios only count above 1 MiB: tiny files compress wildly


@dataclass(frozen=True, slots=True)
class Member:
    path: str  # relative POSIX path inside the archive, as normalised
    local_path: str
    size: int
    sha256: str
    modified: str | None  # as stored (ZIP: local time without zone; TAR: UTC)


@dataclass(frozen=True, slots=True)
class Rejected:
    path: str  # the name exactly as stored in the archive
    reason: str  # machine code: path_traversal, absolute_path, symlink, hardlink, ...
    detail: str = ""


@dataclass(slots=True)
class ExtractResult:
    format: str
    entries: int
    extracted: list[Member] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    bytes_written: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class _Entry:
    name: str
    kind: str  # file, dir, symlink, hardlink, special
    size: int
    compressed: int | None
    encrypted: bool
    modified: str | None
    link: str = ""
    handle: Any = None


def safe_relative_path(name: str) -> tuple[str | None, str | None]:
    """Normalise an archive member name → (relative path, None) or (None, reason).

    Backslashes count as separators (Windows-made ZIPs); drive letters, leading
    slashes and any '..' component are refused rather than rewritten, because a
    name that tries to escape is itself a finding.
    """
    if not name or "\x00" in name:
        return None, "invalid_name"
    unified = name.replace("\\", "/")
    if unified.startswith("/") or (len(unified) > 1 and unified[1] == ":"):
        return None, "absolute_path"
    parts = [p for p in PurePosixPath(unified).parts if p not in ("", ".")]
    if any(p == ".." for p in parts):
        return None, "path_traversal"
    if not parts:
        return None, "invalid_name"
    if any(len(p.encode("utf-8")) > 255 for p in parts):
        return None, "invalid_name"
    # The vault's one file-name rule (no control or bidirectional characters) holds
    # for members too: such a name is a finding, not a child item.
    if any(name_problem(p) for p in parts):
        return None, "invalid_name"
    return "/".join(parts), None


def _zip_name(info: zipfile.ZipInfo) -> str:
    """Recover names that Windows tools wrote in the OEM code page (cp866 in RU/KZ)."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        raw = info.filename.encode("cp437")
    except UnicodeEncodeError:
        return info.filename
    for encoding in ("utf-8", "cp866"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return info.filename


def _zip_entries(zf: zipfile.ZipFile) -> Iterator[_Entry]:
    for info in zf.infolist():
        mode = info.external_attr >> 16
        kind = "file"
        if info.is_dir():
            kind = "dir"
        elif stat.S_ISLNK(mode):
            kind = "symlink"
        elif mode and not stat.S_ISREG(mode) and stat.S_IFMT(mode):
            kind = "special"
        yield _Entry(
            name=_zip_name(info),
            kind=kind,
            size=info.file_size,
            compressed=info.compress_size,
            encrypted=bool(info.flag_bits & 0x1),
            modified="{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}".format(*info.date_time),
            handle=info,
        )


def _tar_entries(tf: tarfile.TarFile, limit: int) -> Iterator[_Entry]:
    from datetime import UTC, datetime

    for count, info in enumerate(tf, 1):  # streaming: headers are read one at a time
        if count > limit:
            raise ArchiveRejected(f"archive has more than {limit} entries (too_many_entries)")
        kind = "file" if info.isreg() else "dir" if info.isdir() else "special"
        if info.issym():
            kind = "symlink"
        elif info.islnk():
            kind = "hardlink"
        yield _Entry(
            name=info.name,
            kind=kind,
            size=info.size,
            compressed=None,
            encrypted=False,
            modified=datetime.fromtimestamp(info.mtime, UTC).isoformat() if info.mtime else None,
            link=info.linkname,
            handle=info,
        )


def _zip_entry_count(path: Path) -> int | None:
    """Entry count from the end-of-central-directory record, before parsing it all."""
    try:
        with path.open("rb") as fh:
            rec = zipfile._EndRecData(fh)  # type: ignore[attr-defined]
    except OSError:
        return None
    return int(rec[zipfile._ECD_ENTRIES_TOTAL]) if rec else None  # type: ignore[attr-defined]


def extract_archive(
    *, path: Path | str, target: Path | str, limits: Limits | None = None
) -> ExtractResult:
    """Unpack a ZIP or TAR (plain, gz, bz2, xz) into `target` (created; should be empty).

    Returns the extracted members (relative path, local path, size, SHA-256) and the
    rejected ones with reasons. Raises ArchiveRejected when the file is not a
    readable archive or holds more than `limits.max_entries` entries.
    """
    path, target = Path(path), Path(target)
    limits = limits or Limits()
    target.mkdir(parents=True, exist_ok=True)
    archive_size = max(1, path.stat().st_size)
    if zipfile.is_zipfile(path):
        count = _zip_entry_count(path)
        if count is not None and count > limits.max_entries:
            raise ArchiveRejected(
                f"archive has {count} entries, more than {limits.max_entries} (too_many_entries)"
            )
        try:
            with zipfile.ZipFile(path) as zf:
                infos = zf.infolist()
                if len(infos) > limits.max_entries:
                    raise ArchiveRejected(
                        f"archive has {len(infos)} entries, more than {limits.max_entries}"
                        " (too_many_entries)"
                    )
                result = ExtractResult(format="zip", entries=len(infos))
                _extract_all(_zip_entries(zf), zf.open, result, target, limits, archive_size)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as exc:
            raise ArchiveRejected(f"unreadable ZIP: {exc}") from exc
        return result
    result = ExtractResult(format="tar", entries=0)
    try:
        with tarfile.open(path, mode="r:*") as tf:
            entries = _tar_entries(tf, limits.max_entries)
            _extract_all(entries, tf.extractfile, result, target, limits, archive_size)
    except ArchiveRejected:
        # TAR has no central directory: the entry count is known only while reading,
        # so members already written are removed to keep "refused = nothing written".
        for member in result.extracted:
            Path(member.local_path).unlink(missing_ok=True)
        raise
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise ArchiveRejected(f"not a readable ZIP or TAR archive ({exc})") from exc
    return result


def _extract_all(
    entries: Iterator[_Entry],
    opener: Any,
    result: ExtractResult,
    target: Path,
    limits: Limits,
    archive_size: int,
) -> None:
    seen: set[str] = set()
    stop_reason: str | None = None
    root = target.resolve()
    for entry in entries:
        if result.format == "tar":
            result.entries += 1

        def reject(reason: str, detail: str = "", entry: _Entry = entry) -> None:
            result.rejected.append(Rejected(path=entry.name, reason=reason, detail=detail))

        if stop_reason:
            if entry.kind == "file":
                reject(stop_reason, "extraction stopped at an earlier member")
            continue
        rel, problem = safe_relative_path(entry.name)
        if problem or rel is None:
            reject(problem or "invalid_name")
            continue
        if entry.kind == "dir":
            continue
        if entry.kind in {"symlink", "hardlink"}:
            reject(entry.kind, f"link to {entry.link}" if entry.link else "")
            continue
        if entry.kind == "special":
            reject("special_file", "device, FIFO or socket")
            continue
        if entry.encrypted:
            reject("encrypted", "password-protected member; kept inside the archive")
            continue
        if rel in seen:
            reject("duplicate_path", "an earlier member has the same path")
            continue
        if entry.size > limits.max_member_size:
            reject("member_too_large", f"declared {entry.size} bytes")
            continue
        if (
            entry.compressed is not None
            and entry.size > limits.ratio_floor
            and entry.size / max(1, entry.compressed) > limits.max_ratio
        ):
            reject("compression_ratio", f"{entry.size} bytes from {entry.compressed}")
            continue
        if result.bytes_written + entry.size > limits.max_total_size:
            stop_reason = "total_size_limit"
            reject(stop_reason, f"would exceed {limits.max_total_size} bytes")
            continue
        dest = target / rel
        # Defence in depth: a symlink already inside `target` must not lead out.
        if not dest.resolve().is_relative_to(root):
            reject("path_traversal", "resolves outside the target folder")
            continue
        try:
            stream = opener(entry.handle)
        except NotImplementedError as exc:
            # e.g. Deflate64, which Windows Explorer uses for large ZIPs.
            reject("unsupported_compression", str(exc))
            continue
        except (RuntimeError, OSError, EOFError, zipfile.BadZipFile, tarfile.TarError) as exc:
            reject("unreadable", str(exc))
            continue
        outcome = _write_member(stream, dest, entry, result, limits, archive_size)
        if isinstance(outcome, Rejected):
            result.rejected.append(outcome)
            if outcome.reason in {"total_size_limit", "compression_ratio"}:
                stop_reason = outcome.reason
            continue
        seen.add(rel)
        result.extracted.append(Member(rel, str(dest), outcome[0], outcome[1], entry.modified))


def _write_member(
    source: IO[bytes] | None,
    dest: Path,
    entry: _Entry,
    result: ExtractResult,
    limits: Limits,
    archive_size: int,
) -> tuple[int, str] | Rejected:
    """Stream one member to disk, counting real bytes: declared sizes can lie."""
    if source is None:
        return Rejected(entry.name, "unreadable", "no data stream for member")
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        # O_EXCL|O_NOFOLLOW: never write through a link or over an earlier member.
        fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o640)
    except OSError as exc:
        source.close()
        return Rejected(entry.name, "write_error", str(exc))
    digest = hashlib.sha256()
    written = 0
    problem: Rejected | None = None
    try:
        with os.fdopen(fd, "wb") as out, source:
            while block := source.read(_CHUNK):
                written += len(block)
                total = result.bytes_written + written
                if written > max(entry.size, 0) and entry.compressed is not None:
                    problem = Rejected(entry.name, "size_mismatch", "more data than declared")
                elif written > limits.max_member_size:
                    problem = Rejected(entry.name, "member_too_large", f"over {written} bytes")
                elif total > limits.max_total_size:
                    problem = Rejected(entry.name, "total_size_limit", f"over {total} bytes")
                elif total > limits.ratio_floor and total / archive_size > limits.max_ratio:
                    problem = Rejected(
                        entry.name, "compression_ratio", f"{total} bytes from {archive_size}"
                    )
                if problem:
                    break
                digest.update(block)
                out.write(block)
    except (OSError, zipfile.BadZipFile, EOFError, RuntimeError) as exc:
        # RuntimeError: zipfile's "Bad password"/"compression method not supported".
        problem = Rejected(entry.name, "unreadable", str(exc))
    if problem:
        dest.unlink(missing_ok=True)
        return problem
    result.bytes_written += written
    return written, digest.hexdigest()
