"""What the pages and the review API read from the media pipeline: ingest's side of
`evidence.hooks.MediaPipeline`, put on the application by `evidence.app.create_app`.

Processing state, durations, case search, chat messages for the timeline, clip exports
and transcription requests. Transcripts and OCR text are fetched by the browser from
ingest's REST endpoints (`/api/v1/items/{id}/transcript`, `/text`), which record their
own custody events. Until ingest's tables are migrated, the pages show empty states.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from contextlib import suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import inspect
from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel, col, select

from evidence.errors import InvalidInput
from evidence.policy import Principal
from ingest import service
from ingest.errors import IngestError, UnsupportedMedia
from ingest.models import ChatMessage, MediaInfo, SearchEntry
from ingest.runtime.models import Job, JobState

# Job states that mean work is still under way, and the one that means it failed.
RUNNING = frozenset({JobState.QUEUED, JobState.RUNNING})
SPEECH_STAGES = ("transcribe", "asr")
CHUNK = 900  # SQLite's bound-parameter limit
PREVIEW_SIDE = 320  # pixels, the longest side of a quarantine thumbnail


def _word(states: set[str]) -> str:
    if states & RUNNING:
        return "processing"
    return "failed" if JobState.FAILED in states else "done"


def _ask(call: Callable[..., Any], unsupported: InvalidInput, **kwargs: Any) -> None:
    """Call an ingest service (which authorises and records the request itself); the
    pipeline's refusals become the vault's `InvalidInput`, so the error page shows them."""
    try:
        call(**kwargs)
    except UnsupportedMedia as exc:
        raise unsupported from exc
    except IngestError as exc:
        raise InvalidInput(exc.template, **exc.params) from exc


def _facts(probe: dict[str, Any]) -> dict[str, Any]:
    """The page's summary of a probe (exiftool for images, ffprobe for audio/video)."""
    found = probe.get("device")
    device: dict[str, Any] = found if isinstance(found, dict) else {}
    camera = " ".join(str(device[k]) for k in ("make", "model") if device.get(k))
    facts: dict[str, Any] = {
        "camera": camera or None,
        "lens": device.get("lens"),
        "software": device.get("software"),
        "location": probe.get("location") if isinstance(probe.get("location"), dict) else None,
    }
    when = probe.get("captured_at") or probe.get("creation_time")
    if isinstance(when, str) and when:
        with suppress(ValueError):
            moment = datetime.fromisoformat(when.replace("Z", "+00:00"))
            if moment.tzinfo is not None:
                facts["captured_at"] = moment.astimezone(UTC)
                facts["captured_from"] = probe.get("captured_at_source") or (
                    "quicktime" if probe.get("creation_time") else "exif"
                )
    return {k: v for k, v in facts.items() if v}


