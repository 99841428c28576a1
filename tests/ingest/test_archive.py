"""Adversarial archives built on the spot: every refusal comes back with a reason."""

from __future__ import annotations

import hashlib
import io
import os
import struct
import subprocess
import tarfile
import zipfile
from pathlib import Path

import pytest

from ingest.errors import ArchiveRejected
from ingest.media.archive import ExtractResult, Limits, extract_archive, safe_relative_path


def reasons(result: ExtractResult) -> dict[str, str]:
    return {r.path: r.reason for r in result.rejected}


def test_plain_zip_and_tar_extract_with_hashes(tmp_path: Path) -> None:
    payload = "Протокол осмотра".encode()
    z = tmp_path / "ok.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("docs/протокол.txt", payload)
        zf.writestr("docs/", "")
        zf.writestr("photo.jpg", b"\xff\xd8\xff" + b"1" * 100)
    result = extract_archive(path=z, target=tmp_path / "z")
    assert result.format == "zip" and result.entries == 3 and result.rejected == []
    by_path = {m.path: m for m in result.extracted}
    member = by_path["docs/протокол.txt"]
    assert Path(member.local_path).read_bytes() == payload
    assert member.sha256 == hashlib.sha256(payload).hexdigest() and member.size == len(payload)
    assert result.bytes_written == len(payload) + 103

    t = tmp_path / "ok.tar.xz"
    with tarfile.open(t, "w:xz") as tf:
        info = tarfile.TarInfo("a/b.txt")
        info.size, info.mtime = 3, 1_700_000_000
        tf.addfile(info, io.BytesIO(b"abc"))
    result = extract_archive(path=t, target=tmp_path / "t")
    assert result.format == "tar" and [m.path for m in result.extracted] == ["a/b.txt"]
    assert result.extracted[0].modified == "2023-11-14T22:13:20+00:00"


def test_zip_traversal_absolute_and_links(tmp_path: Path) -> None:
    z = tmp_path / "evil.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("../../escape.txt", "x")
        zf.writestr("ok/../../escape2.txt", "x")
        zf.writestr("/etc/cron.d/evil", "x")
        zf.writestr("C:\\Windows\\evil.dll", "x")
        zf.writestr("..\\windows-style.txt", "x")
        link = zipfile.ZipInfo("link-to-passwd")
        link.external_attr = 0o120777 << 16  # what `zip --symlinks` writes
        zf.writestr(link, "/etc/passwd")
        zf.writestr("fine.txt", "fine")
    target = tmp_path / "out"
    result = extract_archive(path=z, target=target)
    assert reasons(result) == {
        "../../escape.txt": "path_traversal",
        "ok/../../escape2.txt": "path_traversal",
        "/etc/cron.d/evil": "absolute_path",
        "C:\\Windows\\evil.dll": "absolute_path",
        "..\\windows-style.txt": "path_traversal",
        "link-to-passwd": "symlink",
    }
    assert [m.path for m in result.extracted] == ["fine.txt"]
    assert not (tmp_path / "escape.txt").exists()
    assert sorted(p.name for p in target.rglob("*")) == ["fine.txt"]


def test_tar_links_devices_and_traversal(tmp_path: Path) -> None:
    t = tmp_path / "evil.tar.gz"
    with tarfile.open(t, "w:gz") as tf:
        for name, kind, link in [
            ("sym", tarfile.SYMTYPE, "/etc/shadow"),
            ("hard", tarfile.LNKTYPE, "sym"),
            ("fifo", tarfile.FIFOTYPE, ""),
            ("dev", tarfile.CHRTYPE, ""),
        ]:
            info = tarfile.TarInfo(name)
            info.type, info.linkname = kind, link
            tf.addfile(info)
        for name in ("../up.txt", "/abs.txt", "good.txt"):
            info = tarfile.TarInfo(name)
            info.size = 2
            tf.addfile(info, io.BytesIO(b"hi"))
    result = extract_archive(path=t, target=tmp_path / "out")
    assert reasons(result) == {
        "sym": "symlink",
        "hard": "hardlink",
        "fifo": "special_file",
        "dev": "special_file",
        "../up.txt": "path_traversal",
        "/abs.txt": "absolute_path",
    }
    assert [r.detail for r in result.rejected if r.reason == "symlink"] == ["link to /etc/shadow"]
    assert [m.path for m in result.extracted] == ["good.txt"]


