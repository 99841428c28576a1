"""Pages for the prosecution: choose items of a case and disclose them; revoke.

Mounted with disclosure.views (the lead includes `disclosure.views.router`, which
includes this one)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import RedirectResponse
from sqlmodel import Session

from disclosure import portal, selection, service
from disclosure.errors import DisclosureError
from disclosure.web import page, sign_in
from evidence import service as evidence_service
from evidence.deps import ClientDep, SessionDep, StoreDep
from evidence.errors import EvidenceError
from evidence.models import Case, ItemKind
from evidence.policy import Principal
from evidence.web.core import WebPrincipal

router = APIRouter(include_in_schema=False)


def choices(
    session: Session, principal: Principal, case_id: str, client: str | None
) -> list[dict[str, object]]:
    """Each original of the case with what would be disclosed for it ("redacted" or
    "original"), or "blocked" and why (the error, shown in the page's language)."""
    case = session.get(Case, case_id)
    rows = evidence_service.list_items(
        session=session, principal=principal, case_id=case_id, client=client
    )
    assert case is not None  # list_items refused a case that does not exist
    choices: list[dict[str, object]] = []
    for item, _ in rows:
        if item.kind is ItemKind.DERIVATIVE:
            continue
        why: DisclosureError | None = None
        try:
            _, disclosed = selection.resolve(session, case=case, item_id=item.id)
            state = "redacted" if disclosed.id != item.id else "original"
        except DisclosureError as exc:
            state, why = "blocked", exc
        choices.append({"id": item.id, "name": item.original_name, "state": state, "why": why})
    return choices


@router.get("/portal/cases/{case_id}/disclose")
def disclose_page(
    case_id: str, request: Request, principal: WebPrincipal, session: SessionDep,
    client: ClientDep,
) -> Response:  # fmt: skip
    if principal is None:
        return sign_in(request)
    try:
        disclosures = portal.list_for_case(
            session=session, principal=principal, case_id=case_id, client=client
        )
        options = choices(session, principal, case_id, client)
    except (DisclosureError, EvidenceError) as exc:
        return page(request, "portal.html", 403, rows=[], error=exc,
                    principal=principal)  # fmt: skip
    return page(request, "disclose.html", case_id=case_id, choices=options,
                disclosures=disclosures, principal=principal, error=None)  # fmt: skip


@router.post("/portal/cases/{case_id}/disclosures")
def disclose_submit(
    case_id: str,
    request: Request,
    principal: WebPrincipal,
    session: SessionDep,
    store: StoreDep,
    client: ClientDep,
    recipient: Annotated[str, Form()],
    items: Annotated[list[str], Form()],
    expires: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    if principal is None:
        return sign_in(request)
    try:
        expires_at = datetime.fromisoformat(expires).replace(tzinfo=UTC) if expires else None
        disclosure = service.create_disclosure(
            session=session, store=store, principal=principal, case_id=case_id,
            recipient=recipient.strip(), items=items, expires_at=expires_at, note=note,
            client=client,
        )  # fmt: skip
    except (DisclosureError, EvidenceError, ValueError) as exc:
        options = choices(session, principal, case_id, client)
        return page(request, "disclose.html", 400, case_id=case_id, choices=options,
                    disclosures=[], principal=principal, error=exc)  # fmt: skip
    return RedirectResponse(f"/portal/disclosures/{disclosure.id}", status_code=303)


@router.post("/portal/disclosures/{disclosure_id}/tranches")
def tranche_submit(
    disclosure_id: str,
    request: Request,
    principal: WebPrincipal,
    session: SessionDep,
    store: StoreDep,
    client: ClientDep,
    add: Annotated[list[str] | None, Form()] = None,
    withdraw: Annotated[list[str] | None, Form()] = None,
    note: Annotated[str, Form()] = "",
) -> Response:
    """The next tranche: items to add and files to withdraw, from the disclosure page."""
    if principal is None:
        return sign_in(request)
    service.add_tranche(
        session=session, store=store, principal=principal, disclosure_id=disclosure_id,
        add=add or [], withdraw=withdraw or [], note=note, client=client,
    )  # fmt: skip
    return RedirectResponse(f"/portal/disclosures/{disclosure_id}", status_code=303)


def _disclosure_action(
    action: Callable[..., object], disclosure_id: str, request: Request,
    principal: Principal | None, session: Session, client: str | None,
) -> Response:  # fmt: skip
    """A prosecution form on a disclosure's page: sign-in, CSRF, the action, back."""
    if principal is None:
        return sign_in(request)
    action(session=session, principal=principal, disclosure_id=disclosure_id, client=client)
    return RedirectResponse(f"/portal/disclosures/{disclosure_id}", status_code=303)


@router.post("/portal/disclosures/{disclosure_id}/prepare")
def prepare_submit(
    disclosure_id: str, request: Request, principal: WebPrincipal, session: SessionDep,
    client: ClientDep,
) -> Response:  # fmt: skip
    """Queue again the watermarks that failed (or never reached a worker)."""
    return _disclosure_action(
        service.prepare_again, disclosure_id, request, principal, session, client
    )


@router.post("/portal/disclosures/{disclosure_id}/revoke")
def revoke_submit(
    disclosure_id: str, request: Request, principal: WebPrincipal, session: SessionDep,
    client: ClientDep,
) -> Response:  # fmt: skip
    return _disclosure_action(service.revoke, disclosure_id, request, principal, session, client)
