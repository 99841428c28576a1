"""Every package's tables on the shared metadata, without the web application: the CLI
and Alembic load them from here, so a command does not import every router first (that
was a second of each `dalel` command's three)."""

from __future__ import annotations

import importlib

# Modules whose import registers tables on the shared metadata (order is irrelevant).
MODEL_MODULES = (
    "evidence.models",
    "evidence.citizen_models",
    "evidence.review_models",
    "evidence.retention_models",
    "custody.models",
    "ingest.models",
    "ingest.runtime.models",
    "redaction.models",
    "disclosure.models",
)


def load_all_models() -> None:
    """Import every package's tables so metadata (create_all, Alembic) sees them all."""
    for name in MODEL_MODULES:
        importlib.import_module(name)
