"""Batch upload (issue 21, bulk ingest): a tar of small files, one transaction, all or nothing."""

from __future__ import annotations

import hashlib
import io
import os
import tarfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.app_kit import Api

URL = "/api/v1/cases/{}/items/batch"


def make_tar(
    files: list[tuple[str, bytes]],
    *,
    batch: dict[str, str] | None = None,
    per_file: dict[str, dict[str, str]] | None = None,
    kind: dict[str, bytes] | None = None,
) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(
        fileobj=buffer, mode="w|", format=tarfile.PAX_FORMAT, pax_headers=batch or {}
    ) as archive:
        for name, data in files:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 1_700_000_000
            info.pax_headers = dict((per_file or {}).get(name, {}))
            if kind and name in kind:
                info.type = kind[name]
                info.linkname = "elsewhere"
                info.size = 0
                archive.addfile(info)
                continue
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def post(api: Api, team, body: bytes, who: str = "officer"):  # type: ignore[no-untyped-def]
    return api.client.post(
        URL.format(team["case"]["id"]),
        content=body,
        headers={**team[who], "Content-Type": "application/x-tar"},
    )


def counts(api: Api) -> dict[str, int]:
    with api.engine.connect() as conn:
        return {
            table: int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())  # noqa: S608
            for table in ("item", "blob", "ledger_entry", "item_retention", "job")
        }


def stored_files(api: Api) -> list[Path]:
    """Committed objects and staging leftovers of the local object folder."""
    root = api.settings.data_dir / "objects"
    return [p for p in root.rglob("*") if p.is_file() and ".locks" not in p.parts]


def test_batch_registers_every_file_once_with_metadata(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    earlier = os.urandom(3000)
    assert (
        api.upload(team["case"]["id"], team["officer"], earlier, "earlier.jpg").status_code == 201
    )
    files = [(f"sdcard/DCIM/IMG_{i:03}.jpg", os.urandom(2000 + i)) for i in range(30)]
    files.append(("sdcard/DCIM/copy/IMG_000.jpg", files[0][1]))  # same bytes twice in the batch
    files.append(("sdcard/Download/earlier.jpg", earlier))  # already in the case
    per_file = {
        name: {
            "DALEL.sha256": hashlib.sha256(data).hexdigest(),
            "DALEL.source_modified_at": "2026-10-01T08:30:00+05:00",
        }
        for name, data in files
    }
    before = counts(api)
    response = post(api, team, make_tar(files, batch={"DALEL.source_kind": "phone",
                                                     "DALEL.device": "XRY-7"},
                                        per_file=per_file))  # fmt: skip
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["created"], body["duplicates"]) == (30, 2)
    assert [entry["path"] for entry in body["files"]] == [name for name, _ in files]
    first = body["files"][0]["item"]
    assert first["original_path"] == "sdcard/DCIM/IMG_000.jpg"
    assert first["original_name"] == "IMG_000.jpg"
    assert first["source_kind"] == "phone" and first["device"] == "XRY-7"
    when = datetime.fromisoformat(first["source_modified_at"])
    assert when == datetime(2026, 10, 1, 3, 30, tzinfo=UTC)
    assert first["sha256"] == hashlib.sha256(files[0][1]).hexdigest()
    assert body["files"][30]["item"]["id"] == first["id"] and body["files"][30]["item"]["duplicate"]
    assert body["files"][31]["item"]["duplicate"]
    after = counts(api)
    assert after["item"] - before["item"] == 30
    assert after["blob"] - before["blob"] == 30
    assert after["item_retention"] - before["item_retention"] == 30
    # One event per file: 30 created, 2 repeat uploads on the existing items.
    assert after["ledger_entry"] - before["ledger_entry"] == 32
    created = api.events("item.created")
    assert len(created) == 31 and len({item for _, _, item in created}) == 31
    assert len(api.events("item.duplicate_uploaded")) == 2
    # The batch's events are contiguous in the log: one append for them all.
    indexes = sorted(
        idx for idx, action, _ in api.events() if action in {"item.created",
                                                             "item.duplicate_uploaded"}
    )[1:]  # fmt: skip
    assert indexes == list(range(indexes[0], indexes[0] + 32))
    # The bytes are readable, and the uploads queued their processing like single ones.
    item_id = body["files"][5]["item"]["id"]
    content = api.client.get(f"/api/v1/items/{item_id}/content", headers=team["officer"])
    assert content.content == files[5][1]
    jobs = api.client.get(f"/api/v1/items/{item_id}/jobs", headers=team["officer"])
    assert jobs.status_code == 200 and jobs.json()
    assert not list((api.settings.data_dir / "objects" / ".staging").iterdir())


BAD = {
    "truncated mid-file": lambda files: make_tar(files)[:2500],
    "truncated at a member boundary": lambda files: make_tar(files[:2])[
        : make_tar(files[:2]).rfind(files[1][1]) + len(files[1][1]) + 100
    ],
    "not a tar": lambda files: b"hello" * 300,
    "dot-dot path": lambda files: make_tar([*files, ("dump/../../etc/passwd", b"x")]),
    "absolute path": lambda files: make_tar([*files, ("/etc/passwd", b"x")]),
    "symlink member": lambda files: make_tar(
        [*files, ("dump/link", b"")], kind={"dump/link": tarfile.SYMTYPE}
    ),
    "empty file": lambda files: make_tar([*files, ("dump/empty.txt", b"")]),
    "unknown keyword": lambda files: make_tar(files, batch={"DALEL.colour": "red"}),
    "naive time": lambda files: make_tar(
        files, per_file={files[0][0]: {"DALEL.source_modified_at": "2026-10-01T08:30:00"}}
    ),
    "wrong sha256": lambda files: make_tar(
        files, per_file={files[1][0]: {"DALEL.sha256": "0" * 64}}
    ),
    "too many files": lambda files: make_tar([(f"dump/{i}.bin", os.urandom(10)) for i in range(9)]),
    "too many bytes": lambda files: make_tar([("dump/big.bin", os.urandom(70_000))]),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_batches_keep_nothing(api: Api, team, case: str) -> None:  # type: ignore[no-untyped-def]
    api.settings.batch_max_files = 8
    api.settings.batch_max_bytes = 64 * 1024
    files = [(f"dump/f{i}.bin", os.urandom(3000)) for i in range(3)]
    before, objects = counts(api), stored_files(api)
    response = post(api, team, BAD[case](files))
    assert 400 <= response.status_code < 500, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["detail"]
    assert counts(api) == before
    assert stored_files(api) == objects  # no object, no staging leftover


def test_batch_refuses_non_members_and_non_tar(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    body = make_tar([("a.bin", b"abc")])
    refused = post(api, team, body, who="outsider")
    assert refused.status_code == 403
    assert api.events("access.denied")
    wrong_type = api.client.post(
        URL.format(team["case"]["id"]), content=body, headers={**team["officer"],
                                                              "Content-Type": "text/plain"}
    )  # fmt: skip
    assert wrong_type.status_code == 400
    assert counts(api)["item"] == 0
