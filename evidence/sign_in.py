"""The sign-in request path shared by `POST /api/v1/auth/token` and the web form.

It runs on the event loop until the password must be checked: refusals by the
in-memory guard cost no thread and no database connection, and the slow Argon2 check
is admitted through a `Gate` (a few at once, a bounded queue, the rest 503 at once).
Every refusal is answered after the same short pause, so a flood of guesses gets few
answers per second without holding anything but its own sockets.
"""

from __future__ import annotations

import asyncio
import os
from datetime import timedelta

from fastapi import Request
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from evidence.config import Settings
from evidence.errors import AuthenticationFailed
from evidence.models import AuthToken, TokenKind
from evidence.service import signin
from evidence.service.totp import TotpPolicy, TotpRequired
from evidence.throttle import Gate, Overloaded, Throttled


def lock_policy(settings: Settings) -> signin.LockPolicy:
    return signin.LockPolicy(
        pair_lock_after=settings.login_pair_lock_after,
        pair_lock_minutes=settings.login_pair_lock_minutes,
        account_lock_after=settings.login_lock_after,
        account_lock_minutes=settings.login_lock_minutes,
        account_lock_max_hours=settings.login_lock_max_hours,
        failures_per_minute=settings.login_failures_per_minute,
    )


def install(app_state: object, settings: Settings) -> None:
    """Put the process's sign-in guard and password gate on the application."""
    cores = os.cpu_count() or 2
    app_state.login_guard = signin.LoginGuard(lock_policy(settings))  # type: ignore[attr-defined]
    # Argon2 is made to fill a core: leave one for everything else the server does.
    app_state.password_gate = Gate(  # type: ignore[attr-defined]
        capacity=max(1, cores - 1), queue=8 * cores
    )


def _login(
    request: Request,
    *,
    username: str,
    password: str,
    totp: str | None,
    kind: TokenKind,
    client: str | None,
) -> tuple[str, AuthToken]:
    settings: Settings = request.app.state.settings
    with Session(request.app.state.engine, expire_on_commit=False) as session:
        return signin.login(
            session=session,
            username=username,
            password=password,
            ttl=timedelta(minutes=settings.token_ttl_minutes),
            kind=kind,
            client=client,
            totp=totp,
            totp_policy=TotpPolicy.from_environment(production=settings.is_production),
            guard=request.app.state.login_guard,
        )


async def sign_in(
    request: Request,
    *,
    username: str,
    password: str,
    totp: str | None,
    kind: TokenKind,
) -> tuple[str, AuthToken]:
    """Check the credentials and issue a token, or raise (after the refusal pause)."""
    state = request.app.state
    settings: Settings = state.settings
    client = request.client.host if request.client else None
    try:
        state.login_guard.admit(username=username, client=client)
        async with state.password_gate.admit():
            return await run_in_threadpool(
                _login,
                request,
                username=username,
                password=password,
                totp=totp,
                kind=kind,
                client=client,
            )
    except TotpRequired:
        raise
    except (AuthenticationFailed, Throttled, Overloaded):
        # Even "busy" waits: an instant refusal would invite an instant retry.
        await asyncio.sleep(settings.login_refusal_delay_seconds)
        raise
