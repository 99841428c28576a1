"""Liveness and readiness: what a load balancer or Kubernetes asks before sending traffic.

`/healthz` says the process answers (nothing is touched). `/readyz` probes each backend
the API needs — the database, the object store, Redis when configured, the ledger's key
store — concurrently, each within `readiness_timeout_seconds`, and names the ones that
did not answer. Both are public, so they reveal nothing but component names: the reason
a probe failed (a host name, a driver message) goes to the log, never into the answer.

A backend can be given its own probe (`Probe`); `default_probes` builds the built-in ones
from the application's settings, engine and store, and `create_app` keeps the list on
`app.state.readiness` so a package with another backend (a PKCS#11 key store) can
replace the one of its component.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from evidence.config import Settings

log = logging.getLogger(__name__)

DATABASE, OBJECT_STORE, REDIS, KEY_STORE = "database", "object_store", "redis", "key_store"
# Probes run on threads of their own: a probe stuck on a silent network is abandoned at
# its deadline (its thread finishes later), and never takes a thread requests need.
_PROBES = ThreadPoolExecutor(max_workers=8, thread_name_prefix="dalel-readiness")


class NotReady(Exception):
    """A backend does not answer its readiness probe; only ever logged (never answered:
    the answer names the component alone)."""


@dataclass(frozen=True, slots=True)
class Probe:
    """One component's readiness check: `check()` returns when it answers, raises when not."""

    name: str
    check: Callable[[], None]


def probe_database(engine: Engine) -> None:
    """`SELECT 1` on a raw pooled connection: no transaction is begun (on SQLite every
    transaction takes the write lock, and a probe must never wait behind writers)."""
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        try:
            cursor.execute("SELECT 1")
            cursor.fetchall()
        finally:
            cursor.close()
    finally:
        connection.close()


def probe_store(store: Any) -> None:
    """The object folder exists and is writable, or the S3 bucket answers a HEAD."""
    root = getattr(store, "root", None)
    if isinstance(root, Path):
        if not root.is_dir() or not os.access(root, os.W_OK | os.X_OK):
            raise NotReady("the object folder is missing or not writable")
        return
    client, bucket = getattr(store, "client", None), getattr(store, "bucket", None)
    if client is None or bucket is None:
        return  # a backend this module does not know: it gives its own probe
    if not client.bucket_exists(bucket):
        raise NotReady("the evidence bucket does not exist")


def probe_redis(url: str, timeout: float) -> None:
    """PING with connect and reply timeouts."""
    import redis

    connection = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
    try:
        connection.ping()
    finally:
        connection.close()


def default_probes(
    *, settings: Settings, engine: Engine, store: Any, key_check: Callable[[], None] | None
) -> list[Probe]:
    """The built-in probes; Redis only when `DALEL_REDIS_URL` is set. `key_check` is the
    ledger key store's own check (files load, or the PKCS#11 token, PIN and key answer)."""
    timeout = settings.readiness_timeout_seconds
    probes = [
        Probe(DATABASE, lambda: probe_database(engine)),
        Probe(OBJECT_STORE, lambda: probe_store(store)),
    ]
    if settings.redis_url:
        url = settings.redis_url
        probes.append(Probe(REDIS, lambda: probe_redis(url, timeout)))
    if key_check is not None:
        probes.append(Probe(KEY_STORE, key_check))
    return probes


async def _run(probe: Probe, timeout: float) -> bool:
    try:
        loop = asyncio.get_running_loop()
        await asyncio.wait_for(loop.run_in_executor(_PROBES, probe.check), timeout)
    except TimeoutError:
        log.warning("readiness: %s did not answer within %.1f s", probe.name, timeout)
        return False
    except Exception as exc:  # any failure means "down"; the reason is for the log only
        log.warning("readiness: %s is down: %s: %s", probe.name, type(exc).__name__, exc)
        return False
    return True


async def readiness(probes: list[Probe], *, timeout: float) -> dict[str, bool]:
    """Each component's answer (True: up), probed concurrently within `timeout` seconds."""
    results = await asyncio.gather(*(_run(probe, timeout) for probe in probes))
    return {probe.name: up for probe, up in zip(probes, results, strict=True)}
