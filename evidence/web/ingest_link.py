"""What the pages read from the media pipeline (ingest): processing state, durations,
case search, chat messages for the timeline, clip exports.

`evidence` must not depend on a domain package, so this is the one place where the web
layer reaches ingest, lazily and optionally: when ingest (or a part of it) is absent the
pages show a clear empty state instead of failing. Transcripts and OCR text are fetched
by the browser from ingest's REST endpoints (`/api/v1/items/{id}/transcript`, `/text`),
which record their own custody events.
"""

from __future__ import annotations

import importlib
import logging
from collections import defaultdict
from types import ModuleType
from typing import Any

from sqlalchemy import inspect
from sqlmodel import Session, col, select

from evidence.errors import InvalidInput
from evidence.policy import Principal

log = logging.getLogger(__name__)

# Job states that mean work is still under way, and the ones that mean it failed.
_RUNNING = {"queued", "running", "retrying", "pending", "started"}
_FAILED = {"failed", "error", "dead"}


def _module(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


_ready: set[tuple[str, str]] = set()


def _table(session: Session, model: Any) -> bool:
    """True once the table of an ingest model exists (ingest may be installed before its
    tables are migrated); positive answers are cached per database."""
    bind = session.get_bind()
    key = (str(bind.url), model.__tablename__)
    if key in _ready:
        return True
    # Inspect through the session's own connection: on SQLite a second connection would
    # wait for the write lock this request's transaction holds (BEGIN IMMEDIATE).
    if inspect(session.connection()).has_table(model.__tablename__):
        _ready.add(key)
        return True
    return False


def _model(session: Session, name: str) -> Any | None:
    models = _module("ingest.models")
    model = getattr(models, name, None) if models is not None else None
    return model if model is not None and _table(session, model) else None


def available() -> bool:
    return _module("ingest.models") is not None


def processing(session: Session, item_ids: list[str]) -> dict[str, str]:
    """A one-word state per item: processing, failed or done (items without jobs: absent)."""
    job = _model(session, "Job")
    if job is None or not item_ids:
        return {}
    states: dict[str, set[str]] = defaultdict(set)
    for chunk in range(0, len(item_ids), 900):  # SQLite's bound-parameter limit
        part = item_ids[chunk : chunk + 900]
        # A clip export is not the item's own processing: its state stays with the clip.
        for item_id, state in session.exec(
            select(job.item_id, job.state).where(
                col(job.item_id).in_(part), col(job.subject).is_(None)
            )
        ):
            states[item_id].add(str(state))
    result = {}
    for item_id, seen in states.items():
        if seen & _RUNNING:
            result[item_id] = "processing"
        elif seen & _FAILED:
            result[item_id] = "failed"
        else:
            result[item_id] = "done"
    return result


def durations(session: Session, item_ids: list[str]) -> dict[str, float]:
    """Seconds of audio/video per item, from ingest's probe (when it has run)."""
    info = _model(session, "MediaInfo")
    if info is None or not item_ids:
        return {}
    found: dict[str, float] = {}
    for chunk in range(0, len(item_ids), 900):
        part = item_ids[chunk : chunk + 900]
        for item_id, probe in session.exec(
            select(info.item_id, info.probe).where(col(info.item_id).in_(part))
        ):
            value = (probe or {}).get("duration") if isinstance(probe, dict) else None
            if value:
                found[item_id] = float(value)
    return found


def search(
    *, session: Session, principal: Principal, case_id: str, q: str, client: str | None
) -> list[dict[str, Any]] | None:
    """Hits from transcripts, OCR/PDF text and chat messages; None when search is absent.
    Ingest's search authorises the caller and records each item shown."""
    module = _module("ingest.search")
    if module is None or not hasattr(module, "search") or _model(session, "SearchEntry") is None:
        return None
    hits = module.search(
        session=session, principal=principal, case_id=case_id, q=q, limit=50, client=client
    )
    return [hit.as_dict() if hasattr(hit, "as_dict") else dict(hit) for hit in hits]


def chat_messages(session: Session, item_ids: list[str], limit: int = 2000) -> list[Any] | None:
    """Chat messages with a sent time, of the given (already authorised) items."""
    msg = _model(session, "ChatMessage")
    if msg is None:
        return None
    if not item_ids:
        return []
    rows: list[Any] = []
    for chunk in range(0, len(item_ids), 900):
        part = item_ids[chunk : chunk + 900]
        rows.extend(
            session.exec(
                select(msg)
                .where(col(msg.item_id).in_(part), col(msg.sent_at).is_not(None))
                .limit(limit)
            )
        )
    return rows[:limit]


def clip_exports(session: Session, clip_ids: list[str]) -> dict[str, dict[str, Any]]:
    """Per clip of an (already authorised) item: its export state and, once done, the id
    of the `clip` derivative."""
    job = _model(session, "Job")
    if job is None or not clip_ids:
        return {}
    found: dict[str, dict[str, Any]] = {}
    rows = session.exec(
        select(job.subject, job.state, job.result)
        .where(job.stage == "clip", col(job.subject).in_(clip_ids))
        .order_by(col(job.created_at))
    )
    for subject, state, result in rows:
        state = str(state)
        word = "processing" if state in _RUNNING else "failed" if state in _FAILED else "done"
        found[subject] = {"state": word, "derivative": (result or {}).get("derivative")}
    return found


def _ask_ingest(action: str, unsupported: InvalidInput, **kwargs: Any) -> None:
    """Call an ingest service (which authorises and records the request itself); the
    pipeline's refusals become the vault's `InvalidInput`, so the error page shows them."""
    module = _module("ingest.service")
    if module is None:
        raise InvalidInput("this needs the media pipeline, which is not installed")
    from ingest.errors import IngestError, UnsupportedMedia

    try:
        getattr(module, action)(**kwargs)
    except UnsupportedMedia as exc:
        raise unsupported from exc
    except IngestError as exc:
        raise InvalidInput(str(exc)) from exc


def export_clip(
    *, session: Session, principal: Principal, clip_id: str, client: str | None
) -> None:
    """Queue a clip's export as a derivative."""
    _ask_ingest(
        "export_clip", InvalidInput("only processed audio and video items can be clipped"),
        session=session, principal=principal, clip_id=clip_id, client=client,
    )  # fmt: skip


def transcribing(session: Session, item_id: str) -> list[str]:
    """Languages an item is being transcribed again in (queued or running `asr` jobs)."""
    job = _model(session, "Job")
    if job is None:
        return []
    rows = session.exec(
        select(job.subject, job.state).where(job.item_id == item_id, job.stage == "asr")
    )
    return sorted(str(subject) for subject, state in rows if str(state) in _RUNNING)


def transcribe_in(
    *, session: Session, principal: Principal, item_id: str, language: str, client: str | None
) -> None:
    """Queue a transcript in a chosen language."""
    _ask_ingest(
        "transcribe_in", InvalidInput("only processed audio and video items can be transcribed"),
        session=session, principal=principal, item_id=item_id, language=language, client=client,
    )  # fmt: skip
