"""Core tables: user, api key, auth token, case, membership, blob, item, upload session."""

from __future__ import annotations


def load_all_models() -> None:
    """Import every package's tables so metadata (create_all, Alembic) sees them all."""
    import custody.models  # noqa: F401
