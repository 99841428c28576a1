"""Words that reach the pages as data (roles, statuses, sources, kinds, states).

They are listed here, marked with `_`, only so that Babel's extractor puts them in the
catalogs; templates translate them at render time with `_(value)`.
"""

from __future__ import annotations


def _(message: str) -> str:
    return message


ROLES = [
    _("officer"),
    _("investigator"),
    _("prosecutor"),
    _("defence"),
    _("court"),
    _("auditor"),
    _("supervisor"),
    _("admin"),
]
CASE_STATUSES = [_("open"), _("closed"), _("archived")]
SOURCES = [
    _("bodycam"),
    _("phone"),
    _("cctv"),
    _("document"),
    _("photo"),
    _("audio"),
    _("citizen"),
    _("other"),
]
MEDIA_KINDS = [_("video"), _("audio"), _("image"), _("document"), _("other")]
DERIVATIVE_KINDS = [
    _("proxy"),
    _("thumbnail"),
    _("transcript"),
    _("ocr"),
    _("redacted"),
    _("derivative"),
    _("child"),
    _("original"),
    _("poster"),
    _("text"),
    _("searchable_pdf"),
    _("member"),
    _("clip"),
    _("watermarked"),
    _("review_page"),  # a page shown in the redaction review (redaction.review_pages)
]
HIT_KINDS = [_("pdf-text"), _("chat"), _("note")]
UNITS = [_("B"), _("KiB"), _("MiB"), _("GiB"), _("TiB")]
# An item's processing as the case page shows it (evidence.hooks.MediaPipeline.processing).
PROCESSING = [_("processing"), _("failed")]

# Custody actions as the pages name them (the code stays beside it: courts read codes).
# tests/web/test_labels.py fails when custody.events.Action gains a member not listed here.
ACTIONS = {
    "item.created": _("uploaded"),
    "item.duplicate_uploaded": _("uploaded again (duplicate)"),
    "item.derived": _("derivative made"),
    "item.metadata.read": _("description viewed"),
    "item.content.read": _("content viewed"),
    "item.downloaded": _("downloaded"),
    "item.custody.read": _("chain of custody viewed"),
    "item.verified": _("integrity verified"),
    "item.purged": _("purged"),
    "access.denied": _("access denied"),
    "case.created": _("case created"),
    "case.member.added": _("member added to the case"),
    "case.member.removed": _("member removed from the case"),
    "upload.rejected": _("upload rejected"),
    "upload.abandoned": _("upload abandoned"),
    "user.created": _("account created"),
    "user.locked": _("account locked"),
    "user.unlocked": _("account unlocked"),
    "apikey.created": _("device key issued"),
    "apikey.revoked": _("device key revoked"),
    "user.totp.enrolled": _("authenticator enrolled"),
    "user.sessions.revoked": _("sessions ended"),
    "user.totp.reset": _("authenticator reset"),
    "user.disabled": _("account disabled"),
    "user.enabled": _("account enabled again"),
    "user.role.changed": _("account role changed"),
    "case.updated": _("case details changed"),
    "item.tag.added": _("tag added"),
    "item.tag.removed": _("tag removed"),
    "item.note.added": _("note added"),
    "item.note.deleted": _("note deleted"),
    "item.clip.added": _("clip added"),
    "item.clip.deleted": _("clip deleted"),
    "item.clip.export": _("clip exported"),
    "case.timeline.read": _("timeline viewed"),
    "case.searched": _("case searched"),
    "case.custody.read": _("custody timeline of the case viewed"),
    "redaction.plan.created": _("redaction plan created"),
    "redaction.plan.revised": _("redaction plan revised"),
    "redaction.plan.approved": _("redaction plan approved"),
    "redaction.residual.checked": _("redacted copy checked"),
    "redaction.residual.overridden": _("residual check overridden"),
    "disclosure.created": _("disclosure created"),
    "disclosure.tranche.added": _("disclosure tranche added"),
    "disclosure.revoked": _("disclosure revoked"),
    "disclosure.receipt.signed": _("receipt signed"),
    "disclosure.key.registered": _("receipt key registered"),
    "disclosure.withheld.revealed": _("withheld material revealed to the court"),
    "item.disclosed": _("disclosed"),
    "item.disclosure.withdrawn": _("withdrawn from a disclosure"),
    "item.disclosure.flagged": _("disclosure flags set"),
    "file.released": _("file released (public verification)"),
    "ledger.witness.added": _("ledger witness registered"),
    "ledger.witness.removed": _("ledger witness removed"),
    "item.processing.refused": _("processing refused"),
    "item.retention.set": _("item retention set"),
    "case.retention.set": _("case retention set"),
    "case.lifecycle.set": _("case date recorded"),
    "legal_hold.placed": _("legal hold placed"),
    "legal_hold.released": _("legal hold released"),
    "purge.proposed": _("purge proposed"),
    "purge.approved": _("purge approved"),
    "purge.rejected": _("purge rejected"),
    "retention.refused": _("retention action refused"),
    "retention.config.loaded": _("retention table loaded"),
    "storage.repaired": _("crash leftovers removed from storage"),
    "citizen.request.created": _("evidence request sent"),
    "citizen.request.opened": _("evidence request opened"),
    "citizen.request.revoked": _("evidence request revoked"),
    "citizen.request.refused": _("evidence request link refused"),
    "citizen.file.received": _("file received from a citizen (quarantine)"),
    "citizen.file.accepted": _("citizen's file accepted"),
    "citizen.file.rejected": _("citizen's file rejected"),
    "citizen.file.previewed": _("citizen's file previewed (quarantine)"),
}

# Job stages as the item page names them (ingest.runtime.stages.stages(): ingest's,
# redaction's and disclosure's); tests/web/test_labels.py fails on a stage missing here.
STAGES = {
    "detect": _("type detection"),
    "thumbnail": _("thumbnails"),
    "proxy": _("viewing copy"),
    "transcribe": _("transcription"),
    "asr": _("transcription in a chosen language"),
    "ocr": _("text recognition"),
    "office": _("document text"),
    "unpack": _("unpacking"),
    "clip": _("clip export"),
    "redact": _("redaction analysis"),
    "render": _("redacted copy"),
    "wmark": _("watermarked copy"),
    "purge": _("purge after retention"),
}
# States of a purge request (evidence.retention_models.PurgeState).
PURGE_STATES = [_("proposed"), _("approved"), _("rejected"), _("done")]
