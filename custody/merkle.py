"""RFC 9162 §2.1 Merkle tree hashing, proofs and their verification.

Pure functions, no I/O. Proof *generation* works on ranges of leaves and asks a callable
for the hashes of perfect (complete, aligned) subtrees, so the caller decides where they
come from: a list in memory, or the `ledger_node` table, where each perfect subtree is
stored once, so a proof reads O(log n) rows at any tree size.

Verification follows RFC 9162 §2.1.3.2 and §2.1.4.2 step by step. The hash algorithm is
fixed (SHA-256): nothing in a proof can choose it.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterable, Mapping, Sequence

from custody.errors import ProofError

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

# A perfect subtree: (level, index) covers leaves [index * 2**level, (index + 1) * 2**level).
NodeId = tuple[int, int]
NodeFetcher = Callable[[Sequence[NodeId]], Mapping[NodeId, bytes]]


def hash_leaf(data: bytes) -> bytes:
    """Leaf hash: SHA-256(0x00 || data)."""
    return hashlib.sha256(b"\x00" + data).digest()


def hash_children(left: bytes, right: bytes) -> bytes:
    """Interior node hash: SHA-256(0x01 || left || right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def split_point(n: int) -> int:
    """The largest power of two strictly smaller than n (n >= 2), where RFC 9162 splits."""
    if n < 2:
        raise ValueError("split_point needs n >= 2")
    return 1 << ((n - 1).bit_length() - 1)


def range_nodes(start: int, end: int) -> list[NodeId]:
    """Perfect subtrees whose left-to-right concatenation is leaves [start, end).

    Valid for every range that is a node of an RFC 9162 tree: `start` is a multiple of a
    power of two at least as large as the range, so the range decomposes by the binary
    digits of its length, largest first.
    """
    nodes: list[NodeId] = []
    pos = start
    remaining = end - start
    for level in range(remaining.bit_length() - 1, -1, -1):
        if remaining >> level & 1:
            nodes.append((level, pos >> level))
            pos += 1 << level
    return nodes


def fold_range(hashes: Sequence[bytes]) -> bytes:
    """MTH of a range from its perfect subtrees (largest first), folded right to left."""
    result = hashes[-1]
    for left in reversed(hashes[:-1]):
        result = hash_children(left, result)
    return result


def inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """Leaf ranges whose MTHs form PATH(index, D[0:size]), bottom-up (RFC 9162 §2.1.3.1)."""
    if not 0 <= index < size:
        raise ProofError(f"leaf index {index} is outside a tree of size {size}")
    out: list[tuple[int, int]] = []
    start, end = 0, size
    while end - start > 1:
        k = split_point(end - start)
        if index - start < k:
            out.append((start + k, end))
            end = start + k
        else:
            out.append((start, start + k))
            start += k
    out.reverse()
    return out


def consistency_ranges(first: int, second: int) -> list[tuple[int, int]]:
    """Leaf ranges whose MTHs form PROOF(first, D[0:second]) (RFC 9162 §2.1.4.1)."""
    if not 0 < first <= second:
        raise ProofError(f"no consistency proof from size {first} to size {second}")
    out: list[tuple[int, int]] = []

    def subproof(m: int, start: int, end: int, whole: bool) -> None:
        n = end - start
        if m == n:
            if not whole:
                out.append((start, end))
            return
        k = split_point(n)
        if m <= k:
            subproof(m, start, start + k, whole)
            out.append((start + k, end))
        else:
            subproof(m - k, start + k, end, False)
            out.append((start, start + k))

    subproof(first, 0, second, True)
    return out


def _hash_ranges(ranges: Sequence[tuple[int, int]], fetch: NodeFetcher) -> list[bytes]:
    """MTH of each range, fetching every needed perfect subtree in one call."""
    plans = [range_nodes(start, end) for start, end in ranges]
    wanted = sorted({node for plan in plans for node in plan})
    got = fetch(wanted)
    missing = [node for node in wanted if node not in got]
    if missing:
        raise ProofError(f"tree nodes missing from storage: {missing[:5]}")
    return [fold_range([got[node] for node in plan]) for plan in plans]


def root_hash(size: int, fetch: NodeFetcher) -> bytes:
    """MTH(D[0:size]) from stored perfect subtrees (at most log2(size) + 1 of them)."""
    if size == 0:
        return EMPTY_ROOT
    return _hash_ranges([(0, size)], fetch)[0]


def inclusion_proof(index: int, size: int, fetch: NodeFetcher) -> list[bytes]:
    """Audit path for leaf `index` in the tree of `size` leaves."""
    return _hash_ranges(inclusion_ranges(index, size), fetch)


def inclusion_proofs(indexes: Sequence[int], size: int, fetch: NodeFetcher) -> list[list[bytes]]:
    """Audit paths for many leaves of one tree, fetching all their nodes in one call."""
    paths = [inclusion_ranges(index, size) for index in indexes]
    flat = _hash_ranges([r for path in paths for r in path], fetch)
    out: list[list[bytes]] = []
    for path in paths:
        out.append(flat[: len(path)])
        flat = flat[len(path) :]
    return out


def consistency_proof(first: int, second: int, fetch: NodeFetcher) -> list[bytes]:
    """Consistency proof between the trees of `first` and `second` leaves."""
    return _hash_ranges(consistency_ranges(first, second), fetch)


def memory_fetcher(leaf_hashes: Sequence[bytes]) -> NodeFetcher:
    """A NodeFetcher over leaf hashes held in memory (tests, bundles, audits)."""

    def fetch(nodes: Sequence[NodeId]) -> Mapping[NodeId, bytes]:
        out: dict[NodeId, bytes] = {}
        for level, idx in nodes:
            start, end = idx << level, (idx + 1) << level
            if end <= len(leaf_hashes):
                out[(level, idx)] = root_from_leaf_hashes(leaf_hashes[start:end])
        return out

    return fetch


def root_from_leaf_hashes(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH of a list of leaf hashes, in one pass with a stack of perfect subtrees."""
    stack: list[tuple[int, bytes]] = []  # (level, hash), levels strictly decreasing
    for leaf in leaf_hashes:
        level, node = 0, leaf
        while stack and stack[-1][0] == level:
            node = hash_children(stack.pop()[1], node)
            level += 1
        stack.append((level, node))
    if not stack:
        return EMPTY_ROOT
    return fold_range([node for _, node in stack])


def completed_nodes(
    size: int, frontier: Sequence[bytes], leaves: Iterable[bytes]
) -> Iterable[tuple[NodeId, bytes]]:
    """Append leaf hashes to a tree; yield every perfect subtree they complete.

    `frontier` holds the hashes of `range_nodes(0, size)` (the tree's perfect subtrees,
    largest first). Yields ((level, index), hash) for each newly completed subtree,
    including level 0 (the leaves themselves); callers store levels >= 1.
    """
    stack = list(frontier)
    n = size
    for leaf in leaves:
        node, level = leaf, 0
        yield (0, n), leaf
        while (n + 1) >> level & 1 == 0:
            node = hash_children(stack.pop(), node)
            level += 1
            yield (level, (n + 1 >> level) - 1), node
        stack.append(node)
        n += 1


def _check_hashes(proof: Sequence[bytes]) -> None:
    for element in proof:
        if len(element) != HASH_SIZE:
            raise ProofError(f"proof element has {len(element)} bytes, expected {HASH_SIZE}")


def _equal(a: bytes, b: bytes) -> bool:
    return hmac.compare_digest(a, b)


def verify_inclusion(
    *, leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> None:
    """Check an inclusion proof (RFC 9162 §2.1.3.2); raise ProofError if it fails."""
    _check_hashes([leaf_hash, root, *proof])
    # 1. leaf_index must be smaller than tree_size.
    if index < 0 or index >= size:
        raise ProofError(f"leaf index {index} is not below tree size {size}")
    # 2. fn = leaf_index, sn = tree_size - 1.
    fn, sn = index, size - 1
    # 3. r = hash.
    r = leaf_hash
    # 4. For each p in the inclusion path:
    for p in proof:
        # 4a. If sn is 0, the path is too long: fail.
        if sn == 0:
            raise ProofError("inclusion proof is longer than the tree is deep")
        # 4b. If LSB(fn) is set or fn == sn, p is a left sibling.
        if fn & 1 or fn == sn:
            r = hash_children(p, r)
            # 4b.ii. Skip levels where our node is a left child with no right sibling.
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            # 4b (otherwise). p is a right sibling.
            r = hash_children(r, p)
        # 4c. Move one level up.
        fn >>= 1
        sn >>= 1
    # 5. sn must be 0 and r must equal the root.
    if sn != 0:
        raise ProofError("inclusion proof is shorter than the tree is deep")
    if not _equal(r, root):
        raise ProofError("inclusion proof does not lead to the root hash")


def verify_consistency(
    *, first: int, second: int, proof: Sequence[bytes], first_root: bytes, second_root: bytes
) -> None:
    """Check a consistency proof (RFC 9162 §2.1.4.2); raise ProofError if it fails.

    A tree of size 0 commits to nothing, so it proves nothing: such "proofs" are refused
    rather than accepted vacuously.
    """
    _check_hashes(proof)
    if first <= 0 or second < first:
        raise ProofError(f"no consistency proof from size {first} to size {second}")
    if first == second:
        # Same tree: the proof is empty and the roots must match.
        if proof:
            raise ProofError("sizes are equal but the consistency proof is not empty")
        if not _equal(first_root, second_root):
            raise ProofError("same tree size with different root hashes")
        return
    # 1. An empty consistency path fails.
    if not proof:
        raise ProofError("empty consistency proof")
    path = list(proof)
    # 2. If first is an exact power of 2, prepend first_hash to the path.
    if first & (first - 1) == 0:
        path.insert(0, first_root)
    # 3. fn = first - 1, sn = second - 1.
    fn, sn = first - 1, second - 1
    # 4. If LSB(fn) is set, right-shift fn and sn until LSB(fn) is not set.
    while fn & 1:
        fn >>= 1
        sn >>= 1
    # 5. fr = sr = the first value of the path.
    fr = sr = path[0]
    # 6. For each subsequent value c:
    for c in path[1:]:
        # 6a. If sn is 0, the path is too long: fail.
        if sn == 0:
            raise ProofError("consistency proof is longer than the tree is deep")
        # 6b. If LSB(fn) is set or fn == sn, c is a left sibling in both trees.
        if fn & 1 or fn == sn:
            fr = hash_children(c, fr)
            sr = hash_children(c, sr)
            # 6b.iii. Skip levels where the node has no right sibling.
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            # 6b (otherwise). c is a right sibling, present only in the second tree.
            sr = hash_children(sr, c)
        # 6c. Move one level up.
        fn >>= 1
        sn >>= 1
    # 7. fr must equal first_hash, sr must equal second_hash, and sn must be 0.
    if sn != 0:
        raise ProofError("consistency proof is shorter than the tree is deep")
    if not _equal(fr, first_root):
        raise ProofError("consistency proof does not lead to the first root")
    if not _equal(sr, second_root):
        raise ProofError("consistency proof does not lead to the second root")
