"""Retention over the API on SQLite and PostgreSQL: categories, basis and purpose, case
dates, holds that override dates, the two-person purge, and refusals that change nothing
but are recorded."""

from __future__ import annotations

import os
from typing import Any

import pytest
from sqlalchemy import text

from evidence.models import Role
from tests.app_kit import Api

LONG_AGO = "2015-03-10T09:00:00+05:00"


def _setup(api: Api, team: dict[str, Any], *, collected: str = LONG_AGO) -> tuple[str, str]:
    """A case in the 'administrative' category with one old upload; a second prosecutor."""
    case_id = team["case"]["id"]
    api.user("second", Role.PROSECUTOR)
    team["second"] = api.token("second")
    added = api.client.post(
        f"/api/v1/cases/{case_id}/members", json={"username": "second"}, headers=team["prosecutor"]
    )
    assert added.status_code == 201, added.text
    item = api.upload(case_id, team["officer"], os.urandom(2048), collected_at=collected)
    assert item.status_code == 201, item.text
    put = api.client.put(
        f"/api/v1/cases/{case_id}/retention",
        json={"category": "administrative", "legal_basis": "administrative-code",
              "legal_basis_text": "ст. 803", "purpose": "investigation"},
        headers=team["prosecutor"],
    )  # fmt: skip
    assert put.status_code == 200, put.text
    return case_id, item.json()["id"]


def _count(api: Api, action: str) -> int:
    return len(api.events(action))


