"""Retention, legal holds and purges over HTTP (thin: the services decide everything)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Body, Query, Request
from fastapi.responses import Response

from evidence.deps import ClientDep, CurrentPrincipal, SessionDep, SettingsDep
from evidence.retention_models import LegalHold
from evidence.retention_schemas import (
    CaseRetentionPublic,
    CaseRetentionUpdate,
    CodedPublic,
    HoldCreate,
    HoldPublic,
    HoldRelease,
    ItemRetentionPublic,
    ItemRetentionUpdate,
    LifecycleUpdate,
    PurgeInfoPublic,
    RetentionTablePublic,
)
from evidence.service import holds, retention, retention_info, retention_settings
from evidence.service.retention_jobs import after_change, save_table

router = APIRouter(tags=["retention"])


def _hold(hold: LegalHold) -> HoldPublic:
    return HoldPublic.model_validate(hold, from_attributes=True)


def _coded(value: retention_info.Coded) -> CodedPublic:
    return CodedPublic(code=value.code, names=value.names, text=value.text, source=value.source)


def _item_public(info: retention_info.ItemRetentionInfo) -> ItemRetentionPublic:
    return ItemRetentionPublic(
        item_id=info.item_id,
        category=_coded(info.category),
        category_reason=info.category_reason,
        legal_basis=_coded(info.legal_basis),
        purpose=_coded(info.purpose),
        retain_until=info.retain_until,
        holds=[_hold(h) for h in info.holds],
        purge=PurgeInfoPublic.model_validate(info.purge, from_attributes=True)
        if info.purge
        else None,
        storage_until=info.storage_until,
        storage_hold=info.storage_hold,
    )


def _case_public(info: retention_info.CaseRetentionInfo) -> CaseRetentionPublic:
    return CaseRetentionPublic(
        case_id=info.case.id,
        category=_coded(info.category),
        legal_basis=_coded(info.legal_basis),
        purpose=_coded(info.purpose),
        closed_at=info.settings.closed_at,
        verdict_at=info.settings.verdict_at,
        appeal_ended_at=info.settings.appeal_ended_at,
        holds=[_hold(h) for h in info.holds],
        counts=info.counts,
        next_date=info.next_date,
    )


@router.get("/retention/table", response_model=RetentionTablePublic, summary="Retention table")
def get_table(principal: CurrentPrincipal, session: SessionDep) -> RetentionTablePublic:
    """The categories, legal bases and purposes in force (any signed-in user)."""
    del principal
    table_id, table = retention.current_config(session)
    return RetentionTablePublic(id=table_id, digest=table.digest, table=table.as_json())


@router.put("/retention/table", response_model=RetentionTablePublic, summary="Replace the table")
def put_table(
    body: Annotated[dict[str, Any], Body()],
    principal: CurrentPrincipal,
    session: SessionDep,
    settings: SettingsDep,
    client: ClientDep,
) -> RetentionTablePublic:
    """Administrators: validate a new table (a bad one is refused whole, e.g. a negative
    period), save it as `$DALEL_DATA_DIR/retention.yaml`, put it in force, redate items."""
    save_table(
        session=session, principal=principal, body=body, data_dir=settings.data_dir, client=client
    )
    table_id, table = retention.current_config(session)
    return RetentionTablePublic(id=table_id, digest=table.digest, table=table.as_json())


@router.get(
    "/cases/{case_id}/retention", response_model=CaseRetentionPublic, summary="Case retention"
)
def get_case_retention(
    case_id: str, principal: CurrentPrincipal, session: SessionDep, client: ClientDep
) -> CaseRetentionPublic:
    info = retention_info.case_retention(
        session=session, principal=principal, case_id=case_id, client=client
    )
    return _case_public(info)


@router.put(
    "/cases/{case_id}/retention", response_model=CaseRetentionPublic, summary="Set case retention"
)
def put_case_retention(
    case_id: str,
    body: CaseRetentionUpdate,
    request: Request,
    tasks: BackgroundTasks,
    principal: CurrentPrincipal,
    session: SessionDep,
    client: ClientDep,
) -> CaseRetentionPublic:
    """Prosecutor of the case: category, legal basis and purpose (codes + free text)."""
    retention_settings.set_case_retention(
        session=session,
        principal=principal,
        case_id=case_id,
        category=body.category,
        basis=retention_settings.Basis(**body.model_dump(exclude={"category"})),
        client=client,
    )
    result = get_case_retention(case_id, principal, session, client)
    after_change(tasks, request.app, session, case_id=case_id)
    return result


@router.patch(
    "/cases/{case_id}/lifecycle", response_model=CaseRetentionPublic, summary="Case dates"
)
def patch_lifecycle(
    case_id: str,
    body: LifecycleUpdate,
    request: Request,
    tasks: BackgroundTasks,
    principal: CurrentPrincipal,
    session: SessionDep,
    client: ClientDep,
) -> CaseRetentionPublic:
    """Prosecutor of the case: closure, verdict and end-of-appeal dates (each recorded);
    fields left out stay, `null` clears one. Offsets are required."""
    retention_settings.set_lifecycle(
        session=session,
        principal=principal,
        case_id=case_id,
        dates=body.model_dump(exclude_unset=True),
        client=client,
    )
    result = get_case_retention(case_id, principal, session, client)
    after_change(tasks, request.app, session, case_id=case_id)
    return result


@router.get(
    "/items/{item_id}/retention", response_model=ItemRetentionPublic, summary="Item retention"
)
def get_item_retention(
    item_id: str, principal: CurrentPrincipal, session: SessionDep, client: ClientDep
) -> ItemRetentionPublic:
    info = retention_info.item_retention(
        session=session, principal=principal, item_id=item_id, client=client
    )
    return _item_public(info)


@router.put(
    "/items/{item_id}/retention",
    response_model=ItemRetentionPublic,
    summary="Override item retention",
)
def put_item_retention(
    item_id: str,
    body: ItemRetentionUpdate,
    request: Request,
    tasks: BackgroundTasks,
    principal: CurrentPrincipal,
    session: SessionDep,
    client: ClientDep,
) -> ItemRetentionPublic:
    """Prosecutor: an item's own category (with a reason), basis and purpose."""
    row = retention_settings.set_item_retention(
        session=session,
        principal=principal,
        item_id=item_id,
        category=body.category,
        reason=body.reason,
        basis=retention_settings.Basis(**body.model_dump(exclude={"category", "reason"})),
        client=client,
    )
    result = get_item_retention(item_id, principal, session, client)
    after_change(tasks, request.app, session, case_id=row.case_id, item_id=item_id)
    return result


