"""One signer: which of many API processes signs the periodic checkpoint.

PostgreSQL: the process holding a session-level advisory lock, on a connection it keeps
for as long as it lives. The others try for the lock each round and skip while it is
taken; when the holder dies its connection closes, the server frees the lock, and the
next process to try takes over. SQLite: one process owns the database file, so it signs.

Correctness never rests on the lease (custody.checkpoint signs under the append lock and
sizes only grow); the lease only stops N processes each signing every interval.
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import SQLAlchemyError

log = logging.getLogger(__name__)

# Arbitrary constant naming the signer's lease ("dalelsig" in ASCII); the append lock
# (custody.ledger) is another key, so the lease never blocks an append.
SIGNER_LOCK_KEY = 0x64616C656C736967


class SignerLease:
    """Ask `held()` before each periodic checkpoint; `release()` at shutdown."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._shared = engine.dialect.name == "postgresql"
        self._conn: Connection | None = None
        self._lock = threading.Lock()  # rounds run in a thread pool

    def held(self) -> bool:
        """True when this process is (or has just become) the signer."""
        if not self._shared:
            return True
        with self._lock:
            if self._conn is not None:
                try:
                    # The lock lives as long as its session: a working connection holds it.
                    self._conn.execute(text("SELECT 1"))
                    return True
                except SQLAlchemyError:
                    log.warning("lost the checkpoint signer's connection; trying again")
                    self._drop()
            return self._acquire()

    def _acquire(self) -> bool:
        try:
            conn = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        except SQLAlchemyError:
            return False  # the database is away: nobody can sign, the next round retries
        try:
            got = conn.execute(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": SIGNER_LOCK_KEY}
            ).scalar()
        except SQLAlchemyError:
            conn.invalidate()
            conn.close()
            return False
        if not got:
            conn.close()
            return False
        self._conn = conn
        log.info("this process signs the periodic checkpoints (advisory lock taken)")
        return True

    def _drop(self) -> None:
        if self._conn is not None:
            self._conn.invalidate()  # never back to the pool: its session may hold the lock
            self._conn.close()
            self._conn = None

    def release(self) -> None:
        """Give the lease up (shutdown): another process takes it on its next round."""
        with self._lock:
            if self._conn is None:
                return
            try:
                self._conn.execute(
                    text("SELECT pg_advisory_unlock(:key)"), {"key": SIGNER_LOCK_KEY}
                )
                self._conn.close()
                self._conn = None
            except SQLAlchemyError:
                self._drop()
