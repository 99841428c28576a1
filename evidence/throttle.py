"""Rate limits and admission control that hold no resources while they refuse.

Shared by sign-in (per client address and per account) and the public endpoints: a
counter lives in process memory, costs a dictionary look-up, and never waits on the
database or a worker thread. With several API processes each keeps its own counters,
so a limit of N per process is at most N × processes overall; the account lock that
must hold across processes lives in the database (`evidence.service.lockout`).

Refusals are domain errors: `Throttled` (429) when one caller is too fast and
`Overloaded` (503) when the server is at capacity, both with a `Retry-After`.
"""

from __future__ import annotations

import asyncio
import json
import math
import threading
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from starlette.types import ASGIApp, Receive, Scope, Send

from evidence.errors import EvidenceError


class Throttled(EvidenceError):
    """One caller (address or account) sends more than its share; try again later."""

    title = "Too many requests"

    def __init__(self, template: str = "", /, *, retry_after: float = 1.0, **params: object):
        super().__init__(template, **params)
        self.retry_after = max(1, math.ceil(retry_after))


class Overloaded(EvidenceError):
    """The server is at capacity for this kind of work; try again shortly."""

    title = "Service busy"

    def __init__(self, template: str = "", /, *, retry_after: float = 1.0, **params: object):
        super().__init__(template, **params)
        self.retry_after = max(1, math.ceil(retry_after))


class RateLimiter:
    """At most `limit` events per `period` seconds per key (a sliding log, bounded).

    Memory is bounded too: past `max_keys` keys the least recently used are forgotten,
    so a flood of distinct keys (spoofed names, many addresses) cannot grow it without
    end. Thread-safe; `now` is injectable for tests.
    """

    def __init__(
        self,
        *,
        limit: int,
        period: float,
        max_keys: int = 50_000,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        if limit < 1 or period <= 0:
            raise ValueError("a rate limit needs limit >= 1 and period > 0")
        self.limit, self.period, self.max_keys, self._now = limit, period, max_keys, now
        self._hits: OrderedDict[str, list[float]] = OrderedDict()
        self._lock = threading.Lock()

    def _recent(self, key: str, moment: float) -> list[float]:
        hits = [t for t in self._hits.get(key, ()) if moment - t < self.period]
        self._hits[key] = hits
        self._hits.move_to_end(key)
        while len(self._hits) > self.max_keys:
            self._hits.popitem(last=False)
        return hits

    def retry_after(self, key: str) -> float | None:
        """Seconds until `key` may act again, or None when it may act now (no count)."""
        with self._lock:
            moment = self._now()
            hits = self._recent(key, moment)
            if len(hits) < self.limit:
                return None
            return hits[-self.limit] + self.period - moment

    def hit(self, key: str) -> float | None:
        """Count one event for `key`; None when allowed, else seconds to wait."""
        with self._lock:
            moment = self._now()
            hits = self._recent(key, moment)
            if len(hits) >= self.limit:
                return hits[-self.limit] + self.period - moment
            hits.append(moment)
            return None

    def reset(self, key: str) -> None:
        with self._lock:
            self._hits.pop(key, None)


class Gate:
    """Admission for expensive work (e.g. Argon2): at most `capacity` at once, at most
    `queue` more waiting in the event loop (no thread, no connection held); anyone past
    that is refused at once with `Overloaded`."""

    def __init__(self, *, capacity: int, queue: int, wait: float = 5.0) -> None:
        self.capacity, self.queue, self.wait = capacity, queue, wait
        self._semaphore: asyncio.Semaphore | None = None
        self._waiting = 0

    @asynccontextmanager
    async def admit(self) -> AsyncIterator[None]:
        # Created lazily: the semaphore belongs to the running event loop.
        if self._semaphore is None:
            self._semaphore = asyncio.Semaphore(self.capacity)
        semaphore = self._semaphore
        if semaphore.locked() and self._waiting >= self.queue:
            raise Overloaded("the server is busy; try again shortly", retry_after=2)
        self._waiting += 1
        try:
            await asyncio.wait_for(semaphore.acquire(), timeout=self.wait)
        except TimeoutError as exc:
            raise Overloaded("the server is busy; try again shortly", retry_after=2) from exc
        finally:
            self._waiting -= 1
        try:
            yield
        finally:
            semaphore.release()


class InFlightLimit:
    """ASGI middleware: at most `limit` requests in progress in this process; the next
    ones are answered at once with 503 problem JSON and `Retry-After` (uvicorn's own
    concurrency limit would answer plain text)."""

    def __init__(self, app: ASGIApp, *, limit: int) -> None:
        self.app, self.limit, self.active = app, limit, 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.active >= self.limit:
            body = json.dumps(
                {
                    "type": "about:blank",
                    "title": "Service busy",
                    "status": 503,
                    "detail": "the server is busy; try again shortly",
                }
            ).encode()
            await send(
                {
                    "type": "http.response.start",
                    "status": 503,
                    "headers": [
                        (b"content-type", b"application/problem+json"),
                        (b"content-length", str(len(body)).encode()),
                        (b"retry-after", b"2"),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        self.active += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.active -= 1
