"""Errors of the ingest package: one base class, no HTTP types.

`evidence.app` maps each class to an HTTP status in one table; jobs record
`str(error)` as the failure reason visible on the item. Messages are English templates
with named parameters (`InvalidEdit("segment %(n)s ends before it starts", n=3)`); the
messages of `ingest/media` (tool diagnostics that end up only in a job's recorded
reason) are not translated and not extracted.
"""

from __future__ import annotations

from evidence.errors import TranslatableError


class IngestError(TranslatableError):
    """Base class for every ingest failure."""

    title = "Ingest error"


class ToolFailed(IngestError):
    """An external tool (ffmpeg, tesseract, exiftool, pdftoppm...) failed or timed out."""

    title = "Tool failed"

    def __init__(
        self, template: str, /, *, tool: str = "", returncode: int | None = None, **params: object
    ) -> None:
        super().__init__(template, **params)
        self.tool = tool
        self.returncode = returncode


class ToolMissing(ToolFailed):
    """A required external tool is not installed on this machine."""

    title = "Tool missing"


class UnsupportedMedia(IngestError):
    """The file is not of a kind this function handles, or is unreadable as that kind."""

    title = "Unsupported media"


class ModelMissing(IngestError):
    """A model file is not present at its configured local path; nothing is downloaded."""

    title = "Model missing"


class NotConfigured(ModelMissing):
    """This server has no model for the work (a state to show, not a failure).

    `setting` names what an administrator sets to change that.
    """

    title = "Not configured"

    def __init__(self, template: str, /, *, setting: str, **params: object) -> None:
        super().__init__(template, setting=setting, **params)
        self.setting = setting


class JobCancelled(IngestError):
    """Someone cancelled the running job; it stops at its next progress report."""

    title = "Job cancelled"


class JobNotActive(IngestError):
    """There is no queued or running job of that stage to cancel."""

    title = "Job not active"


class PurgeIncomplete(IngestError):
    """An approved purge could not finish yet (the object store still keeps an item)."""

    title = "Purge incomplete"


class ArchiveRejected(IngestError):
    """The archive as a whole is refused (unreadable, too many entries, bomb)."""

    title = "Archive rejected"


class ChatExportInvalid(IngestError):
    """A chat export (Telegram result.json, WhatsApp _chat.txt) cannot be parsed."""

    title = "Chat export invalid"


class UnknownStage(IngestError):
    """A stage name that the pipeline does not have (e.g. in a re-run request)."""

    title = "Unknown stage"


class NotProcessed(IngestError):
    """The item has no such output yet (no transcript, no text, not a chat export)."""

    title = "Not processed"


class InvalidEdit(IngestError):
    """A transcript edit that is malformed (times out of order, empty segments...)."""

    title = "Invalid edit"


class QueueUnavailable(IngestError):
    """Redis is configured but unreachable; the job row stays queued for a re-run."""

    title = "Queue unavailable"


class EditConflict(IngestError):
    """A transcript edit based on a version that is no longer the latest."""

    title = "Edit conflict"


class ModelInstallError(IngestError):
    """A model cannot be installed or imported (missing part, hash mismatch, bad folder)."""

    title = "Model install error"
