"""Ingest's processing stages: one module per family, each listing its `Stage`s.

A stage function receives a `Context` (`ingest.runtime.stages`) and returns a JSON-able
result; `result["next"]` lists stages to start after it succeeds.
"""

from __future__ import annotations

from ingest.stages import clip, detect, media, ocr, office, purge, transcribe, unpack

STAGES = [
    *detect.STAGES,
    *media.STAGES,
    *transcribe.STAGES,
    *ocr.STAGES,
    *unpack.STAGES,
    *clip.STAGES,
    *office.STAGES,
    *purge.STAGES,
]
