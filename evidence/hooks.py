"""Notifications from the vault to the domain packages: one `Hooks` registry per app.

`evidence` may not import the domain packages, yet ingest must hear about new items to
start processing them, and the policy must ask disclosure what was disclosed to whom.
`create_app` (and the CLI and workers, through `evidence.app.install_domains`) builds a
`Hooks`, lets each package register on it, and attaches it to the engine it opens
(`Hooks.bind`): a service finds the registry through its session (`of`), so two apps
in one process never hear each other, and nothing is a module global to patch. An
engine without one (the vault alone, a test of one package) has empty hooks: nothing is
disclosed, nothing processed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Connection, Engine
from sqlmodel import Session

from evidence.errors import InvalidInput
from evidence.policy import Principal

log = logging.getLogger(__name__)

# The engine's execution option that carries its registry (SQLAlchemy passes unknown
# options through untouched, to every connection and session made from the engine).
OPTION = "dalel_hooks"

ItemAdded = Callable[[str, str], None]  # (item id, item kind)
ItemsAdded = Callable[[list[str], str], None]  # (item ids, their kind)
# (session, user id, item id) -> is the item disclosed to that user right now?
DisclosureLookup = Callable[[Any, str, str], bool]
# (session, item id) -> seconds of audio/video, or None when unknown (not media, not
# probed yet, or no pipeline installed).
DurationLookup = Callable[[Any, str], float | None]
# (session, item id) -> was the item ever disclosed to anyone (served or chosen in its place)?
ReleaseLookup = Callable[[Any, str], bool]
# (session, item id) -> None: remove what a package derived from an item's content (its
# text, transcript, search entries) in the transaction that records the item's purge.
ItemPurged = Callable[[Any, str], None]
# (purge id) -> True once the job runtime has the purge job (queued, or run inline).
PurgeRunner = Callable[[str], bool]
# (to, subject, body) -> sent? The disclosure package's SMTP sender (`DALEL_SMTP_*`).
Mailer = Callable[[str, str, str], bool]
# (session, {item id: its redaction plan ids}) -> the files that explain why each hidden
# region was withheld (the redaction package's exemption log, JSON and PDFs).
ExemptionFiles = Callable[[Any, Mapping[str, Sequence[str]]], dict[str, bytes]]
# (session, principal) -> how many things wait for them: a navigation entry's count
# (`redactions` to review, unread `notifications`), by entry key (`evidence.web.nav`).
Counter = Callable[[Any, Principal], int]


@dataclass(eq=False)
class Hooks:
    """What the domain packages installed: listeners (many) and answers (one each).

    An answer left unset means its package is absent, and the vault behaves as alone.
    """

    disclosure_lookup: DisclosureLookup | None = None
    duration_lookup: DurationLookup | None = None
    release_lookup: ReleaseLookup | None = None
    purge_runner: PurgeRunner | None = None
    mailer: Mailer | None = None
    exemption_writer: ExemptionFiles | None = None
    added: list[ItemAdded] = field(default_factory=list)
    batch_added: list[tuple[ItemsAdded, ItemAdded | None]] = field(default_factory=list)
    purged: list[ItemPurged] = field(default_factory=list)
    counters: dict[str, Counter] = field(default_factory=dict)

    def bind(self, engine: Engine) -> Engine:
        """The engine (same pool) whose sessions find this registry through `of`."""
        return engine.execution_options(**{OPTION: self})

    def on_item_added(self, callback: ItemAdded) -> None:
        """Register a callback run after an item (original or unpacked child) is committed."""
        if callback not in self.added:
            self.added.append(callback)

    def on_items_added(self, callback: ItemsAdded, *, instead_of: ItemAdded | None = None) -> None:
        """Register a callback for many items committed together (a batch upload), told
        once for all of them `instead_of` that single-item listener (which then hears
        only of items added one at a time)."""
        if all(existing is not callback for existing, _ in self.batch_added):
            self.batch_added.append((callback, instead_of))

    def on_item_purged(self, callback: ItemPurged) -> None:
        """Register a callback run inside the purge's transaction (a failure aborts it)."""
        if callback not in self.purged:
            self.purged.append(callback)

    def forget(self, callback: Callable[..., Any]) -> None:
        """Stop telling a listener (and any batch listener standing in for it)."""
        self.added[:] = [c for c in self.added if c is not callback]
        self.batch_added[:] = [
            (c, single) for c, single in self.batch_added if callback not in (c, single)
        ]
        self.purged[:] = [c for c in self.purged if c is not callback]

    def item_added(self, item_id: str, kind: str) -> None:
        """Tell every listener; a listener's failure never undoes the committed item."""
        for callback in list(self.added):
            try:
                callback(item_id, kind)
            except Exception:  # the item is safely stored; processing can be re-run
                log.exception("item-added hook failed for %s", item_id)

    def items_added(self, item_ids: list[str], kind: str) -> None:
        """Tell every listener of items committed in one transaction: batch listeners
        once (so they can queue the items' work in one transaction too), the other
        single-item listeners once per item."""
        if not item_ids:
            return
        replaced = {id(single) for _, single in self.batch_added if single is not None}
        for callback, _ in list(self.batch_added):
            try:
                callback(item_ids, kind)
            except Exception:  # the items are safely stored; processing can be re-run
                log.exception("items-added hook failed for %d items", len(item_ids))
        for single in list(self.added):
            if id(single) not in replaced:
                for item_id in item_ids:
                    try:
                        single(item_id, kind)
                    except Exception:
                        log.exception("item-added hook failed for %s", item_id)

    def submit_purge(self, purge_id: str) -> bool:
        """Hand an approved purge to the job runtime; False when there is none installed
        (the vault alone), so the caller runs it itself. A submission failure propagates."""
        return self.purge_runner is not None and self.purge_runner(purge_id)

    def send_mail(self, to: str, subject: str, body: str) -> bool:
        """False when no mailer is installed or sending failed (never raises)."""
        if self.mailer is None:
            return False
        try:
            return self.mailer(to, subject, body)
        except Exception:
            log.exception("e-mail to %s failed", to)
            return False


