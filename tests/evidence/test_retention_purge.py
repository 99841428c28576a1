"""The purge job on SQLite and PostgreSQL, the local store and moto's S3: crashes at every
step leave either the object and no `item.purged`, or no object and the purge's marker
(never bytes readable under a purged record); running again finishes once. The store's
own lock refuses early deletes; shared bytes outlive a purged item; fsck agrees."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import text

from evidence import service
from evidence.service.purge_run import run_purge
from evidence.storage import ObjectStore, blob_key
from tests.app_kit import Api
from tests.evidence.purge_kit import LONG_AGO, Crash, approved_purge, purge_state, store_of
from tests.storage_fixtures import s3_url


@pytest.fixture(
    params=[("sqlite", "local"), ("sqlite", "s3"), ("postgresql", "local"), ("postgresql", "s3")],
    ids=lambda p: "-".join(p),
)
def api(request: pytest.FixtureRequest, make_api: Callable[..., Api]) -> Api:
    """The shared app on each database, over the local store and over moto's S3."""
    db, storage = request.param
    storage_url = s3_url(request.getfixturevalue("s3_endpoint")) if storage == "s3" else None
    return make_api(db, storage_url=storage_url)


class CrashingStore:
    """The real store, except that the process dies around a delete."""

    def __init__(self, inner: ObjectStore, when: str) -> None:
        self.inner, self.when = inner, when

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def delete(self, key: str) -> None:
        if self.when == "before-delete":
            raise Crash
        self.inner.delete(key)
        if self.when == "after-delete":
            raise Crash


@pytest.mark.parametrize("when", ["before-delete", "after-delete", "before-record"])
def test_a_crash_mid_purge_leaves_one_of_two_states_and_a_rerun_finishes_once(
    api: Api, team, when: str
) -> None:  # type: ignore[no-untyped-def]
    purge_id, item_id = approved_purge(api, team)
    store: Any = CrashingStore(store_of(api), when)
    crashed_hook = None
    if when == "before-record":
        # The database dies while recording: the deletion happened, the record did not.
        def crashed_hook(session: Any, purged: str) -> None:
            raise Crash

        api.client.app.state.hooks.on_item_purged(crashed_hook)  # type: ignore[attr-defined]
    try:
        with api.session() as session, pytest.raises(Crash):
            run_purge(session=session, store=store, purge_id=purge_id)
    finally:
        if crashed_hook is not None:
            api.client.app.state.hooks.forget(crashed_hook)  # type: ignore[attr-defined]
    stored, purged_events, marker = purge_state(api, item_id)
    # Never a purged record while the bytes remain; never deleted bytes without a record
    # of the purge in progress (the marker, under the approvals already in the ledger).
    assert purged_events == 0
    assert stored is (when == "before-delete")
    assert marker
    if stored:  # the marker already keeps everyone from reading it
        response = api.client.get(f"/api/v1/items/{item_id}/content", headers=team["prosecutor"])
        assert response.status_code == 410
    with api.session() as session:
        report = service.fsck(session=session, store=store_of(api))
    assert [f.kind for f in report.findings] == ["purge-pending"]
    for _ in range(2):  # the job again (twice): it finishes, and only once
        with api.session() as session:
            request = run_purge(session=session, store=store_of(api), purge_id=purge_id)
        assert str(request.state) == "done"
    assert purge_state(api, item_id) == (False, 1, True)
    with api.session() as session:
        report = service.fsck(session=session, store=store_of(api))
    assert report.ok and report.purged == 1, report.findings


