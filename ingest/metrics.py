"""Prometheus metrics of the job runtime, read from the `job` table when scraped.

Jobs run in RQ work horses (forked per job) and in API threads; a counter in any of
those processes would die with it or be one process's share. The job table is the one
place every process writes, so depth and durations come from there: every API process
reports the same figures, whichever is scraped. Labels are the stage, state and queue
only — never an item or a case.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily, Metric
from sqlalchemy import Engine, case, func, literal
from sqlmodel import Session, col, select

from ingest.runtime.models import Job, JobState

# Seconds: thumbnails take well under a second, transcriptions of a shift many hours.
BUCKETS = (0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0, 900.0, 3600.0, 4 * 3600.0, 12 * 3600.0)
_WAITING = (JobState.QUEUED, JobState.RUNNING)
_ENDED = (JobState.DONE, JobState.FAILED)


def _seconds(dialect: str) -> Any:
    """finished_at - started_at in seconds, in the database's own arithmetic."""
    if dialect == "postgresql":
        return func.extract("epoch", col(Job.finished_at) - col(Job.started_at))
    return (func.julianday(col(Job.finished_at)) - func.julianday(col(Job.started_at))) * 86400.0


class JobCollector:
    """`dalel_jobs` (queued and running, by queue and stage) and
    `dalel_job_duration_seconds` (finished jobs by stage and outcome, as a histogram)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def collect(self) -> Iterable[Metric]:
        """Two grouped reads of the job table."""
        seconds = _seconds(self._engine.dialect.name)
        buckets = [func.sum(case((seconds <= bound, 1), else_=0)) for bound in BUCKETS]
        with Session(self._engine) as session:
            depth = session.exec(
                select(col(Job.queue), col(Job.stage), col(Job.state), func.count())
                .where(col(Job.state).in_(_WAITING))
                .group_by(col(Job.queue), col(Job.stage), col(Job.state))
            ).all()
            durations = session.exec(
                select(
                    col(Job.stage),
                    col(Job.state),
                    func.count(),
                    func.coalesce(func.sum(seconds), literal(0.0)),
                    *buckets,
                )
                .where(col(Job.state).in_(_ENDED), col(Job.started_at).is_not(None))
                .where(col(Job.finished_at).is_not(None))
                .group_by(col(Job.stage), col(Job.state))
            ).all()
        waiting = GaugeMetricFamily(
            "dalel_jobs", "Jobs queued or running", labels=["queue", "stage", "state"]
        )
        for queue, stage, state, count in depth:
            waiting.add_metric([queue, stage, str(state)], count)
        yield waiting
        histogram = HistogramMetricFamily(
            "dalel_job_duration_seconds",
            "Run time of finished jobs, by stage and outcome",
            labels=["stage", "outcome"],
        )
        for row in durations:
            stage, state, count, total = row[:4]
            counts: list[Any] = list(row[4:])
            cumulative = [(str(b), float(n or 0)) for b, n in zip(BUCKETS, counts, strict=True)]
            histogram.add_metric(
                [stage, str(state)], [*cumulative, ("+Inf", float(count))], float(total or 0)
            )
        yield histogram