class IngestPages:
    """`evidence.hooks.MediaPipeline` answered from ingest's tables and services."""

    def __init__(self) -> None:
        self._ready: set[tuple[str, str]] = set()

    def _table(self, session: Session, model: type[SQLModel]) -> bool:
        """True once the model's table exists (ingest may be installed before its tables
        are migrated); positive answers are cached per database."""
        name = str(model.__tablename__)
        key = (str(session.get_bind().engine.url), name)
        if key in self._ready:
            return True
        # Inspect through the session's own connection: on SQLite a second connection would
        # wait for the write lock this request's transaction holds (BEGIN IMMEDIATE).
        if inspect(session.connection()).has_table(name):
            self._ready.add(key)
            return True
        return False

    def processing(self, session: Session, item_ids: list[str]) -> dict[str, str]:
        if not item_ids or not self._table(session, Job):
            return {}
        states: dict[str, set[str]] = defaultdict(set)
        for chunk in range(0, len(item_ids), CHUNK):
            part = item_ids[chunk : chunk + CHUNK]
            # A clip export is not the item's own processing: its state stays with the clip.
            for item_id, state in session.exec(
                select(Job.item_id, Job.state).where(
                    col(Job.item_id).in_(part), col(Job.subject).is_(None)
                )
            ):
                states[item_id].add(str(state))
        return {item_id: _word(seen) for item_id, seen in states.items()}

    def durations(self, session: Session, item_ids: list[str]) -> dict[str, float]:
        if not item_ids or not self._table(session, MediaInfo):
            return {}
        found: dict[str, float] = {}
        for chunk in range(0, len(item_ids), CHUNK):
            part = item_ids[chunk : chunk + CHUNK]
            for item_id, probe in session.exec(
                select(MediaInfo.item_id, MediaInfo.probe).where(col(MediaInfo.item_id).in_(part))
            ):
                value = (probe or {}).get("duration") if isinstance(probe, dict) else None
                if value:
                    found[item_id] = float(value)
        return found

    def file_facts(self, session: Session, item_ids: list[str]) -> dict[str, dict[str, Any]]:
        if not item_ids or not self._table(session, MediaInfo):
            return {}
        found: dict[str, dict[str, Any]] = {}
        for chunk in range(0, len(item_ids), CHUNK):
            part = item_ids[chunk : chunk + CHUNK]
            for item_id, probe in session.exec(
                select(MediaInfo.item_id, MediaInfo.probe).where(col(MediaInfo.item_id).in_(part))
            ):
                facts = _facts(probe) if isinstance(probe, dict) else {}
                if facts:
                    found[item_id] = facts
        return found

    def search(
        self, *, session: Session, principal: Principal, case_id: str, q: str,
        client: str | None, filters: dict[str, Any] | None = None,
    ) -> list[dict[str, Any]] | None:  # fmt: skip
        """Hits from transcripts, OCR/PDF/office text and chat messages. `filters` are
        `ingest.search.Filters` fields (kinds, source_kinds, since, until, tag, sender).
        Search authorises the caller and records each item shown."""
        from ingest import search

        if not self._table(session, SearchEntry):
            return None
        try:
            chosen = search.Filters(**(filters or {}))
        except ValueError as exc:
            raise InvalidInput(str(exc)) from exc
        hits = search.search(
            session=session, principal=principal, case_id=case_id, q=q, limit=50,
            filters=chosen, client=client,
        )  # fmt: skip
        return [hit.as_dict() for hit in hits]

    def chat_messages(
        self, session: Session, item_ids: list[str], limit: int = 2000
    ) -> list[Any] | None:
        if not self._table(session, ChatMessage):
            return None
        rows: list[Any] = []
        for chunk in range(0, len(item_ids), CHUNK):
            part = item_ids[chunk : chunk + CHUNK]
            rows.extend(
                session.exec(
                    select(ChatMessage)
                    .where(
                        col(ChatMessage.item_id).in_(part), col(ChatMessage.sent_at).is_not(None)
                    )
                    .limit(limit)
                )
            )
        return rows[:limit]

    def clip_exports(self, session: Session, clip_ids: list[str]) -> dict[str, dict[str, Any]]:
        if not clip_ids or not self._table(session, Job):
            return {}
        found: dict[str, dict[str, Any]] = {}
        rows = session.exec(
            select(Job.subject, Job.state, Job.result)
            .where(Job.stage == "clip", col(Job.subject).in_(clip_ids))
            .order_by(col(Job.created_at))
        )
        for subject, state, result in rows:
            derivative = (result or {}).get("derivative")
            found[str(subject)] = {"state": _word({str(state)}), "derivative": derivative}
        return found

    def transcribing(self, session: Session, item_id: str) -> list[str]:
        if not self._table(session, Job):
            return []
        rows = session.exec(
            select(Job.subject, Job.state).where(Job.item_id == item_id, Job.stage == "asr")
        )
        return sorted(str(subject) for subject, state in rows if state in RUNNING)

    def speech_state(self, session: Session, item_id: str) -> dict[str, Any] | None:
        """The newest queued or running transcription (stage, language, progress 0..1),
        else "not_configured" when the newest transcription found no model on this
        server, else None."""
        if not self._table(session, Job):
            return None
        # SQLAlchemy's own select: SQLModel's is typed for at most four columns.
        rows = list(
            session.execute(
                sa_select(
                    col(Job.stage),
                    col(Job.subject),
                    col(Job.state),
                    col(Job.progress),
                    col(Job.result),
                )
                .where(col(Job.item_id) == item_id, col(Job.stage).in_(SPEECH_STAGES))
                .order_by(col(Job.created_at))
            )
        )
        for stage, subject, state, progress, _result in reversed(rows):
            if state in RUNNING:
                return {"state": str(state), "stage": stage, "subject": subject,
                        "progress": progress}  # fmt: skip
        if rows and rows[-1][2] == JobState.NOT_CONFIGURED:
            return {"state": "not_configured", "setting": (rows[-1][4] or {}).get("setting")}
        return None

    def transcription_setup(self) -> dict[str, Any] | None:
        from ingest.asr import transcription_status
        from ingest.runtime import jobs

        status = transcription_status(jobs.runtime().settings)  # the app's settings
        return {"configured": status.configured, "setting": status.setting, "engine": status.engine}

    def preview(self, *, path: Path, name: str) -> bytes | None:
        from ingest.media.detect import Kind, detect
        from ingest.media.proxy import image_thumbnail, poster_frame

        kind = detect(path=path, original_name=name).kind
        if kind not in {Kind.IMAGE, Kind.VIDEO}:
            return None
        output = path.with_name("preview.jpg")
        try:
            if kind is Kind.IMAGE:
                image_thumbnail(source=path, output=output, max_side=PREVIEW_SIDE)
            else:
                poster_frame(source=path, output=output, width=PREVIEW_SIDE)
        except IngestError:  # undecodable: the page says there is no preview
            return None
        return output.read_bytes()

    def export_clip(
        self, *, session: Session, principal: Principal, clip_id: str, client: str | None
    ) -> None:
        _ask(
            service.export_clip,
            InvalidInput("only processed audio and video items can be clipped"),
            session=session, principal=principal, clip_id=clip_id, client=client,
        )  # fmt: skip

    def cancel_job(
        self, *, session: Session, principal: Principal, item_id: str, stage: str,
        client: str | None,
    ) -> None:  # fmt: skip
        _ask(
            service.cancel, InvalidInput("this stage cannot be cancelled"),
            session=session, principal=principal, item_id=item_id, stage=stage, client=client,
        )  # fmt: skip

    def transcribe_in(
        self, *, session: Session, principal: Principal, item_id: str, language: str,
        client: str | None,
    ) -> None:  # fmt: skip
        _ask(
            service.transcribe_in,
            InvalidInput("only processed audio and video items can be transcribed"),
            session=session, principal=principal, item_id=item_id, language=language,
            client=client,
        )  # fmt: skip
