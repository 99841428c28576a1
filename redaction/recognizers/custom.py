"""Deployment-defined regex recognizers from ``patterns.yaml`` (``custom_patterns``).

A deployment adds a new identifier format without code, e.g. in
``$DALEL_REDACTION_DATA_DIR/patterns.yaml``::

    custom_patterns:
      - entity: KZ_ERDR_NUMBER
        name: ЕРДР
        regex: '(?<!\\d)\\d{15}(?!\\d)'
        score: 0.6
        languages: [kk, ru, en]
        context: [ердр, сдтб]

The entity must also be added to ``policy.yaml`` (default_entities) to be proposed by
default, and may get a reason code in ``reasons.yaml``.
"""

from __future__ import annotations

import re

from presidio_analyzer import Pattern, PatternRecognizer

from redaction.config import load_data
from redaction.errors import RedactionConfigError


def custom_recognizers(*, language: str) -> list[PatternRecognizer]:
    """Return a ``PatternRecognizer`` per ``custom_patterns`` entry for ``language``."""
    entries = load_data("patterns.yaml").get("custom_patterns") or []
    out = []
    for i, entry in enumerate(entries):
        try:
            entity, regex = entry["entity"], entry["regex"]
            re.compile(regex)
        except (KeyError, TypeError, re.error) as exc:
            raise RedactionConfigError(
                "custom_patterns[%(i)s] is invalid: %(reason)s", i=i, reason=exc
            ) from exc
        if language not in entry.get("languages", ["kk", "ru", "en"]):
            continue
        out.append(
            PatternRecognizer(
                supported_entity=entity,
                name=f"Custom{entity.title().replace('_', '')}",
                supported_language=language,
                patterns=[
                    Pattern(entry.get("name", entity), regex, float(entry.get("score", 0.6)))
                ],
                context=list(entry.get("context") or []),
            )
        )
    return out
