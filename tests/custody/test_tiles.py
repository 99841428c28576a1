"""C2SP tlog-tiles: paths, tiles against a recomputed tree (Hypothesis), and the tiles a
client fetches over HTTP against the RFC 9162 vectors of transparency-dev/merkle."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, insert, text
from sqlmodel import Session, SQLModel

from custody import SYSTEM, Action, NewEvent, merkle, record_many, tree
from custody.errors import CustodyNotFound
from custody.models import LedgerEntry, LedgerNode
from custody.tiles import (
    TILE_WIDTH,
    TileRef,
    encode_index,
    parse_tile_path,
    split_tile,
    tile_fetcher,
    tile_for,
    tile_hashes,
)
from evidence.app import create_app, load_all_models
from evidence.config import Settings
from evidence.db import make_engine
from evidence.migrations import upgrade
from evidence.service import LedgerConfig
from tests.custody.vectors import VECTORS, require_vectors

# The RFC 6962 reference leaves (transparency-dev/merkle testonly): the vectors' trees.
REFERENCE_LEAVES = [
    bytes.fromhex(h)
    for h in (
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    )
]
BIG = 70_000  # the size c2sp.org/tlog-tiles uses as its example
_LEAF_HASHES = "SELECT leaf_hash FROM ledger_entry ORDER BY idx"


# ---- paths --------------------------------------------------------------------------------


def test_paths_as_the_spec_writes_them() -> None:
    assert encode_index(1234067) == "x001/x234/067"
    assert (
        encode_index(0) == "000" and encode_index(999) == "999" and encode_index(1000) == "x001/000"
    )
    assert parse_tile_path("tile/0/x001/x234/067") == TileRef(level=0, index=1234067)
    assert parse_tile_path("1/005.p/17") == TileRef(level=1, index=5, width=17)
    assert TileRef(level=2, index=1234, width=1).path() == "tile/2/x001/234.p/1"
    for bad in (
        "entries/000",  # entry bundles: leaf bytes are not public
        "tile/entries/000.p/3",
        "0/x000/005",  # not canonical: one URL per tile
        "0/5",
        "00/000",
        "64/000",
        "0/000.p/256",
        "0/000.p/0",
        "0/000.p/07",
        "0/x01/000",
        "0/000/",
        "0",
        "-1/000",
    ):
        with pytest.raises(CustodyNotFound):
            parse_tile_path(bad)


@given(level=st.integers(0, 63), index=st.integers(0, 2**56), width=st.integers(1, 256))
def test_paths_round_trip(level: int, index: int, width: int) -> None:
    ref = TileRef(level=level, index=index, width=width)
    assert parse_tile_path(ref.path()) == ref


def test_the_spec_example_of_a_70000_entry_tree() -> None:
    """273 full level-0 tiles, a partial of width 112, a full level-1 tile, a partial of 17,
    and a level-2 tile of width 1."""
    size = BIG
    assert tile_for(0, 272 * 256, size) == TileRef(0, 272)
    assert tile_for(0, 273 * 256, size) == TileRef(0, 273, 112)
    assert tile_for(1, 0, size) == TileRef(1, 0)
    assert tile_for(1, 256, size) == TileRef(1, 1, 17)
    assert tile_for(2, 0, size) == TileRef(2, 0, 1)
    assert tile_for(1, 0, 256) == TileRef(1, 0, 1)  # a tree of 256: full level 0, level 1 of 1


# ---- tiles from storage against the tree recomputed in memory -----------------------------


@pytest.fixture(scope="module")
def big_log(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Engine, list[bytes]]]:
    """A log of 70,000 real (salted) events on SQLite, appended in batches."""
    load_all_models()
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('tiles') / 'log.sqlite3'}")
    SQLModel.metadata.create_all(engine)
    with Session(engine) as session:
        for start in range(0, BIG, 10_000):
            events = [
                NewEvent(action=Action.ITEM_CONTENT_READ, actor=SYSTEM, item_id=f"i{i % 97}")
                for i in range(start, min(start + 10_000, BIG))
            ]
            record_many(session=session, events=events)
            session.commit()
        leaves = [bytes(h) for h in session.execute(text(_LEAF_HASHES)).scalars()]
    yield engine, leaves
    engine.dispose()


def _expected_tile(leaves: list[bytes], ref: TileRef) -> bytes:
    span = TILE_WIDTH**ref.level
    first = ref.index * TILE_WIDTH
    return b"".join(
        merkle.root_from_leaf_hashes(leaves[(first + i) * span : (first + i + 1) * span])
        for i in range(ref.width)
    )


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_tiles_equal_the_recomputed_tree(
    big_log: tuple[Engine, list[bytes]], data: st.DataObject
) -> None:
    engine, leaves = big_log
    size = data.draw(st.integers(1, BIG) | st.sampled_from([1, 255, 256, 257, 65535, 65536, BIG]))
    level = data.draw(st.integers(0, 2))
    nodes_at_level = size >> (8 * level)
    if nodes_at_level == 0:
        return
    node = data.draw(st.integers(0, nodes_at_level - 1))
    ref = tile_for(level, node, size)
    with Session(engine) as session:
        got = tile_hashes(session=session, ref=ref, size=size)
        assert got == _expected_tile(leaves, ref)
        assert len(split_tile(got)) == ref.width
        # Wider than what exists at this size: not served (it would not be immutable).
        if ref.partial:
            with pytest.raises(CustodyNotFound):
                tile_hashes(
                    session=session, ref=TileRef(level, ref.index, ref.width + 1), size=size
                )
        # A client computes the same root and proofs from tiles as the log from storage.
        fetch = tile_fetcher(lambda r: tile_hashes(session=session, ref=r, size=size), size)
        assert merkle.root_hash(size, fetch) == merkle.root_from_leaf_hashes(leaves[:size])
        index = data.draw(st.integers(0, size - 1))
        assert merkle.inclusion_proof(index, size, fetch) == tree.inclusion_proof_at(
            session=session, index=index, size=size
        )
        first = data.draw(st.integers(1, size))
        assert merkle.consistency_proof(first, size, fetch) == merkle.consistency_proof(
            first, size, tree.node_fetcher(session)
        )


# ---- over HTTP, against the RFC 9162 vectors ----------------------------------------------


def _vectors(kind: str) -> list[dict]:  # type: ignore[type-arg]
    require_vectors()
    folder = VECTORS / kind
    # `single-entry` and `additional` vectors are about other trees (arbitrary roots and
    # leaves); the numbered folders are all about the tree of the RFC 6962 reference leaves.
    paths = [p for p in sorted(folder.rglob("*.json")) if p.parent.name.isdigit()]
    assert len(paths) > 20, f"too few vectors in {folder}: the test would prove little"
    return [json.loads(p.read_text()) for p in paths]


def _b64(value: str | None) -> bytes:
    return base64.b64decode(value or "")


@pytest.fixture()
def reference_log(tmp_path: Path) -> Iterator[TestClient]:
    """The application serving a log whose leaves are the RFC 6962 reference leaves."""
    url = f"sqlite:///{tmp_path / 'dalel.sqlite3'}"
    upgrade(url)
    settings_ = Settings(data_dir=tmp_path, database_url=url, checkpoint_interval_seconds=0)
    app = create_app(settings_)
    now = datetime.now(UTC)
    hashes = [merkle.hash_leaf(leaf) for leaf in REFERENCE_LEAVES]
    with Session(app.state.engine) as session:
        session.execute(
            insert(LedgerEntry),
            [
                {"idx": i, "leaf": leaf, "leaf_hash": h, "subject": "system", "action": "test",
                 "appended_at": now}
                for i, (leaf, h) in enumerate(zip(REFERENCE_LEAVES, hashes, strict=True))
            ],
        )  # fmt: skip
        nodes = merkle.completed_nodes(0, [], hashes)
        session.execute(
            insert(LedgerNode),
            [{"level": lv, "idx": ix, "hash": h} for (lv, ix), h in nodes if lv > 0],
        )
        session.commit()
        # The reference leaves are not custody events, which the log's signer (it checks
        # every entry it signs) refuses: the fixture signs their tree's root itself.
        _sign_unchecked(session, LedgerConfig.from_settings(settings_), len(hashes))
    with TestClient(app) as client:
        yield client


def _sign_unchecked(session: Session, ledger: LedgerConfig, size: int) -> None:
    from custody.checkpoint import CheckpointBody
    from custody.keys import load_keys
    from custody.models import Checkpoint, LedgerKey
    from custody.note import sign_note

    keys = load_keys(key_dir=ledger.key_dir, name=ledger.origin)
    root = tree.root_at(session=session, size=size)
    body = CheckpointBody(origin=ledger.origin, size=size, root=root).text()
    now = datetime.now(UTC)
    for verifier in keys.verifiers:
        session.add(
            LedgerKey(key_id=verifier.key_id.hex(), name=verifier.name, verifier=str(verifier),
                      created_at=now)
        )  # fmt: skip
    note = sign_note(body, keys.signers)
    session.add(Checkpoint(size=size, root_hash=root, note=note, created_at=now))
    session.commit()


def _http_fetcher(client: TestClient, size: int) -> merkle.NodeFetcher:
    def get(ref: TileRef) -> bytes:
        response = client.get(f"/api/v1/ledger/{ref.path()}")
        assert response.status_code == 200, (ref.path(), response.text)
        return response.content

    return tile_fetcher(get, size)


def test_tiles_reproduce_the_inclusion_vectors(reference_log: TestClient) -> None:
    checked = 0
    for v in _vectors("inclusion"):
        if v["wantErr"] or not 0 < v["treeSize"] <= len(REFERENCE_LEAVES):
            continue
        size, index = v["treeSize"], v["leafIdx"]
        fetch = _http_fetcher(reference_log, size)
        assert merkle.hash_leaf(REFERENCE_LEAVES[index]) == _b64(v["leafHash"])
        assert fetch([(0, index)])[(0, index)] == _b64(v["leafHash"])
        assert merkle.root_hash(size, fetch) == _b64(v["root"])
        assert merkle.inclusion_proof(index, size, fetch) == [_b64(p) for p in v["proof"] or []]
        checked += 1
    assert checked >= 5


def test_tiles_reproduce_the_consistency_vectors(reference_log: TestClient) -> None:
    checked = 0
    for v in _vectors("consistency"):
        first, second = v["size1"], v["size2"]
        if v["wantErr"] or not 0 < first <= second <= len(REFERENCE_LEAVES):
            continue
        fetch = _http_fetcher(reference_log, second)
        assert merkle.root_hash(first, _http_fetcher(reference_log, first)) == _b64(v["root1"])
        assert merkle.root_hash(second, fetch) == _b64(v["root2"])
        proof = merkle.consistency_proof(first, second, fetch)
        assert proof == [_b64(p) for p in v["proof"] or []]
        checked += 1
    assert checked >= 3


def test_tiles_are_cacheable_and_only_what_the_checkpoint_covers(
    reference_log: TestClient,
) -> None:
    client = reference_log
    tile = client.get("/api/v1/ledger/tile/0/000.p/8")
    assert tile.status_code == 200
    assert tile.headers["content-type"] == "application/octet-stream"
    assert "immutable" in tile.headers["cache-control"]
    assert tile.content == b"".join(merkle.hash_leaf(leaf) for leaf in REFERENCE_LEAVES)
    again = client.get(
        "/api/v1/ledger/tile/0/000.p/8", headers={"If-None-Match": tile.headers["etag"]}
    )
    assert again.status_code == 304 and again.content == b""
    # Narrower partial tiles are prefixes; wider ones and full ones do not exist yet.
    assert client.get("/api/v1/ledger/tile/0/000.p/3").content == tile.content[: 3 * 32]
    for missing in ("tile/0/000.p/9", "tile/0/000", "tile/1/000.p/1", "tile/0/001.p/1"):
        response = client.get(f"/api/v1/ledger/{missing}")
        assert response.status_code == 404, missing
        assert response.headers["content-type"] == "application/problem+json"
    entries = client.get("/api/v1/ledger/tile/entries/000.p/8")
    assert entries.status_code == 404 and b"\x00" not in entries.content
    assert client.get("/api/v1/ledger/checkpoint").headers["cache-control"] == "no-cache"
