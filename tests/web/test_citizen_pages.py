"""The pages of evidence requests without a browser (issue 19): the investigator's form
(post, redirect, the link shown once), revoke, accept and reject through the page; the
person's page in the browser's language with no outside script; closed and wrong links;
the public receipt check (valid, forged, pasted as JSON or as the signed text)."""

from __future__ import annotations

import hashlib
import json
import os
import re
from datetime import timedelta

from sqlmodel import select

from custody.events import utc_now
from evidence import service
from evidence.citizen_models import EvidenceRequest
from evidence.service.ledger import LedgerConfig
from tests.app_kit import Api
from tests.evidence.citizen_kit import make_request, send
from tests.web.conftest import sign_in

LINK = re.compile(r'id="new-link" class="link" readonly value="([^"]+)"')


def test_the_investigator_creates_a_request_and_sees_the_link_once(web: Api, team) -> None:  # type: ignore[no-untyped-def]
    case_id = team["case"]["id"]
    csrf = sign_in(web, "investigator")
    page = web.client.get(f"/cases/{case_id}/requests")
    assert page.status_code == 200 and "Ask a victim or witness for files" in page.text
    # The message templates of the three languages travel with the page.
    found = re.search(r'id="message-templates">(.*?)</script>', page.text)
    assert found, "the templates are on the page"
    templates = json.loads(found.group(1))
    assert templates["kk"].startswith("Полиция тергеуге")
    assert templates["ru"].startswith("Полиция просит") and templates["en"].startswith("The police")
    form = {"csrf": csrf, "person_name": "Witness", "phone": "+7700", "language": "ru",
            "message": "", "expires_in_days": "5", "max_files": "3"}  # fmt: skip
    created = web.client.post(f"/cases/{case_id}/requests", data=form, follow_redirects=False)
    assert created.status_code == 303
    shown = web.client.get(f"/cases/{case_id}/requests")
    link = LINK.search(shown.text)
    assert link, "the new link is on the page"
    token = link.group(1).rsplit("/r/", 1)[1]
    assert "Полиция просит" in shown.text  # the SMS text in the request's language
    again = web.client.get(f"/cases/{case_id}/requests")
    assert not LINK.search(again.text) and token not in again.text  # once only
    with web.session() as session:
        row = session.exec(select(EvidenceRequest)).one()
        assert row.language == "ru" and row.max_files == 3 and row.message.startswith("Полиция")
        assert (row.expires_at - row.created_at).days == 5
    # A bad form says why and keeps what was typed.
    bad = web.client.post(
        f"/cases/{case_id}/requests",
        data={**form, "phone": "", "person_name": "Someone Else"},
        follow_redirects=False,
    )
    assert bad.status_code == 400 and "give a phone number or an e-mail address" in bad.text
    assert 'value="Someone Else"' in bad.text
    # Revoke through the page: the link's page says so.
    revoke = web.client.post(
        f"/cases/{case_id}/requests/{row.id}/revoke", data={"csrf": csrf}, follow_redirects=False
    )
    assert revoke.status_code == 303
    web.client.cookies.delete("dalel_session")
    closed = web.client.get(f"/r/{token}", headers={"Accept-Language": "ru-RU,ru;q=0.9"})
    assert closed.status_code == 410 and "Эта ссылка отозвана" in closed.text


def test_officers_do_not_see_the_tab_nor_the_page(web: Api, team) -> None:  # type: ignore[no-untyped-def]
    case_id = team["case"]["id"]
    sign_in(web, "officer")
    assert "/requests" not in web.client.get(f"/cases/{case_id}").text
    assert web.client.get(f"/cases/{case_id}/requests").status_code == 403
    sign_in(web, "investigator")
    assert f"/cases/{case_id}/requests" in web.client.get(f"/cases/{case_id}").text


def test_the_persons_page_speaks_the_browsers_language(web: Api, team) -> None:  # type: ignore[no-untyped-def]
    _, token = make_request(web, team, asked_for="скриншоты")
    web.client.cookies.clear()
    for accept, words in [
        ("kk-KZ,kk;q=0.9", "Файлдарды тергеушіге жіберу"),
        ("ru-RU,ru;q=0.9,en;q=0.5", "Отправить файлы следователю"),
        ("en-GB,en;q=0.9", "Send files to the investigator"),
    ]:
        page = web.client.get(f"/r/{token}", headers={"Accept-Language": accept})
        assert page.status_code == 200 and words in page.text, accept
        # Nothing from another site, no inline script, no Referer with the token.
        assert not re.search(r'(src|href)="(https?:)?//', page.text)
        assert page.headers["referrer-policy"] == "no-referrer"
        assert "script-src 'self'" in page.headers["content-security-policy"]
        assert "+77011234567" not in page.text and "Айгүл" not in page.text
    wrong = web.client.get(f"/r/{'x' * 32}", headers={"Accept-Language": "kk"})
    assert wrong.status_code == 404 and "Бұл сілтеме жарамсыз" in wrong.text


def test_used_up_and_expired_links_still_offer_the_receipt(web: Api, team) -> None:  # type: ignore[no-untyped-def]
    created, token = make_request(web, team, max_files=1)
    web.client.cookies.clear()
    assert send(web, token, "a.jpg", os.urandom(1000)).status_code == 201
    used = web.client.get(f"/r/{token}", headers={"Accept-Language": "en"})
    assert used.status_code == 410 and "received all its files" in used.text
    assert f"/api/v1/citizen/{token}/receipt.pdf" in used.text
    with web.session() as session:
        row = session.get(EvidenceRequest, created["id"])
        assert row is not None
        row.expires_at = utc_now() - timedelta(seconds=1)
        session.add(row)
        session.commit()
    expired = web.client.get(f"/r/{token}", headers={"Accept-Language": "kk"})
    assert expired.status_code == 410 and "мерзімі өтті" in expired.text


def test_the_public_receipt_check(web: Api, team) -> None:  # type: ignore[no-untyped-def]
    _, token = make_request(web, team)
    web.client.cookies.clear()
    data = os.urandom(3000)
    assert send(web, token, "shot.png", data).status_code == 201
    receipt = web.client.get(f"/api/v1/citizen/{token}/receipt")
    check = web.client.post("/receipts", data={"receipt": receipt.text})
    # Valid at once (the app signs checkpoints in the background: included or not yet).
    assert 'data-verdict="valid"' in check.text
    assert re.search(r'data-included="(not-yet|all)"', check.text)
    with web.session() as session:
        service.checkpoint(session=session, ledger=LedgerConfig.from_settings(web.settings))
    check = web.client.post("/receipts", data={"receipt": receipt.text})
    assert 'data-included="all"' in check.text and hashlib.sha256(data).hexdigest() in check.text
    assert "/api/v1/receipts/proof?index=" in check.text
    # The signed text alone (as printed in the PDF, pasted with Windows line ends).
    note = receipt.json()["note"]
    pasted = web.client.post("/receipts", data={"receipt": note.replace("\n", "\r\n")})
    assert 'data-verdict="valid"' in pasted.text
    forged = web.client.post("/receipts", data={"receipt": note.replace("shot.png", "shot.jpg")})
    assert 'data-verdict="invalid"' in forged.text
    junk = web.client.post("/receipts", data={"receipt": "{not json"})
    assert junk.status_code == 200 and 'data-verdict="invalid"' in junk.text
