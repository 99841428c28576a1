"""Walk every GET route as a defence lawyer with every forbidden id: originals,
unapproved derivatives, another lawyer's disclosure, another case. Nothing leaks, and
what is served is recorded in custody first."""

from __future__ import annotations

import os
import re

import pytest
from starlette.routing import Route

from disclosure import views
from evidence import service
from evidence.models import Role
from tests.app_kit import Api
from tests.disclosure.conftest import disclose
from tests.login_form import session_cookie

READS = {"item.content.read", "item.downloaded"}


def _paths(api: Api) -> list[str]:
    paths = set(api.client.app.openapi()["paths"])  # type: ignore[attr-defined]
    # Included routers are not flattened into app.routes (FastAPI 0.165): add the pages
    # (not in the OpenAPI) from their own router.
    for route in [*api.client.app.routes, *views.router.routes]:  # type: ignore[attr-defined]
        if isinstance(route, Route) and "GET" in (route.methods or set()):
            paths.add(route.path)
    return sorted(paths)


def _derive(api: Api, parent: str, data: bytes, kind: str, **derivation: str) -> str:
    with api.session() as session:
        return service.register_derivative(
            session=session,
            store=api.client.app.state.store,  # type: ignore[attr-defined]
            parent_id=parent,
            source=data,
            name=f"{kind}.txt",
            derivative_kind=kind,
            derivation={"tool": "t", "version": "1", **derivation},
        ).id


@pytest.mark.parametrize("api", ["sqlite"], indirect=True)
def test_defence_reaches_nothing_but_its_served_files(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    tag = os.urandom(6).hex().encode()
    marks = {k: f"{k}-{tag.decode()}-".encode() * 8 for k in
             ["orig", "redacted", "proxy", "other_case", "other_lawyer", "draft"]}  # fmt: skip
    case_id = team["case"]["id"]
    original = api.upload(case_id, team["officer"], marks["orig"], name="o.txt").json()["id"]
    redacted = _derive(api, original, marks["redacted"], "redacted", plan_id="p1")
    proxy = _derive(api, original, marks["proxy"], "proxy")
    draft = _derive(api, original, marks["draft"], "redacted")  # no plan: not approved
    second = api.upload(case_id, team["officer"], marks["other_lawyer"], name="b.txt").json()["id"]
    api.client.post(f"/api/v1/items/{second}/disclosure-flags",
                    json={"disclosable_original": True}, headers=team["prosecutor"])  # fmt: skip
    mine = disclose(api, team, [original]).json()
    assert mine["items"][0]["served_id"] == redacted  # text: no watermark, the redaction itself
    api.user("defence2", Role.DEFENCE)
    theirs = disclose(api, team, [second], recipient="defence2").json()
    other_case = api.case(team["outsider"], number="202611210000999")
    elsewhere = api.upload(other_case, team["outsider"], marks["other_case"], name="c.txt").json()
    forbidden_items = [
        original,
        proxy,
        draft,
        second,
        elsewhere["id"],
        theirs["items"][0]["served_id"],
    ]
    forbidden_marks = [m for k, m in marks.items() if k != "redacted"]
    defence = team["defence"]
    # Pages read the web session cookie, the API the bearer header: send both.
    api.client.cookies.set("dalel_session", session_cookie(api.client, "defence"))
    leaks, unrecorded, opened, walked = [], [], [], set()
    for path in _paths(api):
        names = set(re.findall(r"{(\w+)}", path))
        if not names <= {"item_id", "case_id", "disclosure_id"}:
            continue
        walked.add(path)
        combos = [{}] if not names else []
        for item_id in [*forbidden_items, redacted]:
            for disclosure_id in [mine["id"], theirs["id"]]:
                for case in [case_id, other_case]:
                    combos.append(
                        {"item_id": item_id, "disclosure_id": disclosure_id, "case_id": case}
                    )
        seen = set()
        for values in combos:
            url = re.sub(r"{(\w+)}", lambda m, v=values: v[m.group(1)], path)
            if url in seen:
                continue
            seen.add(url)
            before = len(api.events())
            response = api.client.get(url, headers=defence, follow_redirects=False)
            if any(mark in response.content for mark in forbidden_marks):
                leaks.append(url)
            allowed = (
                ("item_id" not in names or values["item_id"] == redacted)
                and ("disclosure_id" not in names or values["disclosure_id"] == mine["id"])
                and "case_id" not in names
            )
            if names and not allowed and response.status_code < 300:
                leaks.append(f"{url} -> {response.status_code}")
            if marks["redacted"] in response.content:
                opened.append(url)
                new = api.events()[before:]
                if not any(a in READS and i == redacted for _, a, i in new):
                    unrecorded.append(url)
    assert {
        "/api/v1/items/{item_id}/content",
        "/api/v1/disclosures/{disclosure_id}/bundle",
        "/api/v1/disclosures/{disclosure_id}/items/{item_id}/content",
        "/portal/disclosures/{disclosure_id}",
    } <= walked
    assert not leaks, leaks
    assert not unrecorded, unrecorded
    assert any("/disclosures/" in url and "/content" in url for url in opened), opened
