"""One navigation on every page, in a real browser against `dalel serve`: each role sees
the entries its policy rows give it (with the unread and waiting counts), the same
layout and sign-out on the evidence, disclosure and portal pages, the language taken from
the browser before any choice and remembered (cookie and account) after one, only the
forms the policy lets the role use (the court and the auditor get no upload or bulk
tagging, the auditor no thumbnails), and an unknown address as a translated page (the
API keeps problem JSON)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from disclosure import notify
from evidence.i18n import N_
from tests.web.browser_kit import (
    Server,
    seed_case,
    seed_people,
    shot,
    sign_in,
)

pytestmark = pytest.mark.browser
NUMBER = "202611210000201"


@pytest.fixture()
def world(tmp_path: Path) -> Iterator[tuple[Server, str, str]]:
    srv = Server(tmp_path, DALEL_JOBS="thread")
    users = seed_people(srv.settings)
    case_id = seed_case(
        srv.settings, number=NUMBER, title="Тонау, Сейфуллин к-сі", owner=users["prosecutor"],
        members=["officer", "court", "auditor", "investigator"],
    )  # fmt: skip
    srv.start()
    try:
        # An officer's photo (the pipeline makes its thumbnail) and a note to read.
        picture = io.BytesIO()
        Image.new("RGB", (320, 240), (200, 40, 40)).save(picture, "JPEG")
        answer = httpx.post(
            f"{srv.base}/api/v1/cases/{case_id}/items",
            headers={"Authorization": f"Bearer {srv.token('officer')}"},
            files={"file": ("scene.jpg", picture.getvalue(), "image/jpeg")},
            data={"source_kind": "phone"}, timeout=60,
        )  # fmt: skip
        assert answer.status_code == 201, answer.text
        with srv.session() as session:
            notify.notify(
                session=session, user_id=users["prosecutor"].id, kind="test",
                template=N_("Nothing yet."),
            )  # fmt: skip
        yield srv, case_id, answer.json()["id"]
    finally:
        srv.stop()


def _nav(page: Any) -> list[str]:
    return page.eval_on_selector_all(".main-nav a", "els => els.map(e => e.dataset.nav)")


def test_each_role_sees_its_navigation_forms_and_language(
    world: tuple[Server, str, str],
    browser: Any,
) -> None:
    from playwright.sync_api import expect

    srv, case_id, item_id = world
    base = srv.base

    # Before any choice, the browser's language: a Russian browser gets Russian sign-in,
    # and a wrong password is refused in Russian.
    page = sign_in(browser, base, "prosecutor", lang=None, locale="ru-RU")
    page.goto(f"{base}/logout-is-post-only")  # an unknown page: translated HTML
    expect(page.locator("h1")).to_have_text("Что-то пошло не так")
    expect(page.locator(".error")).to_have_text("По этому адресу страницы нет.")
    page.context.close()
    anon = browser.new_context(locale="ru-RU").new_page()
    anon.goto(f"{base}/login")
    expect(anon.locator("button[type=submit]")).to_have_text("Войти")
    anon.fill("input[name=username]", "prosecutor")
    anon.fill("input[name=password]", "wrong password")
    anon.click("button[type=submit]")
    expect(anon.locator(".error")).to_contain_text("Неверное имя пользователя")
    assert _nav(anon) == ["verify"]
    anon.context.close()

    # The prosecutor: every entry of a prosecutor's rows, with the unread count.
    page = sign_in(browser, base, "prosecutor")
    assert _nav(page) == [
        "cases", "search", "redactions", "disclosures", "court", "retention",
        "notifications", "verify", "account",
    ]  # fmt: skip
    expect(page.locator("[data-nav=notifications] .count")).to_have_text("1")
    expect(page.locator("[data-nav=court]")).to_have_text("Court export")
    page.click("[data-nav=notifications]")
    expect(page.locator("#notifications li")).to_have_count(1)
    page.click("[data-nav=cases]")
    expect(page.locator("[data-nav=notifications] .count")).to_have_count(0)
    # The case page: bulk tagging and upload; the thumbnail once the pipeline made it.
    page.goto(f"{base}/cases/{case_id}")
    expect(page.locator("#bulk")).to_be_visible()
    expect(page.locator("#upload-form")).to_have_count(1)
    for _ in range(60):
        if page.locator(".thumb img").count():
            break
        page.wait_for_timeout(1000)
        page.reload()
    expect(page.locator(".thumb img")).to_have_count(1)
    # The disclosure pages and the court export share the layout, navigation, sign-out.
    page.click("[data-nav=disclosures]")
    expect(page.locator("h1")).to_have_text("Disclosures")
    expect(page.locator("header .signout button")).to_have_text("Sign out")
    page.click("[data-nav=court]")
    expect(page.locator("#exportable a.export")).to_have_attribute(
        "href", f"/api/v1/cases/{case_id}/court-export?language=en"
    )
    page.click("[data-nav=search]")
    page.select_option("select[name=case]", case_id)
    page.fill("#search-any input[name=q]", "қару")
    page.click("#search-any button")
    page.wait_for_url(f"**/cases/{case_id}/search?q=*")
    shot(page, "prosecutor-search")
    page.context.close()

    # The court, in Kazakh: court export, no redactions, no upload or bulk tagging.
    page = sign_in(browser, base, "court", lang="kk")
    nav = _nav(page)
    assert "court" in nav and "redactions" not in nav and "admin" not in nav
    expect(page.locator("[data-nav=court]")).to_have_text("Сотқа арналған экспорт")
    page.goto(f"{base}/cases/{case_id}")
    expect(page.locator("h1")).to_contain_text(NUMBER)
    expect(page.locator("#bulk")).to_have_count(0)
    expect(page.locator("#upload-form")).to_have_count(0)
    expect(page.locator(".thumb img")).to_have_count(1)  # the court watches evidence
    page.goto(f"{base}/items/{item_id}")
    expect(page.locator("#new-tag")).to_have_count(0)
    # Tagging through a forged form is refused all the same (the policy, not the page).
    token = page.eval_on_selector("meta[name=csrf-token]", "m => m.content")
    refused = page.request.post(
        f"{base}/cases/{case_id}/tags", form={"csrf": token, "tags": "x", "item": item_id}
    )
    assert refused.status == 403
    page.context.close()

    # The auditor, in Russian: no upload, no tag forms, no thumbnails (no content read).
    page = sign_in(browser, base, "auditor", lang="ru")
    assert "court" not in _nav(page) and "admin" not in _nav(page)
    page.goto(f"{base}/cases/{case_id}")
    expect(page.locator("#bulk")).to_have_count(0)
    expect(page.locator("#upload-form")).to_have_count(0)
    expect(page.locator(".thumb img")).to_have_count(0)
    expect(page.locator(".count-line")).to_have_text("1 материал")
    page.goto(f"{base}/items/{item_id}")
    expect(page.locator("#new-tag")).to_have_count(0)
    shot(page, "auditor-item")
    page.context.close()

    # The administrator: administration, never the cases.
    page = sign_in(browser, base, "admin")
    nav = _nav(page)
    assert "admin" in nav and "cases" not in nav and "search" not in nav
    page.context.close()

    # The defence: the portal in the same layout, sign-out there, and the language
    # chosen in the portal remembered by the cookie and by the account.
    page = sign_in(browser, base, "defence")
    page.wait_for_url(f"{base}/portal")
    assert _nav(page) == ["disclosures", "notifications", "verify", "account"]
    expect(page.locator("header .brand")).to_be_visible()
    page.click("nav.langs a[hreflang=ru]")
    expect(page.locator("h1")).to_have_text("Раскрытые мне материалы")
    page.click("[data-nav=notifications]")
    expect(page.locator("h1")).to_have_text("Уведомления")
    page.click("header .signout button")
    page.wait_for_url(f"{base}/login")
    page.context.close()
    page = sign_in(browser, base, "defence", lang=None, locale="en-US")  # a new browser
    page.wait_for_url(f"{base}/portal")
    expect(page.locator("h1")).to_have_text("Раскрытые мне материалы")
    shot(page, "defence-portal")
    page.context.close()

    # The API keeps problem JSON for an unknown address.
    answer = httpx.get(f"{base}/api/v1/no-such-thing", headers={"Accept": "text/html"})
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("application/problem+json")
