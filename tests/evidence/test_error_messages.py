"""Domain errors carry an English message template and its parameters: `str()` is the
formatted sentence (the API's problem `detail`), the template is the catalog's msgid."""

from __future__ import annotations

import pickle

from evidence.errors import Conflict, EvidenceError, InvalidInput, NotFound, render
from evidence.models import Role
from evidence.service.review import MAX_TAG
from tests.app_kit import Api


def test_template_and_params_are_kept() -> None:
    exc = InvalidInput("a tag is 1 to %(max)d characters", max=64)
    assert str(exc) == "a tag is 1 to 64 characters"
    assert exc.args == ("a tag is 1 to 64 characters",)
    assert exc.template == "a tag is 1 to %(max)d characters"
    assert exc.params == {"max": 64}
    assert isinstance(exc, EvidenceError) and exc.title == "Invalid input"
    role = InvalidInput("the role %(role)s cannot be a case member", role=Role.DEFENCE)
    assert str(role) == "the role defence cannot be a case member"


def test_plain_and_empty_messages_still_work() -> None:
    plain = NotFound("no such case")
    assert str(plain) == "no such case" and plain.template == "no such case"
    assert plain.params == {}
    assert str(InvalidInput("100% of the file")) == "100% of the file"  # no params: as given
    empty = Conflict()
    assert str(empty) == "" and empty.args == () and empty.template == "" and empty.params == {}


def test_params_that_do_not_fit_never_raise() -> None:
    exc = InvalidInput("no case %(number)s", numbr="1")
    assert str(exc).startswith("no case %(number)s") and "numbr" in str(exc)
    assert render("%(n)d items", {"n": "many"}).startswith("%(n)d items")


def test_errors_survive_pickling_with_their_params() -> None:
    exc = pickle.loads(pickle.dumps(Conflict("case %(number)s already exists", number="7")))  # noqa: S301
    assert type(exc) is Conflict and str(exc) == "case 7 already exists"
    assert exc.template == "case %(number)s already exists" and exc.params == {"number": "7"}


def test_api_detail_is_the_english_sentence(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    upload = api.upload(team["case"]["id"], team["officer"], b"\x00" * 64, name="a.bin")
    assert upload.status_code == 201, upload.text
    response = api.client.post(
        f"/api/v1/items/{upload.json()['id']}/tags",
        json={"tags": ["x" * (MAX_TAG + 1)]},
        headers=team["prosecutor"],
    )
    assert response.status_code == 400
    assert response.json()["detail"] == f"a tag is 1 to {MAX_TAG} characters"
