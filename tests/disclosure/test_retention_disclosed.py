"""Purging an original whose redaction was disclosed: its proxy goes with it, the
disclosed redaction and the defence's watermarked copy stay until their own date; the
case's custody bundle still verifies, the purged original reported as purged."""

from __future__ import annotations

import io
from contextlib import redirect_stdout

from custody import verifier
from evidence import service
from evidence.models import Role
from tests.app_kit import CASE_NUMBER, Api
from tests.disclosure.conftest import Material, disclose


def test_disclosed_derivatives_outlive_their_purged_original(
    api: Api, team, material: Material, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    case_id = material.case_id
    response = disclose(api, team, [material.original])
    assert response.status_code == 201, response.text
    served = response.json()["items"][0]["served_id"]
    api.user("second", Role.PROSECUTOR)
    second = api.token("second")
    api.client.post(
        f"/api/v1/cases/{case_id}/members", json={"username": "second"},
        headers=team["prosecutor"],
    )  # fmt: skip
    dates = api.client.patch(
        f"/api/v1/cases/{case_id}/lifecycle",
        json={"verdict_at": "2016-04-01T00:00:00+05:00",
              "appeal_ended_at": "2016-05-01T00:00:00+05:00"},
        headers=team["prosecutor"],
    )  # fmt: skip
    assert dates.status_code == 200, dates.text
    api.client.put(
        f"/api/v1/cases/{case_id}/retention", json={"category": "criminal-minor"},
        headers=team["prosecutor"],
    )  # fmt: skip
    due = api.client.get(f"/api/v1/cases/{case_id}/retention/due", headers=team["prosecutor"])
    assert {material.original, material.redacted, material.proxy, served} <= {
        d["id"] for d in due.json()
    }
    proposed = api.client.post(
        f"/api/v1/cases/{case_id}/purges",
        json={"reason": "five years after the verdict", "items": [material.original]},
        headers=team["prosecutor"],
    )
    assert proposed.status_code == 201, proposed.text
    lines = {i["item_id"]: i["via"] for i in proposed.json()["items"]}
    # The proxy follows its original; what was disclosed stays until it is proposed itself.
    assert lines == {material.original: None, material.proxy: material.original}
    approved = api.client.post(f"/api/v1/purges/{proposed.json()['id']}/approve", headers=second)
    assert approved.status_code == 200, approved.text
    state = api.client.get(f"/api/v1/purges/{proposed.json()['id']}", headers=team["prosecutor"])
    assert state.json()["state"] == "done", state.json()
    for gone in (material.original, material.proxy):
        assert (
            api.client.get(f"/api/v1/items/{gone}/content", headers=team["prosecutor"]).status_code
            == 410
        )
    for kept in (material.redacted, served):
        assert (
            api.client.get(f"/api/v1/items/{kept}/content", headers=team["prosecutor"]).status_code
            == 200
        )
    out = tmp_path / "case.zip"
    with api.session() as session:
        service.export_custody(
            session=session,
            store=api.client.app.state.store,  # type: ignore[attr-defined]
            principal=None,
            ledger=service.LedgerConfig.from_settings(api.settings),
            out=out,
            case_number=CASE_NUMBER,
        )
    text = io.StringIO()
    with redirect_stdout(text):
        code = verifier.main([str(out)])
    assert code == 0, text.getvalue()
    assert f"OK    item {material.original}: purged on" in text.getvalue()
    assert f"OK    item {material.redacted}\n" in text.getvalue()
