"""Every ingest route is documented in the OpenAPI (summary and description)."""

from __future__ import annotations

from tests.app_kit import Api

pytest_plugins = ["tests.ingest.conftest_integration"]

ROUTES = {
    ("get", "/api/v1/items/{item_id}/jobs"),
    ("post", "/api/v1/items/{item_id}/jobs/{stage}/rerun"),
    ("get", "/api/v1/items/{item_id}/transcript"),
    ("put", "/api/v1/items/{item_id}/transcript"),
    ("get", "/api/v1/items/{item_id}/transcript/versions"),
    ("get", "/api/v1/items/{item_id}/transcript.{fmt}"),
    ("get", "/api/v1/items/{item_id}/text"),
    ("get", "/api/v1/items/{item_id}/messages"),
    ("get", "/api/v1/items/{item_id}/metadata"),
    ("get", "/api/v1/cases/{case_id}/search"),
}


def test_routes_are_documented(sqlite_api: Api) -> None:
    spec = sqlite_api.client.get("/api/v1/openapi.json").json()
    for method, path in ROUTES:
        operation = spec["paths"][path][method]
        assert operation["summary"] and len(operation["description"]) > 20, (method, path)
    params = spec["paths"]["/api/v1/items/{item_id}/transcript.{fmt}"]["get"]["parameters"]
    fmt = next(p for p in params if p["name"] == "fmt")
    assert fmt["schema"]["enum"] == ["txt", "srt", "vtt", "docx", "pdf"]
