"""The anonymous crawler of the penetration test (finding 1), as a test.

After a scenario with two cases — users in every role, uploads, tags, notes, a clip, a
disclosure read by the defence, a court export, a witness — every route of the app (taken
from the app itself, API and web pages and static files) is called without credentials,
with the scenario's real ids and realistic arguments. No response (status line, headers,
body) may contain a case number, a case title, a username, the scenario's client address,
a file name, a tag or a note of the scenario. Echoes of the crawler's own request path
(problem JSON `instance`) are not leaks and are taken out before the check.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import zip_longest
from pathlib import Path
from urllib.parse import quote

from fastapi.testclient import TestClient
from sqlalchemy import text
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from custody.note import COSIGNATURE_V1, Signer, cosign
from evidence import service
from evidence.models import Role
from tests.app_kit import Api, walk_routes
from tests.disclosure.conftest import PASSWORD, png_bytes

SCENARIO_IP = "10.91.7.203"  # where the scenario's people work from
CRAWLER_IP = "198.51.100.9"
USERS = {
    "ofc_serik_q7": Role.OFFICER, "inv_dana_w3": Role.INVESTIGATOR,
    "prk_aigul_z9": Role.PROSECUTOR, "adv_marat_x4": Role.DEFENCE, "jdg_saule_v2": Role.COURT,
    "aud_timur_k8": Role.AUDITOR, "adm_nurlan_j5": Role.ADMIN,
}  # fmt: skip
CASES = {
    "202611210004711": "Narcotics ring — informant Erlan K.",
    "202611210009322": "Кража в ТРЦ Хан-Шатыр, камера 4",
}
FILES = {
    "informant-erlan-statement.txt": b"I, Erlan K., state that the shipment arrives Friday.\n",
    "cctv-khan-shatyr-cam4.png": png_bytes("purple", (40, 30)),
    "tsum-receipt-scan-77.txt": b"Receipt 77, paid in cash, 14:02.\n",
}
TAGS = ["informant-erlan-k", "weak-witness-zhanat"]
NOTES = ["INTERNAL: weak evidence, witness Zhanat unreliable", "Ask Erlan about the Friday"]
CLIP = "erlan-meeting-at-bazaar"
DISCLOSURE_NOTE = "first batch for adv Marat, Erlan statement"


@dataclass
class Scenario:
    values: dict[str, list[str]] = field(default_factory=dict)
    shas: list[str] = field(default_factory=list)
    tree_size: int = 0

    def add(self, name: str, *found: str) -> None:
        self.values.setdefault(name, []).extend(found)


def _secrets() -> list[str]:
    return [*CASES, *CASES.values(), *USERS, SCENARIO_IP, *FILES, *TAGS, *NOTES, CLIP,
            DISCLOSURE_NOTE]  # fmt: skip


def _build(api: Api) -> Scenario:
    app = api.client.app
    web = TestClient(app, client=(SCENARIO_IP, 50000))
    found = Scenario()
    for name, role in USERS.items():
        api.user(name, role)
    h = {}
    for name in USERS:
        token = web.post("/api/v1/auth/token", data={"username": name, "password": PASSWORD})
        h[name] = {"Authorization": f"Bearer {token.json()['access_token']}"}
    pro, ofc, adv = h["prk_aigul_z9"], h["ofc_serik_q7"], h["adv_marat_x4"]
    for number, title in CASES.items():
        case = web.post("/api/v1/cases", json={"number": number, "title": title}, headers=pro)
        assert case.status_code == 201, case.text
        found.add("case_id", case.json()["id"])
        for member in ("ofc_serik_q7", "inv_dana_w3", "jdg_saule_v2", "aud_timur_k8"):
            web.post(f"/api/v1/cases/{found.values['case_id'][-1]}/members",
                     json={"username": member}, headers=pro)  # fmt: skip
    case_a, case_b = found.values["case_id"]
    items = []
    for (name, data), case_id in zip(FILES.items(), [case_a, case_a, case_b], strict=True):
        uploaded = web.post(
            f"/api/v1/cases/{case_id}/items", headers=ofc,
            files={"file": (name, data, "application/octet-stream")},
            data={"location": "Almaty, Raiymbek 12", "description": f"about {name}"},
        ).json()  # fmt: skip
        items.append(uploaded["id"])
        found.shas.append(uploaded["sha256"])
    found.add("item_id", *items)
    for item_id, tag, note in zip(items, TAGS, NOTES, strict=False):
        web.post(f"/api/v1/items/{item_id}/tags", json={"tags": [tag]}, headers=pro)
        made = web.post(f"/api/v1/items/{item_id}/notes", json={"body": note}, headers=pro)
        assert made.status_code == 201, made.text
        found.add("note_id", made.json()["id"])
    clip = web.post(f"/api/v1/items/{items[1]}/clips", json={"start": 0, "end": 1, "title": CLIP},
                    headers=pro)  # fmt: skip
    found.add("clip_id", clip.json()["id"])
    found.add("name", TAGS[0], "court.almaty.kz")
    upload = web.post(
        f"/api/v1/cases/{case_b}/uploads", headers=ofc,
        json={"filename": "tsum-receipt-scan-77.txt", "size": 10},
    )  # fmt: skip
    found.add("upload_id", upload.json()["id"])
    # Disclosure of the statement, read and downloaded by the defence.
    web.post(f"/api/v1/items/{items[0]}/disclosure-flags", json={"disclosable_original": True},
             headers=pro)  # fmt: skip
    disclosed = web.post(
        f"/api/v1/cases/{case_a}/disclosures", headers=pro,
        json={"recipient": "adv_marat_x4", "items": [items[0]], "note": DISCLOSURE_NOTE},
    ).json()  # fmt: skip
    found.add("disclosure_id", disclosed["id"])
    served = disclosed["items"][0]["served_id"]
    found.add("item_id", served)
    url = f"/api/v1/disclosures/{disclosed['id']}/items/{served}/content"
    assert web.get(url, headers=adv).content == FILES["informant-erlan-statement.txt"]
    receipt = web.get(url + "?download=true", headers=adv).headers.get("X-Receipt-Id")
    found.add("receipt_id", *([receipt] if receipt else []))
    for note in web.get("/api/v1/notifications", headers=pro).json():
        found.add("notification_id", note["id"])
    # The court exports case A; a registered witness cosigns.
    assert web.get(f"/api/v1/cases/{case_a}/court-export", headers=h["jdg_saule_v2"]).is_success
    with api.session() as session:
        signed = service.checkpoint(session=session, ledger=service.LedgerConfig.from_settings(
            api.settings))  # fmt: skip
    court = Signer.generate("court.almaty.kz", COSIGNATURE_V1)
    web.post("/api/v1/ledger/witnesses", json={"name": court.name, "key": str(court.verifier)},
             headers=h["adm_nurlan_j5"])  # fmt: skip
    body = signed.note.rsplit("\n\n", 1)[0] + "\n"
    cosigned = web.post("/api/v1/ledger/cosignatures", json={
        "size": signed.size, "witness_key": str(court.verifier),
        "cosignature": cosign(body, court, 1_770_000_000)})  # fmt: skip
    assert cosigned.status_code == 201, cosigned.text
    found.tree_size = signed.size
    with api.engine.connect() as conn:
        found.add("index", *(str(i) for i in conn.execute(text("SELECT idx FROM ledger_entry"))
                             .scalars()))  # fmt: skip
    found.add("username", *USERS)
    found.add("stage", "ocr", "detect")
    found.add("fmt", "txt", "srt", "pdf")
    found.add("code", "ru", "kk")
    found.add("number", "1")
    found.add("plan_id", items[0])
    widths = [found.tree_size % 256 or 256]
    found.add("path", "0/000", *(f"0/000.p/{w}" for w in widths if w < 256), "1/000.p/1",
              "entries/000", f"entries/000.p/{widths[0] % 256 or 1}")  # fmt: skip
    return found


_QUERY = {
    "index": "1", "first": "1", "q": "statement", "removed": "true", "language": "ru",
    "download": "true", "next": "/cases", "number": "000000000000000",
}  # fmt: skip


def _urls(path: str, found: Scenario, query: list[str]) -> list[str]:
    names = re.findall(r"{(\w+)(?::\w+)?}", path)
    pools = [found.values.get(n) or found.values["item_id"] for n in names]
    params = {q: _QUERY.get(q, "") for q in query if q in _QUERY}
    params |= {q: str(found.tree_size) for q in query if q in {"tree_size", "second"}}
    suffix = ("?" + "&".join(f"{k}={v}" for k, v in params.items())) if params else ""
    urls = []
    for combo in zip_longest(*pools) if pools else [()]:
        url = path
        for name, pool, value in zip(names, pools, combo, strict=True):
            url = re.sub(r"{" + name + r"(?::\w+)?}", value or pool[0], url, count=1)
        urls.append(url + suffix)
    return urls


def _static(app) -> list[str]:  # type: ignore[no-untyped-def]
    urls = []
    for route in app.routes:
        if isinstance(route, Mount) and isinstance(route.app, StaticFiles):
            for folder in route.app.all_directories:
                for file in Path(folder).rglob("*"):
                    if file.is_file():
                        urls.append(f"{route.path}/{file.relative_to(folder).as_posix()}")
    return urls


def _bodies(path: str, method: str, found: Scenario) -> list[dict]:  # type: ignore[type-arg]
    if path == "/api/v1/verify":
        return [{"json": {"sha256": sha}} for sha in found.shas] + [
            {"files": {"file": (n, d, "application/octet-stream")}} for n, d in FILES.items()
        ]
    if path == "/api/v1/ledger/cosignatures":
        fake = Signer.generate("court.almaty.kz", COSIGNATURE_V1)
        line = cosign(f"x\n{found.tree_size}\nAAAA\n", fake, 1)
        return [{"json": {"size": found.tree_size, "witness_key": str(fake.verifier),
                          "cosignature": line}}]  # fmt: skip
    if path in {"/api/v1/auth/token", "/login"}:
        return [{"data": {"username": "nobody", "password": "wrong password here"}}]
    return [{"json": {}} if path.startswith("/api/") else {"data": {"csrf": ""}}]


def test_anonymous_callers_learn_nothing_of_the_scenario(api: Api) -> None:
    found = _build(api)
    app = api.client.app
    crawler = TestClient(app, client=(CRAWLER_IP, 40000), follow_redirects=False)
    openapi = app.openapi()["paths"]  # type: ignore[attr-defined]
    leaks: list[str] = []
    public: set[str] = set()
    calls = 0
    secrets = _secrets()
    routes = [
        (r.path, sorted((r.methods or set()) - {"HEAD"})) for r in walk_routes(app.router.routes)
    ]
    routes += [(url, ["GET"]) for url in _static(app)]
    assert len(routes) > 100, "the walk found too few routes to prove anything"
    for path, methods in routes:
        spec = openapi.get(path.removeprefix("/api/v1"), {})
        for method in methods:
            query = [p["name"] for p in spec.get(method.lower(), {}).get("parameters", [])
                     if p.get("in") == "query"]  # fmt: skip
            for url in _urls(path, found, query):
                for body in _bodies(path, method, found) if method != "GET" else [{}]:
                    response = crawler.request(method, url, **body)
                    calls += 1
                    if response.status_code not in (401, 403, 405) and not (
                        response.status_code in (302, 303, 307)
                        and "/login" in response.headers.get("location", "")
                    ):
                        public.add(f"{method} {path}")
                    seen = "\n".join(
                        [response.text, *(f"{k}: {v}" for k, v in response.headers.items())]
                    )
                    own = url.split("?")[0]
                    for echo in (own, quote(own), quote(own, safe="")):
                        seen = seen.replace(echo, "")
                    leaks += [f"{method} {url}: {s!r}" for s in secrets if s in seen]
    assert not leaks, leaks[:20]
    # The walk reached the public surface, so its silence means something.
    for expected in ("GET /api/v1/ledger/checkpoint", "GET /api/v1/ledger/key",
                     "GET /api/v1/ledger/tile/{path:path}", "GET /api/v1/ledger/proof/consistency",
                     "POST /api/v1/verify", "GET /api/v1/ledger/verifier", "GET /verify",
                     "GET /login"):  # fmt: skip
        assert expected in public, (expected, sorted(public))
    assert calls > len(found.values["index"]) + 150
    assert not {p for p in public if "entries" in p or "inclusion" in p}
