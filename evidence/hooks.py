"""Notifications from the vault to the domain packages, wired in `evidence.app`.

`evidence` may not import the domain packages, yet ingest must hear about new items to
start processing them; the app registers its callbacks here at start-up.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from sqlmodel import Session

from evidence.errors import InvalidInput
from evidence.policy import Principal

log = logging.getLogger(__name__)

ItemAdded = Callable[[str, str], None]  # (item id, item kind)
_item_added: list[ItemAdded] = []


def on_item_added(callback: ItemAdded) -> None:
    """Register a callback run after an item (original or unpacked child) is committed."""
    if callback not in _item_added:
        _item_added.append(callback)


def item_added(item_id: str, kind: str) -> None:
    """Tell every listener; a listener's failure never undoes the committed item."""
    for callback in list(_item_added):
        try:
            callback(item_id, kind)
        except Exception:  # the item is safely stored; processing can be re-run
            log.exception("item-added hook failed for %s", item_id)


ItemsAdded = Callable[[list[str], str], None]  # (item ids, their kind)
_items_added: list[tuple[ItemsAdded, ItemAdded | None]] = []


def on_items_added(callback: ItemsAdded, *, instead_of: ItemAdded | None = None) -> None:
    """Register a callback for many items committed together (a batch upload), told
    once for all of them `instead_of` that single-item listener (which then hears only
    of items added one at a time)."""
    if all(existing is not callback for existing, _ in _items_added):
        _items_added.append((callback, instead_of))


def items_added(item_ids: list[str], kind: str) -> None:
    """Tell every listener of items committed in one transaction: batch listeners once
    (so they can queue the items' work in one transaction too), the other single-item
    listeners once per item."""
    if not item_ids:
        return
    replaced = {id(single) for _, single in _items_added if single is not None}
    for callback, _ in list(_items_added):
        try:
            callback(item_ids, kind)
        except Exception:  # the items are safely stored; processing can be re-run
            log.exception("items-added hook failed for %d items", len(item_ids))
    for single in list(_item_added):
        if id(single) not in replaced:
            for item_id in item_ids:
                try:
                    single(item_id, kind)
                except Exception:
                    log.exception("item-added hook failed for %s", item_id)


# (session, user id, item id) -> is the item disclosed to that user right now?
DisclosureLookup = Callable[[Any, str, str], bool]
_disclosure_lookup: list[DisclosureLookup] = []


def set_disclosure_lookup(lookup: DisclosureLookup | None) -> None:
    """Install the disclosure package's answer to "was this item disclosed to them?"."""
    _disclosure_lookup[:] = [lookup] if lookup else []


def is_disclosed(session: Any, user_id: str, item_id: str) -> bool:
    """Without a disclosure package nothing is ever disclosed (defence sees nothing)."""
    return bool(_disclosure_lookup) and _disclosure_lookup[0](session, user_id, item_id)


# (session, item id) -> seconds of audio/video, or None when unknown (not media, not
# probed yet, or no pipeline installed).
DurationLookup = Callable[[Any, str], float | None]
_duration_lookup: list[DurationLookup] = []


def set_duration_lookup(lookup: DurationLookup | None) -> None:
    """Install the media pipeline's answer to "how long is this item?"."""
    _duration_lookup[:] = [lookup] if lookup else []


def media_duration(session: Any, item_id: str) -> float | None:
    """Clip and note times are checked against this when it is known."""
    return _duration_lookup[0](session, item_id) if _duration_lookup else None


# (session, item id) -> was the item ever disclosed to anyone (served or chosen in its place)?
ReleaseLookup = Callable[[Any, str], bool]
_release_lookup: list[ReleaseLookup] = []


def set_release_lookup(lookup: ReleaseLookup | None) -> None:
    """Install the disclosure package's answer to "was this item ever disclosed?"."""
    _release_lookup[:] = [lookup] if lookup else []


def was_disclosed(session: Any, item_id: str) -> bool:
    """Without a disclosure package nothing was ever disclosed."""
    return bool(_release_lookup) and _release_lookup[0](session, item_id)


# (session, item id) -> None: remove what a package derived from an item's content (its
# text, transcript, search entries) in the transaction that records the item's purge.
ItemPurged = Callable[[Any, str], None]
_item_purged: list[ItemPurged] = []


def on_item_purged(callback: ItemPurged) -> None:
    """Register a callback run inside the purge's transaction (a failure aborts it)."""
    if callback not in _item_purged:
        _item_purged.append(callback)


def item_purged(session: Any, item_id: str) -> None:
    for callback in list(_item_purged):
        callback(session, item_id)


# (purge id) -> True once the job runtime has the purge job (queued, or run inline).
PurgeRunner = Callable[[str], bool]
_purge_runner: list[PurgeRunner] = []


def set_purge_runner(runner: PurgeRunner | None) -> None:
    """Install the job runtime's way of queueing an approved purge (ingest's `purge` stage)."""
    _purge_runner[:] = [runner] if runner else []


def submit_purge(purge_id: str) -> bool:
    """Hand an approved purge to the job runtime; False when there is none installed (the
    vault alone), so the caller runs it itself. A submission failure propagates."""
    if not _purge_runner:
        return False
    return _purge_runner[0](purge_id)


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


# (to, subject, body) -> sent? The disclosure package's SMTP sender (`DALEL_SMTP_*`).
Mailer = Callable[[str, str, str], bool]
_mailer: list[Mailer] = []


def set_mailer(mailer: Mailer | None) -> None:
    """Install the way the vault sends an e-mail (evidence requests, receipts)."""
    _mailer[:] = [mailer] if mailer else []


def send_mail(to: str, subject: str, body: str) -> bool:
    """False when no mailer is installed or sending failed (never raises)."""
    if not _mailer:
        return False
    try:
        return _mailer[0](to, subject, body)
    except Exception:
        log.exception("e-mail to %s failed", to)
        return False


# (session, {item id: its redaction plan ids}) -> the files that explain why each hidden
# region was withheld (the redaction package's exemption log, JSON and PDFs).
ExemptionFiles = Callable[[Any, Mapping[str, Sequence[str]]], dict[str, bytes]]
_exemption_files: list[ExemptionFiles] = []


def set_exemption_files(writer: ExemptionFiles | None) -> None:
    """Install the redaction package's exemption log for bundles."""
    _exemption_files[:] = [writer] if writer else []


def exemption_files(session: Any, plans_by_item: Mapping[str, Sequence[str]]) -> dict[str, bytes]:
    """The exemption log of a bundle's redacted items; nothing when none is redacted.
    Without a redaction package there are no plans, so a redacted item cannot arise."""
    if not plans_by_item or not _exemption_files:
        return {}
    return _exemption_files[0](session, plans_by_item)
