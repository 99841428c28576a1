"""Processing stages: one module per family, each a `Stage` in `STAGES`.

A stage function receives a `Context` (session, store, job, item, settings) and
returns a JSON-able result; `result["next"]` lists stages to start after it succeeds.
Every output goes through `Context.derive` (→ `evidence.service.register_derivative`)
with a job key derived from the job id, so a repeated run returns the first run's items.
"""

from __future__ import annotations

import hashlib
import importlib
import time
from collections.abc import Callable, Iterator
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
from ingest.models import Job

Fingerprint = Callable[[IngestSettings], dict[str, Any]]


@dataclass(frozen=True, slots=True)
class Stage:
    name: str
    queue: str  # fast | media | asr | ocr | default
    run: Callable[[Context], dict[str, Any]]
    fingerprint: Fingerprint  # tool versions + settings that change the output
    per_subject: bool = False  # one job per subject (e.g. per clip), not one per item
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
    """What a stage needs; built by `ingest.jobs.run_job`."""

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
        """Report progress (0..1) in a separate short transaction, at most once a second."""
        now = time.monotonic()
        if fraction < 1.0 and now - self._last_progress < 1.0:
            return
        self._last_progress = now
        with Session(self.engine) as side:
            job = side.get(Job, self.job.id)
            if job is not None:
                job.progress = round(max(0.0, min(1.0, fraction)), 4)
                side.add(job)
                side.commit()


# Packages built on ingest contribute per-subject stages of their own (a redaction plan's
# analysis and rendering, a disclosure's watermarking) so that their slow work runs on the
# same queues, with the same retries. They import ingest, so ingest finds them by name.
CONTRIBUTED = ("redaction.stages", "disclosure.stages")


def _contributed() -> list[Stage]:
    found: list[Stage] = []
    for name in CONTRIBUTED:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            missing = exc.name or ""
            if name == missing or name.startswith(missing + "."):  # package not installed
                continue
            raise
        found += module.STAGES
    return found


def _registry() -> dict[str, Stage]:
    from ingest.stages import clip, detect, media, ocr, office, transcribe, unpack

    stages = [
        *detect.STAGES, *media.STAGES, *transcribe.STAGES, *ocr.STAGES, *unpack.STAGES,
        *clip.STAGES, *office.STAGES, *_contributed(),
    ]  # fmt: skip
    names = [stage.name for stage in stages]
    if len(set(names)) != len(names):
        raise RuntimeError(f"two stages share a name: {sorted(names)}")
    return {stage.name: stage for stage in stages}


_STAGES: dict[str, Stage] | None = None


def stages() -> dict[str, Stage]:
    """Every stage by name (imported lazily: whisper and friends are heavy)."""
    global _STAGES
    if _STAGES is None:
        _STAGES = _registry()
    return _STAGES
