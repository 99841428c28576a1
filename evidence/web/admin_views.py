"""The administrator's pages: accounts (create, disable and enable, unlock, change the
role, reset a lost authenticator with the reason), device keys for docking stations
(issue, shown once; revoke) and sign-in failures. Administrators never see evidence:
nothing here reads a case or an item.

A refused form is shown again with the reason in the page's language and the fields as
typed; nothing was changed (the services commit only after every check).
"""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from custody.events import utc_now
from evidence import service
from evidence.deps import ClientDep, SessionDep
from evidence.errors import EvidenceError
from evidence.models import KeyScope, Role
from evidence.policy import Perm, Principal
from evidence.service import accounts, apikeys, users
from evidence.service.access import require
from evidence.web.core import Me, WebRoute, localized_reason, page

router = APIRouter(include_in_schema=False, route_class=WebRoute)
ROLES = [str(r) for r in Role]


def _admin_page(
    request: Request,
    me: Principal,
    session: SessionDep,
    client: str | None,
    *,
    status_code: int = 200,
    **context: Any,
) -> Response:
    require(session, principal=me, perm=Perm.USER_MANAGE, client=client)
    people = users.list_users(session=session, principal=me, client=client)
    keys = apikeys.list_api_keys(session=session, principal=me, client=client)
    failures = accounts.sign_in_failures(session=session, principal=me, client=client)
    session.commit()
    context.setdefault("typed", {})
    return page(
        request, "admin.html", me, status_code=status_code, people=people, keys=keys,
        failures=failures, roles=ROLES, officers=[u for u in people if u.role is Role.OFFICER
        and u.disabled_at is None], message=request.query_params.get("done", ""),
        now=utc_now(), **context,
    )  # fmt: skip


@router.get("/admin")
def admin(request: Request, me: Me, session: SessionDep, client: ClientDep) -> Response:
    return _admin_page(request, me, session, client)


def _done(what: str) -> Response:
    return RedirectResponse(f"/admin?done={what}", status_code=303)


@router.post("/admin/users")
def create_user(
    request: Request,
    me: Me,
    session: SessionDep,
    client: ClientDep,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    role: Annotated[str, Form()],
    full_name: Annotated[str, Form()] = "",
) -> Response:
    try:
        service.create_user(
            session=session, principal=me, username=username.strip(), password=password,
            role=accounts.check_role(role), full_name=full_name.strip(), client=client,
        )  # fmt: skip
    except EvidenceError as exc:
        session.rollback()
        typed = {"username": username, "role": role, "full_name": full_name}
        return _admin_page(
            request,
            me,
            session,
            client,
            status_code=400,
            error=localized_reason(request, exc),
            typed=typed,
        )
    return _done("created")


def _account_action(
    request: Request, me: Principal, session: SessionDep, client: str | None, action: Any
) -> Response:
    try:
        action(session=session, principal=me, client=client)
    except EvidenceError as exc:
        session.rollback()
        return _admin_page(
            request, me, session, client, status_code=400, error=localized_reason(request, exc)
        )
    return _done("changed")


@router.post("/admin/users/{username}/disable")
def disable(
    username: str, request: Request, me: Me, session: SessionDep, client: ClientDep
) -> Response:
    act = partial(accounts.set_disabled, username=username, disabled=True)
    return _account_action(request, me, session, client, act)


@router.post("/admin/users/{username}/enable")
def enable(
    username: str, request: Request, me: Me, session: SessionDep, client: ClientDep
) -> Response:
    act = partial(accounts.set_disabled, username=username, disabled=False)
    return _account_action(request, me, session, client, act)


@router.post("/admin/users/{username}/unlock")
def unlock(
    username: str, request: Request, me: Me, session: SessionDep, client: ClientDep
) -> Response:
    act = partial(users.unlock_user, username=username)
    return _account_action(request, me, session, client, act)


@router.post("/admin/users/{username}/role")
def change_role(
    username: str, request: Request, me: Me, session: SessionDep, client: ClientDep,
    role: Annotated[str, Form()],
) -> Response:  # fmt: skip
    act = partial(accounts.set_role, username=username, role=role)
    return _account_action(request, me, session, client, act)


@router.post("/admin/users/{username}/totp-reset")
def totp_reset(
    username: str, request: Request, me: Me, session: SessionDep, client: ClientDep,
    reason_text: Annotated[str, Form(alias="reason")] = "",
) -> Response:  # fmt: skip
    act = partial(users.reset_totp, username=username, reason=reason_text)
    return _account_action(request, me, session, client, act)


@router.post("/admin/keys")
def issue_key(
    request: Request,
    me: Me,
    session: SessionDep,
    client: ClientDep,
    officer: Annotated[str, Form()],
    device: Annotated[str, Form()],
    scope: Annotated[str, Form()] = "upload",
) -> Response:
    """A device key for a docking station: its secret is shown on this answer only."""
    try:
        secret, key = apikeys.create_api_key(
            session=session, principal=me, username=officer, device=device.strip(),
            scope=KeyScope.OFFICER if scope == "officer" else KeyScope.UPLOAD, client=client,
        )  # fmt: skip
    except EvidenceError as exc:
        session.rollback()
        typed = {"officer": officer, "device": device}
        return _admin_page(
            request,
            me,
            session,
            client,
            status_code=400,
            error=localized_reason(request, exc),
            typed=typed,
        )
    return _admin_page(request, me, session, client, new_key=(key, secret))


@router.post("/admin/keys/{key_id}/revoke")
def revoke_key(
    key_id: str, request: Request, me: Me, session: SessionDep, client: ClientDep
) -> Response:
    act = partial(apikeys.revoke_api_key, key_id=key_id)
    return _account_action(request, me, session, client, act)