def test_storage_refuses_an_early_delete_and_the_item_stays(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    """The database says due; the store was locked longer (the category was longer when
    it was applied): the delete is refused by the store and nothing is recorded."""
    purge_id, item_id = approved_purge(api, team)
    with api.session() as session:
        item = session.get(service.items.Item, item_id)  # type: ignore[attr-defined]
        from datetime import UTC, datetime, timedelta

        store_of(api).set_retention(
            blob_key(item.sha256), until=datetime.now(UTC) + timedelta(days=30)
        )
        request = run_purge(session=session, store=store_of(api), purge_id=purge_id)
    assert str(request.state) == "approved"
    assert "retains the object until" in (request.error or "")
    assert purge_state(api, item_id) == (True, 0, False)
    content = api.client.get(f"/api/v1/items/{item_id}/content", headers=team["prosecutor"])
    assert content.status_code == 200


def test_shared_bytes_stay_for_the_other_item(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    data = os.urandom(3000)
    other_case = api.case(team["prosecutor"], number="202611210000099")
    other = api.upload(other_case, team["prosecutor"], data).json()
    purge_id, item_id = approved_purge(api, team, data=data)
    with api.session() as session:
        request = run_purge(session=session, store=store_of(api), purge_id=purge_id)
    assert str(request.state) == "done"
    with api.engine.connect() as conn:
        leaf = conn.execute(
            text("SELECT leaf FROM ledger_entry WHERE action = 'item.purged'")
        ).scalar_one()
    assert b"other item" in bytes(leaf)
    assert store_of(api).exists(blob_key(other["sha256"]))
    assert (
        api.client.get(f"/api/v1/items/{other['id']}/content", headers=team["prosecutor"]).content
        == data
    )
    assert (
        api.client.get(f"/api/v1/items/{item_id}/content", headers=team["prosecutor"]).status_code
        == 410
    )


def test_storage_follows_dates_and_holds(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    """Applying retention: locks extended to the dates (never shortened), hold flags
    mirrored; a direct delete is refused by the store itself."""
    from datetime import UTC, datetime

    from evidence.service.object_locks import sync_objects
    from evidence.storage import ObjectLocked

    case_id = team["case"]["id"]
    item = api.upload(case_id, team["officer"], os.urandom(500)).json()  # collected now
    key = blob_key(item["sha256"])
    assert api.client.put(
        f"/api/v1/cases/{case_id}/retention", json={"category": "administrative"},
        headers=team["prosecutor"],
    ).status_code == 200  # fmt: skip
    until = store_of(api).lock_state(key).retain_until
    assert until is not None and until.year == datetime.now(UTC).year + 3
    with pytest.raises(ObjectLocked):
        store_of(api).delete(key)
    shorter = api.client.put(
        f"/api/v1/items/{item['id']}/retention",
        json={"category": "incidental-recording", "reason": "unrelated footage"},
        headers=team["prosecutor"],
    )
    assert shorter.status_code == 200
    assert shorter.json()["retain_until"] < until.isoformat()
    assert store_of(api).lock_state(key).retain_until == until  # never shortened
    hold = api.client.post(
        f"/api/v1/cases/{case_id}/holds", json={"reason": "court order"},
        headers=team["prosecutor"],
    )  # fmt: skip
    assert hold.status_code == 201
    assert store_of(api).lock_state(key).legal_hold
    with api.session() as session:
        report = sync_objects(session=session, store=store_of(api))
    assert (report.extended, report.holds_changed) == (0, 0)  # nothing left to move


def test_what_ingest_derived_goes_with_the_bytes(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    """The item's text, transcript and search entries are content too: the purge's
    transaction removes them; reading them afterwards is 410 like the bytes."""
    from datetime import UTC, datetime

    from sqlmodel import col, select

    from ingest.models import SearchEntry, TextPage
    from ingest.search.index import replace_entries

    purge_id, item_id = approved_purge(api, team)
    with api.session() as session:
        session.add(
            TextPage(item_id=item_id, page=1, source="text", text="Айгерім Сапарова",
                     created_at=datetime.now(UTC))
        )  # fmt: skip
        replace_entries(
            session=session, case_id=team["case"]["id"], item_id=item_id, source="text",
            entries=[("Айгерім Сапарова, тел. 8 701 555 1234", {"page": 1})],
        )  # fmt: skip
        session.commit()
    found = api.client.get(
        f"/api/v1/cases/{team['case']['id']}/search?q=Сапарова", headers=team["prosecutor"]
    )
    assert found.status_code == 200 and item_id in found.text
    with api.session() as session:
        run_purge(session=session, store=store_of(api), purge_id=purge_id)
    with api.session() as session:
        assert session.exec(select(TextPage).where(col(TextPage.item_id) == item_id)).all() == []
        assert session.exec(select(SearchEntry).where(SearchEntry.item_id == item_id)).all() == []
    found = api.client.get(
        f"/api/v1/cases/{team['case']['id']}/search?q=Сапарова", headers=team["prosecutor"]
    )
    assert item_id not in found.text
    text_read = api.client.get(f"/api/v1/items/{item_id}/text", headers=team["prosecutor"])
    assert text_read.status_code == 410


def test_what_people_wrote_about_the_content_goes_too(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    """Notes and clips on a purged item go with its bytes, and so do the tags only it
    carried; a tag another item carries stays, on that item."""
    from datetime import UTC, datetime

    from sqlmodel import select

    from evidence.review_models import Clip, Note

    purge_id, item_id = approved_purge(api, team)
    case_id, prosecutor = team["case"]["id"], team["prosecutor"]
    other = api.upload(case_id, team["officer"], os.urandom(2048), collected_at=LONG_AGO)
    assert other.status_code == 201, other.text
    for target, tags in ((item_id, ["Сапарова", "witness"]), (other.json()["id"], ["witness"])):
        tagged = api.client.post(f"/api/v1/items/{target}/tags", json={"tags": tags},
                                 headers=prosecutor)  # fmt: skip
        assert tagged.status_code == 200, tagged.text
    noted = api.client.post(f"/api/v1/items/{item_id}/notes",
                            json={"body": "Айгерім Сапарова, 8 701 555 1234"},
                            headers=prosecutor)  # fmt: skip
    assert noted.status_code == 201, noted.text
    me = api.client.get("/api/v1/users/me", headers=prosecutor).json()["id"]
    with api.session() as session:  # a clip needs media; the row is what matters here
        session.add(Clip(item_id=item_id, case_id=case_id, author_id=me,
                         title="Сапарова enters", start=1.0, end=2.0,
                         created_at=datetime.now(UTC)))  # fmt: skip
        session.commit()
    assert api.client.get(f"/api/v1/cases/{case_id}/tags", headers=prosecutor).json() == {
        "сапарова": 1, "witness": 2
    }  # fmt: skip
    with api.session() as session:
        run_purge(session=session, store=store_of(api), purge_id=purge_id)
    with api.session() as session:
        assert session.exec(select(Note).where(Note.item_id == item_id)).all() == []
        assert session.exec(select(Clip).where(Clip.item_id == item_id)).all() == []
    tags = api.client.get(f"/api/v1/cases/{case_id}/tags", headers=prosecutor)
    assert tags.json() == {"witness": 1}
    kept = api.client.get(f"/api/v1/items/{other.json()['id']}/annotations", headers=prosecutor)
    assert kept.status_code == 200 and kept.json()["tags"] == ["witness"]


def test_undated_objects_keep_a_rolling_lock_when_asked(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime, timedelta

    from evidence.service.object_locks import sync_objects

    item = api.upload(team["case"]["id"], team["officer"], os.urandom(300)).json()
    key = blob_key(item["sha256"])
    assert store_of(api).lock_state(key).retain_until is None  # undetermined: no date yet
    with api.session() as session:
        first = sync_objects(session=session, store=store_of(api), horizon_days=30)
        again = sync_objects(session=session, store=store_of(api), horizon_days=30)
    until = store_of(api).lock_state(key).retain_until
    assert until is not None
    assert abs(until - (datetime.now(UTC) + timedelta(days=30))) < timedelta(minutes=5)
    assert (first.extended, again.extended) == (1, 0)  # extended again only past half-way
