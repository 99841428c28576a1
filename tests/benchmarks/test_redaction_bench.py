"""Redaction benchmarks (``make bench``): analyzer throughput on ~1 MB of Russian text,
and the evaluation table (precision/recall per entity type and language).

Numbers are printed (run with ``-s`` to see them); the assertions are loose floors that
only catch a collapse, since the shared 2-core machines are noisy.
"""

from __future__ import annotations

import os
import random
import time

import pytest

os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")

pytestmark = pytest.mark.bench

TARGET_CHARS = 1_000_000


def _russian_megabyte() -> str:
    """~1 MB of Russian case text: evaluation sentences shuffled and varied."""
    from redaction.evalset import load

    texts = [r["text"] for r in load(language="ru")]
    rng = random.Random(1)
    filler = [
        "В ходе следственных действий установлено следующее.",
        "Материалы проверки приобщены к делу.",
        "Иных заявлений и ходатайств не поступило.",
    ]
    parts, size = [], 0
    while size < TARGET_CHARS:
        piece = rng.choice(texts) if rng.random() < 0.7 else rng.choice(filler)
        # Vary digits a little so that identical chunks are not analysed over and over.
        piece = piece.replace("2024", str(rng.randint(2015, 2025)))
        parts.append(piece)
        size += len(piece) + 1
    return "\n".join(parts)


def test_analyzer_throughput_russian_1mb() -> None:
    from redaction.analyzer import analyze_text
    from redaction.engine import get_analyzer

    t0 = time.perf_counter()
    get_analyzer()
    build_s = time.perf_counter() - t0
    text = _russian_megabyte()
    t0, c0 = time.perf_counter(), time.process_time()
    findings = analyze_text(text=text, language="ru")
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    rate = len(text) / elapsed
    # CPU time is the steadier figure on shared machines; wall time is what users see.
    print(
        f"\nredaction analyzer: {len(text):,} chars in {elapsed:.1f} s wall = {rate:,.0f} chars/s"
        f" ({len(text) / cpu:,.0f} chars per CPU-second), {len(findings):,} findings"
        f" (engine build {build_s:.1f} s)"
    )
    assert findings
    assert rate > 3_000


def test_evaluation_table() -> None:
    from redaction.evaluate import evaluate, format_table

    for split in ("dev", "holdout", None):
        report = evaluate(split=split)
        print(f"\nevaluation set, split={split or 'all'}:\n{format_table(report=report)}")
    assert report.total(mode="overlap").recall > 0.8
