"""Setting the system up in the browser alone (issue 20, part 2), against `dalel serve`:
an administrator (in Kazakh) creates accounts, disables and enables one, unlocks a
locked one, resets a lost authenticator with the reason, sees sign-in failures, and
issues and revokes a device key; a prosecutor (in Russian) opens a case with the ЕРДР
number checked as it is typed, changes its title and status, and adds and removes
members picked from a list filtered by role. Bad input through the pages (a taken
username, an invalid ЕРДР number, a person who does not exist, a defence lawyer as a
member) gets a sentence in the page's language, and nothing changes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import select

from custody.events import utc_now
from evidence.models import ApiKey, Case, CaseMember, User
from tests.app_kit import PASSWORD
from tests.web.browser_kit import (
    Server,
    seed_people,
    shot,
    sign_in,
)

pytestmark = pytest.mark.browser
NUMBER = "202611210000202"


@pytest.fixture()
def srv(tmp_path: Path) -> Iterator[Server]:
    server = Server(tmp_path)
    seed_people(server.settings)
    with server.session() as session:  # an authenticator enrolled, an account locked
        court = session.exec(select(User).where(User.username == "court")).one()
        court.totp_secret = "JBSWY3DPEHPK3PXP"
        auditor = session.exec(select(User).where(User.username == "auditor")).one()
        auditor.locked_at, auditor.locked_until = utc_now(), utc_now() + timedelta(hours=1)
        session.add_all([court, auditor])
        session.commit()
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _row(page: Any, attr: str, name: str) -> Any:
    return page.locator(f"tr[{attr}='{name}']")


def _count(srv: Server, model: Any) -> int:
    with srv.session() as session:
        return len(session.exec(select(model)).all())


def test_administrator_manages_accounts_and_device_keys(srv: Server, browser: Any) -> None:
    from playwright.sync_api import expect

    # Three wrong passwords for the officer: the administrator will see them.
    for _ in range(3):
        httpx.post(
            f"{srv.base}/api/v1/auth/token", data={"username": "officer", "password": "nope"}
        )
    page = sign_in(browser, srv.base, "admin", lang="kk")
    page.on("dialog", lambda dialog: dialog.accept())
    page.click("[data-nav=admin]")
    expect(page.locator("h1")).to_have_text("Әкімшілік")
    expect(page.locator("#failures tr", has_text="officer")).to_contain_text("3")

    # A new investigator; the same username again is refused in Kazakh, typed fields kept.
    page.fill("#new-user input[name=username]", "dana")
    page.fill("#new-user input[name=full_name]", "Дана Тергеуші")
    page.select_option("#new-user select[name=role]", "investigator")
    page.fill("#new-user input[name=password]", PASSWORD)
    page.click("#new-user button")
    expect(page.locator("#admin-done")).to_have_text("Тіркелгі құрылды.")
    expect(_row(page, "data-user", "dana")).to_contain_text("Тергеуші")
    before = _count(srv, User)
    page.fill("#new-user input[name=username]", "dana")
    page.fill("#new-user input[name=full_name]", "Дана Тергеуші")
    page.fill("#new-user input[name=password]", PASSWORD)
    page.click("#new-user button")
    expect(page.locator("#admin-error")).to_have_text("dana пайдаланушысы бұрыннан бар")
    expect(page.locator("#new-user input[name=full_name]")).to_have_value("Дана Тергеуші")
    assert _count(srv, User) == before

    # Disable the officer: sign-in refused; enable again: sign-in works.
    _row(page, "data-user", "officer").locator("button", has_text="Өшіру").click()
    expect(_row(page, "data-user", "officer").locator(".account-state")).to_have_text("өшірілген")
    refused = httpx.post(
        f"{srv.base}/api/v1/auth/token", data={"username": "officer", "password": PASSWORD}
    )
    assert refused.status_code == 401
    _row(page, "data-user", "officer").locator("button", has_text="Қосу").click()
    expect(_row(page, "data-user", "officer").locator(".account-state")).to_have_text("әрекетте")
    assert srv.token("officer")

    # Unlock the locked auditor; reset the court's lost authenticator with a reason.
    expect(_row(page, "data-user", "auditor").locator(".account-state")).to_contain_text(
        "бұғатталған"
    )
    _row(page, "data-user", "auditor").locator("button", has_text="Бұғаттан шығару").click()
    expect(_row(page, "data-user", "auditor").locator(".account-state")).to_have_text("әрекетте")
    court = _row(page, "data-user", "court")
    expect(court).to_contain_text("қосулы")
    court.locator("input[name=reason]").fill("Телефоны жоғалды")
    court.locator("button", has_text="Аутентификаторды").click()
    expect(_row(page, "data-user", "court")).to_contain_text("өшірулі")

    # The role: an investigator becomes a prosecutor (no case yet).
    dana = _row(page, "data-user", "dana")
    dana.locator("select[name=role]").select_option("prosecutor")
    dana.locator("button", has_text="Рөлді өзгерту").click()
    expect(_row(page, "data-user", "dana").locator("select[name=role]")).to_have_value("prosecutor")

    # A device key for the officer's docking station: shown once, then revoked.
    page.select_option("#new-key-form select[name=officer]", "officer")
    page.fill("#new-key-form input[name=device]", "Док-станция №3")
    page.click("#new-key-form button")
    secret = page.locator("#new-key-secret").inner_text()
    assert secret.startswith("dk_") or len(secret) > 20
    ok = httpx.get(f"{srv.base}/api/v1/cases", headers={"X-API-Key": secret})
    assert ok.status_code == 200, ok.text
    page.goto(f"{srv.base}/admin")
    expect(page.locator("#new-key-secret")).to_have_count(0)  # never shown again
    _row(page, "data-key", "Док-станция №3").locator("button").click()
    expect(_row(page, "data-key", "Док-станция №3")).to_contain_text("кері қайтарылды")
    gone = httpx.get(f"{srv.base}/api/v1/cases", headers={"X-API-Key": secret})
    assert gone.status_code == 401
    shot(page, "admin-kk")
    with srv.session() as session:
        assert session.exec(select(ApiKey)).one().revoked_at is not None


def test_prosecutor_opens_a_case_and_chooses_its_members(srv: Server, browser: Any) -> None:
    from playwright.sync_api import expect

    page = sign_in(browser, srv.base, "prosecutor", lang="ru")
    page.on("dialog", lambda dialog: dialog.accept())
    page.click("#open-case")
    # The number is checked as it is typed, in the page's language.
    page.fill("#erdr", "20261")
    expect(page.locator("#erdr-help")).to_have_text("Номер ЕРДР — ровно 15 цифр; введено 5.")
    page.fill("#erdr", "20261a")
    expect(page.locator("#erdr-help")).to_have_text("Номер ЕРДР состоит только из цифр.")
    page.fill("#erdr", NUMBER)
    expect(page.locator("#erdr-help")).to_have_text("Номер введён в правильном виде.")
    # A browser without the check (the form posted as is): the server refuses, in Russian.
    token = page.eval_on_selector("meta[name=csrf-token]", "m => m.content")
    bad = page.request.post(
        f"{srv.base}/cases/new", form={"csrf": token, "number": "12345", "title": "Кража"}
    )
    assert bad.status == 400
    assert "номер дела в ЕРДР состоит ровно из 15 цифр" in bad.text(), bad.text()[
        bad.text().find("case-error") :
    ][:300]
    assert _count(srv, Case) == 0
    page.fill("input[name=title]", "Кража, ул. Абая")
    page.click("#case-new button")
    expect(page.locator("#members-done")).to_have_text(
        "Дело открыто. Добавьте тех, кто над ним работает."
    )
    expect(page.locator("h1")).to_have_text(f"{NUMBER} — Кража, ул. Абая")
    case_id = page.url.split("/cases/")[1].split("/")[0]

    # Members picked from a list filtered by role; each shown with the day they joined.
    page.select_option("#role-filter", "officer")
    shown = page.eval_on_selector_all("#person option:not([hidden])", "os => os.map(o => o.value)")
    assert shown == ["officer"]
    page.click("#add-member button")
    expect(page.locator("#members-done")).to_have_text("Участник добавлен.")
    officer = _row(page, "data-member", "officer")
    expect(officer).to_contain_text("Асқар Полицейский")
    expect(officer).to_contain_text("сотрудник полиции")
    assert officer.locator("td").nth(2).inner_text().strip()  # member since
    options = page.eval_on_selector_all("#person option", "os => os.map(o => o.value)")
    assert "officer" not in options and "defence" not in options and "admin" not in options

    # Forged choices: a person who does not exist, a defence lawyer: refused in Russian.
    members = _count(srv, CaseMember)
    for username, expected in [
        ("nobody", "пользователь nobody не найден"),
        ("defence", "не может быть участником дела"),
    ]:
        answer = page.request.post(
            f"{srv.base}/cases/{case_id}/members", form={"csrf": token, "username": username}
        )
        assert answer.status == 400
        assert expected in answer.text()
    assert _count(srv, CaseMember) == members

    # Title and status; then a member removed after a confirmation.
    page.fill("#case-details input[name=title]", "Кража со взломом, ул. Абая")
    page.select_option("#case-details select[name=status]", "closed")
    page.click("#case-details button")
    expect(page.locator("h1")).to_have_text(f"{NUMBER} — Кража со взломом, ул. Абая")
    expect(page.locator("#case-details select[name=status]")).to_have_value("closed")
    officer.locator("button").click()
    expect(page.locator("#members-done")).to_have_text("Участник исключён.")
    expect(_row(page, "data-member", "officer")).to_have_count(0)
    shot(page, "members-ru")

    # In English, the investigator's view of the same numbers.
    page.goto(f"{srv.base}/lang/en?next=/cases/new")
    page.fill("#erdr", "123")
    expect(page.locator("#erdr-help")).to_have_text("An ERDR number is exactly 15 digits; 3 typed.")
