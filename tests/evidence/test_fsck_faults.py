"""fsck against tampered rows and crash leftovers (issue 13, findings 1, 2 and 8).

Every test damages the vault the way a person with database or disk access (or a killed
process) would, on SQLite and PostgreSQL, and requires fsck to name the damage by item;
`repair` must remove exactly the stale leftovers and nothing committed.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

from sqlalchemy import text

import custody
from custody import Actor
from evidence.service.fsck import fsck
from evidence.service.fsck_repair import repair
from tests.app_kit import Api


def _store(api: Api):  # type: ignore[no-untyped-def]
    return api.client.app.state.store  # type: ignore[attr-defined]


def _report(api: Api, **kwargs):  # type: ignore[no-untyped-def]
    with api.session() as session:
        return fsck(session=session, store=_store(api), **kwargs)


def test_swapped_item_hashes_are_named(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    case = team["case"]["id"]
    a = api.upload(case, team["officer"], os.urandom(500), name="a.jpg").json()
    b = api.upload(case, team["officer"], os.urandom(500), name="b.jpg").json()
    assert _report(api).ok
    with api.engine.begin() as conn:  # A's row now points at B's bytes and vice versa
        conn.execute(
            text("UPDATE item SET sha256 = CASE id WHEN :a THEN :sb ELSE :sa END "
                 "WHERE id IN (:a, :b)"),
            {"a": a["id"], "b": b["id"], "sa": a["sha256"], "sb": b["sha256"]},
        )  # fmt: skip
    report = _report(api)
    hashes = [f for f in report.findings if f.kind == "item-hash"]
    assert {f.items for f in hashes} == {(a["id"],), (b["id"],)}, report.findings
    assert all("differs from its item.created event" in f.detail for f in hashes)
    assert len(report.findings) == 2 and report.ledger.ok


def test_forged_actor_and_subject_are_flagged(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    item = api.upload(team["case"]["id"], team["officer"], os.urandom(300)).json()
    ghost = Actor(id="00000000-0000-0000-0000-000000000000", name="ghost", role="prosecutor")
    with api.session() as session:
        # Well formed: right `prev`, leaf hash and tree nodes, written by the ledger itself.
        custody.record(
            session=session, action=custody.Action.ITEM_DOWNLOADED, actor=ghost,
            case_id=item["case_id"], item_id=item["id"], sha256=item["sha256"],
        )  # fmt: skip
        custody.record(
            session=session, action=custody.Action.ITEM_CONTENT_READ, actor=custody.SYSTEM,
            item_id="no-such-item",
        )  # fmt: skip
        session.commit()
    messages = [str(p) for p in _report(api).ledger.problems]
    assert len(messages) == 2, messages
    assert f"item {item['id']}: actor 'ghost'" in messages[0]
    assert "is not a user of this system" in messages[0]
    assert "subject item:no-such-item does not exist" in messages[1]


def test_derivative_without_its_input_is_named(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    from evidence import service

    item = api.upload(team["case"]["id"], team["officer"], os.urandom(300)).json()
    with api.session() as session:
        derived = service.register_derivative(
            session=session, store=_store(api), parent_id=item["id"], source=b"proxy bytes",
            name="proxy.mp4", derivative_kind="proxy", derivation={"tool": "t", "version": "1"},
            inputs=["f" * 64],
        )  # fmt: skip
    findings = _report(api).findings
    assert [(f.kind, f.items) for f in findings] == [("derivation", (derived.id,))]
    assert "input " + "f" * 64 + " is not stored" in findings[0].detail


def _age(path: Path, hours: float) -> None:
    stamp = path.stat().st_mtime - hours * 3600
    os.utime(path, (stamp, stamp))


def test_staging_leftovers_and_orphans_are_listed_and_repaired(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    store = _store(api)
    item = api.upload(team["case"]["id"], team["officer"], os.urandom(2000)).json()
    # A writer killed mid-upload (its staging file stays), one a moment ago (in flight),
    # and an object whose database transaction never committed.
    stale, fresh = store.begin_put(), store.begin_put()
    stale.write(os.urandom(4096))
    fresh.write(b"in flight")
    orphan = store.begin_put()
    orphan.write(b"never committed in the database")
    orphan.commit("sha256/ab/cd/" + "abcd" * 16)
    objects = api.settings.data_dir / "objects"
    for path in (objects / ".staging").iterdir():
        if path.stat().st_size == 4096:
            _age(path, 30)
    _age(objects / "sha256/ab/cd" / ("abcd" * 16), 30)
    # The parts of an upload whose session is gone are a leftover; a live one's are not.
    gone = store.begin_parts()
    store.write_part(gone, offset=0, pieces=[b"parts of no session"], size=100)
    _age(objects / gone["name"], 30)
    case_id = team["case"]["id"]
    begun = api.client.post(
        f"/api/v1/cases/{case_id}/uploads", json={"filename": "a.bin", "size": 10},
        headers=team["officer"],
    )  # fmt: skip
    assert begun.status_code == 201
    for path in (objects / ".staging").iterdir():
        if path.name.endswith(".parts") and path.name not in gone["name"]:
            _age(path, 30)  # old, yet its session lives
    report = _report(api)
    kinds = sorted(f.kind for f in report.findings)
    assert kinds == ["leftover", "leftover", "leftover", "orphan-object"], report.findings
    assert any("30 h old" in str(f) or "1 d old" in str(f) for f in report.findings)
    with api.session() as session:
        done = repair(
            session=session, store=store, report=report, older_than=timedelta(hours=24),
        )  # fmt: skip
    assert len(done.removed) == 3 and len(done.kept) == 1 and not done.failed
    after = _report(api)
    assert [f.kind for f in after.findings] == ["leftover"]  # only the one in flight
    assert "in flight" not in str(after.findings)  # names, not contents
    got = api.client.get(f"/api/v1/items/{item['id']}/content", headers=team["officer"])
    assert got.status_code == 200 and len(got.content) == 2000
    (event,) = api.events("storage.repaired")
    assert event[2] is None
    fresh.abort()
    assert _report(api).ok


def test_s3_incomplete_multipart_upload_is_listed_and_aborted(s3_endpoint: str) -> None:
    from minio import Minio

    from evidence.storage import open_store
    from tests.storage_fixtures import s3_url

    url = s3_url(s3_endpoint)
    store = open_store(url)
    writer = store.begin_put()  # killed after its first part: the upload stays open
    writer.write(os.urandom(17 * 1024 * 1024))
    leftovers = list(store.iter_leftovers())
    assert [(left.kind, left.name.startswith("staging/")) for left in leftovers] == [
        ("multipart", True)
    ]
    store.remove_leftover(leftovers[0])
    assert list(store.iter_leftovers()) == []
    bucket = url.split("/")[3].split("?")[0]
    client: Minio = store.client  # type: ignore[attr-defined]
    assert not client._list_multipart_uploads(bucket, prefix="staging/").uploads