@router.get("/cases/{case_id}/holds", response_model=list[HoldPublic], summary="Legal holds")
def list_holds(
    case_id: str, principal: CurrentPrincipal, session: SessionDep, client: ClientDep
) -> list[HoldPublic]:
    rows = holds.list_holds(session=session, principal=principal, case_id=case_id, client=client)
    return [_hold(h) for h in rows]


@router.post(
    "/cases/{case_id}/holds", response_model=HoldPublic, status_code=201, summary="Place a hold"
)
def place_hold(
    case_id: str,
    body: HoldCreate,
    request: Request,
    tasks: BackgroundTasks,
    principal: CurrentPrincipal,
    session: SessionDep,
    client: ClientDep,
) -> HoldPublic:
    """Prosecutor or court member: hold the case or one item (nothing in scope can be
    purged); the object store's legal-hold flag follows."""
    hold = holds.place_hold(
        session=session,
        principal=principal,
        case_id=case_id,
        reason=body.reason,
        item_id=body.item_id,
        client=client,
    )
    result = _hold(hold)
    after_change(tasks, request.app, session, case_id=case_id, item_id=hold.item_id)
    return result


@router.post("/holds/{hold_id}/release", response_model=HoldPublic, summary="Release a hold")
def release_hold(
    hold_id: str,
    body: HoldRelease,
    request: Request,
    tasks: BackgroundTasks,
    principal: CurrentPrincipal,
    session: SessionDep,
    client: ClientDep,
) -> HoldPublic:
    hold = holds.release_hold(
        session=session, principal=principal, hold_id=hold_id, reason=body.reason, client=client
    )
    result = _hold(hold)
    after_change(tasks, request.app, session, case_id=hold.case_id, item_id=hold.item_id)
    return result


@router.get(
    "/cases/{case_id}/retention/report.pdf",
    summary="Retention report (PDF)",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
def report(
    case_id: str,
    principal: CurrentPrincipal,
    session: SessionDep,
    client: ClientDep,
    lang: Annotated[str, Query(pattern="^(kk|ru|en)$")] = "ru",
) -> Response:
    """Category, basis, purpose, dates, holds, and what was purged under whose approval."""
    from evidence.service.retention_report import retention_report

    pdf = retention_report(
        session=session, principal=principal, case_id=case_id, language=lang, client=client
    )
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="retention-{case_id}-{lang}.pdf"'},
    )
