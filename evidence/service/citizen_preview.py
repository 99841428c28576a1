"""Thumbnails of quarantined files, so the investigator sees what a person sent before
deciding to accept it as evidence.

A file from a link is not evidence yet and may be anything: it is never served as it
is. The media pipeline decodes it and encodes a small JPEG again (`MediaPipeline.
preview`), so only its picture reaches the page; every preview is a custody event, as
any read of the bytes is. Large files get no preview rather than a copy of gigabytes
per look (their type, size and hash are on the page; accepting runs the pipeline).
"""

from __future__ import annotations

import shutil

from sqlmodel import Session

import custody
from evidence import scratch
from evidence.citizen_models import Submission
from evidence.errors import IntegrityMismatch, NotFound
from evidence.hooks import MediaPipeline
from evidence.models import Blob
from evidence.policy import Perm, Principal
from evidence.service.access import load_case, require
from evidence.service.derive import copy_object
from evidence.storage import ObjectStore

PREVIEW_MAX_BYTES = 256 * 1024 * 1024  # a few minutes of phone video
PREVIEWED_TYPES = ("image/", "video/")


def can_preview(submission: Submission) -> bool:
    """Whether the page offers a thumbnail of the file (by its detected type and size)."""
    return (
        submission.media_type.startswith(PREVIEWED_TYPES) and submission.size <= PREVIEW_MAX_BYTES
    )


def preview_submission(
    *,
    session: Session,
    store: ObjectStore,
    media: MediaPipeline,
    principal: Principal,
    submission_id: str,
    client: str | None = None,
) -> bytes | None:
    """A JPEG thumbnail of a file received through a request, for a case member who
    reviews such files; None when the file has none (not a picture, too large, or
    undecodable). The read is recorded before the bytes are copied."""
    submission = session.get(Submission, submission_id)
    if submission is None:
        raise NotFound("no such submission")
    case = load_case(session, submission.case_id)
    require(session, principal=principal, perm=Perm.CITIZEN_REVIEW, client=client, case=case)
    if not can_preview(submission):
        return None
    blob = session.get(Blob, submission.sha256)
    assert blob is not None
    custody.record(
        session=session, action=custody.Action.SUBMISSION_PREVIEWED, actor=principal.actor(),
        case_id=case.id, sha256=blob.sha256, client=client,
        details={"submission": submission.id},
    )  # fmt: skip
    session.commit()
    folder = scratch.mkdtemp(prefix="dalel-preview-")
    try:
        path = folder / "input"
        if not copy_object(store=store, blob=blob, path=path):
            raise IntegrityMismatch("the stored object of this file no longer matches its hash")
        return media.preview(path=path, name=submission.original_name)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
