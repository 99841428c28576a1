"""Database engine and sessions (SQLite by default, PostgreSQL in production).

A hung database never holds a request for long (`DbTimeouts`): PostgreSQL gets a
connect timeout and a `statement_timeout`; and because a silent network (a stalled proxy,
a dead host behind a live connection) answers neither, a watchdog shuts the socket of a
statement that has waited past its time, or of the liveness ping when a pooled connection
is taken, so the caller gets an `OperationalError` (503 with `Retry-After`) instead of
waiting as long as the hang lasts. SQLite waits at most its busy timeout for a lock.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DisconnectionError, OperationalError
from sqlmodel import Session

from evidence.errors import DatabaseUnavailable


@dataclass(frozen=True, slots=True)
class DbTimeouts:
    """Seconds. `statement` 0: no limit (migrations, fsck and other operator commands)."""

    connect: float = 10
    statement: float = 0
    busy: float = 60  # SQLite: how long a writer waits for the lock


GRACE = 2.0  # the server's statement_timeout answers first when it can


class _Watchdog:
    """Shuts the socket of a connection whose statement overstayed its deadline.

    One thread for the process; arming and disarming are a dict write under a lock."""

    def __init__(self) -> None:
        self._armed: dict[int, tuple[float, int]] = {}  # token -> (deadline, fd)
        self._lock = threading.Lock()
        self._next = 0
        self._thread: threading.Thread | None = None

    def arm(self, fd: int, seconds: float) -> int:
        with self._lock:
            self._next += 1
            self._armed[self._next] = (time.monotonic() + seconds, fd)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="dalel-db-watchdog",
                                                daemon=True)  # fmt: skip
                self._thread.start()
            return self._next

    def disarm(self, token: int | None) -> None:
        if token is not None:
            with self._lock:
                self._armed.pop(token, None)

    def _run(self) -> None:
        while True:
            time.sleep(0.2)
            now = time.monotonic()
            with self._lock:  # held while shutting, so a disarmed fd is never touched
                for token, (deadline, fd) in list(self._armed.items()):
                    if deadline <= now:
                        del self._armed[token]
                        _shut(fd)


def _shut(fd: int) -> None:
    with contextlib.suppress(OSError):
        sock = socket.socket(fileno=os.dup(fd))
        try:
            sock.shutdown(socket.SHUT_RDWR)
        finally:
            sock.close()


_watchdog = _Watchdog()


def make_engine(url: str, *, timeouts: DbTimeouts | None = None) -> Engine:
    """Create an engine; on SQLite every transaction takes the write lock up front.

    SQLite's default deferred transactions let two writers both read the ledger size and
    then collide; BEGIN IMMEDIATE makes the second wait instead (ledger appends rely on it).
    """
    limits = timeouts or DbTimeouts()
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": limits.busy}
        )

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
            dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _on_begin(connection):  # type: ignore[no-untyped-def]
            connection.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    connect_args: dict[str, Any] = {"connect_timeout": max(1, round(limits.connect))}
    if limits.statement > 0:
        connect_args["options"] = f"-c statement_timeout={int(limits.statement * 1000)}"
    engine = create_engine(url, pool_size=10, max_overflow=20, connect_args=connect_args)
    _guard_pings(engine, limits.connect)
    if limits.statement > 0:
        _guard_statements(engine, limits.statement + GRACE)
    return engine


def _fd(dbapi_connection: Any) -> int | None:
    try:
        return int(dbapi_connection.fileno())
    except Exception:  # closed, or a driver without fileno()
        return None


def _guard_pings(engine: Engine, seconds: float) -> None:
    """The pool's liveness check, with a deadline (pool_pre_ping has none: on a silent
    network it would wait forever). A failed ping makes the pool try a new connection."""

    @event.listens_for(engine, "checkout")
    def _ping(dbapi_connection, _record, _proxy):  # type: ignore[no-untyped-def]
        fd = _fd(dbapi_connection)
        token = _watchdog.arm(fd, seconds) if fd is not None else None
        try:
            engine.dialect.do_ping(dbapi_connection)  # what pool_pre_ping would run
        except Exception as exc:
            raise DisconnectionError(f"database connection lost: {exc}") from exc
        finally:
            _watchdog.disarm(token)


def _guard_statements(engine: Engine, seconds: float) -> None:
    @event.listens_for(engine, "before_cursor_execute")
    def _arm(conn, _cursor, _statement, _parameters, context, _many):  # type: ignore[no-untyped-def]
        fd = _fd(conn.connection.dbapi_connection)
        conn.info["dalel_watchdog"] = _watchdog.arm(fd, seconds) if fd is not None else None

    @event.listens_for(engine, "after_cursor_execute")
    def _disarm(conn, _cursor, _statement, _parameters, _context, _many):  # type: ignore[no-untyped-def]
        _watchdog.disarm(conn.info.pop("dalel_watchdog", None))

    @event.listens_for(engine, "handle_error")
    def _failed(context):  # type: ignore[no-untyped-def]
        if context.connection is not None:
            _watchdog.disarm(context.connection.info.pop("dalel_watchdog", None))


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session whose connection failures become `DatabaseUnavailable`."""
    try:
        with Session(engine, expire_on_commit=False) as session:
            yield session
    except OperationalError as exc:
        raise DatabaseUnavailable("the database is unreachable; try again shortly") from exc
