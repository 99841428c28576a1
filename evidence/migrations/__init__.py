"""Schema migrations (Alembic), run by `dalel migrate` and on `dalel serve`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config

HERE = Path(__file__).parent


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(HERE))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Leave out what only one database has: SQLite's FTS5 search tables, and the
    PostgreSQL-only document vector of search_entry and trigram index of search_term
    (all managed by ingest.search)."""
    if name and name.startswith("search_fts"):
        return False
    if name == "ix_search_term_key_trgm":
        return False
    return not (name in {"tsv", "ix_search_entry_tsv"} and obj.table.name == "search_entry")


def upgrade(url: str) -> None:
    """Bring the database at `url` to the newest schema."""
    command.upgrade(alembic_config(url), "head")
