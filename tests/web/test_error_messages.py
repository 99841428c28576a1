"""Service validation messages are shown in the page's language: the error's template is
translated with the catalog and filled with its parameters; English stays the fallback."""

from __future__ import annotations

import html
import re

import pytest
from babel.messages.pofile import read_po

from evidence import i18n
from evidence.errors import Conflict, InvalidInput
from evidence.models import Role
from evidence.service.review import MAX_TAG
from evidence.web.core import error_message
from tests.app_kit import Api
from tests.web.conftest import sign_in

TAG_EN = f"a tag is 1 to {MAX_TAG} characters"
TAG = {
    "ru": f"Не удалось выполнить запрос: тег должен содержать от 1 до {MAX_TAG} символов",
    "kk": f"Сұрауды орындау мүмкін болмады: тег 1-ден {MAX_TAG} таңбаға дейін болуы керек",
    "en": f"The request could not be completed: {TAG_EN}",
}
TIME_EN = "times are seconds or m:ss"
TIME = {
    "ru": "время указывается в секундах или в формате м:сс",
    "kk": "уақыт секундпен немесе м:сс түрінде беріледі",
    "en": TIME_EN,
}


def _message(page: str) -> str:
    match = re.search(r'<p class="error" role="alert">(.*?)</p>', page, re.S)
    assert match, "no error message on the page"
    return html.unescape(match.group(1))


def _item(web: Api, team) -> str:  # type: ignore[no-untyped-def]
    upload = web.upload(team["case"]["id"], team["investigator"], b"\x00" * 64, name="a.bin")
    assert upload.status_code == 201, upload.text
    return str(upload.json()["id"])


@pytest.mark.parametrize("lang", ["ru", "kk", "en"])
def test_service_validation_error_in_the_page_language(web: Api, team, lang: str) -> None:  # type: ignore[no-untyped-def]
    item = _item(web, team)
    csrf = sign_in(web, "investigator")
    web.client.cookies.set("dalel_lang", lang)
    url = f"/items/{item}"
    long_tag = web.client.post(f"{url}/tags", data={"csrf": csrf, "tags": "я" * (MAX_TAG + 1)})
    assert long_tag.status_code == 400
    assert f'<html lang="{lang}">' in long_tag.text
    assert _message(long_tag.text) == TAG[lang]
    if lang != "en":
        assert TAG_EN not in long_tag.text
    # A message raised by the page itself (a form field it parses) is translated too.
    bad_time = web.client.post(f"{url}/notes", data={"csrf": csrf, "body": "x", "start": "abc"})
    assert bad_time.status_code == 400
    assert _message(bad_time.text).endswith(TIME[lang])
    if lang != "en":
        assert TIME_EN not in bad_time.text
    # The API keeps the English sentence in the problem's detail, whatever the cookie says.
    api = web.client.post(
        f"/api/v1/items/{item}/tags",
        json={"tags": ["x" * (MAX_TAG + 1)]},
        headers=team["investigator"],
    )
    assert api.status_code == 400 and api.json()["detail"] == TAG_EN


def test_error_message_translates_template_and_enum_params() -> None:
    i18n.activate("ru")
    exc = InvalidInput("the role %(role)s cannot be a case member", role=Role.DEFENCE)
    assert error_message(exc) == (
        "Не удалось выполнить запрос: пользователь с ролью «защита» не может быть участником дела"
    )
    i18n.activate("kk")
    taken = Conflict("case %(number)s already exists", number="202611210000001")
    assert error_message(taken) == (
        "Сұрауды орындау мүмкін болмады: 202611210000001 нөмірлі іс бұрыннан бар"
    )
    # Unknown to the catalog (or no template at all): the English sentence.
    assert error_message(InvalidInput("not in any catalog %(x)s", x=1)).endswith(
        "not in any catalog 1"
    )
    assert error_message(Conflict()) == "Сұрауды орындау мүмкін болмады: "
    i18n.activate("en")


def test_translations_keep_the_placeholders_of_their_msgid() -> None:
    """A translation that lost or renamed a `%(name)s` would fall back to English."""
    placeholder = re.compile(r"%\(\w+\)[sd]")
    for lang in ["kk", "ru"]:
        with open(i18n.LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po", "rb") as handle:
            catalog = read_po(handle)
        for message in catalog:
            if not message.id or not isinstance(message.id, str):
                continue
            wanted = sorted(placeholder.findall(message.id))
            assert sorted(placeholder.findall(str(message.string))) == wanted, (
                lang,
                message.id,
            )