def test_case_category_basis_purpose_and_dates(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    case_id = team["case"]["id"]
    item = api.upload(case_id, team["officer"], os.urandom(1000), collected_at=LONG_AGO).json()
    info = api.client.get(f"/api/v1/items/{item['id']}/retention", headers=team["prosecutor"])
    assert info.json()["category"]["code"] == "undetermined"
    assert info.json()["retain_until"] is None
    put = api.client.put(
        f"/api/v1/cases/{case_id}/retention",
        json={"category": "criminal-minor", "legal_basis": "cpc", "legal_basis_text": "ст. 188",
              "purpose": "prosecution", "purpose_text": "поддержание обвинения"},
        headers=team["prosecutor"],
    )  # fmt: skip
    assert put.status_code == 200, put.text
    body = put.json()
    assert body["category"]["names"]["ru"] == "Преступления небольшой и средней тяжести"
    assert body["legal_basis"]["text"] == "ст. 188"
    # Until the verdict is in force the clock has not started: kept indefinitely.
    info = api.client.get(f"/api/v1/items/{item['id']}/retention", headers=team["prosecutor"])
    assert info.json()["retain_until"] is None
    assert info.json()["legal_basis"] == {
        "code": "cpc", "names": body["legal_basis"]["names"], "text": "ст. 188", "source": "case"
    }  # fmt: skip
    dates = api.client.patch(
        f"/api/v1/cases/{case_id}/lifecycle",
        json={"verdict_at": "2019-05-20T10:00:00+05:00",
              "appeal_ended_at": "2019-06-05T00:00:00+05:00"},
        headers=team["prosecutor"],
    )  # fmt: skip
    assert dates.status_code == 200, dates.text
    assert _count(api, "case.lifecycle.set") == 2  # one custody event per date
    info = api.client.get(f"/api/v1/items/{item['id']}/retention", headers=team["prosecutor"])
    assert info.json()["retain_until"].startswith("2024-06-05T00:00:00")
    # The same dates again change nothing and record nothing.
    again = api.client.patch(
        f"/api/v1/cases/{case_id}/lifecycle",
        json={"appeal_ended_at": "2019-06-05T00:00:00+05:00"},
        headers=team["prosecutor"],
    )
    assert again.status_code == 200 and _count(api, "case.lifecycle.set") == 2


def test_bad_case_input_changes_nothing(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    case_id = team["case"]["id"]
    base = f"/api/v1/cases/{case_id}"
    before = api.events()
    for method, path, body, status in [
        ("put", "/retention", {"category": "no-such-category"}, 400),
        ("put", "/retention", {"legal_basis": "made-up"}, 400),
        ("patch", "/lifecycle", {"verdict_at": "2020-01-01T00:00:00"}, 400),
        ("patch", "/lifecycle", {"verdict_at": "2090-01-01T00:00:00+00:00"}, 400),
        ("patch", "/lifecycle", {"verdict_at": "2020-02-01T00:00:00+00:00",
                                 "appeal_ended_at": "2020-01-01T00:00:00+00:00"}, 400),
        ("patch", "/lifecycle", {"arrested_at": "2020-01-01T00:00:00+00:00"}, 200),
    ]:  # fmt: skip
        response = api.client.request(method, base + path, json=body, headers=team["prosecutor"])
        assert response.status_code == status, (path, body, response.text)
        if status >= 400:
            assert response.headers["content-type"].startswith("application/problem+json")
    assert api.events() == before
    settings = api.client.get(f"{base}/retention", headers=team["prosecutor"]).json()
    assert settings["category"]["code"] == "undetermined" and settings["verdict_at"] is None


def test_only_the_prosecutor_sets_retention_and_refusals_are_recorded(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    case_id, _ = _setup(api, team)
    denied_before = _count(api, "access.denied")
    for who in ("officer", "investigator", "auditor", "outsider", "defence", "admin"):
        response = api.client.patch(
            f"/api/v1/cases/{case_id}/lifecycle",
            json={"closed_at": "2020-01-01T00:00:00+00:00"},
            headers=team[who],
        )
        assert response.status_code in {403, 404}, (who, response.text)
    assert _count(api, "access.denied") >= denied_before + 5
    court = api.user("judge", Role.COURT)
    del court
    assert (
        api.client.get(f"/api/v1/cases/{case_id}/retention", headers=team["auditor"]).status_code
        == 200
    )
    assert _count(api, "case.lifecycle.set") == 0


def test_item_override_needs_a_reason(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    _, item_id = _setup(api, team)
    url = f"/api/v1/items/{item_id}/retention"
    refused = api.client.put(url, json={"category": "permanent"}, headers=team["prosecutor"])
    assert refused.status_code == 400
    done = api.client.put(
        url, json={"category": "permanent", "reason": "key evidence in a related case",
                   "purpose": "trial"}, headers=team["prosecutor"],
    )  # fmt: skip
    assert done.status_code == 200, done.text
    body = done.json()
    assert body["category"] == {**body["category"], "code": "permanent", "source": "item"}
    assert body["category_reason"] == "key evidence in a related case"
    assert body["retain_until"] is None
    assert body["purpose"]["source"] == "item" and body["legal_basis"]["source"] == "case"
    assert _count(api, "item.retention.set") == 1


def test_holds_override_dates(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    case_id, item_id = _setup(api, team)
    due = api.client.get("/api/v1/retention/due", headers=team["prosecutor"]).json()
    assert [(d["case_id"], d["items"]) for d in due] == [(case_id, 1)]
    no_reason = api.client.post(
        f"/api/v1/cases/{case_id}/holds", json={"item_id": item_id, "reason": " "},
        headers=team["prosecutor"],
    )  # fmt: skip
    assert no_reason.status_code in {400, 422}
    hold = api.client.post(
        f"/api/v1/cases/{case_id}/holds",
        json={"item_id": item_id, "reason": "appeal lodged by the defence"},
        headers=team["prosecutor"],
    )
    assert hold.status_code == 201, hold.text
    assert api.client.get("/api/v1/retention/due", headers=team["prosecutor"]).json() == []
    info = api.client.get(f"/api/v1/items/{item_id}/retention", headers=team["prosecutor"]).json()
    assert [h["reason"] for h in info["holds"]] == ["appeal lodged by the defence"]
    assert info["storage_hold"] is True  # the store's own flag followed
    refused_before = _count(api, "retention.refused")
    purge = api.client.post(
        f"/api/v1/cases/{case_id}/purges", json={"reason": "period over", "items": [item_id]},
        headers=team["prosecutor"],
    )  # fmt: skip
    assert purge.status_code == 409, purge.text
    assert "legal hold" in purge.json()["detail"]
    assert _count(api, "retention.refused") == refused_before + 1
    assert (
        api.client.get(f"/api/v1/cases/{case_id}/purges", headers=team["prosecutor"]).json() == []
    )
    release = api.client.post(
        f"/api/v1/holds/{hold.json()['id']}/release", json={"reason": ""},
        headers=team["prosecutor"],
    )  # fmt: skip
    assert release.status_code in {400, 422}
    release = api.client.post(
        f"/api/v1/holds/{hold.json()['id']}/release", json={"reason": "appeal dismissed"},
        headers=team["prosecutor"],
    )  # fmt: skip
    assert release.status_code == 200 and release.json()["release_reason"] == "appeal dismissed"
    due = api.client.get("/api/v1/retention/due", headers=team["prosecutor"]).json()
    assert [d["items"] for d in due] == [1]
    info = api.client.get(f"/api/v1/items/{item_id}/retention", headers=team["prosecutor"]).json()
    assert info["holds"] == [] and info["storage_hold"] is False
    # A hold on the whole case covers every item.
    case_hold = api.client.post(
        f"/api/v1/cases/{case_id}/holds", json={"reason": "court order 12/3"},
        headers=team["prosecutor"],
    )  # fmt: skip
    assert case_hold.status_code == 201
    assert api.client.get("/api/v1/retention/due", headers=team["prosecutor"]).json() == []
    assert _count(api, "legal_hold.placed") == 2 and _count(api, "legal_hold.released") == 1


@pytest.mark.usefixtures("purge_jobs")
def test_two_people_purge_and_the_tombstone(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    case_id, item_id = _setup(api, team)
    sha256 = api.client.get(f"/api/v1/items/{item_id}", headers=team["prosecutor"]).json()["sha256"]
    store = api.client.app.state.store  # type: ignore[attr-defined]
    key = f"sha256/{sha256[:2]}/{sha256[2:4]}/{sha256}"
    assert store.exists(key)
    proposed = api.client.post(
        f"/api/v1/cases/{case_id}/purges", json={"reason": "3 years after collection"},
        headers=team["prosecutor"],
    )  # fmt: skip
    assert proposed.status_code == 201, proposed.text
    purge_id = proposed.json()["id"]
    assert [i["item_id"] for i in proposed.json()["items"]] == [item_id]
    # The proposer cannot approve: 403, recorded, nothing changes.
    refused_before = _count(api, "retention.refused")
    own = api.client.post(f"/api/v1/purges/{purge_id}/approve", headers=team["prosecutor"])
    assert own.status_code == 403, own.text
    assert "second person" in own.json()["detail"]
    assert _count(api, "retention.refused") == refused_before + 1
    # A role without the right: refused by the policy, recorded as access.denied.
    denied_before = _count(api, "access.denied")
    for who in ("investigator", "auditor", "officer"):
        response = api.client.post(f"/api/v1/purges/{purge_id}/approve", headers=team[who])
        assert response.status_code == 403, (who, response.text)
    assert _count(api, "access.denied") == denied_before + 3
    assert (
        api.client.get(f"/api/v1/purges/{purge_id}", headers=team["prosecutor"]).json()["state"]
        == "proposed"
    )
    assert store.exists(key)
    approved = api.client.post(f"/api/v1/purges/{purge_id}/approve", headers=team["second"])
    assert approved.status_code == 200, approved.text
    # The purge job ran after the response: a `purge` job of the job runtime (inline
    # here), listed with the item's jobs like any stage.
    done = api.client.get(f"/api/v1/purges/{purge_id}", headers=team["prosecutor"]).json()
    assert done["state"] == "done", done
    listed = api.client.get(f"/api/v1/items/{item_id}/jobs", headers=team["prosecutor"]).json()
    assert [(j["stage"], j["state"], j["attempts"]) for j in listed] == [("purge", "done", 1)]
    assert done["items"][0]["outcome"] == "purged"
    assert not store.exists(key)
    content = api.client.get(f"/api/v1/items/{item_id}/content", headers=team["prosecutor"])
    assert content.status_code == 410
    assert "purged" in content.json()["detail"]
    # The tombstone: the item row with hash, size, name, and who approved.
    item = api.client.get(f"/api/v1/items/{item_id}", headers=team["prosecutor"])
    assert item.status_code == 200 and item.json()["sha256"] == sha256
    info = api.client.get(f"/api/v1/items/{item_id}/retention", headers=team["prosecutor"]).json()
    assert info["purge"]["proposed_by"] == "prosecutor"
    assert info["purge"]["approved_by"] == "second"
    assert info["purge"]["purged_at"] is not None
    with api.engine.connect() as conn:
        rows = conn.execute(
            text("SELECT action, leaf FROM ledger_entry WHERE subject = :s ORDER BY idx"),
            {"s": f"item:{item_id}"},
        ).all()
        after = conn.execute(
            text(
                "SELECT subject FROM ledger_entry WHERE item_id = :i AND action = :a"
                " ORDER BY idx"  # PostgreSQL returns rows in any order without it
            ),
            {"i": item_id, "a": "item.metadata.read"},
        ).all()
    # The chain ends with the purge: the tombstone's later reads go to the case's chain.
    assert rows[-1][0] == "item.purged"
    assert after[-1][0] == f"case:{case_id}"
    assert b'"username":"second"' in bytes(rows[-1][1])
    assert b'"step":"approved"' in bytes(rows[-1][1])
    assert _count(api, "item.purged") == 1
    # Approving again is refused (the request is done), nothing more is recorded.
    again = api.client.post(f"/api/v1/purges/{purge_id}/approve", headers=team["second"])
    assert again.status_code == 409
    assert _count(api, "item.purged") == 1
    assert api.client.get("/api/v1/retention/due", headers=team["prosecutor"]).json() == []


def test_not_due_yet_is_refused(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    case_id, _ = _setup(api, team)
    recent = api.upload(case_id, team["officer"], os.urandom(999)).json()  # collected now
    response = api.client.post(
        f"/api/v1/cases/{case_id}/purges", json={"reason": "tidy up", "items": [recent["id"]]},
        headers=team["prosecutor"],
    )  # fmt: skip
    assert response.status_code == 409
    assert "retained until" in response.json()["detail"]
    assert (
        api.client.get(f"/api/v1/cases/{case_id}/purges", headers=team["prosecutor"]).json() == []
    )


def test_due_lists_for_admins_and_prosecutors(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    case_id, _ = _setup(api, team)
    admin = api.client.get("/api/v1/retention/due", headers=team["admin"])
    assert admin.status_code == 200 and [d["case_id"] for d in admin.json()] == [case_id]
    assert api.client.get("/api/v1/retention/due", headers=team["outsider"]).json() == []
    assert api.client.get("/api/v1/retention/due", headers=team["officer"]).json() == []
    items = api.client.get(f"/api/v1/cases/{case_id}/retention/due", headers=team["prosecutor"])
    assert items.status_code == 200 and len(items.json()) == 1
    assert (
        api.client.get(f"/api/v1/cases/{case_id}/retention/due", headers=team["admin"]).status_code
        == 403
    )


def test_a_table_with_a_negative_period_is_refused(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    table = api.client.get("/api/v1/retention/table", headers=team["prosecutor"]).json()
    assert table["id"] is None  # the shipped default
    body = table["table"]
    body["categories"]["administrative"]["originals"]["years"] = -3
    refused_before = _count(api, "retention.refused")
    bad = api.client.put("/api/v1/retention/table", json=body, headers=team["admin"])
    assert bad.status_code == 400, bad.text
    assert "negative" in bad.json()["detail"]
    assert bad.headers["content-type"].startswith("application/problem+json")
    assert _count(api, "retention.refused") == refused_before + 1
    assert not (api.settings.data_dir / "retention.yaml").exists()
    not_admin = api.client.put("/api/v1/retention/table", json=body, headers=team["prosecutor"])
    assert not_admin.status_code == 403
    body["categories"]["administrative"]["originals"]["years"] = 4
    good = api.client.put("/api/v1/retention/table", json=body, headers=team["admin"])
    assert good.status_code == 200, good.text
    assert good.json()["id"] is not None
    assert (api.settings.data_dir / "retention.yaml").is_file()
    assert _count(api, "retention.config.loaded") == 1


def test_report_pdf_in_each_language(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    case_id, _ = _setup(api, team)
    for lang in ("kk", "ru", "en"):
        response = api.client.get(
            f"/api/v1/cases/{case_id}/retention/report.pdf?lang={lang}", headers=team["prosecutor"]
        )
        assert response.status_code == 200, response.text
        assert response.content.startswith(b"%PDF")
    assert (
        api.client.get(f"/api/v1/cases/{case_id}/retention/report.pdf?lang=de",
                       headers=team["prosecutor"]).status_code == 422
    )  # fmt: skip


@pytest.mark.usefixtures("purge_jobs")
def test_a_supervising_prosecutor_may_be_the_second_person(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    case_id, item_id = _setup(api, team)
    api.user("chief", Role.SUPERVISOR)
    chief = api.token("chief")
    due = api.client.get("/api/v1/retention/due", headers=chief).json()
    assert [d["case_id"] for d in due] == [case_id]  # every case, as counts
    proposed = api.client.post(
        f"/api/v1/cases/{case_id}/purges", json={"reason": "period over", "items": [item_id]},
        headers=team["prosecutor"],
    ).json()  # fmt: skip
    url = f"/api/v1/purges/{proposed['id']}/approve"
    assert api.client.post(url, headers=chief).status_code == 403  # not in the case yet
    added = api.client.post(
        f"/api/v1/cases/{case_id}/members", json={"username": "chief"},
        headers=team["prosecutor"],
    )  # fmt: skip
    assert added.status_code == 201, added.text
    assert api.client.get(f"/api/v1/items/{item_id}/content", headers=chief).status_code == 403
    approved = api.client.post(url, headers=chief)
    assert approved.status_code == 200, approved.text
    done = api.client.get(f"/api/v1/purges/{proposed['id']}", headers=team["prosecutor"]).json()
    assert done["state"] == "done" and done["decided_by"]
