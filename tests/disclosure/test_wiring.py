"""The disclosure package wired into the whole app: OpenAPI documents every endpoint (the
evidence route walk, tests/evidence/test_route_walk.py, walks its routes too)."""

from __future__ import annotations

from tests.app_kit import Api


def test_openapi_documents_disclosure_endpoints(api: Api) -> None:
    paths = api.client.get("/api/v1/openapi.json").json()["paths"]
    expected = {
        "/api/v1/cases/{case_id}/disclosures": {"get", "post"},
        "/api/v1/disclosures": {"get"},
        "/api/v1/disclosures/{disclosure_id}": {"get"},
        "/api/v1/disclosures/{disclosure_id}/tranches": {"post"},
        "/api/v1/disclosures/{disclosure_id}/revoke": {"post"},
        "/api/v1/disclosures/{disclosure_id}/bundle": {"get"},
        "/api/v1/disclosures/{disclosure_id}/items/{item_id}/content": {"get"},
        "/api/v1/disclosures/{disclosure_id}/receipts": {"get"},
        "/api/v1/items/{item_id}/disclosure-flags": {"post"},
        "/api/v1/receipts/keys": {"post"},
        "/api/v1/receipts/{receipt_id}/signature": {"post"},
        "/api/v1/cases/{case_id}/court-export": {"get"},
        "/api/v1/verify": {"post"},
    }
    for path, methods in expected.items():
        assert path in paths, path
        assert methods <= set(paths[path]), (path, set(paths[path]))
        for method in methods:
            assert paths[path][method].get("description") or paths[path][method].get("summary")
