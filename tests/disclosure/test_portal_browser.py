"""End to end in Chromium: the prosecutor discloses; the defence signs in with TOTP,
opens the portal and downloads a file; the prosecutor sees the receipt; revocation cuts
access at once."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pyotp
import pytest
import uvicorn
from sqlmodel import select

from custody.events import utc_now
from evidence.models import Role, User
from evidence.policy import Principal
from evidence.service.totp import enrol_totp
from tests.app_kit import Api
from tests.disclosure.conftest import PASSWORD, Material
from tests.login_form import session_cookie
from tests.storage_fixtures import free_port

pytestmark = pytest.mark.browser


@pytest.fixture()
def live(api: Api) -> Iterator[str]:
    """The test app served over HTTP on 127.0.0.1 (a browser needs a real server)."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            api.client.app, host="127.0.0.1", port=port, lifespan="off", log_level="error"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def _enrol(api: Api, username: str) -> pyotp.TOTP:
    secret = pyotp.random_base32(32)
    totp = pyotp.TOTP(secret)
    with api.session() as session:
        user = session.exec(select(User).where(User.username == username)).one()
        principal = Principal(user_id=user.id, username=username, role=Role(user.role))
        earlier = totp.at(utc_now() - timedelta(seconds=30))  # the sign-in uses the current one
        enrol_totp(session=session, principal=principal, secret=secret, code=earlier)
    return totp


@pytest.mark.parametrize("api", ["sqlite"], indirect=True)
def test_prosecutor_discloses_defence_signs_in_with_totp_downloads_receipt_revocation(  # type: ignore[no-untyped-def]
    browser, api: Api, team, material: Material, live: str, tmp_path: Path
) -> None:
    # The prosecutor chooses the item and discloses it, in the browser.
    prosecutor = browser.new_context()
    token = session_cookie(api.client, "prosecutor")
    prosecutor.add_cookies([{"name": "dalel_session", "value": token, "url": live}])
    view = prosecutor.new_page()
    view.goto(f"{live}/portal/cases/{team['case']['id']}/disclose?lang=ru")
    assert view.is_disabled(f"#i-{material.unredacted}")  # no redaction, not disclosable
    view.fill("input[name=recipient]", "defence")
    view.check(f"#i-{material.original}")
    view.fill("textarea[name=note]", "Tranche 1: photos")
    view.click("#disclose button[type=submit]")
    view.wait_for_url(f"{live}/portal/disclosures/*")
    did = view.url.rsplit("/", 1)[1].split("?")[0]
    body = api.client.get(f"/api/v1/disclosures/{did}", headers=team["prosecutor"]).json()
    served = body["items"][0]
    assert served["item_id"] == material.redacted
    totp = _enrol(api, "defence")
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    page.goto(f"{live}/login")
    page.fill("input[name=username]", "defence")
    page.fill("input[name=password]", PASSWORD)
    page.fill("input[name=totp]", totp.now())
    page.click("button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{live}/portal?lang=kk")
    assert "Қорғау порталы" in page.content()
    page.click(f"a[href='/portal/disclosures/{did}']")
    page.wait_for_selector("tr.file")
    assert "Tranche 1: photos" in page.content()
    with page.expect_download() as info:
        page.click("a.download")
    path = tmp_path / "downloaded"
    info.value.save_as(path)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == served["sha256"]
    # The prosecutor sees the receipt (and the first-receipt notification).
    view.goto(f"{live}/portal/disclosures/{did}?lang=en")
    rows = view.locator("#receipts tr.receipt")
    assert rows.count() == 1 and served["sha256"] in rows.first.inner_text()
    kinds = {
        n["kind"]
        for n in api.client.get("/api/v1/notifications", headers=team["prosecutor"]).json()
    }
    assert "disclosure.received" in kinds
    view.goto(f"{live}/portal/notifications?lang=en")
    assert view.locator("li.notification").count() == 2  # first opened, first received
    view.goto(f"{live}/portal/disclosures/{did}?lang=en")
    # Tranche 2 withdraws the file: gone from the portal at once.
    view.check(f"#w-{material.original}")
    view.fill("#tranche input[name=note]", "photo withdrawn")
    view.click("#tranche button[type=submit]")
    view.wait_for_load_state()
    page.reload()
    assert page.locator("tr.file").count() == 0 and "photo withdrawn" in page.content()
    url = f"{live}/api/v1/disclosures/{did}/items/{served['served_id']}/content"
    assert page.request.get(url).status == 404
    # Revocation in the browser: the very next request of the defence is refused.
    view.click("#revoke button[type=submit]")
    view.wait_for_load_state()
    assert view.locator("#status").inner_text() == "revoked"
    page.reload()
    assert page.locator("#status").inner_text() == "кері қайтарылды" or "revoked" in page.content()
    assert page.locator("tr.file").count() == 0
    response = page.request.get(
        f"{live}/api/v1/disclosures/{did}/items/{served['served_id']}/content"
    )
    assert response.status == 410
    context.close()
    prosecutor.close()
