"""The stage registry: what a `Stage` is, the `Context` it runs in, and every stage by name.

Ingest's media stages live in `ingest.stages` (one module per family); redaction and
disclosure contribute per-subject stages of their own (a plan's analysis and rendering,
a disclosure's watermarking), so that their slow work runs on the same queues with the
same retries. Each package lists its stages in `STAGES`; `evidence.app.install_domains`
(called by `create_app` and by the worker's entry points) registers them all here, the
way the app includes each package's router.

A stage function receives a `Context` (session, store, job, item, settings) and
returns a JSON-able result; `result["next"]` lists stages to start after it succeeds.
Every output goes through `Context.derive` (→ `evidence.service.register_derivative`)
with a job key derived from the job id, so a repeated run returns the first run's items.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from evidence import service
from evidence.models import Blob, Item, ItemKind
from evidence.storage import ObjectStore
from ingest.config import IngestSettings
from ingest.errors import JobCancelled
from ingest.runtime.models import Job, JobState

Fingerprint = Callable[[IngestSettings], dict[str, Any]]


@dataclass(frozen=True, slots=True)
class Stage:
    name: str
    queue: str  # fast | media | asr | ocr | default
    run: Callable[[Context], dict[str, Any]]
    fingerprint: Fingerprint  # tool versions + settings that change the output
    per_subject: bool = False  # one job per subject (e.g. per clip), not one per item
    # Stops when cancelled while running (its run reports progress through ctx.progress).
    cancellable: bool = False
    # Seconds, for stages other packages contribute (ingest's own have a setting each).
    default_timeout: int | None = None

    def timeout(self, settings: IngestSettings) -> int:
        value = getattr(settings, f"timeout_{self.name}", None)
        if value is None:
            if self.default_timeout is None:
                raise AttributeError(f"stage {self.name} has no timeout setting")
            return self.default_timeout
        return int(value)


@dataclass
class Context:
    """What a stage needs; built by `ingest.runtime.jobs.run_job`."""

    session: Session
    store: ObjectStore
    engine: Engine
    job: Job
    item: Item
    settings: IngestSettings
    _last_progress: float = field(default=0.0, repr=False)

    def job_key(self, output: str) -> str:
        """Key of one output of this job (Item.job_key is unique and ≤ 200 chars)."""
        if len(self.job.id) + len(output) > 190:
            output = hashlib.sha256(output.encode()).hexdigest()[:24]
        return f"{self.job.id}:{output}"

    @contextmanager
    def materialize(self, suffix: str = "") -> Iterator[tuple[Item, Blob, Path]]:
        """The item's bytes in a private temp file; the read is recorded in custody."""
        with service.materialize(
            session=self.session,
            store=self.store,
            item_id=self.item.id,
            purpose=f"job:{self.job.stage}",
            suffix=suffix,
        ) as got:
            yield got

    def derive(
        self,
        *,
        source: Path | bytes,
        name: str,
        derivative_kind: str,
        derivation: dict[str, Any],
        output: str | None = None,
        kind: ItemKind = ItemKind.DERIVATIVE,
        original_path: str | None = None,
    ) -> Item:
        """Register an output as a derivative (or child) of the job's item."""
        return service.register_derivative(
            session=self.session,
            store=self.store,
            parent_id=self.item.id,
            source=source,
            name=name,
            derivative_kind=derivative_kind,
            derivation={**derivation, "job": self.job.key},
            job_key=self.job_key(output or derivative_kind),
            kind=kind,
            original_path=original_path,
        )

    def progress(self, fraction: float) -> None:
        """Report progress (0..1) in a separate short transaction, at most once a second.

        Raises JobCancelled when someone cancelled the job meanwhile: the stage stops
        there, and the runner records it as cancelled.
        """
        now = time.monotonic()
        if fraction < 1.0 and now - self._last_progress < 1.0:
            return
        self._last_progress = now
        with Session(self.engine) as side:
            job = side.get(Job, self.job.id)
            if job is not None and job.state is JobState.CANCELLED:
                raise JobCancelled("the %(stage)s job was cancelled", stage=self.job.stage)
            if job is not None:
                job.progress = round(max(0.0, min(1.0, fraction)), 4)
                side.add(job)
                side.commit()


_STAGES: dict[str, Stage] = {}


def register(contributed: Iterable[Stage]) -> None:
    """Add a package's stages to the registry (`evidence.app.install_domains` calls this
    for ingest, redaction and disclosure, as it includes their routers).

    Registering the same stage again is harmless (every `create_app` registers); a
    different stage under a taken name is refused.
    """
    for stage in contributed:
        known = _STAGES.get(stage.name)
        if known is not None and known != stage:
            raise RuntimeError(f"two stages share the name {stage.name!r}")
        _STAGES[stage.name] = stage


def stages() -> dict[str, Stage]:
    """Every registered stage by name."""
    return _STAGES
