"""A purged item's personal data is gone from the whole database (issue 18): after a
document with planted PII went through ingest (text, search index), redaction (analysis,
decisions, approval, the redacted copy and its residual check) and a two-person purge,
no column of any table — text, JSON or bytes, the ledger's leaves and SQLite's full-text
shadow tables included — holds any of the planted values. SQLite and PostgreSQL."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, inspect, text
from sqlmodel import Session, col, select

from evidence.models import Role
from redaction import numbers as n
from redaction.models import RedactionPlan, RedactionProposal, RedactionSource
from tests.app_kit import Api, running_jobs

LONG_AGO = "2015-03-10T09:00:00+05:00"
IIN = n.make_iin(rng=random.Random(18))
NAME = "Сапарова Айгерім Нұрланқызы"
PHONE = "+7 (701) 555-12-34"
EMAIL = "aigerim.saparova@mail.kz"
TEXT = (
    f"Хаттама. Куә {NAME}, ЖСН {IIN}, тел. {PHONE}, e-mail {EMAIL}, "
    "Абай даңғылы, 15-үй, 27-пәтер мекенжайында тұрады. Ол 3 мамырда көлікті көрді."
)
# What must be found nowhere: every planted value, and the search index's lowercase,
# stemmed forms of the name.
PLANTED = [NAME, IIN, PHONE, "555-12-34", EMAIL, "saparova", "сапаров", "айгерім"]


@pytest.fixture()
def api(api: Api) -> Iterator[Api]:
    """The shared app with jobs run inline: uploads go through ingest (detection, text,
    search index), analyses, renderings and purges through their jobs."""
    with running_jobs(api, process_uploads=True):
        yield api


def _tables(engine: Engine) -> list[str]:
    if engine.dialect.name == "sqlite":  # virtual and shadow tables of the FTS index too
        with engine.connect() as conn:
            return list(
                conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'table'")).scalars()
            )
    return inspect(engine).get_table_names()


def _as_text(value: Any) -> str:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).decode("utf-8", errors="ignore")
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def where_found(engine: Engine, needles: list[str]) -> list[tuple[str, str, str]]:
    """(table, column, needle) for every cell of every table holding a needle."""
    found = []
    with engine.connect() as conn:
        for table in _tables(engine):
            quoted = engine.dialect.identifier_preparer.quote(table)
            result = conn.execute(text(f"SELECT * FROM {quoted}"))  # noqa: S608
            columns = list(result.keys())
            for row in result:
                for column, value in zip(columns, row, strict=True):
                    if value is None:
                        continue
                    cell = _as_text(value).lower()
                    found += [(table, column, s) for s in needles if s.lower() in cell]
    return sorted(set(found))


def test_a_purge_leaves_none_of_the_items_personal_data(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    c = api.client
    case_id = team["case"]["id"]
    api.user("second", Role.PROSECUTOR)
    second = api.token("second")
    c.post(f"/api/v1/cases/{case_id}/members", json={"username": "second"},
           headers=team["prosecutor"])  # fmt: skip
    upload = api.upload(case_id, team["prosecutor"], TEXT.encode(), name="protocol.txt",
                        collected_at=LONG_AGO)  # fmt: skip
    assert upload.status_code == 201, upload.text
    item_id = upload.json()["id"]
    found = c.get(f"/api/v1/cases/{case_id}/search?q=Сапарова", headers=team["prosecutor"])
    assert item_id in found.text  # ingest extracted and indexed the text

    plan = c.post(f"/api/v1/items/{item_id}/redactions", json={}, headers=team["prosecutor"])
    assert plan.status_code == 201, plan.text
    proposals = plan.json()["proposals"]
    assert {"KZ_IIN", "PHONE_NUMBER", "PERSON"} <= {p["entity_type"] for p in proposals}
    decided = c.patch(
        f"/api/v1/redactions/{plan.json()['id']}/proposals", json={"default": "accepted"},
        headers=team["prosecutor"],
    )  # fmt: skip
    assert decided.status_code == 200, decided.text
    approved = c.post(f"/api/v1/redactions/{decided.json()['id']}/approve",
                      headers=team["prosecutor"])  # fmt: skip
    assert approved.status_code == 200, approved.text
    # Before the purge the values are stored where the review needs them.
    before = {needle for _, _, needle in where_found(api.engine, PLANTED)}
    assert {NAME, IIN, PHONE, EMAIL} <= before
    assert {t for t, _, _ in where_found(api.engine, [IIN])} >= {
        "redaction_proposal", "redaction_source",
    }  # fmt: skip

    c.put(f"/api/v1/cases/{case_id}/retention", json={"category": "administrative"},
          headers=team["prosecutor"])  # fmt: skip
    proposed = c.post(f"/api/v1/cases/{case_id}/purges",
                      json={"reason": "period over", "items": [item_id]},
                      headers=team["prosecutor"])  # fmt: skip
    assert proposed.status_code == 201, proposed.text
    named = {row["item_id"] for row in proposed.json()["items"]}
    assert len(named) > 1  # the redacted copy follows its original
    done = c.post(f"/api/v1/purges/{proposed.json()['id']}/approve", headers=second)
    assert done.status_code == 200, done.text
    state = c.get(f"/api/v1/purges/{proposed.json()['id']}", headers=team["prosecutor"]).json()
    assert state["state"] == "done", state

    leftovers = where_found(api.engine, PLANTED)
    assert leftovers == [], sorted({(t, c) for t, c, _ in leftovers})
    # The plan's rows stay for the exemption log: who decided what, of which kind.
    with Session(api.engine) as session:
        plans = session.exec(select(RedactionPlan).where(RedactionPlan.item_id == item_id)).all()
        assert [p.status for p in plans] == ["superseded", "approved"]
        rows = session.exec(
            select(RedactionProposal).where(
                col(RedactionProposal.plan_id).in_([p.id for p in plans])
            )
        ).all()
        assert {r.entity_type for r in rows} >= {"KZ_IIN", "PHONE_NUMBER", "PERSON"}
        assert {r.decision for r in rows} == {"pending", "accepted"}
        assert all(r.text is None and r.note is None for r in rows)
        sources = session.exec(
            select(RedactionSource).where(RedactionSource.item_id == item_id)
        ).all()
        assert sources and all(s.text == "" and s.words == [] for s in sources)
    # The review page of a purged item's plan says so rather than failing.
    review = c.get(f"/api/v1/redactions/{plans[-1].id}", headers=team["prosecutor"])
    assert review.status_code in (200, 410), review.text


def test_the_same_values_in_another_item_stay(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    """Only the purged item's rows go: another item's plan over the same text keeps its
    values, and its entries keep the names in the case's fuzzy vocabulary."""
    case_id = team["case"]["id"]
    other = api.upload(case_id, team["prosecutor"], (TEXT + " Екінші дана.").encode(),
                       name="copy.txt").json()  # fmt: skip
    plan = api.client.post(f"/api/v1/items/{other['id']}/redactions", json={},
                           headers=team["prosecutor"])  # fmt: skip
    assert plan.status_code == 201
    from ingest.retention import forget_item as forget_ingest
    from redaction.retention import forget_item

    old = api.upload(case_id, team["prosecutor"], TEXT.encode(), name="protocol.txt").json()
    api.client.post(f"/api/v1/items/{old['id']}/redactions", json={}, headers=team["prosecutor"])
    with Session(api.engine) as session:
        forget_item(session, old["id"])
        forget_ingest(session, old["id"])
        session.commit()
    tables = {t for t, _, _ in where_found(api.engine, [IIN])}
    assert {"redaction_proposal", "redaction_source", "search_entry"} <= tables
    assert "search_term" in {t for t, _, _ in where_found(api.engine, ["сапаров"])}
    found = api.client.get(f"/api/v1/cases/{case_id}/search?q=Сапарова", headers=team["prosecutor"])
    assert other["id"] in found.text and old["id"] not in found.text
    with Session(api.engine) as session:
        kept = session.exec(
            select(RedactionProposal.text)
            .join(RedactionPlan, col(RedactionPlan.id) == col(RedactionProposal.plan_id))
            .where(RedactionPlan.item_id == other["id"])
        ).all()
        gone = session.exec(
            select(RedactionProposal.text)
            .join(RedactionPlan, col(RedactionPlan.id) == col(RedactionProposal.plan_id))
            .where(RedactionPlan.item_id == old["id"])
        ).all()
    assert IIN in kept and gone and set(gone) == {None}
