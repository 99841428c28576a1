"""Prometheus metrics of the ledger: append latency (per process), size and checkpoint age
(read from the database when scraped, so every API process reports the same log).

Only counts and durations: never an event, a subject or a case.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from prometheus_client import Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from sqlalchemy import Engine
from sqlmodel import Session

from custody.tree import current_size

APPEND_SECONDS = Histogram(
    "dalel_ledger_append_seconds",
    "Time to append a batch of custody events (lock, hashing, inserts), in this process",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)


class LedgerCollector:
    """`dalel_ledger_entries` and `dalel_checkpoint_age_seconds`, read at scrape time."""

    def __init__(self, engine: Engine, *, now: Callable[[], datetime] | None = None) -> None:
        self._engine = engine
        self._now = now or (lambda: datetime.now(UTC))

    def collect(self) -> Iterable[Metric]:
        """One short read: the last index and the newest checkpoint."""
        from custody.checkpoint import latest_checkpoint  # it appends: import it late

        with Session(self._engine) as session:
            size = current_size(session)
            latest = latest_checkpoint(session=session)
        entries = GaugeMetricFamily("dalel_ledger_entries", "Entries in the custody ledger")
        entries.add_metric([], size)
        signed = GaugeMetricFamily(
            "dalel_ledger_signed_entries", "Entries covered by the latest signed checkpoint"
        )
        signed.add_metric([], latest.size if latest is not None else 0)
        yield entries
        yield signed
        if latest is not None:
            created = latest.created_at
            if created.tzinfo is None:  # SQLite hands back naive UTC
                created = created.replace(tzinfo=UTC)
            age = GaugeMetricFamily(
                "dalel_checkpoint_age_seconds", "Seconds since the latest checkpoint was signed"
            )
            age.add_metric([], max(0.0, (self._now() - created).total_seconds()))
            yield age
