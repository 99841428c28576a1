"""What every `dalel` command module shares: the error it reports, the database, who
acts (`--by`) and the password prompt.

`evidence.cli` builds the parser; `cli_accounts`, `cli_custody`, `cli_retention` and the
packages' own command modules (`ingest.cli_search`, `ingest.cli_models`) add their
commands to it and take these from here, so none reaches into another's private helpers.
"""

from __future__ import annotations

import getpass
import os
import sys
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine
from sqlmodel import Session, select

from evidence.config import Settings

if TYPE_CHECKING:
    from evidence.hooks import Hooks


class CliError(Exception):
    """A failure to report to the person at the terminal (no traceback)."""


def migrated_engine(settings: Settings) -> Engine:
    """The database engine, its schema brought up to date first."""
    from evidence.db import make_engine
    from evidence.migrations import upgrade
    from evidence.tables import load_all_models

    load_all_models()
    upgrade(settings.database_url or "")
    return make_engine(settings.database_url or "")


def open_session(settings: Settings, *, hooks: Hooks | None = None) -> Session:
    """A session on the migrated database (objects stay readable after commit), hearing
    the domain packages through `hooks` when given (`evidence.app.install_domains`)."""
    engine = migrated_engine(settings)
    return Session(hooks.bind(engine) if hooks else engine, expire_on_commit=False)


def principal_named(session: Session, username: str | None) -> Any:
    """The Principal of the user named by --by (or DALEL_USER)."""
    from evidence.models import User
    from evidence.policy import Principal

    if not username:
        raise CliError("say who acts: --by USERNAME (or set DALEL_USER)")
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None:
        raise CliError(f"no user {username}")
    return Principal(user_id=user.id, username=user.username, role=user.role)


def password() -> str:
    """DALEL_PASSWORD, else asked twice at the terminal."""
    password = os.environ.get("DALEL_PASSWORD")
    if password:
        return password
    if not sys.stdin.isatty():
        raise CliError("set DALEL_PASSWORD or run interactively to be prompted")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Repeat password: "):
        raise CliError("the passwords differ")
    return first
