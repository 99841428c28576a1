"""What every `dalel` command module shares: the error it reports, and the database.

`evidence.cli` builds the parser; `cli_custody`, `cli_retention` and the packages' own
command modules (`ingest.search.cli`, `ingest.cli_models`) add their commands to it and
take these from here, so none reaches into another's private helpers.
"""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session

from evidence.config import Settings


class CliError(Exception):
    """A failure to report to the person at the terminal (no traceback)."""


def migrated_engine(settings: Settings) -> Engine:
    """The database engine, its schema brought up to date first."""
    from evidence.app import load_all_models
    from evidence.db import make_engine
    from evidence.migrations import upgrade

    load_all_models()
    upgrade(settings.database_url or "")
    return make_engine(settings.database_url or "")


def open_session(settings: Settings) -> Session:
    """A session on the migrated database (objects stay readable after commit)."""
    return Session(migrated_engine(settings), expire_on_commit=False)
