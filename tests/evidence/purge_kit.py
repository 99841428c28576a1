"""What the purge tests share (tests/evidence/test_retention_purge.py, test_purge_job.py):
an old item approved for purging by two prosecutors, and the states a purge can leave."""

from __future__ import annotations

import os
from typing import Any

from evidence import service
from evidence.models import Role
from evidence.retention_models import ItemRetention
from evidence.service.purge import decide_purge, propose_purge
from evidence.storage import ObjectStore, blob_key
from tests.app_kit import Api

LONG_AGO = "2015-03-10T09:00:00+05:00"


class Crash(BaseException):
    """The process dies here (BaseException: no `except Exception` handler sees it)."""


def store_of(api: Api) -> ObjectStore:
    return api.client.app.state.store  # type: ignore[attr-defined,no-any-return]


def approved_purge(api: Api, team: dict[str, Any], *, data: bytes | None = None) -> tuple[str, str]:
    """An old item in an 'administrative' case, proposed and approved for purging by two
    prosecutors through the services (so no background job runs it): (purge id, item id)."""
    case_id = team["case"]["id"]
    second = api.user("second", Role.PROSECUTOR)
    assert api.client.post(
        f"/api/v1/cases/{case_id}/members", json={"username": "second"},
        headers=team["prosecutor"],
    ).status_code == 201  # fmt: skip
    item = api.upload(case_id, team["officer"], data or os.urandom(4096), collected_at=LONG_AGO)
    assert item.status_code == 201, item.text
    assert api.client.put(
        f"/api/v1/cases/{case_id}/retention", json={"category": "administrative"},
        headers=team["prosecutor"],
    ).status_code == 200  # fmt: skip
    with api.session() as session:
        proposer = service.authenticate(
            session=session, secret=team["prosecutor"]["Authorization"].split()[1]
        )
        request = propose_purge(
            session=session, principal=proposer, case_id=case_id, reason="period over",
            item_ids=[item.json()["id"]],
        )  # fmt: skip
        decide_purge(session=session, principal=second, purge_id=request.id, approve=True)
    return request.id, item.json()["id"]


def purge_state(api: Api, item_id: str) -> tuple[bool, int, bool]:
    """(object stored, item.purged events, purge marker set)."""
    with api.session() as session:
        own = session.get(ItemRetention, item_id)
        item = session.get(service.items.Item, item_id)  # type: ignore[attr-defined]
        assert own is not None and item is not None
        stored = store_of(api).exists(blob_key(item.sha256))
        marker = own.purging_at is not None
    return stored, len(api.events("item.purged")), marker
