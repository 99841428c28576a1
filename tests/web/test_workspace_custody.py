"""A case's custody timeline in the browser (issue 20, part 3), against `dalel serve`:
who (name and role), the translated action, local time with its UTC offset, from where
and on which item; 40 reads of one item by one person are one line "× 40"; filters by
person and action; the prosecution sees the defence's activity only as sealed lines (the
one custody view) while the auditor sees every event of the case in clear and takes it
as CSV; an officer, who holds no case custody, is refused."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

import custody
from custody.events import Actor
from tests.web.browser_kit import (
    Server,
    seed_case,
    seed_people,
    shot,
    sign_in,
)

pytestmark = pytest.mark.browser
NUMBER = "202611210000203"
OFFSET = re.compile(r"\(UTC[+-]\d\d:\d\d\)")


@pytest.fixture()
def world(tmp_path: Path) -> Iterator[tuple[Server, str, str]]:
    srv = Server(tmp_path)
    users = seed_people(srv.settings)
    case_id = seed_case(
        srv.settings, number=NUMBER, title="Алаяқтық", owner=users["prosecutor"],
        members=["officer", "auditor"],
    )  # fmt: skip
    srv.start()
    try:
        answer = httpx.post(
            f"{srv.base}/api/v1/cases/{case_id}/items",
            headers={"Authorization": f"Bearer {srv.token('officer')}"},
            files={"file": ("statement.txt", "Түсініктеме\n".encode() * 20, "text/plain")},
            data={"source_kind": "document"}, timeout=60,
        )  # fmt: skip
        assert answer.status_code == 201, answer.text
        item_id = answer.json()["id"]
        prosecutor = {"Authorization": f"Bearer {srv.token('prosecutor')}"}
        with httpx.Client(base_url=srv.base, headers=prosecutor, timeout=30) as client:
            for _ in range(40):
                assert client.get(f"/api/v1/items/{item_id}/content").status_code == 200
        # The defence's own read of a disclosed copy, as the portal records it.
        defence = users["defence"]
        with srv.session() as session:
            custody.record(
                session=session, action=custody.Action.ITEM_CONTENT_READ,
                actor=Actor(id=defence.id, name=defence.username, role="defence"),
                case_id=case_id, item_id=item_id, client="10.0.0.7",
            )  # fmt: skip
            session.commit()
        yield srv, case_id, item_id
    finally:
        srv.stop()


def test_custody_timeline_reads_like_a_story(
    world: tuple[Server, str, str],
    browser: Any,
) -> None:
    from playwright.sync_api import expect

    srv, case_id, item_id = world
    page = sign_in(browser, srv.base, "prosecutor", lang="ru")
    page.goto(f"{srv.base}/cases/{case_id}")
    page.click("nav.tabs a[href$='/custody']")
    expect(page.locator("h1")).to_have_text(f"{NUMBER} — Цепочка хранения")
    reads = page.locator("tr.event[data-action='item.content.read']")
    expect(reads).to_have_count(1)  # forty reads, one line
    expect(reads).to_have_attribute("data-count", "40")
    expect(reads.locator(".times")).to_have_text("× 40")
    expect(reads).to_contain_text("Серік Прокуроров")
    expect(reads).to_contain_text("прокурор")
    expect(reads).to_contain_text("просмотр содержимого")
    expect(reads).to_contain_text("127.0.0.1")
    expect(reads).to_contain_text("statement.txt")
    assert OFFSET.search(reads.locator("td").first.inner_text())
    created = page.locator("tr.event[data-action='item.created']")
    expect(created).to_contain_text("Асқар Полицейский")
    expect(created).to_contain_text("сотрудник полиции")
    # The defence's activity: sealed for the prosecution.
    expect(page.locator("tr.sealed")).to_have_count(1)
    expect(page.locator("#custody-csv")).to_have_count(0)
    # Filters: a person, then an action.
    page.select_option("#custody-filter select[name=person]", label="Асқар Полицейский")
    page.click("#custody-filter button")
    actors = page.eval_on_selector_all("tr.event", "rs => rs.length")
    assert actors >= 1
    expect(page.locator("tr.event", has_text="Серік Прокуроров")).to_have_count(0)
    page.select_option("#custody-filter select[name=person]", "")
    page.select_option("#custody-filter select[name=action]", "item.content.read")
    page.click("#custody-filter button")
    expect(page.locator("tr.event")).to_have_count(1)
    shot(page, "custody-ru")
    page.context.close()

    # The auditor sees every event of the case in clear, and may take the CSV.
    page = sign_in(browser, srv.base, "auditor", lang="kk")
    page.goto(f"{srv.base}/cases/{case_id}/custody")
    expect(page.locator("h1")).to_have_text(f"{NUMBER} — Сақтау тізбегі")
    expect(page.locator("tr.sealed")).to_have_count(0)
    defence = page.locator("tr.event", has_text="Адвокат Марат")
    expect(defence).to_contain_text("10.0.0.7")
    expect(defence).to_contain_text("қорғау")
    answer = page.request.get(f"{srv.base}/cases/{case_id}/custody.csv")
    assert answer.status == 200
    rows = list(csv.DictReader(io.StringIO(answer.text())))
    reads = [r for r in rows if r["action"] == "item.content.read"]
    assert len(reads) == 41 and {r["person"] for r in reads} == {"prosecutor", "defence"}
    assert all(r["item"] == "statement.txt" for r in reads)
    assert not any(r["sealed"] for r in rows)
    assert rows[-1]["action"] == "case.custody.read"  # the export recorded itself first
    page.context.close()

    # The prosecutor may not take the CSV; an officer may not see the timeline at all.
    page = sign_in(browser, srv.base, "prosecutor", lang="en")
    assert page.request.get(f"{srv.base}/cases/{case_id}/custody.csv").status == 403
    page.context.close()
    page = sign_in(browser, srv.base, "officer", lang="en")
    page.goto(f"{srv.base}/cases/{case_id}/custody")
    expect(page.locator(".error")).to_have_text("You do not have access to this.")
    assert item_id
