"""`dalel user …` and `dalel apikey …`: accounts and device keys, from the terminal.

Passwords come from DALEL_PASSWORD or a prompt (`cli_common.password`), never from the
command line, which other users of the machine can read in the process list.
"""

from __future__ import annotations

import argparse
import os
from typing import Any

from evidence.cli_common import CliError, open_session, password, principal_named
from evidence.config import Settings


def cmd_user_add(args: argparse.Namespace, settings: Settings) -> int:
    from evidence import service
    from evidence.models import Role

    with open_session(settings) as session:
        user = service.create_user(
            session=session,
            principal=None,
            username=args.name,
            password=password(),
            role=Role(args.role),
            full_name=args.full_name or "",
        )
    print(f"created {user.role} {user.username} ({user.id})")
    return 0


def cmd_user_unlock(args: argparse.Namespace, settings: Settings) -> int:
    from evidence import service

    with open_session(settings) as session:
        service.unlock_user(session=session, principal=None, username=args.name)
    print(f"unlocked {args.name}")
    return 0


def cmd_user_reset_totp(args: argparse.Namespace, settings: Settings) -> int:
    from evidence import service

    with open_session(settings) as session:
        service.reset_totp(session=session, principal=None, username=args.name, reason=args.reason)
    print(f"two-factor sign-in of {args.name} reset; all its sessions ended")
    return 0


def cmd_apikey_add(args: argparse.Namespace, settings: Settings) -> int:
    from datetime import timedelta

    from evidence import service
    from evidence.models import KeyScope

    days = settings.api_key_ttl_days if args.days is None else args.days
    if not 0 <= days <= 3650:  # as the API's expires_in_days
        raise CliError("--days is between 0 (never expires) and 3650")
    with open_session(settings) as session:
        admin = principal_named(session, args.by)
        secret, key = service.create_api_key(
            session=session,
            principal=admin,
            username=args.user,
            device=args.device,
            scope=KeyScope(args.scope),
            ttl=timedelta(days=days) if days else None,
        )
    print(f"device key {key.id} for {args.device}, scope {key.scope} (shown once): {secret}")
    return 0


def cmd_apikey_list(args: argparse.Namespace, settings: Settings) -> int:
    from datetime import UTC, datetime

    from evidence import service

    with open_session(settings) as session:
        rows = service.list_api_keys(session=session, principal=None)
    now = datetime.now(UTC)
    for key, username in rows:
        # An expired key is refused by the server like a revoked one: say so.
        expired = key.expires_at is not None and key.expires_at <= now
        state = "revoked" if key.revoked_at else "expired" if expired else "active"
        used = key.last_used_at.isoformat(timespec="minutes") if key.last_used_at else "never"
        until = key.expires_at.date().isoformat() if key.expires_at else "no expiry"
        print(f"{key.id}  {username}  {key.device}  {key.scope}  {state}  used {used}  {until}")
    return 0


def cmd_apikey_revoke(args: argparse.Namespace, settings: Settings) -> int:
    from evidence import service

    with open_session(settings) as session:
        key = service.revoke_api_key(session=session, principal=None, key_id=args.id)
    print(f"device key {key.id} ({key.device}) revoked")
    return 0


def register(sub: Any, add: Any) -> None:
    """Add the `user` and `apikey` commands to the `dalel` parser."""
    from evidence.models import Role

    users = sub.add_parser("user", help="manage accounts").add_subparsers(dest="sub", required=True)
    user_add = add(
        "add", cmd_user_add, "create an account (password from DALEL_PASSWORD or prompt)", users
    )
    user_add.add_argument("name")
    user_add.add_argument(
        "--role",
        required=True,
        choices=[str(role) for role in Role],
    )
    user_add.add_argument("--full-name")
    unlock = add("unlock", cmd_user_unlock, "unlock an account after failed sign-ins", users)
    unlock.add_argument("name")
    reset = add(
        "reset-totp", cmd_user_reset_totp, "remove an account's authenticator (lost phone)", users
    )
    reset.add_argument("name")
    reset.add_argument("--reason", required=True, help="recorded in custody, e.g. a ticket")

    keys = sub.add_parser("apikey", help="device keys").add_subparsers(dest="sub", required=True)
    key_add = add("add", cmd_apikey_add, "issue a device API key bound to an officer", keys)
    key_add.add_argument("--user", required=True, help="the officer")
    key_add.add_argument("--device", required=True)
    key_add.add_argument("--by", default=os.environ.get("DALEL_USER"), help="administrator")
    key_add.add_argument(
        "--scope", choices=["upload", "officer"], default="upload", help="default: upload only"
    )
    key_add.add_argument(
        "--days", type=int, help="expiry (default DALEL_API_KEY_TTL_DAYS; 0 never)"
    )
    add("list", cmd_apikey_list, "list device keys with their last use", keys)
    key_revoke = add("revoke", cmd_apikey_revoke, "revoke a device key at once", keys)
    key_revoke.add_argument("id")
