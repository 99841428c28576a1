"""No English on a Kazakh or Russian page: every page a prosecutor, a defence lawyer and
an auditor reach (cases, items, timeline, search, redaction review, disclosure, portal,
notifications, account, errors, sign-in, verify) is rendered in kk and ru and its visible
text holds no Latin word but the evidence itself (file names, user names, the case's
data), codes (`<code>`, hashes, media types) and a few names (Dalel, SHA-256, ZIP...).

When this fails it names the page and the words: mark the string for translation
(`{{ _(...) }}`, `N_()`, a label in `evidence/web/labels.py` or the package's labels)
and add it to the package's table (see `python -m evidence.i18n.update`).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from evidence.models import Role
from tests.app_kit import Api
from tests.web.conftest import sign_in

# Names and abbreviations that are the same in every language.
ALLOWED = {
    "Dalel", "English", "SHA", "ZIP", "PDF", "UTC", "JSON", "TOTP", "CSV", "URL", "ERDR",
    "KiB", "MiB", "GiB", "png", "txt", "mp4", "jpg", "image", "text", "plain",
}  # fmt: skip
LATIN = re.compile(r"[A-Za-z][A-Za-z'’]{2,}")
# Hex and ids (hashes, id fragments): not words.
HEXISH = re.compile(r"^[0-9a-f]+$")
TEXT = (
    "Допрос свидетеля. Иванов Петр Сергеевич, телефон +7 701 123 45 67, проживает по адресу "
    "г. Алматы, ул. Абая 10. Свидетель пояснил, что видел автомобиль.\n"
).encode()


class _Visible(HTMLParser):
    """The text a reader sees: text nodes outside script/style/code/pre/textarea, and the
    attributes a browser shows (title, placeholder, aria-label, alt, button values)."""

    SKIP = frozenset({"script", "style", "code", "pre", "textarea"})

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self.depth += 1
        values = dict(attrs)
        for name in ("title", "placeholder", "aria-label", "alt"):
            if values.get(name):
                self.parts.append(str(values[name]))
        if tag == "input" and values.get("type") in {"submit", "button"} and values.get("value"):
            self.parts.append(str(values["value"]))

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self.depth = max(0, self.depth - 1)

    def handle_data(self, data: str) -> None:
        if not self.depth:
            self.parts.append(data)


def english_words(html: str, data: set[str]) -> list[str]:
    parser = _Visible()
    parser.feed(html)
    words = LATIN.findall(" ".join(parser.parts))
    return sorted(
        {
            w
            for w in words
            if w not in ALLOWED and w.lower() not in data and not HEXISH.match(w.lower())
        }
    )


def test_the_checker_sees_english() -> None:
    page = (
        '<p title="Open">Ашу <code>item.created</code> photo.png</p><script>var x = "Upload";'
        "</script><button>Download</button>"
    )
    assert english_words(page, {"photo"}) == ["Download", "Open"]


@pytest.mark.parametrize("api", ["sqlite"], indirect=True)
def test_kazakh_and_russian_pages_hold_no_english(web: Api) -> None:
    client = web.client
    # People with names that are not role words, so an untranslated role would show.
    for name, role in [("aigerim", Role.PROSECUTOR), ("olzhas", Role.OFFICER),
                       ("serik", Role.DEFENCE), ("dana", Role.AUDITOR),
                       ("marat", Role.ADMIN)]:  # fmt: skip
        web.user(name, role)
    people = {name: web.token(name) for name in ("aigerim", "olzhas", "serik", "dana")}
    case_id = web.case(people["aigerim"], number="202611210000091")
    for member in ("olzhas", "dana"):
        added = client.post(f"/api/v1/cases/{case_id}/members", json={"username": member},
                            headers=people["aigerim"])  # fmt: skip
        assert added.status_code == 201, added.text
    text = web.upload(case_id, people["olzhas"], TEXT, name="protocol.txt").json()["id"]
    photo = web.upload(
        case_id, people["olzhas"], b"\x89PNG\r\n\x1a\n" + b"0" * 64, name="photo.png"
    )
    photo_id = photo.json()["id"]
    prosecutor = people["aigerim"]
    plan = client.post(f"/api/v1/items/{text}/redactions", json={"language": "ru"},
                       headers=prosecutor).json()  # fmt: skip
    decided = client.patch(f"/api/v1/redactions/{plan['id']}/proposals",
                           json={"default": "accepted"}, headers=prosecutor).json()  # fmt: skip
    approved = client.post(f"/api/v1/redactions/{decided['id']}/approve", headers=prosecutor)
    assert approved.status_code == 200, approved.text
    flagged = client.post(
        f"/api/v1/items/{photo_id}/disclosure-flags",
        json={"do_not_disclose": True, "reason": "тайна"},
        headers=prosecutor,
    )
    assert flagged.status_code == 200, flagged.text
    disclosure = client.post(
        f"/api/v1/cases/{case_id}/disclosures",
        json={"recipient": "serik", "items": [text], "note": "Бірінші транш"},
        headers=prosecutor,
    )
    assert disclosure.status_code == 201, disclosure.text
    did = disclosure.json()["id"]
    assert client.get(f"/api/v1/disclosures/{did}", headers=people["serik"]).status_code == 200
    # The evidence and the people: what the pages may show as it is.
    data = {"aigerim", "olzhas", "serik", "dana", "marat", "protocol", "photo", "redacted"}
    pages = {
        "aigerim": [
            "/cases", f"/cases/{case_id}", f"/cases/{case_id}/timeline",
            f"/cases/{case_id}/search?q=свидетель", f"/items/{text}", f"/items/{photo_id}",
            f"/items/{photo_id}/redaction", f"/redactions/{decided['id']}/review",
            f"/portal/cases/{case_id}/disclose", f"/portal/disclosures/{did}",
            "/portal/notifications", "/account", "/items/00000000-0000-0000-0000-000000000000",
            f"/cases/{case_id}/custody", f"/cases/{case_id}/members", "/cases/new",
            "/redactions", "/court-export", "/search", "/portal", "/no-such-page",
        ],
        "marat": ["/admin"],
        "serik": ["/portal", f"/portal/disclosures/{did}", "/portal/notifications", "/account"],
        "dana": ["/cases", f"/cases/{case_id}", f"/items/{text}", f"/cases/{case_id}/custody"],
        None: ["/login", "/verify"],
    }  # fmt: skip
    found: dict[str, list[str]] = {}
    for lang in ("kk", "ru"):
        for user, urls in pages.items():
            client.cookies.clear()
            if user:
                sign_in(web, user)
            client.get(f"/lang/{lang}")  # the switch, as a reader would use it
            for url in urls:
                response = client.get(url, headers={"Accept": "text/html"})
                assert response.status_code in {200, 404}, (url, response.status_code)
                assert f'<html lang="{lang}">' in response.text, url
                words = english_words(response.text, data)
                if words:
                    found[f"{lang} {user} {url}"] = words
    assert not found, "\n".join(f"{page}: {' '.join(words)}" for page, words in found.items())
