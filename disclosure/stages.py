"""Stages the disclosure package contributes to ingest's job registry.

`wmark` (queue `media`, one job per disclosure entry): the per-recipient watermarked
copy of a disclosed image, video or PDF, prepared ahead of the defence's first read
(see `disclosure.prepare`).
"""

from __future__ import annotations

from disclosure.prepare import QUEUE, STAGE, TIMEOUT, run_watermark, watermark_fingerprint
from ingest.runtime.stages import Stage

STAGES = [
    Stage(
        name=STAGE,
        queue=QUEUE,
        run=run_watermark,
        fingerprint=watermark_fingerprint,
        per_subject=True,
        default_timeout=TIMEOUT,
    ),
]
