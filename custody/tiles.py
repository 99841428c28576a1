"""The log as C2SP tlog-tiles (c2sp.org/tlog-tiles): hash tiles read from stored nodes.

A tile at level L, index N holds up to 256 consecutive Merkle Tree Hashes of height
8 * L: hash i is MTH(D[(N * 256 + i) * 256**L : (N * 256 + i + 1) * 256**L]). Level 0
tiles hold leaf hashes (`ledger_entry.leaf_hash`); higher levels are perfect subtrees,
already stored in `ledger_node` (level 8 * L), so a tile is one range read of at most
256 rows. A full tile is 256 hashes (8,192 bytes); a partial tile `.p/W` the first W.

Every tile served is immutable: it only covers entries below the latest signed
checkpoint, and the hash of a complete subtree never changes. That is what lets a
witness, a court or a mirror cache tiles forever and fetch only what is new.
Entry bundles (`tile/entries/...`) are not served: leaf bytes are need-to-know.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import text
from sqlmodel import Session

from custody.errors import CustodyNotFound, ProofError
from custody.merkle import NodeFetcher, NodeId, hash_children

TILE_HEIGHT = 8
TILE_WIDTH = 1 << TILE_HEIGHT  # 256 hashes
HASH_SIZE = 32
MAX_LEVEL = 63  # the path syntax allows 0..63; only levels with 8 * L < 64 can hold data

_LEVEL = re.compile(r"0|[1-9][0-9]?")
_ELEMENT = re.compile(r"[0-9]{3}")
_WIDTH = re.compile(r"[1-9][0-9]{0,2}")


@dataclass(frozen=True, slots=True)
class TileRef:
    """Which tile: level, index within the level, and width (256 for a full tile)."""

    level: int
    index: int
    width: int = TILE_WIDTH

    @property
    def partial(self) -> bool:
        return self.width < TILE_WIDTH

    def path(self) -> str:
        """The tile's path below the log prefix, e.g. `tile/0/x001/x234/067.p/7`."""
        return f"tile/{self.level}/{encode_index(self.index)}" + (
            f".p/{self.width}" if self.partial else ""
        )

    def first_node(self) -> int:
        """Index, among nodes of height 8 * level, of the tile's first hash."""
        return self.index * TILE_WIDTH

    def end_entry(self) -> int:
        """Tree size at which the tile's last hash becomes complete."""
        return (self.first_node() + self.width) << (TILE_HEIGHT * self.level)


def encode_index(index: int) -> str:
    """N as zero-padded 3-digit path elements, all but the last prefixed with `x`."""
    if index < 0:
        raise ValueError("tile index must be non-negative")
    digits = str(index)
    digits = "0" * (-len(digits) % 3) + digits
    parts = [digits[i : i + 3] for i in range(0, len(digits), 3)]
    return "/".join([*(f"x{p}" for p in parts[:-1]), parts[-1]])


def _not_a_tile(path: str) -> CustodyNotFound:
    return CustodyNotFound(
        f"no tile at {path!r}: hash tiles are tile/<L>/<N>[.p/<W>] (c2sp.org/tlog-tiles); "
        "entry bundles are not published"
    )


def parse_tile_path(path: str) -> TileRef:
    """Parse `tile/<L>/<N>[.p/<W>]` (or the same without `tile/`); CustodyNotFound if it is
    not the canonical path of a hash tile, so each tile has exactly one URL to cache."""
    parts = path.removeprefix("tile/").split("/")
    width = TILE_WIDTH
    if len(parts) >= 3 and parts[-2].endswith(".p"):
        if not _WIDTH.fullmatch(parts[-1]) or int(parts[-1]) >= TILE_WIDTH:
            raise _not_a_tile(path)
        width = int(parts[-1])
        parts = [*parts[:-2], parts[-2][:-2]]
    if len(parts) < 2 or not _LEVEL.fullmatch(parts[0]) or int(parts[0]) > MAX_LEVEL:
        raise _not_a_tile(path)
    *upper, last = parts[1:]
    if not _ELEMENT.fullmatch(last) or not all(
        p.startswith("x") and _ELEMENT.fullmatch(p[1:]) for p in upper
    ):
        raise _not_a_tile(path)
    index = int("".join(p.removeprefix("x") for p in upper) + last)
    ref = TileRef(level=int(parts[0]), index=index, width=width)
    if ref.path() != "tile/" + path.removeprefix("tile/"):  # leading zero elements
        raise _not_a_tile(path)
    return ref


# Plain range reads on the primary keys (the ORM's statement building would double a
# miss's cost; these are the only two queries a tile ever needs).
_LEAVES = text("SELECT leaf_hash FROM ledger_entry WHERE idx >= :start AND idx < :end ORDER BY idx")
_NODES = text(
    "SELECT hash FROM ledger_node WHERE level = :level AND idx >= :start AND idx < :end"
    " ORDER BY idx"
)


