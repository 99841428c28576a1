"""Issue 12, hostile input: the trial's requests against the real app (`create_app`).

Giant lists, huge numbers and malformed bodies get a 4xx problem, never a 5xx or a
stalled server; ranges follow RFC 9110; every response carries security headers and
evidence bytes are served sandboxed.
"""

from __future__ import annotations

import json

from tests.app_kit import Api

PROBLEM = "application/problem+json"


def _item(api: Api, team, data: bytes = b"0123456789" * 10, name: str = "a.bin") -> str:  # type: ignore[no-untyped-def]
    response = api.upload(team["case"]["id"], team["prosecutor"], data, name=name)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def test_ten_thousand_tags_are_refused_at_once(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    """The trial: 10,000 tags in one request took 38 s and stalled the API."""
    item = _item(api, team)
    many = {"tags": [f"t{n}" for n in range(10_000)]}
    response = api.client.post(f"/api/v1/items/{item}/tags", json=many, headers=team["prosecutor"])
    assert response.status_code == 422 and response.headers["content-type"] == PROBLEM
    bulk = {"tags": ["x"], "items": [item] * 5_000}
    case_id = team["case"]["id"]
    response = api.client.post(
        f"/api/v1/cases/{case_id}/tags", json=bulk, headers=team["prosecutor"]
    )
    assert response.status_code == 422
    assert api.events("item.tag.added") == []


def test_huge_and_non_finite_numbers_are_4xx(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    item = _item(api, team)
    headers = {**team["prosecutor"], "Content-Type": "application/json"}
    for body in ['{"body": "x", "start": 1e400}', '{"body": "x", "start": NaN}',
                 '{"body": "x", "page": 1180591620717411303424}']:  # fmt: skip
        response = api.client.post(f"/api/v1/items/{item}/notes", content=body, headers=headers)
        assert response.status_code == 422, body
        assert response.headers["content-type"] == PROBLEM
    clip = api.client.post(
        f"/api/v1/items/{item}/clips", json={"start": 0, "end": 1e308}, headers=team["prosecutor"]
    )
    assert clip.status_code == 422
    entry = api.client.get("/api/v1/ledger/entries/9223372036854775808", headers=team["prosecutor"])
    assert entry.status_code == 422
    digits = '{"sha256": ' + "9" * 100_000 + "}"
    verify = api.client.post(
        "/api/v1/verify", content=digits, headers={"Content-Type": "application/json"}
    )
    assert verify.status_code == 400 and verify.headers["content-type"] == PROBLEM


def test_multipart_without_boundary_is_400(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    response = api.client.post(
        f"/api/v1/cases/{team['case']['id']}/items",
        content=b"--x\r\n\r\n",
        headers={**team["prosecutor"], "Content-Type": "multipart/form-data"},
    )
    assert response.status_code == 400 and response.headers["content-type"] == PROBLEM
    garbage = api.client.post(
        f"/api/v1/cases/{team['case']['id']}/items",
        content=b"x",
        headers={**team["prosecutor"], "Content-Type": "multipart/form-data; boundary="},
    )
    assert garbage.status_code == 400
    length = api.client.post(
        f"/api/v1/cases/{team['case']['id']}/items",
        content=b"x",
        headers={
            **team["prosecutor"],
            "Content-Type": "multipart/form-data; boundary=x",
            "Content-Length": "1",
            "X-Ignored": "1",
        },
    )
    assert length.status_code == 400


def test_ranges_follow_rfc_9110(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    item = _item(api, team)  # 100 bytes
    url = f"/api/v1/items/{item}/content"

    def get(value: str):  # type: ignore[no-untyped-def]
        return api.client.get(url, headers={**team["prosecutor"], "Range": value})

    empty = get("bytes=-0")
    assert empty.status_code == 416 and empty.headers["content-range"] == "bytes */100"
    past = get("bytes=100-")
    assert past.status_code == 416 and past.headers["content-range"] == "bytes */100"
    assert past.headers["content-type"] == PROBLEM
    tail = get("bytes=-500")
    assert tail.status_code == 206 and tail.headers["content-range"] == "bytes 0-99/100"
    clipped = get("bytes=90-1000")
    assert clipped.status_code == 206 and clipped.content == b"0123456789"
    for ignored in ["bytes=5-2", "items=0-1", "bytes=0-1,4-5", "bytes=x-"]:
        whole = get(ignored)
        assert whole.status_code == 200 and len(whole.content) == 100, ignored


def test_security_headers_everywhere_and_sandboxed_content(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    for path in ["/verify/bundle", "/api/v1/ledger/checkpoint", "/login", "/api/v1/nowhere"]:
        response = api.client.get(path)
        assert response.headers["x-content-type-options"] == "nosniff", path
        assert "frame-ancestors" in response.headers["content-security-policy"], path
    html = _item(api, team, b"<html><script>alert(document.cookie)</script></html>", "x.html")
    served = api.client.get(f"/api/v1/items/{html}/content", headers=team["prosecutor"])
    assert served.status_code == 200
    # Typed by content (no magic number: text), never sniffed, and sandboxed anyway.
    assert served.headers["content-type"].startswith("text/plain")
    assert served.headers["content-security-policy"].startswith("sandbox")
    assert served.headers["x-content-type-options"] == "nosniff"
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    shown = api.client.get(
        f"/api/v1/items/{_item(api, team, svg, 'x.svg')}/content", headers=team["prosecutor"]
    )
    # Never rendered as an image with scripts: plain text, or else a download.
    assert shown.headers["content-type"].startswith("text/plain") or shown.headers[
        "content-disposition"
    ].startswith("attachment;")
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    image = api.client.get(
        f"/api/v1/items/{_item(api, team, png, 'p.png')}/content", headers=team["prosecutor"]
    )
    assert image.headers["content-disposition"] == "inline; filename*=UTF-8''p.png"
    assert image.headers["content-security-policy"].startswith("sandbox")


def test_problem_json_for_a_bad_json_body(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    response = api.client.post(
        "/api/v1/cases",
        content=json.dumps({"number": "1" * 100_000, "title": "x"}),
        headers={**team["prosecutor"], "Content-Type": "application/json"},
    )
    assert response.status_code == 422 and response.headers["content-type"] == PROBLEM


def _unbounded(spec: dict, schema: dict, where: str, seen: frozenset[str]) -> list[str]:  # type: ignore[type-arg]
    """Places in a request schema without a documented bound."""
    ref = schema.get("$ref")
    if ref:
        name = ref.rsplit("/", 1)[-1]
        if name in seen:
            return []
        seen, schema = seen | {name}, spec["components"]["schemas"][name]
    found: list[str] = []
    for key in ("anyOf", "oneOf", "allOf"):
        for sub in schema.get(key, []):
            found += _unbounded(spec, sub, where, seen)
    kind = schema.get("type")
    free = {"date-time", "binary", "date", "uuid"}
    bounded = {"maxLength", "enum", "const"} & schema.keys()
    if kind == "string" and not bounded and schema.get("format") not in free:
        found.append(f"{where}: string without maxLength")
    if kind == "array":
        if "maxItems" not in schema:
            found.append(f"{where}: array without maxItems")
        found += _unbounded(spec, schema.get("items", {}), f"{where}[]", seen)
    if kind in {"integer", "number"} and not (
        {"maximum", "exclusiveMaximum"} & schema.keys()
        and {"minimum", "exclusiveMinimum"} & schema.keys()
    ):
        found.append(f"{where}: {kind} without both bounds")
    for name, sub in schema.get("properties", {}).items():
        found += _unbounded(spec, sub, f"{where}.{name}", seen)
    return found


def test_every_request_bound_is_documented(api: Api) -> None:
    """Every string, list and number of every request body, and every numeric
    parameter, has a bound in the OpenAPI (the trial: 10,000 tags; 2**70 pages)."""
    spec = api.client.get("/api/v1/openapi.json").json()
    found: list[str] = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            label = f"{method.upper()} {path}"
            for param in operation.get("parameters", []):
                schema = param.get("schema", {})
                numeric = [s for s in [schema, *schema.get("anyOf", [])] if "type" in s]
                if any(s["type"] in {"integer", "number"} for s in numeric):
                    found += _unbounded(spec, schema, f"{label} {param['name']}", frozenset())
            for content in operation.get("requestBody", {}).get("content", {}).values():
                found += _unbounded(spec, content.get("schema", {}), f"{label} body", frozenset())
    assert found == [], "\n".join(found)


def test_manual_redaction_targets_are_bounded(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    """A reviewer's drawn target is a handful of numbers in a free-form object: 1e400 is
    infinity to the JSON parser, and int(inf) used to be a 500; non-finite or huge times
    went into the plan. Each is a 4xx problem and no new plan version appears."""
    text = "Допрошенный Иванов Пётр Сергеевич показал, что видел автомобиль у дома."
    item = _item(api, team, text.encode(), "protocol.txt")
    plan = api.client.post(
        f"/api/v1/items/{item}/redactions", json={}, headers=team["investigator"]
    )
    assert plan.status_code == 201, plan.text
    url = f"/api/v1/redactions/{plan.json()['id']}/proposals"
    headers = {**team["investigator"], "Content-Type": "application/json"}
    for target in [
        '{"kind": "span", "start": 0, "end": 1e400}',
        '{"kind": "box", "page": 1e400, "left": 0, "top": 0, "width": 1, "height": 1}',
        '{"kind": "box", "page": 1, "left": 0, "top": 0, "width": 1, "height": 1,'
        ' "t_start": 0, "t_end": 1e400}',
        '{"kind": "time", "start": 0, "end": 1e308}',
        '{"kind": "time", "start": NaN, "end": 1}',
        '{"kind": "box", "page": 1180591620717411303424, "left": 0, "top": 0,'
        ' "width": 1, "height": 1}',
    ]:
        body = '{"items": [{"target": ' + target + "}]}"
        response = api.client.post(url, content=body, headers=headers)
        assert 400 <= response.status_code < 500, (target, response.status_code, response.text)
        assert response.headers["content-type"] == PROBLEM, target
    versions = api.client.get(f"/api/v1/items/{item}/redactions", headers=team["investigator"])
    assert versions.status_code == 200
    assert [p["version"] for p in versions.json()] == [1]


def test_manual_redaction_times_are_checked_against_the_duration() -> None:
    """A drawn time range or video box past the end of a 2 s recording is refused, as a
    clip or note there is; inside it (with the player's rounding slack) it is kept."""
    from redaction.plans import PlanError, check_target

    box = {"kind": "box", "page": 1, "left": 0, "top": 0, "width": 10, "height": 10}
    for target in [{"kind": "time", "start": 0, "end": 5.0}, {**box, "t_start": 1, "t_end": 9}]:
        try:
            check_target(target, text_length=None, duration=2.0)
        except PlanError as exc:
            assert "past the end of the media" in str(exc)
        else:
            raise AssertionError(f"accepted past the end: {target}")
    kept = check_target({"kind": "time", "start": 0.5, "end": 2.2}, text_length=None, duration=2.0)
    assert kept == {"kind": "time", "start": 0.5, "end": 2.2}
    assert check_target({**box, "t_start": 0, "t_end": 1.5}, text_length=None, duration=2.0)