def test_encrypted_members_are_recorded(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("пароль")
    plain = tmp_path / "plain.txt"
    plain.write_text("open")
    z = tmp_path / "enc.zip"
    # A real ZipCrypto archive from Info-ZIP, as a suspect's phone or PC would make it.
    subprocess.run(["zip", "-q", "-j", "-P", "s3cret", z, secret], check=True, timeout=60)
    subprocess.run(["zip", "-q", "-j", z, plain], check=True, timeout=60)
    result = extract_archive(path=z, target=tmp_path / "out")
    assert reasons(result) == {"secret.txt": "encrypted"}
    assert [m.path for m in result.extracted] == ["plain.txt"]


def test_zip_bomb_by_ratio(tmp_path: Path) -> None:
    z = tmp_path / "bomb.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("zeros.bin", bytes(20 * 2**20))  # 20 MiB → ~20 KiB
        zf.writestr("note.txt", "normal text " * 100)
    result = extract_archive(path=z, target=tmp_path / "out")
    assert reasons(result) == {"zeros.bin": "compression_ratio"}
    assert "bytes from" in result.rejected[0].detail
    assert [m.path for m in result.extracted] == ["note.txt"]


def test_zip_that_lies_about_sizes(tmp_path: Path) -> None:
    """Declared sizes are patched down to 10 bytes; the real stream is 3 MiB."""
    z = tmp_path / "liar.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("big.bin", os.urandom(3 * 2**20))
    data = bytearray(z.read_bytes())
    cd = data.rfind(b"PK\x01\x02")
    struct.pack_into("<I", data, cd + 24, 10)  # central directory: uncompressed size
    z.write_bytes(bytes(data))
    result = extract_archive(path=z, target=tmp_path / "out")
    assert [r.reason for r in result.rejected] in (["size_mismatch"], ["unreadable"])
    assert result.extracted == [] and not (tmp_path / "out" / "big.bin").exists()


def test_tar_gz_bomb_stops_on_overall_ratio(tmp_path: Path) -> None:
    t = tmp_path / "bomb.tar.gz"
    with tarfile.open(t, "w:gz", compresslevel=9) as tf:
        for i in range(3):
            info = tarfile.TarInfo(f"zeros-{i}.bin")
            info.size = 8 * 2**20
            tf.addfile(info, io.BytesIO(bytes(info.size)))
    result = extract_archive(path=t, target=tmp_path / "out")
    assert result.extracted == []
    assert {r.reason for r in result.rejected} == {"compression_ratio"}
    assert len(result.rejected) == 3  # the rest is listed, not silently skipped
    assert list((tmp_path / "out").iterdir()) == []


def test_total_and_member_size_limits(tmp_path: Path) -> None:
    z = tmp_path / "many.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for i in range(5):
            zf.writestr(f"f{i}.bin", os.urandom(1000))
    limits = Limits(max_total_size=2500, max_member_size=10_000)
    result = extract_archive(path=z, target=tmp_path / "a", limits=limits)
    assert [m.path for m in result.extracted] == ["f0.bin", "f1.bin"]
    assert [r.reason for r in result.rejected] == ["total_size_limit"] * 3
    result = extract_archive(path=z, target=tmp_path / "b", limits=Limits(max_member_size=999))
    assert {r.reason for r in result.rejected} == {"member_too_large"}


def test_more_than_100k_entries_is_refused_before_writing(tmp_path: Path) -> None:
    z = tmp_path / "flood.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for i in range(100_001):
            zf.writestr(f"{i}", b"")
    with pytest.raises(ArchiveRejected, match="too_many_entries"):
        extract_archive(path=z, target=tmp_path / "out")
    assert list((tmp_path / "out").iterdir()) == []


def test_tar_entry_flood_leaves_nothing_behind(tmp_path: Path) -> None:
    t = tmp_path / "flood.tar"
    with tarfile.open(t, "w") as tf:
        for i in range(30):
            info = tarfile.TarInfo(f"{i}.txt")
            info.size = 1
            tf.addfile(info, io.BytesIO(b"x"))
    with pytest.raises(ArchiveRejected, match="more than 20"):
        extract_archive(path=t, target=tmp_path / "out", limits=Limits(max_entries=20))
    assert [p for p in (tmp_path / "out").rglob("*") if p.is_file()] == []


def test_duplicates_and_cp866_names(tmp_path: Path) -> None:
    z = tmp_path / "dup.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("a.txt", "first")
        with pytest.warns(UserWarning, match="Duplicate name"):
            zf.writestr("a.txt", "second")
        # Windows Explorer in a Russian locale writes names in cp866 without the UTF-8 flag.
        info = zipfile.ZipInfo("x")
        zf.writestr(info, "cp866")
    data = bytearray(z.read_bytes())
    # Patch the last member's name "x" to cp866 "д" (0xA4) in both headers.
    for sig in (b"PK\x03\x04", b"PK\x01\x02"):
        pos = data.rfind(sig)
        name_at = pos + (30 if sig == b"PK\x03\x04" else 46)
        assert data[name_at : name_at + 1] == b"x"
        data[name_at] = 0xA4
    z.write_bytes(bytes(data))
    result = extract_archive(path=z, target=tmp_path / "out")
    assert reasons(result) == {"a.txt": "duplicate_path"}
    assert Path(result.extracted[0].local_path).read_text() == "first"
    assert [m.path for m in result.extracted] == ["a.txt", "д"]


def test_not_an_archive(tmp_path: Path) -> None:
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"PK\x03\x04 this is not really a zip")
    with pytest.raises(ArchiveRejected):
        extract_archive(path=junk, target=tmp_path / "out")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("a/b/c.txt", ("a/b/c.txt", None)),
        ("./a//b", ("a/b", None)),
        ("a\\b.txt", ("a/b.txt", None)),
        ("../x", (None, "path_traversal")),
        ("/x", (None, "absolute_path")),
        ("D:/x", (None, "absolute_path")),
        ("", (None, "invalid_name")),
        ("a\x00b", (None, "invalid_name")),
        ("x" * 300, (None, "invalid_name")),
    ],
)
def test_safe_relative_path(name: str, expected: tuple[str | None, str | None]) -> None:
    assert safe_relative_path(name) == expected


def test_unsupported_compression_is_recorded(tmp_path: Path) -> None:
    """Deflate64 (method 9), as Windows Explorer writes large ZIPs: zipfile cannot read it."""
    z = tmp_path / "deflate64.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("big.txt", "x" * 100)
        zf.writestr("ok.txt", "fine")
    data = bytearray(z.read_bytes())
    for sig, method_at in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):
        pos = data.find(sig)  # the first member in each header list is big.txt
        struct.pack_into("<H", data, pos + method_at, 9)
    z.write_bytes(bytes(data))
    result = extract_archive(path=z, target=tmp_path / "out")
    assert reasons(result) == {"big.txt": "unsupported_compression"}
    assert [m.path for m in result.extracted] == ["ok.txt"]