def tile_hashes(*, session: Session, ref: TileRef, size: int) -> bytes:
    """The tile's bytes for a log of `size` entries (the latest checkpoint's size).

    CustodyNotFound when the tile is not complete at that size: a partial tile wider
    than what exists, or a full tile whose last subtree is still growing.
    """
    if TILE_HEIGHT * ref.level >= 64 or ref.end_entry() > size:
        raise CustodyNotFound(f"{ref.path()} does not exist at tree size {size}")
    start, end = ref.first_node(), ref.first_node() + ref.width
    if ref.level == 0:
        query, params = _LEAVES, {"start": start, "end": end}
    else:
        query, params = _NODES, {"level": TILE_HEIGHT * ref.level, "start": start, "end": end}
    hashes = [bytes(h) for h in session.execute(query, params).scalars()]
    if len(hashes) != ref.width:
        raise CustodyNotFound(f"{ref.path()}: stored nodes are missing ({len(hashes)} found)")
    return b"".join(hashes)


def tile_etag(data: bytes) -> str:
    """A strong validator: the SHA-256 of the tile's bytes (quoted, per RFC 9110)."""
    return '"' + hashlib.sha256(data).hexdigest()[:32] + '"'


def split_tile(data: bytes) -> list[bytes]:
    """A tile's bytes as its list of 32-byte hashes (for clients and tests)."""
    if len(data) % HASH_SIZE or not data:
        raise ValueError("a tile is a non-empty sequence of 32-byte hashes")
    return [data[i : i + HASH_SIZE] for i in range(0, len(data), HASH_SIZE)]


@dataclass(frozen=True, slots=True)
class ServedTile:
    """A tile's bytes and validator, as kept in the cache."""

    data: bytes
    etag: str


class TileCache:
    """Tiles already served, least recently used dropped first (thread-safe).

    Sound because tiles are immutable: once a tile exists its bytes never change, so a
    cached tile is always right and a hit needs no database at all.
    """

    def __init__(self, capacity: int = 4096) -> None:  # 4096 full tiles: 32 MiB
        self._capacity = capacity
        self._tiles: OrderedDict[TileRef, ServedTile] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, ref: TileRef) -> ServedTile | None:
        with self._lock:
            tile = self._tiles.get(ref)
            if tile is not None:
                self._tiles.move_to_end(ref)
            return tile

    def put(self, ref: TileRef, data: bytes) -> ServedTile:
        tile = ServedTile(data=data, etag=tile_etag(data))
        with self._lock:
            self._tiles[ref] = tile
            self._tiles.move_to_end(ref)
            while len(self._tiles) > self._capacity:
                self._tiles.popitem(last=False)
        return tile


def tile_for(level: int, index: int, size: int) -> TileRef:
    """The tile (full, or partial as in a tree of `size` entries) holding node `index` of
    height 8 * `level`: what a client fetches after verifying a checkpoint of `size`."""
    ref = TileRef(level=level, index=index // TILE_WIDTH)
    if ref.end_entry() <= size:
        return ref
    width = (size >> (TILE_HEIGHT * level)) % TILE_WIDTH
    return TileRef(level=level, index=ref.index, width=width)


def tile_fetcher(get: Callable[[TileRef], bytes], size: int) -> NodeFetcher:
    """A NodeFetcher computed from tiles alone (the client side of tlog-tiles).

    Any perfect subtree of height h lies in one tile of level h // 8: it is the hash of
    2**(h % 8) consecutive hashes of that tile. With it, `custody.merkle` builds roots and
    proofs from a mirror of the tiles exactly as from the log's own storage. `get` fetches
    one tile (and may cache); each tile is fetched at most once per call.
    """

    def fetch(nodes: Sequence[NodeId]) -> Mapping[NodeId, bytes]:
        tiles: dict[TileRef, list[bytes]] = {}
        out: dict[NodeId, bytes] = {}
        for height, idx in nodes:
            if (idx + 1) << height > size:
                continue  # not a complete subtree of this tree: absent, like in storage
            level, rise = divmod(height, TILE_HEIGHT)
            first = idx << rise
            ref = tile_for(level, first, size)
            if ref not in tiles:
                tiles[ref] = split_tile(get(ref))
                if len(tiles[ref]) != ref.width:
                    raise ProofError(f"{ref.path()} has {len(tiles[ref])} hashes, not {ref.width}")
            offset = first % TILE_WIDTH
            layer = tiles[ref][offset : offset + (1 << rise)]
            while len(layer) > 1:
                layer = [hash_children(a, b) for a, b in zip(layer[::2], layer[1::2], strict=True)]
            out[(height, idx)] = layer[0]
        return out

    return fetch