def of(bind: Session | Engine | Connection) -> Hooks:
    """The registry of the engine behind a session (or engine, or connection); empty
    hooks when its engine was opened without one."""
    source = bind.get_bind() if isinstance(bind, Session) else bind
    found = source.get_execution_options().get(OPTION)
    return found if isinstance(found, Hooks) else Hooks()


def item_added(session: Session, item_id: str, kind: str) -> None:
    """Tell the listeners of the session's engine of an item just committed."""
    of(session).item_added(item_id, kind)


def items_added(session: Session, item_ids: list[str], kind: str) -> None:
    """Tell the listeners of the session's engine of items committed together."""
    of(session).items_added(item_ids, kind)


def is_disclosed(session: Session, user_id: str, item_id: str) -> bool:
    """Without a disclosure package nothing is ever disclosed (defence sees nothing)."""
    lookup = of(session).disclosure_lookup
    return lookup is not None and lookup(session, user_id, item_id)


def was_disclosed(session: Session, item_id: str) -> bool:
    """Without a disclosure package nothing was ever disclosed."""
    lookup = of(session).release_lookup
    return lookup is not None and lookup(session, item_id)


def media_duration(session: Session, item_id: str) -> float | None:
    """Clip and note times are checked against this when it is known."""
    lookup = of(session).duration_lookup
    return lookup(session, item_id) if lookup is not None else None


def item_purged(session: Session, item_id: str) -> None:
    """Let each package forget what it derived from the item, in the purge's transaction."""
    for callback in list(of(session).purged):
        callback(session, item_id)


def exemption_files(
    session: Session, plans_by_item: Mapping[str, Sequence[str]]
) -> dict[str, bytes]:
    """The exemption log of a bundle's redacted items; nothing when none is redacted.
    Without a redaction package there are no plans, so a redacted item cannot arise."""
    writer = of(session).exemption_writer
    if not plans_by_item or writer is None:
        return {}
    return writer(session, plans_by_item)


