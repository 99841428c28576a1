"""A ledger of a million leaves in seconds, for the benchmarks of proofs and tiles."""

from __future__ import annotations

from datetime import UTC, datetime

import psycopg

from custody import merkle


def populate_ledger(url: str, n: int) -> None:
    """Synthetic leaves and their perfect-subtree nodes, loaded with COPY."""
    leaves = [b'{"action":"item.content.read","n":%d}' % i for i in range(n)]
    hashes = [merkle.hash_leaf(leaf) for leaf in leaves]
    now = datetime.now(UTC)
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        with conn.cursor().copy(
            "COPY ledger_entry (idx, leaf, leaf_hash, subject, action, appended_at) FROM STDIN"
        ) as copy:
            for i, (leaf, h) in enumerate(zip(leaves, hashes, strict=True)):
                copy.write_row((i, leaf, h, "system", "item.content.read", now))
        with conn.cursor().copy("COPY ledger_node (level, idx, hash) FROM STDIN") as copy:
            for (level, idx), h in merkle.completed_nodes(0, [], hashes):
                if level:
                    copy.write_row((level, idx, h))
        conn.execute("ANALYZE ledger_entry")
        conn.execute("ANALYZE ledger_node")