class MediaPipeline(Protocol):
    """What the pages and the review API read from (or ask of) the media pipeline.

    Ingest implements it (`ingest.pages.IngestPages`) and `create_app` puts it on the
    application (`app.state.media`, `evidence.deps.MediaDep`). Services behind it
    authorise and record their own requests. Without a pipeline, `NoMediaPipeline`
    gives every page a clear empty state.
    """

    def processing(self, session: Session, item_ids: list[str]) -> dict[str, str]:
        """A one-word state per item: processing, failed or done (no jobs: absent)."""
        ...

    def durations(self, session: Session, item_ids: list[str]) -> dict[str, float]:
        """Seconds of audio/video per item, from the probe (when it has run)."""
        ...

    def file_facts(self, session: Session, item_ids: list[str]) -> dict[str, dict[str, Any]]:
        """What each (already authorised) file says of itself, from its EXIF/XMP or
        QuickTime metadata: `camera`, `lens`, `software`, `location` {lat, lon, alt},
        `captured_at` (aware datetime, UTC) and `captured_from` (exif, gps, quicktime...)."""
        ...

    def search(
        self, *, session: Session, principal: Principal, case_id: str, q: str,
        client: str | None, filters: dict[str, Any] | None = None,
    ) -> list[dict[str, Any]] | None:  # fmt: skip
        """A case's search hits; None when there is no search."""
        ...

    def chat_messages(
        self, session: Session, item_ids: list[str], limit: int = 2000
    ) -> list[Any] | None:
        """Chat messages with a sent time of (already authorised) items; None: no chats."""
        ...

    def clip_exports(self, session: Session, clip_ids: list[str]) -> dict[str, dict[str, Any]]:
        """Per clip: its export state and, once done, the `clip` derivative's id."""
        ...

    def transcribing(self, session: Session, item_id: str) -> list[str]:
        """Languages an item is being transcribed again in."""
        ...

    def speech_state(self, session: Session, item_id: str) -> dict[str, Any] | None:
        """Where the item's transcription stands, for the page."""
        ...

    def transcription_setup(self) -> dict[str, Any] | None:
        """Whether this server can transcribe, and the setting that decides it."""
        ...

    def preview(self, *, path: Path, name: str) -> bytes | None:
        """A small JPEG of a file that is not evidence yet (a quarantined submission),
        decoded and encoded again so nothing of the file but its picture reaches the
        page: an image, a video's first keyframe; None for anything else."""
        ...

    def export_clip(
        self, *, session: Session, principal: Principal, clip_id: str, client: str | None
    ) -> None:
        """Queue a clip's export as a derivative."""
        ...

    def cancel_job(
        self, *, session: Session, principal: Principal, item_id: str, stage: str,
        client: str | None,
    ) -> None:  # fmt: skip
        """Cancel an item's queued or running job of a stage."""
        ...

    def transcribe_in(
        self, *, session: Session, principal: Principal, item_id: str, language: str,
        client: str | None,
    ) -> None:  # fmt: skip
        """Queue a transcript in a chosen language."""
        ...


class NoMediaPipeline:
    """The pages' empty states when no media pipeline is installed."""

    def processing(self, session: Session, item_ids: list[str]) -> dict[str, str]:
        return {}

    def durations(self, session: Session, item_ids: list[str]) -> dict[str, float]:
        return {}

    def file_facts(self, session: Session, item_ids: list[str]) -> dict[str, dict[str, Any]]:
        return {}

    def search(
        self, *, session: Session, principal: Principal, case_id: str, q: str,
        client: str | None, filters: dict[str, Any] | None = None,
    ) -> list[dict[str, Any]] | None:  # fmt: skip
        return None

    def chat_messages(
        self, session: Session, item_ids: list[str], limit: int = 2000
    ) -> list[Any] | None:
        return None

    def clip_exports(self, session: Session, clip_ids: list[str]) -> dict[str, dict[str, Any]]:
        return {}

    def transcribing(self, session: Session, item_id: str) -> list[str]:
        return []

    def speech_state(self, session: Session, item_id: str) -> dict[str, Any] | None:
        return None

    def transcription_setup(self) -> dict[str, Any] | None:
        return None

    def preview(self, *, path: Path, name: str) -> bytes | None:
        return None

    def _absent(self) -> InvalidInput:
        return InvalidInput("this needs the media pipeline, which is not installed")

    def export_clip(
        self, *, session: Session, principal: Principal, clip_id: str, client: str | None
    ) -> None:
        raise self._absent()

    def cancel_job(
        self, *, session: Session, principal: Principal, item_id: str, stage: str,
        client: str | None,
    ) -> None:  # fmt: skip
        raise self._absent()

    def transcribe_in(
        self, *, session: Session, principal: Principal, item_id: str, language: str,
        client: str | None,
    ) -> None:  # fmt: skip
        raise self._absent()
